"""A leader's Monday in a real browser: from the national 督办看板 down to a county's overdue item, 催办 it,
and download the 督办清单."""

import io
from datetime import date

import openpyxl
import pytest

from .conftest import CHROMIUM, log_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_a_leader_walks_from_the_country_to_a_county_item_urges_it_and_downloads_the_list(
    page, live_server, build_tree, make_user, shot
):
    from assignments.models import Assignment, AssignmentEvent
    from assignments.publishing import plan_publish
    from orgtree.models import OrgType
    from orgtree.services import organisation_create
    from plans.models import Plan
    from plans.services import task_create
    from supervision.status import refresh_statuses

    tree = build_tree()
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code=None)
    plan = Plan.objects.create(title="2019年全省要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "6月：转接"})
    plan_publish(plan=plan, levels=["city", "county"])
    refresh_statuses(today=date(2019, 7, 15))
    make_user(central, "admin", username="zy-leader")
    make_user(tree.xh, "reporter", username="xh-reporter", first_name="小西")

    log_in(page, live_server, "zy-leader")
    page.wait_for_selector("h1:has-text('督办看板：共青团中央')")
    shot(page, "1-country")
    page.click("table.dashboard a:has-text('共青团浙江省委')")
    page.wait_for_selector("h1:has-text('督办看板：共青团浙江省委')")
    shot(page, "2-province")
    page.click("table.dashboard a:has-text('共青团杭州市委')")
    page.wait_for_selector("h1:has-text('督办看板：共青团杭州市委')")
    page.click("table.dashboard a:has-text('共青团杭州市西湖区委')")
    page.wait_for_selector("h1:has-text('督办看板：共青团杭州市西湖区委')")
    assert (
        "共青团中央 / 共青团浙江省委 / 共青团杭州市委" in page.locator("nav.crumbs").inner_text()
    )  # back up
    shot(page, "3-county")
    page.click("a.stat:has-text('已逾期')")
    page.wait_for_selector("h1:has-text('督办清单：共青团杭州市西湖区委')")
    row = page.locator("table.items tbody tr").first
    assert "6月：转接" in row.inner_text() and "小西" in row.inner_text() and "黄牌督办" in row.inner_text()
    shot(page, "4-list")
    row.locator("input[name=pick]").check()
    page.fill("input[name=comment]", "请本周内报送进度")
    page.click("button:has-text('催办勾选的事项')")
    page.wait_for_selector("text=已催办 1 项")
    shot(page, "5-urged")
    county = Assignment.objects.get(organisation=tree.xh)
    assert AssignmentEvent.objects.filter(
        assignment=county, kind="reminded", comment="请本周内报送进度"
    ).exists()
    with page.expect_download() as download:
        page.click("a:has-text('导出 Excel')")
    content = download.value.path().read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[7]) for r in rows] == [("共青团杭州市西湖区委", "6月：转接")]
