"""Reporting cadence and period: a task reports at its own cadence (or its plan's), only for periods inside
the plan; 常态化 work closes when reported done and accepted."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments.models import Assignment
from assignments.publishing import plan_publish
from notifications.models import Notification
from plans.models import Plan
from plans.services import task_create, tasks_make_routine
from reporting import services
from supervision.reminders import send_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(tree):
    plan = Plan.objects.create(title="2019年要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月：摸底；9月：验收"})
    plan_publish(plan=plan, levels=["county"])
    return Assignment.objects.get()


def save(assignment, period, **data):
    return services.report_save(assignment=assignment, period=period, data={"percent": 50, **data}, user=None,
                                version=0, submit=True, today=date(2019, 12, 1))  # fmt: skip


def test_no_report_for_a_period_outside_the_plan(assignment):
    with pytest.raises(ValidationError, match="报告期 2026-12 不在计划期（2019 年）内"):
        save(assignment, "2026-12")
    with pytest.raises(ValidationError, match="按每月报告，报告期应写作 2019-04 这样"):
        save(assignment, "2019Q2")
    assert save(assignment, "2019-11").period == "2019-11"
    # The default period is the plan's nearest: a 2019 plan's reports are for 2019.
    assert services.default_period(assignment, date(2026, 12, 1)) == "2019-12"
    assert services.default_period(assignment, date(2018, 5, 1)) == "2019-01"
    assert services.default_period(assignment, date(2019, 6, 10)) == "2019-06"


def test_a_task_reports_at_its_own_cadence(assignment, tree, make_user):
    reporter = make_user(tree.xh, "reporter")
    Assignment.objects.update(received_at="2019-01-01T00:00:00+08:00", created_at="2019-01-01T00:00:00+08:00")
    task = assignment.task
    task.report_frequency = "year"
    task.save()
    assert services.default_period(assignment, date(2019, 6, 1)) == "2019"
    assert save(assignment, "2019").period == "2019"
    send_reminders(today=date(2019, 6, 6))  # monthly reports are not asked of a yearly task
    assert not Notification.objects.filter(recipient=reporter, key__startswith="report").exists()
    assignment.reports.all().delete()
    send_reminders(today=date(2020, 1, 6))  # the year 2019's report is late
    assert Notification.objects.get(recipient=reporter, key__startswith="report").title.startswith(
        "2019 进度报告"
    )
    task.report_frequency = "milestone"  # reports at each milestone: none by the calendar
    task.save()
    Notification.objects.all().delete()
    send_reminders(today=date(2020, 1, 6))
    assert not Notification.objects.filter(key__startswith="report").exists()
    assert services.default_period(assignment, date(2019, 6, 1)) == "2019-06"


def test_routine_work_closes_when_reported_done_and_accepted(tree, login, make_user):
    plan = Plan.objects.create(title="要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task = task_create(plan=plan, data={"seq": "1", "title": "青年大学习", "schedule_text": "持续推进"})
    tasks_make_routine(plan=plan, task_ids=[task.pk], frequency="quarter")
    plan_publish(plan=plan, levels=["county"])
    assignment = Assignment.objects.get()
    in_progress = save(assignment, "2019Q1", stage="in_progress")
    services.report_review(report=in_progress, accept=True, comment="", user=None)
    assignment.refresh_from_db()
    assert assignment.status == "assigned" and assignment.progress in ("ongoing", "on_track")
    done = save(assignment, "2019Q2", stage="done")
    services.report_review(report=done, accept=True, comment="", user=None)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.progress) == ("closed", "completed")
    assert assignment.events.filter(kind="closed", comment__contains="常态化").exists()
    page = login(make_user(tree.xh, "reporter")).get(reverse("reporting:assignment", args=[assignment.pk]))
    assert "常态化，无时限" in page.content.decode()
