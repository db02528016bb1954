"""Plan pages: the list, a plan with its tasks and milestones, editing, the two-step Excel import, export."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from core.forms import message_service_errors
from core.jobs import enqueue
from core.progress import progress_key, progress_read
from core.spreadsheets import XLSX_CONTENT_TYPE
from core.staging import JobState
from core.views import download, service_form
from orgtree.selectors import get_object_for_user, may

from . import imports, selectors, services, tasks
from .exporters import export_plan_xlsx
from .forms import (
    ImportPeriodForm,
    MilestoneForm,
    PlanFilter,
    PlanForm,
    PlanImportForm,
    PlanUpdateForm,
    SectionForm,
    TaskForm,
)
from .models import Milestone, Plan, PlanImport
from .schedule import parse_schedule

RECEIVED_SHOWN = 50  # received plans listed under one's own; a county receives a few a year


@require_GET
def plan_list(request):
    filters = PlanFilter(request.GET, queryset=selectors.plans_for(request.user))
    page = Paginator(filters.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    received = PlanFilter(request.GET, queryset=selectors.received_plans(request.user)).qs[:RECEIVED_SHOWN]
    can_import = selectors.issuing_organisations(request.user).exists()
    context = {"page_obj": page, "filter": filters, "can_import": can_import, "received": list(received),
               "received_shown": RECEIVED_SHOWN}  # fmt: skip
    return render(request, "plans/list.html", context)


PLAN_PAGE_SIZE = 100  # tasks a plan page shows: a national plan can have tens of thousands


@require_GET
def plan_detail(request, pk):
    plan = get_object_for_user(Plan.objects.select_related("organisation"), request.user, pk=pk)
    page_obj = Paginator(selectors.plan_tasks(plan), PLAN_PAGE_SIZE).get_page(request.GET.get("page"))
    tasks = list(page_obj)
    titles = selectors.section_titles(plan)
    for task in tasks:
        task.section_path = titles.get(task.section_id, [])
    context = {
        "plan": plan,
        "tasks": tasks,
        "page_obj": page_obj,
        "can_edit": may(request.user, "edit", plan),
        "changes": selectors.plan_changes(plan),
        "section_form": SectionForm(),
    }
    return render(request, "plans/detail.html", context)


def _issuing_organisations(request, what: str):
    organisations = selectors.issuing_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied(f"只有编辑或管理员可以{what}")
    return organisations


@require_http_methods(["GET", "POST"])
def import_upload(request):
    organisations = _issuing_organisations(request, "导入任务分解表")
    form = PlanImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = form.cleaned_data
        staged = imports.plan_import_upload(
            organisation=data["organisation"], filename=upload.name, content=upload.read(), user=request.user,
            start_year=data["start_year"], end_year=data["end_year"],
        )  # fmt: skip
        enqueue(tasks.plan_import_preview_task, staged.pk)  # in-process when embedded, else on a worker
        staged.refresh_from_db()
        if staged.job_state != JobState.FAILED:
            return redirect("plans:import_preview", pk=staged.pk)
        # Rejected at once: say so on the form, and keep nothing of the file.
        form.add_error("file", f"文件被拒绝，未导入任何内容：{staged.job_message}")
        staged.delete()
    return render(request, "plans/import_upload.html", {"form": form})


def _staged(request, pk) -> PlanImport:
    return get_object_for_user(
        PlanImport.objects.select_related("organisation", "plan"), request.user, "edit", pk=pk
    )


PREVIEW_PAGE_SIZE = 100
PREVIEW_ERRORS_SHOWN = 200


@require_GET
def import_preview(request, pk):
    staged = _staged(request, pk)
    preview = staged.preview
    errors = preview.get("errors", [])
    context = {
        "staged": staged,
        "preview": preview,
        "page_obj": Paginator(preview.get("tasks", []), PREVIEW_PAGE_SIZE).get_page(request.GET.get("page")),
        "errors_shown": errors[:PREVIEW_ERRORS_SHOWN],
        "errors_more": max(0, len(errors) - PREVIEW_ERRORS_SHOWN),
        "stale": staged.is_stale(settings.IMPORT_JOB_TIMEOUT_SECONDS),
        "progress": progress_read(progress_key("plan-import", staged.pk)),
        "period_form": ImportPeriodForm(  # the period the preview used, to be corrected if need be
            initial={
                "start_year": staged.start_year or preview.get("start_year"),
                "end_year": staged.end_year or preview.get("end_year"),
            }
        ),  # fmt: skip
    }
    return render(request, "plans/import_preview.html", context)


@require_GET
def import_progress(request, pk):
    """The progress bar a running import's page polls; once the job is done the page is shown again."""
    staged = _staged(request, pk)
    if not staged.is_running:
        response = HttpResponse(status=204)
        if staged.job_state == JobState.DONE and staged.plan_id:
            response["HX-Redirect"] = reverse("plans:detail", args=[staged.plan_id])
        else:
            response["HX-Refresh"] = "true"
        return response
    context = {"staged": staged, "progress": progress_read(progress_key("plan-import", staged.pk))}
    return render(request, "plans/_import_progress.html", context)


@require_POST
def import_period(request, pk):
    staged = _staged(request, pk)
    form = ImportPeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写计划的起止年度（2000—2100 年）")
        return redirect("plans:import_preview", pk=staged.pk)
    try:
        imports.plan_import_set_period(staged=staged, **form.cleaned_data)
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        enqueue(tasks.plan_import_preview_task, staged.pk)
    return redirect("plans:import_preview", pk=staged.pk)


@require_POST
def import_confirm(request, pk):
    staged = _staged(request, pk)
    try:
        imports.plan_import_request_confirm(staged=staged)
    except ValidationError as exc:
        message_service_errors(request, exc)
        return redirect("plans:import_preview", pk=staged.pk)
    enqueue(tasks.plan_import_confirm_task, staged.pk, request.user.pk)
    staged.refresh_from_db()
    if staged.job_state == JobState.DONE:
        messages.success(request, f"已导入“{staged.plan.title}”")
        return redirect("plans:detail", pk=staged.plan_id)
    if staged.job_message:
        messages.error(request, staged.job_message)
    return redirect("plans:import_preview", pk=staged.pk)


@require_POST
def import_retry(request, pk):
    """Start again a job whose worker stopped (nothing of it was written)."""
    staged = _staged(request, pk)
    if not staged.is_stale(settings.IMPORT_JOB_TIMEOUT_SECONDS):
        messages.info(request, "这个文件仍在正常处理中，请稍候")
    elif staged.job_state == JobState.PREVIEWING:
        PlanImport.objects.filter(pk=staged.pk).update(job_started_at=timezone.now())
        enqueue(tasks.plan_import_preview_task, staged.pk)
    else:
        PlanImport.objects.filter(pk=staged.pk).update(job_started_at=timezone.now())
        enqueue(tasks.plan_import_confirm_task, staged.pk, request.user.pk)
    return redirect("plans:import_preview", pk=staged.pk)


@require_GET
def plan_export(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, pk=pk)
    return download(export_plan_xlsx(plan), f"{plan.doc_number or plan.title}.xlsx", XLSX_CONTENT_TYPE)


@require_http_methods(["GET", "POST"])
def plan_create(request):
    organisations = _issuing_organisations(request, "新建计划")
    year = timezone.localdate().year
    form = PlanForm(
        request.POST or None, organisations=organisations, initial={"start_year": year, "end_year": year}
    )

    def perform(data):
        plan = services.plan_create(user=request.user, **data)
        messages.success(request, f"已新建计划“{plan.title}”，现在可以添加任务")
        return redirect("plans:detail", pk=plan.pk)

    return service_form(request, form, perform=perform, template="plans/plan_form.html")


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    form = PlanUpdateForm(request.POST or None, initial=PlanUpdateForm.initial_for(plan))

    def perform(data):
        services.plan_update(plan=plan, data=data, user=request.user)
        messages.success(request, "已保存")
        return redirect("plans:detail", pk=plan.pk)

    return service_form(
        request, form, perform=perform, template="plans/plan_form.html", context={"plan": plan}
    )


@require_POST
def section_add(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.section_create(plan=plan, title=form.cleaned_data["title"], user=request.user)
            messages.success(request, "已添加章节")
        except ValidationError as exc:
            message_service_errors(request, exc)
    else:
        messages.error(request, "请填写章节标题（不超过 200 字）")
    return redirect("plans:detail", pk=plan.pk)


def _task_form(request, *, plan, task, form, save):
    """The inline task form (htmx) or its page: on success the row replaces the form."""

    def perform(data):
        saved = save(data)
        if request.htmx:
            row = selectors.task_for_user(request.user, saved.pk)
            return render(request, "plans/_task_row.html", {"task": row, "can_edit": True})
        return redirect("plans:detail", pk=plan.pk)

    template = "plans/_task_form.html" if request.htmx else "plans/task_form_page.html"
    return service_form(
        request, form, perform=perform, template=template, context={"plan": plan, "task": task}
    )


@require_http_methods(["GET", "POST"])
def task_new(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    form = TaskForm(request.POST or None, plan=plan, initial={"seq": selectors.next_seq(plan)})

    def save(data):
        return services.task_create(plan=plan, data=data, user=request.user)

    return _task_form(request, plan=plan, task=None, form=form, save=save)


@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    task = selectors.task_for_user(request.user, pk)
    form = TaskForm(request.POST or None, plan=task.plan, initial=TaskForm.initial_for(task))

    def save(data):
        return services.task_update(task=task, data=data, user=request.user)

    return _task_form(request, plan=task.plan, task=task, form=form, save=save)


@require_GET
def task_row(request, pk):
    task = selectors.task_for_user(request.user, pk, "view")
    return render(
        request, "plans/_task_row.html", {"task": task, "can_edit": may(request.user, "edit", task)}
    )


@require_POST
def task_move(request, pk, direction):
    task = selectors.task_for_user(request.user, pk)
    services.task_move(task=task, direction=direction, user=request.user)
    return redirect("plans:detail", pk=task.plan_id)


@require_POST
def task_delete(request, pk):
    task = selectors.task_for_user(request.user, pk)
    try:
        services.task_delete(task=task, user=request.user)
        messages.success(request, f"已删除任务 {task.seq}")
    except ValidationError as exc:
        message_service_errors(request, exc)
    return redirect("plans:detail", pk=task.plan_id)


@require_POST
def schedule_preview(request, pk):
    """Milestones parsed from the schedule text as the editor types (nothing is saved)."""
    plan = get_object_for_user(Plan.objects.all(), request.user, "edit", pk=pk)
    text = request.POST.get("schedule_text", "")[:20_000]
    parsed = parse_schedule(text, **plan.schedule_reading())
    milestones = [m.as_dict() for m in parsed]
    return render(request, "plans/_milestones.html", {"milestones": milestones, "live": True})


@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk):
    milestone = get_object_for_user(
        Milestone.objects.select_related("task__plan"), request.user, "edit", pk=pk
    )
    form = MilestoneForm(
        request.POST or None, initial={"start": milestone.start_date, "due": milestone.due_date}
    )

    def perform(data):
        services.milestone_update(
            milestone=milestone, start=data["start"], due=data["due"], user=request.user
        )
        task = selectors.task_for_user(request.user, milestone.task_id)
        response = render(request, "plans/_task_row.html", {"task": task, "can_edit": True})
        # The form sits inside the row; on success the whole row is replaced.
        return reswap(retarget(response, f"#task-{task.pk}"), "outerHTML")

    return service_form(request, form, perform=perform, template="plans/_milestone_form.html",
                        context={"milestone": milestone})  # fmt: skip
