"""Reads of assignments, always through the scoped querysets."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Assignment, AssignmentContributor, AssignmentMilestone, ExtensionRequest


def assignments_to_report(user) -> QuerySet:
    """我的任务: the open assignments of the organisations the user reports for, grouped by plan."""
    return (
        Assignment.objects.for_user(user, "report")
        .open()
        .select_related("task", "plan", "organisation", "department")
        .order_by("plan_id", "task__order", "organisation_id")
    )


def contributions_owed(user) -> QuerySet:
    """配合: the open assignments where one of the user's departments is a 参与部门."""
    return (
        AssignmentContributor.objects.for_user(user, "contribute")
        .filter(assignment__status=Assignment.Status.ASSIGNED)
        .select_related("assignment__task", "assignment__plan", "assignment__organisation",
                        "assignment__department", "department")
        .order_by("assignment__plan_id", "assignment__task__order", "department_id")
    )  # fmt: skip


def next_due(assignment_ids: list[int]) -> dict[int, AssignmentMilestone]:
    """The next open dated milestone of each assignment (one query)."""
    rows = (
        AssignmentMilestone.objects.filter(
            assignment_id__in=assignment_ids, accepted_at__isnull=True, due_date__isnull=False
        )
        .select_related("milestone")
        .order_by("assignment_id", "due_date", "id")
    )
    found: dict[int, AssignmentMilestone] = {}
    for row in rows:
        found.setdefault(row.assignment_id, row)
    return found


def assignment_milestones(assignment: Assignment, *, open_only: bool = False) -> QuerySet:
    rows = assignment.milestones.select_related("milestone").order_by("milestone__order", "id")
    return rows.filter(accepted_at__isnull=True) if open_only else rows


def extension_requests(assignment: Assignment) -> QuerySet:
    return ExtensionRequest.objects.filter(assignment_milestone__assignment=assignment).select_related(
        "assignment_milestone__milestone"
    )


def timeline(assignment: Assignment) -> QuerySet:
    return assignment.events.select_related("actor")


def is_received(assignment: Assignment) -> bool:
    return assignment.events.filter(kind="received").exists()


# --- who answers for an assignment ---------------------------------------------------------------------

REPORTING_ROLES = ("reporter", "editor", "admin")


def responsible_users(pairs) -> dict[tuple[int, int | None], set[int]]:
    """Who reports on what an organisation received, as a whole (department None) or through one of its
    departments: the organisation's reporters, or the department's members; where nobody is named, the
    office's editors and admins. One query for all the pairs."""
    from orgtree.models import Membership

    pairs = set(pairs)
    members: dict[int, list[tuple[int | None, str, int]]] = {}
    rows = Membership.objects.filter(
        organisation_id__in={org for org, _ in pairs}, role__in=REPORTING_ROLES, user__is_active=True
    ).values_list("organisation_id", "department_id", "role", "user_id")
    for org, department, role, user in rows:
        members.setdefault(org, []).append((department, role, user))
    found = {}
    for org, department in pairs:
        people = members.get(org, [])
        if department is None:
            chosen = {u for d, r, u in people if r == "reporter"}
        else:
            chosen = {u for d, r, u in people if d == department}
        if not chosen:
            chosen = {u for d, r, u in people if r in ("editor", "admin") and d is None}
        found[(org, department)] = chosen
    return found


def leaders(org_ids) -> dict[int, set[int]]:
    """The leaders of each organisation (its viewers and admins), who hear of what is late."""
    from orgtree.models import Membership

    found: dict[int, set[int]] = {}
    rows = Membership.objects.filter(
        organisation_id__in=set(org_ids), role__in=("viewer", "admin"), user__is_active=True
    ).values_list("organisation_id", "user_id")
    for org, user in rows:
        found.setdefault(org, set()).add(user)
    return found


def contributors_users(assignment_ids) -> dict[int, set[int]]:
    """The members of each assignment's 参与部门."""
    from orgtree.models import Membership

    from .models import AssignmentContributor

    owed = list(
        AssignmentContributor.objects.filter(assignment_id__in=assignment_ids).values_list(
            "assignment_id", "department_id"
        )
    )
    people: dict[int, set[int]] = {}
    for department, user in Membership.objects.filter(
        department_id__in={d for _, d in owed}, user__is_active=True
    ).values_list("department_id", "user_id"):
        people.setdefault(department, set()).add(user)
    found: dict[int, set[int]] = {}
    for assignment, department in owed:
        found.setdefault(assignment, set()).update(people.get(department, set()))
    return found


def chain(assignment: Assignment) -> dict:
    """The assignment's place in its chain: the assignments above it (top first) and the parts below it,
    each with its depth — at most a few levels, read in one query per level."""
    above = []
    parent_id = assignment.parent_id
    while parent_id:
        parent = Assignment.objects.select_related("organisation", "department").get(pk=parent_id)
        above.insert(0, parent)
        parent_id = parent.parent_id
    below, level = [], [assignment.pk]
    while level:
        parts = list(
            Assignment.objects.filter(parent_id__in=level)
            .select_related("organisation", "department")
            .order_by("depth", "organisation__code", "organisation_id", "department_id")
        )
        below += parts
        level = [p.pk for p in parts]
    return {"above": above, "below": _tree_order(assignment.pk, below)}


def _tree_order(root: int, parts: list[Assignment]) -> list[Assignment]:
    children: dict[int, list[Assignment]] = {}
    for part in parts:
        children.setdefault(part.parent_id, []).append(part)
    ordered: list[Assignment] = []

    def visit(pk: int) -> None:
        for child in children.get(pk, []):
            ordered.append(child)
            visit(child.pk)

    visit(root)
    return ordered


def break_down_choices(assignment: Assignment):
    """Whom a receiver may hand an assignment on to: the organisations directly below it, and — for what
    it received as a whole — its office's departments."""
    from orgtree.models import Department, Organisation

    given = Assignment.objects.filter(parent_id=assignment.pk)  # already handed on: not offered again
    organisations = (
        Organisation.objects.filter(parent_id=assignment.organisation_id, is_active=True)
        .exclude(pk__in=given.filter(department__isnull=True).values("organisation_id"))
        .order_by("order", "code", "id")
    )
    departments = (
        Department.objects.none()
        if assignment.department_id
        else Department.objects.filter(organisation_id=assignment.organisation_id, is_active=True).exclude(
            pk__in=given.filter(department__isnull=False).values("department_id")
        )
    )
    return organisations, departments.order_by("order", "id")
