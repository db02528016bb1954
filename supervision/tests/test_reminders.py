"""The daily reminder scan: the right people, once a day, in the app and by e-mail."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from assignments.models import Assignment, AssignmentEvent
from assignments.publishing import plan_publish
from notifications.models import Notification
from plans.models import Plan
from plans.services import task_create
from reporting import services as reporting
from reporting.models import ProgressReport
from supervision.reminders import send_reminders
from supervision.status import refresh_statuses

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def setup(tree, make_user):
    plan = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底"})
    plan_publish(plan=plan, levels=["county"])
    signed = datetime(2019, 4, 1, tzinfo=SHANGHAI)
    Assignment.objects.update(created_at=signed, received_at=signed)  # 签收 reminders have tests of their own
    reporter = make_user(tree.xh, "reporter", email="xh@example.org")
    reviewer = make_user(tree.hz, "editor", email="hz@example.org")
    viewer = make_user(tree.hz, "viewer")
    return {
        "reporter": reporter,
        "reviewer": reviewer,
        "viewer": viewer,
        "assignment": Assignment.objects.get(),
    }


def test_report_due_then_late_once_a_day(setup):
    result = send_reminders(today=date(2019, 6, 3))  # May's report is due on 5 June
    assert result.created == 1 and result.emailed == 1
    notice = Notification.objects.get()
    assert notice.recipient == setup["reporter"] and "06月05日 前报送 2019-05" in notice.title
    assert mail.outbox[0].to == ["xh@example.org"] and "【团建督办】" in mail.outbox[0].subject
    again = send_reminders(today=date(2019, 6, 3))
    assert (again.created, again.emailed) == (0, 0) and len(mail.outbox) == 1
    late = send_reminders(today=date(2019, 6, 6))
    assert late.created == 1 and "已逾期未报" in Notification.objects.latest("id").title
    assert AssignmentEvent.objects.filter(kind="reminded").count() == 1
    send_reminders(today=date(2019, 6, 6))
    assert AssignmentEvent.objects.filter(kind="reminded").count() == 1


def test_no_reminder_once_the_report_is_in(setup):
    reporting.report_save(
        assignment=setup["assignment"],
        period="2019-05",
        data={"stage": "done", "percent": 100},
        user=None,
        version=0,
        submit=True,
        today=date(2019, 6, 1),
    )
    send_reminders(today=date(2019, 6, 3))
    assert not Notification.objects.filter(recipient=setup["reporter"]).exists()
    # …but the reviewers hear that a report waits.
    notice = Notification.objects.get(recipient=setup["reviewer"], day=date(2019, 6, 3))
    assert notice.title == "有 1 项待审核（进度报告、延期申请）" and notice.url == reverse(
        "reporting:review_queue"
    )
    # (they also heard at once, the day it was submitted)
    assert Notification.objects.filter(recipient=setup["reviewer"], title="有新的进度报告待审核").exists()


def test_review_reminders_reach_exactly_who_may_review(setup, tree, make_user):
    """The reminder follows orgtree's "review" rule: editors and admins of the issuer (杭州) and of the
    organisations above it; not its viewers, not the receiver, not a sibling city, not inactive accounts."""
    from orgtree.querysets import holders

    reporting.report_save(assignment=setup["assignment"], period="2019-05", data={"stage": "done", "percent": 100},
                          user=None, version=0, submit=True, today=date(2019, 6, 1))  # fmt: skip
    admitted = {
        setup["reviewer"],
        make_user(tree.hz, "admin"),
        make_user(tree.zj, "editor"),
        make_user(tree.zj, "admin"),
        make_user(None, None, is_superuser=True),
    }
    refused = {
        setup["viewer"],
        setup["reporter"],
        make_user(tree.xh, "editor"),  # the receiver's own editor reports, it does not review
        make_user(tree.nb, "editor"),
        make_user(tree.zj, "viewer"),
        make_user(tree.hz, "editor", is_active=False),
    }
    send_reminders(today=date(2019, 6, 3))
    reminded = {n.recipient for n in Notification.objects.filter(key="review")}
    assert reminded == admitted and not reminded & refused
    # The same rule as the review queue: each reminded person sees the report there, nobody else does.
    for user in admitted | refused:
        user.refresh_from_db()
        assert ProgressReport.objects.for_user(user, "review").exists() == (user in admitted), user
    assert {u for users in holders("review", [tree.hz.pk]).values() for u in users} == {
        u.pk for u in admitted
    }


def test_assignments_given_after_the_period_are_not_late(setup):
    Assignment.objects.update(created_at=datetime(2019, 6, 10, tzinfo=SHANGHAI))
    assert send_reminders(today=date(2019, 6, 12)).created == 0


def test_weekly_overdue_digest_to_viewers_on_mondays(setup):
    refresh_statuses(today=date(2019, 6, 10))
    send_reminders(today=date(2019, 6, 11))  # a Tuesday
    assert not Notification.objects.filter(recipient=setup["viewer"], key__startswith="digest").exists()
    send_reminders(today=date(2019, 6, 17))  # a Monday
    digest = Notification.objects.get(recipient=setup["viewer"], key__startswith="digest")
    assert digest.title == "本周逾期提醒：共青团杭州市委 有 1 个时间节点已逾期"


def test_the_bell_and_the_list(login, setup):
    send_reminders(today=date(2019, 6, 3))
    client = login(setup["reporter"])
    page = client.get(reverse("reporting:my")).content.decode()
    assert '<span class="badge">1</span>' in page
    listing = client.get(reverse("notifications:list")).content.decode()
    assert "前报送 2019-05" in listing
    client.post(reverse("notifications:list"))
    assert 'class="badge"' not in client.get(reverse("reporting:my")).content.decode()
    other = login(setup["viewer"])
    assert "前报送" not in other.get(reverse("notifications:list")).content.decode()


def test_command_and_task(setup):
    from io import StringIO

    from django.core.management import call_command

    from supervision.tasks import send_reminders_task

    out = StringIO()
    call_command("send_reminders", "--today", "2019-06-03", "--json", stdout=out)
    assert '"created": 1' in out.getvalue()
    assert send_reminders_task("2019-06-03") == {"today": "2019-06-03", "created": 0, "emailed": 0}


def test_quarterly_plans_are_reminded_about_quarters(setup):
    Plan.objects.update(report_frequency="quarter")
    assert send_reminders(today=date(2019, 6, 3)).created == 0  # no quarter ended at the start of June
    notice_count = send_reminders(today=date(2019, 7, 3)).created  # 2019Q2 due 5 July
    assert notice_count == 1 and "2019Q2" in Notification.objects.get().title
