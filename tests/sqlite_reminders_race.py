"""Two `send_reminders` at once on a file SQLite database (the embedded mode), in a process of its own
(tests/test_sqlite_reminders.py runs it; the suite's own database may be PostgreSQL or in memory).

    python tests/sqlite_reminders_race.py race   both runs read before either writes: both must succeed
    python tests/sqlite_reminders_race.py held   another process holds the database past the wait

Prints one JSON line: each run's outcome and the notices written. DATABASE_URL names the file.
"""

import contextlib
import json
import os
import sqlite3
import sys
import threading
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuanjian.settings")

import django  # noqa: E402

django.setup()

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

DAY = "2019-06-03"  # May's report is due on 5 June: the reporter is reminded


def build() -> None:
    """Tables straight from the models (quicker than every migration), and one reporter who is owed a
    reminder."""
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    from django.contrib.auth import get_user_model

    from assignments.models import Assignment
    from assignments.publishing import plan_publish
    from orgtree.models import Membership, OrgType
    from orgtree.services import organisation_create
    from plans.models import Plan
    from plans.services import task_create

    zj = organisation_create(parent=None, name="共青团浙江省委", org_type=OrgType.PROVINCE, code="330000")
    hz = organisation_create(parent=zj, name="共青团杭州市委", org_type=OrgType.CITY, code="330100")
    xh = organisation_create(parent=hz, name="共青团杭州市西湖区委", org_type=OrgType.COUNTY, code="330106")
    plan = Plan.objects.create(title="杭州2019年工作要点", organisation=hz, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底"})
    plan_publish(plan=plan, levels=["county"])
    signed = datetime(2019, 4, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    Assignment.objects.update(created_at=signed, received_at=signed)
    reporter = get_user_model().objects.create_user("xh-reporter", email="xh@example.org")
    Membership.objects.create(user=reporter, organisation=xh, role="reporter")
    connection.close()


def run(outcomes: list) -> None:
    out = StringIO()
    try:
        call_command("send_reminders", "--today", DAY, "--json", stdout=out)
        outcomes.append({"ok": json.loads(out.getvalue())})
    except Exception as exc:
        outcomes.append({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        connections.close_all()


def race() -> list:
    """Both runs stop after reading, until the other has read too (or 5 s passed): with transactions that
    begin as readers, neither could then upgrade to write and one failed at once."""
    import supervision.reminders as reminders

    barrier = threading.Barrier(2, timeout=5)
    create = reminders.notifications_create

    def after_both_read(*args, **kwargs):
        # Broken after 5 s when the other run waits for the lock instead (as it should): go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return create(*args, **kwargs)

    reminders.notifications_create = after_both_read
    outcomes: list = []
    threads = [threading.Thread(target=run, args=(outcomes,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def held() -> list:
    """Another process writes for longer than the run waits (1 s here instead of 30)."""
    holder = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    connections["default"].settings_dict["OPTIONS"]["timeout"] = 1
    outcomes: list = []
    try:
        run(outcomes)
    finally:
        holder.rollback()
        holder.close()
    return outcomes


if __name__ == "__main__":
    build()
    outcomes = {"race": race, "held": held}[sys.argv[1]]()
    from notifications.models import Notification

    print(json.dumps({"outcomes": outcomes, "notices": Notification.objects.count()}, ensure_ascii=False))
