"""The status engine for many dates, its roll-up, its idempotence, and the summary operators read."""

import json
import threading
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from plans.models import Assignment, AssignmentMilestone, Plan
from plans.services import publish_plan, task_create
from plans.status import refresh_statuses, status_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tree):
    """One task, four milestones, handed to 杭州 and 宁波 (团市委 level)."""
    plan = Plan.objects.create(title="2019年工作要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(
        plan=plan,
        data={
            "seq": "1",
            "title": "学社衔接",
            "schedule_text": "3月：摸底；6月：转接；10月底前：验收；持续推进",
        },
    )
    publish_plan(plan=plan, levels=["city"])
    return plan


def states(org, today):
    refresh_statuses(today=today)
    return list(
        AssignmentMilestone.objects.filter(assignment__organisation=org)
        .order_by("milestone__order")
        .values_list("status", flat=True)
    )


@pytest.mark.parametrize(
    "today,expected",
    [
        (date(2019, 1, 10), ["on_track", "on_track", "on_track", "ongoing"]),
        (date(2019, 3, 20), ["due_soon", "on_track", "on_track", "ongoing"]),
        (date(2019, 3, 31), ["due_soon", "on_track", "on_track", "ongoing"]),
        (date(2019, 4, 1), ["overdue", "on_track", "on_track", "ongoing"]),
        (date(2019, 6, 20), ["overdue", "due_soon", "on_track", "ongoing"]),
        (date(2019, 10, 30), ["overdue", "overdue", "due_soon", "ongoing"]),
        (date(2020, 1, 1), ["overdue", "overdue", "overdue", "ongoing"]),
    ],
)
def test_states_by_date(published, tree, today, expected):
    assert states(tree.hz, today) == expected


def test_accepted_milestones_are_completed_or_completed_late(published, tree):
    first, second, *_ = AssignmentMilestone.objects.filter(assignment__organisation=tree.hz).order_by(
        "milestone__order"
    )
    AssignmentMilestone.objects.filter(pk=first.pk).update(
        completed_on=date(2019, 3, 25), accepted_at="2019-03-26T10:00:00+08:00"
    )
    AssignmentMilestone.objects.filter(pk=second.pk).update(
        completed_on=date(2019, 7, 5), accepted_at="2019-07-06T10:00:00+08:00"
    )
    assert states(tree.hz, date(2019, 8, 1)) == ["completed", "completed_late", "on_track", "ongoing"]
    assignment = Assignment.objects.get(organisation=tree.hz)
    # The worst open state wins; completion = accepted dated milestones / dated milestones (2 of 3).
    assert (assignment.progress_status, assignment.completion_percent) == ("on_track", 66)
    assert Assignment.objects.get(organisation=tree.nb).progress_status == "overdue"


def test_behind_schedule_shows_before_due_soon(published, tree, settings):
    settings.STATUS_AT_RISK_MARGIN = 20
    verification = AssignmentMilestone.objects.get(assignment__organisation=tree.hz, milestone__order=3)
    AssignmentMilestone.objects.filter(pk=verification.pk).update(start_date=date(2019, 7, 1), percent=10)
    refresh_statuses(today=date(2019, 9, 1))  # 63 of 123 days gone (51 %), 10 % done: lagging by 41 points
    verification.refresh_from_db()
    assert (verification.status, verification.at_risk) == ("on_track", True)
    AssignmentMilestone.objects.filter(pk=verification.pk).update(percent=40)  # lag 11 points < margin
    refresh_statuses(today=date(2019, 9, 1))
    verification.refresh_from_db()
    assert verification.at_risk is False


def test_refresh_writes_only_what_changes_and_is_idempotent(published):
    first = refresh_statuses(today=date(2019, 4, 1))
    assert first.milestones_changed > 0
    again = refresh_statuses(today=date(2019, 4, 1))
    assert (again.milestones_changed, again.assignments_changed) == (0, 0)
    next_day = refresh_statuses(today=date(2019, 4, 2))
    assert next_day.milestones_changed == 0  # nothing crosses a boundary on 2 April


def test_refresh_of_one_plan_leaves_others(published, tree):
    other = Plan.objects.create(title="另一个", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=other, data={"seq": "1", "title": "甲", "schedule_text": "3月：摸底"})
    publish_plan(plan=other, levels=["city"])
    refresh_statuses(today=date(2019, 12, 1), plan_id=published.pk)
    assert set(
        AssignmentMilestone.objects.filter(assignment__plan=other).values_list("status", flat=True)
    ) == {"on_track"}
    assert "overdue" in set(
        AssignmentMilestone.objects.filter(assignment__plan=published).values_list("status", flat=True)
    )


def test_status_summary_counts_subtree_and_children(published, tree):
    publish_plan(plan=published, levels=["county"])
    refresh_statuses(today=date(2019, 7, 1))
    summary = status_summary(org=tree.zj, today=date(2019, 7, 1))
    # 4 receivers × (2 overdue, 1 on track, 1 ongoing)
    assert summary["milestones"] == {
        "completed": 0,
        "completed_late": 0,
        "ongoing": 4,
        "on_track": 4,
        "due_soon": 0,
        "overdue": 8,
    }
    children = {c["name"]: c["milestones"] for c in summary["children"]}
    assert children["共青团杭州市委"]["overdue"] == 4  # 杭州 itself and 西湖区
    assert children["共青团宁波市委"]["ongoing"] == 2
    assert sum(c["on_track"] for c in children.values()) == summary["milestones"]["on_track"]


def test_status_summary_command_json_contract(published, tree):
    out = StringIO()
    call_command("status_summary", "--org", "330000", "--today", "2019-07-01", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert set(payload) == {"org", "today", "milestones", "children"}
    assert payload["org"] == "330000" and payload["today"] == "2019-07-01"
    assert set(payload["milestones"]) == {
        "completed",
        "completed_late",
        "on_track",
        "due_soon",
        "overdue",
        "ongoing",
    }
    assert {"org", "name", "milestones"} <= set(payload["children"][0])
    with pytest.raises(CommandError, match="日期格式"):
        call_command("status_summary", "--org", "330000", "--today", "2019/07/01")
    with pytest.raises(CommandError, match="找不到组织"):
        call_command("status_summary", "--org", "999999")


def test_refresh_command(published):
    out = StringIO()
    call_command("refresh_statuses", "--today", "2019-12-01", "--json", stdout=out)
    # 3 dated milestones × 2 receivers turn overdue; the ongoing one leaves the default state on both.
    assert json.loads(out.getvalue())["milestones_changed"] == 8


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_agree(build_tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    tree = build_tree()
    plan = Plan.objects.create(title="计划", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "3月：甲；6月：乙；9月：丙"})
    publish_plan(plan=plan, levels=["city", "county"])
    results, errors = [], []

    def run():
        from django.db import connection as thread_connection

        try:
            results.append(refresh_statuses(today=date(2019, 7, 1)).milestones_changed)
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == [
        0,
        0,
        0,
        8,
    ]  # one run did the work; the others, serialised, found nothing to do
    assert refresh_statuses(today=date(2019, 7, 1) + timedelta(days=0)).milestones_changed == 0


def test_dashboard_shows_the_summary_and_refreshes_on_demand(login, tree, make_user, published):
    client = login(make_user(tree.zj, "viewer"))
    refresh_statuses(today=date(2019, 7, 1))
    page = client.get(reverse("plans:dashboard")).content.decode()
    assert "督办看板：共青团浙江省委" in page and "共青团杭州市委" in page
    assert f"?org={tree.hz.pk}" in page
    drill = client.get(reverse("plans:dashboard"), {"org": tree.hz.pk}).content.decode()
    assert "督办看板：共青团杭州市委" in drill
    assert client.post(reverse("plans:dashboard"), {"org": tree.zj.pk}).status_code == 302
    hz_only = login(make_user(tree.hz, "viewer"))
    assert hz_only.get(reverse("plans:dashboard"), {"org": tree.nb.pk}).status_code == 404


def test_targeted_and_full_rollups_agree(published, tree, monkeypatch):
    from plans import status

    publish_plan(plan=published, levels=["county"])
    AssignmentMilestone.objects.filter(assignment__organisation=tree.hz, milestone__order=1).update(
        completed_on=date(2019, 3, 20), accepted_at="2019-03-21T10:00:00+08:00"
    )
    for day in (date(2019, 3, 25), date(2019, 6, 20), date(2019, 11, 1)):
        refresh_statuses(today=day)  # few changes: only the touched assignments are aggregated again
        targeted = sorted(Assignment.objects.values_list("pk", "progress_status", "completion_percent"))
        Assignment.objects.update(progress_status="on_track", completion_percent=0)
        AssignmentMilestone.objects.update(status="on_track")
        monkeypatch.setattr(status, "ROLLUP_TARGETED_LIMIT", 0)  # force the aggregate over everything
        refresh_statuses(today=day)
        monkeypatch.setattr(status, "ROLLUP_TARGETED_LIMIT", 50_000)
        assert (
            sorted(Assignment.objects.values_list("pk", "progress_status", "completion_percent")) == targeted
        )
