"""Publishing a plan (交办): each task to its recipients — the issuer's own departments (the 牵头部门 answers
for the task, the 参与部门 contribute), every organisation of some levels below the issuer, or named
organisations below it. A few INSERT … SELECT statements per rule, whatever the size of the tree;
publishing again adds only what is missing. A preview tells who receives what before anything is written,
and what must be decided first (a task without a date must get one or be made 常态化).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from core.jobs import enqueue
from orgtree.models import Department, Organisation
from orgtree.subtree import contains, subtree_q
from plans.models import Milestone, Plan, Task
from plans.services import plan_change_record

from .ancestors import fill_missing
from .models import Assignment, AssignmentContributor, AssignmentEvent, AssignmentMilestone
from .services import progress_changed_after_commit

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
INTERNAL_LABEL = "本单位部门（牵头部门承办，参与部门配合）"


@dataclass
class Recipients:
    """Who receives a task. `within` narrows the levels to one organisation's subtree."""

    internal: bool = False
    levels: list[str] = field(default_factory=list)
    organisations: list[int] = field(default_factory=list)
    within: Organisation | None = None

    @classmethod
    def of(cls, data: dict | None) -> Recipients:
        data = data or {}
        return cls(
            internal=bool(data.get("internal")),
            levels=[str(x) for x in data.get("levels") or []],
            organisations=[int(x) for x in data.get("organisations") or [] if str(x).isdigit()],
        )

    def as_json(self) -> dict:
        return {
            "internal": self.internal,
            "levels": list(self.levels),
            "organisations": list(self.organisations),
        }

    def __bool__(self) -> bool:
        return self.internal or bool(self.levels) or bool(self.organisations)


@dataclass
class Rule:
    """These tasks (None: all of the plan's) go to these recipients."""

    tasks: list[int] | None
    recipients: Recipients


def rules_from_tasks(plan: Plan) -> list[Rule]:
    """The plan's own 交办方案: each task's stored recipients (read from its table or set on the publish
    page), tasks with the same recipients together."""
    grouped: dict[str, Rule] = {}
    for pk, data in plan.tasks.order_by("order", "id").values_list("pk", "recipients"):
        recipients = Recipients.of(data)
        if not recipients:
            continue
        key = repr(sorted(recipients.as_json().items()))
        grouped.setdefault(key, Rule([], recipients)).tasks.append(pk)
    return list(grouped.values())


def _issuer(plan: Plan) -> Organisation:
    # A fresh row: a tree write since this instance was loaded may have moved its lft/rght.
    return Organisation.objects.get(pk=plan.organisation_id)


def _organisations(issuer: Organisation, recipients: Recipients):
    """The organisations a rule reaches (a queryset), checked to be below the issuer."""
    unknown = [level for level in recipients.levels if level not in PUBLISH_LEVELS]
    if unknown:
        raise ValidationError(f"未知的下发层级：{'、'.join(unknown)}；可选 {'、'.join(PUBLISH_LEVELS)}")
    found = Organisation.objects.none()
    if recipients.levels:
        scope = Organisation.objects.get(pk=recipients.within.pk) if recipients.within else issuer
        if not contains(issuer, scope):
            raise ValidationError(f"“{scope.name}”不在发文组织“{issuer.name}”的下级范围内")
        types = [t for level in recipients.levels for t in PUBLISH_LEVELS[level]]
        found = (
            Organisation.objects.filter(org_type__in=types, is_active=True)
            .filter(subtree_q(scope, include_self=False))
            .exclude(pk=issuer.pk)
        )
    if recipients.organisations:
        named = Organisation.objects.filter(pk__in=recipients.organisations, is_active=True)
        outside = named.exclude(subtree_q(issuer, include_self=False))
        if outside.exists():
            names = "、".join(outside.values_list("name", flat=True)[:5])
            raise ValidationError(f"“{names}”不在发文组织“{issuer.name}”的下级范围内")
        if named.count() != len(set(recipients.organisations)):
            raise ValidationError("所选组织中有不存在或已撤销的组织")
        found = found | named if recipients.levels else named
    return found


def _task_ids(plan: Plan, rule: Rule) -> list[int]:
    ids = list(plan.tasks.values_list("pk", flat=True))
    if rule.tasks is None:
        return ids
    unknown = set(rule.tasks) - set(ids)
    if unknown:
        raise ValidationError("所选任务不属于这个计划")
    return list(dict.fromkeys(rule.tasks))


def lead_departments(task_ids: list[int]) -> dict[int, int]:
    """Each task's 牵头部门 (the first, when a table names several): one query."""
    through = Task.lead_departments.through
    found: dict[int, int] = {}
    rows = through.objects.filter(task_id__in=task_ids).order_by(
        "task_id", "department__order", "department_id"
    )
    for task_id, department_id in rows.values_list("task_id", "department_id"):
        found.setdefault(task_id, department_id)
    return found


def undated_tasks(plan: Plan, task_ids=None):
    """Tasks with no dated milestone that are not 常态化: publishing them needs a decision first."""
    dated = Milestone.objects.filter(task_id=models.OuterRef("pk"), due_date__isnull=False)
    tasks = plan.tasks.filter(routine=False).exclude(models.Exists(dated))
    return tasks.filter(pk__in=task_ids) if task_ids is not None else tasks


def plan_publish_preview(
    *, plan: Plan, levels: list[str] | None = None, within: Organisation | None = None,
    rules: list[Rule] | None = None, routine_undated: bool = False,
) -> dict:  # fmt: skip
    """Who would receive what: per rule and per level, the organisations; the departments for the
    internal rule; and the problems that stop a publish (one aggregate per rule)."""
    rules = _rules(levels, within, rules)
    issuer = _issuer(plan)
    milestones_per_task = dict(
        Milestone.objects.filter(task__plan=plan).values("task_id").annotate(n=models.Count("id"))
        .values_list("task_id", "n")
    )  # fmt: skip
    seqs = dict(plan.tasks.values_list("pk", "seq"))
    totals = {"assignments": 0, "copies": 0, "departments": set(), "tasks": set()}
    reached = []
    by_level: dict[str, int] = {}
    problems: list[str] = []
    described = []
    for rule in rules:
        task_ids = _task_ids(plan, rule)
        if not task_ids:
            continue
        totals["tasks"].update(task_ids)
        copies = sum(milestones_per_task.get(pk, 0) for pk in task_ids)
        receivers = _organisations(issuer, rule.recipients)
        by_type = dict(
            receivers.order_by()
            .values("org_type")
            .annotate(n=models.Count("id"))
            .values_list("org_type", "n")
        )
        n_orgs = sum(by_type.values())
        for level in rule.recipients.levels:
            by_level[level] = by_level.get(level, 0) + sum(by_type.get(t, 0) for t in PUBLISH_LEVELS[level])
        if rule.recipients.organisations:
            by_level["named"] = by_level.get("named", 0) + len(set(rule.recipients.organisations))
        reached.append(receivers)
        totals["assignments"] += n_orgs * len(task_ids)
        totals["copies"] += n_orgs * copies
        parts = []
        if rule.recipients.internal:
            leads = lead_departments(task_ids)
            missing = [seqs[pk] for pk in task_ids if pk not in leads]
            if missing:
                problems.append(f"任务 {'、'.join(missing[:20])} 没有牵头部门，不能交办给本单位部门")
            totals["departments"].update(leads.values())
            totals["assignments"] += len(leads)
            totals["copies"] += sum(milestones_per_task.get(pk, 0) for pk in leads)
            parts.append(INTERNAL_LABEL)
        parts += [LEVEL_LABELS[level] for level in rule.recipients.levels]
        if rule.recipients.organisations:
            parts.append(f"指定的 {len(set(rule.recipients.organisations))} 个组织")
        described.append({
            "tasks": [seqs[pk] for pk in task_ids], "recipients": "、".join(parts), "organisations": n_orgs,
        })  # fmt: skip
    undated = (
        [] if routine_undated else list(undated_tasks(plan, totals["tasks"]).values_list("seq", flat=True))
    )
    if undated:
        problems.append(
            f"任务 {'、'.join(undated[:20])} 没有时间节点：请补充时间，或标为常态化并选择报告频次后再下发"
        )
    unassigned = [seq for pk, seq in seqs.items() if pk not in totals["tasks"]]
    return {
        "levels": [
            {"level": level, "label": LEVEL_LABELS.get(level, "指定组织"), "organisations": n}
            for level, n in by_level.items()
        ],
        # Organisations reached by several rules count once (one query over all of them).
        "organisations": _union(reached).count() if reached else 0,
        "departments": len(totals["departments"]),
        "tasks": len(totals["tasks"]),
        "assignments": totals["assignments"],
        # "milestone_copies" is the name operators' scripts know (publish_plan --json).
        "milestone_copies": totals["copies"],
        "assignment_milestones": totals["copies"],
        "rules": described,
        "unassigned_tasks": unassigned,
        "undated_tasks": undated,
        "problems": problems,
    }


def _union(querysets):
    combined = querysets[0]
    for more in querysets[1:]:
        combined = combined | more
    return combined.order_by()


def _rules(levels, within, rules) -> list[Rule]:
    if rules is not None:
        if not rules or not any(rule.recipients for rule in rules):
            raise ValidationError("没有任何任务指定了接收方")
        return rules
    if not levels:
        raise ValidationError("未知的下发层级：（未选择）；可选 " + "、".join(PUBLISH_LEVELS))
    return [Rule(None, Recipients(levels=list(levels), within=within))]


@transaction.atomic
def plan_publish(
    *, plan: Plan, levels: list[str] | None = None, within: Organisation | None = None,
    rules: list[Rule] | None = None, routine_undated: bool = False, user=None,
) -> dict:  # fmt: skip
    """Hand the plan's tasks to their recipients. Refused, with nothing written, while the preview names
    a problem (an undated task not made 常态化, an internal task without 牵头部门). `routine_undated`:
    the decision for undated tasks is made beforehand — they become 常态化 (the command's default)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("已归档的计划不能下发")
    if not plan.tasks.exists():
        raise ValidationError("计划中没有任务，无法下发")
    rules = _rules(levels, within, rules)
    preview = plan_publish_preview(plan=plan, rules=rules, routine_undated=routine_undated)
    if preview["problems"]:
        raise ValidationError(preview["problems"])
    made_routine = []
    if routine_undated:
        scope = {pk for rule in rules for pk in _task_ids(plan, rule)}
        undated = undated_tasks(plan, scope)
        made_routine = list(undated.values_list("seq", flat=True))
        undated.update(routine=True)
    issuer = _issuer(plan)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)  # as the ORM writes it, so that it finds it again
    created = 0
    with connection.cursor() as cursor:
        for rule in rules:
            task_ids = _task_ids(plan, rule)
            if rule.recipients.levels or rule.recipients.organisations:
                receivers = _organisations(issuer, rule.recipients)
                created += _insert_for_organisations(cursor, plan, task_ids, receivers, stamp)
            if rule.recipients.internal:
                created += _insert_internal(cursor, plan, task_ids, stamp)
        dated = _insert_copies(cursor, plan)
        _insert_contributors(cursor, plan)
        _record_assigned(cursor, plan, stamp, user)
    fill_missing()
    if plan.status == Plan.Status.DRAFT:
        plan.status = Plan.Status.PUBLISHED
        plan.save(update_fields=["status", "updated_at"])
    result = {
        "assignments_created": created,
        "milestone_copies_created": dated,
        "assignment_milestones_created": dated,
        "routine_tasks": made_routine,
    }
    detail = {"rules": [{"tasks": r.tasks, **r.recipients.as_json(),
                         "within": r.recipients.within.pk if r.recipients.within else None} for r in rules],
              "assignments_created": created, "milestone_copies_created": dated}  # fmt: skip
    if levels is not None:
        detail["levels"] = levels
    plan_change_record(plan, user, "publish", **detail)
    progress_changed_after_commit(plan.pk)  # states at once, not at the next refresh
    if created:  # who received something is told, on a worker
        from .tasks import notify_published_task

        transaction.on_commit(lambda: enqueue(notify_published_task, plan.pk, now.isoformat()))
    return result


def _task_filter(task_ids: list[int]) -> tuple[str, list]:
    return f"t.id IN ({', '.join(['%s'] * len(task_ids))})", list(task_ids)


def _insert_for_organisations(cursor, plan: Plan, task_ids: list[int], receivers, now) -> int:
    if not task_ids:
        return 0
    a, t = Assignment._meta.db_table, Task._meta.db_table
    receiver_sql, receiver_params = receivers.order_by().values("id").query.sql_with_params()
    tasks_sql, tasks_params = _task_filter(task_ids)
    cursor.execute(
        f"INSERT INTO {a} (plan_id, task_id, issuer_id, organisation_id, status, created_at) "
        f"SELECT t.plan_id, t.id, t.organisation_id, o.id, %s, %s FROM {t} t CROSS JOIN ({receiver_sql}) o "
        f"WHERE t.plan_id = %s AND {tasks_sql} ON CONFLICT DO NOTHING",
        [Assignment.Status.ASSIGNED, now, *receiver_params, plan.pk, *tasks_params],
    )
    return cursor.rowcount


def _insert_internal(cursor, plan: Plan, task_ids: list[int], now) -> int:
    """One assignment per task, to its 牵头部门 in the issuer's own office."""
    if not task_ids:
        return 0
    a, t = Assignment._meta.db_table, Task._meta.db_table
    lead, d = Task.lead_departments.through._meta.db_table, Department._meta.db_table
    tasks_sql, tasks_params = _task_filter(task_ids)
    first_lead = (
        f"(SELECT x.department_id FROM {lead} x JOIN {d} dd ON dd.id = x.department_id "
        f'WHERE x.task_id = t.id ORDER BY dd."order", dd.id LIMIT 1)'
    )
    cursor.execute(
        f"INSERT INTO {a} (plan_id, task_id, issuer_id, organisation_id, department_id, status, created_at) "
        f"SELECT t.plan_id, t.id, t.organisation_id, t.organisation_id, {first_lead}, %s, %s FROM {t} t "
        f"WHERE t.plan_id = %s AND {tasks_sql} AND {first_lead} IS NOT NULL ON CONFLICT DO NOTHING",
        [Assignment.Status.ASSIGNED, now, plan.pk, *tasks_params],
    )
    return cursor.rowcount


def _insert_copies(cursor, plan: Plan) -> int:
    """The receivers' copies of the milestones, for assignments straight from the plan (parts of a chain
    get theirs from the assignment they were broken out of)."""
    a, am, m = Assignment._meta.db_table, AssignmentMilestone._meta.db_table, Milestone._meta.db_table
    cursor.execute(
        f"INSERT INTO {am} (assignment_id, milestone_id, start_date, due_date) "
        f"SELECT a.id, m.id, m.start_date, m.due_date FROM {a} a "
        f"JOIN {m} m ON m.task_id = a.task_id WHERE a.plan_id = %s AND a.parent_id IS NULL "
        # Copies due on the same day side by side: the day's refresh then writes a few pages, not one
        # page per copy.
        "ORDER BY m.due_date NULLS LAST, m.id, a.id ON CONFLICT DO NOTHING",
        [plan.pk],
    )
    return cursor.rowcount


def _insert_contributors(cursor, plan: Plan) -> None:
    """The task's other 牵头 and its 参与部门 contribute to the internal assignment."""
    a, c = Assignment._meta.db_table, AssignmentContributor._meta.db_table
    for through in (Task.participating_departments.through, Task.lead_departments.through):
        cursor.execute(
            f"INSERT INTO {c} (assignment_id, department_id) SELECT a.id, x.department_id FROM {a} a "
            f"JOIN {through._meta.db_table} x ON x.task_id = a.task_id WHERE a.plan_id = %s "
            "AND a.department_id IS NOT NULL AND a.parent_id IS NULL AND a.organisation_id = a.issuer_id "
            "AND x.department_id <> a.department_id ON CONFLICT DO NOTHING",
            [plan.pk],
        )


def _record_assigned(cursor, plan: Plan, now, user) -> None:
    """交办 on the timeline of every assignment this publish created (they share its timestamp)."""
    a, e = Assignment._meta.db_table, AssignmentEvent._meta.db_table
    cursor.execute(
        f"INSERT INTO {e} (assignment_id, kind, actor_id, comment, created_at) "
        f"SELECT a.id, %s, %s, %s, %s FROM {a} a WHERE a.plan_id = %s AND a.created_at = %s",
        [AssignmentEvent.Kind.ASSIGNED, getattr(user, "pk", None), "", now, plan.pk, now],
    )


@transaction.atomic
def recipients_set(*, plan: Plan, task_ids: list[int], recipients: Recipients, user=None) -> int:
    """The 交办方案 for some of the plan's tasks: who receives them when the plan is published. Checked
    now (levels known, organisations below the issuer) and again at publish; kept on the tasks."""
    if not task_ids:
        raise ValidationError({"tasks": "请选择要设置接收方的任务"})
    if not recipients:
        raise ValidationError("请至少选择一种接收方：本单位部门、下级层级或指定组织")
    _task_ids(plan, Rule(task_ids, recipients))
    _organisations(_issuer(plan), recipients)
    updated = plan.tasks.filter(pk__in=task_ids).update(recipients=recipients.as_json())
    plan_change_record(plan, user, "recipients", tasks=len(task_ids), **recipients.as_json())
    return updated
