"""Every visible form control on the main pages has a label a screen reader can announce: a <label for=…>
naming its id, a <label> around it, or aria-label / aria-labelledby."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}  # buttons carry their own text


class Controls(HTMLParser):
    """The page's form controls, the ids its <label for> point at (with their text), and for each
    control whether a <label> with text wraps it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls = []  # [attrs, label wrapping it (a dict) or None]
        self.labels_for = {}  # id → label text
        self.open_labels = []  # label dicts: {"for": ..., "text": ...}

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "label":
            self.open_labels.append({"for": attrs.get("for", ""), "text": ""})
        elif tag in CONTROLS:
            self.controls.append([tag, attrs, self.open_labels[-1] if self.open_labels else None])

    def handle_endtag(self, tag):
        if tag == "label" and self.open_labels:
            label = self.open_labels.pop()
            if label["for"]:
                self.labels_for[label["for"]] = self.labels_for.get(label["for"], "") + label["text"]

    def handle_data(self, data):
        for label in self.open_labels:
            label["text"] += data

    def unlabelled(self) -> list[str]:
        missing = []
        for tag, attrs, wrapper in self.controls:
            if tag == "input" and attrs.get("type", "text").lower() in UNLABELLED_TYPES:
                continue
            if "hidden" in attrs:
                continue
            if attrs.get("aria-label", "").strip() or attrs.get("aria-labelledby", "").strip():
                continue
            if wrapper is not None and wrapper["text"].strip():
                continue
            if attrs.get("id") and self.labels_for.get(attrs["id"], "").strip():
                continue
            shown = " ".join(f'{k}="{v}"' for k, v in attrs.items() if k in ("name", "type", "id"))
            missing.append(f"<{tag} {shown}>")
        return missing


def unlabelled_controls(html: str) -> list[str]:
    parser = Controls()
    parser.feed(html)
    parser.close()
    return parser.unlabelled()


def test_the_checker_finds_what_it_should():
    assert unlabelled_controls(
        '<input name="a"><select name="b"></select><textarea name="c"></textarea>'
    ) == [
        '<input name="a">',
        '<select name="b">',
        '<textarea name="c">',
    ]
    labelled = (
        '<label>名称 <input name="a"></label><label for="b">期间</label><input id="b" name="b">'
        '<input name="c" aria-label="搜索"><input type="hidden" name="d"><input type="submit" value="保存">'
        '<select name="e" aria-labelledby="x"></select><label for="f">说明</label><textarea id="f"></textarea>'
    )
    assert unlabelled_controls(labelled) == []
    # An empty label, or one pointing at another id, labels nothing.
    assert unlabelled_controls('<label for="x"></label><input id="x"><label for="y">甲</label><input id="z">')


@pytest.fixture
def broad_user(world, make_user):
    """Office and reporting roles on both sides of 杭州 → 西湖区: every form of every page shows."""
    from orgtree.models import Membership

    tree = world.tree
    user = make_user(tree.hz, "admin", username="broad")
    for org, role in ((tree.hz, "editor"), (tree.xh, "editor"), (tree.xh, "reporter")):
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def test_every_control_of_the_main_pages_has_a_label(client, world, broad_user):
    own, tree = world.own, world.tree
    client.force_login(broad_user)
    pages = [
        reverse("supervision:dashboard"),
        reverse("reporting:my"),
        reverse("reporting:review_queue"),
        reverse("plans:list"),
        reverse("plans:detail", args=[own.plan.pk]),
        reverse("assignments:publish", args=[own.plan.pk]),
        reverse("reporting:assignment", args=[own.assignment.pk]),
        reverse("reporting:assignment", args=[own.internal_assignment.pk]),
        reverse("reporting:report", args=[own.assignment.pk]),
        reverse("reporting:break_down", args=[own.assignment.pk]),
        reverse("indicators:list"),
        reverse("indicators:detail", args=[world.indicator.pk, tree.hz.pk]),
        reverse("indicators:entry", args=[tree.xh.pk]),
        reverse("orgtree:tree"),
        reverse("orgtree:tree") + "?q=西湖",
        reverse("orgtree:detail", args=[tree.hz.pk]),
        reverse("orgtree:move", args=[tree.bs.pk]),
        reverse("notifications:list"),
        # The forms behind the main pages (some are htmx fragments: their labels travel with them).
        reverse("plans:create"),
        reverse("plans:edit", args=[own.plan.pk]),
        reverse("plans:task_new", args=[own.plan.pk]),
        reverse("plans:task_edit", args=[own.task.pk]),
        reverse("plans:milestone_edit", args=[own.milestone.pk]),
        reverse("plans:import"),
        reverse("plans:import_preview", args=[own.plan_import.pk]),
        reverse("indicators:import"),
        reverse("indicators:import_preview", args=[own.value_import.pk]),
        reverse("orgtree:create_child", args=[tree.hz.pk]),
        reverse("orgtree:edit", args=[tree.xh.pk]),
        reverse("orgtree:merge", args=[tree.bs.pk]),
        reverse("orgtree:dissolve", args=[tree.bs.pk]),
        reverse("orgtree:member_add", args=[tree.hz.pk]),
    ]
    missing = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = unlabelled_controls(response.content.decode())
        if found:
            missing[url] = found
    assert not missing, "\n".join(f"{url}: {', '.join(found)}" for url, found in missing.items())


def test_the_login_page_labels_its_fields(client):
    assert unlabelled_controls(client.get(reverse("login")).content.decode()) == []
