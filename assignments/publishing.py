"""Publishing a plan (交办): every task handed to every organisation of the chosen levels below the issuer,
in two INSERT … SELECT statements whatever the size of the tree. Publishing again adds only what is
missing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from orgtree.models import Organisation
from orgtree.subtree import contains, subtree_q
from plans.models import Milestone, Plan, Task
from plans.services import plan_change_record

from .models import Assignment, AssignmentMilestone

PUBLISH_LEVELS = {
    "province": ["province"],
    "city": ["city"],
    "county": ["county"],
    "township": ["township", "street"],
    "school": ["school"],
    "enterprise": ["enterprise"],
    "organ": ["organ"],
    "branch": ["general_branch", "branch"],
}
LEVEL_LABELS = {
    "province": "团省委", "city": "团市委", "county": "团县（市、区）委", "township": "乡镇（街道）团委",
    "school": "学校团委", "enterprise": "企业团委", "organ": "机关团工委", "branch": "团总支、团支部",
}  # fmt: skip


def _receivers(plan: Plan, levels: list[str], within: Organisation | None):
    unknown = [level for level in levels if level not in PUBLISH_LEVELS]
    if unknown or not levels:
        raise ValidationError(
            f"未知的下发层级：{'、'.join(unknown) or '（未选择）'}；可选 {'、'.join(PUBLISH_LEVELS)}"
        )
    # Fresh rows: a tree write since these instances were loaded may have moved their lft/rght.
    issuer = Organisation.objects.get(pk=plan.organisation_id)
    scope = Organisation.objects.get(pk=within.pk) if within is not None else issuer
    if not contains(issuer, scope):
        raise ValidationError(f"“{scope.name}”不在发文组织“{issuer.name}”的下级范围内")
    types = [t for level in levels for t in PUBLISH_LEVELS[level]]
    return (
        Organisation.objects.filter(org_type__in=types, is_active=True)
        .filter(subtree_q(scope, include_self=False))
        .exclude(pk=issuer.pk)
    )


def plan_publish_preview(*, plan: Plan, levels: list[str], within: Organisation | None = None) -> dict:
    """How many organisations of each level would receive how many assignments (one aggregate)."""
    receivers = _receivers(plan, levels, within)
    by_type = dict(
        receivers.order_by().values("org_type").annotate(n=models.Count("id")).values_list("org_type", "n")
    )
    tasks = plan.tasks.count()
    milestones = Milestone.objects.filter(task__plan=plan).count()
    organisations = sum(by_type.values())
    return {
        "levels": [
            {
                "level": level,
                "label": LEVEL_LABELS[level],
                "organisations": sum(by_type.get(t, 0) for t in PUBLISH_LEVELS[level]),
            }
            for level in levels
        ],
        "organisations": organisations,
        "tasks": tasks,
        "assignments": organisations * tasks,
        # "milestone_copies" is the name operators' scripts know (publish_plan --json).
        "milestone_copies": organisations * milestones,
        "assignment_milestones": organisations * milestones,
    }


@transaction.atomic
def plan_publish(*, plan: Plan, levels: list[str], within: Organisation | None = None, user=None) -> dict:
    """Hand every task of the plan to every organisation of the chosen levels: two INSERT … SELECT
    statements, whatever the size of the tree. Publishing again adds only what is missing."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("已归档的计划不能下发")
    if not plan.tasks.exists():
        raise ValidationError("计划中没有任务，无法下发")
    receivers = _receivers(plan, levels, within)
    receiver_sql, receiver_params = receivers.values("id").query.sql_with_params()
    assignments, assignment_milestones = Assignment._meta.db_table, AssignmentMilestone._meta.db_table
    tasks, milestones = Task._meta.db_table, Milestone._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {assignments} (plan_id, task_id, organisation_id, status, created_at) "
            f"SELECT t.plan_id, t.id, o.id, %s, %s FROM {tasks} t CROSS JOIN ({receiver_sql}) o "
            "WHERE t.plan_id = %s ON CONFLICT DO NOTHING",
            [Assignment.Status.ASSIGNED, timezone.now(), *receiver_params, plan.pk],
        )
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {assignment_milestones} (assignment_id, milestone_id, start_date, due_date) "
            f"SELECT a.id, m.id, m.start_date, m.due_date FROM {assignments} a "
            f"JOIN {milestones} m ON m.task_id = a.task_id WHERE a.plan_id = %s ON CONFLICT DO NOTHING",
            [plan.pk],
        )
        dated = cursor.rowcount
    if plan.status == Plan.Status.DRAFT:
        plan.status = Plan.Status.PUBLISHED
        plan.save(update_fields=["status", "updated_at"])
    result = {
        "assignments_created": created,
        "milestone_copies_created": dated,
        "assignment_milestones_created": dated,
    }
    detail = {"levels": levels, "within": within.pk if within else None,
              "assignments_created": created, "milestone_copies_created": dated}  # fmt: skip
    plan_change_record(plan, user, "publish", **detail)
    return result
