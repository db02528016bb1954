"""Indicator pages: the list, an indicator at one organisation (rollup, charts, drill-down, targets),
the data entry grid, the Excel template and the two-step import."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_errors, message_service_errors
from core.periods import current_period, parse_period, periods_of_year
from core.spreadsheets import XLSX_CONTENT_TYPE
from core.views import download
from orgtree.models import OrgType
from orgtree.selectors import get_object_for_user, get_organisation, may, top_organisations, visible_ancestors

from . import selectors, services
from .exporters import template_xlsx
from .forms import FigureFormSet, TargetForm, ValueImportForm
from .importers import ValueFileError
from .models import Direction, Indicator, Target, ValueImport
from .rollup import Figure, rollup, series


def _period(request, fallback):
    """The period asked for in the query string, or the fallback with a message when it is malformed."""
    text = request.GET.get("period") or request.POST.get("period")
    if not text:
        return fallback
    try:
        return parse_period(text)
    except ValidationError as exc:
        message_service_errors(request, exc)
        return fallback


@require_GET
def indicator_list(request):
    """The indicators, each linking to its page at ?org= (within scope) or at the user's own organisation."""
    org_id = request.GET.get("org", "")
    if org_id.isdigit():
        home = get_organisation(request.user, int(org_id))
    else:
        home = top_organisations(request.user).first()
    return render(
        request,
        "indicators/list.html",
        {
            "indicators": selectors.active_indicators(),
            "home": home,
            "can_enter": selectors.entry_heads(request.user).exists(),
        },
    )


def _ranked(indicator: Indicator, children: list[Figure]) -> list[Figure]:
    reported = [f for f in children if f.value is not None]
    reported.sort(key=lambda f: f.value, reverse=indicator.direction == Direction.HIGHER)
    return reported + [f for f in children if f.value is None]


def _common_target(children: list[Figure]):
    """The target line of the children's chart: drawn only when one target value applies to them all."""
    values = {f.target.value if f.target else None for f in children}
    return _chart_value(values.pop()) if len(values) == 1 else None


def _chart_value(value):
    return None if value is None else float(value)


@require_GET
def indicator_detail(request, pk, org):
    indicator = get_object_or_404(selectors.active_indicators(), pk=pk)
    organisation = get_organisation(request.user, org)
    period = _period(request, selectors.default_period(indicator))
    try:
        own, children = rollup(indicator, organisation, period)
    except ValidationError as exc:
        message_service_errors(request, exc)
        period = selectors.default_period(indicator)
        own, children = rollup(indicator, organisation, period)
    ranked = _ranked(indicator, children)
    years = selectors.chart_years(indicator, period)
    yearly = series(indicator, organisation, years)
    charts = {
        "unit": indicator.unit_suffix,
        "years": [str(y) for y in years],
        "values": [_chart_value(f.value) for f in yearly],
        "targets": [_chart_value(f.target.value if f.target else None) for f in yearly],
        "children": [f.name for f in ranked if f.value is not None],
        "child_values": [_chart_value(f.value) for f in ranked if f.value is not None],
        "child_target": _common_target(children),
    }
    can_set_targets = may(request.user, "edit", organisation)
    context = {
        "indicator": indicator,
        "org": organisation,
        "ancestors": visible_ancestors(request.user, organisation),
        "period": period,
        "period_choices": _period_links(indicator, period),
        "own": own,
        "children": ranked,
        "yearly": yearly,
        "charts": charts,
        "targets": selectors.targets_set_by(indicator, organisation, request.user),
        "target_form": TargetForm(org=organisation) if can_set_targets else None,
        "own_values": selectors.own_values(indicator, organisation, request.user)
        if organisation.org_type == indicator.reporting_level
        else [],
        "can_enter": may(request.user, "enter", organisation),
        "tasks": selectors.related_tasks(indicator, request.user)[:20],
    }
    return render(request, "indicators/detail.html", context)


def _period_links(indicator: Indicator, period) -> list:
    """Quick links: the periods of the page's year and the neighbouring years."""
    links = [parse_period(str(y)) for y in (period.year - 1, period.year, period.year + 1)]
    if indicator.frequency != "year":
        links[2:2] = periods_of_year(period.year, indicator.frequency)
    return links


@require_POST
def target_add(request, pk, org):
    indicator = get_object_or_404(selectors.active_indicators(), pk=pk)
    organisation = get_organisation(request.user, org, "edit")
    form = TargetForm(request.POST, org=organisation)
    if form.is_valid():
        try:
            services.target_set(
                indicator=indicator, organisation=organisation, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
    if form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"目标未保存：{label + '：' if label else ''}{error}")
    else:
        messages.success(request, "目标已保存")
    url = reverse("indicators:detail", args=[indicator.pk, organisation.pk])
    return redirect(f"{url}?period={form.cleaned_data.get('year', '')}" if form.is_valid() else url)


@require_POST
def target_delete(request, pk):
    target = get_object_for_user(Target.objects.select_related("organisation"), request.user, "edit", pk=pk)
    indicator_id, org_id = target.indicator_id, target.organisation_id
    services.target_delete(target=target)
    messages.success(request, "目标已删除")
    return redirect("indicators:detail", pk=indicator_id, org=org_id)


# Data entry ------------------------------------------------------------------------------------------------


@require_GET
def entry_start(request):
    head = selectors.entry_heads(request.user).first()
    if head is None:
        raise PermissionDenied("您没有填报指标数据的权限")
    return redirect("indicators:entry", org=head.pk)


@require_http_methods(["GET", "POST"])
def entry(request, org):
    organisation = get_organisation(request.user, org, "enter")
    period = _period(request, current_period(selectors.default_kind()))
    indicators = selectors.indicators_for(period.kind)
    # Each level once, in the indicators' order: several indicators are reported by the same level.
    levels = list(dict.fromkeys(i.reporting_level for i in indicators))
    rows_qs = selectors.entry_rows(request.user, organisation, set(levels))
    page = Paginator(rows_qs, settings.PAGE_SIZE).get_page(
        request.GET.get("page") or request.POST.get("page")
    )
    rows = list(page.object_list)
    stored = selectors.stored_values(indicators, rows, period)
    formset = FigureFormSet(
        request.POST or None,
        organisations=rows,
        indicators=indicators,
        stored=stored,
        period=period,
        prefix="f",
    )
    if request.method == "POST":
        if formset.is_valid():
            counts = services.values_save(entries=formset.entries, user=request.user)
            messages.success(
                request,
                f"已保存：新增 {counts['new']} 项，修改 {counts['update']} 项，未变 {counts['unchanged']} 项",
            )
            query = urlencode({"period": period.code, "page": page.number})
            return redirect(f"{reverse('indicators:entry', args=[organisation.pk])}?{query}")
        messages.error(request, f"有 {formset.error_count} 处填写有误，未保存任何数据，请修改后再提交")
    context = {
        "org": organisation,
        "period": period,
        "indicators": indicators,
        "level_labels": [OrgType(level).label for level in levels],
        "formset": formset,
        "page_obj": page,
        "heads": selectors.entry_heads(request.user)[:20],
        "quick_periods": selectors.quick_periods(),
    }
    return render(request, "indicators/entry.html", context)


@require_GET
def template_download(request, org):
    organisation = get_organisation(request.user, org, "enter")
    period = _period(request, current_period(selectors.default_kind()))
    indicators = selectors.indicators_for(period.kind)
    rows = list(selectors.entry_rows(request.user, organisation, {i.reporting_level for i in indicators}))
    content = template_xlsx(
        organisation, period, indicators, rows, selectors.stored_values(indicators, rows, period)
    )
    return download(content, f"指标填报-{organisation.display_short}-{period.code}.xlsx", XLSX_CONTENT_TYPE)


@require_http_methods(["GET", "POST"])
def import_upload(request):
    heads = selectors.entry_heads(request.user)
    if not heads.exists():
        raise PermissionDenied("您没有填报指标数据的权限")
    form = ValueImportForm(request.POST or None, request.FILES or None, organisations=heads)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        organisation = form.cleaned_data["organisation"]
        try:
            staged = services.value_import_stage(
                organisation=organisation,
                filename=upload.name,
                content=upload.read(),
                organisations=selectors.enter_scope(request.user, within=organisation),
                user=request.user,
            )
        except ValueFileError as exc:
            form.add_error("file", f"文件被拒绝，未导入任何数据：{exc}")
        else:
            return redirect("indicators:import_preview", pk=staged.pk)
    return render(request, "indicators/import_upload.html", {"form": form})


@require_GET
def import_preview(request, pk):
    staged = get_object_for_user(
        ValueImport.objects.select_related("organisation"), request.user, "enter", pk=pk
    )
    return render(request, "indicators/import_preview.html", {"staged": staged, "preview": staged.preview})


@require_POST
def import_confirm(request, pk):
    staged = get_object_for_user(
        ValueImport.objects.select_related("organisation"), request.user, "enter", pk=pk
    )
    try:
        counts = services.value_import_confirm(
            staged=staged,
            organisations=selectors.enter_scope(request.user, within=staged.organisation),
            user=request.user,
        )
    except ValidationError as exc:
        message_service_errors(request, exc)
        return redirect("indicators:import_preview", pk=staged.pk)
    messages.success(
        request, f"已导入：新增 {counts['new']} 项，修改 {counts['update']} 项，未变 {counts['unchanged']} 项"
    )
    return redirect("indicators:import_preview", pk=staged.pk)
