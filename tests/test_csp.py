"""The Content-Security-Policy (issue 13): every page says it, and no page needs what it forbids — no
inline script, no on…= handler, no style attribute, in the templates or in what the pages render."""

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_permissions import positive_tests

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = ("core", "orgtree", "notifications", "plans", "indicators", "assignments", "reporting",
                "supervision", "tuanjian")  # fmt: skip


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


class InlineCode(HTMLParser):
    """What the policy would refuse: script elements without src (other than JSON data blocks), on…=
    handler attributes, style attributes and elements, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append(f"<script> without src: {attrs}")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value!r}")
            if name == "style":
                self.found.append(f"{tag} style={value!r}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag} {name}={value!r}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_policy():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["default-src"] == directives["script-src"] == directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["form-action"] == ["'self'"]
    everything = " ".join(" ".join(v) for v in directives.values())
    assert "'unsafe-inline'" not in everything and "'unsafe-eval'" not in everything and "*" not in everything


def test_the_inline_code_finder_finds_it():
    """Hostile markup: each of these would run (or style) inline and is caught."""
    for html in [
        "<script>alert(1)</script>", "<SCRIPT type='text/javascript'>x()</SCRIPT>", "<img src=x onerror=alert(1)>",
        '<body ONLOAD="x()">', '<a href=" JavaScript:alert(1)">', '<li style="color:red">', "<style>p{}</style>",
        '<form onsubmit="return confirm(1)">', '<select onchange="location.href=this.value">',
    ]:  # fmt: skip
        assert inline_code(html), html
    for html in ['<script src="/static/js/app.js" defer></script>', '<script id="d" type="application/json">{"a": 1}</script>',
                 '<form data-confirm="确定？">', '<select data-navigate-query="?period=2019">']:  # fmt: skip
        assert not inline_code(html), html


def test_no_template_has_inline_code():
    dirs = [ROOT / "templates"] + [ROOT / app / "templates" for app in PROJECT_APPS]
    templates = [p for d in dirs if d.is_dir() for p in d.rglob("*.html")]
    assert len(templates) > 40
    offending = {}
    for path in templates:
        text = path.read_text(encoding="utf-8")
        # Template tags can hide an attribute from the parser ({% if %}onclick=…{% endif %}): look at the text too.
        found = inline_code(re.sub(r"{%.*?%}|{{.*?}}", "x", text))
        found += re.findall(r"""\son[a-z]+\s*=|\sstyle\s*=|javascript:""", text, re.I)
        if found:
            offending[str(path.relative_to(ROOT))] = found
    assert not offending


def _pages(world, make_user):
    """Every page of the swept URL patterns (tests.test_permissions) that a GET shows, with a user allowed
    to see it, and the project's other pages."""
    for name, cls in sorted(positive_tests().items()):
        test = cls()
        if test.method != "get" or not test.allowed:
            continue
        role = "admin" if "admin" in test.allowed else sorted(test.allowed)[0]
        yield name, test.url(world, "own"), make_user(getattr(world.own, test.member), role)
    admin = make_user(world.tree.hz, "admin")
    for name in ("home", "password_change", "password_change_done"):
        yield name, reverse(name), admin


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_needs_no_inline_code(world, client, make_user):
    checked = []
    for name, url, user in _pages(world, make_user):
        client.force_login(user)
        response = client.get(url, follow=True)
        assert response.status_code in (200, 204), (name, url, response.status_code)
        directives = policy(response)
        if not response["Content-Type"].startswith("text/html"):
            # A download may carry a stricter policy of its own (attachments: nothing runs at all).
            assert directives.get("script-src") == ["'self'"] or directives["default-src"] == ["'none'"], name
            continue
        assert directives["script-src"] == ["'self'"], (name, url)
        found = inline_code(response.content.decode())
        assert not found, (name, url, found)
        checked.append(name)
    # The pages' HTMX fragments are covered too (the tree's children, the task form, the pickers …).
    assert len(checked) > 25, checked
    assert {
        "indicators:detail",
        "indicators:entry",
        "orgtree:detail",
        "reporting:assignment",
        "plans:task_new",
    } <= set(checked)


@pytest.mark.django_db
def test_the_pages_nobody_is_signed_in_for(client):
    for url in (reverse("login"), reverse("password_reset"), reverse("password_reset_done"),
                reverse("password_reset_complete"), "/django-admin/login/", "/no-such-page/"):  # fmt: skip
        response = client.get(url)
        assert "default-src 'self'" in response["Content-Security-Policy"], url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert not inline_code(response.content.decode()), url


@pytest.mark.django_db
def test_the_indicator_page_hands_its_chart_data_to_static_script(world, client, make_user):
    """ECharts comes from our static files; its data is a JSON block, never executed."""
    client.force_login(make_user(world.tree.hz, "viewer"))
    url = reverse("indicators:detail", kwargs={"pk": world.indicator.pk, "org": world.tree.hz.pk})
    page = client.get(url).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert any('src="/static/vendor/echarts.min.js"' in s for s in scripts)
    assert any('src="/static/js/indicators.js"' in s for s in scripts)
    assert '<script id="chart-data" type="application/json">' in page


def test_the_admin_exports_one_inline_handler_allowed_by_its_hash():
    """django-import-export's export page has onchange="onSelectToggleChange(event)"; the policy allows
    exactly that code ('unsafe-hashes' plus its hash), so the admin's 全选 still works and nothing else
    inline does."""
    import import_export

    template = Path(import_export.__file__).parent / "templates" / "admin" / "import_export" / "export.html"
    handlers = re.findall(r'\son[a-z]+="([^"]*)"', template.read_text(encoding="utf-8"))
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src-attr"]
    for code in handlers:
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, code
    assert len(allowed) == len(handlers) + 1  # 'unsafe-hashes' and those hashes, nothing more
