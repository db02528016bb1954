"""The living demo: `load_demo` imports the 浙江 task table as the plan of the year it is run in, publishes
it to every 团市委 and 团县（市、区）委 and files a year of work on it, so every board and list has data."""

from collections import Counter
from datetime import date, datetime, time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assignments.models import Assignment, AssignmentEvent, Escalation, ExtensionRequest, ProgressStatus
from assignments.signals import progress_changed
from core.periods import parse_period
from notifications.models import Notification
from orgtree.models import Organisation, OrgType
from plans.imports import plan_import_preview
from plans.models import Milestone, Plan
from reporting.models import ProgressReport
from tuanjian.demo import PLAN_FILE, load_demo_organisations, load_demo_plan

pytestmark = pytest.mark.django_db

# A fixed day, so the states are the same whenever the suite runs: mid-year, with work behind and ahead.
DAY = date(2026, 6, 20)


def _moved(iso: str | None, years: int) -> date | None:
    """A date of the import preview (ISO text), so many years on."""
    return date.fromisoformat(iso).replace(year=int(iso[:4]) + years) if iso else None


def _counts() -> dict:
    return {
        "plans": Plan.objects.count(),
        "milestones": Milestone.objects.count(),
        "assignments": Assignment.objects.count(),
        "received": Assignment.objects.filter(received_at__isnull=False).count(),
        "reports": ProgressReport.objects.count(),
        "events": AssignmentEvent.objects.count(),
        "extensions": ExtensionRequest.objects.count(),
        "notifications": Notification.objects.count(),
        "states": Counter(Assignment.objects.values_list("progress", "escalation")),
    }


def test_load_demo_publishes_this_years_plan_with_a_year_of_work():
    out = StringIO()
    call_command("load_demo", today=DAY.isoformat(), stdout=out)
    assert "演示计划：《浙江共青团组织力提升三年行动计划 2026 年工作任务分解》已下发" in out.getvalue()
    province = Organisation.objects.get(code="330000")
    plan = Plan.objects.get(organisation=province, doc_number="团浙办〔2026〕13号")
    assert (plan.start_year, plan.end_year, plan.status) == (2026, 2026, Plan.Status.PUBLISHED)

    # The table's milestones, each moved by whole years: the bare months keep their meaning.
    table = plan_import_preview(
        organisation=province, filename=PLAN_FILE.name, content=PLAN_FILE.read_bytes()
    )
    years = 2026 - table["start_year"]
    for task in table["tasks"]:
        stored = list(Milestone.objects.filter(task__plan=plan, task__seq=task["seq"]).order_by("order"))
        assert [(m.start_date, m.due_date) for m in stored] == [
            tuple(_moved(d, years) for d in (m["start"], m["due"])) for m in task["milestones"]
        ]

    # Every 团市委 and 团县（市、区）委 of Zhejiang received every task; one was handed on to a street.
    receivers = set(
        Organisation.objects.filter(tree_id=province.tree_id, org_type__in=[OrgType.CITY, OrgType.COUNTY])
    )
    direct = plan.assignments.filter(parent__isnull=True)
    assert {a.organisation for a in direct.select_related("organisation")} == receivers
    assert direct.count() == len(receivers) * plan.tasks.count()
    assert plan.assignments.filter(parent__isnull=False, organisation__code="330106002").exists()

    # What the boards show: every state, both 督办单 levels, reports late and waiting, a returned one.
    states = set(plan.assignments.values_list("progress", flat=True))
    assert {ProgressStatus.OVERDUE, ProgressStatus.ONGOING} <= states
    assert states & {ProgressStatus.DUE_SOON, ProgressStatus.ON_TRACK}
    assert states & {ProgressStatus.COMPLETED, ProgressStatus.COMPLETED_LATE}
    assert plan.assignments.filter(escalation=Escalation.RED).exists()
    assert plan.assignments.filter(escalation=Escalation.YELLOW).exists()
    reports = ProgressReport.objects.filter(assignment__plan=plan)
    assert reports.filter(status=ProgressReport.Status.SUBMITTED).exists()
    assert reports.filter(status=ProgressReport.Status.ACCEPTED, is_late=True).exists()
    assert 1 <= reports.filter(status=ProgressReport.Status.RETURNED).count() <= 2
    assert ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING).exists()
    # 团省委's 通报 on the last quarter names every city; 杭州's people were told.
    from evaluation.models import Bulletin

    issued = Bulletin.objects.get(organisation=province, period="2026Q1")
    assert issued.rows.filter(organisation__org_type=OrgType.CITY).count() == 11
    assert Notification.objects.filter(key=f"bulletin:{issued.pk}", recipient__username="hz-viewer").exists()
    urged = AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.REMINDED, actor__username="zj-editor")
    assert urged.filter(assignment__organisation__code="330106").exists()  # 团省委's 催办 to 西湖区委

    # 西湖区委, where xh-reporter logs in: work overdue and work still open, and notices about it.
    xihu = plan.assignments.filter(organisation__code="330106", status=Assignment.Status.ASSIGNED)
    assert xihu.filter(progress=ProgressStatus.OVERDUE).exists()
    assert xihu.exclude(progress=ProgressStatus.OVERDUE).exists()
    assert Notification.objects.filter(recipient__username="xh-reporter").exists()

    # The history is dated on the days it stands for: nothing the receivers or 团省委 did is after DAY,
    # and a report is late exactly when it came after its period's deadline.
    end_of_day = timezone.make_aware(datetime.combine(DAY, time.max))
    done_by_people = AssignmentEvent.objects.filter(assignment__plan=plan, actor__isnull=False)
    assert not done_by_people.filter(created_at__gt=end_of_day).exists()
    assert not plan.assignments.filter(created_at__gt=end_of_day).exists()
    for report in reports:
        submitted = timezone.localdate(report.submitted_at)
        assert submitted <= DAY and report.is_late == (submitted > parse_period(report.period).deadline)
        if report.reviewed_at:
            assert report.submitted_at < report.reviewed_at <= end_of_day

    # Again: nothing new, nothing changed.
    before = _counts()
    call_command("load_demo", today=DAY.isoformat(), stdout=StringIO())
    assert _counts() == before


def test_demo_plan_at_the_start_of_the_year():
    """Early January nothing has come due: the plan is published and signed for, nothing is late."""
    load_demo_organisations()
    summary = load_demo_plan(date(2026, 1, 3))
    assert summary["assignments"] > 0 and summary["overdue"] == 0
    assert not ProgressReport.objects.exists()
    assert Assignment.objects.filter(received_at__isnull=False).exists()
    assert progress_changed.has_listeners(Assignment)  # supervision hears of progress again afterwards
