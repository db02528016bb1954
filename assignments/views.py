"""Publishing pages: each task's recipients (read from the table, set here for chosen tasks), the
decision for undated tasks, a preview of who receives what, then publish."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import apply_service_errors, message_service_errors
from orgtree.models import Organisation
from orgtree.selectors import get_object_for_user
from plans.models import Plan
from plans.services import tasks_make_routine

from . import publishing
from .forms import PublishForm, RecipientsForm, RoutineForm


def _plan(request, pk) -> Plan:
    return get_object_for_user(Plan.objects.select_related("organisation"), request.user, "edit", pk=pk)


def _task_rows(plan: Plan) -> list[dict]:
    """Each task with a readable account of its recipients (organisation names in one query)."""
    tasks = list(plan.tasks.order_by("order", "id").prefetch_related("lead_departments", "milestones"))
    ids = {pk for t in tasks for pk in (t.recipients or {}).get("organisations") or []}
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for task in tasks:
        recipients = publishing.Recipients.of(task.recipients)
        parts = []
        if recipients.internal:
            leads = [d.name for d in task.lead_departments.all()]
            parts.append(f"本单位 {leads[0]}（牵头）" if leads else "本单位部门（未指定牵头部门）")
        parts += [publishing.LEVEL_LABELS.get(level, level) for level in recipients.levels]
        parts += [names.get(pk, "（已撤销的组织）") for pk in recipients.organisations]
        dated = any(m.due_date for m in task.milestones.all())
        rows.append({"task": task, "recipients": "、".join(parts), "dated": dated})
    return rows


@require_http_methods(["GET", "POST"])
def plan_publish(request, pk):
    plan = _plan(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    recipients_form = RecipientsForm(request.POST if action == "assign" else None, plan=plan)
    undated = publishing.undated_tasks(plan).order_by("order", "id")
    routine_form = RoutineForm(request.POST if action == "routine" else None, undated=undated)
    levels_form = PublishForm(request.POST if request.method == "POST" and not action else None)
    if action == "assign" and recipients_form.is_valid():
        try:
            n = publishing.recipients_set(plan=plan, task_ids=recipients_form.task_ids(),
                                          recipients=recipients_form.recipients(),
                                          user=request.user)  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(recipients_form, exc)
        else:
            messages.success(request, f"已为 {n} 项任务设置接收方")
            return redirect("assignments:publish", pk=plan.pk)
    elif action == "routine" and routine_form.is_valid():
        try:
            n = tasks_make_routine(plan=plan, task_ids=[t.pk for t in routine_form.cleaned_data["tasks"]],
                                   frequency=routine_form.cleaned_data["frequency"],
                                   user=request.user)  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(routine_form, exc)
        else:
            messages.success(request, f"已将 {n} 项任务标为常态化")
            return redirect("assignments:publish", pk=plan.pk)
    elif action == "publish":
        try:
            result = publishing.plan_publish(
                plan=plan, rules=publishing.rules_from_tasks(plan), user=request.user
            )
        except ValidationError as exc:
            message_service_errors(request, exc)
        else:
            return _published(request, plan, result)
    elif request.method == "POST" and not action and levels_form.is_valid():
        # Every task to the chosen levels, in one step.
        try:
            result = publishing.plan_publish(
                plan=plan, levels=levels_form.cleaned_data["levels"], user=request.user
            )
        except ValidationError as exc:
            apply_service_errors(levels_form, exc)
        else:
            return _published(request, plan, result)
    rules = publishing.rules_from_tasks(plan)
    try:
        preview = publishing.plan_publish_preview(plan=plan, rules=rules) if rules else None
    except ValidationError as exc:
        preview, _ = None, message_service_errors(request, exc)
    context = {"plan": plan, "rows": _task_rows(plan), "recipients_form": recipients_form,
               "routine_form": routine_form, "undated": undated, "preview": preview,
               "form": levels_form}  # fmt: skip
    return render(request, "assignments/publish.html", context)


def _published(request, plan, result):
    created, dated = result["assignments_created"], result["assignment_milestones_created"]
    messages.success(request, f"已下发：新建交办 {created:,} 项，节点 {dated:,} 个")
    return redirect("plans:detail", pk=plan.pk)


@require_GET
def plan_publish_preview(request, pk):
    """The quick form's live preview: every task to the chosen levels."""
    plan = _plan(request, pk)
    form = PublishForm(request.GET)
    levels = form.cleaned_data["levels"] if form.is_valid() else None
    preview = None
    if levels:
        try:
            preview = publishing.plan_publish_preview(plan=plan, levels=levels)
        except ValidationError:
            preview = None
    return render(request, "assignments/_publish_preview.html", {"preview": preview, "form": form})
