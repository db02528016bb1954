"""The small tree's scene for the 通报 and 考核 tests."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from assignments.models import Assignment, AssignmentMilestone
from assignments.publishing import Recipients, Rule, plan_publish
from assignments.services import assignment_break_down, assignment_end
from plans.models import Plan, ReportFrequency
from plans.services import task_create
from reporting.models import ProgressReport

DAY = date(2019, 7, 15)
JUNE = date(2019, 6, 30)


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, time(10)))


def _copy(assignment):
    return AssignmentMilestone.objects.filter(assignment=assignment, due_date=JUNE)


@pytest.fixture
def scene(tree):
    """A provincial plan (quarterly reports) to cities and counties, handed over on 2 January 2019. The June
    milestone: 杭州 on time, 西湖 late, 宁波 overdue, 海曙's withdrawn. 杭州 also breaks its task down to
    北山 (under 西湖) and hands a plan of its own to 西湖 and to its 组织部; 江苏 has a plan of its own."""
    plan = Plan.objects.create(
        title="2019年全省要点",
        organisation=tree.zj,
        start_year=2019,
        end_year=2019,
        report_frequency=ReportFrequency.QUARTER,
    )
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月：转接；12月：验收"})
    task_create(plan=plan, data={"seq": "2", "title": "青年大学习", "schedule_text": "7月20日前：部署"})
    plan_publish(plan=plan, levels=["city", "county"])
    Assignment.objects.filter(plan=plan).update(created_at=_at(date(2019, 1, 2)))
    first = {a.organisation.code: a for a in Assignment.objects.filter(plan=plan, task__seq="1")}
    _copy(first["330100"]).update(completed_on=date(2019, 6, 28), accepted_at=_at(date(2019, 6, 29)))
    _copy(first["330106"]).update(completed_on=date(2019, 7, 5), accepted_at=_at(date(2019, 7, 6)))
    assignment_end(first["330203"], Assignment.Status.WITHDRAWN)
    assignment_break_down(assignment=first["330100"], organisations=[tree.bs])
    own = Plan.objects.create(title="杭州要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task_create(
        plan=own,
        data={
            "seq": "1",
            "title": "机关党建",
            "schedule_text": "5月：自查",
            "lead_departments": [tree.dept_hz],
        },
    )
    plan_publish(plan=own, levels=["county"])
    plan_publish(
        plan=own, rules=[Rule(list(own.tasks.values_list("pk", flat=True)), Recipients(internal=True))]
    )
    jiangsu = Plan.objects.create(title="江苏要点", organisation=tree.js, start_year=2019, end_year=2019)
    task_create(plan=jiangsu, data={"seq": "1", "title": "江苏任务", "schedule_text": "3月：部署"})
    plan_publish(plan=jiangsu, levels=["city"])
    # 杭州's first-quarter report on time, its second late; nobody else reported.
    ProgressReport.objects.create(
        assignment=first["330100"], period="2019Q1", status="accepted", submitted_at=_at(date(2019, 4, 2))
    )
    ProgressReport.objects.create(
        assignment=first["330100"],
        period="2019Q2",
        status="submitted",
        is_late=True,
        submitted_at=_at(date(2019, 7, 9)),
    )
    return plan
