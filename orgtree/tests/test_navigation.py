"""Navigation by role: each role lands on its work after login and at "/", and the top menu shows exactly
the sections it can use, each of which answers 200."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgtree.models import Membership
from orgtree.selectors import SECTIONS, landing_url_name, user_menu

pytestmark = pytest.mark.django_db

DASHBOARD, MY, REVIEW, PLANS, INDICATORS, EVALUATION, TREE = (
    "督办看板", "我的任务", "待审核", "计划任务", "指标", "通报考核", "组织机构"
)  # fmt: skip
ALL = [DASHBOARD, MY, REVIEW, PLANS, INDICATORS, EVALUATION, TREE]

# Role(s) held (organisation, role), the menu it gets and where it lands. 西湖区 receives assignments;
# 杭州 issues them; admins may also report for their own organisation (ACTIONS["report"]).
CASES = {
    "reporter": ([("xh", "reporter")], [MY, INDICATORS], "reporting:my"),
    "editor": ([("hz", "editor")], [DASHBOARD, MY, REVIEW, PLANS, INDICATORS, EVALUATION], "reporting:review_queue"),
    "viewer": ([("zj", "viewer")], [DASHBOARD, PLANS, INDICATORS, EVALUATION, TREE], "supervision:dashboard"),
    "admin": ([("hz", "admin")], ALL, "supervision:dashboard"),
    # Several roles: the menu is the union, the landing that of the highest role.
    "reporter+editor": ([("xh", "reporter"), ("hz", "editor")], [DASHBOARD, MY, REVIEW, PLANS, INDICATORS, EVALUATION],
                        "reporting:review_queue"),
    "editor+viewer": ([("hz", "editor"), ("zj", "viewer")], ALL, "supervision:dashboard"),
    "reporter+viewer": ([("xh", "reporter"), ("hz", "viewer")], [DASHBOARD, MY, PLANS, INDICATORS, EVALUATION, TREE],
                        "supervision:dashboard"),
    "nobody": ([], [], "orgtree:tree"),
}  # fmt: skip


class MenuLinks(HTMLParser):
    """The links of <nav class="mainnav">, as (href, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.in_nav, self.href = [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "mainnav" in (attrs.get("class") or "").split():
            self.in_nav = True
        elif tag == "a" and self.in_nav:
            self.href = attrs.get("href")
            self.links.append([self.href, ""])

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_nav = False
        elif tag == "a":
            self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.links[-1][1] += data.strip()


def menu_of(html: str) -> list[tuple[str, str]]:
    parser = MenuLinks()
    parser.feed(html)
    return [tuple(link) for link in parser.links]


@pytest.fixture
def user_for(tree, make_user):
    def make(case):
        held, _, _ = CASES[case]
        user = make_user(username=case.replace("+", "-"))
        for org, role in held:
            Membership.objects.create(user=user, organisation=getattr(tree, org), role=role)
        return user

    return make


@pytest.mark.parametrize("case", CASES)
def test_login_and_home_land_on_the_roles_work(client, user_for, case):
    user_for(case)
    landing = reverse(CASES[case][2])
    response = client.post(reverse("login"), {"username": case.replace("+", "-"), "password": "Tuanjian-test-2026"},
                           follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == landing and response.status_code == 200
    home = client.get("/")
    assert home.status_code == 302 and home.url == landing


def test_an_explicit_next_still_wins_over_the_landing(client, user_for):
    user_for("reporter")
    wanted = reverse("notifications:list")
    response = client.post(f"{reverse('login')}?next={wanted}",
                           {"username": "reporter", "password": "Tuanjian-test-2026", "next": wanted})  # fmt: skip
    assert response.status_code == 302 and response.url == wanted


def test_anonymous_home_asks_for_a_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("case", CASES)
def test_the_menu_shows_exactly_the_usable_sections_and_each_answers_200(client, user_for, case):
    client.force_login(user_for(case))
    _, labels, landing = CASES[case]
    page = client.get(reverse(landing))
    assert page.status_code == 200
    links = menu_of(page.content.decode())
    assert [text for _, text in links] == labels
    by_label = {section.label: reverse(section.url_name) for section in SECTIONS}
    assert [href for href, _ in links] == [by_label[label] for label in labels]
    for href, text in links:
        assert client.get(href).status_code == 200, (case, text)
    # Where a role lands is always in its own menu (or, with no role, the page that says to ask for one).
    assert landing in {section.url_name for section in user_menu(page.wsgi_request.user)} or not labels


def test_a_reporter_sees_no_office_links(client, user_for):
    client.force_login(user_for("reporter"))
    body = client.get(reverse("reporting:my")).content.decode()
    hrefs = [href for href, _ in menu_of(body)]
    for hidden in ("orgtree:tree", "reporting:review_queue", "plans:list", "supervision:dashboard"):
        assert reverse(hidden) not in hrefs
    # The bell and the logout form stay whatever the role.
    assert reverse("notifications:list") in body and 'action="/logout/"' in body


def test_a_superuser_sees_every_section_and_lands_on_the_dashboard(client, make_user, tree):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="Tuanjian-test-2026")
    assert landing_url_name(root) == "supervision:dashboard"
    client.force_login(root)
    assert client.get("/").url == reverse("supervision:dashboard")
    links = menu_of(client.get(reverse("supervision:dashboard")).content.decode())
    assert [text for _, text in links] == ALL
    for href, text in links:
        assert client.get(href).status_code == 200, text


def test_the_current_section_is_marked(client, user_for):
    client.force_login(user_for("editor"))
    body = client.get(reverse("plans:list")).content.decode()
    assert f'<a href="{reverse("plans:list")}" aria-current="page">计划任务</a>' in body
    assert body.count('aria-current="page"') == 1


def test_the_menu_reads_the_roles_once_and_only_when_shown(client, user_for, rf):
    from orgtree.context_processors import navigation

    user = user_for("admin")
    client.force_login(user)
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("notifications:list")).status_code == 200
    reads = [q["sql"] for q in page.captured_queries if 'FROM "orgtree_membership"' in q["sql"]]
    assert len(reads) == 1, reads
    # The processor itself asks nothing (an htmx fragment never shows the menu); the menu, once.
    request = rf.get("/")
    request.user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as lazy:
        context = navigation(request)
    assert lazy.captured_queries == []
    with CaptureQueriesContext(connection) as shown:
        first, again = context["nav_menu"](), context["nav_menu"]()
    assert len(shown.captured_queries) == 1 and first is again and len(first) == len(ALL)
