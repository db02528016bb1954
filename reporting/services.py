"""Progress reports (反馈) and their review (审核): draft, submit, accept or return.

A report is for one reporting period of its plan (core.periods); it is late when submitted after the
period's deadline. Accepting it completes the milestones it claims (assignments.services).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assignments.models import Assignment, AssignmentEvent
from assignments.services import event_record, milestones_complete
from core.actors import actor
from core.periods import Period, parse_period

from .models import ProgressReport, ReportMilestone

REPORT_KINDS = ("month", "quarter", "half")


def report_period(text: str) -> Period:
    """The reporting period a report is for: a month, quarter or half-year (2019-06, 2019Q2, 2019H1)."""
    try:
        period = parse_period(text)
    except ValidationError:
        period = None
    if period is None or period.kind not in REPORT_KINDS:
        raise ValidationError({"period": "报告期格式应为 2019-06、2019Q2 或 2019H1"})
    return period


def report_draft(*, assignment: Assignment, period: str) -> ProgressReport:
    """The report for the period, or a new one pre-filled from the previous period's."""
    code = report_period(period).code
    existing = assignment.reports.filter(period=code).first()
    if existing is not None:
        return existing
    previous = assignment.reports.filter(period__lt=code).order_by("-period").first()
    return ProgressReport(
        assignment=assignment,
        period=code,
        stage=previous.stage if previous else ProgressReport.Stage.IN_PROGRESS,
        percent=previous.percent if previous else 0,
        narrative=previous.narrative if previous else "",
        version=0,
    )


def _clean_claims(assignment: Assignment, claims: list, today: date) -> None:
    own = set(assignment.milestones.values_list("pk", flat=True))
    for pk, completed_on in claims:
        if pk not in own:
            raise ValidationError({"claims": "只能勾选本交办的时间节点"})
        if completed_on is None:
            raise ValidationError({"claims": "请填写勾选节点的完成日期"})
        if completed_on > today:
            raise ValidationError({"claims": f"完成日期 {completed_on:%Y-%m-%d} 不能晚于今天"})


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
    period = report_period(period)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已销号或退办，不能再填报")
    report = (
        ProgressReport.objects.select_for_update().filter(assignment=assignment, period=period.code).first()
    )
    if report is None:
        if version != 0:
            raise ValidationError("报告已被删除或不存在，请刷新页面后重试")
        report = ProgressReport(assignment=assignment, period=period.code, version=0)
    elif report.version != version:
        raise ValidationError(
            "这份报告已被他人修改（可能是同一组织的另一位填报员），请刷新页面，在最新内容上修改"
        )
    if report.is_locked:
        raise ValidationError("报告已提交，在审核退回之前不能修改")
    percent = data.get("percent")
    if percent is None or not 0 <= int(percent) <= 100:
        raise ValidationError({"percent": "完成百分比应在 0 到 100 之间"})
    claims = data.get("claims", [])
    _clean_claims(assignment, claims, today)
    report.stage = data.get("stage") or ProgressReport.Stage.IN_PROGRESS
    if report.stage not in ProgressReport.Stage.values:
        raise ValidationError({"stage": "请选择有效的进展状态"})
    report.percent = int(percent)
    report.narrative = (data.get("narrative") or "").strip()[:10_000]
    report.version += 1
    if submit:
        report.status = ProgressReport.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor(user)
        report.is_late = today > period.deadline
    else:
        report.status = ProgressReport.Status.DRAFT
    report.save()
    report.claims.all().delete()
    ReportMilestone.objects.bulk_create(
        ReportMilestone(report=report, assignment_milestone_id=pk, completed_on=completed_on)
        for pk, completed_on in claims
    )
    if submit:
        late = "（逾期提交）" if report.is_late else ""
        event_record(assignment, AssignmentEvent.Kind.REPORTED, user,
                     f"{period.code} 报告：{report.get_stage_display()} {report.percent}%{late}")  # fmt: skip
    return report


@transaction.atomic
def report_review(*, report: ProgressReport, accept: bool, comment: str, user) -> ProgressReport:
    """Accept (the claimed milestones count as done from now) or return with a comment."""
    report = ProgressReport.objects.select_for_update().select_related("assignment").get(pk=report.pk)
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError("只能审核已提交、待审核的报告")
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": "退回时请写明原因"})
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor(user)
    report.review_comment = comment[:2000]
    report.status = ProgressReport.Status.ACCEPTED if accept else ProgressReport.Status.RETURNED
    report.save()
    if accept:
        claims = list(report.claims.values_list("assignment_milestone_id", "completed_on"))
        milestones_complete(assignment=report.assignment, claims=claims, percent=report.percent, user=user,
                            comment=comment or f"{report.period} 报告通过")  # fmt: skip
    else:
        event_record(report.assignment, AssignmentEvent.Kind.RETURNED, user, comment)
    return report
