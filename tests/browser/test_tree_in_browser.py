"""A city admin in a real browser: lazy tree expansion (htmx) and moving a township with the picker."""

import pytest

from .conftest import CHROMIUM, log_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_admin_expands_the_tree_lazily_and_moves_a_street(page, live_server, build_tree, make_user):
    from orgtree.models import Organisation
    from orgtree.services import organisation_create

    tree = build_tree()
    gongshu = organisation_create(
        parent=tree.hz, name="共青团杭州市拱墅区委", org_type="county", code="330105"
    )
    make_user(tree.hz, "admin", username="hz-admin")
    log_in(page, live_server, "hz-admin")
    page.goto(f"{live_server.url}/orgs/")  # admins land on the dashboard

    assert page.locator("text=共青团杭州市西湖区委").count() == 0  # children are not in the first page
    page.click("summary:has-text('共青团杭州市委')")
    page.wait_for_selector("text=共青团杭州市西湖区委")
    page.click("summary:has-text('共青团杭州市西湖区委')")
    page.wait_for_selector("text=北山街道团工委")
    assert "宁波" not in page.content()

    page.goto(f"{live_server.url}/orgs/{tree.bs.pk}/move/")
    page.fill("input[name=q]", "拱墅")
    page.click(f"[data-pick-id='{gongshu.pk}']")
    assert page.locator(".pick-label").inner_text() == "共青团杭州市拱墅区委（330105）"
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已将“北山街道团工委”调整到“共青团杭州市拱墅区委”之下")
    assert Organisation.objects.get(pk=tree.bs.pk).parent_id == gongshu.pk


def test_editor_fixes_a_task_inline_with_live_parsing(page, live_server, build_tree, make_user):
    from plans.models import Plan, Task
    from plans.services import task_create

    tree = build_tree()
    plan = Plan.objects.create(title="2019年工作要点", organisation=tree.zj, start_year=2019, end_year=2019)
    task = task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "4月：摸底"})
    make_user(tree.zj, "editor", username="zj-editor")
    log_in(page, live_server, "zj-editor")

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.click(f"#task-{task.pk} button:has-text('编辑')")
    page.fill(f"#task-{task.pk} textarea[name=schedule_text]", "4月：摸底；10月中旬：评审")
    page.wait_for_selector(f"#parsed-{task.pk} :text('2019-10-11 至 2019-10-20')")  # parsed as typed
    page.click(f"#task-{task.pk} button:has-text('保存')")
    page.wait_for_selector(f"#task-{task.pk}:not(.editing) :text('2019-10-11 至 2019-10-20')")
    assert page.url.endswith(f"/plans/{plan.pk}/")  # no full page reload
    assert Task.objects.get(pk=task.pk).milestones.count() == 2


def test_county_enters_figures_and_the_city_sees_the_charts(page, live_server, build_tree, make_user):
    import json

    from django.conf import settings

    from indicators.definitions import load_indicators
    from indicators.models import Indicator, Value
    from indicators.services import target_set

    tree = build_tree()
    spec = settings.BASE_DIR / "fixtures" / "indicators" / "indicators.json"
    load_indicators(json.loads(spec.read_text(encoding="utf-8")))
    xueshe = Indicator.objects.get(code="xueshe")
    target_set(
        indicator=xueshe, organisation=tree.zj, year=2019, applies_to="subtree", comparison="gte", value=50
    )
    make_user(tree.xh, "reporter", username="xh-reporter")
    make_user(tree.hz, "viewer", username="hz-viewer")

    log_in(page, live_server, "xh-reporter")
    page.goto(f"{live_server.url}/indicators/entry/{tree.xh.pk}/?period=2019")
    page.get_by_label(f"{tree.xh.name} {xueshe.name} 分子", exact=True).fill("45")
    page.get_by_label(f"{tree.xh.name} {xueshe.name} 分母", exact=True).fill("60")
    page.click("form.entry-form button[type=submit]")
    page.wait_for_selector("text=已保存：新增 1 项")
    assert Value.objects.get(indicator=xueshe).value == 75

    page.click("form[action='/logout/'] button")
    log_in(page, live_server, "hz-viewer")
    page.goto(f"{live_server.url}/indicators/{xueshe.pk}/orgs/{tree.hz.pk}/?period=2019")
    page.wait_for_selector("#chart-years canvas")  # ECharts drew from our own static files
    page.wait_for_selector("#chart-children canvas")
    headline = page.locator(".headline").inner_text()
    assert "75.0%" in headline and "45 / 60" in headline and "达标" in headline
