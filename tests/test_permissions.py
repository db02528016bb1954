"""The permission sweep: every URL pattern, every role, the sibling subtree's objects — 404/403, no names
leaked, nothing written; anonymous users go to the login page. Its positive half (each role can do what it
should on its own subtree) is the inherited ScopedViewTest classes in each app's test_permissions.py;
a new URL pattern fails test_every_pattern_is_swept until it has both."""

import importlib
from urllib.parse import parse_qsl

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.scoped_views import FOREIGN_NAMES, ROLES, ScopedViewTest

pytestmark = pytest.mark.django_db

SWEPT_NAMESPACES = {
    "orgtree",
    "plans",
    "assignments",
    "reporting",
    "supervision",
    "notifications",
    "indicators",
    "evaluation",
}


def project_patterns(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from project_patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace in SWEPT_NAMESPACES:
            yield f"{namespace}:{entry.name}", list(entry.pattern.regex.groupindex)


def positive_tests() -> dict[str, type]:
    for app in SWEPT_NAMESPACES:
        try:
            importlib.import_module(f"{apps.get_app_config(app).name}.tests.test_permissions")
        except ModuleNotFoundError:
            continue
    found = {}
    stack = list(ScopedViewTest.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        # Where a pattern has several tests, the sweep takes one that names an object.
        if cls.url_name and (cls.url_name not in found or cls.obj is not None):
            found[cls.url_name] = cls
    return found


def foreign_urls(world) -> dict[str, str]:
    """Each pattern's URL naming an object of the 宁波 subtree (a sibling of 杭州)."""
    return {name: cls().url(world, "foreign") for name, cls in positive_tests().items()}


def test_every_pattern_is_swept(world):
    known = positive_tests()
    missing = [name for name, _ in project_patterns() if name not in known]
    assert not missing, (
        f"give these URL patterns a ScopedViewTest in their app's test_permissions.py: {missing}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_sibling_subtree_is_invisible_to_every_role(world, make_user, client, role):
    tree = world.tree
    client.force_login(make_user(tree.hz, role))
    for name, cls in positive_tests().items():
        url = cls().url(world, "foreign")
        for method in ("get", "post"):
            # Searches and pickers look for the foreign subtree by its code prefix.
            data = {
                "q": "3302", "name": "新组织", "new_parent": tree.nb.pk, "target": tree.nb.pk,
                "organisation": tree.nb.pk, "title": "新计划", "seq": "9", "start_year": 2019, "end_year": 2019,
                "schedule_text": "3月：宁波", "decision": "accept", "action": "close", "reason": "越权",
                "comment": "越权", "percent": 100, "stage": "done", "version": 1,
                "levels": ["county"],
            }  # fmt: skip
            path, _, query = url.partition("?")  # a query string in the URL names the object: keep it
            response = getattr(client, method)(
                f"{path}?{query}" if method == "post" else path, {**data, **dict(parse_qsl(query))}
            )
            body = response.content.decode()
            if cls.obj is not None:
                assert response.status_code in (403, 404, 405), (name, method, response.status_code)
            else:
                # Pages about one's own data (lists, "mark all read") may answer or redirect.
                assert response.status_code in (200, 302, 403, 405), (name, method, response.status_code)
            for foreign in FOREIGN_NAMES:
                assert foreign not in body, (name, method, foreign)
    _nothing_written_in_ningbo(world)


def _nothing_written_in_ningbo(world):
    from assignments.models import Assignment, ExtensionRequest
    from indicators.models import Target, Value, ValueImport
    from orgtree.models import Membership
    from plans.models import Plan, PlanImport, Task
    from reporting.models import ProgressReport

    tree, foreign = world.tree, world.foreign
    tree.nb.refresh_from_db()
    assert tree.nb.is_active and tree.nb.get_children().count() == 1
    assert Membership.objects.filter(organisation=tree.nb).count() == 1
    assert Plan.objects.filter(organisation=tree.nb).count() == 1 and Plan.objects.count() == 2
    assert Task.objects.filter(plan=foreign.plan).count() == 2 and foreign.plan.sections.count() == 0
    assert not PlanImport.objects.filter(confirmed_at__isnull=False).exists()
    reports = ProgressReport.objects.filter(assignment=foreign.assignment).order_by("period")
    assert list(reports.values_list("status", "percent")) == [("draft", 5), ("submitted", 10)]
    assert not foreign.draft_report.attachments.exists()
    assert list(ExtensionRequest.objects.values_list("status", flat=True)) == ["pending", "pending"]
    assert set(Assignment.objects.values_list("status", flat=True)) == {"assigned"}
    assert set(foreign.assignment.events.values_list("kind", flat=True)) == {
        "assigned",
        "reported",
        "extended",
    }
    assert not foreign.assignment.children.exists()  # not broken down from outside
    from reporting.models import Contribution

    assert not Contribution.objects.exists()
    assert not foreign.internal_assignment.events.exclude(kind="assigned").exists()  # nor urged
    assert list(Target.objects.filter(organisation=tree.nb).values_list("value", flat=True)) == [50]
    assert not Value.objects.exists() and not ValueImport.objects.filter(confirmed_at__isnull=False).exists()
    from evaluation.models import Bulletin, ScoringScheme

    # Bulletins the sweep itself made to name in URLs have no issuer; none was issued from outside.
    assert not Bulletin.objects.filter(organisation=tree.nb, issued_by__isnull=False).exists()
    assert not ScoringScheme.objects.filter(organisation=tree.nb).exists()


def test_anonymous_users_are_sent_to_login(world, client):
    for name, url in foreign_urls(world).items():
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            assert response.status_code == 302, (name, method)
            assert response.url.startswith(reverse("login")), (name, method)
