"""Who owes what: a 分工方案 goes to the issuer's own departments (--internal), tasks to named recipients,
recipients read from the table, the chain a receiver breaks an assignment into, and departments owning
their work."""

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from assignments import selectors
from assignments.models import Assignment, AssignmentContributor, AssignmentMilestone
from assignments.publishing import Recipients, Rule, plan_publish, plan_publish_preview, recipients_set
from assignments.services import assignment_break_down, assignment_settle, milestones_complete
from orgtree.models import Department, Membership, OrgType
from orgtree.services import organisation_create
from plans.imports import plan_import_commit, plan_import_preview
from plans.models import Plan, Task
from plans.services import task_create
from plans.tests.test_import import xlsx as xlsx_rows
from supervision.status import refresh_statuses

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "samples"


@pytest.fixture
def fengong(tree):
    """A provincial 分工方案 (2019—2022) of the 团省委's own departments, imported."""
    content = (SAMPLES / "province-2019-2022.xlsx").read_bytes()
    preview = plan_import_preview(organisation=tree.zj, filename="f.xlsx", content=content)
    return plan_import_commit(organisation=tree.zj, preview=preview)


def summary(org_code, day):
    out = StringIO()
    call_command("status_summary", "--org", org_code, "--today", day, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_fengong_published_internally_goes_to_the_provinces_own_departments(fengong, tree):
    out = StringIO()
    call_command("publish_plan", str(fengong.pk), "--internal", "--json", stdout=out)
    result = json.loads(out.getvalue())
    tasks = fengong.tasks.count()
    assert result["assignments_created"] == tasks == Assignment.objects.count() == 12
    assert result["routine_tasks"] == ["10"]  # no date in the table: published as 常态化, said so
    own = set(Department.objects.filter(organisation=tree.zj).values_list("pk", flat=True))
    for assignment in Assignment.objects.select_related("task"):
        assert assignment.organisation_id == assignment.issuer_id == tree.zj.pk
        assert assignment.department_id in own
        lead = assignment.task.lead_departments.order_by("order", "pk").first()
        assert assignment.department_id == lead.pk  # the 牵头部门 answers for it
    # The 参与部门 contribute: task 2 is 学校部 牵头, 基层工作部 参与.
    second = Assignment.objects.get(task__seq="2")
    assert list(second.contributors.values_list("department__name", flat=True)) == ["基层工作部"]
    assert not Assignment.objects.exclude(organisation=tree.zj).exists()  # nobody else receives anything

    # On a chosen day, per department: the overdue and due-soon counts the plan's own dates give.
    day = date(2020, 6, 20)
    before = sorted(AssignmentMilestone.objects.values_list("pk", "progress"))
    payload = summary("330000", day.isoformat())
    assert sorted(AssignmentMilestone.objects.values_list("pk", "progress")) == before  # nothing stored moved
    expected: dict[str, dict[str, int]] = {}
    for assignment in Assignment.objects.select_related("department"):
        counts = expected.setdefault(assignment.department.name, {"overdue": 0, "due_soon": 0})
        for copy in assignment.milestones.all():
            if copy.due_date and copy.due_date < day:
                counts["overdue"] += 1
            elif copy.due_date and copy.due_date <= day + timedelta(days=14):
                counts["due_soon"] += 1
    got = {
        d["name"]: {k: d["milestones"][k] for k in ("overdue", "due_soon")} for d in payload["departments"]
    }
    assert {name: counts for name, counts in got.items() if name in expected} == expected
    assert expected["组织部"]["due_soon"] == 1  # task 12's 2020-06-30
    assert payload["assignments"]["no_deadline"] == 1 and payload["assignments"]["overdue"] > 0


def test_chosen_tasks_to_chosen_organisations_and_levels(fengong, tree):
    call_command(
        "publish_plan", str(fengong.pk), "--tasks", "1,3-4", "--to", "330100,330203", stdout=StringIO()
    )
    got = sorted(Assignment.objects.values_list("task__seq", "organisation__code"))
    assert got == sorted((s, c) for s in ("1", "3", "4") for c in ("330100", "330203"))
    out = StringIO()
    call_command("publish_plan", str(fengong.pk), "--tasks", "5", "--levels", "county", "--json", stdout=out)
    assert json.loads(out.getvalue())["assignments_created"] == 2  # 西湖区 and 海曙区
    for bad, message in [
        (["--tasks", "99", "--to", "330100"], "没有序号为 99"),
        (["--to", "320100"], "不在发文组织"),  # 南京 is not below 浙江
        (["--to", "999999"], "找不到组织"),
        (["--tasks", "1"], "请指定接收方"),
        (["--as-planned", "--internal"], "不能与"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("publish_plan", str(fengong.pk), *bad, stdout=StringIO())
    assert Assignment.objects.count() == 8


def test_recipients_come_from_the_table(tree):
    """责任单位 "各市团委" is every 团市委 below; a named 团委 is itself; a 牵头部门 makes the task the office's
    own — and none of them becomes a fake department."""
    content = xlsx_rows([
        ["某方案（2019年）"], ["序号", "项目名称", "进度安排", "牵头部门", "责任单位"],
        [1, "甲", "6月", "组织部", "各市团委"],
        [2, "乙", "6月", "", "共青团杭州市委、各县（市、区）团委"],
        [3, "丙", "6月", "宣传部", ""],
    ])  # fmt: skip
    preview = plan_import_preview(organisation=tree.zj, filename="r.xlsx", content=content)
    plan = plan_import_commit(organisation=tree.zj, preview=preview)
    recipients = {t.seq: t.recipients for t in plan.tasks.all()}
    assert recipients["1"] == {"internal": True, "levels": ["city"], "organisations": []}
    assert recipients["2"] == {"internal": False, "levels": ["county"], "organisations": [tree.hz.pk]}
    assert recipients["3"] == {"internal": True, "levels": [], "organisations": []}
    assert set(Department.objects.filter(organisation=tree.zj).values_list("name", flat=True)) == {
        "组织部",
        "宣传部",
    }
    call_command("publish_plan", str(plan.pk), "--as-planned", stdout=StringIO())
    got = sorted(Assignment.objects.values_list("task__seq", "organisation__code", "department__name"))
    assert got == [
        ("1", "330000", "组织部"), ("1", "330100", None), ("1", "330200", None),
        ("2", "330100", None), ("2", "330106", None), ("2", "330203", None),
        ("3", "330000", "宣传部"),
    ]  # fmt: skip


def test_undated_tasks_wait_for_a_decision_in_the_browser_flow(tree):
    plan = Plan.objects.create(title="要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "持续推进"})
    task_create(plan=plan, data={"seq": "2", "title": "乙", "schedule_text": "6月"})
    rules = [Rule(None, Recipients(levels=["city"]))]
    assert "任务 1 没有时间节点" in plan_publish_preview(plan=plan, rules=rules)["problems"][0]
    with pytest.raises(ValidationError, match="没有时间节点"):
        plan_publish(plan=plan, rules=rules)
    assert not Assignment.objects.exists()
    from plans.services import tasks_make_routine

    with pytest.raises(ValidationError, match="常态化工作请选择"):
        tasks_make_routine(plan=plan, task_ids=[plan.tasks.get(seq="1").pk], frequency="milestone")
    tasks_make_routine(plan=plan, task_ids=[plan.tasks.get(seq="1").pk], frequency="quarter")
    assert plan_publish(plan=plan, rules=rules)["assignments_created"] == 4


def test_recipients_are_checked_when_set(tree, fengong):
    task = fengong.tasks.get(seq="1")
    with pytest.raises(ValidationError, match="不在发文组织"):
        recipients_set(plan=fengong, task_ids=[task.pk], recipients=Recipients(organisations=[tree.nj.pk]))
    with pytest.raises(ValidationError, match="未知的下发层级"):
        recipients_set(plan=fengong, task_ids=[task.pk], recipients=Recipients(levels=["galaxy"]))
    with pytest.raises(ValidationError, match="至少选择一种接收方"):
        recipients_set(plan=fengong, task_ids=[task.pk], recipients=Recipients())
    other = Plan.objects.create(title="另一个", organisation=tree.zj, start_year=2019, end_year=2019)
    stranger = task_create(plan=other, data={"seq": "1", "title": "外", "schedule_text": "6月"})
    with pytest.raises(ValidationError, match="不属于这个计划"):
        recipients_set(plan=fengong, task_ids=[stranger.pk], recipients=Recipients(levels=["city"]))
    recipients_set(
        plan=fengong, task_ids=[task.pk], recipients=Recipients(levels=["city"], organisations=[tree.xh.pk])
    )
    task.refresh_from_db()
    assert task.recipients == {"internal": False, "levels": ["city"], "organisations": [tree.xh.pk]}


@pytest.fixture
def chain(tree):
    """A provincial task with three milestones handed to the 团市委s; 杭州 has two counties."""
    gongshu = organisation_create(
        parent=tree.hz, name="共青团杭州市拱墅区委", org_type=OrgType.COUNTY, code="330105"
    )
    plan = Plan.objects.create(title="全省要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(
        plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "3月：摸底；6月：转接；9月：验收"}
    )
    plan_publish(plan=plan, levels=["city"])
    city = Assignment.objects.get(organisation=tree.hz)
    return city, gongshu


def test_a_city_breaks_its_assignment_down_and_the_province_sees_the_chain(chain, tree, make_user):
    city, gongshu = chain
    parts = assignment_break_down(
        assignment=city, organisations=[tree.xh, gongshu], departments=[tree.dept_hz]
    )
    assert len(parts) == 3
    for part in parts:
        assert (part.issuer_id, part.parent_id, part.depth) == (tree.hz.pk, city.pk, 1)
        assert sorted(part.milestones.values_list("due_date", flat=True)) == sorted(
            city.milestones.values_list("due_date", flat=True)
        )  # the dates the city received, never later
    # The province sees the whole chain from its own assignment's page.
    province_viewer = make_user(tree.zj, "viewer")
    below = selectors.chain(city)["below"]
    assert {a.receiver_name for a in below} == {
        "共青团杭州市西湖区委",
        "共青团杭州市拱墅区委",
        "共青团杭州市委组织部",
    }
    assert Assignment.objects.for_user(province_viewer).filter(parent=city).count() == 3
    # … and so does the city, but 宁波 does not.
    assert not Assignment.objects.for_user(make_user(tree.nb, "viewer")).filter(parent=city).exists()
    # The county reviewing is the city's: the issuer of the part.
    county_part = Assignment.objects.get(parent=city, organisation=tree.xh)
    assert (
        Assignment.objects.for_user(make_user(tree.hz, "editor"), "review").filter(pk=county_part.pk).exists()
    )
    assert (
        not Assignment.objects.for_user(make_user(tree.xh, "editor"), "review")
        .filter(pk=county_part.pk)
        .exists()
    )
    with pytest.raises(ValidationError, match="已经收到这项任务"):
        assignment_break_down(assignment=city, organisations=[tree.xh])
    with pytest.raises(ValidationError, match="不是“共青团杭州市委”的下级组织"):
        assignment_break_down(assignment=city, organisations=[tree.hs])
    with pytest.raises(ValidationError, match="不是“共青团杭州市委”的部门"):
        assignment_break_down(assignment=city, departments=[tree.dept_nb])


def test_the_parts_state_flows_up_the_chain(chain, tree):
    city, gongshu = chain
    xh_part, gs_part = assignment_break_down(assignment=city, organisations=[tree.xh, gongshu])
    refresh_statuses(today=date(2019, 2, 1))
    city.refresh_from_db()
    assert city.progress == "on_track"
    # A part late on its first milestone makes the city late, since that day.
    AssignmentMilestone.objects.filter(assignment=gs_part, milestone__order=1).update(
        due_date=date(2019, 2, 10)
    )
    refresh_statuses(today=date(2019, 2, 15))
    city.refresh_from_db()
    assert (city.progress, city.overdue_since) == ("overdue", date(2019, 2, 10))
    # Both parts complete the first milestone: the city's is complete, on the later of their dates.
    first = [(c.pk, c.milestone.order) for c in xh_part.milestones.select_related("milestone")]
    for part, day in ((xh_part, date(2019, 3, 10)), (gs_part, date(2019, 3, 20))):
        copy = part.milestones.get(milestone__order=1)
        milestones_complete(assignment=part, claims=[(copy.pk, day)], percent=40, user=None, comment="")
    city_first = city.milestones.get(milestone__order=1)
    assert (city_first.accepted_at is not None, city_first.completed_on) == (True, date(2019, 3, 20))
    assert first  # the parts had their copies
    # A withdrawn part no longer counts; a closed one counts as done.
    assignment_settle(assignment=gs_part, action="withdraw", reason="交办有误", user=None)
    refresh_statuses(today=date(2019, 7, 2))
    city.refresh_from_db()
    assert city.progress == "overdue" and city.overdue_since == date(2019, 6, 30)  # 西湖区 is late on 6月
    xh_part.refresh_from_db()
    assignment_settle(assignment=xh_part, action="close", reason="已完成", user=None)
    city.refresh_from_db()
    assert city.status == "closed"  # every milestone done by its parts: the city's is closed too


def test_closing_an_overdue_assignment_removes_it_from_every_overdue_count(chain, tree):
    city, _ = chain
    refresh_statuses(today=date(2019, 7, 15))
    before = summary("330000", "2019-07-15")
    assert before["assignments"]["overdue"] == 2 and before["milestones"]["overdue"] == 4
    assignment_settle(assignment=city, action="close", reason="经研究销号", user=None)
    after = summary("330000", "2019-07-15")
    assert after["assignments"]["overdue"] == 1 and after["assignments"]["closed"] == 1
    assert after["milestones"]["overdue"] == 2 and after["milestones"]["closed"] == 3
    children = {c["name"]: c["milestones"] for c in after["children"]}
    assert children["共青团杭州市委"]["overdue"] == 0
    city.refresh_from_db()
    assert (city.progress, city.escalation, city.overdue_since) == ("closed", "", None)
    refresh_statuses(today=date(2019, 12, 31))  # later refreshes leave it closed
    city.refresh_from_db()
    assert city.progress == "closed" and not city.milestones.filter(progress="overdue").exists()


def test_departments_own_their_work(tree, make_user):
    """A department's members report on what it received; another department's do not; the office's
    editors (no department) report on everything the organisation received."""
    school = Department.objects.create(organisation=tree.hz, name="学校部")
    plan = Plan.objects.create(title="市委要点", organisation=tree.hz, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "6月", "lead_departments": [school],
                                 "participating_departments": [tree.dept_hz]})  # fmt: skip
    plan_publish(plan=plan, rules=[Rule(None, Recipients(internal=True))])
    assignment = Assignment.objects.get()
    assert (assignment.department, list(assignment.contributors.values_list("department", flat=True))) == (
        school,
        [tree.dept_hz.pk],
    )

    def member(department, role):
        user = make_user()
        Membership.objects.create(user=user, organisation=tree.hz, role=role, department=department)
        return user

    def reports(user):
        return Assignment.objects.for_user(user, "report").filter(pk=assignment.pk).exists()

    def contributes(user):
        return (
            AssignmentContributor.objects.for_user(user, "contribute").filter(assignment=assignment).exists()
        )

    assert reports(member(school, "reporter")) and not contributes(member(school, "reporter"))
    organiser = member(tree.dept_hz, "reporter")
    assert not reports(organiser) and contributes(organiser)
    assert not reports(member(None, "reporter"))  # the organisation's reporter with no department
    assert reports(member(None, "editor")) and contributes(member(None, "editor"))  # the office
    assert not reports(member(school, "viewer"))
    assert selectors.responsible_users([(tree.hz.pk, school.pk)])[(tree.hz.pk, school.pk)] == set(
        Membership.objects.filter(department=school, role__in=["reporter", "editor", "admin"]).values_list(
            "user_id", flat=True
        )
    )
    assert Task.objects.get().recipients == {"internal": True}
