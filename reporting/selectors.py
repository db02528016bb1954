"""Reads of reports, always through the scoped querysets."""

from __future__ import annotations

from django.db.models import QuerySet

from assignments import selectors as assignment_selectors
from assignments.models import Assignment, AssignmentContributor, ExtensionRequest
from orgtree.selectors import may

from .models import Contribution, ProgressReport


def reports_of(assignment: Assignment) -> QuerySet:
    return assignment.reports.select_related("submitted_by", "reviewed_by").prefetch_related("attachments")


def review_queue(user) -> QuerySet:
    """待审核: submitted reports the user may review, oldest first."""
    return (
        ProgressReport.objects.for_user(user, "review")
        .filter(status=ProgressReport.Status.SUBMITTED)
        .select_related(
            "assignment__task", "assignment__organisation", "assignment__department", "submitted_by"
        )
        .order_by("submitted_at")
    )


def pending_extensions(user) -> QuerySet:
    """延期申请 waiting for the user's decision, oldest first (listed in 待审核 with the reports)."""
    return (
        ExtensionRequest.objects.for_user(user, "decide")
        .filter(status=ExtensionRequest.Status.PENDING)
        .select_related("assignment_milestone__assignment__task",
                        "assignment_milestone__assignment__organisation",
                        "assignment_milestone__assignment__department",
                        "assignment_milestone__milestone")
        .order_by("created_at")
    )  # fmt: skip


def contributions_of(assignment: Assignment, user) -> list[dict]:
    """Each 参与部门 with what it reported, period by period, and whether the user may write for it."""
    mine = set(AssignmentContributor.objects.for_user(user, "contribute").filter(assignment=assignment)
               .values_list("pk", flat=True))  # fmt: skip
    given: dict[int, list[Contribution]] = {}
    for c in assignment.contributions.select_related("submitted_by").order_by("-period"):
        given.setdefault(c.department_id, []).append(c)
    return [
        {"contributor": row, "contributions": given.get(row.department_id, []), "may_write": row.pk in mine}
        for row in assignment.contributors.select_related("department").order_by(
            "department__order", "department_id"
        )
    ]  # fmt: skip


def assignment_page(user, assignment: Assignment) -> dict:
    """Everything the assignment page shows, and what the user may do there."""
    can_break_down = may(user, "break_down", assignment)
    return {
        "assignment_milestones": assignment_selectors.assignment_milestones(assignment),
        "reports": reports_of(assignment),
        "events": assignment_selectors.timeline(assignment),
        "extensions": assignment_selectors.extension_requests(assignment),
        "received": assignment_selectors.is_received(assignment),
        "chain": assignment_selectors.chain(assignment),
        "contributors": contributions_of(assignment, user),
        "can_report": may(user, "report", assignment),
        "can_review": may(user, "review", assignment),
        "can_decide": may(user, "decide", assignment),
        "can_settle": may(user, "settle", assignment),
        "can_urge": may(user, "urge", assignment),
        "can_break_down": can_break_down,
    }
