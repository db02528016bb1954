"""Plan pages: the list, a plan with its tasks and milestones, the two-step Excel import, export, publish."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from orgtree.selectors import get_object_for_user
from tuanjian.forms import apply_service_errors

from . import reporting, selectors, services
from .exporters import export_plan_xlsx
from .forms import (
    ExtensionForm,
    MilestoneForm,
    PlanForm,
    PlanImportForm,
    PlanUpdateForm,
    PublishForm,
    ReportForm,
    ReviewForm,
    SectionForm,
    TaskForm,
)
from .models import (
    Assignment,
    AssignmentMilestone,
    ExtensionRequest,
    Milestone,
    Notification,
    Plan,
    PlanImport,
    ProgressReport,
    ReportAttachment,
    Task,
)
from .schedule import parse_schedule


@login_required
@require_GET
def plan_list(request):
    page = Paginator(selectors.plans_for(request.user), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    can_import = selectors.issuing_organisations(request.user).exists()
    return render(request, "plans/list.html", {"page_obj": page, "can_import": can_import})


@login_required
@require_GET
def plan_detail(request, pk):
    plan = get_object_for_user(Plan.objects.select_related("organisation"), request.user, pk=pk)
    tasks = list(selectors.plan_tasks(plan))
    sections = selectors.plan_sections(plan)
    for task in tasks:
        path, node = [], sections.get(task.section_id)
        while node is not None and len(path) < 20:
            path.insert(0, node.title)
            node = sections.get(node.parent_id)
        task.section_path = path
    can_edit = Plan.objects.for_user(request.user, "edit").filter(pk=plan.pk).exists()
    changes = plan.changes.select_related("actor")[:20]
    context = {
        "plan": plan,
        "tasks": tasks,
        "can_edit": can_edit,
        "changes": changes,
        "section_form": SectionForm(),
    }
    return render(request, "plans/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    organisations = selectors.issuing_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied("只有编辑或管理员可以导入任务分解表")
    form = PlanImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            staged = services.stage_plan_import(
                organisation=form.cleaned_data["organisation"],
                filename=upload.name,
                content=upload.read(),
                user=request.user,
            )
        except services.PlanImportRejected as exc:
            form.add_error("file", f"文件被拒绝，未导入任何内容：{exc.message}")
        else:
            return redirect("plans:import_preview", pk=staged.pk)
    return render(request, "plans/import_upload.html", {"form": form})


@login_required
@require_GET
def import_preview(request, pk):
    staged = get_object_for_user(
        PlanImport.objects.select_related("organisation", "plan"), request.user, "edit", pk=pk
    )
    return render(request, "plans/import_preview.html", {"staged": staged, "preview": staged.preview})


@login_required
@require_POST
def import_confirm(request, pk):
    staged = get_object_for_user(PlanImport.objects.all(), request.user, "edit", pk=pk)
    try:
        plan = services.confirm_plan_import(staged=staged, user=request.user)
    except (ValidationError, services.PlanImportRejected) as exc:
        messages.error(request, exc.message if hasattr(exc, "message") else str(exc))
        return redirect("plans:import_preview", pk=staged.pk)
    messages.success(request, f"已导入“{plan.title}”")
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_GET
def plan_export(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, pk=pk)
    response = HttpResponse(
        export_plan_xlsx(plan),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{plan.doc_number or plan.title}.xlsx".replace("/", "-")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def plan_publish(request, pk):
    plan = get_object_for_user(Plan.objects.select_related("organisation"), request.user, "edit", pk=pk)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.publish_plan(plan=plan, levels=form.cleaned_data["levels"], user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            created, copies = result["assignments_created"], result["milestone_copies_created"]
            messages.success(request, f"已下发：新建交办 {created:,} 项，节点 {copies:,} 个")
            return redirect("plans:detail", pk=plan.pk)
    preview = None
    if not form.is_bound:
        preview = services.publish_preview(plan=plan, levels=form.fields["levels"].initial)
    elif form.is_valid():
        preview = services.publish_preview(plan=plan, levels=form.cleaned_data["levels"])
    return render(request, "plans/publish.html", {"plan": plan, "form": form, "preview": preview})


@login_required
@require_GET
def plan_publish_preview(request, pk):
    plan = get_object_for_user(Plan.objects.select_related("organisation"), request.user, "edit", pk=pk)
    form = PublishForm(request.GET)
    preview = (
        services.publish_preview(plan=plan, levels=form.cleaned_data["levels"]) if form.is_valid() else None
    )
    return render(request, "plans/_publish_preview.html", {"preview": preview, "form": form})


# --- editing --------------------------------------------------------------------------------------


def _task_with_related(pk: int, user, action: str = "edit") -> Task:
    return get_object_for_user(
        selectors.plan_tasks_queryset().select_related("plan", "section"), user, action, pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    organisations = selectors.issuing_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied("只有编辑或管理员可以新建计划")
    year = timezone.localdate().year
    form = PlanForm(
        request.POST or None, organisations=organisations, initial={"start_year": year, "end_year": year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已新建计划“{plan.title}”，现在可以添加任务")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form})


@login_required
@require_POST
def section_add(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_create(plan=plan, title=form.cleaned_data["title"], user=request.user)
            messages.success(request, "已添加章节")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "请填写章节标题（不超过 200 字）")
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    next_seq = str(plan.tasks.count() + 1)
    form = TaskForm(request.POST or None, plan=plan, initial={"seq": next_seq})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(plan=plan, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                task = _task_with_related(task.pk, request.user)
                return render(request, "plans/_task_row.html", {"task": task, "can_edit": True})
            return redirect("plans:detail", pk=plan.pk)
    template = "plans/_task_form.html" if request.htmx else "plans/task_form_page.html"
    return render(request, template, {"form": form, "plan": plan, "task": None})


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    task = _task_with_related(pk, request.user)
    form = TaskForm(request.POST or None, plan=task.plan, initial=TaskForm.initial_for(task))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(task=task, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                task = _task_with_related(pk, request.user)
                return render(request, "plans/_task_row.html", {"task": task, "can_edit": True})
            return redirect("plans:detail", pk=task.plan_id)
    template = "plans/_task_form.html" if request.htmx else "plans/task_form_page.html"
    return render(request, template, {"form": form, "plan": task.plan, "task": task})


@login_required
@require_GET
def task_row(request, pk):
    task = _task_with_related(pk, request.user, "view")
    can_edit = Plan.objects.for_user(request.user, "edit").filter(pk=task.plan_id).exists()
    return render(request, "plans/_task_row.html", {"task": task, "can_edit": can_edit})


@login_required
@require_POST
def task_move(request, pk, direction):
    task = _task_with_related(pk, request.user)
    services.task_move(task=task, direction=direction, user=request.user)
    return redirect("plans:detail", pk=task.plan_id)


@login_required
@require_POST
def task_delete(request, pk):
    task = _task_with_related(pk, request.user)
    try:
        services.task_delete(task=task, user=request.user)
        messages.success(request, f"已删除任务 {task.seq}")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("plans:detail", pk=task.plan_id)


@login_required
@require_POST
def schedule_preview(request, pk):
    """Milestones parsed from the schedule text as the editor types (nothing is saved)."""
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    text = request.POST.get("schedule_text", "")[:20_000]
    milestones = [m.as_dict() for m in parse_schedule(text, plan.start_year, plan.end_year)]
    return render(request, "plans/_milestones.html", {"milestones": milestones, "live": True})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    fields = ("title", "doc_number", "issue_date", "start_year", "end_year", "report_frequency")
    initial = {f: getattr(plan, f) for f in fields}
    form = PlanUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk):
    milestone = get_object_for_user(
        Milestone.objects.select_related("task__plan"), request.user, "edit", pk=pk
    )
    form = MilestoneForm(
        request.POST or None, initial={"start": milestone.start_date, "due": milestone.due_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(
                milestone=milestone,
                start=form.cleaned_data["start"],
                due=form.cleaned_data["due"],
                user=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            task = _task_with_related(milestone.task_id, request.user)
            response = render(request, "plans/_task_row.html", {"task": task, "can_edit": True})
            # The form sits inside the row; on success the whole row is replaced.
            return reswap(retarget(response, f"#task-{task.pk}"), "outerHTML")
    return render(request, "plans/_milestone_form.html", {"form": form, "milestone": milestone})


# --- reporting and review -------------------------------------------------------------------------


@login_required
@require_GET
def my_assignments(request):
    """我的任务: the open assignments of the organisations the user reports for, grouped by plan."""
    assignments = (
        Assignment.objects.for_user(request.user, "report")
        .filter(status=Assignment.Status.ASSIGNED)
        .select_related("task", "plan", "organisation")
        .order_by("plan_id", "task__order", "organisation_id")
    )
    page = Paginator(assignments, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    due = reporting.next_due([a.pk for a in page])
    for assignment in page:
        assignment.next_due = due.get(assignment.pk)
    return render(request, "plans/my_assignments.html", {"page_obj": page})


@login_required
@require_GET
def assignment_detail(request, pk):
    assignment = get_object_for_user(
        Assignment.objects.select_related("task", "plan", "organisation", "task__organisation"),
        request.user,
        pk=pk,
    )
    copies = assignment.milestones.select_related("milestone").order_by("milestone__order", "id")
    reports = assignment.reports.select_related("submitted_by", "reviewed_by").prefetch_related("attachments")
    extensions = ExtensionRequest.objects.filter(copy__assignment=assignment).select_related(
        "copy__milestone"
    )
    can_report = Assignment.objects.for_user(request.user, "report").filter(pk=pk).exists()
    can_review = Assignment.objects.reviewable_by(request.user).filter(pk=pk).exists()
    context = {
        "assignment": assignment,
        "copies": copies,
        "reports": reports,
        "events": assignment.events.select_related("actor"),
        "extensions": extensions,
        "received": assignment.events.filter(kind="received").exists(),
        "can_report": can_report,
        "can_review": can_review,
        "period": reporting.period_of(timezone.localdate(), assignment.plan.report_frequency),
        "today": timezone.localdate(),
    }
    return render(request, "plans/assignment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    assignment = get_object_for_user(
        Assignment.objects.select_related("task", "plan"), request.user, "report", pk=pk
    )
    period = (
        request.GET.get("period")
        or request.POST.get("period")
        or reporting.period_of(timezone.localdate(), assignment.plan.report_frequency)
    )
    try:
        report = reporting.report_draft(assignment=assignment, period=period)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("plans:assignment", pk=pk)
    copies = (
        assignment.milestones.select_related("milestone")
        .filter(accepted_at__isnull=True)
        .order_by("milestone__order")
    )
    claimed = {c.copy_id: c.completed_on for c in report.claims.all()} if report.pk else {}
    initial = {
        "state": report.state,
        "percent": report.percent,
        "narrative": report.narrative,
        "version": report.version,
    }
    for copy_id, completed_on in claimed.items():
        initial[f"done_{copy_id}"], initial[f"on_{copy_id}"] = True, completed_on
    form = ReportForm(request.POST or None, copies=copies, initial=initial)
    locked = report.status in (report.Status.SUBMITTED, report.Status.ACCEPTED)
    if request.method == "POST" and form.is_valid():
        try:
            reporting.report_save(
                assignment=assignment, period=period, user=request.user, version=form.cleaned_data["version"],
                submit="submit" in request.POST,
                data={**form.cleaned_data, "claims": form.claims()},
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, "报告已提交，等待上级审核" if "submit" in request.POST else "草稿已保存"
            )
            return redirect("plans:assignment", pk=pk)
    context = {"assignment": assignment, "form": form, "report": report, "period": period, "locked": locked}
    return render(request, "plans/report_form.html", context)


@login_required
@require_POST
def report_review(request, pk):
    report = get_object_for_user(
        ProgressReport.objects.select_related("assignment"), request.user, "view", pk=pk
    )
    if not Assignment.objects.reviewable_by(request.user).filter(pk=report.assignment_id).exists():
        raise PermissionDenied("只有交办单位的编辑可以审核")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审核意见过长或未选择审核结果")
        return redirect("plans:assignment", pk=report.assignment_id)
    try:
        accept = form.cleaned_data["decision"] == "accept"
        reporting.report_review(
            report=report, accept=accept, comment=form.cleaned_data["comment"], user=request.user
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已通过" if form.cleaned_data["decision"] == "accept" else "已退回")
    return redirect("plans:assignment", pk=report.assignment_id)


@login_required
@require_GET
def review_queue(request):
    reports = (
        ProgressReport.objects.reviewable_by(request.user)
        .filter(status=ProgressReport.Status.SUBMITTED)
        .select_related("assignment__task", "assignment__organisation", "submitted_by")
        .order_by("submitted_at")
    )
    page = Paginator(reports, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "plans/review_queue.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The notification list; POST marks everything read."""
    mine = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("plans:notifications")
    page = Paginator(mine, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "plans/notifications.html", {"page_obj": page})


def _back(assignment_id):
    return redirect("plans:assignment", pk=assignment_id)


def _report_errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
@require_POST
def assignment_receive(request, pk):
    assignment = get_object_for_user(Assignment.objects.all(), request.user, "report", pk=pk)
    reporting.assignment_receive(assignment=assignment, user=request.user)
    messages.success(request, "已签收")
    return _back(pk)


@login_required
@require_POST
def extension_request(request, pk):
    copy = get_object_for_user(
        AssignmentMilestone.objects.select_related("milestone"), request.user, "report", pk=pk
    )
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写申请延至的日期（YYYY-MM-DD）和理由（不超过 2000 字）")
        return _back(copy.assignment_id)
    try:
        reporting.extension_request(
            copy=copy, requested_due=form.cleaned_data["requested_due"], reason=form.cleaned_data["reason"],
            user=request.user,
        )  # fmt: skip
        messages.success(request, "延期申请已提交，等待交办单位审批")
    except ValidationError as exc:
        _report_errors(request, exc)
    return _back(copy.assignment_id)


@login_required
@require_POST
def extension_decide(request, pk):
    ext = get_object_for_user(ExtensionRequest.objects.select_related("copy"), request.user, "view", pk=pk)
    if not Assignment.objects.reviewable_by(request.user).filter(pk=ext.copy.assignment_id).exists():
        raise PermissionDenied("只有交办单位的编辑可以审批延期")
    approve = request.POST.get("decision") == "approve"
    try:
        reporting.extension_decide(
            request=ext, approve=approve, comment=request.POST.get("comment", "")[:2000], user=request.user
        )
        messages.success(request, "已同意延期" if approve else "已驳回延期申请")
    except ValidationError as exc:
        _report_errors(request, exc)
    return _back(ext.copy.assignment_id)


@login_required
@require_POST
def assignment_settle(request, pk):
    assignment = get_object_for_user(Assignment.objects.all(), request.user, "view", pk=pk)
    if not Assignment.objects.reviewable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied("只有交办单位的编辑可以退办或销号")
    action = request.POST.get("action", "")
    try:
        reporting.assignment_settle(
            assignment=assignment,
            action=action,
            reason=request.POST.get("reason", "")[:2000],
            user=request.user,
        )
        messages.success(request, "已销号" if action == "close" else "已退办")
    except ValidationError as exc:
        _report_errors(request, exc)
    return _back(pk)


@login_required
@require_POST
def attachment_upload(request, pk):
    report = get_object_for_user(
        ProgressReport.objects.select_related("assignment"), request.user, "report", pk=pk
    )
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件")
    else:
        try:
            reporting.attachment_add(report=report, upload=upload, user=request.user)
            messages.success(request, f"已上传“{upload.name[:60]}”")
        except ValidationError as exc:
            _report_errors(request, exc)
    return _back(report.assignment_id)


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = get_object_for_user(ReportAttachment.objects.all(), request.user, "view", pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request):
    """Leaders' overdue dashboard: milestone states of an organisation's subtree and of each direct child."""
    from orgtree.selectors import get_organisation, top_organisations

    from .status import status_summary
    from .tasks import refresh_statuses_task

    org_id = request.GET.get("org") or request.POST.get("org")
    org = (
        get_organisation(request.user, int(org_id))
        if org_id and org_id.isdigit()
        else top_organisations(request.user).first()
    )
    if request.method == "POST":
        refresh_statuses_task.delay()  # eager in the embedded mode, a worker job otherwise
        messages.success(
            request, "已刷新状态" if settings.CELERY_TASK_ALWAYS_EAGER else "已提交刷新，稍后再看"
        )
        return redirect(f"{request.path}?org={org.pk}" if org else request.path)
    summary = status_summary(org=org, today=timezone.localdate()) if org else None
    if summary:
        ids = {c.code or str(c.pk): c.pk for c in org.get_children()}
        for row in summary["children"]:
            row["pk"] = ids.get(row["org"])
    return render(request, "plans/dashboard.html", {"org": org, "summary": summary})
