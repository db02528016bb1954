"""The status engine for many dates, its roll-up, its idempotence, and the summary operators read."""

import json
import re
import threading
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assignments.models import Assignment, AssignmentMilestone, ProgressStatus
from assignments.publishing import plan_publish
from plans.models import Plan
from plans.services import task_create
from supervision.models import RefreshLog
from supervision.selectors import status_summary
from supervision.status import refresh_statuses

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
    plan_publish(plan=plan, levels=["city"])
    return plan


def states(org, today):
    refresh_statuses(today=today)
    return list(
        AssignmentMilestone.objects.filter(assignment__organisation=org)
        .order_by("milestone__order")
        .values_list("progress", flat=True)
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
    assert (assignment.progress, assignment.completion_percent) == ("on_track", 66)
    assert Assignment.objects.get(organisation=tree.nb).progress == "overdue"


def test_behind_schedule_shows_before_due_soon(published, tree, settings):
    settings.STATUS_AT_RISK_MARGIN = 20
    verification = AssignmentMilestone.objects.get(assignment__organisation=tree.hz, milestone__order=3)
    AssignmentMilestone.objects.filter(pk=verification.pk).update(start_date=date(2019, 7, 1), percent=10)
    refresh_statuses(today=date(2019, 9, 1))  # 63 of 123 days gone (51 %), 10 % done: lagging by 41 points
    verification.refresh_from_db()
    assert (verification.progress, verification.at_risk) == ("on_track", True)
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


def test_a_days_states_are_rewritten_in_place(published):
    """What a day moves (states, completion) is in no index of either table, so PostgreSQL keeps each new
    version on its page (HOT) instead of adding an entry to every index: a full recompute of the country's
    assignments took 7.3 s with the state in the boards' indexes, 3.3 s without (BENCHMARKS.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("HOT updates are PostgreSQL's")
    tables = (Assignment._meta.db_table, AssignmentMilestone._meta.db_table)

    def updates():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)",
                [list(tables)],
            )
            return {name: (total, hot) for name, total, hot in cursor.fetchall()}

    refresh_statuses(today=date(2019, 1, 10))
    before = updates()
    moved = refresh_statuses(today=date(2019, 3, 20))  # the first milestone falls due soon: no date moves
    after = updates()
    assert (moved.milestones_changed, moved.assignments_changed) == (2, 2)
    for table in tables:
        total, hot = (now - then for now, then in zip(after[table], before.get(table, (0, 0)), strict=True))
        assert total > 0 and hot == total, table


def test_refresh_of_one_plan_leaves_others(published, tree):
    other = Plan.objects.create(title="另一个", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=other, data={"seq": "1", "title": "甲", "schedule_text": "3月：摸底"})
    plan_publish(plan=other, levels=["city"])
    refresh_statuses(today=date(2019, 12, 1), plan_id=published.pk)
    assert set(
        AssignmentMilestone.objects.filter(assignment__plan=other).values_list("progress", flat=True)
    ) == {"on_track"}
    assert "overdue" in set(
        AssignmentMilestone.objects.filter(assignment__plan=published).values_list("progress", flat=True)
    )


def test_status_summary_counts_subtree_and_children(published, tree):
    plan_publish(plan=published, levels=["county"])
    refresh_statuses(today=date(2019, 7, 1))
    summary = status_summary(org=tree.zj, today=date(2019, 7, 1))
    # 4 receivers × (2 overdue, 1 on track, 1 ongoing)
    assert summary["milestones"] == {
        "withdrawn": 0,
        "closed": 0,
        "completed": 0,
        "completed_late": 0,
        "ongoing": 4,
        "on_track": 4,
        "due_soon": 0,
        "overdue": 8,
    }
    assert summary["assignments"] == {
        "completed": 0, "completed_late": 0, "on_track": 0, "due_soon": 0, "overdue": 4, "no_deadline": 0,
        "closed": 0, "withdrawn": 0,
    }  # fmt: skip
    children = {c["name"]: c["milestones"] for c in summary["children"]}
    assert children["共青团杭州市委"]["overdue"] == 4  # 杭州 itself and 西湖区
    assert children["共青团宁波市委"]["ongoing"] == 2
    assert sum(c["on_track"] for c in children.values()) == summary["milestones"]["on_track"]


def test_status_summary_command_json_contract(published, tree):
    out = StringIO()
    call_command("status_summary", "--org", "330000", "--today", "2019-07-01", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert {"org", "today", "milestones", "children"} <= set(payload)  # the fields operators' scripts read
    assert {"assignments", "departments"} <= set(payload)  # and those added since
    assert payload["org"] == "330000" and payload["today"] == "2019-07-01"
    assert {"completed", "completed_late", "on_track", "due_soon", "overdue", "ongoing"} <= set(
        payload["milestones"]
    )
    assert set(payload["assignments"]) == {
        "completed", "completed_late", "on_track", "due_soon", "overdue", "no_deadline", "closed", "withdrawn",
    }  # fmt: skip
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
    plan_publish(plan=plan, levels=["city", "county"])
    AssignmentMilestone.objects.update(progress="on_track")  # as published, before any refresh
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
    assert "已逾期" in client.get(reverse("supervision:dashboard")).content.decode()  # labels from the enum
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "督办看板：共青团浙江省委" in page and "共青团杭州市委" in page
    assert f"?org={tree.hz.pk}" in page
    drill = client.get(reverse("supervision:dashboard"), {"org": tree.hz.pk}).content.decode()
    assert "督办看板：共青团杭州市委" in drill
    assert client.post(reverse("supervision:dashboard"), {"org": tree.zj.pk}).status_code == 302
    hz_only = login(make_user(tree.hz, "viewer"))
    assert hz_only.get(reverse("supervision:dashboard"), {"org": tree.nb.pk}).status_code == 404


def test_targeted_and_full_rollups_agree(published, tree, monkeypatch):
    from supervision import status

    plan_publish(plan=published, levels=["county"])
    AssignmentMilestone.objects.filter(assignment__organisation=tree.hz, milestone__order=1).update(
        completed_on=date(2019, 3, 20), accepted_at="2019-03-21T10:00:00+08:00"
    )
    for day in (date(2019, 3, 25), date(2019, 6, 20), date(2019, 11, 1)):
        refresh_statuses(today=day)  # few changes: only the touched assignments are aggregated again
        targeted = sorted(Assignment.objects.values_list("pk", "progress", "completion_percent"))
        Assignment.objects.update(progress="on_track", completion_percent=0)
        AssignmentMilestone.objects.update(progress="on_track")
        monkeypatch.setattr(status, "ROLLUP_TARGETED_LIMIT", 0)  # force the aggregate over everything
        refresh_statuses(today=day)
        monkeypatch.setattr(status, "ROLLUP_TARGETED_LIMIT", 50_000)
        assert sorted(Assignment.objects.values_list("pk", "progress", "completion_percent")) == targeted


def test_a_leaders_refresh_covers_only_their_subtree_and_is_throttled(
    login, tree, make_user, published, settings
):
    """立即刷新状态: a city's viewer refreshes the city's subtree, not the country; a second click within
    the throttle window queues nothing."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    }
    plan_publish(plan=published, levels=["county"])
    Assignment.objects.update(progress="completed")
    AssignmentMilestone.objects.update(progress="completed")
    client = login(make_user(tree.hz, "viewer"))
    response = client.post(reverse("supervision:dashboard"), {"org": tree.hz.pk}, follow=True)
    assert "已刷新状态" in response.content.decode(), re.findall(
        r"msg-[a-z]+\">([^<]*)<", response.content.decode()
    )
    refreshed = set(
        Assignment.objects.exclude(progress="completed").values_list("organisation__code", flat=True)
    )
    assert refreshed == {"330100", "330106"}  # 杭州 and 西湖区; 宁波 and 海曙 untouched
    Assignment.objects.filter(organisation=tree.hz).update(progress="completed")
    again = client.post(reverse("supervision:dashboard"), {"org": tree.hz.pk}, follow=True)
    assert "刚刚已刷新过" in again.content.decode()
    assert Assignment.objects.get(organisation=tree.hz).progress == "completed"
    assert client.post(reverse("supervision:dashboard"), {"org": tree.nb.pk}).status_code == 404


class TestTheSqlFollowsTheRule:
    """The set-based UPDATEs must give, row for row, what the Python rule says (supervision.status)."""

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def test_random_milestones(self, published, tree, data):
        from django.conf import settings as django_settings

        from supervision import status

        copies = list(AssignmentMilestone.objects.order_by("pk"))
        days = st.one_of(st.none(), st.dates(min_value=date(2019, 1, 1), max_value=date(2019, 12, 31)))
        today = data.draw(st.dates(min_value=date(2019, 1, 1), max_value=date(2020, 2, 1)), label="today")
        for copy in copies:
            copy.start_date, copy.due_date = sorted(
                data.draw(st.tuples(days, days)), key=lambda d: (d is not None, d or date.min)
            )
            if copy.start_date and copy.due_date is None:
                copy.start_date, copy.due_date = None, copy.start_date
            accepted = data.draw(st.booleans())
            copy.completed_on = data.draw(days) if accepted else None
            copy.accepted_at = datetime(2019, 12, 31, 12, tzinfo=UTC) if accepted else None
            copy.percent = data.draw(st.integers(0, 100))
            copy.progress, copy.at_risk = (
                data.draw(st.sampled_from(list(ProgressStatus))),
                data.draw(st.booleans()),
            )
        ended = {}
        for assignment in Assignment.objects.all():  # some assignments closed or withdrawn
            ended[assignment.pk] = data.draw(st.sampled_from(["", "", "closed", "withdrawn"]), label="ended")
        for copy in copies:
            copy.ended = ended[copy.assignment_id]
        AssignmentMilestone.objects.bulk_update(
            copies,
            [
                "start_date",
                "due_date",
                "completed_on",
                "accepted_at",
                "percent",
                "progress",
                "at_risk",
                "ended",
            ],
        )
        for pk, how in ended.items():
            Assignment.objects.filter(pk=pk).update(
                status=how or "assigned", progress=how or "on_track", completion_percent=0, escalation=""
            )
        # The stored states were just scrambled by hand: no day's refresh stands, every row is read.
        RefreshLog.objects.all().delete()
        if data.draw(st.booleans(), label="a day's refresh from an earlier full one"):
            earlier = today - timedelta(days=data.draw(st.integers(1, status.WINDOW_DAYS), label="days"))
            status.refresh_statuses(today=earlier)
        status.refresh_statuses(today=today)
        soon, margin = status.due_soon_date(today), django_settings.STATUS_AT_RISK_MARGIN
        by_assignment = {}
        for copy in AssignmentMilestone.objects.order_by("pk"):
            expected = status.milestone_progress(
                due=copy.due_date,
                accepted_at=copy.accepted_at,
                completed_on=copy.completed_on,
                today=today,
                soon=soon,
                ended=copy.ended,
            )
            risk = status.milestone_at_risk(start=copy.start_date, due=copy.due_date, accepted_at=copy.accepted_at,
                                            percent=copy.percent, today=today, margin=margin,
                                            ended=copy.ended)  # fmt: skip
            assert (copy.progress, copy.at_risk) == (expected, risk), copy.__dict__
            risk_from = status.milestone_risk_from(start=copy.start_date, due=copy.due_date,
                                                   accepted_at=copy.accepted_at, percent=copy.percent,
                                                   margin=margin, ended=copy.ended)  # fmt: skip
            assert copy.risk_from == risk_from
            assert risk == (risk_from is not None and risk_from <= today <= copy.due_date)
            by_assignment.setdefault(copy.assignment_id, []).append(copy)
        for assignment in Assignment.objects.select_related("plan"):
            rows = by_assignment[assignment.pk]
            dated = [c for c in rows if c.due_date]
            if ended[assignment.pk]:  # settled: it keeps the state it was settled with
                assert (assignment.progress, assignment.escalation) == (ended[assignment.pk], "")
                continue
            assert assignment.progress == status.assignment_progress(
                [ProgressStatus(c.progress) for c in rows]
            )
            assert assignment.completion_percent == status.completion_percent(
                sum(1 for c in dated if c.accepted_at), len(dated)
            )
            overdue = [c.due_date for c in rows if c.progress == ProgressStatus.OVERDUE]
            assert assignment.overdue_since == (min(overdue) if overdue else None)
            assert assignment.escalation == status.escalation_of(
                overdue_since=assignment.overdue_since, today=today,
                yellow=assignment.plan.yellow_after_days, red=assignment.plan.red_after_days,
            )  # fmt: skip
