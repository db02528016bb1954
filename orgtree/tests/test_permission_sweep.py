"""For every URL and every role: another subtree's objects answer 404/403 and leak no names.

A new URL pattern fails test_every_pattern_is_swept until it is given its objects here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from indicators.models import Target, Value, ValueImport
from orgtree.models import Membership

pytestmark = pytest.mark.django_db

SWEPT_NAMESPACES = {"orgtree", "plans", "indicators"}
ROLES = ["admin", "editor", "reporter", "viewer"]


def project_patterns(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from project_patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace in SWEPT_NAMESPACES:
            yield f"{namespace}:{entry.name}", list(entry.pattern.regex.groupindex)


def foreign_kwargs(tree):
    """For each pattern, the kwargs naming an object of the 宁波 subtree (a sibling of 杭州)."""
    foreign_member = Membership.objects.create(
        user=__import__("django.contrib.auth")
        .contrib.auth.get_user_model()
        .objects.create_user("nb-someone"),
        organisation=tree.nb,
        role="viewer",
    )
    from django.utils import timezone

    from plans.models import (
        Assignment,
        AssignmentMilestone,
        ExtensionRequest,
        Milestone,
        Plan,
        PlanImport,
        ProgressReport,
        Task,
    )

    plan = Plan.objects.create(title="宁波计划", organisation=tree.nb, start_year=2019, end_year=2019)
    task = Task.objects.create(plan=plan, organisation=tree.nb, seq="1", title="宁波计划任务", order=1)
    staged = PlanImport.objects.create(
        organisation=tree.nb,
        filename="宁波计划.xlsx",
        sha256="0" * 64,
        content=b"",
        preview={"title": "宁波计划"},
    )
    by_model = {
        "organisation": {"pk": tree.nb.pk},
        "membership": {"pk": foreign_member.pk},
        "plan": {"pk": plan.pk},
        "plan_import": {"pk": staged.pk},
        "task": {"pk": task.pk},
        "assignment": {
            "pk": (
                assignment := Assignment.objects.create(
                    plan=plan, task=task, organisation=tree.hs, created_at=timezone.now()
                )
            ).pk
        },
        "report": {
            "pk": ProgressReport.objects.create(
                assignment=assignment, period="2019-05", status="submitted"
            ).pk
        },
        "copy": {
            "pk": (
                copy := AssignmentMilestone.objects.create(
                    assignment=assignment,
                    milestone=Milestone.objects.create(task=task, raw="6月：宁波", kind="period"),
                    due_date="2019-06-30",
                )
            ).pk
        },
        "attachment": {"pk": _attachment(ProgressReport.objects.get(assignment=assignment)).pk},
        "extension": {
            "pk": ExtensionRequest.objects.create(
                copy=copy, original_due="2019-06-30", requested_due="2019-07-31", reason="宁波理由"
            ).pk
        },
        "milestone": {"pk": Milestone.objects.create(task=task, raw="3月：宁波", kind="period").pk},
    }
    indicator = _indicator()
    by_model["indicator_at_nb"] = {"pk": indicator.pk, "org": tree.nb.pk}
    by_model["nb_org"] = {"org": tree.nb.pk}
    by_model["target"] = {
        "pk": Target.objects.create(indicator=indicator, year=2019, organisation=tree.nb, value=50).pk
    }
    by_model["value_import"] = {
        "pk": ValueImport.objects.create(
            organisation=tree.nb, filename="宁波指标.xlsx", sha256="0" * 64, content=b"", preview={}
        ).pk
    }
    return {
        "orgtree:tree": {},
        "orgtree:pick": {},
        "orgtree:detail": by_model["organisation"],
        "orgtree:children": by_model["organisation"],
        "orgtree:create_child": by_model["organisation"],
        "orgtree:edit": by_model["organisation"],
        "orgtree:move": by_model["organisation"],
        "orgtree:merge": by_model["organisation"],
        "orgtree:dissolve": by_model["organisation"],
        "orgtree:department_add": by_model["organisation"],
        "orgtree:member_add": by_model["organisation"],
        "orgtree:member_remove": by_model["membership"],
        "plans:list": {},
        "plans:my": {},
        "plans:dashboard": {},
        "plans:notifications": {},
        "plans:review_queue": {},
        "plans:assignment": by_model["assignment"],
        "plans:report": by_model["assignment"],
        "plans:report_review": by_model["report"],
        "plans:receive": by_model["assignment"],
        "plans:settle": by_model["assignment"],
        "plans:extension_request": by_model["copy"],
        "plans:extension_decide": by_model["extension"],
        "plans:attachment_upload": by_model["report"],
        "plans:attachment": by_model["attachment"],
        "plans:create": {},
        "plans:section_add": by_model["plan"],
        "plans:task_new": by_model["plan"],
        "plans:schedule_preview": by_model["plan"],
        "plans:task_row": by_model["task"],
        "plans:task_edit": by_model["task"],
        "plans:task_up": by_model["task"],
        "plans:task_down": by_model["task"],
        "plans:task_delete": by_model["task"],
        "plans:detail": by_model["plan"],
        "plans:export": by_model["plan"],
        "plans:edit": by_model["plan"],
        "plans:milestone_edit": by_model["milestone"],
        "plans:publish": by_model["plan"],
        "plans:publish_preview": by_model["plan"],
        "plans:import": {},
        "plans:import_preview": by_model["plan_import"],
        "plans:import_confirm": by_model["plan_import"],
        "indicators:list": {},
        "indicators:detail": by_model["indicator_at_nb"],
        "indicators:target_add": by_model["indicator_at_nb"],
        "indicators:target_delete": by_model["target"],
        "indicators:entry_start": {},
        "indicators:entry": by_model["nb_org"],
        "indicators:template": by_model["nb_org"],
        "indicators:import": {},
        "indicators:import_preview": by_model["value_import"],
        "indicators:import_confirm": by_model["value_import"],
    }


def _indicator():
    from indicators.models import Indicator

    return Indicator.objects.create(
        code="xueshe", name="学社衔接率", frequency="year", reporting_level="county"
    )


def _attachment(report):
    from django.core.files.base import ContentFile

    from plans.models import ReportAttachment

    attachment = ReportAttachment(report=report, name="宁波证明.pdf", size=9, kind="pdf")
    attachment.file.save("sweep.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return attachment


FOREIGN_NAMES = ["宁波", "海曙", "nb-someone", "宁波学校部", "宁波计划"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_every_pattern_is_swept(tree):
    known = foreign_kwargs(tree)
    missing = [name for name, _ in project_patterns() if name not in known]
    assert not missing, f"add these URL patterns to the permission sweep: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_sibling_subtree_is_invisible_to_every_role(tree, make_user, client, role):
    user = make_user(tree.hz, role)
    client.force_login(user)
    for name, kwargs in foreign_kwargs(tree).items():
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            # Searches and pickers look for the foreign subtree by its code prefix.
            data = {
                "q": "3302", "name": "新组织", "new_parent": tree.nb.pk, "target": tree.nb.pk,
                "organisation": tree.nb.pk, "title": "新计划", "seq": "9", "start_year": 2019, "end_year": 2019,
                "schedule_text": "3月：宁波",
            }  # fmt: skip
            response = getattr(client, method)(url, data)
            body = response.content.decode()
            if kwargs:
                assert response.status_code in (403, 404, 405), (name, method, response.status_code)
            else:
                # Pages about one's own data (lists, "mark all read") may answer or redirect.
                assert response.status_code in (200, 302, 403, 405), (name, method, response.status_code)
            for foreign in FOREIGN_NAMES:
                assert foreign not in body, (name, method, foreign)
    # Nothing was written in the sibling subtree.
    tree.nb.refresh_from_db()
    assert tree.nb.is_active and tree.nb.get_children().count() == 1
    assert Membership.objects.filter(organisation=tree.nb).count() == 1
    from plans.models import Plan, PlanImport, Task

    assert Plan.objects.filter(organisation=tree.nb).count() == 1 and Plan.objects.count() == 1
    assert list(Task.objects.values_list("title", flat=True)) == ["宁波计划任务"]
    assert not PlanImport.objects.filter(confirmed_at__isnull=False).exists()
    from plans.models import ProgressReport

    assert list(ProgressReport.objects.values_list("status", "percent")) == [("submitted", 0)]
    from plans.models import Assignment, ExtensionRequest

    assert list(ExtensionRequest.objects.values_list("status", flat=True)) == ["pending"]
    assert list(Assignment.objects.values_list("status", flat=True)) == ["assigned"]
    assert not Assignment.objects.get().events.exists()
    assert list(Target.objects.values_list("organisation", "value")) == [(tree.nb.pk, 50)]
    assert not Value.objects.exists() and not ValueImport.objects.filter(confirmed_at__isnull=False).exists()


def test_anonymous_users_are_sent_to_login(tree, client):
    for name, kwargs in foreign_kwargs(tree).items():
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            assert response.status_code == 302, (name, method)
            assert response.url.startswith(reverse("login")), (name, method)
