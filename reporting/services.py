"""Progress reports (反馈) and their review (审核): draft, submit, accept or return.

A report is for one reporting period of its plan (core.periods); it is late when submitted after the
period's deadline. Accepting it completes the milestones it claims (assignments.services).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assignments.models import Assignment, AssignmentEvent
from assignments.notices import notify, notify_responsible
from assignments.services import assignment_end, board_counts_changed, event_record, milestones_complete
from core.actors import actor
from core.periods import Period, current_period, parse_period
from orgtree.models import Department
from orgtree.querysets import holders
from plans.models import ReportFrequency

from .models import Contribution, ProgressReport, ReportMilestone

REPORT_KINDS = ("month", "quarter", "half", "year")
SAVED_BY_SOMEONE_ELSE = "这份报告已被他人修改（可能是同一组织的另一位填报员），请刷新页面，在最新内容上修改"


def report_kind(assignment: Assignment) -> str:
    """The kind of period its reports are for: the task's cadence; reports at each milestone are monthly."""
    cadence = assignment.task.cadence
    return "month" if cadence == ReportFrequency.MILESTONE else cadence


def report_period(text: str, assignment: Assignment | None = None) -> Period:
    """The reporting period a report is for (2019-06, 2019Q2, 2019H1, 2019): of the assignment's cadence
    and inside its plan's years — no report is asked, or taken, for a period the plan does not cover."""
    try:
        period = parse_period(text)
    except ValidationError:
        period = None
    if period is None or period.kind not in REPORT_KINDS:
        raise ValidationError({"period": "报告期格式应为 2019-06、2019Q2、2019H1 或 2019"})
    if assignment is not None:
        kind = report_kind(assignment)
        if period.kind != kind:
            example = current_period(kind, period.start).code
            raise ValidationError(
                {
                    "period": f"这项任务按{ReportFrequency(assignment.task.cadence).label}报告，"
                    f"报告期应写作 {example} 这样"
                }
            )
        plan = assignment.plan
        if not plan.start_year <= period.year <= plan.end_year:
            raise ValidationError({"period": f"报告期 {period.code} 不在计划期（{plan.period_label}）内"})
    return period


def default_period(assignment: Assignment, today: date | None = None) -> str:
    """The period a report is written for by default: the current one, or the plan's nearest one when
    today lies outside the plan's years (a 2019 plan's reports are for 2019)."""
    kind = report_kind(assignment)
    today = today or timezone.localdate()
    plan = assignment.plan
    if today.year > plan.end_year:
        today = date(plan.end_year, 12, 31)
    elif today.year < plan.start_year:
        today = date(plan.start_year, 1, 1)
    return current_period(kind, today).code


def report_draft(*, assignment: Assignment, period: str) -> ProgressReport:
    """The report for the period, or a new one pre-filled from the previous period's."""
    code = report_period(period, assignment).code
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
    period = report_period(period, assignment)
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
        raise ValidationError(SAVED_BY_SOMEONE_ELSE)
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
    if report.pk is None:
        # The lock above cannot hold a row that does not exist yet: a colleague creating the same period
        # at the same moment inserts first and this insert hits report_unique_period. Nothing has been
        # written before this point, so refusing leaves the database as the colleague left it.
        try:
            with transaction.atomic():
                report.save(force_insert=True)
        except IntegrityError:
            raise ValidationError(SAVED_BY_SOMEONE_ELSE) from None
    else:
        report.save()
    report.claims.all().delete()
    ReportMilestone.objects.bulk_create(
        ReportMilestone(report=report, assignment_milestone_id=pk, completed_on=completed_on)
        for pk, completed_on in claims
    )
    if submit:
        _count_reports(assignment.pk)
        late = "（逾期提交）" if report.is_late else ""
        event_record(assignment, AssignmentEvent.Kind.REPORTED, user,
                     f"{period.code} 报告：{report.get_stage_display()} {report.percent}%{late}")  # fmt: skip
        reviewers = holders("review", [assignment.issuer_id]).get(assignment.issuer_id, set())
        notify(reviewers, key="review", title="有新的进度报告待审核", url=reverse("reporting:review_queue"))
    return report


def _count_reports(assignment_id: int) -> None:
    """The assignment's counts of reports submitted on time and late, and waiting for review, for the
    boards (a resubmission after a return counts once, as it stands now)."""
    sent = ProgressReport.objects.filter(assignment_id=assignment_id, submitted_at__isnull=False)
    Assignment.objects.filter(pk=assignment_id).update(
        reports_on_time=sent.filter(is_late=False).count(),
        reports_late=sent.filter(is_late=True).count(),
        reports_waiting=sent.filter(status=ProgressReport.Status.SUBMITTED).count(),
    )
    board_counts_changed([assignment_id])


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
    _count_reports(report.assignment_id)
    assignment = report.assignment
    if accept:
        claims = list(report.claims.values_list("assignment_milestone_id", "completed_on"))
        closed = milestones_complete(assignment=assignment, claims=claims, percent=report.percent, user=user,
                                     comment=comment or f"{report.period} 报告通过")  # fmt: skip
        routine = not assignment.milestones.filter(due_date__isnull=False).exists()
        if not closed and routine and report.stage == ProgressReport.Stage.DONE:
            # 常态化 work (no due date) ends when its receiver reports it done and the issuer accepts.
            assignment_end(assignment, Assignment.Status.CLOSED)
            event_record(assignment, AssignmentEvent.Kind.CLOSED, user, "报告已完成并经审核，常态化工作销号")
            closed = True
        verdict = "已通过" + ("，已销号" if closed else "")
    else:
        event_record(assignment, AssignmentEvent.Kind.RETURNED, user, comment)
        verdict = "被退回，请修改后重新提交"
    people = {report.submitted_by_id} if report.submitted_by_id else set()
    title = f"{report.period} 进度报告{verdict}：{assignment.task.title[:40]}"
    notify_responsible(assignment, key=f"report:{report.pk}:{report.status}", title=title, body=comment)
    if people:
        notify(people, key=f"report:{report.pk}:{report.status}",
               title=title, body=comment,
               url=reverse("reporting:assignment", args=[assignment.pk]))  # fmt: skip
    return report


@transaction.atomic
def contribution_save(*, assignment: Assignment, department: Department, period: str, text: str,
                      user) -> Contribution:  # fmt: skip
    """配合反馈: a 参与部门's part for one period; written again until the period's report is accepted.
    The 牵头部门 hears of it, and it goes on the timeline."""
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已销号或退办，不能再报送")
    if not assignment.contributors.filter(department=department).exists():
        raise ValidationError("这个部门不是该任务的参与部门")
    code = report_period(period, assignment).code
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写配合情况"})
    if len(text) > 5000:
        raise ValidationError({"text": "配合情况不超过 5000 字"})
    if assignment.reports.filter(period=code, status=ProgressReport.Status.ACCEPTED).exists():
        raise ValidationError(f"{code} 的报告已审核通过，不能再修改配合情况")
    contribution, _ = Contribution.objects.update_or_create(
        assignment=assignment, department=department, period=code,
        defaults={"text": text, "submitted_by": actor(user)},
    )  # fmt: skip
    event_record(
        assignment, AssignmentEvent.Kind.CONTRIBUTED, user, f"{department.name} {code}：{text[:200]}"
    )
    title = f"{department.name}报送了 {code} 配合情况：{assignment.task.title[:40]}"
    notify_responsible(assignment, key=f"contribution:{assignment.pk}:{code}", title=title)
    return contribution
