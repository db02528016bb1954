"""Reads of plans, always through the scoped querysets."""

from django.db.models import Count, Prefetch, QuerySet

from orgtree.models import Organisation
from orgtree.querysets import user_scopes

from .models import Milestone, Plan, Section, Task


def plans_for(user) -> QuerySet:
    return (
        Plan.objects.for_user(user)
        .select_related("organisation")
        .annotate(task_count=Count("tasks"))
        .order_by("-start_year", "-id")
    )


def plan_tasks_queryset() -> QuerySet:
    """Tasks with everything a task row shows, in a fixed number of queries."""
    return Task.objects.select_related("section").prefetch_related(
        "lead_departments",
        "participating_departments",
        Prefetch("milestones", queryset=Milestone.objects.order_by("order", "id")),
    )


def plan_tasks(plan: Plan) -> QuerySet:
    return plan_tasks_queryset().filter(plan=plan).order_by("order", "id")


def plan_sections(plan: Plan) -> dict[int, Section]:
    return {s.pk: s for s in Section.objects.filter(plan=plan)}


def issuing_organisations(user) -> QuerySet:
    """Where the user may issue plans: the organisations of its editor/admin memberships."""
    scopes = user_scopes(user, "edit")
    if scopes is None:
        return Organisation.objects.filter(parent__isnull=True).order_by("tree_id")
    return Organisation.objects.filter(pk__in=[s.org_id for s in scopes], is_active=True).order_by(
        "tree_id", "lft"
    )
