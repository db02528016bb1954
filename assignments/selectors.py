"""Reads of assignments, always through the scoped querysets."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Assignment, AssignmentMilestone, ExtensionRequest


def assignments_to_report(user) -> QuerySet:
    """我的任务: the open assignments of the organisations the user reports for, grouped by plan."""
    return (
        Assignment.objects.for_user(user, "report")
        .open()
        .select_related("task", "plan", "organisation")
        .order_by("plan_id", "task__order", "organisation_id")
    )


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
