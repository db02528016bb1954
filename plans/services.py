"""Writing plans in the browser: the plan's heading, sections, tasks and their milestones.

A task's milestones are read from its schedule text by the parser (plans.schedule); whenever they are
re-read or re-dated, `milestones_changed` tells the apps that keep copies of them (assignments).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.actors import actor
from orgtree.models import Organisation

from .models import Milestone, Plan, PlanChange, ReportFrequency, Section, Task
from .schedule import parse_schedule
from .signals import milestones_changed

TASK_FIELDS = {
    "seq": "序号",
    "title": "项目名称",
    "summary": "总体计划",
    "schedule_text": "进度安排",
    "section_id": "章节",
}
MAX_PLAN_YEARS = 10


def plan_change_record(plan: Plan, user, action: str, **detail) -> None:
    PlanChange.objects.create(plan=plan, actor=actor(user), action=action, detail=detail)


def _clean_heading(*, organisation_id: int, title: str, doc_number: str, start_year: int, end_year: int,
                   exclude_pk: int | None = None,
                   by_school_year: bool = False) -> tuple[str, str]:  # fmt: skip
    title = " ".join((title or "").split())
    doc_number = "".join((doc_number or "").split())
    errors = {}
    if not title:
        errors["title"] = "请填写计划标题"
    if end_year < start_year:
        errors["end_year"] = "结束年度不能早于起始年度"
    elif end_year - start_year > MAX_PLAN_YEARS:
        errors["end_year"] = f"计划期不能超过 {MAX_PLAN_YEARS} 年"
    if by_school_year and end_year != start_year + 1:
        errors["by_school_year"] = "按学年的计划，结束年度应是起始年度的下一年（如 2024—2025 学年）"
    clash = Plan.objects.filter(organisation_id=organisation_id, doc_number=doc_number).exclude(pk=exclude_pk)
    if doc_number and clash.exists():
        errors["doc_number"] = f"本组织已有文号为“{doc_number}”的计划"
    if errors:
        raise ValidationError(errors)
    return title[:200], doc_number[:60]


def plan_create(
    *, organisation: Organisation, title: str, start_year: int, end_year: int, doc_number: str = "",
    issue_date: date | None = None, report_frequency: str = ReportFrequency.MONTH,
    by_school_year: bool = False, user=None,
) -> Plan:  # fmt: skip
    title, doc_number = _clean_heading(
        organisation_id=organisation.pk, title=title, doc_number=doc_number, start_year=start_year,
        end_year=end_year, by_school_year=by_school_year,
    )  # fmt: skip
    plan = Plan.objects.create(
        title=title, doc_number=doc_number, organisation=organisation, issue_date=issue_date,
        start_year=start_year, end_year=end_year, created_by=actor(user),
        school_year=start_year if by_school_year else None,
        report_frequency=report_frequency or ReportFrequency.MONTH,
    )  # fmt: skip
    plan_change_record(plan, user, "create", title=plan.title)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, data: dict, user=None) -> Plan:
    """Change a plan's heading fields; a new period re-reads every task's schedule text."""
    start_year, end_year = data["start_year"], data["end_year"]
    title, doc_number = _clean_heading(
        organisation_id=plan.organisation_id, title=data.get("title"), doc_number=data.get("doc_number"),
        start_year=start_year, end_year=end_year, exclude_pk=plan.pk,
        by_school_year=data.get("by_school_year", False),
    )  # fmt: skip
    school_year = start_year if data.get("by_school_year") else None
    period_changed = (plan.start_year, plan.end_year, plan.school_year) != (start_year, end_year, school_year)
    changed = {
        label: {"old": str(getattr(plan, name) or ""), "new": str(value or "")}
        for name, label, value in [
            ("title", "标题", title), ("doc_number", "文号", doc_number),
            ("issue_date", "印发日期", data.get("issue_date")),
            ("start_year", "起始年度", start_year), ("end_year", "结束年度", end_year),
            ("school_year", "学年起始年度", school_year),
        ]
        if getattr(plan, name) != value
    }  # fmt: skip
    plan.title, plan.doc_number, plan.issue_date = title, doc_number, data.get("issue_date")
    plan.start_year, plan.end_year = start_year, end_year
    if period_changed and not (start_year < end_year and start_year <= (plan.default_year or 0) <= end_year):
        plan.default_year = None  # a plan given a new period: bare months follow the new one
    plan.school_year = school_year
    plan.report_frequency = data.get("report_frequency") or plan.report_frequency
    plan.save()
    if period_changed:
        milestones_sync(tasks=list(plan.tasks.all()), plan=plan)
    if changed:
        plan_change_record(plan, user, "plan_update", fields=list(changed), changes=changed)
    return plan


def section_create(*, plan: Plan, title: str, parent: Section | None = None, user=None) -> Section:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "请填写章节标题"})
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError({"parent": "上级章节必须属于同一个计划"})
    order = plan.sections.filter(parent=parent).count() + 1
    section = Section.objects.create(plan=plan, parent=parent, title=title[:200], order=order)
    plan_change_record(plan, user, "section", title=section.title)
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


def milestones_sync(*, tasks: list[Task], plan: Plan) -> None:
    """Re-read the tasks' schedule texts into milestones, in place where positions match (so receivers'
    copies survive an edit): one bulk update, one insert and one delete for all the tasks together."""
    existing = defaultdict(list)
    for milestone in Milestone.objects.filter(task__in=tasks).order_by("order", "id"):
        existing[milestone.task_id].append(milestone)
    kept, new, surplus, changed = [], [], [], []
    for task in tasks:
        parsed = parse_schedule(task.schedule_text, **plan.schedule_reading())
        old = existing.get(task.pk, [])
        for index, item in enumerate(parsed):
            if index < len(old):
                milestone = old[index]
                if (milestone.start_date, milestone.due_date) != (item.start, item.due):
                    changed.append((milestone.pk, milestone.due_date))
                milestone.raw, milestone.start_date, milestone.due_date = item.raw, item.start, item.due
                milestone.kind, milestone.order = item.kind, index + 1
                kept.append(milestone)
            else:
                new.append(Milestone(task=task, raw=item.raw, start_date=item.start, due_date=item.due,
                                     kind=item.kind, order=index + 1))  # fmt: skip
        surplus += [m.pk for m in old[len(parsed) :]]
    Milestone.objects.filter(pk__in=surplus).delete()
    Milestone.objects.bulk_update(kept, ["raw", "start_date", "due_date", "kind", "order"], batch_size=2000)
    created = Milestone.objects.bulk_create(new, batch_size=2000)
    if changed or created:
        milestones_changed.send(sender=Milestone, changed=changed, created=[m.pk for m in created])


def _set_departments(task: Task, data: dict) -> None:
    lead = data.get("lead_departments", [])
    task.lead_departments.set(lead)
    task.participating_departments.set(
        [d for d in data.get("participating_departments", []) if d not in lead]
    )


@transaction.atomic
def task_create(*, plan: Plan, data: dict, user=None) -> Task:
    if plan.status == Plan.Status.ARCHIVED:
        raise ValidationError("已归档的计划不能修改")
    fields = _clean_task_fields(plan, data)
    order = (plan.tasks.aggregate(m=models.Max("order"))["m"] or 0) + 1
    # A task of the issuer's own with a 牵头部门 goes, by default, to that department.
    recipients = data.get("recipients") or {"internal": bool(data.get("lead_departments"))}
    task = Task.objects.create(
        plan=plan, organisation_id=plan.organisation_id, order=order, recipients=recipients, **fields
    )
    _set_departments(task, data)
    milestones_sync(tasks=[task], plan=plan)
    plan_change_record(plan, user, "task_create", seq=task.seq, title=task.title)
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
    lead = data.get("lead_departments", [])
    participating = [d for d in data.get("participating_departments", []) if d not in lead]
    for label, stored, wanted in (("牵头部门", task.lead_departments, lead),
                                  ("参与部门", task.participating_departments, participating)):  # fmt: skip
        old, new = sorted(d.name for d in stored.all()), sorted(d.name for d in wanted)
        if old != new:
            changed[label] = {"old": old, "new": new}
    if not task.recipients:
        task.recipients = {"internal": bool(lead)}
    task.save()
    _set_departments(task, data)
    if "进度安排" in changed:
        milestones_sync(tasks=[task], plan=plan)
    if changed:
        # jsonb does not keep key order: the list of fields does.
        plan_change_record(plan, user, "task_update", seq=task.seq, fields=list(changed), changes=changed)
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
    plan_change_record(task.plan, user, "task_move", seq=task.seq, direction=direction)


@transaction.atomic
def task_delete(*, task: Task, user=None) -> None:
    plan, seq, title = task.plan, task.seq, task.title
    try:
        with transaction.atomic():
            task.delete()
    except ProtectedError as exc:  # handed down already: the assignments hold on to it
        raise ValidationError("任务已经下发，不能删除；如需撤回请走退办或销号") from exc
    plan_change_record(plan, user, "task_delete", seq=seq, title=title)


@transaction.atomic
def milestone_update(*, milestone: Milestone, start: date | None, due: date | None, user=None) -> Milestone:
    """Set a milestone's dates by hand (a 待确认 one gets a date, say). Both dates are set as given: the
    form sends the stored ones back, so an unchanged date is kept. The issuer's change reaches every
    receiver's copy (assignments.receivers.follow_milestones), except a due date a receiver had tightened;
    a change of one receiver's copy reaches nobody else. The schedule text wins again when it is edited."""
    if start and due and start > due:
        raise ValidationError({"start": "开始日期不能晚于完成时限"})
    plan = milestone.task.plan
    if due and not plan.start_year - 1 <= due.year <= plan.end_year + 1:
        raise ValidationError({"due": f"完成时限应在计划期（{plan.start_year}–{plan.end_year} 年）前后"})
    old_start, old_due = milestone.start_date, milestone.due_date
    milestone.start_date, milestone.due_date = start, due
    if due is None:
        milestone.kind = Milestone.Kind.ONGOING
    elif milestone.kind in (Milestone.Kind.ONGOING, Milestone.Kind.REVIEW):
        milestone.kind = Milestone.Kind.DEADLINE if start is None else Milestone.Kind.PERIOD
    milestone.save()
    milestones_changed.send(sender=Milestone, changed=[(milestone.pk, old_due)], created=[])
    plan_change_record(
        plan, user, "milestone_update", seq=milestone.task.seq, raw=milestone.raw[:60],
        old_start=str(old_start or ""), new_start=str(start or ""),
        old=str(old_due or ""), new=str(due or ""),
    )  # fmt: skip
    return milestone


@transaction.atomic
def tasks_make_routine(*, plan: Plan, task_ids: list[int], frequency: str, user=None) -> int:
    """常态化: tasks with no due date are reported on at a cadence, never late, and closed when reported
    done and accepted — the decision publishing asks for about undated tasks."""
    if not task_ids:
        raise ValidationError({"tasks": "请选择任务"})
    calendar = [ReportFrequency.MONTH, ReportFrequency.QUARTER, ReportFrequency.HALF, ReportFrequency.YEAR]
    if frequency not in calendar:
        raise ValidationError({"frequency": "常态化工作请选择每月、每季度、每半年或每年报告"})
    tasks = plan.tasks.filter(pk__in=task_ids)
    if tasks.count() != len(set(task_ids)):
        raise ValidationError("所选任务不属于这个计划")
    updated = tasks.update(routine=True, report_frequency=frequency, updated_at=timezone.now())
    plan_change_record(plan, user, "routine", tasks=len(task_ids), frequency=frequency)
    return updated
