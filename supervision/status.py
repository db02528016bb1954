"""The status engine: how late is late. One rule, written twice on purpose: readable Python functions are
the specification, and the set-based SQL that applies them to a million rows is built from the same
ProgressStatus (states and their ranking); a test runs both on random data and compares.

A milestone copy for a given day (`today`):
- its assignment closed (销号) or withdrawn (退办) and it not accepted → closed / withdrawn, never late;
- accepted, done by its due date (or it had none) → completed; accepted, done later → completed_late;
- not accepted: no due date → ongoing (常态化, never late); due date passed → overdue;
  due within STATUS_DUE_SOON_DAYS → due_soon; otherwise on_track;
- at risk (进度滞后): open, dated, inside its window, and the reported percent plus STATUS_AT_RISK_MARGIN
  is still short of the share of the window already gone.
An open assignment takes the worst state of its milestones (by rank) — and of the parts it was broken
down into, which are refreshed first; a closed or withdrawn one is that. Its completion is the share of
its dated milestones accepted. `overdue_since` is the earliest due date among its overdue milestones (and
its parts'); past the plan's thresholds it gets a 督办单: 黄牌, then 红牌 — each rise written on its timeline.

A refresh writes only rows whose state changes, serialised by an advisory lock; "today" is a parameter,
so tests and operators can run it for any date, and runs are idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from assignments.ancestors import fill_missing
from assignments.models import Assignment, AssignmentEvent, AssignmentMilestone, Escalation, ProgressStatus
from assignments.services import board_counts_changed, events_record
from core.locks import LockKey, advisory_lock
from orgtree.subtree import subtree_sql
from plans.models import Plan

from .models import RefreshLog
from .selectors import STATES_DAY_KEY

ROLLUP_TARGETED_LIMIT = 50_000  # assignments; above this one aggregate over everything is cheaper


# --- the rule ------------------------------------------------------------------------------------------


def milestone_progress(
    *, due: date | None, accepted_at: datetime | None, completed_on: date | None, today: date, soon: date,
    ended: str = "",
) -> ProgressStatus:  # fmt: skip
    if ended and accepted_at is None:
        return ProgressStatus(ended)
    if accepted_at is not None:
        if due is None or (completed_on is not None and completed_on <= due):
            return ProgressStatus.COMPLETED
        return ProgressStatus.COMPLETED_LATE
    if due is None:
        return ProgressStatus.ONGOING
    if due < today:
        return ProgressStatus.OVERDUE
    if due <= soon:
        return ProgressStatus.DUE_SOON
    return ProgressStatus.ON_TRACK


def milestone_at_risk(*, start: date | None, due: date | None, accepted_at, percent: int, today: date,
                      margin: int, ended: str = "") -> bool:  # fmt: skip
    if ended or accepted_at is not None or due is None or start is None or not start <= today <= due:
        return False
    window = (due - start).days + 1
    elapsed = (today - start).days + 1
    return (percent + margin) * window < 100 * elapsed


def milestone_risk_from(*, start: date | None, due: date | None, accepted_at, percent: int, margin: int,
                        ended: str = "") -> date | None:  # fmt: skip
    """The first day milestone_at_risk holds with this percent (None: never). At risk on `today` exactly
    when risk_from <= today <= due, so a day's refresh can find the copies that tip over by an index."""
    if ended or accepted_at is not None or due is None or start is None:
        return None
    first = start + timedelta(days=(percent + margin) * ((due - start).days + 1) // 100)
    return first if first <= due else None


def assignment_progress(states: list[ProgressStatus]) -> ProgressStatus:
    return max(states, key=lambda state: state.rank)


def completion_percent(dated_accepted: int, dated: int) -> int:
    return 100 * dated_accepted // dated if dated else 0


def due_soon_date(today: date) -> date:
    return today + timedelta(days=settings.STATUS_DUE_SOON_DAYS)


def escalation_of(*, overdue_since: date | None, today: date, yellow: int, red: int) -> str:
    """The 督办单 an open assignment has earned: overdue for `red` days → 红牌, `yellow` → 黄牌."""
    if overdue_since is None:
        return ""
    days = (today - overdue_since).days
    return Escalation.RED if days >= red else Escalation.YELLOW if days >= yellow else ""


# --- the same rule, set-based ----------------------------------------------------------------------------


def _days(later: str, earlier: str) -> str:
    """SQL for the whole days between two date expressions."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _distinct(a: str, b: str) -> str:
    return f"{a} IS DISTINCT FROM {b}" if connection.vendor == "postgresql" else f"{a} IS NOT {b}"


def _progress_sql(today: date, soon: date) -> tuple[str, list]:
    """milestone_progress as a CASE over a milestone copy's columns."""
    P = ProgressStatus
    sql = (
        "CASE WHEN ended <> '' AND accepted_at IS NULL THEN ended "
        "WHEN accepted_at IS NOT NULL AND (due_date IS NULL OR completed_on <= due_date) THEN %s "
        "WHEN accepted_at IS NOT NULL THEN %s WHEN due_date IS NULL THEN %s WHEN due_date < %s THEN %s "
        "WHEN due_date <= %s THEN %s ELSE %s END"
    )
    return sql, [P.COMPLETED, P.COMPLETED_LATE, P.ONGOING, today, P.OVERDUE, soon, P.DUE_SOON, P.ON_TRACK]


def _at_risk_sql(today: date, margin: int) -> tuple[str, list]:
    """milestone_at_risk as a boolean expression."""
    window = f"({_days('due_date', 'start_date')} + 1)"
    elapsed = f"({_days('%s', 'start_date')} + 1)"
    sql = (
        "(ended = '' AND accepted_at IS NULL AND due_date IS NOT NULL AND start_date IS NOT NULL "
        f"AND start_date <= %s AND due_date >= %s AND (percent + %s) * {window} < 100 * {elapsed})"
    )
    return sql, [today, today, margin, today]


def _worst_sql() -> tuple[str, list]:
    """assignment_progress as an aggregate: the state of the highest rank among the group's rows."""
    ranks = " ".join(f"WHEN %s THEN {state.rank}" for state in ProgressStatus)
    states = " ".join(f"WHEN {state.rank} THEN %s" for state in ProgressStatus)
    values = [state.value for state in ProgressStatus]
    return f"CASE MAX(CASE progress {ranks} END) {states} END", [*values, *values]


def _risk_from_sql(margin: int) -> tuple[str, list]:
    """milestone_risk_from as a date expression."""
    step = f"((percent + %s) * ({_days('due_date', 'start_date')} + 1) / 100)"
    if connection.vendor == "postgresql":
        first = f"(start_date + {step})"
    else:
        first = f"date(start_date, '+' || {step} || ' days')"
    sql = (
        "(CASE WHEN ended = '' AND accepted_at IS NULL AND due_date IS NOT NULL AND start_date IS NOT NULL "
        f"AND {first} <= due_date THEN {first} END)"
    )
    return sql, [margin, margin]


def _window_sql(since: date, today: date) -> tuple[str, list]:
    """The open copies whose state or risk can differ between day `since` and `today` (since < today): due
    dates crossed by the overdue or the due-soon line, and 进度滞后 starting. Index ranges only."""
    sql = (
        "(accepted_at IS NULL AND ended = '' AND ((due_date >= %s AND due_date < %s) "
        "OR (due_date > %s AND due_date <= %s) OR (risk_from > %s AND risk_from <= %s)))"
    )
    return sql, [since, today, due_soon_date(since), due_soon_date(today), since, today]


WINDOW_DAYS = 31  # a refresh after a longer pause reads every row

_PERCENT_SQL = (
    "COALESCE(100 * SUM(CASE WHEN due_date IS NOT NULL AND accepted_at IS NOT NULL THEN 1 ELSE 0 END) "
    "/ NULLIF(SUM(CASE WHEN due_date IS NOT NULL THEN 1 ELSE 0 END), 0), 0)"
)


@dataclass
class RefreshResult:
    today: date
    milestones_changed: int
    assignments_changed: int

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "milestones_changed": self.milestones_changed,
            "assignments_changed": self.assignments_changed,
        }


def _scope(plan_id: int | None, within_id: int | None) -> tuple[str, list]:
    """Which assignments a refresh covers: all, one plan's, and/or those received in one subtree."""
    a, org = Assignment._meta.db_table, "orgtree_organisation"
    clauses, params = [], []
    if plan_id:
        clauses.append("a.plan_id = %s")
        params.append(plan_id)
    if within_id:
        clauses.append(
            f"EXISTS (SELECT 1 FROM {org} o JOIN {org} r ON r.id = %s WHERE o.id = a.organisation_id "
            f"AND {subtree_sql('o', 'r')})"
        )
        params.append(within_id)
    if not clauses:
        return "", []
    return f"assignment_id IN (SELECT a.id FROM {a} a WHERE {' AND '.join(clauses)})", params


def refresh_statuses(
    *, today: date, plan_id: int | None = None, within_id: int | None = None
) -> RefreshResult:
    """Bring the assignment milestones and assignments (all, one plan's, or those received within one
    organisation's subtree) up to `today`."""
    am, a = AssignmentMilestone._meta.db_table, Assignment._meta.db_table
    margin = settings.STATUS_AT_RISK_MARGIN
    progress, progress_params = _progress_sql(today, due_soon_date(today))
    risk, risk_params = _at_risk_sql(today, margin)
    risk_from, risk_from_params = _risk_from_sql(margin)
    scope, scope_params = _scope(plan_id, within_id)
    last = _states_day()
    window, window_params = "", []
    if not scope and last is not None and last < today <= last + timedelta(days=WINDOW_DAYS):
        # Every row holds its state for a day in [last, today): only the copies the days between can
        # change are read (events — reports, extensions, edits — refresh their plan as they happen).
        window, window_params = _window_sql(last, today)
    where = " AND ".join(filter(None, [scope, window]))
    # One UPDATE over the table itself (no self-join), writing only rows whose state changes; progress and
    # at_risk are not indexed, so PostgreSQL can update them in place (HOT).
    milestones_sql = (
        f"UPDATE {am} SET progress = {progress}, at_risk = {risk}, risk_from = {risk_from} "
        f"WHERE ({_distinct('progress', progress)} OR {_distinct('at_risk', risk)} "
        f"OR {_distinct('risk_from', risk_from)})"
        f"{' AND ' + where if where else ''} RETURNING assignment_id, progress, due_date"
    )
    milestones_params = [
        *progress_params, *risk_params, *risk_from_params,
        *progress_params, *risk_params, *risk_from_params, *scope_params, *window_params,
    ]  # fmt: skip
    worst, worst_params = _worst_sql()
    since = f"MIN(CASE WHEN progress = '{ProgressStatus.OVERDUE}' THEN due_date END)"

    def rollup(where: str, outer: str = "") -> str:
        # Settled assignments keep their own state (set when they were closed or withdrawn).
        return (
            f"UPDATE {a} SET progress = r.new_progress, completion_percent = r.pct, overdue_since = r.since "
            f"FROM (SELECT assignment_id, {worst} AS new_progress, {_PERCENT_SQL} AS pct, {since} AS since "
            f"FROM {am} {where} GROUP BY assignment_id"
            f") r WHERE {a}.id = r.assignment_id AND {a}.status = '{Assignment.Status.ASSIGNED}' {outer} "
            f"AND ({_distinct(f'{a}.progress', 'r.new_progress')} "
            f"OR {_distinct(f'{a}.completion_percent', 'r.pct')} "
            f"OR {_distinct(f'{a}.overdue_since', 'r.since')}) RETURNING {a}.id"
        )

    with transaction.atomic(), connection.cursor() as cursor:
        advisory_lock(LockKey.STATUS_REFRESH)
        if window and connection.vendor == "postgresql":
            # A day's refresh is a few index ranges: compiling its statements would cost more than it saves.
            cursor.execute("SET LOCAL jit = off")
        fill_missing()
        cursor.execute(milestones_sql, milestones_params)
        rows = cursor.fetchall()
        milestones, changed = len(rows), {row[0] for row in rows}
        moved: set[int] = set()  # assignments whose state or overdue date changed
        full = len(changed) > ROLLUP_TARGETED_LIMIT
        if full:
            # Most assignments moved (a first run, a new day after a long pause): aggregate them all, in
            # memory (at the default 4 MB the aggregate of a million copies spills to disk).
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(rollup(f"WHERE {scope}" if scope else ""), [*worst_params, *scope_params])
            moved.update(row[0] for row in cursor.fetchall())
        elif window and changed and connection.vendor == "postgresql":
            # A day passing only makes copies worse (due soon, overdue): their assignments are raised to
            # the worst of what they were and what changed, with no read of their other copies.
            # Copies changed only for 进度滞后 (no line crossed) leave their assignments as they were.
            soon_before, soon_now = due_soon_date(last), due_soon_date(today)
            crossed = [row for row in rows if row[2] is not None and (
                last <= row[2] < today or soon_before < row[2] <= soon_now
            )]  # fmt: skip
            if crossed:
                moved.update(_raise(cursor, crossed))
        elif changed and connection.vendor == "postgresql":
            # A normal day: only the assignments whose milestones changed are aggregated again, and found
            # by their keys (not by a hash join over every assignment).
            ids = sorted(changed)
            cursor.execute(
                rollup("WHERE assignment_id = ANY(%s)", f"AND {a}.id = ANY(%s)"), [*worst_params, ids, ids]
            )
            moved.update(row[0] for row in cursor.fetchall())
        else:
            for chunk in _chunks(sorted(changed)):
                where = f"WHERE assignment_id IN ({', '.join(['%s'] * len(chunk))})"
                cursor.execute(rollup(where), [*worst_params, *chunk])
                moved.update(row[0] for row in cursor.fetchall())
        moved |= _follow_parts(cursor)
        assignments = len(moved)
        escalated = _escalate(cursor, today, None if full else moved)
        if plan_id is None and within_id is None:
            RefreshLog.objects.update_or_create(
                day=today, defaults={"milestones_changed": milestones, "assignments_changed": assignments}
            )
        elif last is not None and today < last:
            # Part of the rows now hold an earlier day's states: the next refresh must read them all.
            RefreshLog.objects.filter(day__gt=today).delete()
        cache.delete(STATES_DAY_KEY)  # now for this transaction's readers, again once others can see it
        transaction.on_commit(lambda: cache.delete(STATES_DAY_KEY))
        # The boards count assignments only: the provinces whose assignments moved are counted again (every
        # province after a big change), none after a refresh that changed nothing (the hourly runs).
        board_counts_changed(moved | escalated)
    return RefreshResult(today, milestones, assignments)


def _raise(cursor, rows) -> set[int]:
    """The roll-up of a day's refresh: each assignment takes the worse of its own state and its changed
    copies' worst, and the earlier of its overdue date and theirs. Exact while every row held the states
    of the day before (the window's premise); a full roll-up gives the same (tested)."""
    a = Assignment._meta.db_table
    worst: dict[int, tuple[int, str]] = {}
    since: dict[int, date] = {}
    overdue = ProgressStatus.OVERDUE.value
    for pk, progress, due in rows:
        rank = RANKS[progress]
        if pk not in worst or rank > worst[pk][0]:
            worst[pk] = (rank, progress)
        if progress == overdue and due is not None and (pk not in since or due < since[pk]):
            since[pk] = due
    ids = sorted(worst)
    rank = "(CASE {0} " + " ".join(f"WHEN '{s.value}' THEN {s.rank}" for s in ProgressStatus) + " END)"
    old = rank.format(f"{a}.progress")
    earlier = f"(v.since IS NOT NULL AND ({a}.overdue_since IS NULL OR v.since < {a}.overdue_since))"
    # Arrays go as literals: thousands of elements, which the driver would otherwise adapt one by one.
    keys = _array(ids)
    cursor.execute(
        f"UPDATE {a} SET progress = CASE WHEN v.rank > {old} THEN v.state ELSE {a}.progress END, "
        f"overdue_since = CASE WHEN {earlier} THEN v.since ELSE {a}.overdue_since END "
        "FROM unnest(%s::bigint[], %s::int[], %s::text[], %s::date[]) AS v(id, rank, state, since) "
        f"WHERE {a}.id = v.id AND {a}.id = ANY(%s::bigint[]) AND {a}.status = '{Assignment.Status.ASSIGNED}' "
        f"AND (v.rank > {old} OR {earlier}) "
        f"RETURNING {a}.id",
        [
            keys,
            _array(worst[pk][0] for pk in ids),
            _array(worst[pk][1] for pk in ids),
            _array(since.get(pk) for pk in ids),
            keys,
        ],
    )
    return {row[0] for row in cursor.fetchall()}


RANKS = {state.value: state.rank for state in ProgressStatus}


def _array(values) -> str:
    """A PostgreSQL array literal of ints, dates and plain words (no quoting needed), None as NULL."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


def _states_day() -> date | None:
    """The day of the last refresh of every row (the latest written)."""
    return RefreshLog.objects.order_by("-finished_at", "-id").values_list("day", flat=True).first()


def _chunks(ids: list[int], size: int = 900):
    """Lists of ids small enough for SQLite's parameter limit."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _follow_parts(cursor) -> set[int]:
    """An assignment broken down takes the worst of its own milestones and of its parts (not withdrawn),
    and the earliest overdue date among them: one statement per level of the chains, deepest first."""
    a, am = Assignment._meta.db_table, AssignmentMilestone._meta.db_table
    cursor.execute(f"SELECT MAX(depth) FROM {a} WHERE parent_id IS NOT NULL")
    deepest = cursor.fetchone()[0]
    if not deepest:
        return set()
    worst, worst_params = _worst_sql()
    overdue = ProgressStatus.OVERDUE
    changed: set[int] = set()
    for depth in range(deepest - 1, -1, -1):
        cursor.execute(
            f"UPDATE {a} SET progress = r.new_progress, overdue_since = r.since FROM ("
            f"SELECT x.id, {worst} AS new_progress, MIN(x.since) AS since FROM ("
            f"SELECT m.assignment_id AS id, m.progress AS progress, "
            f"CASE WHEN m.progress = '{overdue}' THEN m.due_date END AS since FROM {am} m "
            f"WHERE m.assignment_id IN (SELECT c.parent_id FROM {a} c WHERE c.depth = %s) "
            f"UNION ALL SELECT c.parent_id, c.progress, c.overdue_since FROM {a} c "
            f"WHERE c.depth = %s AND c.status <> '{Assignment.Status.WITHDRAWN}'"
            f") x GROUP BY x.id) r WHERE {a}.id = r.id AND {a}.status = '{Assignment.Status.ASSIGNED}' "
            f"AND ({_distinct(f'{a}.progress', 'r.new_progress')} "
            f"OR {_distinct(f'{a}.overdue_since', 'r.since')}) RETURNING {a}.id",
            [*worst_params, depth + 1, depth + 1],
        )
        changed.update(row[0] for row in cursor.fetchall())
    return changed


def _escalate(cursor, today: date, moved: set[int] | None) -> set[int]:
    """督办单 levels from how long open assignments have been overdue and their plan's thresholds; a rise
    goes on the timeline. A day's refresh looks only at the assignments whose overdue date moved and, per
    pair of thresholds, at those whose level the passing days change: index ranges on
    (escalation, overdue_since), never every overdue assignment. Returns the assignments whose level
    changed."""
    a, p = Assignment._meta.db_table, Plan._meta.db_table
    open_ = f"{a}.status = '{Assignment.Status.ASSIGNED}'"
    days = _days("%s", f"{a}.overdue_since")
    red, yellow = Escalation.RED, Escalation.YELLOW
    rises: list[tuple[int, str]] = []
    changed: set[int] = set()

    def apply(level: str, params: list, where: str, where_params: list, join: str = "") -> None:
        # One read of the rows whose level differs, with the level they had (rises go on the timeline); then
        # one write per new level, by key (a join back to the table would be planned for the estimate, not
        # for the few rows a day's crossing finds).
        cursor.execute(
            f"SELECT * FROM (SELECT {a}.id, {a}.escalation AS old, {level} AS level FROM {a} {join} "
            f"WHERE {where}) x WHERE x.level <> x.old",
            [*params, *where_params],
        )
        found = cursor.fetchall()
        for new in {new for _, _, new in found}:
            ids = sorted(pk for pk, _, level in found if level == new)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {a} SET escalation = %s WHERE id = ANY(%s::bigint[])", [new, _array(ids)]
                )
            else:
                for chunk in _chunks(ids):
                    cursor.execute(
                        f"UPDATE {a} SET escalation = %s WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                        [new, *chunk],
                    )
        for pk, old, new in found:
            changed.add(pk)
            if ESCALATION_RANKS[new] > ESCALATION_RANKS[old]:
                rises.append((pk, new))

    if moved is None or moved:
        # Exact levels where the overdue date moved (or everywhere, on a full refresh), the thresholds
        # joined from the plans.
        level = (
            f"(CASE WHEN NOT {open_} OR {a}.overdue_since IS NULL THEN '' "
            f"WHEN {days} >= {p}.red_after_days THEN '{red}' "
            f"WHEN {days} >= {p}.yellow_after_days THEN '{yellow}' ELSE '' END)"
        )
        join = f"JOIN {p} ON {p}.id = {a}.plan_id"
        touched = f"({a}.overdue_since IS NOT NULL OR {a}.escalation <> '')"
        if moved is None:
            apply(level, [today, today], touched, [], join)
        else:
            for chunk in _chunks(sorted(moved)):
                ids = f"{a}.id IN ({', '.join(['%s'] * len(chunk))})"
                apply(level, [today, today], f"{touched} AND {ids}", chunk, join)
    # The days passing (or a refresh for an earlier day) move levels across the thresholds.
    cursor.execute(f"SELECT DISTINCT yellow_after_days, red_after_days FROM {p}")
    for yellow_days, red_days in cursor.fetchall():
        to_yellow, to_red = today - timedelta(days=yellow_days), today - timedelta(days=red_days)
        level = (
            f"(CASE WHEN {a}.overdue_since <= %s THEN '{red}' WHEN {a}.overdue_since <= %s THEN '{yellow}' "
            "ELSE '' END)"
        )
        crossing = (
            f"{open_} AND {a}.overdue_since IS NOT NULL AND {a}.plan_id IN (SELECT id FROM {p} "
            "WHERE yellow_after_days = %s AND red_after_days = %s) AND ("
            f"({a}.escalation = '' AND {a}.overdue_since <= %s) "
            f"OR ({a}.escalation = '{yellow}' AND ({a}.overdue_since <= %s OR {a}.overdue_since > %s)) "
            f"OR ({a}.escalation = '{red}' AND {a}.overdue_since > %s))"
        )
        apply(level, [to_red, to_yellow], crossing,
              [yellow_days, red_days, to_yellow, to_red, to_yellow, to_red])  # fmt: skip
    _record_rises(cursor, rises)
    return changed


ESCALATION_RANKS = {"": 0} | {level.value: rank for rank, level in enumerate(Escalation, 1)}  # as declared


def _record_rises(cursor, rises: list[tuple[int, str]]) -> None:
    labels = dict(Escalation.choices)
    events_record([pk for pk, _ in rises], AssignmentEvent.Kind.ESCALATED,
                  [f"逾期未完成，{labels[level]}" for _, level in rises])  # fmt: skip


def summary_on_day(*, org, today: date) -> dict:
    """status_summary for a day (see read_on_day)."""
    from .selectors import status_summary

    return read_on_day(org=org, today=today, read=lambda: status_summary(org=org, today=today))


def read_on_day(*, org, today: date, read):
    """Read states for a day. Today's are refreshed and kept; another day's are computed inside a
    transaction that is rolled back, over the organisation's subtree only: asking about another day never
    changes what everyone sees."""
    if today == timezone.localdate():
        refresh_statuses(today=today)
        return read()
    with transaction.atomic():
        refresh_statuses(today=today, within_id=org.pk)
        result = read()
        transaction.set_rollback(True)
    return result


_fresh_for: date | None = None  # this process has seen the states refreshed for this day


def ensure_fresh(today: date | None = None) -> bool:
    """Refresh every status for today unless a full refresh already ran today (one query to know, none
    once this process has seen it). Returns whether it refreshed."""
    global _fresh_for
    today = today or timezone.localdate()
    if _fresh_for == today:
        return False
    if RefreshLog.objects.filter(day=today).exists():
        _fresh_for = today
        return False
    refresh_statuses(today=today)
    _fresh_for = today
    return True
