"""Progress reports (反馈), their review (审核/退回) and closing (销号): the services behind 我的任务."""

from __future__ import annotations

import calendar
import re
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Assignment, AssignmentEvent, AssignmentMilestone, ProgressReport, ReportMilestone

PERIOD_RE = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|Q([1-4])|H([12]))$")
MONTHS_PER = {"month": 1, "quarter": 3, "half": 6}


def period_of(day: date, frequency: str = "month") -> str:
    """The reporting period holding `day`: 2019-06 (monthly), 2019Q2 (quarterly) or 2019H1 (half-yearly)."""
    if frequency == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if frequency == "half":
        return f"{day.year}H{1 if day.month <= 6 else 2}"
    return f"{day.year}-{day.month:02d}"


def period_bounds(period: str) -> tuple[date, date]:
    match = PERIOD_RE.match(period or "")
    if not match:
        raise ValidationError({"period": "报告期格式应为 2019-06、2019Q2 或 2019H1"})
    year = int(match.group(1))
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month:
        first, span = int(month), 1
    elif quarter:
        first, span = (int(quarter) - 1) * 3 + 1, 3
    else:
        first, span = (int(half) - 1) * 6 + 1, 6
    last = first + span - 1
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def previous_period(day: date, frequency: str = "month") -> str:
    """The period before the one holding `day`: the report due in the first days of this one."""
    start, _ = period_bounds(period_of(day, frequency))
    return period_of(start - timedelta(days=1), frequency)


def report_deadline(period: str) -> date:
    """Reports are due on the Nth day of the following month (settings.REPORT_DEADLINE_DAY, default 5)."""
    _, last = period_bounds(period)
    return last + timedelta(days=int(getattr(settings, "REPORT_DEADLINE_DAY", 5)))


def _event(assignment: Assignment, kind: str, user, comment: str = "") -> None:
    actor = user if user is not None and user.is_authenticated else None
    AssignmentEvent.objects.create(assignment=assignment, kind=kind, actor=actor, comment=comment[:2000])


def report_draft(*, assignment: Assignment, period: str) -> ProgressReport:
    """The report for the period, or a new one pre-filled from the previous period's."""
    period_bounds(period)
    existing = assignment.reports.filter(period=period).first()
    if existing is not None:
        return existing
    previous = assignment.reports.filter(period__lt=period).order_by("-period").first()
    return ProgressReport(
        assignment=assignment,
        period=period,
        state=previous.state if previous else ProgressReport.State.IN_PROGRESS,
        percent=previous.percent if previous else 0,
        narrative=previous.narrative if previous else "",
        version=0,
    )


@transaction.atomic
def report_save(
    *,
    assignment: Assignment,
    period: str,
    data: dict,
    user,
    version: int,
    submit: bool,
    today: date | None = None,
) -> ProgressReport:
    """Save a draft or submit it. `version` is the one the form was opened with: a report changed by
    someone else since then is refused, not silently overwritten."""
    today = today or timezone.localdate()
    period_bounds(period)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已销号或退办，不能再填报")
    report = ProgressReport.objects.select_for_update().filter(assignment=assignment, period=period).first()
    if report is None:
        if version != 0:
            raise ValidationError("报告已被删除或不存在，请刷新页面后重试")
        report = ProgressReport(assignment=assignment, period=period, version=0)
    elif report.version != version:
        raise ValidationError(
            "这份报告已被他人修改（可能是同一组织的另一位填报员），请刷新页面，在最新内容上修改"
        )
    if report.status in (ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED):
        raise ValidationError("报告已提交，在审核退回之前不能修改")
    percent = data.get("percent")
    if percent is None or not 0 <= int(percent) <= 100:
        raise ValidationError({"percent": "完成百分比应在 0 到 100 之间"})
    claims = data.get("claims", [])
    own = set(assignment.milestones.values_list("pk", flat=True))
    for copy_id, completed_on in claims:
        if copy_id not in own:
            raise ValidationError({"claims": "只能勾选本交办的时间节点"})
        if completed_on is None:
            raise ValidationError({"claims": "请填写勾选节点的完成日期"})
        if completed_on > today:
            raise ValidationError({"claims": f"完成日期 {completed_on:%Y-%m-%d} 不能晚于今天"})
    report.state = data.get("state") or ProgressReport.State.IN_PROGRESS
    if report.state not in ProgressReport.State.values:
        raise ValidationError({"state": "请选择有效的进展状态"})
    report.percent = int(percent)
    report.narrative = (data.get("narrative") or "").strip()[:10_000]
    report.version += 1
    if submit:
        report.status = ProgressReport.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = user if user is not None and user.is_authenticated else None
        report.is_late = today > report_deadline(period)
    else:
        report.status = ProgressReport.Status.DRAFT
    report.save()
    report.claims.all().delete()
    ReportMilestone.objects.bulk_create(
        ReportMilestone(report=report, copy_id=copy_id, completed_on=completed_on)
        for copy_id, completed_on in claims
    )
    if submit:
        late = "（逾期提交）" if report.is_late else ""
        _event(
            assignment,
            AssignmentEvent.Kind.REPORTED,
            user,
            f"{period} 报告：{report.get_state_display()} {report.percent}%{late}",
        )
    return report


@transaction.atomic
def report_review(*, report: ProgressReport, accept: bool, comment: str, user) -> ProgressReport:
    """Accept (the claimed milestones count as done from now) or return with a comment."""
    report = ProgressReport.objects.select_for_update().select_related("assignment").get(pk=report.pk)
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError("只能审核已提交、待审核的报告")
    comment = (comment or "").strip()
    assignment = report.assignment
    report.reviewed_at = timezone.now()
    report.reviewed_by = user if user is not None and user.is_authenticated else None
    report.review_comment = comment[:2000]
    if not accept:
        if not comment:
            raise ValidationError({"comment": "退回时请写明原因"})
        report.status = ProgressReport.Status.RETURNED
        report.save()
        _event(assignment, AssignmentEvent.Kind.RETURNED, user, comment)
        return report
    report.status = ProgressReport.Status.ACCEPTED
    report.save()
    now = timezone.now()
    for claim in report.claims.all():
        AssignmentMilestone.objects.filter(pk=claim.copy_id, accepted_at__isnull=True).update(
            completed_on=claim.completed_on, accepted_at=now
        )
    assignment.milestones.filter(accepted_at__isnull=True).update(percent=report.percent)
    _event(assignment, AssignmentEvent.Kind.ACCEPTED, user, comment or f"{report.period} 报告通过")
    dated_open = assignment.milestones.filter(due_date__isnull=False, accepted_at__isnull=True)
    if assignment.milestones.filter(due_date__isnull=False).exists() and not dated_open.exists():
        assignment.status = Assignment.Status.CLOSED
        assignment.save(update_fields=["status"])
        _event(assignment, AssignmentEvent.Kind.CLOSED, user, "全部时间节点已完成，自动销号")
    _refresh_after_commit(assignment.plan_id)
    return report


def _refresh_after_commit(plan_id: int) -> None:
    from .tasks import refresh_statuses_task

    transaction.on_commit(lambda: refresh_statuses_task.delay(plan_id=plan_id))


def next_due(assignment_ids: list[int]) -> dict[int, AssignmentMilestone]:
    """The next open dated milestone of each assignment (one query)."""
    rows = (
        AssignmentMilestone.objects.filter(
            assignment_id__in=assignment_ids, accepted_at__isnull=True, due_date__isnull=False
        )
        .select_related("milestone")
        .order_by("assignment_id", "due_date", "id")
    )
    found: dict[int, AssignmentMilestone] = {}
    for row in rows:
        found.setdefault(row.assignment_id, row)
    return found


# --- receiving, extensions, sending back and closing ------------------------------------------------


def assignment_receive(*, assignment: Assignment, user) -> None:
    """签收: recorded once."""
    if not assignment.events.filter(kind=AssignmentEvent.Kind.RECEIVED).exists():
        _event(assignment, AssignmentEvent.Kind.RECEIVED, user)


@transaction.atomic
def extension_request(
    *, copy: AssignmentMilestone, requested_due: date, reason: str, user, today: date | None = None
):
    from .models import ExtensionRequest

    today = today or timezone.localdate()
    copy = AssignmentMilestone.objects.select_for_update().select_related("assignment").get(pk=copy.pk)
    reason = (reason or "").strip()
    if copy.due_date is None:
        raise ValidationError("持续推进的节点没有完成时限，无需延期")
    if copy.accepted_at is not None:
        raise ValidationError("该节点已完成，无需延期")
    if today > copy.due_date:
        raise ValidationError(f"已过完成时限 {copy.due_date:%Y-%m-%d}，只能在到期前申请延期")
    if requested_due <= copy.due_date:
        raise ValidationError({"requested_due": f"申请的日期应晚于现在的完成时限 {copy.due_date:%Y-%m-%d}"})
    if not reason:
        raise ValidationError({"reason": "请写明延期理由"})
    if copy.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError("该节点已有待审批的延期申请")
    request = ExtensionRequest.objects.create(
        copy=copy, original_due=copy.due_date, requested_due=requested_due, reason=reason[:2000],
        requested_by=user if user is not None and user.is_authenticated else None,
    )  # fmt: skip
    _event(
        copy.assignment,
        AssignmentEvent.Kind.EXTENDED,
        user,
        f"申请将“{copy.milestone.raw[:20]}”延至 {requested_due:%Y-%m-%d}：{reason}",
    )
    return request


@transaction.atomic
def extension_decide(*, request, approve: bool, comment: str, user):
    from .models import ExtensionRequest

    request = (
        ExtensionRequest.objects.select_for_update().select_related("copy__assignment").get(pk=request.pk)
    )
    if request.status != ExtensionRequest.Status.PENDING:
        raise ValidationError("该申请已经审批过了")
    request.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    request.decided_by = user if user is not None and user.is_authenticated else None
    request.decided_at = timezone.now()
    request.decision_comment = (comment or "").strip()[:2000]
    request.save()
    copy = request.copy
    if approve:
        copy.due_date = (
            request.requested_due
        )  # the original stays on the request and on the issuer's milestone
        copy.save(update_fields=["due_date"])
        _refresh_after_commit(copy.assignment.plan_id)
    verdict = f"同意延期至 {request.requested_due:%Y-%m-%d}" if approve else "不同意延期"
    _event(
        copy.assignment,
        AssignmentEvent.Kind.EXTENDED,
        user,
        f"{verdict}{('：' + request.decision_comment) if request.decision_comment else ''}",
    )
    return request


@transaction.atomic
def assignment_settle(*, assignment: Assignment, action: str, reason: str, user) -> Assignment:
    """退办 (sent back as wrongly assigned) or 销号 (closed by decision), by the issuing level."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明原因"})
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError(f"该交办的状态是“{assignment.get_status_display()}”，不能再退办或销号")
    if action == "close":
        assignment.status, kind = Assignment.Status.CLOSED, AssignmentEvent.Kind.CLOSED
    elif action == "return":
        assignment.status, kind = Assignment.Status.RETURNED, AssignmentEvent.Kind.RETURNED
    else:
        raise ValidationError("未知的操作")
    assignment.save(update_fields=["status"])
    _event(assignment, kind, user, reason)
    return assignment


# --- evidence -------------------------------------------------------------------------------------

# Extension → the signatures a real file of that type starts with.
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
MAX_ATTACHMENTS = 5


def attachment_add(*, report: ProgressReport, upload, user):
    """Attach a file to a draft or returned report: type by extension and content, size bounded."""
    from .models import ReportAttachment

    limit = int(getattr(settings, "REPORT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
    if report.status in (ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED):
        raise ValidationError("报告已提交，不能再添加附件")
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(f"不支持的附件类型“.{extension or '无'}”，允许：{'、'.join(ATTACHMENT_TYPES)}")
    if upload.size > limit:
        raise ValidationError(
            f"附件过大（{upload.size / 1024 / 1024:.1f} MB），每个不超过 {limit // 1024 // 1024} MB"
        )
    if upload.size == 0:
        raise ValidationError("附件是空文件")
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(ATTACHMENT_TYPES[extension]):
        raise ValidationError(f"文件内容与扩展名 .{extension} 不符")
    if report.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每份报告最多 {MAX_ATTACHMENTS} 个附件")
    attachment = ReportAttachment(
        report=report, name=name, size=upload.size, kind=extension,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )  # fmt: skip
    # Stored under a generated name: the user's file name never becomes a path.
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=True)
    return attachment
