"""Beat: jobs at wall-clock times (not "every 24 h since beat started"), and a liveness check that tells a
beat that ticks from one that merely started once."""

import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command

from tuanjian.beat import HeartbeatScheduler

ROOT = Path(__file__).resolve().parent.parent
EVERY_HOUR, EVERY_DAY = set(range(24)), set(range(1, 32))


@pytest.mark.parametrize(
    "entry, task, minutes, hours",
    [
        ("refresh-statuses-hourly", "supervision.tasks.refresh_statuses_task", {5}, EVERY_HOUR),
        ("send-reminders-daily", "supervision.tasks.send_reminders_task", {0}, {8}),
        ("check-orgtree-nightly", "orgtree.tasks.check_orgtree_task", {30}, {2}),
        ("send-email-outbox", "notifications.tasks.send_email_outbox_task", set(range(0, 60, 5)), EVERY_HOUR),
        ("send-pending-jobs", "core.tasks.pending_jobs_task", set(range(0, 60, 5)), EVERY_HOUR),
    ],
)
def test_jobs_run_at_clock_times(entry, task, minutes, hours):
    scheduled = settings.CELERY_BEAT_SCHEDULE[entry]
    schedule = scheduled["schedule"]
    assert scheduled["task"] == task and isinstance(schedule, crontab)
    assert (schedule.minute, schedule.hour, schedule.day_of_month) == (minutes, hours, EVERY_DAY)
    assert schedule.day_of_week == set(range(7)) and schedule.month_of_year == set(range(1, 13))


def test_no_job_counts_from_beat_s_start():
    """An interval counts from when beat started: "nightly" then ran at whatever hour that was."""
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert isinstance(entry["schedule"], crontab), name
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"  # the clock times are Beijing time
    assert settings.CELERY_BEAT_SCHEDULER == "tuanjian.beat:HeartbeatScheduler"
    assert settings.CELERY_BEAT_MAX_LOOP_INTERVAL <= 60  # a tick at least every minute


def check_beat(*args) -> str:
    out = StringIO()
    call_command("check_beat", *args, stdout=out)
    return out.getvalue()


def test_liveness_is_a_recent_heartbeat(tmp_path, settings):
    settings.BEAT_HEARTBEAT_FILE = heartbeat = tmp_path / "heartbeat"
    with pytest.raises(CommandError, match="没有 beat 心跳文件"):
        check_beat()  # never started
    heartbeat.touch()
    assert "beat 正常" in check_beat()
    stale = time.time() - 301
    os.utime(heartbeat, (stale, stale))  # started once, then stopped or stuck
    with pytest.raises(CommandError, match="beat 已 30[0-9] 秒没有心跳"):
        check_beat()
    assert "beat 正常" in check_beat("--max-age", "600")


def test_each_tick_touches_the_heartbeat(tmp_path, settings, monkeypatch):
    settings.BEAT_HEARTBEAT_FILE = heartbeat = tmp_path / "heartbeat"
    monkeypatch.setattr("celery.beat.PersistentScheduler.tick", lambda self, *a, **k: 42.0)
    scheduler = HeartbeatScheduler.__new__(HeartbeatScheduler)  # the tick alone, without a schedule file
    assert scheduler.tick() == 42.0 and heartbeat.exists()


def test_a_running_beat_keeps_its_heartbeat_fresh_and_a_stopped_one_fails_the_check(tmp_path, settings):
    """Real `celery beat`, as compose runs it (with ticks every second here instead of every minute)."""
    settings.BEAT_HEARTBEAT_FILE = heartbeat = tmp_path / "heartbeat"
    # In-memory broker: whatever falls due meanwhile goes nowhere.
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(BEAT_HEARTBEAT_FILE=str(heartbeat), DATABASE_URL=f"sqlite:///{tmp_path / 'beat.sqlite3'}")
    log = open(tmp_path / "beat.log", "ab")  # noqa: SIM115 - kept open for the process's life
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tuanjian", "beat", "--loglevel=info", "--max-interval=1",
         f"--schedule={tmp_path / 'celerybeat-schedule'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not heartbeat.exists():
            assert beat.poll() is None and time.monotonic() < deadline, (tmp_path / "beat.log").read_text()
            time.sleep(0.2)
        first = heartbeat.stat().st_mtime
        while heartbeat.stat().st_mtime == first:  # it keeps ticking
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert "beat 正常" in check_beat("--max-age", "60")
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=60)
    stale = time.time() - 120
    os.utime(heartbeat, (stale, stale))  # two minutes after it stopped
    with pytest.raises(CommandError, match="beat 已停止或卡住"):
        check_beat("--max-age", "60")


def test_compose_checks_beat_by_its_heartbeat():
    import yaml
    from django.core.management import get_commands

    beat = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]["beat"]
    assert beat["healthcheck"]["test"][:4] == ["CMD", "python", "manage.py", "check_beat"]
    assert get_commands()["check_beat"] == "tuanjian"
