"""The publish page: recipients set for chosen tasks and shown again on reopening, the decision for
undated tasks, the preview, hostile input refused with nothing written; the breakdown page."""

import pytest
from django.urls import reverse

from assignments.models import Assignment
from assignments.publishing import plan_publish
from plans.models import Plan, Task
from plans.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(tree):
    plan = Plan.objects.create(title="省委要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月"})
    task_create(plan=plan, data={"seq": "2", "title": "青年大学习", "schedule_text": "持续推进"})
    task_create(plan=plan, data={"seq": "3", "title": "机关建设", "schedule_text": "9月",
                                 "lead_departments": [_department(tree)]})  # fmt: skip
    return plan


def _department(tree):
    from orgtree.models import Department

    return Department.objects.create(organisation=tree.zj, name="组织部")


def test_an_editor_sets_recipients_decides_undated_tasks_and_publishes(plan, tree, login, make_user):
    client = login(make_user(tree.zj, "editor"))
    url = reverse("assignments:publish", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "本单位 组织部（牵头）" in page  # task 3 has a 牵头部门: by default its own
    assert "没有时间节点的任务（1 项）" in page
    first, second, third = plan.tasks.order_by("order")
    response = client.post(url, {"action": "assign", "tasks": [first.pk, second.pk], "levels": ["city"],
                                 "codes": "330106"}, follow=True)  # fmt: skip
    assert "已为 2 项任务设置接收方" in response.content.decode()
    reopened = client.get(url).content.decode()
    assert reopened.count("团市委、共青团杭州市西湖区委") == 2  # kept on the tasks, shown again
    assert "任务 2 没有时间节点" in reopened and "disabled" in reopened  # publishing waits for the decision
    client.post(url, {"action": "routine", "tasks": [second.pk], "frequency": "quarter"})
    second.refresh_from_db()
    assert (second.routine, second.report_frequency) == (True, "quarter")
    preview = client.get(url).content.decode()
    assert "将新建交办 7 项" in preview  # tasks 1 and 2 to 杭州, 宁波 and 西湖区; task 3 to 组织部
    done = client.post(url, {"action": "publish"}, follow=True)
    assert "已下发：新建交办 7 项" in done.content.decode()
    got = sorted(Assignment.objects.values_list("task__seq", "organisation__code", "department__name"),
                 key=str)  # fmt: skip
    assert got == sorted([("1", "330100", None), ("1", "330106", None), ("1", "330200", None),
                          ("2", "330100", None), ("2", "330106", None), ("2", "330200", None),
                          ("3", "330000", "组织部")], key=str)  # fmt: skip


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "assign", "levels": ["city"]}, "请勾选要设置接收方的任务"),
        ({"action": "assign", "tasks": ["TASK"]}, "请至少选择一种接收方"),
        ({"action": "assign", "tasks": ["TASK"], "levels": ["moon"]}, "选择一个有效的选项"),
        ({"action": "assign", "tasks": ["TASK"], "codes": "320100"}, "在发文组织的下级中找不到：320100"),
        ({"action": "assign", "tasks": ["TASK"], "codes": "<script>"}, "在发文组织的下级中找不到"),
        ({"action": "assign", "tasks": ["999999"], "levels": ["city"]}, "选择一个有效的选项"),
        ({"action": "routine", "tasks": ["TASK"], "frequency": "milestone"}, "选择一个有效的选项"),
        ({"action": "publish"}, "没有时间节点"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(plan, tree, login, make_user, data, message):
    client = login(make_user(tree.zj, "editor"))
    task = plan.tasks.get(seq="2")
    data = {
        k: [str(task.pk) if x == "TASK" else x for x in v] if isinstance(v, list) else v
        for k, v in data.items()
    }
    if data["action"] == "publish":
        client.post(reverse("assignments:publish", args=[plan.pk]), {"action": "assign", "tasks": [task.pk],
                                                                      "levels": ["city"]})  # fmt: skip
    before = list(Task.objects.order_by("pk").values_list("recipients", "routine"))
    response = client.post(reverse("assignments:publish", args=[plan.pk]), data, follow=True)
    assert message in response.content.decode()
    assert list(Task.objects.order_by("pk").values_list("recipients", "routine")) == before
    assert not Assignment.objects.exists()


def test_breaking_down_in_the_browser(tree, login, make_user):
    plan = Plan.objects.create(title="省委要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月"})
    plan_publish(plan=plan, levels=["city"])
    city = Assignment.objects.get(organisation=tree.hz)
    client = login(make_user(tree.hz, "editor"))
    url = reverse("reporting:break_down", args=[city.pk])
    page = client.get(url).content.decode()
    assert "共青团杭州市西湖区委" in page and "组织部" in page and "宁波" not in page
    refused = client.post(url, {}).content.decode()
    assert "请至少选择一个下级组织或本单位部门" in refused
    foreign = client.post(url, {"organisations": [tree.hs.pk]}).content.decode()
    assert "选择一个有效的选项" in foreign and not city.children.exists()
    done = client.post(url, {"organisations": [tree.xh.pk], "departments": [tree.dept_hz.pk]}, follow=True)
    assert "已分解交办给 2 个承办方" in done.content.decode()
    assert sorted(city.children.values_list("organisation__code", "department__name")) == [
        ("330100", "组织部"), ("330106", None),
    ]  # fmt: skip
    assert "交办链条" in done.content.decode() and "共青团杭州市委组织部" in done.content.decode()
    again = client.get(url).content.decode()
    assert (
        f'value="{tree.xh.pk}"' not in again and f'value="{tree.dept_hz.pk}"' not in again
    )  # not offered twice
    assert "已分解给" in again
    province = login(make_user(tree.zj, "viewer")).get(reverse("reporting:assignment", args=[city.pk]))
    assert "共青团杭州市西湖区委" in province.content.decode()  # the province sees the chain
