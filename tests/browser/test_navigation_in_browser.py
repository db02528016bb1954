"""The top bar in a real browser at phone width: each role lands on its work, the bar stays compact (no
characters stacked one per line, nothing wider than the phone), and its menu links can be followed."""

from datetime import date

import pytest

from .conftest import CHROMIUM, log_in

pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# username: (organisation, role, landing path, menu labels)
ROLES = {
    "xh-reporter": ("xh", "reporter", "/plans/my/", ["我的任务", "指标"]),
    "hz-editor": ("hz", "editor", "/plans/review/", ["督办看板", "我的任务", "待审核", "计划任务", "指标", "通报考核"]),
    "zj-viewer": ("zj", "viewer", "/plans/dashboard/", ["督办看板", "计划任务", "指标", "通报考核", "组织机构"]),
    "hz-admin-with-a-long-name": ("hz", "admin", "/plans/dashboard/",
                                  ["督办看板", "我的任务", "待审核", "计划任务", "指标", "通报考核", "组织机构"]),
}  # fmt: skip

# Every box in the bar: none may be taller than one line (a stacked word is several lines tall).
BAR_BOXES = """() => [...document.querySelectorAll('.topbar .brand, .topbar nav a, .usermenu > *')].map(
  el => ({text: el.innerText, height: el.getBoundingClientRect().height, right: el.getBoundingClientRect().right}))"""


def test_each_role_lands_on_its_work_and_the_bar_fits_a_phone(page, live_server, build_tree, make_user, shot):
    from notifications.models import Notification

    tree = build_tree()
    for username, (org, role, _, _) in ROLES.items():
        user = make_user(getattr(tree, org), role, username=username)
        Notification.objects.create(
            recipient=user, key=f"test:{username}", day=date(2019, 6, 1), title="【催办】学社衔接"
        )
    page.set_viewport_size(PHONE)
    for username, (_, _, landing, labels) in ROLES.items():
        log_in(page, live_server, username)
        assert page.url == f"{live_server.url}{landing}", username
        assert page.locator("nav.mainnav a").all_inner_texts() == labels, username
        shot(page, f"nav-{username}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{username}: the page is {overflow}px wider than a phone"
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] < 120, f"{username}: the bar is {header['height']}px tall"
        for box in page.evaluate(BAR_BOXES):
            assert box["height"] < 40, f"{username}: {box['text']!r} wraps ({box['height']}px tall)"
            assert box["right"] <= PHONE["width"] + 1, f"{username}: {box['text']!r} runs off the side"
        assert page.locator(".bell .badge").inner_text() == "1"
        # The menu's last section (scrolled to if the row is wider than the phone) opens and is marked.
        last = page.locator("nav.mainnav a").last
        target = last.get_attribute("href")
        last.click()
        page.wait_for_url(f"{live_server.url}{target}")
        assert page.locator("nav.mainnav a[aria-current=page]").inner_text() == labels[-1]
        page.click("form[action='/logout/'] button")
        page.wait_for_url(f"{live_server.url}/login/")

    # On a desktop the bar is one row.
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "hz-admin-with-a-long-name")
    assert page.locator("header.topbar").bounding_box()["height"] < 60
    shot(page, "nav-desktop-admin")
