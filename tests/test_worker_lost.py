"""A worker killed in the middle of a job: the job runs again, promptly — at once when the OOM killer takes
the pool process, after the visibility timeout when the whole worker dies and is restarted — because every
task is idempotent and acknowledged only after it ran. Real worker processes on the real broker (CI)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from tuanjian.celery import app

ROOT = Path(__file__).resolve().parent.parent
WAIT = 180  # seconds: a generous bound on a busy machine; the tests wait for states, never for a time

# Every task of the project, with why running it twice is harmless. A new task fails this list until
# someone has checked the same of it.
IDEMPOTENT = {
    "orgtree.tasks.check_orgtree_task": "reads only",
    "supervision.tasks.refresh_statuses_task": "recomputes states from the data, under a lock",
    "supervision.tasks.send_reminders_task": "a notice per person, key and day (unique); e-mail via the outbox",
    "notifications.tasks.send_email_outbox_task": "claims notices, marks each sent right after sending",
    "assignments.tasks.notify_published_task": "a notice per person, key and day (unique)",
    "plans.tasks.plan_import_preview_task": "rewrites the preview; does nothing once no longer previewing",
    "plans.tasks.plan_import_confirm_task": "one transaction with the upload marked confirmed, checked first",
    "core.tasks.pending_jobs_task": "sends idempotent jobs; deletes them in the same transaction",
    "core.tasks.purge_staged_uploads_task": "deletes uploads past their days; a second run finds none",
}


def test_every_task_is_idempotent_and_comes_back_when_its_worker_dies():
    app.loader.import_default_modules()
    project = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    ours = {name for name in app.tasks if name.split(".")[0] in project}
    assert ours == set(IDEMPOTENT), "check that a new task may run twice, then list it in IDEMPOTENT"
    for name in ours:
        task = app.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost, name
        assert task.time_limit == settings.IMPORT_JOB_TIMEOUT_SECONDS, name
        assert task.acks_on_timeout, name  # a job killed for running too long is not put back forever
    assert app.conf.worker_prefetch_multiplier == 1
    # Longer than any job may run, so a running job is never handed out twice; far under the default hour.
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == 2 * app.conf.task_time_limit == 1800


needs_broker = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)")


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def start_worker(tmp_path, **env):
    """`celery worker` as compose runs it (prefork), with one pool process, and the test-only tasks."""
    log = open(tmp_path / "worker.log", "ab")  # noqa: SIM115 - kept open for the process's life
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tuanjian", "worker", "--pool=prefork", "--concurrency=1",
         "--include=tests.worker_jobs", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=info"],
        # A database of its own: a job of another test that Redis hands out again touches no real one.
        cwd=ROOT, env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
                       "CELERY_TASK_ALWAYS_EAGER": "0", "PYTHONPATH": str(ROOT), **env},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,  # its own group: killed whole
    )  # fmt: skip


def stop(worker):
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def runs(marker: Path) -> list[int]:
    return [int(pid) for pid in marker.read_text().split()] if marker.exists() else []


@pytest.fixture
def broker(celery_eager):
    import redis

    from tests.worker_jobs import hold

    celery_eager.task_always_eager = False  # the fixture puts it back
    app.control.purge()  # messages left by an earlier run would be executed first
    # … and jobs that killed workers of earlier tests still hold: the short visibility timeout of the
    # restarted worker below would hand them out again.
    unacked = redis.Redis.from_url(settings.REDIS_URL)
    unacked.delete("unacked", "unacked_index")
    yield hold
    unacked.delete("unacked", "unacked_index")
    unacked.close()


@needs_broker
def test_a_job_whose_pool_process_is_killed_runs_again_at_once(broker, tmp_path):
    marker = tmp_path / "runs"
    worker = start_worker(tmp_path)
    try:
        result = broker.delay(str(marker))
        [child] = wait_for(lambda: runs(marker), "the job to start")
        assert parent_of(child) == worker.pid  # a pool process of the worker, not the worker itself
        os.kill(child, signal.SIGKILL)  # what the OOM killer does
        assert result.get(timeout=WAIT) == 2  # was: WorkerLostError, and the job lost for good
        first, second = runs(marker)
        assert second != first and parent_of(second) == worker.pid  # a new pool process of the same worker
    finally:
        stop(worker)


@needs_broker
def test_a_job_whose_worker_died_whole_runs_on_the_restarted_worker(broker, tmp_path):
    marker = tmp_path / "runs"
    worker = start_worker(tmp_path)
    try:
        result = broker.delay(str(marker))
        wait_for(lambda: runs(marker), "the job to start")
        os.killpg(worker.pid, signal.SIGKILL)  # the container killed: main process and pool at once
        worker.wait(timeout=WAIT)
    finally:
        stop(worker)
    # Restarted (compose: restart unless-stopped). The job comes back once the visibility timeout has
    # passed: 30 minutes in production, 5 seconds here.
    worker = start_worker(tmp_path, CELERY_VISIBILITY_TIMEOUT="5")
    try:
        assert result.get(timeout=WAIT) == 2
        assert len(runs(marker)) == 2
    finally:
        stop(worker)
