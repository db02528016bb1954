"""The embedded mode (SQLite): two reminder runs at once, or one while the database is busy."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def race(tmp_path, mode: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "sqlite_reminders_race.py"), mode],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_reminder_runs_at_once_both_finish_and_remind_once(tmp_path):
    found = race(tmp_path, "race")
    assert [sorted(o) for o in found["outcomes"]] == [["ok"], ["ok"]], found  # was: "database is locked"
    created = sorted(o["ok"]["created"] for o in found["outcomes"])
    assert created == [0, found["notices"]] and found["notices"] >= 1  # the second run found them sent


def test_a_run_that_cannot_get_the_database_says_so(tmp_path):
    found = race(tmp_path, "held")
    assert found["outcomes"] == [
        {"error": "CommandError: 另一个提醒任务正在运行（数据库被占用），请稍后再试"}
    ]
    assert found["notices"] == 0
