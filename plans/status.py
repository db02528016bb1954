"""The status engine: every assignment milestone's state for a given day, computed set-based.

One UPDATE for the milestones and one for the assignments' roll-up, each writing only the rows whose state
changes (so a daily run touches the few thousand rows that cross a boundary, not the million that do not).
"today" is a parameter, so tests and operators can run it for any date; runs are idempotent and
serialised by an advisory lock, so two workers at once cannot interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count

from orgtree.models import Organisation

from .models import Assignment, AssignmentMilestone, ProgressStatus

STATUS_LOCK_KEY = 73_012_261
ROLLUP_TARGETED_LIMIT = 50_000  # assignments; above this one aggregate over everything is cheaper
STATES = [s.value for s in ProgressStatus]


def due_soon_days() -> int:
    return int(getattr(settings, "STATUS_DUE_SOON_DAYS", 14))


def at_risk_margin() -> int:
    return int(getattr(settings, "STATUS_AT_RISK_MARGIN", 20))


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


def _days(later: str, earlier: str) -> str:
    """SQL for the whole days between two date expressions."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _distinct(a: str, b: str) -> str:
    return f"{a} IS DISTINCT FROM {b}" if connection.vendor == "postgresql" else f"{a} IS NOT {b}"


def _milestone_sql(today: date, soon: date, plan_id: int | None) -> tuple[str, list]:
    """One UPDATE over the table itself (no self-join), writing only rows whose state changes; status and
    at_risk are not indexed, so PostgreSQL can update them in place (HOT)."""
    am, a = AssignmentMilestone._meta.db_table, Assignment._meta.db_table
    window = f"({_days('due_date', 'start_date')} + 1)"
    elapsed = f"({_days('%s', 'start_date')} + 1)"
    new_status = (
        "CASE WHEN accepted_at IS NOT NULL AND (due_date IS NULL OR completed_on <= due_date) "
        "THEN 'completed' WHEN accepted_at IS NOT NULL THEN 'completed_late' "
        "WHEN due_date IS NULL THEN 'ongoing' WHEN due_date < %s THEN 'overdue' "
        "WHEN due_date <= %s THEN 'due_soon' ELSE 'on_track' END"
    )
    # Behind schedule: the reported percent lags the elapsed share of the window by more than the margin.
    new_risk = (
        "(accepted_at IS NULL AND due_date IS NOT NULL AND start_date IS NOT NULL "
        f"AND start_date <= %s AND due_date >= %s AND (percent + %s) * {window} < 100 * {elapsed})"
    )
    status_params = [today, soon]
    risk_params = [today, today, at_risk_margin(), today]
    scope = f" AND assignment_id IN (SELECT id FROM {a} WHERE plan_id = %s)" if plan_id else ""
    sql = (
        f"UPDATE {am} SET status = {new_status}, at_risk = {new_risk} "
        f"WHERE ({_distinct('status', new_status)} OR {_distinct('at_risk', new_risk)}){scope}"
    )
    params = [*status_params, *risk_params, *status_params, *risk_params]
    return sql, [*params, plan_id] if plan_id else params


def refresh_statuses(*, today: date, plan_id: int | None = None) -> RefreshResult:
    """Bring every assignment milestone (of one plan, or of all) and every assignment up to `today`."""
    soon = today + timedelta(days=due_soon_days())
    sql, params = _milestone_sql(today, soon, plan_id)
    am, a = AssignmentMilestone._meta.db_table, Assignment._meta.db_table
    rank = (
        "MAX(CASE status WHEN 'overdue' THEN 5 WHEN 'due_soon' THEN 4 WHEN 'on_track' THEN 3 "
        "WHEN 'ongoing' THEN 2 WHEN 'completed_late' THEN 1 ELSE 0 END)"
    )
    worst = (
        f"CASE {rank} WHEN 5 THEN 'overdue' WHEN 4 THEN 'due_soon' WHEN 3 THEN 'on_track' "
        "WHEN 2 THEN 'ongoing' WHEN 1 THEN 'completed_late' ELSE 'completed' END"
    )
    percent = (
        "COALESCE(100 * SUM(CASE WHEN due_date IS NOT NULL AND accepted_at IS NOT NULL THEN 1 ELSE 0 END) "
        "/ NULLIF(SUM(CASE WHEN due_date IS NOT NULL THEN 1 ELSE 0 END), 0), 0)"
    )

    def rollup(scope: str) -> str:
        return (
            f"UPDATE {a} SET progress_status = r.new_status, completion_percent = r.pct FROM ("
            f"SELECT assignment_id, {worst} AS new_status, {percent} AS pct "
            f"FROM {am} {scope} GROUP BY assignment_id"
            f") r WHERE {a}.id = r.assignment_id AND ({_distinct(f'{a}.progress_status', 'r.new_status')} "
            f"OR {_distinct(f'{a}.completion_percent', 'r.pct')})"
        )

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STATUS_LOCK_KEY])
        cursor.execute(f"{sql} RETURNING assignment_id", params)
        rows = cursor.fetchall()
        milestones, changed = len(rows), {row[0] for row in rows}
        assignments = 0
        if len(changed) > ROLLUP_TARGETED_LIMIT:
            # Most assignments moved (a first run, a new day after a long pause): aggregate them all.
            cursor.execute(
                rollup(f"WHERE assignment_id IN (SELECT id FROM {a} WHERE plan_id = %s)" if plan_id else ""),
                [plan_id] if plan_id else [],
            )
            assignments = cursor.rowcount
        elif changed and connection.vendor == "postgresql":
            # A normal day: only the assignments whose milestones changed are aggregated again.
            cursor.execute(rollup("WHERE assignment_id = ANY(%s)"), [sorted(changed)])
            assignments = cursor.rowcount
        else:
            ids = sorted(changed)
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                cursor.execute(rollup(f"WHERE assignment_id IN ({', '.join(['%s'] * len(chunk))})"), chunk)
                assignments += cursor.rowcount
    return RefreshResult(today, milestones, assignments)


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(STATES, 0)


def status_summary(*, org: Organisation, today: date) -> dict:
    """Assignment milestones by state for the organisation's subtree and for each direct child's subtree.

    Two grouped queries whatever the size of the tree; the states are those stored by the last refresh.
    """
    org = Organisation.objects.get(pk=org.pk)
    rows = AssignmentMilestone.objects.all()
    if org.is_national:
        children = list(
            Organisation.objects.filter(parent__isnull=True).exclude(pk=org.pk).order_by("tree_id")
        )
    else:
        rows = rows.filter(
            assignment__organisation__tree_id=org.tree_id,
            assignment__organisation__lft__gte=org.lft,
            assignment__organisation__lft__lte=org.rght,
        )
        children = list(Organisation.objects.filter(parent=org).order_by("order", "lft"))
    total = _empty_counts()
    for state, n in rows.order_by().values_list("status").annotate(n=Count("id")):
        total[state] = n
    per_child = {child.pk: _empty_counts() for child in children}
    if children:
        orgs, am, asg = (
            Organisation._meta.db_table,
            AssignmentMilestone._meta.db_table,
            Assignment._meta.db_table,
        )
        ids = [child.pk for child in children]
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id, m.status, COUNT(*) FROM {orgs} c "
                f"JOIN {orgs} o ON o.tree_id = c.tree_id AND o.lft BETWEEN c.lft AND c.rght "
                f"JOIN {asg} a ON a.organisation_id = o.id JOIN {am} m ON m.assignment_id = a.id "
                f"WHERE c.id IN ({placeholders}) GROUP BY c.id, m.status",
                ids,
            )
            for child_id, state, n in cursor.fetchall():
                per_child[child_id][state] = n
    return {
        "org": org.code or str(org.pk),
        "today": today.isoformat(),
        "milestones": total,
        "children": [
            {"org": child.code or str(child.pk), "name": child.name, "milestones": per_child[child.pk]}
            for child in children
        ],
    }
