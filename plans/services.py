"""Plan imports (preview, then confirm in one transaction) and other writes to plans."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from orgtree.models import Department, Organisation

from .importers import PlanFileError, read_plan_table
from .models import Assignment, AssignmentMilestone, Milestone, Plan, PlanChange, PlanImport, Section, Task
from .schedule import REVIEW, parse_schedule


class PlanImportRejected(Exception):
    """The file cannot be imported; `preview` holds the errors (or `message` the reason)."""

    def __init__(self, message: str, preview: dict | None = None):
        super().__init__(message)
        self.message = message
        self.preview = preview or {"tasks": [], "errors": [{"row": None, "message": message}], "warnings": []}


def _existing_plan(organisation: Organisation, title: str, doc_number: str) -> Plan | None:
    plans = Plan.objects.filter(organisation=organisation)
    if doc_number:
        found = plans.filter(doc_number=doc_number).first()
        if found:
            return found
    return plans.filter(title=title).first() if title else None


def _task_state(task: Task, section_paths: dict[int, list[str]]) -> dict:
    return {
        "title": task.title,
        "summary": task.summary,
        "schedule": task.schedule_text,
        "section": section_paths.get(task.section_id, []),
        "lead_departments": sorted(d.name for d in task.lead_departments.all()),
        "participating_departments": sorted(d.name for d in task.participating_departments.all()),
    }


def _section_paths(plan: Plan) -> dict[int, list[str]]:
    sections = {s.pk: s for s in plan.sections.all()}
    paths: dict[int, list[str]] = {}
    for pk in sections:
        path, node = [], sections[pk]
        while node is not None and len(path) < 20:
            path.insert(0, node.title)
            node = sections.get(node.parent_id)
        paths[pk] = path
    return paths


def preview_plan_import(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    plan: Plan | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
) -> dict:
    """What importing the file would do, as a JSON-able dict; writes nothing."""
    try:
        table = read_plan_table(filename, content)
    except PlanFileError as exc:
        raise PlanImportRejected(str(exc)) from exc
    warnings = list(table.warnings)
    first = start_year or table.start_year
    last = end_year or table.end_year or first
    if first is None:
        first = last = timezone.localdate().year
        warnings.append(f"未能从标题识别年度，按 {first} 年处理")
    if last < first:
        first, last = last, first
    if plan is None:
        plan = _existing_plan(organisation, table.title, table.doc_number)
    existing: dict[str, dict] = {}
    if plan is not None:
        paths = _section_paths(plan)
        for task in plan.tasks.prefetch_related("lead_departments", "participating_departments"):
            existing[task.seq] = _task_state(task, paths)
    known_departments = set(organisation.departments.values_list("name", flat=True))
    new_departments: list[str] = []
    tasks = []
    counts = defaultdict(int)
    for row in table.tasks:
        milestones = parse_schedule(row.schedule, first, last)
        for milestone in milestones:
            if milestone.kind == REVIEW:
                phrase = milestone.raw[:30]
                warnings.append(
                    f"第 {row.row} 行（序号 {row.seq}）：进度安排“{phrase}”未识别出时间，需人工确认"
                )
        for name in [*row.lead, *row.participating]:
            if name not in known_departments and name not in new_departments:
                new_departments.append(name)
        state = {
            "title": row.title,
            "summary": row.summary,
            "schedule": row.schedule,
            "section": row.section,
            "lead_departments": sorted(row.lead),
            "participating_departments": sorted(row.participating),
        }
        change = (
            "new" if row.seq not in existing else ("unchanged" if existing[row.seq] == state else "update")
        )
        counts[change] += 1
        tasks.append(
            {
                "row": row.row,
                "seq": row.seq,
                "title": row.title,
                "section": row.section,
                "summary": row.summary,
                "schedule": row.schedule,
                "lead_departments": row.lead,
                "participating_departments": row.participating,
                "milestones": [m.as_dict() for m in milestones],
                "change": change,
            }
        )
    file_seqs = {row.seq for row in table.tasks}
    kept = [seq for seq in existing if seq not in file_seqs]
    if kept:
        warnings.append(f"计划中已有、文件中没有的 {len(kept)} 项任务保持不变（序号 {'、'.join(kept[:10])}）")
    return {
        "title": table.title or (plan.title if plan else ""),
        "doc_number": table.doc_number,
        "start_year": first,
        "end_year": last,
        "plan": {"id": plan.pk, "title": plan.title} if plan else None,
        "tasks": tasks,
        "new_departments": new_departments,
        "errors": table.errors,
        "warnings": warnings,
        "summary": {
            "tasks": len(tasks),
            "new": counts["new"],
            "update": counts["update"],
            "unchanged": counts["unchanged"],
            "milestones": sum(len(t["milestones"]) for t in tasks),
            "kept": len(kept),
        },
    }


def preview_digest(preview: dict) -> str:
    return hashlib.sha256(json.dumps(preview, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def commit_plan_import(
    *, organisation: Organisation, preview: dict, user=None, plan: Plan | None = None
) -> Plan:
    """Write a preview: the plan, new departments, sections, tasks and milestones — all or nothing."""
    if preview["errors"]:
        raise PlanImportRejected("文件有错误，未导入任何内容", preview)
    if not preview["title"]:
        raise PlanImportRejected("文件没有标题行，无法确定计划名称；请在表头上方加一行标题")
    if plan is None and preview["plan"]:
        plan = Plan.objects.select_for_update().get(pk=preview["plan"]["id"], organisation=organisation)
    if plan is None:
        plan = Plan.objects.create(
            title=preview["title"][:200],
            doc_number=preview["doc_number"][:60],
            organisation=organisation,
            start_year=preview["start_year"],
            end_year=preview["end_year"],
            created_by=user if user is not None and user.is_authenticated else None,
        )
    else:
        plan.start_year, plan.end_year = preview["start_year"], preview["end_year"]
        plan.save(update_fields=["start_year", "end_year", "updated_at"])

    departments = {d.name: d for d in organisation.departments.all()}
    missing = [name for name in preview["new_departments"] if name not in departments]
    start = len(departments)
    for offset, department in enumerate(
        Department.objects.bulk_create(
            [
                Department(organisation=organisation, name=n, order=start + i + 1)
                for i, n in enumerate(missing)
            ]
        )
    ):
        departments[missing[offset]] = department

    section_ids = _ensure_sections(plan, [t["section"] for t in preview["tasks"]])
    existing = {t.seq: t for t in plan.tasks.all()}
    to_create, to_update, touched = [], [], []
    for order, item in enumerate(preview["tasks"], start=1):
        section_id = section_ids.get(tuple(item["section"])) if item["section"] else None
        task = existing.get(item["seq"])
        if task is None:
            task = Task(plan=plan, organisation=organisation, seq=item["seq"])
            to_create.append(task)
        elif item["change"] == "unchanged":
            continue
        else:
            to_update.append(task)
        task.order, task.title, task.summary = order, item["title"][:300], item["summary"]
        task.schedule_text, task.section_id = item["schedule"], section_id
        touched.append((task, item))
    Task.objects.bulk_create(to_create, batch_size=2000)
    Task.objects.bulk_update(
        to_update, ["order", "title", "summary", "schedule_text", "section_id", "updated_at"], batch_size=2000
    )
    _replace_children(touched, departments)
    return plan


def _ensure_sections(plan: Plan, paths: list[list[str]]) -> dict[tuple, int]:
    known = {tuple(path): pk for pk, path in _section_paths(plan).items()}
    wanted = sorted({tuple(p[: i + 1]) for p in paths if p for i in range(len(p))}, key=len)
    for path in wanted:
        if path not in known:
            parent = known.get(path[:-1]) if len(path) > 1 else None
            order = sum(1 for other in known if len(other) == len(path) and other[:-1] == path[:-1]) + 1
            known[path] = Section.objects.create(plan=plan, parent_id=parent, title=path[-1], order=order).pk
    return known


def _replace_children(touched: list[tuple[Task, dict]], departments: dict[str, Department]) -> None:
    """Milestones and department links of the written tasks, replaced in bulk."""
    if not touched:
        return
    ids = [task.pk for task, _ in touched]
    Milestone.objects.filter(task_id__in=ids).delete()
    Lead = Task.lead_departments.through
    Participating = Task.participating_departments.through
    Lead.objects.filter(task_id__in=ids).delete()
    Participating.objects.filter(task_id__in=ids).delete()
    milestones, leads, participants = [], [], []
    for task, item in touched:
        for order, m in enumerate(item["milestones"], start=1):
            milestones.append(
                Milestone(
                    task=task,
                    raw=m["raw"],
                    start_date=m["start"],
                    due_date=m["due"],
                    kind=m["kind"],
                    order=order,
                )
            )
        leads += [Lead(task_id=task.pk, department_id=departments[n].pk) for n in item["lead_departments"]]
        participants += [
            Participating(task_id=task.pk, department_id=departments[n].pk)
            for n in item["participating_departments"]
        ]
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    Lead.objects.bulk_create(leads, batch_size=5000)
    Participating.objects.bulk_create(participants, batch_size=5000)


def stage_plan_import(*, organisation: Organisation, filename: str, content: bytes, user=None) -> PlanImport:
    """Step one in the browser: keep the upload and its preview; nothing of the plan is written."""
    preview = preview_plan_import(organisation=organisation, filename=filename, content=content)
    return PlanImport.objects.create(
        organisation=organisation,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        preview=preview,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def confirm_plan_import(*, staged: PlanImport, user=None) -> Plan:
    """Step two: commit exactly what the preview showed, once."""
    with transaction.atomic():
        staged = PlanImport.objects.select_for_update().get(pk=staged.pk)
        if staged.confirmed_at is not None:
            raise ValidationError("该文件已经导入过了")
        content = bytes(staged.content)
        if hashlib.sha256(content).hexdigest() != staged.sha256:
            raise ValidationError("上传的文件已损坏，请重新上传")
        current = preview_plan_import(
            organisation=staged.organisation, filename=staged.filename, content=content
        )
        if preview_digest(current) != preview_digest(staged.preview):
            raise ValidationError("预览之后计划已被修改，请重新上传并核对预览")
        plan = commit_plan_import(organisation=staged.organisation, preview=current, user=user)
        staged.plan = plan
        staged.confirmed_at = timezone.now()
        staged.save(update_fields=["plan", "confirmed_at"])
    return plan


# --- publishing (交办) ------------------------------------------------------------------------------

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


def _publish_targets(plan: Plan, levels: list[str], within: Organisation | None):
    unknown = [level for level in levels if level not in PUBLISH_LEVELS]
    if unknown or not levels:
        raise ValidationError(
            f"未知的下发层级：{'、'.join(unknown) or '（未选择）'}；可选 {'、'.join(PUBLISH_LEVELS)}"
        )
    # Fresh rows: a tree write since these instances were loaded may have moved their lft/rght.
    issuer = Organisation.objects.get(pk=plan.organisation_id)
    scope = Organisation.objects.get(pk=within.pk) if within is not None else issuer
    types = [t for level in levels for t in PUBLISH_LEVELS[level]]
    candidates = Organisation.objects.filter(org_type__in=types, is_active=True).exclude(pk=issuer.pk)
    if scope.is_national:  # 团中央 spans every province's tree
        return candidates
    inside_issuer = issuer.is_national or (
        scope.tree_id == issuer.tree_id and issuer.lft <= scope.lft and scope.rght <= issuer.rght
    )
    if not inside_issuer:
        raise ValidationError(f"“{scope.name}”不在发文组织“{issuer.name}”的下级范围内")
    return candidates.filter(tree_id=scope.tree_id, lft__gt=scope.lft, lft__lt=scope.rght)


def publish_preview(*, plan: Plan, levels: list[str], within: Organisation | None = None) -> dict:
    """How many organisations of each level would receive how many assignments (one aggregate)."""
    targets = _publish_targets(plan, levels, within)
    by_type = dict(
        targets.order_by().values("org_type").annotate(n=models.Count("id")).values_list("org_type", "n")
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
        "milestone_copies": organisations * milestones,
    }


@transaction.atomic
def publish_plan(*, plan: Plan, levels: list[str], within: Organisation | None = None, user=None) -> dict:
    """Hand every task of the plan to every organisation of the chosen levels: two INSERT … SELECT
    statements, whatever the size of the tree. Publishing again adds only what is missing."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("已归档的计划不能下发")
    if not plan.tasks.exists():
        raise ValidationError("计划中没有任务，无法下发")
    targets = _publish_targets(plan, levels, within)
    target_sql, target_params = targets.values("id").query.sql_with_params()
    assignments, copies_table = Assignment._meta.db_table, AssignmentMilestone._meta.db_table
    tasks, milestones = Task._meta.db_table, Milestone._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {assignments} (plan_id, task_id, organisation_id, status, created_at) "
            f"SELECT t.plan_id, t.id, o.id, %s, %s FROM {tasks} t CROSS JOIN ({target_sql}) o "
            "WHERE t.plan_id = %s ON CONFLICT DO NOTHING",
            [Assignment.Status.ASSIGNED, timezone.now(), *target_params, plan.pk],
        )
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {copies_table} (assignment_id, milestone_id, start_date, due_date) "
            f"SELECT a.id, m.id, m.start_date, m.due_date FROM {assignments} a "
            f"JOIN {milestones} m ON m.task_id = a.task_id WHERE a.plan_id = %s ON CONFLICT DO NOTHING",
            [plan.pk],
        )
        copies = cursor.rowcount
    if plan.status == Plan.Status.DRAFT:
        plan.status = Plan.Status.PUBLISHED
        plan.save(update_fields=["status", "updated_at"])
    result = {"assignments_created": created, "milestone_copies_created": copies}
    PlanChange.objects.create(
        plan=plan,
        actor=user if user is not None and user.is_authenticated else None,
        action="publish",
        detail={"levels": levels, "within": within.pk if within else None, **result},
    )
    return result


def assignment_milestone_set_due(*, copy: AssignmentMilestone, due: date) -> AssignmentMilestone:
    """The receiver tightens a due date; loosening it is the issuer's call (an extension request)."""
    original = copy.milestone.due_date
    if original is None:
        raise ValidationError("持续推进的节点没有完成时限")
    if due > original:
        raise ValidationError(f"只能提前，不能晚于上级规定的 {original:%Y-%m-%d}")
    if copy.start_date and due < copy.start_date:
        raise ValidationError(f"完成时限不能早于开始日期 {copy.start_date:%Y-%m-%d}")
    copy.due_date = due
    copy.save(update_fields=["due_date"])
    return copy


# --- editing in the browser ----------------------------------------------------------------------

TASK_FIELDS = {
    "seq": "序号",
    "title": "项目名称",
    "summary": "总体计划",
    "schedule_text": "进度安排",
    "section_id": "章节",
}


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _record_change(plan: Plan, user, action: str, **detail) -> None:
    PlanChange.objects.create(plan=plan, actor=_actor(user), action=action, detail=detail)


def plan_create(
    *, organisation: Organisation, title: str, start_year: int, end_year: int, doc_number: str = "",
    issue_date: date | None = None, report_frequency: str = "month", user=None,
) -> Plan:  # fmt: skip
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "请填写计划标题"})
    if end_year < start_year:
        raise ValidationError({"end_year": "结束年度不能早于起始年度"})
    if end_year - start_year > 10:
        raise ValidationError({"end_year": "计划期不能超过 10 年"})
    doc_number = "".join((doc_number or "").split())
    if doc_number and Plan.objects.filter(organisation=organisation, doc_number=doc_number).exists():
        raise ValidationError({"doc_number": f"本组织已有文号为“{doc_number}”的计划"})
    plan = Plan.objects.create(
        title=title[:200], doc_number=doc_number[:60], organisation=organisation, issue_date=issue_date,
        start_year=start_year, end_year=end_year, created_by=_actor(user),
        report_frequency=report_frequency or "month",
    )  # fmt: skip
    _record_change(plan, user, "create", title=plan.title)
    return plan


def section_create(*, plan: Plan, title: str, parent: Section | None = None, user=None) -> Section:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "请填写章节标题"})
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError({"parent": "上级章节必须属于同一个计划"})
    order = plan.sections.filter(parent=parent).count() + 1
    section = Section.objects.create(plan=plan, parent=parent, title=title[:200], order=order)
    _record_change(plan, user, "section", title=section.title)
    return section


def _clean_task_fields(plan: Plan, data: dict, *, exclude_pk: int | None = None) -> dict:
    seq = "".join(str(data.get("seq") or "").split())[:20]
    title = " ".join(str(data.get("title") or "").split())
    errors = {}
    if not seq:
        errors["seq"] = "请填写序号"
    elif plan.tasks.filter(seq=seq).exclude(pk=exclude_pk).exists():
        errors["seq"] = f"序号“{seq}”在本计划中已被使用"
    if not title:
        errors["title"] = "请填写项目名称"
    elif len(title) > 300:
        errors["title"] = "项目名称不能超过 300 字"
    section = data.get("section")
    if section is not None and section.plan_id != plan.pk:
        errors["section"] = "章节必须属于本计划"
    departments = [*data.get("lead_departments", []), *data.get("participating_departments", [])]
    if any(d.organisation_id != plan.organisation_id for d in departments):
        errors["lead_departments"] = "只能选择发文组织的部门"
    if errors:
        raise ValidationError(errors)
    return {
        "seq": seq,
        "title": title,
        "summary": str(data.get("summary") or "").strip(),
        "schedule_text": str(data.get("schedule_text") or "").strip(),
        "section_id": section.pk if section else None,
    }


def _sync_milestones(task: Task, plan: Plan) -> None:
    """Re-read the schedule text into milestones, in place where positions match, so receivers'
    copies survive an edit; new milestones are copied to every existing assignment of the task."""
    parsed = parse_schedule(task.schedule_text, plan.start_year, plan.end_year)
    old = list(task.milestones.order_by("order", "id"))
    for index, item in enumerate(parsed):
        if index < len(old):
            milestone = old[index]
            milestone.raw, milestone.start_date, milestone.due_date = item.raw, item.start, item.due
            milestone.kind, milestone.order = item.kind, index + 1
            milestone.save()
            copies = AssignmentMilestone.objects.filter(milestone=milestone)
            copies.update(start_date=item.start)
            if item.due is None:
                copies.update(due_date=None)
            else:  # a receiver's earlier date stands; anything later follows the issuer
                copies.filter(models.Q(due_date__isnull=True) | models.Q(due_date__gt=item.due)).update(
                    due_date=item.due
                )
        else:
            milestone = Milestone.objects.create(
                task=task,
                raw=item.raw,
                start_date=item.start,
                due_date=item.due,
                kind=item.kind,
                order=index + 1,
            )
            AssignmentMilestone.objects.bulk_create(
                AssignmentMilestone(
                    assignment=a, milestone=milestone, start_date=item.start, due_date=item.due
                )
                for a in task.assignments.all()
            )
    Milestone.objects.filter(pk__in=[m.pk for m in old[len(parsed) :]]).delete()


@transaction.atomic
def task_create(*, plan: Plan, data: dict, user=None) -> Task:
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("已归档的计划不能修改")
    fields = _clean_task_fields(plan, data)
    order = (plan.tasks.aggregate(m=models.Max("order"))["m"] or 0) + 1
    task = Task.objects.create(plan=plan, organisation_id=plan.organisation_id, order=order, **fields)
    task.lead_departments.set(data.get("lead_departments", []))
    task.participating_departments.set(
        [d for d in data.get("participating_departments", []) if d not in data.get("lead_departments", [])]
    )
    _sync_milestones(task, plan)
    _record_change(plan, user, "task_create", seq=task.seq, title=task.title)
    return task


@transaction.atomic
def task_update(*, task: Task, data: dict, user=None) -> Task:
    plan = task.plan
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("已归档的计划不能修改")
    fields = _clean_task_fields(plan, data, exclude_pk=task.pk)
    changed = {}
    for name, value in fields.items():
        if getattr(task, name) != value:
            changed[TASK_FIELDS[name]] = {"old": getattr(task, name), "new": value}
            setattr(task, name, value)
    lead, participating = data.get("lead_departments", []), data.get("participating_departments", [])
    old_lead = sorted(d.name for d in task.lead_departments.all())
    old_participating = sorted(d.name for d in task.participating_departments.all())
    if old_lead != sorted(d.name for d in lead):
        changed["牵头部门"] = {"old": old_lead, "new": sorted(d.name for d in lead)}
    if old_participating != sorted(d.name for d in participating):
        changed["参与部门"] = {"old": old_participating, "new": sorted(d.name for d in participating)}
    task.save()
    task.lead_departments.set(lead)
    task.participating_departments.set([d for d in participating if d not in lead])
    if "进度安排" in changed:
        _sync_milestones(task, plan)
    if changed:
        # jsonb does not keep key order: the list of fields does.
        _record_change(plan, user, "task_update", seq=task.seq, fields=list(changed), changes=changed)
    return task


@transaction.atomic
def task_move(*, task: Task, direction: str, user=None) -> None:
    """Swap a task with its neighbour above ("up") or below ("down")."""
    siblings = list(task.plan.tasks.order_by("order", "id"))
    index = next(i for i, t in enumerate(siblings) if t.pk == task.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        item.order = position
    Task.objects.bulk_update(siblings, ["order"])
    _record_change(task.plan, user, "task_move", seq=task.seq, direction=direction)


@transaction.atomic
def task_delete(*, task: Task, user=None) -> None:
    if task.assignments.exists():
        raise ValidationError("任务已经下发，不能删除；如需撤回请走退办或销号")
    plan, seq, title = task.plan, task.seq, task.title
    task.delete()
    _record_change(plan, user, "task_delete", seq=seq, title=title)


@transaction.atomic
def subtask_create(*, assignment: Assignment, plan: Plan, data: dict, user=None) -> Task:
    """The receiving organisation breaks an assignment down into a task of its own plan; the sub-task's
    deadlines may not run past the assignment's."""
    if plan.organisation_id != assignment.organisation_id:
        raise ValidationError({"plan": "子任务只能放在承办组织自己的计划里"})
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已退办或销号，不能再分解")
    latest = assignment.milestones.exclude(due_date__isnull=True).aggregate(m=models.Max("due_date"))["m"]
    task = task_create(plan=plan, data=data, user=user)
    late = task.milestones.filter(due_date__gt=latest) if latest else task.milestones.none()
    if late.exists():
        raise ValidationError(
            {"schedule_text": f"子任务的时间节点不能晚于上级交办的最后期限 {latest:%Y-%m-%d}"}
        )
    task.parent_assignment = assignment
    task.save(update_fields=["parent_assignment", "updated_at"])
    return task


@transaction.atomic
def plan_update(*, plan: Plan, data: dict, user=None) -> Plan:
    """Change a plan's heading fields; a new period re-reads every task's schedule text."""
    title = " ".join((data.get("title") or "").split())
    doc_number = "".join((data.get("doc_number") or "").split())
    start_year, end_year = data["start_year"], data["end_year"]
    errors = {}
    if not title:
        errors["title"] = "请填写计划标题"
    if end_year < start_year:
        errors["end_year"] = "结束年度不能早于起始年度"
    elif end_year - start_year > 10:
        errors["end_year"] = "计划期不能超过 10 年"
    if (
        doc_number
        and Plan.objects.filter(organisation_id=plan.organisation_id, doc_number=doc_number)
        .exclude(pk=plan.pk)
        .exists()
    ):
        errors["doc_number"] = f"本组织已有文号为“{doc_number}”的计划"
    if errors:
        raise ValidationError(errors)
    period_changed = (plan.start_year, plan.end_year) != (start_year, end_year)
    changed = {
        label: {"old": str(getattr(plan, name) or ""), "new": str(value or "")}
        for name, label, value in [
            ("title", "标题", title), ("doc_number", "文号", doc_number),
            ("issue_date", "印发日期", data.get("issue_date")),
            ("start_year", "起始年度", start_year), ("end_year", "结束年度", end_year),
        ]
        if getattr(plan, name) != value
    }  # fmt: skip
    plan.title, plan.doc_number, plan.issue_date = title[:200], doc_number[:60], data.get("issue_date")
    plan.start_year, plan.end_year = start_year, end_year
    plan.report_frequency = data.get("report_frequency") or plan.report_frequency
    plan.save()
    if period_changed:
        for task in plan.tasks.all():
            _sync_milestones(task, plan)
    if changed:
        _record_change(plan, user, "plan_update", fields=list(changed), changes=changed)
    return plan


@transaction.atomic
def milestone_update(*, milestone: Milestone, start: date | None, due: date | None, user=None) -> Milestone:
    """Set a milestone's dates by hand (a 待确认 one gets a date, say). Receivers' copies follow unless
    they had set an earlier date of their own. The schedule text wins again when it is edited."""
    if start and due and start > due:
        raise ValidationError({"start": "开始日期不能晚于完成时限"})
    plan = milestone.task.plan
    if due and not plan.start_year - 1 <= due.year <= plan.end_year + 1:
        raise ValidationError({"due": f"完成时限应在计划期（{plan.start_year}–{plan.end_year} 年）前后"})
    old_due = milestone.due_date
    milestone.start_date, milestone.due_date = start, due
    if due is None:
        milestone.kind = Milestone.Kind.ONGOING
    elif milestone.kind in (Milestone.Kind.ONGOING, Milestone.Kind.REVIEW):
        milestone.kind = Milestone.Kind.DEADLINE if start is None else Milestone.Kind.PERIOD
    milestone.save()
    copies = AssignmentMilestone.objects.filter(milestone=milestone)
    copies.update(start_date=start)
    if due is None:
        copies.update(due_date=None)
    else:
        untouched = models.Q(due_date=old_due) if old_due else models.Q(due_date__isnull=True)
        copies.filter(untouched | models.Q(due_date__gt=due)).update(due_date=due)
    _record_change(
        plan, user, "milestone_update", seq=milestone.task.seq, raw=milestone.raw[:60],
        old=str(old_due or ""), new=str(due or ""),
    )  # fmt: skip
    return milestone
