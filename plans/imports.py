"""Importing a 任务分解表: what the file would change (preview), then writing exactly that (commit) — all
or nothing, matched to an existing plan by 文号 or title and to its tasks by 序号."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.actors import actor
from core.progress import progress_clear, progress_key, progress_report
from core.spreadsheets import SpreadsheetError
from core.staging import JobState, preview_digest, upload_confirm, upload_stage
from orgtree.models import Department, Organisation
from orgtree.subtree import subtree_q

from .importers import read_plan_table, recipient_level
from .models import Milestone, Plan, PlanImport, Section, Task
from .schedule import REVIEW, parse_schedule, years_named
from .selectors import section_titles
from .services import milestones_sync

PROGRESS_EVERY = 500  # rows between two progress reports


def _quiet(stage: str, done: int = 0, total: int = 0) -> None:
    pass


NEEDS_PERIOD = "无法确定计划年度：标题和进度安排中都没有写年份。请填写计划的起止年度后再预览"


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


def _task_state(title, summary, schedule, section, lead, participating, extra, recipients=None) -> dict:
    """What decides whether a row changes a stored task (new / update / unchanged)."""
    return {"title": title, "summary": summary, "schedule": schedule, "section": list(section),
            "lead_departments": sorted(lead), "participating_departments": sorted(participating),
            "extra": dict(extra), "recipients": _canonical(recipients)}  # fmt: skip


def _canonical(recipients: dict | None) -> dict:
    recipients = recipients or {}
    return {"internal": bool(recipients.get("internal")), "levels": sorted(recipients.get("levels") or []),
            "organisations": sorted(recipients.get("organisations") or [])}  # fmt: skip


def _named_organisations(organisation: Organisation, names: set[str]) -> dict[str, int]:
    """Organisations below the issuer that a table names by name or short name (one query)."""
    if not names:
        return {}
    rows = (
        Organisation.objects.filter(subtree_q(organisation, include_self=False), is_active=True)
        .filter(Q(name__in=names) | Q(short_name__in=names))
        .values_list("pk", "name", "short_name")
    )
    found: dict[str, int] = {}
    for pk, name, short in rows:
        for key in (name, short):
            if key in names:
                found.setdefault(key, pk)
    return found


def _recipients(lead: list[str], participating: list[str], named: dict[str, int]):
    """A row's recipients from its unit cells: "各市团委" is every 团市委 below, a named organisation is
    itself; the rest are the issuer's departments — with a 牵头部门, the task is its office's own."""
    levels, organisations, real_lead, real_participating = [], [], [], []
    for names, real in ((lead, real_lead), (participating, real_participating)):
        for name in names:
            level = recipient_level(name)
            if level:
                if level not in levels:
                    levels.append(level)
            elif name in named:
                if named[name] not in organisations:
                    organisations.append(named[name])
            else:
                real.append(name)
    recipients = {"internal": bool(real_lead), "levels": levels, "organisations": organisations}
    return recipients, real_lead, real_participating


def plan_period(table, start_year: int | None, end_year: int | None) -> dict:
    """The plan's period: the user's, else the title's, else the years the schedules name; widened to every
    year a schedule names explicitly. `default_year` keeps bare months in the year a one-year plan was
    written for. `first` is None when nothing says which years the plan covers."""
    named = sorted({year for row in table.tasks for year in years_named(row.schedule)})
    warnings = []
    if start_year:
        first, last = start_year, max(end_year or start_year, start_year)
    elif table.start_year:
        first, last = table.start_year, table.end_year or table.start_year
    elif named:
        first, last = named[0], named[-1]
        warnings.append(f"标题中没有年度，按进度安排中写到的年份，计划期定为 {_years(first, last)}")
    else:
        return {"first": None, "last": None, "default_year": None, "school_year": None, "warnings": warnings}
    school_year = table.school_year if (first, last) == (table.start_year, table.end_year) else None
    if school_year:
        warnings.append(
            f"按 {school_year}—{school_year + 1} 学年读取：只写月份的时间，9—12 月为 {school_year} 年，"
            f"1—8 月为 {school_year + 1} 年"
        )
    default_year = first if first == last else None
    if table.default_year and (first, last) == (table.start_year, table.end_year):
        default_year = table.default_year  # our own export says which year bare months mean
    wider = (min(first, *named), max(last, *named)) if named else (first, last)
    if wider != (first, last):
        warnings.append(
            f"进度安排中写到了 {'、'.join(str(y) for y in named if not first <= y <= last)} 年，"
            f"计划期从 {_years(first, last)} 扩展为 {_years(*wider)}"
        )
        first, last = wider
    return {"first": first, "last": last, "default_year": default_year if first != last else None,
            "school_year": school_year, "warnings": warnings}  # fmt: skip


def _years(first: int, last: int) -> str:
    return f"{first} 年" if first == last else f"{first}—{last} 年"


def plan_import_preview(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    plan: Plan | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
    progress: Callable[..., None] | None = None,
) -> dict:
    """What importing the file would do, as a JSON-able dict; writes nothing. `progress(stage, done,
    total)` hears how far it has got."""
    report = progress or _quiet
    report("读取文件")
    try:
        table = read_plan_table(filename, content)
    except SpreadsheetError as exc:
        raise PlanImportRejected(str(exc)) from exc
    warnings = list(table.warnings)
    period = plan_period(table, start_year, end_year)
    warnings += period["warnings"]
    first, last, default_year, school_year = (period["first"], period["last"], period["default_year"],
                                              period["school_year"])  # fmt: skip
    errors = list(table.errors)
    if first is None:
        errors.insert(0, {"row": None, "message": NEEDS_PERIOD})
    if plan is None:
        plan = _existing_plan(organisation, table.title, table.doc_number)
    existing: dict[str, dict] = {}
    if plan is not None:
        paths = section_titles(plan)
        for task in plan.tasks.prefetch_related("lead_departments", "participating_departments"):
            existing[task.seq] = _task_state(
                task.title, task.summary, task.schedule_text, paths.get(task.section_id, []),
                [d.name for d in task.lead_departments.all()],
                [d.name for d in task.participating_departments.all()], task.extra,
                task.recipients or {"internal": any(True for _ in task.lead_departments.all())},
            )  # fmt: skip
    known_departments = set(organisation.departments.values_list("name", flat=True))
    unit_names = {n for row in table.tasks for n in [*row.lead, *row.participating]}
    named = _named_organisations(
        organisation, {n for n in unit_names if n not in known_departments and not recipient_level(n)}
    )
    new_departments: list[str] = []
    tasks = []
    counts = defaultdict(int)
    for index, row in enumerate(table.tasks):
        if index % PROGRESS_EVERY == 0:
            report("解析进度安排", index, len(table.tasks))
        milestones = parse_schedule(
            row.schedule, first, last, default_year=default_year, school_year=school_year
        )
        for milestone in milestones:
            if milestone.kind == REVIEW:
                phrase = milestone.raw[:30]
                warnings.append(
                    f"第 {row.row} 行（序号 {row.seq}）：进度安排“{phrase}”未识别出时间，需人工确认"
                )
        recipients, lead, participating = _recipients(row.lead, row.participating, named)
        for name in [*lead, *participating]:
            if name not in known_departments and name not in new_departments:
                new_departments.append(name)
        state = _task_state(
            row.title, row.summary, row.schedule, row.section, lead, participating, row.extra, recipients
        )
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
                "lead_departments": lead,
                "participating_departments": participating,
                "recipients": recipients,
                "extra": row.extra,
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
        "default_year": default_year,
        "school_year": school_year,
        "needs_period": first is None,
        "columns_kept": table.columns_kept,
        "plan": {"id": plan.pk, "title": plan.title} if plan else None,
        "tasks": tasks,
        "new_departments": new_departments,
        "errors": errors,
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


@transaction.atomic
def plan_import_commit(
    *, organisation: Organisation, preview: dict, user=None, plan: Plan | None = None
) -> Plan:
    """Write a preview: the plan, new departments, sections, tasks and milestones — all or nothing."""
    if preview["errors"]:
        first = preview["errors"][0]
        where = f"第 {first['row']} 行：" if first["row"] else ""
        count = f"（共 {len(preview['errors'])} 处）" if len(preview["errors"]) > 1 else ""
        raise PlanImportRejected(f"文件有错误，未导入任何内容{count}：{where}{first['message']}", preview)
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
            default_year=preview.get("default_year"),
            school_year=preview.get("school_year"),
            created_by=actor(user),
        )
    else:
        plan.start_year, plan.end_year = preview["start_year"], preview["end_year"]
        plan.default_year, plan.school_year = preview.get("default_year"), preview.get("school_year")
        plan.save(update_fields=["start_year", "end_year", "default_year", "school_year", "updated_at"])

    departments = {d.name: d for d in organisation.departments.all()}
    missing = [name for name in preview["new_departments"] if name not in departments]
    start = len(departments)
    created = Department.objects.bulk_create(
        [Department(organisation=organisation, name=n, order=start + i + 1) for i, n in enumerate(missing)]
    )
    departments.update(zip(missing, created, strict=True))

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
        task.extra = item.get("extra", {})
        task.recipients = item.get("recipients") or {}
        touched.append((task, item))
    Task.objects.bulk_create(to_create, batch_size=2000)
    Task.objects.bulk_update(
        to_update,
        ["order", "title", "summary", "schedule_text", "section_id", "extra", "recipients", "updated_at"],
        batch_size=2000,
    )
    _replace_children(plan, touched, {task.pk for task in to_update}, departments)
    return plan


def _ensure_sections(plan: Plan, paths: list[list[str]]) -> dict[tuple, int]:
    known = {tuple(path): pk for pk, path in section_titles(plan).items()}
    wanted = sorted({tuple(p[: i + 1]) for p in paths if p for i in range(len(p))}, key=len)
    for path in wanted:
        if path not in known:
            parent = known.get(path[:-1]) if len(path) > 1 else None
            order = sum(1 for other in known if len(other) == len(path) and other[:-1] == path[:-1]) + 1
            known[path] = Section.objects.create(plan=plan, parent_id=parent, title=path[-1], order=order).pk
    return known


def _replace_children(plan: Plan, touched: list[tuple[Task, dict]], updated: set[int],
                      departments: dict[str, Department]) -> None:  # fmt: skip
    """Milestones and department links of the written tasks, in bulk. Tasks that existed keep their
    milestones where the positions match (milestones_sync), so receivers' copies and what they reported
    survive a re-import of a published plan."""
    if not touched:
        return
    ids = [task.pk for task, _ in touched]
    Lead = Task.lead_departments.through
    Participating = Task.participating_departments.through
    Lead.objects.filter(task_id__in=ids).delete()
    Participating.objects.filter(task_id__in=ids).delete()
    milestones, leads, participants = [], [], []
    for task, item in touched:
        if task.pk not in updated:
            for order, m in enumerate(item["milestones"], start=1):
                milestones.append(Milestone(task=task, raw=m["raw"], start_date=m["start"], due_date=m["due"],
                                            kind=m["kind"], order=order))  # fmt: skip
        leads += [Lead(task_id=task.pk, department_id=departments[n].pk) for n in item["lead_departments"]]
        participants += [
            Participating(task_id=task.pk, department_id=departments[n].pk)
            for n in item["participating_departments"]
        ]
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    milestones_sync(tasks=[task for task, _ in touched if task.pk in updated], plan=plan)
    Lead.objects.bulk_create(leads, batch_size=5000)
    Participating.objects.bulk_create(participants, batch_size=5000)


# --- the browser's steps: upload, preview (a job), [state the period], confirm (a job) -------------------


def plan_import_upload(*, organisation: Organisation, filename: str, content: bytes, user=None,
                       start_year: int | None = None, end_year: int | None = None) -> PlanImport:  # fmt: skip
    """Keep the upload; its preview is made by plan_import_run_preview, on a worker for big files."""
    return upload_stage(PlanImport, filename=filename, content=content, preview={}, user=user,
                        organisation=organisation, start_year=start_year, end_year=end_year,
                        job_state=JobState.PREVIEWING, job_started_at=timezone.now())  # fmt: skip


def _reporter(pk: int) -> Callable[..., None]:
    key = progress_key("plan-import", pk)

    def report(stage: str, done: int = 0, total: int = 0) -> None:
        progress_report(key, stage=stage, done=done, total=total)

    return report


def plan_import_run_preview(*, pk: int) -> PlanImport | None:
    """The preview job: read the stored file and keep what importing it would do (or why it cannot)."""
    staged = PlanImport.objects.select_related("organisation").defer("preview").filter(pk=pk).first()
    if staged is None:  # the upload was deleted before its job ran
        return None
    if staged.job_state != JobState.PREVIEWING:  # delivered again after it finished (worker lost before ack)
        return staged
    try:
        preview = plan_import_preview(organisation=staged.organisation, filename=staged.filename,
                                      content=bytes(staged.content), start_year=staged.start_year,
                                      end_year=staged.end_year, progress=_reporter(pk))  # fmt: skip
    except PlanImportRejected as exc:
        staged.preview, staged.job_state, staged.job_message = exc.preview, JobState.FAILED, exc.message
    else:
        staged.preview, staged.job_state, staged.job_message = preview, JobState.READY, ""
    staged.preview_sha256 = preview_digest(staged.preview) if staged.preview else ""
    staged.save(update_fields=["preview", "preview_sha256", "job_state", "job_message"])
    progress_clear(progress_key("plan-import", pk))
    return staged


def plan_import_stage(*, organisation: Organisation, filename: str, content: bytes, user=None,
                      start_year: int | None = None, end_year: int | None = None) -> PlanImport:  # fmt: skip
    """Upload and preview in one go (commands, tests, the embedded mode): nothing of the plan is written."""
    staged = plan_import_upload(organisation=organisation, filename=filename, content=content, user=user,
                                start_year=start_year, end_year=end_year)  # fmt: skip
    return plan_import_run_preview(pk=staged.pk) or staged


def plan_import_set_period(*, staged: PlanImport, start_year: int, end_year: int | None) -> PlanImport:
    """The user states the period the file does not give; the preview is to be made again with it."""
    if staged.confirmed_at is not None:
        raise ValidationError("该文件已经导入过了")
    end_year = end_year or start_year
    if not 2000 <= start_year <= end_year <= 2100 or end_year - start_year > 10:
        raise ValidationError({"start_year": "起止年度应在 2000—2100 年之间，结束不早于开始，且不超过 10 年"})
    staged.start_year, staged.end_year = start_year, end_year
    staged.job_state, staged.job_started_at, staged.job_message = JobState.PREVIEWING, timezone.now(), ""
    staged.save(update_fields=["start_year", "end_year", "job_state", "job_started_at", "job_message"])
    return staged


def plan_import_request_confirm(*, staged: PlanImport) -> PlanImport:
    """Mark the upload as being confirmed; plan_import_run_confirm (a job) does the writing."""
    staged = PlanImport.objects.defer("preview").get(pk=staged.pk)
    if staged.confirmed_at is not None:
        raise ValidationError("该文件已经导入过了")
    if staged.is_running:
        raise ValidationError("这个文件正在处理，请稍候")
    clean = PlanImport.objects.filter(pk=staged.pk, preview__errors=[]).exists()
    if staged.job_state == JobState.FAILED or not clean:
        raise ValidationError("文件有错误，不能导入；请修改后重新上传")
    staged.job_state, staged.job_started_at, staged.job_message = JobState.CONFIRMING, timezone.now(), ""
    staged.save(update_fields=["job_state", "job_started_at", "job_message"])
    return staged


def plan_import_run_confirm(*, pk: int, user=None) -> Plan | None:
    """The confirm job. All of it is written in one transaction with the upload marked done: a job
    stopped halfway leaves nothing behind and can simply run again."""
    staged = PlanImport.objects.select_related("organisation", "plan").defer("preview").filter(pk=pk).first()
    if staged is None:
        return None
    if staged.confirmed_at is not None:  # delivered twice (a retried job whose first run had finished)
        return staged.plan
    try:
        plan = plan_import_confirm(staged=staged, user=user, progress=_reporter(pk))
    except (ValidationError, PlanImportRejected) as exc:
        text = exc.message if isinstance(exc, PlanImportRejected) else "；".join(exc.messages)
        # Only an upload still waiting goes back to its preview: one that a parallel run finished stays done.
        PlanImport.objects.filter(pk=pk, confirmed_at__isnull=True).update(job_state=JobState.READY,
                                                                            job_message=text)  # fmt: skip
        plan = PlanImport.objects.get(pk=pk).plan
    progress_clear(progress_key("plan-import", pk))
    return plan


def plan_import_confirm(
    *, staged: PlanImport, user=None, progress: Callable[..., None] | None = None
) -> Plan:
    """Commit exactly what the preview showed, once."""
    report = progress or _quiet

    def commit(staged: PlanImport, preview: dict) -> Plan:
        report("写入计划、任务和时间节点", len(preview["tasks"]), len(preview["tasks"]))
        staged.plan = plan_import_commit(organisation=staged.organisation, preview=preview, user=user)
        staged.job_state, staged.job_message = JobState.DONE, ""
        return staged.plan

    def checking(stage: str, done: int = 0, total: int = 0) -> None:
        report(f"核对预览：{stage}", done, total)

    def preview(content: bytes) -> dict:
        return plan_import_preview(
            organisation=staged.organisation, filename=staged.filename, content=content,
            start_year=staged.start_year, end_year=staged.end_year, progress=checking,
        )  # fmt: skip

    return upload_confirm(staged, preview=preview, commit=commit)
