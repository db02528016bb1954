"""Reads of reports, always through the scoped querysets."""

from __future__ import annotations

from django.db.models import QuerySet

from assignments import selectors as assignment_selectors
from assignments.models import Assignment
from orgtree.selectors import may

from .models import ProgressReport


def reports_of(assignment: Assignment) -> QuerySet:
    return assignment.reports.select_related("submitted_by", "reviewed_by").prefetch_related("attachments")


def review_queue(user) -> QuerySet:
    """待审核: submitted reports the user may review, oldest first."""
    return (
        ProgressReport.objects.for_user(user, "review")
        .filter(status=ProgressReport.Status.SUBMITTED)
        .select_related("assignment__task", "assignment__organisation", "submitted_by")
        .order_by("submitted_at")
    )


def assignment_page(user, assignment: Assignment) -> dict:
    """Everything the assignment page shows, and what the user may do there."""
    return {
        "assignment_milestones": assignment_selectors.assignment_milestones(assignment),
        "reports": reports_of(assignment),
        "events": assignment_selectors.timeline(assignment),
        "extensions": assignment_selectors.extension_requests(assignment),
        "received": assignment_selectors.is_received(assignment),
        "can_report": may(user, "report", assignment),
        "can_review": may(user, "review", assignment),
        "can_decide": may(user, "decide", assignment),
        "can_settle": may(user, "settle", assignment),
    }
