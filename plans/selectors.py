"""Reads of plans, always through the scoped querysets."""

from django.db.models import Count, Prefetch, Q, QuerySet

from orgtree.models import Organisation
from orgtree.querysets import user_scopes
from orgtree.selectors import get_object_for_user

from .models import Milestone, Plan, Section, Task


def plans_for(user) -> QuerySet:
    return (
        Plan.objects.for_user(user)
        .select_related("organisation")
        .annotate(task_count=Count("tasks"))
        .order_by("-start_year", "-id")
    )


def received_plans(user) -> QuerySet:
    """Plans issued above the user that hand work to the user's organisations or below them, each with how
    many assignments it hands there; plans the user sees in full are not repeated. Assignments are read
    through their own scoped queryset, reached by the reverse relation because assignments sits above."""
    assignment_model = Plan._meta.get_field("assignments").related_model
    handed = assignment_model.objects.for_user(user, "view_received")
    return (
        Plan.objects.filter(pk__in=handed.values("plan_id"))
        .exclude(pk__in=Plan.objects.for_user(user).values("pk"))
        .select_related("organisation")
        .annotate(received_count=Count("assignments", filter=Q(assignments__in=handed.values("pk"))))
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


def task_for_user(user, pk: int, action: str = "edit") -> Task:
    return get_object_for_user(plan_tasks_queryset().select_related("plan", "section"), user, action, pk=pk)


def next_seq(plan: Plan) -> str:
    """The 序号 a new task is offered: one more than the plan has tasks."""
    return str(plan.tasks.count() + 1)


def section_paths(plan: Plan) -> dict[int, list[Section]]:
    """Each section of the plan with the headings above it, top first (one query)."""
    sections = {s.pk: s for s in Section.objects.filter(plan=plan)}
    paths: dict[int, list[Section]] = {}
    for pk, section in sections.items():
        path, node = [], section
        while node is not None and len(path) < 20:
            path.insert(0, node)
            node = sections.get(node.parent_id)
        paths[pk] = path
    return paths


def section_titles(plan: Plan) -> dict[int, list[str]]:
    return {pk: [s.title for s in path] for pk, path in section_paths(plan).items()}


def plan_changes(plan: Plan, limit: int = 20) -> QuerySet:
    return plan.changes.select_related("actor")[:limit]


def issuing_organisations(user) -> QuerySet:
    """Where the user may issue plans: the organisations of its editor/admin memberships."""
    scopes = user_scopes(user, "edit")
    if scopes is None:
        return Organisation.objects.filter(parent__isnull=True).order_by("tree_id")
    return Organisation.objects.filter(pk__in=[s.org_id for s in scopes], is_active=True).order_by(
        "tree_id", "lft"
    )


def plan_by_ref(reference) -> Plan:
    """The plan an operator names by id or 文号; LookupError (with the message to show) otherwise."""
    reference = str(reference or "").strip()
    plans = Plan.objects.select_related("organisation")
    found = plans.filter(pk=int(reference)).first() if reference.isdigit() else None
    if found is None:
        matches = list(plans.filter(doc_number=reference)[:2])
        if len(matches) > 1:
            raise LookupError(f"文号“{reference}”对应多个计划，请改用计划 ID")
        found = matches[0] if matches else None
    if found is None:
        raise LookupError(f"找不到计划 {reference}（请填写计划 ID 或文号）")
    return found
