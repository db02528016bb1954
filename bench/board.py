"""Benchmark: the 督办看板 and the 督办清单 over a national data set, the status refresh on it, and the boards
over real HTTP under concurrent sessions (issue 12, "Leaders see at a glance who is late on what").

    .venv/bin/python bench/board.py [--runs 5] [--explain] [--http-seconds 60] [--skip-http] [--skip-refresh]
                                    [--reuse] [--quiet-wait 900]

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tuanjian_bench_board);
gunicorn listens on BENCH_PORT (default 8765) with Redis at BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14) for its cache and sessions. Each checkout that benchmarks at the same time
needs its own.
The bench database is dropped and recreated (unless --reuse), then built set-based:

* the country to county level (`manage.py load_divisions --depth county`: 31 provinces, 3,307 cities and
  counties), a 共青团中央 root;
* a 2026 plan owned by 团中央, 50 tasks × 4–5 milestones (due dates spread over 2026: periods, deadlines,
  single days, and ~12 % ongoing with no due date), published to every city and county with
  `plan_publish(levels=["city", "county"])`; receivers tighten their copies' due dates by 0–14 days (one
  UPDATE), so on BENCH_DAY (2026-09-15) there are overdue, due-soon, on-track, completed and ongoing copies
  and every day some cross a boundary; ~10 % of the copies are accepted (the ones due before September or
  ongoing, a quarter of them late; one UPDATE), every copy gets a reported percent;
* per province three departments (组织部, 宣传部, 学校部) and a provincial plan of 6 tasks × 4 milestones
  handed to them (the internal 交办: the province board's 本级 row and department table);
* a year so far of monthly reports: one INSERT … SELECT over assignments × 2026-01 … 2026-08 (5 % of the
  pairs left out), submitted by the 5th of the next month except ~15 % late, accepted except 40 % of
  August's and 5 % of July's still awaiting review; Assignment.reports_on_time / reports_late from them
  (one UPDATE); a pending extension request on ~2.5 % of the copies due around BENCH_DAY;
* every assignment dated 2026-01-02; `refresh_statuses(today=BENCH_DAY)` (full), VACUUM ANALYZE.

Viewers (role viewer, password set): 团中央, 团浙江省委 (330000), 团杭州市委 (330100), 团西湖区委 (330106).

Measures (production settings, DEBUG=0; STATES_REFRESH_ON_PAGE=0 as with a worker, so a page never runs
the refresh for the real date):

1. DB time per page, median of --runs after one warm-up: the national, province, city and county boards and
   the first page of the province's 督办清单 (plus, without a target, the national and county 督办清单), with
   django.test.Client (force_login of the viewer), as on BENCH_DAY (timezone.localdate patched in this
   process: the states are the day's, as beat keeps them). Each query is timed by an execute_wrapper with
   perf_counter (CaptureQueriesContext keeps only whole milliseconds); the count is CaptureQueriesContext's.
   Also `board()` alone (its own queries). --explain prints EXPLAIN (ANALYZE, BUFFERS) of every statement
   of the boards and lists that reads assignments or reports, run in a transaction that is rolled back.
2. Status refresh: next day (BENCH_DAY + 1 after the state of BENCH_DAY, re-established by a refresh for
   BENCH_DAY between runs — a refresh for a day earlier than the last logged one reads every row), a full
   read (refresh log emptied, states already those of BENCH_DAY), and a full recompute (every state reset,
   log emptied). Tables vacuumed and checkpointed before each timed run.
3. HTTP (unless --skip-http): gunicorn (2 workers × 2 threads) on 127.0.0.1:8765, locust headless with 8
   users logging in through /login/ once each and then reading the board with no wait: (a) the national
   board as the 团中央 viewer (p50, p95), (b) the county board as the 西湖 viewer (requests/s). Settings
   trust X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER), so the locust users send `X-Forwarded-Proto: https`
   as a TLS-terminating proxy would; session and CSRF cookies are Secure, so they are sent by hand.

Before each measure the script waits (up to --quiet-wait seconds) until other processes use under 15 % of
the CPUs, and records what they used: the CI machines are shared. --reuse measures an existing bench
database again (the refresh measure leaves it in the state of BENCH_DAY).

Prints a Markdown table and a JSON summary, also written to bench/results/board.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

from common import ROOT, bulk_tasks, manage, recreate_database  # bench/ is on sys.path when a script runs
from status import DEFAULT_DATA, reset_statuses, scalar, sql, vacuum

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tuanjian_bench_board"
BENCH_DAY = date(2026, 9, 15)
NEXT_DAY = BENCH_DAY + timedelta(days=1)
PLAN_START, PLAN_END = date(2026, 1, 1), date(2026, 12, 31)
ACCEPTED_BEFORE = date(2026, 9, 1)
TASKS, PROVINCE_TASKS = 50, 6
REPORT_MONTHS = range(1, 9)  # 2026-01 … 2026-08: August's report was due on 5 September
PASSWORD = "Bench-board-2026!"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")  # the HTTP run's cache and sessions
VIEWERS = {  # username → (how the organisation is found, label)
    "bench_central": ("central", "团中央"),
    "bench_province": ("330000", "团浙江省委"),
    "bench_city": ("330100", "团杭州市委"),
    "bench_county": ("330106", "团西湖区委"),
}
# Targets of the issue: DB ms per page, query count of the province/city/county boards.
NATIONAL_DB_MS, LOCAL_DB_MS, LOCAL_QUERIES, LIST_DB_MS = 50, 10, 10, 25
NEXT_DAY_MS, FULL_S = 150, 6
HTTP_P50_MS, HTTP_P95_MS, COUNTY_RPS = 100, 250, 60


def bench_env(url: str) -> dict[str, str]:
    """Production settings for the measured work (also gunicorn's)."""
    return {
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # DEBUG=0 renders {% static %} through the manifest; one directory per bench database, as other
        # checkouts may benchmark at the same time.
        "STATIC_ROOT": f"/tmp/tuanjian-bench-static-{urlparse(url).path.lstrip('/')}",
        "STATES_REFRESH_ON_PAGE": "0",
        "LOG_LEVEL": "WARNING",  # eager Celery tasks during the build log every run
    }


def setup_django(url: str) -> None:
    os.environ.pop("REDIS_URL", None)
    os.environ.update(bench_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuanjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def collectstatic(url: str) -> None:
    env = {**os.environ, **bench_env(url)}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


# --- the data set ---------------------------------------------------------------------------------


def milestone_values(rng: random.Random, due: date, order: int, start_floor: date) -> dict:
    """One milestone of the kinds the parser produces (bench/status.py's mix)."""
    roll = rng.random()
    if roll < 0.12:  # 持续推进: no due date, sometimes a start date
        start = start_floor if rng.random() < 0.5 else None
        return {"start_date": start, "due_date": None, "kind": "ongoing", "raw": "全年：持续推进"}
    if roll < 0.62:  # a period of two weeks to four months
        start = max(start_floor, due - timedelta(days=rng.randint(14, 120)))
        raw = f"{start:%Y年%m月%d日}至{due:%m月%d日}：第{order}阶段"
        return {"start_date": start, "due_date": due, "kind": "period", "raw": raw}
    if roll < 0.87:
        return {"start_date": None, "due_date": due, "kind": "deadline", "raw": f"{due:%Y年%m月}底前"}
    return {"start_date": due, "due_date": due, "kind": "day", "raw": f"{due:%Y年%m月%d日}"}


def make_plan(owner, title: str, tasks: int, per_task: tuple[int, int], seed: int, departments=None):
    """A plan with its tasks and milestones (ORM, a few hundred rows); departments: lead one task each."""
    from plans.models import Milestone, Plan

    plan = Plan.objects.create(title=title, organisation=owner, start_year=2026, end_year=2026)
    created = bulk_tasks(plan, owner, tasks)
    rng = random.Random(seed)
    span = (PLAN_END - PLAN_START).days
    milestones = []
    for i, task in enumerate(created):
        if departments:
            task.lead_departments.add(departments[i % len(departments)])
        count = rng.randint(*per_task)
        for order, offset in enumerate(sorted(rng.sample(range(span + 1), count)), start=1):
            due = PLAN_START + timedelta(days=offset)
            milestones.append(
                Milestone(task=task, order=order, **milestone_values(rng, due, order, PLAN_START))
            )
    Milestone.objects.bulk_create(milestones)
    return plan


def province_plans() -> int:
    """Three departments per province and a plan handed to them (internal 交办)."""
    from assignments.publishing import Recipients, Rule, plan_publish
    from orgtree.models import Department, Organisation

    made = 0
    for n, province in enumerate(Organisation.objects.filter(org_type="province").order_by("code")):
        departments = Department.objects.bulk_create(
            Department(organisation=province, name=name, order=k)
            for k, name in enumerate(["组织部", "宣传部", "学校部"], start=1)
        )
        plan = make_plan(
            province, f"{province.name}2026年重点工作", PROVINCE_TASKS, (4, 4), 100 + n, departments
        )
        made += plan_publish(plan=plan, rules=[Rule(None, Recipients(internal=True))])["assignments_created"]
    return made


def build_dataset() -> dict:
    from assignments.models import Assignment, AssignmentMilestone, ExtensionRequest
    from assignments.publishing import plan_publish
    from orgtree.services import organisation_create
    from reporting.models import ProgressReport

    am, asg = AssignmentMilestone._meta.db_table, Assignment._meta.db_table
    pr, ext = ProgressReport._meta.db_table, ExtensionRequest._meta.db_table
    timings: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        timings[name] = round(time.perf_counter() - started, 1)
        print(f"  {name}: {timings[name]} s", flush=True)

    started = time.perf_counter()
    root = organisation_create(parent=None, org_type="central", name="共青团中央", code=None)
    internal = province_plans()
    step("province_plans_s", started)
    started = time.perf_counter()
    plan = make_plan(root, "2026年全团重点工作任务分解", TASKS, (4, 5), 2026)
    published = plan_publish(plan=plan, levels=["city", "county"], routine_undated=True)
    step("publish_s", started)
    started = time.perf_counter()
    # Receivers tighten their due dates by 0–14 days: each milestone's copies fall due over two weeks.
    shift = "mod(assignment_id * 7 + milestone_id, 15)::int"
    sql(
        f"UPDATE {am} SET due_date = due_date - {shift} WHERE due_date IS NOT NULL AND {shift} > 0 "
        f"AND due_date - {shift} >= COALESCE(start_date, %s)",
        [PLAN_START],
    )
    # ~10 %: 15 % of the copies due before September (or ongoing), a quarter of them done late; chosen by
    # (assignment, milestone), as ids run four or five to an assignment.
    done = (
        "GREATEST(start_date, COALESCE(due_date, DATE '2026-06-01') "
        "+ CASE WHEN mod(id, 4) = 0 THEN 1 + mod(id / 4, 30)::int ELSE -mod(id, 7)::int END)"
    )
    sql(
        f"UPDATE {am} SET completed_on = s.done, "
        "accepted_at = ((s.done + 3)::timestamp + interval '10 hours') AT TIME ZONE 'Asia/Shanghai' "
        f"FROM (SELECT id, {done} AS done FROM {am} "
        "WHERE mod(assignment_id * 3 + milestone_id, 20) < 3 AND (due_date IS NULL OR due_date < %s)) s "
        f"WHERE {am}.id = s.id",
        [ACCEPTED_BEFORE],
    )
    sql(
        f"UPDATE {am} SET percent = CASE WHEN accepted_at IS NOT NULL THEN 100 "
        "ELSE mod(id * 7919, 11) * 10 END"
    )
    sql(f"UPDATE {asg} SET created_at = TIMESTAMPTZ '2026-01-02 09:00+08'")
    step("shape_copies_s", started)
    started = time.perf_counter()
    # A year so far of monthly reports: due on the 5th of the next month.
    reports = sql(
        f"INSERT INTO {pr} (assignment_id, period, status, stage, percent, narrative, version, is_late, "
        "submitted_at, reviewed_at, review_comment, created_at, updated_at) "
        "SELECT id, period, status, 'in_progress', pct, '', 1, late, sent, "
        "CASE WHEN status = 'accepted' THEN sent + interval '2 days' END, '', sent - interval '1 day', "
        "CASE WHEN status = 'accepted' THEN sent + interval '2 days' ELSE sent END FROM ("
        "SELECT a.id, '2026-' || lpad(m::text, 2, '0') AS period, "
        "CASE WHEN (m = 8 AND mod(a.id, 10) < 4) OR (m = 7 AND mod(a.id, 20) = 0) THEN 'submitted' "
        "ELSE 'accepted' END AS status, LEAST(100, m * 10 + mod(a.id, 10)::int) AS pct, "
        "mod(a.id * 7 + m * 3, 20) < 3 AS late, "
        "((make_date(2026, m + 1, 1) + CASE WHEN mod(a.id * 7 + m * 3, 20) < 3 "
        "THEN 5 + mod(a.id * m, 10)::int ELSE mod(a.id * m, 5)::int END)::timestamp + interval '10 hours') "
        "AT TIME ZONE 'Asia/Shanghai' AS sent "
        f"FROM {asg} a CROSS JOIN generate_series(1, 8) m WHERE mod(a.id * 13 + m, 20) <> 0) r"
    )
    extensions = sql(
        f"INSERT INTO {ext} (assignment_milestone_id, original_due, requested_due, reason, after_deadline, "
        "status, decision_comment, created_at) "
        "SELECT id, due_date, due_date + 30, '工作量大，申请延期', due_date < DATE '2026-09-10', "
        f"'pending', '', TIMESTAMPTZ '2026-09-10 10:00+08' FROM {am} WHERE accepted_at IS NULL "
        "AND due_date BETWEEN DATE '2026-08-20' AND DATE '2026-10-10' AND mod(id, 40) = 0"
    )
    fill_counters()
    step("reports_s", started)
    started = time.perf_counter()
    from supervision.status import refresh_statuses

    initial = refresh_statuses(today=BENCH_DAY)
    step("refresh_s", started)
    started = time.perf_counter()
    for table in [
        "orgtree_organisation",
        "plans_plan",  # 32 rows: autovacuum would never analyse it (threshold 50 rows)
        "orgtree_department",
        "plans_task",
        "plans_milestone",
        asg,
        am,
        pr,
        ext,
        "assignments_assignmentevent",
    ]:
        vacuum(table)
    vacuum(checkpoint=True)
    step("vacuum_s", started)
    print(
        f"published {published['assignments_created']:,} assignments, "
        f"{published['milestone_copies_created']:,} milestone copies; {internal} internal assignments; "
        f"{reports:,} reports; {extensions:,} pending extensions; refresh for {BENCH_DAY}: "
        f"{initial.milestones_changed:,} copies, {initial.assignments_changed:,} assignments",
        flush=True,
    )
    return {"build_timings": timings}


def fill_counters() -> None:
    """The counters the services keep on assignments, from the rows inserted set-based (each only if this
    version of the app has it: the waiting counts came after 3e796f9)."""
    from assignments.models import Assignment

    a, fields = Assignment._meta.db_table, {f.name for f in Assignment._meta.fields}
    counts = {
        "reports_on_time": "COUNT(*) FILTER (WHERE NOT is_late)",
        "reports_late": "COUNT(*) FILTER (WHERE is_late)",
        "reports_waiting": "COUNT(*) FILTER (WHERE status = 'submitted')",
    }
    counts = {name: expression for name, expression in counts.items() if name in fields}
    sql(
        f"UPDATE {a} SET {', '.join(f'{name} = c.{name}' for name in counts)} FROM (SELECT assignment_id, "
        f"{', '.join(f'{expression} AS {name}' for name, expression in counts.items())} "
        "FROM reporting_progressreport WHERE submitted_at IS NOT NULL GROUP BY assignment_id) c "
        f"WHERE {a}.id = c.assignment_id"
    )
    if "extensions_waiting" in fields:
        sql(
            f"UPDATE {a} SET extensions_waiting = c.n FROM (SELECT m.assignment_id, COUNT(*) AS n "
            "FROM assignments_extensionrequest e JOIN assignments_assignmentmilestone m "
            "ON m.id = e.assignment_milestone_id WHERE e.status = 'pending' GROUP BY 1) c "
            f"WHERE {a}.id = c.assignment_id"
        )


def make_viewers() -> None:
    from orgtree.services import membership_add

    for username, (code, _) in VIEWERS.items():
        membership_add(organisation=viewer_org(code), username=username, role="viewer", password=PASSWORD)


def viewer_org(code: str):
    from orgtree.models import Organisation

    if code == "central":
        return Organisation.objects.get(org_type="central")
    return Organisation.objects.get(code=code)


def describe_dataset() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE department_id IS NOT NULL), "
            "COUNT(*) FILTER (WHERE progress = 'overdue' AND status = 'assigned'), "
            "COUNT(*) FILTER (WHERE escalation = 'red'), COUNT(*) FILTER (WHERE escalation = 'yellow') "
            "FROM assignments_assignment"
        )
        assignments, internal, overdue, red, yellow = cursor.fetchone()
        cursor.execute("SELECT progress, COUNT(*) FROM assignments_assignmentmilestone GROUP BY 1 ORDER BY 1")
        copies = dict(cursor.fetchall())
        cursor.execute(
            "SELECT status, COUNT(*), COUNT(*) FILTER (WHERE is_late) FROM reporting_progressreport "
            "GROUP BY 1 ORDER BY 1"
        )
        reports = {status: {"n": n, "late": late} for status, n, late in cursor.fetchall()}
        cursor.execute("SELECT COUNT(*) FROM orgtree_organisation WHERE org_type IN ('city', 'county')")
        receivers = cursor.fetchone()[0]
        sizes = {}
        for table in [
            "assignments_assignment",
            "assignments_assignmentmilestone",
            "reporting_progressreport",
        ]:
            cursor.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))")
            sizes[table] = cursor.fetchone()[0]
    return {
        "cities_and_counties": receivers,
        "assignments": assignments,
        "internal_assignments": internal,
        "open_overdue_assignments": overdue,
        "red": red,
        "yellow": yellow,
        "copies": sum(copies.values()),
        "copies_by_state": copies,
        "reports": reports,
        "pending_extensions": scalar(
            "SELECT COUNT(*) FROM assignments_extensionrequest WHERE status = 'pending'"
        ),
        "sizes": sizes,
    }


# --- a shared machine -----------------------------------------------------------------------------


def busy_share(seconds: float = 3.0) -> float:
    """The share of all CPUs busy over a few seconds (/proc/stat), while this process sleeps."""

    def sample():
        with open("/proc/stat") as handle:
            values = [int(x) for x in handle.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return round(1 - (idle1 - idle0) / max(1, total1 - total0), 3)


def wait_quiet(label: str, max_wait: float, threshold: float = 0.15) -> dict:
    """Other sessions share this machine: measure when the CPUs are (nearly) idle, or say that they were
    not after max_wait seconds."""
    started = time.time()
    busy = busy_share()
    while busy > threshold and time.time() - started < max_wait:
        time.sleep(10)
        busy = busy_share()
    waited = round(time.time() - started)
    print(f"[{label}] other load: {100 * busy:.0f} % of the CPUs (waited {waited} s)", flush=True)
    return {"busy_before": busy, "waited_s": waited}


# --- 1. pages and board() -------------------------------------------------------------------------


class Timer:
    """execute_wrapper: each statement's SQL, params and time (perf_counter)."""

    def __init__(self):
        self.statements: list[tuple[str, object, float]] = []

    def __call__(self, execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            self.statements.append((statement, params, time.perf_counter() - started))

    @property
    def ms(self) -> float:
        return 1000 * sum(s for _, _, s in self.statements)


def timed_call(function) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timer = Timer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        started = time.perf_counter()
        result = function()
        wall = time.perf_counter() - started
    return {
        "db_ms": timer.ms,
        "queries": len(captured.captured_queries),
        "wall_ms": 1000 * wall,
        "statements": timer.statements,
        "result": result,
    }


def measure(function, runs: int) -> dict:
    """One warm-up, then `runs` timed calls: medians, and the statements of the last call."""
    timed_call(function)
    calls = [timed_call(function) for _ in range(runs)]
    return {
        "db_ms": round(statistics.median(c["db_ms"] for c in calls), 2),
        "db_ms_runs": [round(c["db_ms"], 2) for c in calls],
        "wall_ms": round(statistics.median(c["wall_ms"] for c in calls), 1),
        "wall_ms_runs": [round(c["wall_ms"], 1) for c in calls],
        "queries": calls[-1]["queries"],
        "statements": [(s, p, round(1000 * t, 3)) for s, p, t in calls[-1]["statements"]],
    }


def page_getter(client, url: str):
    def get():
        response = client.get(url, secure=True)  # the HTTPS redirect (DEBUG=0) answers plain HTTP
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def measure_pages(runs: int) -> dict:
    """The pages as on BENCH_DAY: the states are that day's, as beat keeps them in production (pages use
    timezone.localdate for "today")."""
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=BENCH_DAY):
        return _measure_pages(runs)


def _measure_pages(runs: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from supervision import board as board_selectors

    User = get_user_model()
    dashboard, overdue = reverse("supervision:dashboard"), reverse("supervision:overdue_list")
    orgs = {name: viewer_org(code) for name, (code, _) in VIEWERS.items()}
    cases = [  # (key, viewer, url, target DB ms, target queries, board() org)
        ("national board", "bench_central", dashboard, NATIONAL_DB_MS, None, True),
        ("province board", "bench_province", dashboard, LOCAL_DB_MS, LOCAL_QUERIES, True),
        ("city board", "bench_city", dashboard, LOCAL_DB_MS, LOCAL_QUERIES, True),
        ("county board", "bench_county", dashboard, LOCAL_DB_MS, LOCAL_QUERIES, True),
        ("province 督办清单, first page", "bench_province", overdue, LIST_DB_MS, None, False),
        ("national 督办清单, first page", "bench_central", overdue, None, None, False),
        ("county 督办清单, first page", "bench_county", overdue, None, None, False),
    ]
    results = {}
    for key, username, path, target_ms, target_queries, is_board in cases:
        org = orgs[username]
        client = Client()
        client.force_login(User.objects.get(username=username))
        url = f"{path}?org={org.pk}"
        page = measure(page_getter(client, url), runs)
        entry = {
            "url": url,
            "viewer": username,
            "page": page,
            "target_db_ms": target_ms,
            "target_queries": target_queries,
        }
        if is_board:
            entry["board"] = measure(lambda org=org: board_selectors.board(org=org), runs)
        results[key] = entry
        line = f"{key}: page DB {page['db_ms']:.2f} ms in {page['queries']} queries, "
        line += f"wall {page['wall_ms']:.1f} ms"
        if "board" in entry:
            alone = entry["board"]
            line += f"; board() DB {alone['db_ms']:.2f} ms in {alone['queries']} queries"
        print(line, flush=True)
    # The country's board counted afresh rather than kept: after a write in one province (a report filed
    # there renews its share only) and after the day's refresh (every share).
    from core import generations

    central, province = orgs["bench_central"], orgs["bench_province"]

    def after_one_province():
        generations.renew_parts(generations.ASSIGNMENT_COUNTS, [province.pk])
        return board_selectors.board(org=central)

    def after_refresh():
        generations.renew(generations.ASSIGNMENT_COUNTS)
        return board_selectors.board(org=central)

    for key, function in (
        ("national board recounted after a write in one province", after_one_province),
        ("national board recounted after the day's refresh", after_refresh),
    ):
        alone = measure(function, runs)
        results[key] = {"page": alone, "target_db_ms": NATIONAL_DB_MS, "target_queries": None}
        print(f"{key}: board() DB {alone['db_ms']:.2f} ms in {alone['queries']} queries", flush=True)
    return results


class _Rollback(Exception):
    pass


def explain(statements) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements that read assignments or reports (rolled back)."""
    from django.db import connection, transaction

    found = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement, params, ms in statements:
                if not any(t in statement for t in ('"assignments_', '"reporting_')):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                found.append({"sql": statement, "ms": ms, "plan": [row[0] for row in cursor.fetchall()]})
            raise _Rollback
    except _Rollback:
        pass
    return found


# --- 2. the status refresh ------------------------------------------------------------------------


def timed_refresh(today: date) -> dict:
    from supervision.status import refresh_statuses

    started = time.perf_counter()
    result = refresh_statuses(today=today)
    return {"seconds": time.perf_counter() - started, **result.as_dict()}


def settle() -> None:
    vacuum(
        "assignments_assignmentmilestone", "assignments_assignment", "supervision_refreshlog", checkpoint=True
    )


def measure_refresh(runs: int) -> dict:
    from supervision.models import RefreshLog

    next_day = []
    for run in range(runs):
        back = timed_refresh(BENCH_DAY)  # untimed: a day earlier than the last logged reads every row
        settle()
        result = timed_refresh(NEXT_DAY)
        next_day.append(result)
        print(
            f"next-day refresh {run + 1}: {1000 * result['seconds']:.1f} ms, "
            f"{result['milestones_changed']:,} copies and {result['assignments_changed']:,} assignments "
            f"changed (back to {BENCH_DAY} first: {back['seconds']:.2f} s)",
            flush=True,
        )
    timed_refresh(BENCH_DAY)
    full_read = []
    for run in range(runs):
        RefreshLog.objects.all().delete()
        settle()
        result = timed_refresh(BENCH_DAY)
        full_read.append(result)
        print(
            f"full read {run + 1} (states already {BENCH_DAY}): {result['seconds']:.2f} s, "
            f"{result['milestones_changed']:,} copies changed",
            flush=True,
        )
    full = []
    for run in range(min(runs, 3)):
        reset_statuses()
        RefreshLog.objects.all().delete()
        settle()
        result = timed_refresh(BENCH_DAY)
        full.append(result)
        print(
            f"full recompute {run + 1}: {result['seconds']:.2f} s, {result['milestones_changed']:,} copies "
            f"and {result['assignments_changed']:,} assignments changed",
            flush=True,
        )
    settle()

    def summary(results, scale=1.0, digits=3):
        return {
            "median": round(scale * statistics.median(r["seconds"] for r in results), digits),
            "runs": [round(scale * r["seconds"], digits) for r in results],
            "milestones_changed": results[0]["milestones_changed"],
            "assignments_changed": results[0]["assignments_changed"],
        }

    return {
        "next_day_ms": summary(next_day, 1000, 1),
        "full_read_s": summary(full_read, digits=2),
        "full_recompute_s": summary(full, digits=2),
    }


# --- 3. HTTP --------------------------------------------------------------------------------------


def wait_for(url: str, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def run_locust(username: str, org_pk: int, users: int, seconds: int, prefix: str) -> dict:
    """One headless locust run against the board: the board row of its CSV, and the steady rate (from the
    per-second history, after the logins — PBKDF2 takes a while for 8 users on 2 cores)."""
    env = {**os.environ, "BOARD_USERNAME": username, "BOARD_PASSWORD": PASSWORD, "BOARD_ORG": str(org_pk)}
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "board_http.py")]
    command += f"--headless -u {users} -r {users} -t {seconds}s --host http://127.0.0.1:{PORT}".split()
    command += ["--csv", prefix, "--csv-full-history", "--only-summary", "--loglevel", "WARNING"]
    done = subprocess.run(command, env=env, check=False, cwd=ROOT, capture_output=True, text=True)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    if "board" not in rows:
        raise RuntimeError(f"locust ran no board request:\n{done.stderr[-3000:]}")
    row = rows["board"]
    with open(f"{prefix}_stats_history.csv", newline="") as handle:
        history = [
            (int(r["Timestamp"]), int(r["Total Request Count"]))
            for r in csv.DictReader(handle)
            if r["Name"] == "board" and int(r["Total Request Count"] or 0) > 0
        ]
    steady = None
    if len(history) > 2 and history[-1][0] > history[0][0]:
        steady = round((history[-1][1] - history[0][1]) / (history[-1][0] - history[0][0]), 1)
    failures = sum(int(r["Failure Count"]) for name, r in rows.items() if name != "Aggregated")
    return {
        "requests": int(row["Request Count"]),
        "failures": failures,
        "rps": round(float(row["Requests/s"]), 1),
        "steady_rps": steady,
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "avg_ms": round(float(row["Average Response Time"]), 1),
    }


def measure_http(url: str, seconds: int, users: int, max_wait: float) -> dict:
    # As docker-compose runs it: persistent connections, Redis for the cache and the sessions.
    env = {**os.environ, **bench_env(url), "DB_CONN_MAX_AGE": "60", "REDIS_URL": REDIS}
    command = [str(Path(sys.executable).parent / "gunicorn"), "tuanjian.wsgi:application"]
    command += f"-w 2 --threads 2 -b 127.0.0.1:{PORT} --log-level warning".split()
    result: dict = {"users": users, "seconds": seconds}
    with socket.socket() as probe:  # another checkout's server on the port would be measured instead
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is in use: set BENCH_PORT")
    with open("/tmp/bench-board-gunicorn.log", "w") as log:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for(f"http://127.0.0.1:{PORT}/healthz/", 60)
            if server.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({server.returncode}): see /tmp/bench-board-gunicorn.log"
                )
            for key, username, code in (
                ("national", "bench_central", "central"),
                ("county", "bench_county", "330106"),
            ):
                quiet = wait_quiet(f"HTTP {key}", max_wait)
                result[key] = {
                    **run_locust(username, viewer_org(code).pk, users, seconds, f"/tmp/board_{key}"),
                    **quiet,
                }
                print(f"HTTP {key} board, {users} users: {result[key]}", flush=True)
        finally:
            server.terminate()
            server.wait(30)
    return result


# --- main -----------------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the boards' and lists' SQL")
    parser.add_argument("--http-seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument(
        "--quiet-wait", type=float, default=900, help="seconds to wait for other load to end before a measure"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the existing bench database again")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    collectstatic(url)
    if not args.reuse:
        recreate_database(url)
        manage(url, "migrate", "--noinput", "-v0")
        started = time.perf_counter()
        loaded = json.loads(manage(url, "load_divisions", args.data, "--depth", "county", "--json"))
        print(
            f"load_divisions --depth county: {loaded['created']:,} organisations in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
    setup_django(url)
    from django.conf import settings
    from django.db import connection

    assert not settings.DEBUG and not settings.STATES_REFRESH_ON_PAGE
    summary: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "postgres": scalar("SHOW server_version"),
        "postgres_settings": {
            name: scalar(f"SHOW {name}") for name in ("shared_buffers", "work_mem", "jit", "random_page_cost")
        },
        "bench_day": BENCH_DAY.isoformat(),
    }
    if not args.reuse:
        summary.update(build_dataset())
        make_viewers()
    summary["dataset"] = describe_dataset()
    print(f"data set: {json.dumps(summary['dataset'], ensure_ascii=False)}", flush=True)

    summary["quiet_pages"] = wait_quiet("pages", args.quiet_wait)
    pages = measure_pages(args.runs)
    rows = ["| measure | DB ms (median) | queries | wall ms | target | |", "|---|---|---|---|---|---|"]
    for key, entry in pages.items():
        page, target_ms, target_q = entry["page"], entry["target_db_ms"], entry["target_queries"]
        ok = None if target_ms is None else page["db_ms"] <= target_ms
        target = "—" if target_ms is None else f"≤ {target_ms} ms"
        label = f"{key} (page)" if "url" in entry else f"{key}, `board()`"
        rows.append(
            f"| {label} | **{page['db_ms']:.2f}** | {page['queries']} | {page['wall_ms']:.1f} "
            f"| {target} | {verdict(ok)} |"
        )
        if "board" in entry:
            alone = entry["board"]
            ok = None if target_ms is None else alone["db_ms"] <= target_ms
            if target_q is not None:
                ok = ok and alone["queries"] <= target_q
                target += f", ≤ {target_q} queries"
            rows.append(
                f"| — `board()` alone | **{alone['db_ms']:.2f}** | {alone['queries']} "
                f"| {alone['wall_ms']:.1f} | {target} | {verdict(ok)} |"
            )
    summary["pages"] = {
        key: {
            **{k: v for k, v in entry.items() if k not in ("page", "board")},
            "page": {k: v for k, v in entry["page"].items() if k != "statements"},
            "page_statements_ms": [(s[:160], ms) for s, _, ms in entry["page"]["statements"]],
            **(
                {
                    "board": {k: v for k, v in entry["board"].items() if k != "statements"},
                    "board_statements_ms": [(s[:160], ms) for s, _, ms in entry["board"]["statements"]],
                }
                if "board" in entry
                else {}
            ),
        }
        for key, entry in pages.items()
    }
    if args.explain:
        summary["explain"] = {}
        for key, entry in pages.items():
            plans = explain(entry["page"]["statements"])
            summary["explain"][key] = plans
            for item in plans:
                print(
                    f"\nEXPLAIN {key} ({item['ms']:.2f} ms when timed):\n{item['sql']}\n"
                    + "\n".join(item["plan"])
                )

    if not args.skip_http:
        http = measure_http(url, args.http_seconds, args.users, args.quiet_wait)
        summary["http"] = http
        nat, county = http["national"], http["county"]
        rows.append(
            f"| HTTP national board, {args.users} users, p50 / p95 | {nat['p50_ms']:.0f} / "
            f"{nat['p95_ms']:.0f} ms ({nat['rps']} req/s, {nat['failures']} failures) | | "
            f"| < {HTTP_P50_MS} / < {HTTP_P95_MS} ms "
            f"| {verdict(nat['p50_ms'] < HTTP_P50_MS and nat['p95_ms'] < HTTP_P95_MS)} |"
        )
        rate = county["steady_rps"] or county["rps"]  # after the logins; locust's own figure includes them
        rows.append(
            f"| HTTP county board, {args.users} users | {rate} req/s (locust overall {county['rps']}; p50 "
            f"{county['p50_ms']:.0f}, p95 {county['p95_ms']:.0f} ms, {county['failures']} failures) | | "
            f"| ≥ {COUNTY_RPS} req/s | {verdict(rate >= COUNTY_RPS)} |"
        )
    if not args.skip_refresh:
        summary["quiet_refresh"] = wait_quiet("refresh", args.quiet_wait)
        refresh = measure_refresh(args.runs)
        summary["refresh"] = refresh
        nd, fr, full = refresh["next_day_ms"], refresh["full_read_s"], refresh["full_recompute_s"]
        rows.append(
            f"| next-day refresh {BENCH_DAY} → {NEXT_DAY} ({nd['milestones_changed']:,} copies, "
            f"{nd['assignments_changed']:,} assignments changed) | **{nd['median']:.1f} ms** | | "
            f"| < {NEXT_DAY_MS} ms | {verdict(nd['median'] < NEXT_DAY_MS)} |"
        )
        rows.append(
            f"| full read for {BENCH_DAY}, no refresh log (nothing to change) | **{fr['median']:.2f} s** "
            f"| | | < {FULL_S} s | {verdict(fr['median'] < FULL_S)} |"
        )
        rows.append(
            f"| full recompute from reset states ({full['milestones_changed']:,} copies, "
            f"{full['assignments_changed']:,} assignments changed) | **{full['median']:.2f} s** | | "
            f"| < {FULL_S} s | {verdict(full['median'] < FULL_S)} |"
        )
    connection.close()
    print("\n".join(rows))
    print(json.dumps({k: v for k, v in summary.items() if k not in ("explain", "pages")}, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "board.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
