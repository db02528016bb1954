"""What the dashboard and status_summary show: assignment milestones by state in a subtree and per child."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count

from assignments.models import Assignment, AssignmentMilestone, ProgressStatus
from orgtree.models import Organisation
from orgtree.subtree import subtree_q, subtree_sql

STATES = [s.value for s in ProgressStatus]


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(STATES, 0)


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
