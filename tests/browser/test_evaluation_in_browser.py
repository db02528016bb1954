"""A leader in a real browser: from the 时间轴 to an item, then the 通报 — read, downloaded as Word, issued by
the province and found by the city it names; the 考核 scheme saved and reopened; the phone's list."""

import io
from datetime import date

import pytest

from .conftest import CHROMIUM, log_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def scene(build_tree, make_user):
    from assignments.publishing import plan_publish
    from plans.models import Plan
    from plans.services import task_create
    from supervision.status import refresh_statuses

    tree = build_tree()
    plan = Plan.objects.create(title="2019年全省要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月：转接；12月：验收"})
    plan_publish(plan=plan, levels=["city", "county"])
    refresh_statuses(today=date(2019, 7, 15))
    make_user(tree.hz, "viewer", username="hz-leader")
    make_user(tree.zj, "editor", username="zj-editor")
    return tree


def test_a_leader_goes_from_the_timeline_to_an_item_and_downloads_the_bulletin(
    page, live_server, scene, shot
):
    from docx import Document

    from assignments.models import Assignment

    log_in(page, live_server, "hz-leader")
    page.click("nav.tabs a:has-text('时间轴')")
    page.wait_for_selector("h1:has-text('时间轴：共青团杭州市委收到的任务')")
    page.wait_for_selector("#timeline-chart canvas")
    page.click("button[data-zoom=all]")
    shot(page, "1-timeline")
    # Click the first milestone's dot where the chart drew it.
    x, y = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById('timeline-chart'));
            const dot = chart.getOption().series[1].data[0].value;
            return chart.convertToPixel({seriesIndex: 1}, dot);
        }"""
    )
    box = page.locator("#timeline-chart").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    own = Assignment.objects.get(organisation=scene.hz)
    page.wait_for_url(f"**/plans/assignments/{own.pk}/")
    shot(page, "2-item")
    page.click("header nav a:has-text('通报考核')")
    page.click("a:has-text('生成通报')")
    page.select_option("select[name=period]", "2019")
    page.click("button:has-text('生成')")
    page.wait_for_selector("h2:has-text('共青团杭州市委关于2019年重点任务推进情况的通报')")
    assert "共青团杭州市西湖区委" in page.locator("table.bulletin").first.inner_text()
    shot(page, "3-bulletin")
    with page.expect_download() as download:
        page.click("a:has-text('下载 Word 通报')")
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    assert [row.cells[1].text for row in document.tables[0].rows[1:]] == ["共青团杭州市西湖区委"]


def test_the_province_issues_a_bulletin_the_city_finds_and_a_scheme_reopens(page, live_server, scene, shot):
    log_in(page, live_server, "zj-editor")
    page.goto(f"{live_server.url}/evaluation/bulletin/?org={scene.zj.pk}&period=2019")
    page.fill("input[name=doc_number]", "团浙办〔2019〕20号")
    page.click("button:has-text('发布通报')")
    page.wait_for_selector("text=被通报单位可以查看")
    shot(page, "1-issued")
    page.goto(f"{live_server.url}/evaluation/assessment/scheme/?org={scene.zj.pk}&year=2019")
    page.fill("input[name=on_time]", "60")
    page.fill("input[name=per_overdue]", "99")
    page.click("button:has-text('保存方案')")
    page.wait_for_selector("text=“逾期未完成”应在 0—20 之间")
    page.fill("input[name=per_overdue]", "1.5")
    page.click("button:has-text('用 2018 年数据预览')")
    page.wait_for_selector("h2:has-text('预览')")
    page.click("button:has-text('保存方案')")
    page.wait_for_selector("text=考核方案已保存")
    shot(page, "2-assessment")
    page.click("a:has-text('编辑考核方案')")
    assert page.input_value("input[name=on_time]") == "60"
    assert page.input_value("input[name=per_overdue]") == "1.5"
    page.context.clear_cookies()
    log_in(page, live_server, "hz-leader")
    page.goto(f"{live_server.url}/evaluation/bulletins/")
    page.click("a:has-text('共青团浙江省委关于2019年重点任务推进情况的通报')")
    page.wait_for_selector("text=团浙办〔2019〕20号")
    shot(page, "3-named-city")


def test_on_a_phone_the_timeline_is_a_list(page, live_server, scene, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "hz-leader")
    page.goto(f"{live_server.url}/plans/timeline/?org={scene.hz.pk}")
    assert not page.locator(".timeline-card").is_visible()
    assert page.locator(".timeline-list").is_visible()
    shot(page, "1-timeline")
    page.click(".timeline-list a:has-text('学社衔接')")
    page.wait_for_url("**/plans/assignments/*/")
    page.goto(f"{live_server.url}/evaluation/bulletin/?org={scene.hz.pk}&period=2019")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(page, "2-bulletin")
    page.goto(f"{live_server.url}/evaluation/assessment/?org={scene.hz.pk}&year=2019")
    page.click("summary:has-text('查看计分')")
    assert page.locator("ul.items li").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(page, "3-assessment")
    page.context.clear_cookies()
    log_in(page, live_server, "zj-editor")
    page.goto(f"{live_server.url}/evaluation/assessment/scheme/?org={scene.zj.pk}&year=2020")
    page.click("button:has-text('用 2019 年数据预览')")
    page.wait_for_selector("h2:has-text('预览')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot(page, "4-scheme")
