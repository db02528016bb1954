"""The assignment's page and the work done on it: 我的任务, 签收, 填报, 审核 (and 待审核), 延期, 退办/销号,
evidence. Who may do what comes from orgtree's action table through get_object_for_user."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assignments import selectors as assignment_selectors
from assignments import services as assignment_services
from assignments.models import Assignment, AssignmentContributor, AssignmentMilestone, ExtensionRequest
from core.forms import apply_service_errors, message_service_errors
from orgtree.selectors import get_object_for_user

from . import selectors, services
from .attachments import CONTENT_TYPES, content_disposition, report_attachment_add
from .forms import (
    BreakDownForm,
    ContributionForm,
    DecisionForm,
    ExtensionForm,
    ReportForm,
    ReviewForm,
    SettleForm,
    UrgeForm,
)
from .models import ProgressReport, ReportAttachment


def _back(assignment_id):
    return redirect("reporting:assignment", pk=assignment_id)


def _current_period(assignment: Assignment) -> str:
    return services.default_period(assignment)


@require_GET
def my_assignments(request):
    """我的任务: the open assignments of the organisations the user reports for, grouped by plan."""
    page = Paginator(assignment_selectors.assignments_to_report(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    due = assignment_selectors.next_due([a.pk for a in page])
    for assignment in page:
        assignment.next_due = due.get(assignment.pk)
    owed = assignment_selectors.contributions_owed(request.user)[:200]
    return render(request, "reporting/my_assignments.html", {"page_obj": page, "owed": owed})


@require_GET
def assignment_detail(request, pk):
    assignment = get_object_for_user(
        Assignment.objects.select_related("task", "plan", "organisation", "department", "issuer", "parent"),
        request.user,
        pk=pk,
    )
    context = {
        "assignment": assignment,
        **selectors.assignment_page(request.user, assignment),
        "period": _current_period(assignment),
        "today": timezone.localdate(),
    }
    return render(request, "reporting/assignment_detail.html", context)


@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    assignment = get_object_for_user(
        Assignment.objects.select_related("task", "plan"), request.user, "report", pk=pk
    )
    period = request.GET.get("period") or request.POST.get("period") or _current_period(assignment)
    try:
        report = services.report_draft(assignment=assignment, period=period)
    except ValidationError as exc:
        message_service_errors(request, exc)
        return _back(pk)
    open_milestones = assignment_selectors.assignment_milestones(assignment, open_only=True)
    form = ReportForm(
        request.POST or None, assignment_milestones=open_milestones, initial=ReportForm.initial_for(report)
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.report_save(
                assignment=assignment, period=report.period, user=request.user,
                version=form.cleaned_data["version"], submit=submit,
                data={**form.cleaned_data, "claims": form.claims()},
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "报告已提交，等待上级审核" if submit else "草稿已保存")
            return _back(pk)
    context = {"assignment": assignment, "form": form, "report": report, "period": report.period,
               "locked": report.is_locked}  # fmt: skip
    return render(request, "reporting/report_form.html", context)


@require_POST
def report_review(request, pk):
    report = get_object_for_user(
        ProgressReport.objects.select_related("assignment"), request.user, "review", pk=pk
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审核意见过长或未选择审核结果")
        return _back(report.assignment_id)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.report_review(report=report, accept=accept, comment=form.cleaned_data["comment"],
                               user=request.user)  # fmt: skip
    except ValidationError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, "已通过" if accept else "已退回")
    return _back(report.assignment_id)


@require_GET
def review_queue(request):
    page = Paginator(selectors.review_queue(request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    extensions = selectors.pending_extensions(request.user)[:200]
    return render(request, "reporting/review_queue.html", {"page_obj": page, "extensions": extensions})


@require_POST
def assignment_receive(request, pk):
    assignment = get_object_for_user(Assignment.objects.all(), request.user, "report", pk=pk)
    assignment_services.assignment_receive(assignment=assignment, user=request.user)
    messages.success(request, "已签收")
    return _back(pk)


@require_POST
def extension_request(request, pk):
    item = get_object_for_user(
        AssignmentMilestone.objects.select_related("milestone"), request.user, "report", pk=pk
    )
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写申请延至的日期（YYYY-MM-DD）和理由（不超过 2000 字）")
        return _back(item.assignment_id)
    try:
        assignment_services.extension_request_create(
            assignment_milestone=item, requested_due=form.cleaned_data["requested_due"],
            reason=form.cleaned_data["reason"], user=request.user,
        )  # fmt: skip
        messages.success(request, "延期申请已提交，等待交办单位审批")
    except ValidationError as exc:
        message_service_errors(request, exc)
    return _back(item.assignment_id)


@require_POST
def extension_decide(request, pk):
    ext = get_object_for_user(
        ExtensionRequest.objects.select_related("assignment_milestone"), request.user, "decide", pk=pk
    )
    form = DecisionForm(request.POST)
    assignment_id = ext.assignment_milestone.assignment_id
    if not form.is_valid():
        messages.error(request, "请选择同意或不同意；审批意见不超过 2000 字")
        return _back(assignment_id)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        assignment_services.extension_request_decide(
            request=ext, approve=approve, comment=form.cleaned_data["comment"], user=request.user
        )
        messages.success(request, "已同意延期" if approve else "已驳回延期申请")
    except ValidationError as exc:
        message_service_errors(request, exc)
    return _back(assignment_id)


@require_POST
def assignment_settle(request, pk):
    assignment = get_object_for_user(Assignment.objects.all(), request.user, "settle", pk=pk)
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请写明原因（不超过 2000 字），并选择销号或退办")
        return _back(pk)
    try:
        assignment_services.assignment_settle(
            assignment=assignment, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"],
            user=request.user,
        )  # fmt: skip
        messages.success(request, assignment_services.SETTLE_ACTIONS[form.cleaned_data["action"]][2])
    except ValidationError as exc:
        message_service_errors(request, exc)
    return _back(pk)


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
            report_attachment_add(report=report, upload=upload, user=request.user)
            messages.success(request, f"已上传“{upload.name[:60]}”")
        except ValidationError as exc:
            message_service_errors(request, exc)
    return _back(report.assignment_id)


@require_GET
def attachment_download(request, pk):
    attachment = get_object_for_user(ReportAttachment.objects.all(), request.user, "view", pk=pk)
    # Always a download of the declared type, never sniffed or shown inline: evidence is the users' file.
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
    )
    response["Content-Disposition"] = content_disposition(attachment.name, attachment.kind)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def assignment_urge(request, pk):
    """催办 by hand, from the issuing side."""
    assignment = get_object_for_user(Assignment.objects.all(), request.user, "urge", pk=pk)
    form = UrgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "催办意见不超过 500 字")
        return _back(pk)
    try:
        assignment_services.assignment_urge(assignment=assignment, user=request.user,
                                            comment=form.cleaned_data["comment"])  # fmt: skip
        messages.success(request, "已催办：承办人和承办单位的领导会收到通知")
    except ValidationError as exc:
        message_service_errors(request, exc)
    return _back(pk)


@require_http_methods(["GET", "POST"])
def assignment_break_down(request, pk):
    """分解交办: hand a received assignment on to one's own subordinates and/or departments."""
    assignment = get_object_for_user(
        Assignment.objects.select_related("task", "plan", "organisation", "department"), request.user,
        "break_down", pk=pk,
    )  # fmt: skip
    organisations, departments = assignment_selectors.break_down_choices(assignment)
    data = request.POST if request.method == "POST" else None  # an empty POST is still a submission
    form = BreakDownForm(data, organisations=organisations, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            parts = assignment_services.assignment_break_down(
                assignment=assignment, organisations=form.cleaned_data["organisations"],
                departments=form.cleaned_data.get("departments") or [], user=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已分解交办给 {len(parts)} 个承办方")
            return _back(pk)
    context = {"assignment": assignment, "form": form,
               "parts": assignment_selectors.chain(assignment)["below"]}  # fmt: skip
    return render(request, "reporting/break_down.html", context)


@require_POST
def contribution_save(request, pk):
    """配合反馈 by a 参与部门."""
    row = get_object_for_user(
        AssignmentContributor.objects.select_related("assignment__task", "assignment__plan", "department"),
        request.user, "contribute", pk=pk,
    )  # fmt: skip
    form = ContributionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写报告期和配合情况（不超过 5000 字）")
        return _back(row.assignment_id)
    try:
        services.contribution_save(assignment=row.assignment, department=row.department,
                                   period=form.cleaned_data["period"], text=form.cleaned_data["text"],
                                   user=request.user)  # fmt: skip
        messages.success(request, "配合情况已报送，牵头部门会收到通知")
    except ValidationError as exc:
        message_service_errors(request, exc)
    return _back(row.assignment_id)
