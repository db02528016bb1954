"""The 时间轴: a plan's tasks and an organisation's (or a department's) assignments by date, markers coloured
by state, the 督办单 level, links to the items; scoped (another subtree answers 404); a list for phones."""

import json
from datetime import date

import pytest
from django.urls import reverse

from assignments.models import Assignment
from assignments.publishing import Recipients, Rule, plan_publish
from plans.models import Plan
from plans.services import task_create
from supervision.status import refresh_statuses

pytestmark = pytest.mark.django_db
DAY = date(2019, 7, 15)


@pytest.fixture
def plan(tree):
    plan = Plan.objects.create(title="2019年全省要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月：转接；12月：验收"})
    task_create(plan=plan, data={"seq": "2", "title": "青年大学习", "schedule_text": "持续推进"})
    plan_publish(plan=plan, levels=["city", "county"], routine_undated=True)
    own = Plan.objects.create(title="杭州机关要点", organisation=tree.hz, start_year=2019, end_year=2019)
    office = task_create(plan=own, data={"seq": "1", "title": "机关党建", "schedule_text": "5月：自查",
                                         "lead_departments": [tree.dept_hz]})  # fmt: skip
    plan_publish(plan=own, rules=[Rule([office.pk], Recipients(internal=True))])
    refresh_statuses(today=DAY)
    return plan


def _chart(response):
    return json.loads(response.content.decode().split('id="timeline-data" type="application/json">')[1]
                      .split("</script>")[0])  # fmt: skip


def test_an_organisations_timeline_shows_its_assignments_by_date(plan, tree, make_user, login):
    client = login(make_user(tree.hz, "viewer"))
    response = client.get(f"{reverse('supervision:timeline')}?org={tree.hz.pk}")
    rows = _chart(response)["rows"]
    labels = [row["label"] for row in rows]
    assert labels[:2] == ["1. 学社衔接", "2. 青年大学习"] and "1. 机关党建（组织部）" in labels
    first = rows[0]
    assert (first["start"], first["end"]) == ("2019-06-01", "2019-12-31")
    assert [(m["date"], m["state"]) for m in first["markers"]] == [
        ("2019-06-30", "overdue"),
        ("2019-12-31", "on_track"),
    ]
    assert first["level"] == "yellow" and first["level_label"] == "黄牌督办"  # 15 days overdue
    own = Assignment.objects.get(organisation=tree.hz, task__seq="1", plan=plan)
    assert first["url"] == reverse("reporting:assignment", args=[own.pk])
    assert rows[1]["markers"][0]["state"] == "ongoing" and rows[1]["start"] is None
    page = response.content.decode()
    assert "echarts.min.js" in page and 'class="card timeline-list"' in page  # the phone's list is there too
    # One department's work only.
    only = _chart(
        client.get(f"{reverse('supervision:timeline')}?org={tree.hz.pk}&department={tree.dept_hz.pk}")
    )
    assert [row["label"] for row in only["rows"]] == ["1. 机关党建（组织部）"]


def test_a_plans_timeline_colours_each_milestone_by_its_worst_copy(plan, tree, make_user, login):
    client = login(make_user(tree.zj, "viewer"))
    rows = _chart(client.get(f"{reverse('supervision:timeline')}?plan={plan.pk}"))["rows"]
    assert [row["label"] for row in rows] == ["1. 学社衔接", "2. 青年大学习"]
    june = rows[0]["markers"][0]
    assert june["state"] == "overdue" and "已逾期 4" in june["detail"]  # 杭州, 西湖, 宁波, 海曙
    assert rows[0]["url"] == f"{reverse('plans:detail', args=[plan.pk])}#task-{plan.tasks.get(seq='1').pk}"


def test_another_subtree_answers_404(plan, tree, make_user, login):
    client = login(make_user(tree.js, "editor"))
    assert client.get(f"{reverse('supervision:timeline')}?plan={plan.pk}").status_code == 404
    assert client.get(f"{reverse('supervision:timeline')}?org={tree.hz.pk}").status_code == 404
    hz = login(make_user(tree.hz, "viewer"))
    assert (
        hz.get(f"{reverse('supervision:timeline')}?org={tree.hz.pk}&department={tree.dept_nb.pk}").status_code
        == 404
    )


@pytest.mark.parametrize("query", ["plan=abc", "org=-1", "department=<b>", "plan=99999999999999999999"])
def test_hostile_parameters_fall_back_or_answer_404(plan, tree, make_user, login, query):
    response = login(make_user(tree.hz, "viewer")).get(f"{reverse('supervision:timeline')}?{query}")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.context["org"] == tree.hz


def test_an_empty_organisation_says_so(tree, make_user, login):
    page = login(make_user(tree.nb, "viewer")).get(reverse("supervision:timeline")).content.decode()
    assert "还没有收到交办任务" in page


def test_the_timeline_takes_few_queries(plan, tree, make_user, login, django_assert_max_num_queries):
    client = login(make_user(tree.hz, "viewer"))
    with django_assert_max_num_queries(14):
        client.get(f"{reverse('supervision:timeline')}?org={tree.hz.pk}")
