"""The 督办 cycle: 交办 told, 签收 on time or reminded, 催办 by hand and when a milestone falls overdue, the
督办单 (黄牌, 红牌), extensions asked late, contributions owed — each told once per person, item and day."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assignments.models import Assignment, AssignmentEvent, AssignmentMilestone
from assignments.publishing import Recipients, Rule, plan_publish
from assignments.services import assignment_receive, assignment_urge, extension_request_create
from notifications.models import Notification
from orgtree.models import Department, Membership
from plans.models import Plan
from plans.services import task_create
from reporting.services import contribution_save
from supervision.reminders import send_reminders
from supervision.status import refresh_statuses

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def handed(tree, make_user):
    """杭州's task to 西湖区, due 31 May 2019, handed over on 1 April and not yet signed for."""
    plan = Plan.objects.create(title="杭州要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底"})
    plan_publish(plan=plan, levels=["county"])
    Assignment.objects.update(created_at=datetime(2019, 4, 1, tzinfo=SHANGHAI))
    people = {
        "reporter": make_user(tree.xh, "reporter", email="xh@example.org"),
        "leader": make_user(tree.xh, "viewer"),
        "issuer": make_user(tree.hz, "editor"),
        "issuer_leader": make_user(tree.hz, "viewer"),
    }
    return Assignment.objects.get(), people


def titles(user, **filters):
    return list(Notification.objects.filter(recipient=user, **filters).values_list("title", flat=True))


def test_publishing_tells_who_received_what(tree, make_user, django_capture_on_commit_callbacks):
    reporter = make_user(tree.xh, "reporter")
    plan = Plan.objects.create(title="杭州要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "5月"})
    task_create(plan=plan, data={"seq": "2", "title": "乙", "schedule_text": "6月"})
    with django_capture_on_commit_callbacks(execute=True):
        plan_publish(plan=plan, levels=["county"])
    assert titles(reporter) == ["收到交办：《杭州要点》2 项任务"]
    assert Assignment.objects.filter(events__kind="assigned").count() == 2  # 交办 on each timeline


def test_signing_late_is_reminded_until_signed(handed):
    assignment, people = handed
    send_reminders(today=date(2019, 4, 3))  # within the plan's 3 days
    assert not titles(people["reporter"], key__startswith="sign")
    send_reminders(today=date(2019, 4, 5))
    assert titles(people["reporter"], key__startswith="sign") == ["有 1 项交办已超过签收时限，请尽快签收"]
    send_reminders(today=date(2019, 4, 5))  # the same day again: nothing new
    assert len(titles(people["reporter"], key__startswith="sign")) == 1
    assignment_receive(assignment=assignment, user=people["reporter"])
    assignment.refresh_from_db()
    assert assignment.received_at is not None and assignment.events.filter(kind="received").count() == 1
    assignment_receive(assignment=assignment, user=people["reporter"])  # signing twice records once
    assert assignment.events.filter(kind="received").count() == 1
    send_reminders(today=date(2019, 4, 6))
    assert len(titles(people["reporter"], key__startswith="sign")) == 1


def test_urging_by_hand_tells_the_people_and_their_leaders_once_a_day(handed):
    assignment, people = handed
    today = timezone.localdate()
    assignment_urge(assignment=assignment, user=people["issuer"], comment="请本周内报送", today=today)
    assert titles(people["reporter"]) == titles(people["leader"]) == ["【催办】学社衔接"]
    assert Notification.objects.get(recipient=people["reporter"]).body == "请本周内报送"
    event = assignment.events.get(kind="reminded")
    assert (event.actor, event.comment) == (people["issuer"], "请本周内报送")
    with pytest.raises(ValidationError, match="今天已经催办过了"):
        assignment_urge(assignment=assignment, user=people["issuer"], today=today)
    # The next day the item may be urged again.
    AssignmentEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=1))
    assignment_urge(assignment=assignment, user=people["issuer"], today=today)
    assert assignment.events.filter(kind="reminded").count() == 2


def test_urging_in_the_browser_is_the_issuers(handed, login):
    assignment, people = handed
    url = reverse("reporting:urge", args=[assignment.pk])
    assert login(people["reporter"]).post(url).status_code == 403
    response = login(people["issuer"]).post(url, {"comment": "x" * 501}, follow=True)
    assert (
        "不超过 500 字" in response.content.decode()
        and not assignment.events.filter(kind="reminded").exists()
    )
    response = login(people["issuer"]).post(url, {"comment": ""}, follow=True)
    assert "已催办" in response.content.decode()
    again = login(people["issuer"]).post(url, follow=True)
    assert "今天已经催办过了" in again.content.decode()


def test_a_milestone_falling_overdue_is_urged_once(handed):
    assignment, people = handed
    refresh_statuses(today=date(2019, 6, 2))
    send_reminders(today=date(2019, 6, 2))
    expected = ["【逾期催办】学社衔接"]
    assert titles(people["reporter"], key__startswith="overdue") == expected
    assert titles(people["leader"], key__startswith="overdue") == expected
    assert assignment.events.filter(kind="reminded", actor__isnull=True).count() == 1
    send_reminders(today=date(2019, 6, 3))  # already urged for that milestone: not again
    assert len(titles(people["reporter"], key__startswith="overdue")) == 1
    assert assignment.events.filter(kind="reminded", comment__contains="系统催办").count() == 1


def test_escalation_yellow_then_red_once_each_and_gone_when_done(handed):
    assignment, people = handed
    Plan.objects.update(yellow_after_days=7, red_after_days=30)
    refresh_statuses(today=date(2019, 6, 6))  # 6 days overdue
    assignment.refresh_from_db()
    assert (assignment.overdue_since, assignment.escalation) == (date(2019, 5, 31), "")
    refresh_statuses(today=date(2019, 6, 7))
    assignment.refresh_from_db()
    assert assignment.escalation == "yellow"
    send_reminders(today=date(2019, 6, 7))
    for who in ("reporter", "leader", "issuer_leader"):
        assert titles(people[who], key__startswith="escalation") == ["【黄牌督办】学社衔接"], who
    send_reminders(today=date(2019, 6, 8))
    assert len(titles(people["reporter"], key__startswith="escalation")) == 1  # once per level
    refresh_statuses(today=date(2019, 6, 30))
    refresh_statuses(today=date(2019, 6, 30))  # idempotent: one rise, one event
    assignment.refresh_from_db()
    assert assignment.escalation == "red"
    assert list(assignment.events.filter(kind="escalated").values_list("comment", flat=True)) == [
        "逾期未完成，黄牌督办", "逾期未完成，红牌督办",
    ]  # fmt: skip
    send_reminders(today=date(2019, 6, 30))
    assert titles(people["reporter"], key__startswith="escalation")[0] == "【红牌督办】学社衔接"
    # The milestone done: no longer overdue, no longer escalated.
    AssignmentMilestone.objects.update(accepted_at=timezone.now(), completed_on=date(2019, 6, 29))
    refresh_statuses(today=date(2019, 7, 1), plan_id=assignment.plan_id)  # as an acceptance's own refresh
    assignment.refresh_from_db()
    assert (assignment.escalation, assignment.overdue_since) == ("", None)


def test_an_extension_asked_late_waits_in_the_review_queue_and_is_told(handed, login):
    assignment, people = handed
    copy = assignment.milestones.get()
    extension_request_create(assignment_milestone=copy, requested_due=date(2019, 7, 15), reason="经费未到位",
                             user=people["reporter"], today=date(2019, 6, 10))  # fmt: skip
    assert "有新的延期申请待审批" in titles(people["issuer"])
    client = login(people["issuer"])
    request = copy.extension_requests.get()
    client.post(
        reverse("reporting:extension_decide", args=[request.pk]), {"decision": "approve", "comment": "同意"}
    )
    assert "延期申请已同意：5月底前：摸底" in titles(people["reporter"])
    copy.refresh_from_db()
    refresh_statuses(today=date(2019, 6, 20))
    copy.refresh_from_db()
    assert (copy.due_date, copy.progress) == (date(2019, 7, 15), "on_track")


def test_contributions_are_owed_told_and_on_the_timeline(tree, make_user):
    school = Department.objects.create(organisation=tree.hz, name="学校部")
    plan = Plan.objects.create(title="市委要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "12月", "lead_departments": [school],
                                 "participating_departments": [tree.dept_hz]})  # fmt: skip
    plan_publish(plan=plan, rules=[Rule(None, Recipients(internal=True))])
    assignment = Assignment.objects.get()
    lead = make_user()
    Membership.objects.create(user=lead, organisation=tree.hz, role="reporter", department=school)
    helper = make_user()
    Membership.objects.create(user=helper, organisation=tree.hz, role="reporter", department=tree.dept_hz)
    Assignment.objects.update(created_at=datetime(2019, 4, 1, tzinfo=SHANGHAI), received_at=timezone.now())
    send_reminders(today=date(2019, 6, 6))  # May's reports and contributions are late
    assert titles(helper, key__startswith="contribution") == ["2019-05 配合情况已逾期，请尽快报送"]
    assert titles(lead, key__startswith="report_late") == ["2019-05 进度报告已逾期未报，请尽快报送"]
    assert not titles(lead, key__startswith="contribution") and not titles(helper, key__startswith="report")
    with pytest.raises(ValidationError, match="请填写配合情况"):
        contribution_save(
            assignment=assignment, department=tree.dept_hz, period="2019-05", text=" ", user=helper
        )
    with pytest.raises(ValidationError, match="不是该任务的参与部门"):
        contribution_save(assignment=assignment, department=school, period="2019-05", text="做了", user=lead)
    contribution_save(
        assignment=assignment, department=tree.dept_hz, period="2019-05", text="已组织宣讲", user=helper
    )
    assert assignment.events.get(kind="contributed").comment == "组织部 2019-05：已组织宣讲"
    assert "组织部报送了 2019-05 配合情况：甲" in titles(lead)
    send_reminders(today=date(2019, 6, 7))
    assert len(titles(helper, key__startswith="contribution")) == 1  # given: no longer owed


def test_a_finished_plan_asks_for_no_report(handed):
    assignment, people = handed
    Assignment.objects.update(received_at=timezone.now())
    send_reminders(today=date(2020, 1, 6))  # December 2019's report: inside the plan
    assert titles(people["reporter"], key__startswith="report_late") == [
        "2019-12 进度报告已逾期未报，请尽快报送"
    ]
    Notification.objects.all().delete()
    send_reminders(today=date(2020, 3, 6))  # February 2020: the 2019 plan is over
    assert not titles(people["reporter"], key__startswith="report")


def test_pages_refresh_the_states_where_no_worker_runs(handed, login, settings):
    from supervision import status
    from supervision.models import RefreshLog

    assignment, people = handed
    settings.STATES_REFRESH_ON_PAGE = True
    status._fresh_for = None
    Assignment.objects.update(progress="on_track")
    page = login(people["issuer_leader"]).get(reverse("supervision:dashboard")).content.decode()
    assignment.refresh_from_db()
    assert assignment.progress == "overdue"  # its due date (2019) is long past today
    assert RefreshLog.objects.filter(day=timezone.localdate()).exists()
    assert f"状态日期：<strong>{timezone.localdate():%Y-%m-%d}</strong>" in page
    Assignment.objects.update(progress="on_track")
    login(people["issuer_leader"]).get(reverse("supervision:dashboard"))
    assignment.refresh_from_db()
    assert assignment.progress == "on_track"  # already fresh today: no second refresh
    status._fresh_for = None
