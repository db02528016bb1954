"""计划任务 for a receiver: a county with no plan of its own sees the plans handed to it, and an empty
state that is true."""

import pytest
from django.urls import reverse

from assignments.publishing import plan_publish
from plans.models import Plan
from plans.services import task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(tree):
    """杭州 hands fifteen tasks to its counties (西湖区); 宁波 keeps a plan to itself."""
    plan = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    for seq in range(1, 16):
        task_create(
            plan=plan, data={"seq": str(seq), "title": f"任务{seq}", "schedule_text": "10月底前：完成"}
        )
    plan_publish(plan=plan, levels=["county"])
    Plan.objects.create(title="宁波2019年工作要点", organisation=tree.nb, start_year=2019, end_year=2019)
    return plan


@pytest.mark.parametrize("role", ["admin", "editor", "reporter", "viewer"])
def test_a_county_sees_the_plans_it_received(login, tree, make_user, received, role):
    body = login(make_user(tree.xh, role)).get(reverse("plans:list")).content.decode()
    assert "还没有计划" not in body
    assert "收到的计划" in body and "杭州2019年工作要点" in body and "共青团杭州市委" in body
    assert "交办本单位及下级 15 项" in body
    assert "宁波" not in body


def test_a_city_sees_its_own_plan_once(login, tree, make_user, received):
    body = login(make_user(tree.hz, "editor")).get(reverse("plans:list")).content.decode()
    assert body.count("杭州2019年工作要点") == 1 and "收到的计划" not in body


def test_the_empty_state_is_true(login, tree, make_user, received):
    body = login(make_user(tree.hs, "viewer")).get(reverse("plans:list")).content.decode()
    assert "还没有计划" in body and "收到的计划" not in body and "杭州" not in body


def test_filters_apply_to_received_plans(login, tree, make_user, received):
    client = login(make_user(tree.xh, "viewer"))
    found = client.get(reverse("plans:list"), {"q": "工作要点", "year": 2019}).content.decode()
    assert "杭州2019年工作要点" in found
    missed = client.get(reverse("plans:list"), {"year": 2020}).content.decode()
    assert "杭州2019年工作要点" not in missed and "没有符合条件的计划" in missed
    hostile = client.get(reverse("plans:list"), {"q": "<script>alert(1)</script>", "year": "abc"})
    assert hostile.status_code == 200 and "<script>alert" not in hostile.content.decode()


def test_the_received_list_costs_the_same_for_more_plans(login, tree, make_user, received):
    from tests.test_page_queries import MAX_QUERIES, cost

    client = login(make_user(tree.xh, "viewer"))
    small = cost(client, reverse("plans:list"))
    for i in range(5):
        plan = Plan.objects.create(title=f"计划{i}", organisation=tree.zj, start_year=2019, end_year=2019)
        task_create(plan=plan, data={"seq": "1", "title": "任务", "schedule_text": "9月：完成"})
        plan_publish(plan=plan, levels=["county"])
    assert cost(client, reverse("plans:list")) == small <= MAX_QUERIES
