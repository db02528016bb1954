"""Handing jobs to the workers without letting a Redis outage fail the request that asked for them.

`enqueue` sends at once (or runs the job in-process in the embedded mode); when the broker is down or hung
it gives up within the Redis timeouts (settings.REDIS_TIMEOUT), records the job as a PendingJob, and the
request goes on. `pending_jobs_run`, scheduled every few minutes, sends what was recorded.
"""

from __future__ import annotations

import json
import logging

from celery import current_app
from django.db import transaction

from .models import PendingJob
from .outage import Breaker

logger = logging.getLogger(__name__)

# After one failed send, requests record their jobs straight away for this long instead of each waiting
# on the broker's timeouts again.
BROKER = Breaker(cooldown=30)


def enqueue(task, *args, **kwargs) -> bool:
    """Queue `task(*args, **kwargs)`; True if queued (or run, in the embedded mode), False if recorded for
    the next scheduled run. Never raises for the broker."""
    if task.app.conf.task_always_eager:
        task.apply_async(args, kwargs)  # in-process: the job's own errors are the caller's, as before
        return True
    error = "消息队列刚刚不可用，直接记录"
    if not BROKER.open:
        try:
            # No retry (the next scheduled run is the retry) and no result: the web never reads one, and
            # subscribing to it would be one more Redis round trip to wait on.
            task.apply_async(args, kwargs, retry=False, ignore_result=True)
            return True
        except Exception as exc:  # whatever the broker raised (connection, timeout …), the request goes on
            BROKER.trip()
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("could not queue %s, recorded for the next run: %s", task.name, error)
    PendingJob.objects.create(task=task.name, args=list(args), kwargs=kwargs, error=error[:500])
    return False


def pending_jobs_run() -> int:
    """Send the recorded jobs, each distinct job once, oldest first; returns how many were sent. A job is
    deleted once sent; if the broker is still down the rest wait for the next run."""
    app = current_app
    app.loader.import_default_modules()  # the tasks of every app, also outside a worker
    sent = 0
    seen: set[tuple[str, str, str]] = set()
    with transaction.atomic():
        # Locked rows are another run's: it sends them.
        jobs = list(PendingJob.objects.select_for_update(skip_locked=True).order_by("id"))
        done = []
        for job in jobs:
            key = (job.task, json.dumps(job.args, sort_keys=True), json.dumps(job.kwargs, sort_keys=True))
            task = app.tasks.get(job.task)
            if key not in seen and task is not None:
                try:
                    task.apply_async(job.args, job.kwargs, ignore_result=True)
                except Exception as exc:  # still down: this one and the rest wait for the next run
                    logger.warning("pending jobs: the broker is still unavailable: %s", exc)
                    break
                sent += 1
            elif task is None:
                logger.error("pending job %s names an unknown task %s; dropped", job.pk, job.task)
            seen.add(key)
            done.append(job.pk)
        PendingJob.objects.filter(pk__in=done).delete()
    return sent
