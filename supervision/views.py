"""The leaders' pages: the 督办看板 (a subtree's assignments by state, per child and department, drilling
down), the 督办清单 (what is late, who owes it, since when; 催办 on a selection; xlsx) and a plan's export
with the progress of every task handed down."""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from assignments.models import ProgressStatus
from assignments.services import assignments_urge_many
from core.forms import message_service_errors
from core.jobs import enqueue
from core.spreadsheets import XLSX_CONTENT_TYPE
from core.views import download
from orgtree.models import Department
from orgtree.selectors import (
    chosen_organisation,
    get_object_for_user,
    national_organisation,
    visible_ancestors,
)
from orgtree.subtree import CENTRAL
from plans.models import Plan

from . import board as board_selectors
from .exporters import export_plan_with_progress_xlsx, overdue_list_xlsx
from .filters import ItemFilter
from .indicators import indicator_panel
from .selectors import states_day
from .tables import ItemTable
from .tasks import refresh_statuses_task
from .timeline import organisation_timeline, plan_timeline

DASHBOARD_STATES = sorted(ProgressStatus, key=lambda state: state.rank, reverse=True)  # worst first
ITEMS_PER_PAGE = 50
EXPORT_LIMIT = 20_000


def _chosen_org(request):
    return chosen_organisation(request.user, request.GET.get("org") or request.POST.get("org"))


def _crumbs(user, org) -> list:
    """The way back up: the ancestors the user may see and, for 团中央's people, the country above a
    province (团中央 heads a tree of its own)."""
    crumbs = list(visible_ancestors(user, org))
    national = national_organisation(user) if org.org_type != CENTRAL else None
    return [national, *crumbs] if national is not None else crumbs


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@require_http_methods(["GET", "POST"])
def dashboard(request):
    org = _chosen_org(request)
    if request.method == "POST":
        if org is None:
            return redirect(request.path)
        # Only the organisation's own subtree, and at most once a minute per organisation: a refresh is
        # cheap for a county and not for the country.
        if cache.add(f"status-refresh:{org.pk}", True, settings.STATUS_REFRESH_THROTTLE_SECONDS):
            # Eager in the embedded mode, a worker job otherwise (recorded for later if Redis is down).
            enqueue(refresh_statuses_task, within_id=org.pk)
            done = refresh_statuses_task.app.conf.task_always_eager
            messages.success(request, "已刷新状态" if done else "已提交刷新，稍后再看")
        else:
            messages.info(request, "刚刚已刷新过，请稍后再试")
        return redirect(f"{request.path}?org={org.pk}")
    context = {"org": org}
    if org is not None:
        plan_id, year = _int(request.GET.get("plan")), _int(request.GET.get("year"))
        context.update(
            board=board_selectors.board(org=org, plan_id=plan_id, year=year),
            states_day=states_day(),
            crumbs=_crumbs(request.user, org),
            plans=board_selectors.plan_choices(request.user, org),
            years=range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
            plan_id=plan_id,
            year=year,
            today=timezone.localdate(),
            cards=board_selectors.CARDS,
        )
    return render(request, "supervision/dashboard.html", context)


@require_GET
def dashboard_indicators(request):
    """The board's indicator panel, loaded after the board (htmx): the board's own numbers come first."""
    org = _chosen_org(request)
    panel = indicator_panel(org) if org is not None else []
    return render(request, "supervision/_indicators.html", {"org": org, "panel": panel})


@require_GET
def overdue_list(request):
    """督办清单: every overdue (or, on a tab, due-soon) item of the subtree, filtered, sorted, paged; as
    xlsx through the one safe writer."""
    org = _chosen_org(request)
    if org is None:
        return render(request, "supervision/overdue_list.html", {"org": None})
    tab = request.GET.get("tab") if request.GET.get("tab") in board_selectors.TABS else "overdue"
    today = states_day() or timezone.localdate()  # days overdue as of the day the states are for
    rows = board_selectors.items(request.user, org=org, tab=tab, today=today)
    filters = ItemFilter(request.GET, queryset=rows, plans=board_selectors.plan_choices(request.user, org))
    if request.GET.get("export") == "xlsx":
        chosen = filters.qs.order_by("due_date", "pk")[:EXPORT_LIMIT]
        content = overdue_list_xlsx(
            board_selectors.item_rows(chosen, today=today), tab=tab, org=org, today=today
        )
        return download(content, f"督办清单-{org.name}-{today:%Y%m%d}.xlsx", XLSX_CONTENT_TYPE)
    # The page's rows first (one index range), what they show after (a join of seven tables would
    # cost more to plan than to run).
    table = ItemTable(filters.qs.select_related(None), today=today)
    RequestConfig(request, paginate={"per_page": ITEMS_PER_PAGE}).configure(table)
    page = [row.record for row in table.page.object_list] if table.page else []
    board_selectors.with_relations(page)
    table.people = board_selectors.responsible_names(
        {(r.assignment.organisation_id, r.assignment.department_id) for r in page}
    )
    table.reports = board_selectors.last_reports(r.assignment_id for r in page)
    context = {
        "org": org, "tab": tab, "tabs": board_selectors.TABS, "table": table, "filter": filters,
        "crumbs": _crumbs(request.user, org), "states_day": states_day(),
        "total": table.paginator.count if table.page else 0,
    }  # fmt: skip
    return render(request, "supervision/overdue_list.html", context)


@require_POST
def urge_selected(request):
    """催办 on a selection of the 督办清单 (each item once a day; only what the user may urge)."""
    back = request.POST.get("next") or reverse("supervision:overdue_list")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("supervision:overdue_list")
    ids = [pk for pk in request.POST.getlist("pick") if pk.isdigit()]
    try:
        urged, skipped = assignments_urge_many(
            assignment_ids=ids, user=request.user, comment=request.POST.get("comment", "")
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
        return redirect(back)
    note = f"，{skipped} 项未催办（今天已催办过、已销号退办或不在您的催办范围内）" if skipped else ""
    messages.success(request, f"已催办 {urged} 项{note}")
    return redirect(back)


@require_GET
def plan_export_progress(request, pk):
    plan = get_object_for_user(Plan.objects.all(), request.user, pk=pk)
    content = export_plan_with_progress_xlsx(plan, request.user)
    return download(content, f"{plan.doc_number or plan.title}（含进度）.xlsx", XLSX_CONTENT_TYPE)


@require_GET
def timeline(request):
    """时间轴: a plan's tasks (?plan=), or what an organisation or one of its departments received (?org=,
    &department=, &plan=), drawn by month with the day's line; a list on a phone."""
    today = timezone.localdate()
    plan_id, department_id = _int(request.GET.get("plan")), _int(request.GET.get("department"))
    context = {"today": today, "plan": None, "department": None}
    if plan_id and not request.GET.get("org"):
        plan = get_object_for_user(Plan.objects.all(), request.user, pk=plan_id)
        context.update(plan=plan, org=plan.organisation, data=plan_timeline(user=request.user, plan=plan),
                       title=f"时间轴：{plan.title}")  # fmt: skip
    else:
        org = _chosen_org(request)
        if org is None:
            return render(request, "supervision/timeline.html", {"org": None})
        if department_id:
            context["department"] = get_object_for_user(
                Department.objects.filter(organisation=org), request.user, pk=department_id
            )
        data = organisation_timeline(user=request.user, org=org, department_id=department_id, plan_id=plan_id)
        name = context["department"].name if context["department"] else org.name
        departments = Department.objects.filter(organisation=org, is_active=True).order_by("order", "pk")
        context.update(org=org, data=data, title=f"时间轴：{name}收到的任务", departments=departments)
    context["chart"] = {"rows": context["data"]["rows"], "today": today.isoformat()}
    return render(request, "supervision/timeline.html", context)
