"""The leaders' dashboard (督办看板): milestone states of an organisation's subtree and of each child; a
plan's export with the progress of every task handed down."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from assignments.models import ProgressStatus
from core.spreadsheets import XLSX_CONTENT_TYPE
from orgtree.selectors import get_object_for_user, get_organisation, top_organisations
from plans.models import Plan

from .exporters import export_plan_with_progress_xlsx
from .selectors import states_day, status_summary
from .tasks import refresh_statuses_task

DASHBOARD_STATES = sorted(ProgressStatus, key=lambda state: state.rank, reverse=True)  # worst first


@require_http_methods(["GET", "POST"])
def dashboard(request):
    org_id = request.GET.get("org") or request.POST.get("org")
    org = (
        get_organisation(request.user, int(org_id))
        if org_id and org_id.isdigit()
        else top_organisations(request.user).first()
    )
    if request.method == "POST":
        if org is None:
            return redirect(request.path)
        # Only the organisation's own subtree, and at most once a minute per organisation: a refresh is
        # cheap for a county and not for the country.
        if cache.add(f"status-refresh:{org.pk}", True, settings.STATUS_REFRESH_THROTTLE_SECONDS):
            refresh_statuses_task.delay(
                within_id=org.pk
            )  # eager in the embedded mode, a worker job otherwise
            done = refresh_statuses_task.app.conf.task_always_eager
            messages.success(request, "已刷新状态" if done else "已提交刷新，稍后再看")
        else:
            messages.info(request, "刚刚已刷新过，请稍后再试")
        return redirect(f"{request.path}?org={org.pk}")
    context = {"org": org, "summary": None, "states": DASHBOARD_STATES}
    if org is not None:
        summary = status_summary(org=org, today=timezone.localdate())

        def cells(counts):
            return [(state, counts[state.value]) for state in DASHBOARD_STATES]

        context.update(
            summary=summary,
            states_day=states_day(),
            total=cells(summary["milestones"]),
            children=[(child, cells(child["milestones"])) for child in summary["children"]],
            departments=[(d, cells(d["milestones"])) for d in summary["departments"]],
        )
    return render(request, "supervision/dashboard.html", context)


@require_GET
def plan_export_progress(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, pk=pk)
    content = export_plan_with_progress_xlsx(plan, request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"{plan.doc_number or plan.title}（含进度）.xlsx".replace("/", "-")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
