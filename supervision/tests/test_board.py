"""The 督办看板 and the 督办清单: counts per child from the ancestors stored on assignments agree with the
tree's own ranges; drill-down, departments, filters, export, 催办 on a selection, overdue_list's contract."""

import io
import json
import re
from datetime import date, timedelta
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments.models import Assignment, AssignmentEvent, AssignmentMilestone
from assignments.publishing import Recipients, Rule, plan_publish
from assignments.services import assignment_break_down, assignment_end
from orgtree.models import Organisation, OrgType
from orgtree.services import organisation_create, organisation_move
from orgtree.subtree import contains
from plans.models import Plan
from plans.services import task_create, task_update
from reporting.services import report_save
from supervision import board as board_selectors
from supervision.status import refresh_statuses
from supervision.tasks import refresh_statuses_task

pytestmark = pytest.mark.django_db
DAY = date(2019, 7, 15)


@pytest.fixture
def world(tree):
    """A provincial plan to cities and counties (two tasks: one due in June, one ongoing), a city plan for
    杭州's own 组织部, states for 15 July 2019 (30 June is 15 days overdue: 黄牌)."""
    plan = Plan.objects.create(title="2019年全省要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月：转接；12月：验收"})
    task_create(plan=plan, data={"seq": "2", "title": "青年大学习", "schedule_text": "7月20日前：部署"})
    plan_publish(plan=plan, levels=["city", "county"])
    own = Plan.objects.create(title="杭州机关要点", organisation=tree.hz, start_year=2019, end_year=2019)
    office = task_create(plan=own, data={"seq": "1", "title": "机关党建", "schedule_text": "5月：自查",
                                         "lead_departments": [tree.dept_hz]})  # fmt: skip
    plan_publish(plan=own, rules=[Rule([office.pk], Recipients(internal=True))])
    refresh_statuses(today=DAY)
    return plan


def _expected(org, rows):
    """Independent arithmetic: each child's assignments found by the tree's own ranges."""
    counts = {}
    for child in board_selectors.children_of(org):
        mine = [a for a in rows if contains(child, a.organisation)]
        counts[child.pk] = {
            "total": len(mine),
            "overdue": sum(a.status == "assigned" and a.progress == "overdue" for a in mine),
            "due_soon": sum(a.status == "assigned" and a.progress == "due_soon" for a in mine),
            "closed": sum(a.status != "assigned" for a in mine),
        }
    return counts


@pytest.mark.parametrize("who", ["zj", "hz", "xh"])
def test_counts_per_child_agree_with_the_tree(world, tree, who):
    org = Organisation.objects.get(pk=getattr(tree, who).pk)  # the fixture's copy predates later inserts
    found = board_selectors.board(org=org)
    rows = list(Assignment.objects.select_related("organisation"))
    expected = _expected(org, rows)
    assert {row.pk: {k: row.counts[k] for k in ("total", "overdue", "due_soon", "closed")}
            for row in found.children} == expected  # fmt: skip
    inside = [a for a in rows if contains(org, a.organisation)]
    assert found.totals["total"] == len(inside)


def test_the_country_is_counted_per_province_and_is_where_its_people_land(world, tree, make_user, login):
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code=None)
    found = board_selectors.board(org=central)
    by_province = {row.name: row.counts["total"] for row in found.children}
    assert by_province == {"共青团浙江省委": Assignment.objects.count(), "共青团江苏省委": 0}
    page = login(make_user(central, "viewer")).get(reverse("supervision:dashboard")).content.decode()
    assert "督办看板：共青团中央" in page and "各省级团委" in page
    # Counted by province and state only, the country agrees with its provinces' own boards, and its task
    # counts with the assignments themselves.
    provinces = [board_selectors.count_board(org=o) for o in (tree.zj, tree.js)]
    for key in board_selectors.KEYS:
        assert found.totals[key] == sum(p.totals[key] for p in provinces), key
    assert found.tasks == Assignment.objects.values("task").distinct().count()
    late = Assignment.objects.filter(status="assigned", progress="overdue").values("task").distinct().count()
    assert found.tasks_overdue == late > 0
    from orgtree.services import department_create

    office = department_create(organisation=central, name="基层组织建设部")
    own = Plan.objects.create(title="团中央机关要点", organisation=central, start_year=2019, end_year=2019)
    task = task_create(plan=own, data={"seq": "1", "title": "机关自查", "schedule_text": "5月：自查",
                                       "lead_departments": [office]})  # fmt: skip
    plan_publish(plan=own, rules=[Rule([task.pk], Recipients(internal=True))])
    refresh_statuses(today=DAY)
    again = board_selectors.board(org=central)
    assert [(row.name, row.counts["total"], row.counts["overdue"]) for row in again.departments] == [
        ("基层组织建设部", 1, 1)
    ]
    assert again.own is not None and again.tasks == found.tasks + 1


def test_the_country_board_is_kept_until_what_it_counts_changes(world, tree, django_assert_num_queries):
    """The country's board comes from the cache until a write to the counted columns renews the token:
    a report filed, a refresh, an assignment closed, a new publication."""
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code=None)

    def zhejiang():
        return next(r for r in board_selectors.board(org=central).children if r.name == "共青团浙江省委")

    first = zhejiang().counts
    with django_assert_num_queries(0):
        assert zhejiang().counts == first
    county = Assignment.objects.get(organisation=tree.xh, task__seq="1")
    report_save(assignment=county, period="2019-06", data={"percent": 20}, user=None, version=0, submit=True,
                today=date(2019, 7, 12))  # fmt: skip
    filed = zhejiang().counts
    assert filed["review"] == first["review"] + 1 and filed["late_reports"] == first["late_reports"] + 1
    assignment_end(county, "closed")
    closed = zhejiang().counts
    assert closed["closed"] == 1 and closed["overdue"] == first["overdue"] - 1
    refresh_statuses(today=DAY + timedelta(days=120))  # December: the ongoing tasks stay, more fall due
    later = zhejiang().counts
    overdue = Assignment.objects.filter(anc0=tree.zj.pk, status="assigned", progress="overdue").count()
    assert later != closed and later["overdue"] == overdue
    plan = Plan.objects.create(title="2019年补充任务", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "团员发展", "schedule_text": "9月：完成"})
    plan_publish(plan=plan, levels=["city"])
    assert zhejiang().counts["total"] == closed["total"] + 2


def _grouped_provinces(queries) -> list[set[int] | None]:
    """The provinces each GROUP BY of the country's shares was narrowed to (None: the whole country)."""
    found = []
    for query in queries:
        if "GROUP BY" in query["sql"] and '"anc0", ' in query["sql"]:
            narrowed = re.search(r'"anc0" IN \(([\d, ]+)\)', query["sql"])
            found.append({int(pk) for pk in narrowed.group(1).split(",")} if narrowed else None)
    return found


def _same_as_afresh(central, found) -> None:
    fresh = board_selectors.count_board(org=central)
    assert found.totals == fresh.totals
    assert {r.pk: r.counts for r in found.children} == {r.pk: r.counts for r in fresh.children}
    assert (found.tasks, found.tasks_overdue) == (fresh.tasks, fresh.tasks_overdue)


def test_the_hourly_refresh_keeps_the_country_or_counts_it_ahead_of_its_readers(world, tree):
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code=None)
    board_selectors.board(org=central)
    refresh_statuses_task(today=DAY.isoformat())  # the same day again: nothing moves, nothing is recounted
    with CaptureQueriesContext(connection) as kept:
        board_selectors.board(org=central)
    assert _grouped_provinces(kept.captured_queries) == []
    refresh_statuses_task(today=(DAY + timedelta(days=120)).isoformat())  # states move: counted by the task
    with CaptureQueriesContext(connection) as read:
        found = board_selectors.board(org=central)
    assert _grouped_provinces(read.captured_queries) == []
    assert found.totals["overdue"] == Assignment.objects.filter(status="assigned", progress="overdue").count()
    _same_as_afresh(central, found)


def test_a_write_in_one_province_recounts_only_that_provinces_share(world, tree):
    """The country's board keeps each province's share: a report filed or an assignment closed in 浙江
    recounts 浙江 alone, a refresh the provinces whose states moved, a change of the tree all. Whatever
    was kept, it equals a count afresh."""
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code=None)
    other = Plan.objects.create(title="江苏要点", organisation=tree.js, start_year=2019, end_year=2019)
    task_create(plan=other, data={"seq": "1", "title": "团干部培训", "schedule_text": "6月：培训"})
    plan_publish(plan=other, levels=["city"])
    refresh_statuses(today=DAY)

    def same_as_afresh(found):
        _same_as_afresh(central, found)

    with CaptureQueriesContext(connection) as first:
        found = board_selectors.board(org=central)
    assert _grouped_provinces(first.captured_queries) == [None]
    same_as_afresh(found)
    county = Assignment.objects.get(organisation=tree.xh, task__seq="1")
    report_save(assignment=county, period="2019-06", data={"percent": 20}, user=None, version=0, submit=True,
                today=date(2019, 7, 12))  # fmt: skip
    with CaptureQueriesContext(connection) as filed:
        found = board_selectors.board(org=central)
    assert _grouped_provinces(filed.captured_queries) == [{tree.zj.pk}]
    same_as_afresh(found)
    js_city = Assignment.objects.filter(anc0=tree.js.pk, status="assigned").first()
    assignment_end(js_city, "withdrawn")
    with CaptureQueriesContext(connection) as ended:
        found = board_selectors.board(org=central)
    assert _grouped_provinces(ended.captured_queries) == [{tree.js.pk}]
    assert next(r for r in found.children if r.pk == tree.js.pk).counts["closed"] == 1
    same_as_afresh(found)
    refresh_statuses(today=DAY + timedelta(days=120))  # 浙江's states move; 江苏's one was withdrawn
    with CaptureQueriesContext(connection) as refreshed:
        found = board_selectors.board(org=central)
    assert _grouped_provinces(refreshed.captured_queries) == [{tree.zj.pk}]
    same_as_afresh(found)
    organisation_create(parent=None, name="共青团安徽省委", org_type=OrgType.PROVINCE, code="340000")
    with CaptureQueriesContext(connection) as grown:  # the tree changed: every share is counted again
        found = board_selectors.board(org=central)
    assert _grouped_provinces(grown.captured_queries) == [None]
    same_as_afresh(found)


def test_the_country_board_follows_the_tree(world, tree):
    from orgtree.services import organisation_update

    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code=None)
    assert "共青团浙江省委" in [row.name for row in board_selectors.board(org=central).children]
    organisation_update(org=tree.zj, name="共青团浙江省委员会")
    organisation_create(parent=None, name="共青团安徽省委", org_type=OrgType.PROVINCE, code="340000")
    names = [row.name for row in board_selectors.board(org=central).children]
    assert "共青团浙江省委员会" in names and "共青团安徽省委" in names and "共青团浙江省委" not in names


def test_the_country_page_renders_its_rows_again_after_a_write(world, tree, make_user, login):
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code=None)
    client = login(make_user(central, "viewer"))
    url = reverse("supervision:dashboard")
    total = Assignment.objects.count()
    assert f"<td>{total}</td>" in client.get(url).content.decode()
    plan = Plan.objects.create(title="2019年补充任务", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "团员发展", "schedule_text": "9月：完成"})
    plan_publish(plan=plan, levels=["city"])
    page = client.get(url).content.decode()
    assert f"<td>{total + 2}</td>" in page and f"<td>{total}</td>" not in page


def _copies_off_their_assignment() -> list:
    return [
        c.pk for c in AssignmentMilestone.objects.select_related("assignment")
        if (c.anc0, c.anc1, c.anc2) != (c.assignment.anc0, c.assignment.anc1, c.assignment.anc2)
    ]  # fmt: skip


def test_copies_carry_their_assignments_ancestors_through_every_write(world, tree):
    county = Assignment.objects.get(organisation=tree.xh, task__seq="1")
    assert AssignmentMilestone.objects.filter(anc2=tree.xh.pk).exists()
    assert not _copies_off_their_assignment()
    assignment_break_down(assignment=county, organisations=[tree.bs], user=None)  # the parts' copies
    assert AssignmentMilestone.objects.filter(assignment__organisation=tree.bs, anc2=tree.xh.pk).exists()
    task = county.task
    task_update(task=task, data={"seq": task.seq, "title": task.title,
                                 "schedule_text": "6月：转接；9月：复查；12月：验收"})  # fmt: skip
    assert (
        AssignmentMilestone.objects.filter(milestone__raw__contains="复查").count()
        == Assignment.objects.filter(task=task).count()
    )
    assert not _copies_off_their_assignment()
    organisation_move(org=tree.xh, new_parent=tree.nb)
    assert not _copies_off_their_assignment()
    assert set(
        AssignmentMilestone.objects.filter(assignment__organisation=tree.xh).values_list("anc1", flat=True)
    ) == {tree.nb.pk}


def test_a_closed_assignments_new_milestone_is_ended_and_never_listed(world, tree):
    county = Assignment.objects.get(organisation=tree.xh, task__seq="1")
    assignment_end(county, "withdrawn")
    task = county.task
    task_update(task=task, data={"seq": task.seq, "title": task.title,
                                 "schedule_text": "5月：摸底；6月：转接；12月：验收"})  # fmt: skip
    assert set(county.milestones.values_list("ended", flat=True)) == {"withdrawn"}
    refresh_statuses(today=DAY)
    listed = board_selectors.all_items(org=tree.hz, tab="overdue", today=DAY)
    assert not listed.filter(assignment=county).exists()
    assert listed.filter(assignment__organisation=tree.hz, milestone__raw__contains="摸底").exists()


def test_the_list_leaves_out_a_scope_that_takes_in_the_whole_subtree(world, tree, make_user):
    from orgtree.models import Membership
    from orgtree.querysets import scope_covers

    viewer = make_user(tree.hz, "viewer")
    assert scope_covers(viewer, tree.hz) and scope_covers(viewer, tree.xh)
    assert not scope_covers(viewer, tree.zj) and not scope_covers(viewer, tree.nb)
    member = make_user()
    Membership.objects.create(user=member, organisation=tree.hz, role="reporter", department=tree.dept_hz)
    assert scope_covers(member, tree.hz, "view") and not scope_covers(member, tree.hz, "report")
    assert scope_covers(make_user(is_superuser=True), tree.zj)
    # Left out or not, the list holds the same rows; outside the scope the subquery removes them all.
    everything = set(board_selectors.all_items(org=tree.hz, today=DAY).values_list("pk", flat=True))
    assert (
        everything
        and set(board_selectors.items(viewer, org=tree.hz, today=DAY).values_list("pk", flat=True))
        == everything
    )
    stranger = make_user(tree.js, "viewer")
    assert not board_selectors.items(stranger, org=tree.hz, today=DAY).exists()


@pytest.mark.parametrize("who", ["zj", "hz", "xh", "bs"])
def test_when_the_states_are_todays_overdue_is_due_before_today(world, tree, monkeypatch, who):
    """The list's fast path (due before today, read from the index alone) lists exactly the copies the
    status engine calls overdue, once the states are for today; on another day the stored state decides."""
    from supervision import board

    org = getattr(tree, who)
    county = Assignment.objects.get(organisation=tree.xh, task__seq="1")
    assignment_break_down(assignment=county, organisations=[tree.bs], user=None)
    assignment_end(Assignment.objects.get(organisation=tree.nb, task__seq="1"), "closed")
    refresh_statuses(today=DAY)
    engine = set(
        AssignmentMilestone.objects.filter(
            board.in_subtree(org, "assignment__"), progress="overdue", assignment__status="assigned"
        ).values_list("pk", flat=True)
    )
    assert engine or who == "bs"
    monkeypatch.setattr(board.timezone, "localdate", lambda: DAY)  # the states are today's
    assert "progress" not in str(board._overdue(DAY))
    assert set(board.all_items(org=org, today=DAY).values_list("pk", flat=True)) == engine
    monkeypatch.setattr(board.timezone, "localdate", lambda: DAY + timedelta(days=1))  # not refreshed yet
    assert "progress" in str(board._overdue(DAY))
    assert set(board.all_items(org=org, today=DAY).values_list("pk", flat=True)) == engine


def test_a_closed_overdue_assignment_leaves_every_overdue_count(world, tree):
    county = Assignment.objects.get(organisation=tree.xh, task__seq="1")
    assert board_selectors.board(org=tree.hz).totals["overdue"] >= 1
    before = board_selectors.board(org=tree.zj).totals["overdue"]
    assignment_end(county, "closed")
    refresh_statuses(today=DAY)
    after = board_selectors.board(org=tree.zj)
    assert after.totals["overdue"] == before - 1 and after.totals["closed"] == 1
    xh_row = next(row for row in board_selectors.board(org=tree.hz).children if row.pk == tree.xh.pk)
    assert xh_row.counts["closed"] == 1


def test_departments_count_what_the_office_received(world, tree):
    found = board_selectors.board(org=tree.hz)
    organisation_department = next(row for row in found.departments if row.pk == tree.dept_hz.pk)
    assert organisation_department.counts["total"] == 1 and organisation_department.counts["overdue"] == 1


def test_a_move_carries_the_counts_to_the_new_parent(world, tree):
    ningbo_before = next(r for r in board_selectors.board(org=tree.zj).children if r.pk == tree.nb.pk)
    moved = organisation_move(org=tree.xh, new_parent=tree.nb)
    ningbo_after = next(r for r in board_selectors.board(org=tree.zj).children if r.pk == tree.nb.pk)
    received = Assignment.objects.filter(organisation=moved).count()
    assert received and ningbo_after.counts["total"] == ningbo_before.counts["total"] + received
    assert set(Assignment.objects.filter(organisation=moved).values_list("anc1", flat=True)) == {tree.nb.pk}


def test_lights_and_timeliness():
    counts = board_selectors.empty()
    assert board_selectors.light(counts) == "grey"
    counts.update(total=3)
    assert board_selectors.light(counts) == "green"
    counts.update(due_soon=1)
    assert board_selectors.light(counts) == "yellow"
    counts.update(overdue=1)
    assert board_selectors.light(counts) == "red"
    counts.update(on_time_reports=3, late_reports=1)
    assert board_selectors.timeliness(counts) == 75


def test_reports_count_on_time_and_late(world, tree):
    county = Assignment.objects.get(organisation=tree.xh, task__seq="1")
    report_save(assignment=county, period="2019-05", data={"percent": 10}, user=None, version=0, submit=True,
                today=date(2019, 6, 3))  # fmt: skip
    report_save(assignment=county, period="2019-06", data={"percent": 20}, user=None, version=0, submit=True,
                today=date(2019, 7, 12))  # fmt: skip
    county.refresh_from_db()
    assert (county.reports_on_time, county.reports_late) == (1, 1)
    row = next(r for r in board_selectors.board(org=tree.hz).children if r.pk == tree.xh.pk)
    assert row.timeliness == 50 and row.counts["review"] == 2


def test_the_board_page_drills_down_with_breadcrumbs_and_filters(world, tree, make_user, login,
                                                                 django_assert_max_num_queries):  # fmt: skip
    client = login(make_user(tree.zj, "viewer"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("supervision:dashboard")).content.decode()
    assert "督办看板：共青团浙江省委" in page and f"?org={tree.hz.pk}" in page and "状态日期" in page
    city = client.get(reverse("supervision:dashboard"), {"org": tree.hz.pk}).content.decode()
    assert 'aria-label="层级"' in city and f'href="?org={tree.zj.pk}"' in city  # back up to the province
    assert "共青团杭州市西湖区委" in city and "组织部" in city
    other = Plan.objects.get(title="杭州机关要点")
    filtered = client.get(
        reverse("supervision:dashboard"), {"org": tree.hz.pk, "plan": other.pk}
    ).content.decode()
    assert board_selectors.board(org=tree.hz, plan_id=other.pk).totals["total"] == 1
    assert "selected" in filtered
    assert client.get(reverse("supervision:dashboard"), {"org": tree.js.pk}).status_code == 404


@pytest.mark.parametrize("who", ["zj", "hz", "xh"])
def test_a_board_page_and_its_list_take_few_queries(world, tree, make_user, login, who,
                                                     django_assert_max_num_queries):  # fmt: skip
    org = getattr(tree, who)
    client = login(make_user(org, "viewer"))
    client.get(
        reverse("supervision:dashboard")
    )  # the session and the states' day are warm after a first page
    with django_assert_max_num_queries(10):
        client.get(reverse("supervision:dashboard"), {"org": org.pk})
    # The list: the count and the page's rows, then one query per table the rows show, however many.
    with django_assert_max_num_queries(17):
        client.get(reverse("supervision:overdue_list"), {"org": org.pk})


def test_board_queries_do_not_grow_with_the_tree(world, tree, django_assert_max_num_queries):
    for org in (tree.zj, tree.hz, tree.xh):
        with django_assert_max_num_queries(7):
            board_selectors.board(org=org)


# --- 督办清单 ------------------------------------------------------------------------------------------


def test_the_list_shows_who_owes_what_since_when(world, tree, make_user, login):
    reporter = make_user(tree.xh, "reporter", first_name="小西")
    client = login(make_user(tree.zj, "viewer"))
    page = client.get(reverse("supervision:overdue_list"), {"org": tree.hz.pk}).content.decode()
    assert "共青团杭州市西湖区委" in page and "6月：转接" in page and "2019-06-30" in page
    assert reporter.first_name in page and "黄牌督办" in page and ">15<" in page  # 15 days overdue
    assert "共青团宁波市委" not in page  # another city's items are not in 杭州's list
    assert f'href="?org={tree.hz.pk}&amp;export=xlsx"' in page  # the export keeps what is chosen
    soon = client.get(
        reverse("supervision:overdue_list"), {"org": tree.hz.pk, "tab": "due_soon"}
    ).content.decode()
    assert "7月20日前：部署" in soon and "6月：转接" not in soon


def test_filters_narrow_the_list(world, tree, make_user, login):
    client = login(make_user(tree.zj, "viewer"))
    url = reverse("supervision:overdue_list")
    everything = client.get(url, {"org": tree.zj.pk}).context["total"]
    assert client.get(url, {"org": tree.zj.pk, "org_type": "county"}).context["total"] == 2  # 西湖, 海曙
    assert client.get(url, {"org": tree.zj.pk, "department": "组织"}).context["total"] == 1
    assert client.get(url, {"org": tree.zj.pk, "level": "red"}).context["total"] == 1  # 组织部, since 31 May
    assert client.get(url, {"org": tree.zj.pk, "min_days": 100000}).context["total"] == 0
    assert everything == AssignmentMilestone.objects.filter(progress="overdue").count()
    bad = client.get(url, {"org": tree.zj.pk, "min_days": "很多", "level": "<script>"})
    assert bad.status_code == 200 and "<script>" not in bad.content.decode()


def test_the_plan_filter_offers_what_the_user_may_see_and_follows_new_plans(world, tree, make_user, login):
    client = login(make_user(tree.hz, "viewer"))
    url = reverse("supervision:overdue_list")
    offered = dict(client.get(reverse("supervision:dashboard"), {"org": tree.hz.pk}).context["plans"])
    assert set(offered.values()) == {"2019年全省要点", "杭州机关要点"}
    own = Plan.objects.get(title="杭州机关要点")
    assert client.get(url, {"org": tree.hz.pk, "plan": own.pk}).context["total"] == 1
    elsewhere = Plan.objects.create(title="江苏要点", organisation=tree.js, start_year=2019, end_year=2019)
    everything = client.get(url, {"org": tree.hz.pk}).context["total"]
    for hostile in (elsewhere.pk, 10**9, "1 OR 1=1", "<b>"):  # refused with a message, the filter unused
        refused = client.get(url, {"org": tree.hz.pk, "plan": hostile})
        page = refused.content.decode()
        assert refused.status_code == 200 and "选择一个有效的选项" in page and "<b>" not in page
        assert refused.context["total"] == everything
    newer = Plan.objects.create(title="杭州补充要点", organisation=tree.hz, start_year=2019, end_year=2019)
    again = dict(client.get(reverse("supervision:dashboard"), {"org": tree.hz.pk}).context["plans"])
    assert again[newer.pk] == "杭州补充要点" and elsewhere.pk not in again
    newer.title = "杭州补充要点（修订）"
    newer.save()
    assert dict(board_selectors.plan_choices(client.get(url).wsgi_request.user, tree.hz))[newer.pk].endswith(
        "（修订）"
    )


def test_the_list_exports_what_is_shown_as_safe_xlsx(world, tree, make_user, login):
    Organisation.objects.filter(pk=tree.xh.pk).update(name='=HYPERLINK("http://x")区委')
    client = login(make_user(tree.zj, "viewer"))
    response = client.get(reverse("supervision:overdue_list"), {"org": tree.zj.pk, "export": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == AssignmentMilestone.objects.filter(progress="overdue").count()
    cell = next(c for c in sheet["A"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # written as text, never a live formula


def test_urging_a_selection_urges_only_ones_own_once_a_day(world, tree, make_user, login):
    editor = make_user(tree.zj, "editor")
    client = login(editor)
    mine = Assignment.objects.filter(task__plan=world, organisation__in=[tree.xh, tree.hs])
    jiangsu = Plan.objects.create(title="江苏要点", organisation=tree.js, start_year=2019, end_year=2019)
    task_create(plan=jiangsu, data={"seq": "1", "title": "江苏任务", "schedule_text": "6月：完成"})
    plan_publish(plan=jiangsu, levels=["city"])
    foreign = Assignment.objects.get(plan=jiangsu)  # another province's: never urged from Zhejiang
    picks = [*mine.values_list("pk", flat=True), foreign.pk]
    url = reverse("supervision:urge_selected")
    done = client.post(url, {"pick": picks, "comment": "请本周报送"}, follow=True).content.decode()
    assert f"已催办 {len(picks) - 1} 项，1 项未催办" in done
    urged = AssignmentEvent.objects.filter(kind="reminded", actor=editor)
    assert set(urged.values_list("assignment_id", flat=True)) == set(mine.values_list("pk", flat=True))
    again = client.post(url, {"pick": picks}, follow=True).content.decode()
    assert f"已催办 0 项，{len(picks)} 项未催办" in again
    assert "请先勾选" in client.post(url, {"pick": ["x"]}, follow=True).content.decode()
    too_many = client.post(url, {"pick": [str(n) for n in range(1, 300)]}, follow=True).content.decode()
    assert "一次最多催办 200 项" in too_many
    evil = client.post(url, {"pick": picks, "next": "https://evil.example/"})
    assert evil.url.startswith("/")


def test_overdue_list_command_contract(world, tree):
    out = StringIO()
    call_command("overdue_list", "--org", "330100", "--today", DAY.isoformat(), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["org"] == "330100" and data["today"] == DAY.isoformat()
    assert data["total"] == len(data["items"]) == 3  # 杭州, 西湖区, 杭州组织部
    item = next(i for i in data["items"] if i["org_code"] == "330106")
    assert set(item) >= {"org_code", "org", "department", "plan", "task_seq", "task", "milestone", "due",
                         "days_overdue", "level", "last_report"}  # fmt: skip
    assert (item["due"], item["days_overdue"], item["level"]) == ("2019-06-30", 15, "yellow")


def test_overdue_list_for_another_day_changes_nothing_stored(world, tree):
    before = list(AssignmentMilestone.objects.order_by("pk").values_list("progress", flat=True))
    out = StringIO()
    call_command("overdue_list", "--org", "330000", "--today", "2019-06-05", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {i["task"] for i in data["items"]} == {"机关党建"}  # only May's was past on 5 June
    assert list(AssignmentMilestone.objects.order_by("pk").values_list("progress", flat=True)) == before
    assert timezone.localdate() > DAY + timedelta(days=1)


def test_work_done_counts_as_completed_not_as_closed(world, tree, make_user, login):
    from assignments.services import milestones_complete

    county = Assignment.objects.get(organisation=tree.xh, task__seq="2")  # one milestone, due 20 July
    copy = county.milestones.get()
    milestones_complete(assignment=county, claims=[(copy.pk, date(2019, 7, 10))], percent=100, user=None,
                        comment="完成")  # fmt: skip
    refresh_statuses(today=DAY)
    row = next(r for r in board_selectors.board(org=tree.hz).children if r.pk == tree.xh.pk)
    assert (row.counts["completed"], row.counts["closed"]) == (1, 0)
    client = login(make_user(tree.zj, "viewer"))
    done = client.get(reverse("supervision:overdue_list"), {"org": tree.xh.pk, "tab": "completed"})
    assert done.context["total"] == 1 and "7月20日前：部署" in done.content.decode()


def test_a_county_filters_by_the_plan_it_received(world, tree, make_user, login):
    client = login(make_user(tree.xh, "viewer"))
    board_page = client.get(reverse("supervision:dashboard"), {"org": tree.xh.pk, "plan": world.pk})
    assert f'<option value="{world.pk}" selected>' in board_page.content.decode()
    listed = client.get(reverse("supervision:overdue_list"), {"org": tree.xh.pk, "plan": world.pk})
    assert not listed.context["filter"].form.errors and listed.context["total"] == 1
