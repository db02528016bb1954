"""Test-only Celery tasks, loaded into a real worker with `celery worker --include tests.worker_jobs`
(tests/test_worker_lost.py). They inherit the project's task settings, as every task does."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task
def hold(path: str) -> int:
    """Note this run's process id in `path`; the first run then waits to be killed, a later run returns
    at once how many runs there were (idempotent, as every job must be)."""
    marker = Path(path)
    earlier = marker.read_text().split() if marker.exists() else []
    with marker.open("a") as handle:
        handle.write(f"{os.getpid()}\n")
    if not earlier:
        time.sleep(600)
    return len(earlier) + 1
