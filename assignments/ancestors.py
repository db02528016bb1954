"""The receiving organisation's ancestors stored on each assignment (anc0 … anc5, by tree level).

A board for an organisation at level L counts `WHERE ancL = org GROUP BY anc(L+1)`: one index range,
whatever the size of the country, where joining children to their MPTT descendants would make the
planner guess. Milestone copies carry anc0 … anc2 of their assignment (the 督办清单 reads them without a
join). Every write path that creates assignments or copies calls `fill_missing`; moves and merges in the
tree clear and refill the subtrees concerned (orgtree.signals.subtree_moved).
"""

from __future__ import annotations

from django.db import connection

from core import generations
from orgtree.models import Organisation

from .models import COPY_LEVELS, Assignment, AssignmentMilestone

LEVELS = 6  # anc0 … anc5; deeper organisations count under their level-5 ancestor


def column(level: int) -> str | None:
    """The column that holds ancestors at this tree level, if stored."""
    return f"anc{level}" if 0 <= level < LEVELS else None


def _paths(org_ids: list[int]) -> dict[int, list[int | None]]:
    """Each organisation's ancestors by level, itself included: one query per 900 organisations."""
    paths = {pk: [None] * LEVELS for pk in org_ids}
    o = Organisation._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(org_ids), 900):
            chunk = org_ids[start : start + 900]
            cursor.execute(
                f"SELECT n.id, p.id, p.level FROM {o} n JOIN {o} p ON p.tree_id = n.tree_id "
                f"AND p.lft <= n.lft AND p.rght >= n.rght WHERE n.id IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND p.level < {LEVELS}",
                chunk,
            )
            for node, ancestor, level in cursor.fetchall():
                paths[node][level] = ancestor
    return paths


def fill_missing() -> int:
    """Fill the ancestors of assignments that have none yet, then of milestone copies that have none
    (both found by partial indexes). Returns the number of assignments filled."""
    filled = _fill_assignments()
    _fill_copies()
    return filled


def _fill_copies() -> None:
    """Milestone copies take their assignment's anc0 … anc2."""
    a, am = Assignment._meta.db_table, AssignmentMilestone._meta.db_table
    columns = [f"anc{k}" for k in range(COPY_LEVELS)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {am} SET {', '.join(f'{c} = a.{c}' for c in columns)} FROM {a} a "
                f"WHERE {am}.anc0 IS NULL AND a.id = {am}.assignment_id AND a.anc0 IS NOT NULL"
            )
        else:
            source = f"(SELECT a.{{}} FROM {a} a WHERE a.id = {am}.assignment_id)"
            cursor.execute(
                f"UPDATE {am} SET {', '.join(f'{c} = {source.format(c)}' for c in columns)} "
                f"WHERE anc0 IS NULL AND {source.format('anc0')} IS NOT NULL"
            )
        if cursor.rowcount:
            generations.renew(generations.ASSIGNMENT_COUNTS)


def _fill_assignments() -> int:
    a = Assignment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT organisation_id FROM {a} WHERE anc0 IS NULL")
        org_ids = [row[0] for row in cursor.fetchall()]
        if not org_ids:
            return 0
        # New assignments: the boards count more, and more organisations have received these plans.
        generations.renew(generations.ASSIGNMENT_COUNTS)
        generations.renew(generations.PLANS)
        paths = _paths(org_ids)
        columns = [f"anc{k}" for k in range(LEVELS)]
        if connection.vendor == "postgresql":
            arrays = [list(paths)] + [[path[k] for path in paths.values()] for k in range(LEVELS)]
            casts = ", ".join(["%s::bigint[]"] * (LEVELS + 1))
            cursor.execute(
                f"UPDATE {a} SET {', '.join(f'{c} = v.{c}' for c in columns)} "
                f"FROM unnest({casts}) AS v(org, {', '.join(columns)}) "
                f"WHERE {a}.organisation_id = v.org AND {a}.anc0 IS NULL",
                arrays,
            )
            return cursor.rowcount
        cursor.executemany(
            f"UPDATE {a} SET {', '.join(f'{c} = %s' for c in columns)} "
            "WHERE organisation_id = %s AND anc0 IS NULL",
            [[*path, pk] for pk, path in paths.items()],
        )
        return len(paths)


def refill(organisation_ids: list[int]) -> int:
    """After organisations moved: their subtrees' assignments get their new ancestors."""
    from orgtree.subtree import subtree_q

    roots = list(Organisation.objects.filter(pk__in=organisation_ids))
    if not roots:
        return 0
    inside = subtree_q(roots[0], "organisation__", national=False)
    for root in roots[1:]:
        inside |= subtree_q(root, "organisation__", national=False)
    Assignment.objects.filter(inside).update(anc0=None)
    AssignmentMilestone.objects.filter(assignment__anc0__isnull=True).update(anc0=None)
    return fill_missing()
