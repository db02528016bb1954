"""Inherited permission tests for every page, in the manner of NetBox's view test cases.

`build_world` gives two sibling subtrees with the same objects: 杭州 ("own") issues a plan to its county
西湖区, 宁波 ("foreign") to 海曙区. A test class per URL pattern inherits `ScopedViewTest` and names the
pattern, the object it acts on, the roles that may use it and where they hold them; the base class then
checks, for each role, that the allowed ones succeed on their own subtree's object, that the others are
refused (403), and that nobody reaches the sibling's (404).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

ROLES = ("admin", "editor", "reporter", "viewer")
OFFICE = frozenset({"admin", "editor"})
ANYONE = frozenset(ROLES)
REPORTERS = frozenset({"admin", "editor", "reporter"})


def _side(tree, city, county, department, prefix: str, indicator) -> SimpleNamespace:
    from django.contrib.auth import get_user_model

    from assignments.models import Assignment
    from assignments.publishing import Recipients, Rule, plan_publish
    from assignments.services import extension_request_create
    from indicators.models import Target, ValueImport
    from orgtree.models import Department, Membership
    from plans.models import Plan, PlanImport
    from plans.services import task_create
    from reporting.models import ReportAttachment
    from reporting.services import report_save

    plan = Plan.objects.create(title=f"{prefix}计划", organisation=city, start_year=2019, end_year=2019)
    data = {
        "seq": "1",
        "title": f"{prefix}计划任务",
        "schedule_text": f"6月：{prefix}",
        "lead_departments": [department],
    }
    task = task_create(plan=plan, data=data)
    plan_publish(plan=plan, levels=["county"])
    assignment = Assignment.objects.get(plan=plan, organisation=county)
    # A task of the city's own office: its 牵头部门 answers for it, a 参与部门 contributes.
    helper = Department.objects.create(organisation=city, name=f"{prefix}宣传部")
    office_task = task_create(plan=plan, data={
        "seq": "2", "title": f"{prefix}机关任务", "schedule_text": "9月：完成", "lead_departments": [department],
        "participating_departments": [helper],
    })  # fmt: skip
    plan_publish(plan=plan, rules=[Rule([office_task.pk], Recipients(internal=True))])
    internal = Assignment.objects.get(task=office_task, department=department)
    item = assignment.milestones.get()
    draft = report_save(
        assignment=assignment, period="2019-04", data={"percent": 5}, user=None, version=0, submit=False,
        today=date(2019, 4, 30),
    )  # fmt: skip
    submitted = report_save(
        assignment=assignment, period="2019-05", data={"percent": 10}, user=None, version=0, submit=True,
        today=date(2019, 5, 31),
    )  # fmt: skip
    attachment = ReportAttachment(report=submitted, name=f"{prefix}证明.pdf", size=9, kind="pdf")
    attachment.file.save("evidence.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    extension = extension_request_create(
        assignment_milestone=item, requested_due=date(2019, 7, 31), reason=f"{prefix}理由", user=None,
        today=date(2019, 5, 10),
    )  # fmt: skip
    member = get_user_model().objects.create_user(f"{'nb' if prefix == '宁波' else 'hz'}-someone")
    return SimpleNamespace(
        organisation=city,
        county=county,
        membership=Membership.objects.create(user=member, organisation=city, role="viewer"),
        plan=plan,
        task=task,
        milestone=task.milestones.get(),
        plan_import=PlanImport.objects.create(
            organisation=city,
            filename=f"{prefix}计划.xlsx",
            sha256="0" * 64,
            content=b"",
            preview={"title": f"{prefix}计划"},
        ),  # fmt: skip
        assignment=assignment,
        internal_assignment=internal,
        contributor=internal.contributors.get(department=helper),
        assignment_milestone=item,
        draft_report=draft,
        report=submitted,
        attachment=attachment,
        extension=extension,
        target=Target.objects.create(indicator=indicator, year=2019, organisation=city, value=50),
        value_import=ValueImport.objects.create(
            organisation=city, filename=f"{prefix}指标.xlsx", sha256="0" * 64, content=b"", preview={}
        ),  # fmt: skip
    )


def build_world(tree) -> SimpleNamespace:
    from indicators.models import Indicator

    indicator = Indicator.objects.create(
        code="xueshe", name="学社衔接率", frequency="year", reporting_level="county"
    )
    return SimpleNamespace(
        tree=tree,
        indicator=indicator,
        own=_side(tree, tree.hz, tree.xh, tree.dept_hz, "杭州", indicator),
        foreign=_side(tree, tree.nb, tree.hs, tree.dept_nb, "宁波", indicator),
    )


FOREIGN_NAMES = ["宁波", "海曙", "nb-someone", "宁波学校部", "宁波计划"]


class ScopedViewTest:
    """Pages of one's own data (lists, the dashboard's default). Subclasses set: url_name; obj (an
    attribute of a world side — ScopedObjectViewTest — or None);
    kwarg ("pk", or "org" for the organisation); method and data; allowed (roles that may use it on their
    own subtree); member ("organisation" = the issuing city, "county" = the receiving county)."""

    url_name = ""
    obj: str | None = None
    kwarg = "pk"
    extra: dict = {}
    method = "get"
    data: dict = {}
    allowed: frozenset = ANYONE
    member = "organisation"

    def url(self, world, side):
        kwargs = dict(self.extra)
        if self.obj is not None:
            target = getattr(getattr(world, side), self.obj)
            kwargs[self.kwarg] = target.pk
        for key, value in list(kwargs.items()):
            if callable(value):
                kwargs[key] = value(world, side)
        return reverse(self.url_name, kwargs=kwargs)

    def call(self, client, world, side):
        return getattr(client, self.method)(self.url(world, side), self.data)

    def login(self, client, make_user, world, role):
        client.force_login(make_user(getattr(world.own, self.member), role))
        return client

    @pytest.mark.parametrize("role", ROLES)
    def test_own_subtree(self, world, client, make_user, role):
        response = self.call(self.login(client, make_user, world, role), world, "own")
        if role in self.allowed:
            assert response.status_code in (200, 204, 302), (self.url_name, role, response.status_code)
            if response.status_code == 302:
                assert not response.url.startswith(reverse("login")), (self.url_name, role)
        else:
            assert response.status_code == 403, (self.url_name, role, response.status_code)


class ScopedObjectViewTest(ScopedViewTest):
    """A page about one object: the sibling subtree's object answers 404 to every role, naming nothing."""

    @pytest.mark.parametrize("role", ROLES)
    def test_sibling_subtree_answers_404(self, world, client, make_user, role):
        response = self.call(self.login(client, make_user, world, role), world, "foreign")
        assert response.status_code == 404, (self.url_name, role, response.status_code)
        body = response.content.decode()
        assert not any(name in body for name in FOREIGN_NAMES), (self.url_name, role)
