"""Benchmark: the status engine over ≥ 1,000,000 assignment milestones; the reminder job for 10,000 people.

    .venv/bin/python bench/status.py [--runs 3] [--tasks N] [--recipients 10000] [--sample 10000]
                                     [--province 33] [--skip-refresh] [--skip-orm] [--skip-reminders]

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tuanjian_bench_status).
The bench database is dropped and recreated once per script run; the data set is then built set-based:

* the country to county level (`manage.py load_divisions --depth county`), a 共青团中央 root, a 2019–2021
  plan owned by it with N tasks × 5 milestones (due dates spread over the three years; periods with a
  start date, deadlines, single days, and ongoing ones with no due date), published to every city and
  county with `plan_publish(levels=["city", "county"])`. N defaults to the fewest tasks giving
  ≥ 1,000,000 milestone copies (61 for the whole country: 1,008,635 copies);
* receivers tighten their copies' due dates by 0–14 days (one UPDATE; `--tighten-days 0` turns it off),
  so each milestone's copies fall due over two weeks rather than all on one day and the daily refresh
  sees a representative number of boundary crossings rather than the luck of the master dates;
* ~10 % of the copies are accepted (one UPDATE: completed_on and accepted_at, a quarter of them after
  the due date), every copy gets a reported percent (one UPDATE), then VACUUM ANALYZE.

Measures (production settings, DEBUG=0, so Django keeps no query log):

1. Full recompute: every copy and assignment is reset to the initial state (one UPDATE each), the tables
   vacuumed and checkpointed, then `refresh_statuses(today=2020-06-01)` is timed. Target < 6 s.
2. Daily refresh: from the 2020-06-01 state (re-established and vacuumed, untimed),
   `refresh_statuses(today=2020-06-02)` is timed. Target < 1 s.
3. Per-row ORM loop for comparison: 10,000 copies spread over the table are loaded and each one's status
   and at_risk computed in Python (the same rules, written out below) and saved with
   `save(update_fields=[...])` in autocommit, extrapolated per 1,000,000 rows. A set-based refresh for
   the same day afterwards must change nothing: that checks the Python rules match the SQL ones.
4. Reminders: 10,000 users with e-mail addresses, reporter memberships spread over the counties that
   have assignments, no report for 2020-05, assignments created before it; a fresh process
   (`--child-reminders`, EMAIL_BACKEND=locmem) times `send_reminders(today=2020-06-08)` (May's report
   was due on 5 June). The day's notifications and the reminder events are deleted between runs. If the
   first run takes more than 3 × the target, it is the only run; a run is stopped after
   --reminder-timeout seconds (default 4 h). The child times the job's stages and its SQL by kind (the
   e-mail batch SELECTs one by one). Target < 60 s.

EXPLAIN (ANALYZE, BUFFERS) of the refresh's statements (run inside a transaction that is rolled back) is
printed when a refresh target is missed, or with --explain.

Prints a Markdown table row per measure and a JSON summary, also written to bench/results/status.json.
The summary records sha256 prefixes of the measured modules and which of them changed during the run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from common import ROOT, bulk_tasks, manage, recreate_database  # bench/ is on sys.path when a script runs

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "divisions"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tuanjian_bench_status"
MIN_COPIES = 1_000_000
MILESTONES_PER_TASK = 5
PLAN_START, PLAN_END = date(2019, 1, 1), date(2021, 12, 31)
FULL_DAY, DAILY_DAY, REMINDER_DAY = date(2020, 6, 1), date(2020, 6, 2), date(2020, 6, 8)
REPORT_PERIOD = "2020-05"  # the period whose report is late on REMINDER_DAY
ACCEPTED_BEFORE = date(2020, 5, 1)  # only copies due before this (or ongoing) are marked accepted
FULL_TARGET_S, DAILY_TARGET_S, REMINDER_TARGET_S = 6, 1, 60
SINGLE_RUN_FACTOR = 3  # a reminder run over 3 × its target is reported alone
PER_ROWS = 1_000_000
# Production settings for the measured work (no query log).
PROD_ENV = {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret", "ALLOWED_HOSTS": "localhost"}
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    for key, value in PROD_ENV.items():
        os.environ[key] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuanjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sql(statement: str, params: list | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def scalar(statement: str, params: list | None = None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def vacuum(*tables: str, checkpoint: bool = False) -> None:
    for table in tables:
        sql(f"VACUUM ANALYZE {table}")
    if checkpoint:
        sql("CHECKPOINT")  # so a checkpoint forced by the previous run's WAL does not land in this one


CODE_UNDER_TEST = [
    "supervision/status.py",
    "supervision/reminders.py",
    "assignments/models.py",
    "assignments/publishing.py",
]


def code_fingerprint() -> dict[str, str]:
    """sha256 prefixes of the measured modules: the tree may change while a long run is under way."""
    import hashlib

    return {name: hashlib.sha256((ROOT / name).read_bytes()).hexdigest()[:12] for name in CODE_UNDER_TEST}


def fmt_runs(values: list[float], digits: int = 2) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


# --- the data set ---------------------------------------------------------------------------------


def make_plan(root, tasks: int):
    """The plan, its tasks and their milestones (a few hundred rows, created with the ORM)."""
    from plans.models import Milestone, Plan

    plan = Plan.objects.create(
        title="2019—2021年全团工作要点任务分解", organisation=root, start_year=2019, end_year=2021
    )
    created = bulk_tasks(plan, root, tasks)
    rng = random.Random(2019)
    span = (PLAN_END - PLAN_START).days
    milestones = []
    for task in created:
        for order, offset in enumerate(sorted(rng.sample(range(span + 1), MILESTONES_PER_TASK)), start=1):
            due = PLAN_START + timedelta(days=offset)
            roll = rng.random()
            if roll < 0.12:  # 持续推进: no due date, sometimes a start date
                start = PLAN_START if rng.random() < 0.5 else None
                values = {"start_date": start, "due_date": None, "kind": "ongoing", "raw": "全年：持续推进"}
            elif roll < 0.62:  # a period of two weeks to four months
                start = max(PLAN_START, due - timedelta(days=rng.randint(14, 120)))
                values = {
                    "start_date": start,
                    "due_date": due,
                    "kind": "period",
                    "raw": f"{start:%Y年%m月%d日}至{due:%m月%d日}：第{order}阶段",
                }
            elif roll < 0.87:  # a deadline
                values = {
                    "start_date": None,
                    "due_date": due,
                    "kind": "deadline",
                    "raw": f"{due:%Y年%m月}底前",
                }
            else:  # a single day
                values = {"start_date": due, "due_date": due, "kind": "day", "raw": f"{due:%Y年%m月%d日}"}
            milestones.append(Milestone(task=task, order=order, **values))
    Milestone.objects.bulk_create(milestones)
    return plan


def build_dataset(args) -> dict:
    """Publish the plan nationwide, then shape the copies with a few set-based UPDATEs."""
    from django.db import connection

    from assignments.models import Assignment, AssignmentMilestone
    from assignments.publishing import plan_publish
    from orgtree.models import Organisation
    from orgtree.services import organisation_create

    am, asg = AssignmentMilestone._meta.db_table, Assignment._meta.db_table
    timings = {}
    root = organisation_create(parent=None, name="共青团中央", org_type="central")
    tasks = args.tasks
    if not tasks:
        organisations = Organisation.objects.filter(org_type__in=["city", "county"], is_active=True).count()
        tasks = math.ceil(MIN_COPIES / (organisations * MILESTONES_PER_TASK))
    plan = make_plan(root, tasks)
    started = time.perf_counter()
    published = plan_publish(plan=plan, levels=["city", "county"])
    timings["publish_s"] = round(time.perf_counter() - started, 1)
    print(
        f"published {tasks} tasks × {MILESTONES_PER_TASK} milestones: "
        f"{published['assignments_created']:,} assignments, "
        f"{published['milestone_copies_created']:,} milestone copies in {timings['publish_s']} s",
        flush=True,
    )
    started = time.perf_counter()
    tightened = 0
    if args.tighten_days > 1:
        shift = f"mod(assignment_id * 7 + milestone_id, {args.tighten_days})::int"
        tightened = sql(
            f"UPDATE {am} SET due_date = due_date - {shift} WHERE due_date IS NOT NULL AND {shift} > 0 "
            f"AND due_date - {shift} >= COALESCE(start_date, %s)",
            [PLAN_START],
        )
    timings["tighten_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    # ~10 %: a fifth of the copies due before May 2020 (or ongoing), a quarter of them late. Chosen by
    # (assignment, milestone) rather than by id: ids run five to an assignment, so id % 5 would pick the
    # same milestone of every task.
    done = (
        "GREATEST(start_date, COALESCE(due_date, DATE '2020-03-01') "
        "+ CASE WHEN mod(id, 4) = 0 THEN 1 + mod(id / 4, 30)::int ELSE -mod(id, 7)::int END)"
    )
    sql(
        f"UPDATE {am} SET completed_on = s.done, "
        "accepted_at = ((s.done + 3)::timestamp + interval '10 hours') AT TIME ZONE 'Asia/Shanghai' "
        f"FROM (SELECT id, {done} AS done FROM {am} "
        "WHERE mod(assignment_id * 3 + milestone_id, 10) < 2 AND (due_date IS NULL OR due_date < %s)) s "
        f"WHERE {am}.id = s.id",
        [ACCEPTED_BEFORE],
    )
    sql(
        f"UPDATE {am} SET percent = CASE WHEN accepted_at IS NOT NULL THEN 100 "
        "ELSE mod(id * 7919, 11) * 10 END"
    )
    timings["accept_and_percent_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    vacuum("orgtree_organisation", "plans_task", "plans_milestone", asg, am, checkpoint=True)
    timings["vacuum_s"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE due_date IS NULL), "
            "COUNT(*) FILTER (WHERE start_date IS NOT NULL AND due_date IS NOT NULL), "
            "COUNT(*) FILTER (WHERE accepted_at IS NOT NULL), "
            "COUNT(*) FILTER (WHERE accepted_at IS NOT NULL AND due_date IS NOT NULL "
            "AND completed_on > due_date), MIN(due_date), MAX(due_date) "
            f"FROM {am}"
        )
        row = cursor.fetchone()
        with_stats = {
            "copies": row[0],
            "ongoing_copies": row[1],
            "copies_with_start_and_due": row[2],
            "accepted_copies": row[3],
            "accepted_late_copies": row[4],
            "first_due": row[5].isoformat(),
            "last_due": row[6].isoformat(),
            "tightened_copies": tightened,
        }
        cursor.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{am}'))")
        with_stats["copies_table_size"] = cursor.fetchone()[0]
    print(
        f"data set: {with_stats['copies']:,} copies ({with_stats['ongoing_copies']:,} ongoing, "
        f"{with_stats['copies_with_start_and_due']:,} with start and due dates, "
        f"{with_stats['accepted_copies']:,} accepted of which {with_stats['accepted_late_copies']:,} late, "
        f"{tightened:,} due dates tightened; due {with_stats['first_due']}…{with_stats['last_due']}; "
        f"{with_stats['copies_table_size']} with indexes); shaping {timings}",
        flush=True,
    )
    return {
        "plan_id": plan.pk,
        "tasks": tasks,
        "milestones": tasks * MILESTONES_PER_TASK,
        "assignments": published["assignments_created"],
        **with_stats,
        "build_timings": timings,
    }


# --- 1. the set-based refresh ---------------------------------------------------------------------


def reset_statuses() -> None:
    from assignments.models import Assignment, AssignmentMilestone

    am, asg = AssignmentMilestone._meta.db_table, Assignment._meta.db_table
    sql(f"UPDATE {am} SET progress = 'on_track', at_risk = false WHERE progress <> 'on_track' OR at_risk")
    sql(
        f"UPDATE {asg} SET progress = 'on_track', completion_percent = 0 "
        "WHERE progress <> 'on_track' OR completion_percent <> 0"
    )
    vacuum(am, asg, checkpoint=True)


def status_counts() -> dict:
    from assignments.models import AssignmentMilestone

    am = AssignmentMilestone._meta.db_table
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT progress, COUNT(*) FROM {am} GROUP BY progress ORDER BY progress")
        counts = dict(cursor.fetchall())
        cursor.execute(f"SELECT COUNT(*) FROM {am} WHERE at_risk")
        counts["at_risk"] = cursor.fetchone()[0]
    return counts


def timed_refresh(today: date) -> dict:
    from supervision.status import refresh_statuses

    started = time.perf_counter()
    result = refresh_statuses(today=today)
    return {"seconds": time.perf_counter() - started, **result.as_dict()}


def measure_full(runs: int, copies: int) -> tuple[list[dict], dict]:
    results, counts = [], {}
    for run in range(runs):
        reset_statuses()
        result = timed_refresh(FULL_DAY)
        results.append(result)
        print(
            f"full recompute {run + 1}: {result['seconds']:.2f} s, {result['milestones_changed']:,} of "
            f"{copies:,} copies and {result['assignments_changed']:,} assignments changed",
            flush=True,
        )
        if run == 0:
            counts = status_counts()
            print(f"states on {FULL_DAY}: {counts}", flush=True)
    return results, counts


def measure_daily(runs: int, copies: int) -> list[dict]:
    from assignments.models import Assignment, AssignmentMilestone

    results = []
    for run in range(runs):
        back = timed_refresh(FULL_DAY)  # untimed for the report: back to the 2020-06-01 state
        vacuum(AssignmentMilestone._meta.db_table, Assignment._meta.db_table, checkpoint=True)
        result = timed_refresh(DAILY_DAY)
        result["share_changed_pct"] = round(100 * result["milestones_changed"] / copies, 3)
        results.append(result)
        print(
            f"daily refresh {run + 1}: {result['seconds']:.3f} s, {result['milestones_changed']:,} copies "
            f"({result['share_changed_pct']} %) and {result['assignments_changed']:,} assignments changed "
            f"(back to {FULL_DAY} first: {back['milestones_changed']:,} copies, {back['seconds']:.2f} s)",
            flush=True,
        )
    return results


# --- 2. the per-row ORM loop, for comparison ------------------------------------------------------


def measure_orm(runs: int, sample: int, copies: int) -> tuple[list[dict], dict]:
    from django.conf import settings

    from assignments.models import AssignmentMilestone
    from supervision.status import due_soon_date, milestone_at_risk, milestone_progress

    am = AssignmentMilestone._meta.db_table
    back = timed_refresh(FULL_DAY)  # the daily measure left the 2020-06-02 state
    from django.db import connection

    with connection.cursor() as cursor:
        # A deterministic pseudo-random sample (every n-th id would pick the same milestone of each task).
        cursor.execute(f"SELECT id FROM {am} ORDER BY md5(id::text) LIMIT %s", [sample])
        ids = [row[0] for row in cursor.fetchall()]
    vacuum(am, checkpoint=True)
    today, soon, margin = FULL_DAY, due_soon_date(FULL_DAY), settings.STATUS_AT_RISK_MARGIN
    results = []
    for run in range(runs):
        # The sample starts from the initial state, as in the full recompute (one UPDATE, untimed).
        sql(f"UPDATE {am} SET progress = 'on_track', at_risk = false WHERE id = ANY(%s)", [ids])
        started = time.perf_counter()
        rows = list(AssignmentMilestone.objects.filter(pk__in=ids))
        loaded = time.perf_counter()
        changed = 0
        for obj in rows:
            # The rule's own Python form (supervision.status), one row at a time.
            progress = milestone_progress(
                due=obj.due_date,
                accepted_at=obj.accepted_at,
                completed_on=obj.completed_on,
                today=today,
                soon=soon,
            )
            risk = milestone_at_risk(start=obj.start_date, due=obj.due_date, accepted_at=obj.accepted_at,
                                     percent=obj.percent, today=today, margin=margin)  # fmt: skip
            changed += progress != obj.progress or risk != obj.at_risk
            obj.progress, obj.at_risk = progress, risk
            obj.save(update_fields=["progress", "at_risk"])
        seconds = time.perf_counter() - started
        per_million = seconds * PER_ROWS / len(rows)
        results.append(
            {
                "seconds": seconds,
                "load_s": loaded - started,
                "rows": len(rows),
                "changed": changed,
                "per_million_s": per_million,
            }
        )
        print(
            f"ORM loop {run + 1}: {len(rows):,} rows in {seconds:.2f} s (load {loaded - started:.2f} s, "
            f"{changed:,} with a new state) → {per_million:.0f} s per {PER_ROWS:,} rows",
            flush=True,
        )
    check = timed_refresh(today)
    parity = {
        "set_based_changes_after_loop": check["milestones_changed"],
        "back_to_full_day_changes": back["milestones_changed"],
    }
    print(
        f"set-based refresh for {today} after the loop changed {check['milestones_changed']} copies "
        "(0: the Python rules match the SQL ones)",
        flush=True,
    )
    return results, parity


# --- EXPLAIN ANALYZE of the refresh's statements --------------------------------------------------


class _Rollback(Exception):
    pass


def explain_refresh(today: date) -> list[list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each UPDATE refresh_statuses runs, in a transaction rolled back."""
    from django.db import connection, transaction

    from supervision.status import refresh_statuses

    found: list[list[str]] = []

    def explain(execute, statement, params, many, context):
        if not statement.lstrip().upper().startswith("UPDATE"):
            return execute(statement, params, many, context)
        result = execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params, many, context)
        found.append([row[0] for row in context["cursor"].fetchall()])
        return result

    try:
        with transaction.atomic(), connection.execute_wrapper(explain):
            refresh_statuses(today=today)
            raise _Rollback
    except _Rollback:
        pass
    return found


def run_explains() -> dict:
    from assignments.models import Assignment, AssignmentMilestone

    reset_statuses()
    full = explain_refresh(FULL_DAY)
    timed_refresh(FULL_DAY)
    vacuum(AssignmentMilestone._meta.db_table, Assignment._meta.db_table, checkpoint=True)
    daily = explain_refresh(DAILY_DAY)
    out = {"full_recompute": full, "daily_refresh": daily}
    for name, plans in out.items():
        for label, lines in zip(["milestone UPDATE", "assignment roll-up UPDATE"], plans, strict=False):
            print(f"\nEXPLAIN ANALYZE, {name}, {label}:\n" + "\n".join(lines), flush=True)
    return out


# --- 3. the reminder job --------------------------------------------------------------------------


def setup_recipients(plan_id: int, recipients: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from assignments.models import Assignment
    from orgtree.models import Membership, Organisation, OrgType
    from reporting.models import ProgressReport

    counties = list(
        Organisation.objects.filter(org_type=OrgType.COUNTY, assignments__plan_id=plan_id)
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        (
            User(
                username=f"bench_reporter_{i:05d}",
                email=f"reporter{i:05d}@bench.invalid",
                password=make_password(None),
                is_active=True,
            )
            for i in range(recipients)
        ),
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        (
            Membership(user_id=user.pk, organisation_id=counties[i % len(counties)], role="reporter")
            for i, user in enumerate(users)
        ),
        batch_size=2000,
    )
    removed, _ = ProgressReport.objects.filter(period=REPORT_PERIOD).delete()
    created_at = timezone.make_aware(datetime(2019, 1, 2, 9, 0))
    Assignment.objects.filter(plan_id=plan_id).update(created_at=created_at)
    assignments_reached = Assignment.objects.filter(
        plan_id=plan_id, organisation_id__in=counties, status=Assignment.Status.ASSIGNED
    ).count()
    pairs = assignments_reached * recipients // len(counties) if counties else 0
    vacuum("auth_user", "orgtree_membership", "assignments_assignment")
    info = {
        "recipients": recipients,
        "counties_with_reporters": len(counties),
        "reporters_per_county": round(recipients / max(1, len(counties)), 2),
        "county_assignments": assignments_reached,
        "progress_reports_removed": removed,
        "reporter_assignment_pairs": pairs,
    }
    print(f"recipients: {info}", flush=True)
    return info


def clear_reminders() -> tuple[int, int]:
    from assignments.models import AssignmentEvent
    from notifications.models import Notification

    notices, _ = Notification.objects.filter(day=REMINDER_DAY).delete()
    events, _ = AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.REMINDED).delete()
    vacuum(Notification._meta.db_table, AssignmentEvent._meta.db_table, checkpoint=True)
    return notices, events


def child_reminders(profile: bool) -> None:
    """One send_reminders run in a fresh process, its stages timed by wrapping the module's helpers."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    setup_django(url)
    from django.conf import settings
    from django.core import mail
    from django.db import connection

    from assignments.models import AssignmentEvent
    from notifications import services as notices
    from notifications.models import Notification
    from supervision import reminders

    assert settings.EMAIL_BACKEND == LOCMEM_EMAIL, settings.EMAIL_BACKEND
    assert not settings.DEBUG
    stages: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    sql_s: dict[str, dict] = {}
    batch_selects: list[float] = []

    def statements(execute, statement, params, many, context):
        """Time the job's SQL by kind; the e-mail batch SELECTs one by one."""
        head = statement.lstrip()[:40].upper()
        if "FOR UPDATE" in statement.upper():
            kind = "email_batch_select"
        elif head.startswith('UPDATE "NOTIFICATIONS_NOTIFICATION"'):
            kind = "email_mark_update"
        elif head.startswith('INSERT INTO "NOTIFICATIONS_NOTIFICATION"'):
            kind = "notification_insert"
        elif head.startswith('INSERT INTO "ASSIGNMENTS_ASSIGNMENTEVENT"'):
            kind = "event_insert"
        else:
            kind = "other"
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            entry = sql_s.setdefault(kind, {"n": 0, "s": 0.0})
            entry["n"] += 1
            entry["s"] += elapsed
            if kind == "email_batch_select":
                batch_selects.append(elapsed)

    for name in ("_report_reminders", "_review_reminders", "_overdue_digest"):
        setattr(reminders, name, timed(name.lstrip("_"), getattr(reminders, name)))
    # The e-mail pass lives in notifications.services; reminders calls it by the name it imported.
    reminders.notifications_email = timed("send_emails", notices.notifications_email)
    baseline = peak_mb()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    with connection.execute_wrapper(statements):
        result = reminders.send_reminders(today=REMINDER_DAY)
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    accounted = sum(stages.values())
    payload = {
        "seconds": round(seconds, 3),
        "created": result.created,
        "emailed": result.emailed,
        "outbox": len(getattr(mail, "outbox", [])),
        "notifications_in_table": Notification.objects.filter(day=REMINDER_DAY).count(),
        "reminder_events": AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.REMINDED).count(),
        "stages_s": {
            **{k: round(v, 2) for k, v in stages.items()},
            "insert_notifications_and_events": round(seconds - accounted, 2),
        },
        "sql_s": {k: {"n": v["n"], "s": round(v["s"], 2)} for k, v in sql_s.items()},
        "email_batch_select_ms": {
            "first": [round(x * 1000) for x in batch_selects[:3]],
            "middle": [round(x * 1000) for x in batch_selects[len(batch_selects) // 2 :][:3]],
            "last": [round(x * 1000) for x in batch_selects[-3:]],
        },
        "peak_memory_mb": round(peak_mb(), 1),
        "baseline_memory_mb": round(baseline, 1),
    }
    print(json.dumps(payload, ensure_ascii=False))


def measure_reminders(url: str, runs: int, timeout: float, profile: bool) -> list[dict]:
    results = []
    for run in range(runs):
        cleared = clear_reminders()
        env = {**os.environ, "BENCH_DATABASE_URL": url, "EMAIL_BACKEND": LOCMEM_EMAIL}
        command = [sys.executable, str(Path(__file__).resolve()), "--child-reminders"]
        if profile:
            command.append("--profile")
        started = time.perf_counter()
        try:
            child = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"reminders {run + 1}: stopped after {timeout:.0f} s (--reminder-timeout)", flush=True)
            results.append({"seconds": timeout, "timed_out": True, "cleared_before": cleared})
            break
        wall = time.perf_counter() - started
        if child.returncode != 0:
            # Recorded rather than fatal, so the figures of the other measures are still written.
            how = f"signal {-child.returncode}" if child.returncode < 0 else f"exit code {child.returncode}"
            print(
                f"reminders {run + 1}: the child failed after {wall:.0f} s ({how}):\n{child.stderr}",
                flush=True,
            )
            results.append(
                {"seconds": wall, "failed": how, "stderr": child.stderr[-2000:], "cleared_before": cleared}
            )
            break
        if profile:
            print(child.stderr, file=sys.stderr)
        payload = json.loads(child.stdout.strip().splitlines()[-1])
        results.append({"wall": round(wall, 1), "cleared_before": cleared, **payload})
        print(
            f"reminders {run + 1}: {payload['seconds']:.1f} s, {payload['created']:,} notifications, "
            f"{payload['emailed']:,} e-mails ({payload['outbox']:,} in the locmem outbox), "
            f"{payload['reminder_events']:,} reminder events, stages {payload['stages_s']}, "
            f"SQL {payload['sql_s']}, e-mail batch SELECTs {payload['email_batch_select_ms']} ms, "
            f"peak {payload['peak_memory_mb']:.0f} MB, process wall {wall:.1f} s",
            flush=True,
        )
        if payload["seconds"] > SINGLE_RUN_FACTOR * REMINDER_TARGET_S and run + 1 < runs:
            print(
                f"reminders: one run over {SINGLE_RUN_FACTOR} × {REMINDER_TARGET_S} s, so it is the only run",
                flush=True,
            )
            break
    return results


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--province", help="load one province only (e.g. 33), for a small trial run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--tasks", type=int, default=0, help=f"tasks in the plan (default: enough for {MIN_COPIES:,} copies)"
    )
    parser.add_argument("--tighten-days", type=int, default=15, help="copies' due dates move 0..N-1 days")
    parser.add_argument("--sample", type=int, default=10_000, help="rows of the per-row ORM loop")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument(
        "--reminder-timeout", type=float, default=14_400, help="seconds before a run is stopped"
    )
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument("--skip-orm", action="store_true")
    parser.add_argument("--skip-reminders", action="store_true")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the refresh even if on target"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the reminder job (to stderr)")
    parser.add_argument("--child-reminders", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_reminders:
        child_reminders(args.profile)
        return
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    code = code_fingerprint()
    recreate_database(url)
    manage(url, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    extra = ["--province", args.province] if args.province else []
    loaded = json.loads(manage(url, "load_divisions", args.data, "--depth", "county", "--json", *extra))
    print(
        f"load_divisions --depth county: {loaded['created']:,} organisations in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    setup_django(url)
    from django.db import connection

    info = build_dataset(args)
    copies = info["copies"]
    summary: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "postgres": scalar("SHOW server_version"),
        "code": code,
        "organisations_loaded": loaded["created"],
        **{k: v for k, v in info.items() if k != "plan_id"},
    }
    rows = ["| measure | median | runs | target |", "|---|---|---|---|"]
    missed_refresh = False
    if not args.skip_refresh:
        full, counts = measure_full(args.runs, copies)
        median_s = statistics.median(x["seconds"] for x in full)
        missed_refresh |= median_s >= FULL_TARGET_S
        summary.update(
            {
                "full_median_s": round(median_s, 2),
                "full_runs_s": [round(x["seconds"], 2) for x in full],
                "full_milestones_changed": full[0]["milestones_changed"],
                "full_assignments_changed": full[0]["assignments_changed"],
                "states_2020_06_01": counts,
            }
        )
        rows.append(
            f"| full recompute of {copies:,} milestone copies for {FULL_DAY} "
            f"({full[0]['milestones_changed']:,} copies, {full[0]['assignments_changed']:,} assignments "
            f"changed) | **{median_s:.2f} s** | {fmt_runs(summary['full_runs_s'])} s | < {FULL_TARGET_S} s |"
        )
        daily = measure_daily(args.runs, copies)
        median_s = statistics.median(x["seconds"] for x in daily)
        missed_refresh |= median_s >= DAILY_TARGET_S
        summary.update(
            {
                "daily_median_s": round(median_s, 3),
                "daily_runs_s": [round(x["seconds"], 3) for x in daily],
                "daily_milestones_changed": daily[0]["milestones_changed"],
                "daily_share_changed_pct": daily[0]["share_changed_pct"],
                "daily_assignments_changed": daily[0]["assignments_changed"],
            }
        )
        rows.append(
            f"| daily refresh {FULL_DAY} → {DAILY_DAY} ({daily[0]['milestones_changed']:,} copies = "
            f"{daily[0]['share_changed_pct']} %, {daily[0]['assignments_changed']:,} assignments changed) "
            f"| **{median_s:.3f} s** | {fmt_runs(summary['daily_runs_s'], 3)} s | < {DAILY_TARGET_S} s |"
        )
    if not args.skip_orm:
        loops, parity = measure_orm(args.runs, args.sample, copies)
        median_s = statistics.median(x["seconds"] for x in loops)
        median_million = statistics.median(x["per_million_s"] for x in loops)
        summary.update(
            {
                "orm_sample_rows": loops[0]["rows"],
                "orm_median_s": round(median_s, 2),
                "orm_runs_s": [round(x["seconds"], 2) for x in loops],
                "orm_load_runs_s": [round(x["load_s"], 2) for x in loops],
                "orm_per_million_median_s": round(median_million),
                "orm_per_million_runs_s": [round(x["per_million_s"]) for x in loops],
                **{f"orm_{k}": v for k, v in parity.items()},
            }
        )
        rows.append(
            f"| per-row ORM loop (load, compute, `save(update_fields=…)`), {loops[0]['rows']:,}-row sample "
            f"| **{median_s:.2f} s** | {fmt_runs(summary['orm_runs_s'])} s | — |"
        )
        rows.append(
            f"| — extrapolated per {PER_ROWS:,} rows | **{median_million:.0f} s** "
            f"| {', '.join(str(x) for x in summary['orm_per_million_runs_s'])} s "
            f"| (set-based: < {FULL_TARGET_S} s) |"
        )
    if not args.skip_refresh and (args.explain or missed_refresh):
        summary["explain"] = run_explains()
    if not args.skip_reminders:
        summary.update(
            {f"reminder_{k}": v for k, v in setup_recipients(info["plan_id"], args.recipients).items()}
        )
        runs = measure_reminders(url, args.runs, args.reminder_timeout, args.profile)
        median_s = statistics.median(x["seconds"] for x in runs)
        first = runs[0]
        summary.update(
            {
                "reminder_median_s": round(median_s, 1),
                "reminder_runs_s": [round(x["seconds"], 1) for x in runs],
                "reminder_timed_out": any(x.get("timed_out") for x in runs),
                "reminder_failed": [x["failed"] for x in runs if x.get("failed")],
                "reminder_notifications_created": first.get("created"),
                "reminder_emails_sent": first.get("emailed"),
                "reminder_events": first.get("reminder_events"),
                "reminder_stages_s": [x.get("stages_s") for x in runs],
                "reminder_sql_s": [x.get("sql_s") for x in runs],
                "reminder_email_batch_select_ms": [x.get("email_batch_select_ms") for x in runs],
                "reminder_peak_memory_mb": [x.get("peak_memory_mb") for x in runs],
            }
        )
        timed_out = " (stopped)" if summary["reminder_timed_out"] else ""
        if summary["reminder_failed"]:
            timed_out = f" (child failed: {summary['reminder_failed'][0]})"
        rows.append(
            f"| reminders for {args.recipients:,} reporters on {REMINDER_DAY} "
            f"({first.get('created') or 0:,} notifications, {first.get('emailed') or 0:,} e-mails) "
            f"| **{median_s:.1f} s**{timed_out} | {fmt_runs(summary['reminder_runs_s'], 1)} s "
            f"| < {REMINDER_TARGET_S} s |"
        )
    connection.close()
    changed = [name for name, digest in code_fingerprint().items() if digest != code[name]]
    summary["code_changed_during_run"] = changed
    if changed:
        print(f"WARNING: {', '.join(changed)} changed while the benchmark ran", flush=True)
    print("\n".join(rows))
    print(json.dumps({k: v for k, v in summary.items() if k != "explain"}, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "status.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
