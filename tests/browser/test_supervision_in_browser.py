"""The 督办 cycle in a real browser: recipients chosen per task and published; a city breaks its task down
and the province sees the chain; 催办 and the 督办单; an extension asked after the deadline."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from .conftest import CHROMIUM, log_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def log_out(page):
    page.click("form[action='/logout/'] button")


def _provincial_plan(tree):
    from orgtree.models import Department
    from plans.models import Plan
    from plans.services import task_create

    plan = Plan.objects.create(title="2019年全省要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月：转接"})
    task_create(plan=plan, data={"seq": "2", "title": "青年大学习", "schedule_text": "持续推进"})
    task_create(plan=plan, data={"seq": "3", "title": "机关党建", "schedule_text": "9月：验收",
                                 "lead_departments": [Department.objects.create(organisation=tree.zj, name="办公室")]})  # fmt: skip
    return plan


def _published(build_tree):
    """The provincial plan sent to the cities, and 杭州's assignment of task 1 (due 30 June 2019)."""
    from assignments.models import Assignment
    from assignments.publishing import plan_publish

    tree = build_tree()
    plan = _provincial_plan(tree)
    plan_publish(plan=plan, levels=["city"], routine_undated=True)
    return tree, plan, Assignment.objects.get(organisation=tree.hz, task__seq="1")


def test_an_editor_chooses_recipients_per_task_and_publishes(page, live_server, build_tree, make_user):
    from assignments.models import Assignment

    tree = build_tree()
    plan = _provincial_plan(tree)
    make_user(tree.zj, "editor", username="zj-editor")
    log_in(page, live_server, "zj-editor")
    page.goto(f"{live_server.url}/plans/{plan.pk}/publish/")
    page.wait_for_selector("text=本单位 办公室（牵头）")  # task 3's 牵头部门, from the start
    first, second = plan.tasks.order_by("order")[:2]
    page.check(f"input[name=tasks][value='{first.pk}']")
    page.check(f"input[name=tasks][value='{second.pk}']")
    page.check("input[name=levels][value=city]")
    page.click("button:has-text('为勾选的任务设置接收方')")
    page.wait_for_selector("text=已为 2 项任务设置接收方")
    assert page.locator("td:has-text('团市委')").count() == 2  # kept, shown again on the reopened page
    assert page.locator("button:has-text('确认下发')").is_disabled()  # task 2 has no date yet
    page.check(f".card input[name=tasks][value='{second.pk}']:not([form])")
    page.select_option("select[name=frequency]", "quarter")
    page.click("button:has-text('标为常态化')")
    page.wait_for_selector("text=已将 1 项任务标为常态化")
    page.wait_for_selector("text=将新建交办 5 项")  # 2 tasks × 2 cities + task 3 to 办公室
    page.click("button:has-text('确认下发')")
    page.wait_for_selector("text=已下发：新建交办 5 项")
    assert sorted(Assignment.objects.values_list("task__seq", "organisation__code", "department__name"), key=str) == sorted(
        [("1", "330100", None), ("1", "330200", None), ("2", "330100", None), ("2", "330200", None),
         ("3", "330000", "办公室")], key=str
    )  # fmt: skip


def test_a_city_breaks_down_and_the_province_sees_the_chain(page, live_server, build_tree, make_user):

    tree, plan, city = _published(build_tree)
    make_user(tree.hz, "editor", username="hz-editor")
    make_user(tree.zj, "viewer", username="zj-viewer")
    log_in(page, live_server, "hz-editor")
    page.goto(f"{live_server.url}/plans/assignments/{city.pk}/")
    page.click("a:has-text('分解交办')")
    page.check("label:has-text('共青团杭州市西湖区委') input")
    page.check("label:has-text('组织部') input")
    page.click("button:has-text('确认交办')")
    page.wait_for_selector("text=已分解交办给 2 个承办方")
    page.wait_for_selector("text=交办链条")
    log_out(page)
    log_in(page, live_server, "zj-viewer")
    page.goto(f"{live_server.url}/plans/assignments/{city.pk}/")
    chain = page.locator(".chain").inner_text()
    assert "共青团杭州市西湖区委" in chain and "共青团杭州市委组织部" in chain


def test_urging_then_the_red_card(page, live_server, build_tree, make_user):
    from supervision.reminders import send_reminders
    from supervision.status import refresh_statuses

    tree, plan, assignment = _published(build_tree)
    make_user(tree.zj, "editor", username="zj-editor")
    make_user(tree.hz, "reporter", username="hz-reporter")
    log_in(page, live_server, "zj-editor")
    page.goto(f"{live_server.url}/plans/assignments/{assignment.pk}/")
    page.click("summary:has-text('催办')")
    page.fill("input[name=comment]", "请本周报送")
    page.click("button:has-text('发出催办')")
    page.wait_for_selector("text=已催办")
    page.wait_for_selector(".timeline :text('请本周报送')")
    refresh_statuses(today=date(2019, 8, 5))  # 36 days past 30 June
    send_reminders(today=date(2019, 8, 5))
    log_out(page)
    log_in(page, live_server, "hz-reporter")
    page.goto(f"{live_server.url}/plans/assignments/{assignment.pk}/")
    page.wait_for_selector("h1 :text('红牌督办')")
    page.wait_for_selector("text=自 2019-06-30 起逾期")
    page.goto(f"{live_server.url}/plans/notifications/")
    listing = page.locator("main").inner_text()
    assert "【催办】学社衔接" in listing and "【红牌督办】学社衔接" in listing


def test_an_extension_asked_after_the_deadline(page, live_server, build_tree, make_user):
    from assignments.models import ExtensionRequest

    tree, plan, assignment = _published(build_tree)
    make_user(tree.hz, "reporter", username="hz-reporter")
    make_user(tree.zj, "editor", username="zj-editor")
    later = timezone.localdate() + timedelta(days=30)
    log_in(page, live_server, "hz-reporter")
    page.goto(f"{live_server.url}/plans/assignments/{assignment.pk}/")
    page.click("summary:has-text('申请延期（已逾期）')")
    page.fill("input[name=requested_due]", later.isoformat())
    page.fill("input[name=reason]", "经费到位较晚")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=延期申请已提交")
    log_out(page)
    log_in(page, live_server, "zj-editor")
    page.goto(f"{live_server.url}/plans/review/")
    row = page.locator("tr:has-text('经费到位较晚')")
    assert "逾期后申请" in row.inner_text()
    row.locator("a").click()
    decision = page.locator("form[action*='/decide/']")
    decision.locator("input[name=comment]").fill("同意")
    decision.locator("button:has-text('同意')").first.click()
    page.wait_for_selector("text=已同意延期")
    assert ExtensionRequest.objects.get().status == "approved"
    assert assignment.milestones.get().due_date == later


PHONE = {"width": 390, "height": 844}


def test_the_supervision_pages_fit_a_phone(page, live_server, build_tree, make_user, shot):
    """At phone width nothing of the 督办 pages runs off the side (a picture of each is kept)."""
    from assignments.services import assignment_break_down
    from orgtree.models import Department

    tree, plan, city = _published(build_tree)
    editor = make_user(tree.hz, "editor", username="hz-editor")
    make_user(tree.zj, "editor", username="zj-editor")
    department = Department.objects.create(organisation=tree.hz, name="学校部")
    assignment_break_down(assignment=city, organisations=[tree.xh], departments=[department], user=editor)
    page.set_viewport_size(PHONE)
    pages = {
        "zj-editor": [f"/plans/{plan.pk}/publish/", f"/plans/assignments/{city.pk}/", "/plans/review/",
                      "/plans/dashboard/", "/plans/overdue/", "/plans/overdue/?tab=completed"],
        "hz-editor": [f"/plans/assignments/{city.pk}/break-down/", "/plans/my/"],
    }  # fmt: skip
    for username, paths in pages.items():
        log_in(page, live_server, username)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            shot(page, f"{username}{re.sub(r'[^a-z0-9]+', '-', path)}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a phone"
        log_out(page)
