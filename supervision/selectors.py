"""What the dashboard and status_summary show: assignment milestones and assignments by state in a subtree,
per child organisation and per department of the organisation's own office."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count

from assignments.models import Assignment, AssignmentMilestone, Escalation, ProgressStatus
from orgtree.models import Organisation
from orgtree.subtree import subtree_q, subtree_sql

STATES = [s.value for s in ProgressStatus]
# An assignment's state: its status when closed or withdrawn, else its worst milestone's — 常态化 work with
# no due date counted apart as no_deadline.
ASSIGNMENT_STATES = [
    "completed", "completed_late", "on_track", "due_soon", "overdue", "no_deadline", "closed", "withdrawn",
]  # fmt: skip


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(STATES, 0)


def _assignment_counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(ASSIGNMENT_STATES, 0)
    for state, n in rows:
        key = "no_deadline" if state == ProgressStatus.ONGOING else state
        counts[key] = counts.get(key, 0) + n
    return counts


STATES_DAY_KEY = "supervision:states-day"


def states_day() -> date | None:
    """The day the stored states are for: the last full refresh's (cached briefly: every board asks)."""
    from django.core.cache import cache

    from .models import RefreshLog

    found = cache.get(STATES_DAY_KEY)
    if found is None:
        found = RefreshLog.objects.order_by("-finished_at").values_list("day", flat=True).first() or ""
        cache.set(STATES_DAY_KEY, found, 60)
    return found or None


def department_summary(org: Organisation) -> list[dict]:
    """Each department of the organisation's office: its assignments and their milestones by state."""
    departments = list(org.departments.filter(is_active=True).order_by("order", "id"))
    if not departments:
        return []
    own = Assignment.objects.filter(organisation=org, department__in=departments)
    by_assignment: dict[int, list] = {}
    for department_id, state, n in (
        own.order_by().values_list("department_id", "progress").annotate(n=Count("id"))
    ):
        by_assignment.setdefault(department_id, []).append((state, n))
    by_milestone: dict[int, dict] = {}
    rows = (
        AssignmentMilestone.objects.filter(assignment__in=own).order_by()
        .values_list("assignment__department_id", "progress").annotate(n=Count("id"))
    )  # fmt: skip
    for department_id, state, n in rows:
        by_milestone.setdefault(department_id, _empty_counts())[state] = n
    return [
        {"name": d.name, "pk": d.pk, "assignments": _assignment_counts(by_assignment.get(d.pk, [])),
         "milestones": by_milestone.get(d.pk, _empty_counts())}
        for d in departments
    ]  # fmt: skip


def status_summary(*, org: Organisation, today: date) -> dict:
    """Assignment milestones by state for the organisation's subtree and for each direct child's subtree.

    Two grouped queries whatever the size of the tree; the states are those stored by the last refresh.
    """
    org = Organisation.objects.get(pk=org.pk)
    rows = AssignmentMilestone.objects.filter(subtree_q(org, "assignment__organisation__"))
    if org.is_national:
        children = list(
            Organisation.objects.filter(parent__isnull=True).exclude(pk=org.pk).order_by("tree_id")
        )
    else:
        children = list(Organisation.objects.filter(parent=org).order_by("order", "lft"))
    total = _empty_counts()
    for state, n in rows.order_by().values_list("progress").annotate(n=Count("id")):
        total[state] = n
    received = Assignment.objects.filter(subtree_q(org, "organisation__"))
    assignments = _assignment_counts(received.order_by().values_list("progress").annotate(n=Count("id")))
    escalations = dict.fromkeys(Escalation.values, 0)
    escalations.update(
        received.exclude(escalation="").order_by().values_list("escalation").annotate(n=Count("id"))
    )
    per_child = {child.pk: _empty_counts() for child in children}
    if children:
        orgs, am, asg = "orgtree_organisation", AssignmentMilestone._meta.db_table, Assignment._meta.db_table
        ids = [child.pk for child in children]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id, m.progress, COUNT(*) FROM {orgs} c JOIN {orgs} o ON {subtree_sql('o', 'c')} "
                f"JOIN {asg} a ON a.organisation_id = o.id JOIN {am} m ON m.assignment_id = a.id "
                f"WHERE c.id IN ({', '.join(['%s'] * len(ids))}) GROUP BY c.id, m.progress",
                ids,
            )
            for child_id, state, n in cursor.fetchall():
                per_child[child_id][state] = n
    return {
        "org": org.code or str(org.pk),
        "today": today.isoformat(),
        "milestones": total,
        "assignments": assignments,
        "escalations": escalations,
        "departments": department_summary(org),
        "children": [
            {
                "org": child.code or str(child.pk),
                "name": child.name,
                "milestones": per_child[child.pk],
                "pk": child.pk,
            }
            for child in children
        ],  # fmt: skip
    }
