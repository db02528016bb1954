"""A real worker process confirming an import is killed in the middle of writing: nothing of the plan stays,
and starting the job again writes it once. Needs PostgreSQL and Redis (CI), where the worker is a separate
process on the same test database."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.progress import progress_key, progress_read
from core.staging import JobState
from plans.imports import plan_import_request_confirm, plan_import_stage
from plans.models import Milestone, Plan, PlanImport, Task
from plans.tasks import plan_import_confirm_task
from tuanjian.celery import app

ROOT = Path(__file__).resolve().parents[2]
ZHEJIANG = ROOT / "fixtures" / "plans" / "zhejiang-2019.xlsx"
WAIT = 180  # seconds: a generous bound on a busy machine; the test waits for states, never for a time

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: a second process works on the same test database",
    ),
    pytest.mark.django_db(transaction=True),
]


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def start_worker(tmp_path):
    """`celery worker` as production runs it, on the test database."""
    url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    env = {**os.environ, "DATABASE_URL": url, "CELERY_TASK_ALWAYS_EAGER": "0", "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / "worker.log", "ab")  # noqa: SIM115 - kept open for the process's life
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tuanjian", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel=info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def waiting_on_milestones(watcher):
    """The server process of a session blocked inserting milestones, if any."""
    row = watcher.execute(
        "SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
        "WHERE NOT l.granted AND l.relation = 'plans_milestone'::regclass AND a.query ILIKE 'INSERT%%'"
    ).fetchone()
    return row[0] if row else None


def test_a_worker_killed_while_writing_leaves_nothing_and_the_retry_writes_once(
    tmp_path, tree, make_user, client, celery_eager
):
    import psycopg

    user = make_user(tree.zj, "editor")
    staged = plan_import_stage(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    plan_import_request_confirm(staged=staged)
    celery_eager.task_always_eager = False  # the fixture puts it back
    app.control.purge()

    # Hold the milestones table so the job stops inside its transaction, after the plan and its tasks.
    params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    holder = psycopg.connect(**params)
    holder.execute("LOCK TABLE plans_milestone IN SHARE ROW EXCLUSIVE MODE")
    watcher = psycopg.connect(**params, autocommit=True)  # outside a transaction: sees activity as it changes
    worker = start_worker(tmp_path)
    try:
        plan_import_confirm_task.delay(staged.pk, user.pk)
        blocked = wait_for(lambda: waiting_on_milestones(watcher), "the job to reach the milestones")
        progress = progress_read(
            progress_key("plan-import", staged.pk)
        )  # the worker's progress reaches the web
        assert progress is not None and progress["stage"] == "写入计划、任务和时间节点"

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=WAIT)
    finally:
        if worker.poll() is None:
            worker.kill()
        holder.rollback()  # let the orphaned server process go on: it can only roll back now
    holder.close()
    watcher.execute("SELECT pg_terminate_backend(%s)", [blocked])  # what TCP keepalive does, sooner
    wait_for(
        lambda: not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [blocked]).fetchone(),
        "the killed job's session to end",
    )
    watcher.close()

    assert not Plan.objects.exists() and not Task.objects.exists() and not Milestone.objects.exists()
    staged.refresh_from_db()
    assert staged.confirmed_at is None and staged.job_state == JobState.CONFIRMING

    # The editor comes back later: the page offers to start again, and a new worker writes the plan once.
    PlanImport.objects.filter(pk=staged.pk).update(job_started_at=timezone.now() - timedelta(hours=2))
    client.force_login(user)
    assert "重新开始" in client.get(reverse("plans:import_preview", args=[staged.pk])).content.decode()
    worker = start_worker(tmp_path)
    try:
        client.post(reverse("plans:import_retry", args=[staged.pk]))
        wait_for(lambda: PlanImport.objects.get(pk=staged.pk).job_state == JobState.DONE, "the retried job")
    finally:
        worker.terminate()
        worker.wait(timeout=WAIT)
    assert Plan.objects.count() == 1 and Task.objects.count() == 15 and Milestone.objects.count() == 70
