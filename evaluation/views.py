"""通报 and 考核 pages: a ranking of the children for a period (page, Word, Excel; issued and kept), the
bulletins a user may read, the year's scores explained, the scheme edited with a preview on last year."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_service_errors, message_service_errors
from core.spreadsheets import XLSX_CONTENT_TYPE
from core.views import download
from orgtree.models import Department
from orgtree.selectors import chosen_organisation, get_object_for_user, may
from supervision.board import children_of

from . import scoring, selectors, services
from .exporters import DOCX_CONTENT_TYPE, assessment_xlsx, bulletin_docx, bulletin_xlsx
from .forms import AdjustmentForm, BulletinForm, DayForm, IssueForm, SchemeForm
from .models import Bulletin


def _org(request, action: str = "view"):
    return chosen_organisation(request.user, request.GET.get("org") or request.POST.get("org"), action)


def _year(value, default: int) -> int | None:
    text = str(value or default).strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None


def _day(request, today):
    """?day=: the day whose recorded facts count; a bad one is reported and today counts instead."""
    form = DayForm(request.GET, today=today)
    if form.is_valid():
        return form.cleaned_data["day"]
    messages.error(request, "；".join(form.errors["day"]) + "，已按今天统计")
    return today


@require_GET
def bulletin_page(request):
    org, today = _org(request), timezone.localdate()
    if org is None:
        return render(request, "evaluation/bulletin.html", {"org": None})
    first = selectors.first_year(org)
    form = BulletinForm(
        request.GET if "period" in request.GET else {"period": f"{today.year}"}, today=today, first_year=first
    )
    context = {"org": org, "form": form, "today": today, "may_issue": may(request.user, "edit", org)}
    if form.is_valid():
        period, day = selectors.bulletin_period(form.cleaned_data["period"]), form.cleaned_data["day"]
        payload = selectors.bulletin(org=org, period=period, today=day)
        title = services.bulletin_title(org, period)
        fmt = request.GET.get("format")
        if fmt == "docx":
            content = bulletin_docx(payload, title=title, doc_number="", issued_on=day)
            return download(content, f"{title}.docx", DOCX_CONTENT_TYPE)
        if fmt == "xlsx":
            return download(bulletin_xlsx(payload), f"{title}.xlsx", XLSX_CONTENT_TYPE)
        context.update(
            payload=payload,
            title=title,
            period=period,
            issue_form=IssueForm(initial={"period": period.code, "day": day}, today=today, first_year=first),
            day=day,
        )
    context["issued"] = Bulletin.objects.for_user(request.user).filter(organisation=org).defer("figures")[:10]
    return render(request, "evaluation/bulletin.html", context)


@require_POST
def bulletin_issue(request):
    org, today = _org(request, "edit"), timezone.localdate()
    if org is None:
        return redirect("evaluation:bulletin")
    form = IssueForm(request.POST, today=today, first_year=selectors.first_year(org))
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{reverse('evaluation:bulletin')}?{urlencode({'org': org.pk})}")
    period = selectors.bulletin_period(form.cleaned_data["period"])
    try:
        issued = services.bulletin_issue(
            org=org,
            period=period,
            today=form.cleaned_data["day"],
            user=request.user,
            doc_number=form.cleaned_data["doc_number"],
        )
    except ValidationError as exc:
        message_service_errors(request, exc, "未能发布：")
        return redirect(
            f"{reverse('evaluation:bulletin')}?{urlencode({'org': org.pk, 'period': period.code})}"
        )
    messages.success(request, f"已发布《{issued.title}》，被通报单位可以查看")
    return redirect("evaluation:bulletin_detail", pk=issued.pk)


@require_GET
def bulletins(request):
    page = Paginator(selectors.bulletins_for(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    org = _org(request)
    return render(request, "evaluation/bulletins.html", {"page": page, "org": org})


@require_GET
def bulletin_detail(request, pk: int):
    issued = get_object_for_user(
        Bulletin.objects.select_related("organisation", "issued_by"), request.user, pk=pk
    )
    payload = issued.figures
    fmt = request.GET.get("format")
    if fmt == "docx":
        content = bulletin_docx(
            payload,
            title=issued.title,
            doc_number=issued.doc_number,
            issued_on=timezone.localdate(issued.issued_at),
        )
        return download(content, f"{issued.title}.docx", DOCX_CONTENT_TYPE)
    if fmt == "xlsx":
        return download(bulletin_xlsx(payload), f"{issued.title}.xlsx", XLSX_CONTENT_TYPE)
    return render(request, "evaluation/bulletin_detail.html", {"bulletin": issued, "payload": payload})


def _units(org) -> list[tuple[str, str]]:
    units = [(f"org:{c.pk}", c.name) for c in children_of(org)]
    units += [
        (f"department:{d.pk}", f"{d.name}（本级部门）")
        for d in Department.objects.filter(organisation=org, is_active=True).order_by("order", "pk")
    ]
    return units


@require_GET
def assessment_page(request):
    org, today = _org(request), timezone.localdate()
    if org is None:
        return render(request, "evaluation/assessment.html", {"org": None})
    year = _year(request.GET.get("year"), today.year)
    if year is None:
        messages.error(request, "年度应为 2000—2100 之间的四位数字")
        year = today.year
    day = _day(request, today)
    payload = selectors.assessment(org=org, year=year, today=day)
    if request.GET.get("format") == "xlsx":
        return download(assessment_xlsx(payload), f"{org.name}{year}年度考核.xlsx", XLSX_CONTENT_TYPE)
    scheme = selectors.scheme_for(org, year)
    return render(
        request,
        "evaluation/assessment.html",
        {
            "org": org,
            "year": year,
            "years": range(
                today.year, min(year, selectors.first_year(org) or today.year, today.year - 3) - 1, -1
            ),
            "payload": payload,
            "day": day,
            "scheme": scheme,
            "rules": scoring.RULES,
            "may_edit": may(request.user, "edit", org),
        },
    )


@require_http_methods(["GET", "POST"])
def scheme_edit(request):
    org, today = _org(request, "edit"), timezone.localdate()
    if org is None:
        return redirect("evaluation:assessment")
    year = _year(request.GET.get("year") or request.POST.get("year"), today.year)
    if year is None:
        messages.error(request, "年度应为 2000—2100 之间的四位数字")
        return redirect(f"{reverse('evaluation:assessment')}?{urlencode({'org': org.pk})}")
    scheme = selectors.scheme_for(org, year)
    back = f"{reverse('evaluation:assessment')}?{urlencode({'org': org.pk, 'year': year})}"
    weights = scoring.weights_of(scheme.weights if scheme else None)
    form = SchemeForm(initial={key: scoring.plain(value) for key, value in weights.items()})
    adjust = AdjustmentForm(units=_units(org))
    preview = None
    action = request.POST.get("action")
    if request.method == "POST" and action in ("preview", "save"):
        form = SchemeForm(request.POST)
        if form.is_valid():
            data = {key: str(value) for key, value in form.cleaned_data.items()}
            try:
                if action == "save":
                    services.scheme_save(org=org, year=year, data=data, user=request.user)
                    messages.success(request, f"{year} 年度考核方案已保存")
                    return redirect(back)
                clean = services.clean_weights(data)
                preview = selectors.assessment(org=org, year=year - 1, today=today, weights=clean)
            except ValidationError as exc:
                apply_service_errors(form, exc)
    elif request.method == "POST" and action == "adjust":
        adjust = AdjustmentForm(request.POST, units=_units(org))
        if adjust.is_valid():
            try:
                services.adjustment_add(
                    org=org,
                    year=year,
                    unit=adjust.cleaned_data["unit"],
                    points=adjust.cleaned_data["points"],
                    reason=adjust.cleaned_data["reason"],
                    user=request.user,
                )
                messages.success(request, "已记录加减分")
                return redirect(f"{request.path}?{urlencode({'org': org.pk, 'year': year})}")
            except ValidationError as exc:
                apply_service_errors(adjust, exc)
    elif request.method == "POST":
        messages.error(request, "未知的操作")
    return render(
        request,
        "evaluation/scheme.html",
        {
            "org": org,
            "year": year,
            "scheme": scheme,
            "form": form,
            "adjust": adjust,
            "preview": preview,
            "back": back,
            "adjustments": scheme.adjustments.select_related("organisation", "department") if scheme else [],
        },
    )


@require_POST
def year_close(request):
    org, today = _org(request, "edit"), timezone.localdate()
    year = _year(request.POST.get("year"), 0)
    if org is None or year is None:
        messages.error(request, "请选择要关闭的年度")
        return redirect("evaluation:assessment")
    try:
        services.year_close(org=org, year=year, today=today, user=request.user)
        messages.success(request, f"{year} 年度考核已关闭，得分已固定")
    except ValidationError as exc:
        message_service_errors(request, exc)
    return redirect(f"{reverse('evaluation:assessment')}?{urlencode({'org': org.pk, 'year': year})}")
