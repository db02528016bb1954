"""Editors build and fix a plan in the browser: plans, sections, tasks, live schedule parsing, history."""

from datetime import date

import pytest
from django.urls import reverse

from assignments.models import AssignmentMilestone
from assignments.publishing import plan_publish
from orgtree.models import Department
from plans.models import Milestone, Plan, PlanChange, Task
from plans.services import task_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(tree):
    return Plan.objects.create(title="2019年工作要点", organisation=tree.zj, start_year=2019, end_year=2019)


@pytest.fixture
def editor(login, tree, make_user):
    return login(make_user(tree.zj, "editor", username="zj-editor"))


def test_create_plan_with_validation(editor, tree):
    url = reverse("plans:create")
    assert editor.get(url).status_code == 200
    bad = editor.post(url, {"organisation": tree.zj.pk, "title": "", "start_year": 2021, "end_year": 2019})
    assert "这个字段是必填项" in bad.content.decode() and not Plan.objects.exists()
    backwards = editor.post(
        url, {"organisation": tree.zj.pk, "title": "计划", "start_year": 2021, "end_year": 2019}
    )
    assert "结束年度不能早于起始年度" in backwards.content.decode()
    ok = editor.post(
        url,
        {
            "organisation": tree.zj.pk,
            "title": "三年行动计划",
            "doc_number": "团浙发〔2019〕1号",
            "start_year": 2019,
            "end_year": 2021,
        },
    )
    plan = Plan.objects.get()
    assert ok.url == reverse("plans:detail", args=[plan.pk]) and plan.end_year == 2021
    dup = editor.post(
        url,
        {
            "organisation": tree.zj.pk,
            "title": "另一个",
            "doc_number": "团浙发〔2019〕1号",
            "start_year": 2019,
            "end_year": 2019,
        },
    )
    assert "已有文号" in dup.content.decode() and Plan.objects.count() == 1


def test_add_a_task_inline_and_see_its_milestones(editor, plan, tree):
    org_dept = Department.objects.create(organisation=tree.zj, name="组织部")
    form = editor.get(reverse("plans:task_new", args=[plan.pk]), **HTMX).content.decode()
    assert "<html" not in form and 'name="schedule_text"' in form
    row = editor.post(
        reverse("plans:task_new", args=[plan.pk]),
        {
            "seq": "1",
            "title": "学社衔接",
            "schedule_text": "3月底前：摸底；7-8月：集中转接",
            "lead_departments": [org_dept.pk],
        },
        **HTMX,
    ).content.decode()
    assert row.startswith('<tr id="task-') and "2019-07-01 至 2019-08-31" in row
    task = Task.objects.get()
    assert [(m.due_date, m.kind) for m in task.milestones.all()] == [
        (date(2019, 3, 31), "deadline"),
        (date(2019, 8, 31), "period"),
    ]
    assert PlanChange.objects.filter(plan=plan, action="task_create").exists()


def test_live_schedule_preview(editor, plan):
    html = editor.post(
        reverse("plans:schedule_preview", args=[plan.pk]), {"schedule_text": "10月中旬：评审"}, **HTMX
    ).content.decode()
    assert "2019-10-11 至 2019-10-20" in html and not Task.objects.exists()
    assert (
        "待确认"
        in editor.post(
            reverse("plans:schedule_preview", args=[plan.pk]), {"schedule_text": "尽快"}, **HTMX
        ).content.decode()
    )


@pytest.mark.parametrize(
    "data,message",
    [
        ({"seq": "1", "title": "重复序号"}, "已被使用"),
        ({"seq": "", "title": "无序号"}, "这个字段是必填项"),
        ({"seq": "2", "title": "长" * 301}, "不超过 300 字符"),
        ({"seq": "2", "title": "外部门", "lead_departments": ["DEPT_NB"]}, "选择一个有效的选项"),
        (
            {"seq": "2", "title": "<script>alert(1)</script>", "schedule_text": "x" * 20_001},
            "不超过 20000 字符",
        ),
    ],
)
def test_task_form_rejects_bad_input_and_writes_nothing(editor, plan, tree, data, message):
    task_create(plan=plan, data={"seq": "1", "title": "已有任务"})
    data = {k: ([tree.dept_nb.pk] if v == ["DEPT_NB"] else v) for k, v in data.items()}
    response = editor.post(reverse("plans:task_new", args=[plan.pk]), data, **HTMX)
    assert message in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Task.objects.count() == 1


def test_edit_a_published_task_keeps_receivers_dates(editor, plan, tree):
    task = task_create(
        plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "4月：摸底；10月：总结"}
    )
    plan_publish(plan=plan, levels=["city"])
    copy = AssignmentMilestone.objects.filter(assignment__organisation=tree.hz, milestone__order=1).get()
    copy.due_date = date(2019, 4, 20)  # 杭州 tightened its date
    copy.save()
    response = editor.post(
        reverse("plans:task_edit", args=[task.pk]),
        {"seq": "1", "title": "学社衔接工作", "schedule_text": "4月：摸底；9月：推进；10月：总结"},
        **HTMX,
    )
    assert response.status_code == 200 and "学社衔接工作" in response.content.decode()
    assert Milestone.objects.filter(task=task).count() == 3
    copy.refresh_from_db()
    assert copy.due_date == date(2019, 4, 20)
    # The new third milestone reached both receivers.
    assert AssignmentMilestone.objects.filter(milestone__task=task).count() == 3 * 2
    change = PlanChange.objects.filter(plan=plan, action="task_update").get()
    assert set(change.detail["changes"]) == {"项目名称", "进度安排"}
    assert (
        "修改任务 1：项目名称、进度安排"
        in editor.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    )


def test_reorder_and_delete(editor, plan):
    first = task_create(plan=plan, data={"seq": "1", "title": "甲"})
    second = task_create(plan=plan, data={"seq": "2", "title": "乙"})
    editor.post(reverse("plans:task_up", args=[second.pk]))
    assert list(plan.tasks.order_by("order").values_list("seq", flat=True)) == ["2", "1"]
    editor.post(reverse("plans:task_down", args=[second.pk]))
    assert list(plan.tasks.order_by("order").values_list("seq", flat=True)) == ["1", "2"]
    editor.post(reverse("plans:task_delete", args=[first.pk]))
    assert list(plan.tasks.values_list("seq", flat=True)) == ["2"]
    plan_publish(plan=plan, levels=["city"], routine_undated=True)
    refused = editor.post(reverse("plans:task_delete", args=[second.pk]), follow=True)
    assert "任务已经下发，不能删除" in refused.content.decode() and plan.tasks.count() == 1


def test_sections(editor, plan):
    editor.post(reverse("plans:section_add", args=[plan.pk]), {"title": "一、强基达标工程"})
    assert plan.sections.get().title == "一、强基达标工程"
    empty = editor.post(reverse("plans:section_add", args=[plan.pk]), {"title": " "}, follow=True)
    assert "请填写章节标题" in empty.content.decode() and plan.sections.count() == 1


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_only_editors_edit(login, tree, make_user, plan, role):
    task = task_create(plan=plan, data={"seq": "1", "title": "甲"})
    client = login(make_user(tree.zj, role))
    assert client.get(reverse("plans:task_edit", args=[task.pk])).status_code == 403
    assert (
        client.post(reverse("plans:task_edit", args=[task.pk]), {"seq": "1", "title": "改"}).status_code
        == 403
    )
    assert (
        client.post(reverse("plans:task_new", args=[plan.pk]), {"seq": "2", "title": "新"}).status_code == 403
    )
    assert client.get(reverse("plans:task_row", args=[task.pk])).status_code == 200
    assert list(Task.objects.values_list("title", flat=True)) == ["甲"]


def test_edit_plan_heading_and_period_rereads_schedules(editor, plan):
    task = task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "3月：启动"})
    url = reverse("plans:edit", args=[plan.pk])
    bad = editor.post(url, {"title": "2019年工作要点", "start_year": 2020, "end_year": 2019})
    assert "结束年度不能早于起始年度" in bad.content.decode()
    editor.post(
        url,
        {"title": "2020年工作要点", "doc_number": "团浙发〔2020〕2号", "start_year": 2020, "end_year": 2020},
    )
    plan.refresh_from_db()
    assert (plan.title, plan.start_year) == ("2020年工作要点", 2020)
    assert task.milestones.get().due_date == date(2020, 3, 31)
    assert PlanChange.objects.filter(plan=plan, action="plan_update").exists()


def test_a_school_year_plan_is_set_in_the_form_and_kept_on_reopening(editor, plan):
    task = task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "3月：评选；12月：总结"})
    url = reverse("plans:edit", args=[plan.pk])
    base = {"title": "2024—2025学年工作要点", "start_year": 2024}
    for end_year in (2024, 2026):  # a school year is two calendar years, one after the other
        bad = editor.post(url, {**base, "end_year": end_year, "by_school_year": "on"})
        assert "按学年的计划，结束年度应是起始年度的下一年" in bad.content.decode()
    plan.refresh_from_db()
    assert (plan.start_year, plan.school_year) == (2019, None)
    editor.post(url, {**base, "end_year": 2025, "by_school_year": "on"})
    plan.refresh_from_db()
    assert (plan.start_year, plan.end_year, plan.school_year, plan.period_label) == (
        2024,
        2025,
        2024,
        "2024—2025 学年",
    )
    assert [m.due_date for m in task.milestones.order_by("order")] == [date(2025, 3, 31), date(2024, 12, 31)]
    reopened = editor.get(url).content.decode()
    assert (
        'name="by_school_year"' in reopened and "checked" in reopened.split('name="by_school_year"')[1][:80]
    )
    editor.post(url, {**base, "end_year": 2025})  # unticked: bare months are no longer placed
    plan.refresh_from_db()
    assert plan.school_year is None and task.milestones.get(order=1).due_date is None


def test_give_a_review_milestone_a_date_inline(editor, plan, tree):
    task = task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "尽快完成"})
    plan_publish(plan=plan, levels=["city"], routine_undated=True)
    milestone = task.milestones.get()
    assert milestone.kind == "review"
    url = reverse("plans:milestone_edit", args=[milestone.pk])
    assert 'type="date"' in editor.get(url, **HTMX).content.decode()
    wrong = editor.post(url, {"start": "2019-06-01", "due": "2019-05-01"}, **HTMX)
    assert "开始日期不能晚于完成时限" in wrong.content.decode() and "HX-Retarget" not in wrong
    far = editor.post(url, {"due": "2030-01-01"}, **HTMX)
    assert "应在计划期" in far.content.decode()
    ok = editor.post(url, {"due": "2019-06-30"}, **HTMX)
    assert ok["HX-Retarget"] == f"#task-{task.pk}" and "截至 2019-06-30" in ok.content.decode()
    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.kind) == (date(2019, 6, 30), "deadline")
    assert set(
        AssignmentMilestone.objects.filter(milestone=milestone).values_list("due_date", flat=True)
    ) == {date(2019, 6, 30)}
