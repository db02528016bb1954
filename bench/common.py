"""Helpers shared by the benchmark scripts: a fresh bench database and manage.py in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def bulk_tasks(plan, owner, count: int) -> list:
    """`count` numbered tasks of a bench plan, inserted in one statement (schedules are added apart)."""
    from plans.models import Task

    return Task.objects.bulk_create(
        Task(plan=plan, organisation=owner, seq=str(i), order=i, title=f"第{i}项重点任务",
             summary=f"第{i}项重点任务的总体计划", schedule_text="")
        for i in range(1, count + 1)
    )  # fmt: skip
