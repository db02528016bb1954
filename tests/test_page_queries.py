"""The work pages cost the same number of queries whatever the number of rows behind them: each is
measured with a little data and with several times more, and the two counts must be equal (and small)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assignments.publishing import plan_publish
from plans.models import Plan
from plans.services import task_create
from reporting.services import report_save
from supervision.status import refresh_statuses

pytestmark = pytest.mark.django_db
MAX_QUERIES = 24  # the assignment page: its rights (six scoped checks), chain and contributions


def cost(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_plans(tree, n, start=0):
    """n plans of 杭州, two tasks each, handed to 西湖区, each assignment with a submitted report."""
    for i in range(start, start + n):
        plan = Plan.objects.create(title=f"计划{i}", organisation=tree.hz, start_year=2019, end_year=2019)
        for seq in (1, 2):
            task_create(
                plan=plan,
                data={"seq": str(seq), "title": f"任务{i}-{seq}", "schedule_text": "5月：甲；9月：乙"},
            )
        plan_publish(plan=plan, levels=["county"])
        for assignment in plan.assignments.all():
            report_save(assignment=assignment, period="2019-05", data={"percent": 30}, user=None, version=0,
                        submit=True, today=date(2019, 5, 31))  # fmt: skip
    refresh_statuses(today=date(2019, 6, 10))


@pytest.mark.parametrize(
    "role_org, role, url_of",
    [
        ("hz", "viewer", lambda tree: reverse("plans:list")),
        ("xh", "reporter", lambda tree: reverse("reporting:my")),
        ("hz", "editor", lambda tree: reverse("reporting:review_queue")),
        ("zj", "viewer", lambda tree: reverse("supervision:dashboard")),
        ("hz", "viewer", lambda tree: reverse("supervision:dashboard") + f"?org={tree.hz.pk}"),
        ("xh", "reporter", lambda tree: reverse("notifications:list")),
    ],
)
def test_list_pages_do_not_grow_with_their_rows(login, tree, make_user, role_org, role, url_of):
    from notifications.models import Notification

    user = make_user(getattr(tree, role_org), role)
    client = login(user)

    def notices(n, start=0):  # the user's own notices grow too
        Notification.objects.bulk_create(
            Notification(recipient=user, key=f"k{i}", day=date(2019, 6, 1), title=f"通知{i}")
            for i in range(start, start + n)
        )

    add_plans(tree, 2)
    notices(2)
    small = cost(client, url_of(tree))
    add_plans(tree, 6, start=2)
    notices(30, start=2)
    assert cost(client, url_of(tree)) == small <= MAX_QUERIES


def test_the_assignment_page_does_not_grow_with_its_history(login, tree, make_user, settings, tmp_path):
    from assignments.models import Assignment
    from assignments.services import extension_request_create
    from reporting.attachments import report_attachment_add

    settings.MEDIA_ROOT = tmp_path
    add_plans(tree, 1)
    assignment = Assignment.objects.order_by("pk").first()
    client = login(make_user(tree.hz, "editor"))
    url = reverse("reporting:assignment", args=[assignment.pk])
    small = cost(client, url)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting.tests.files import pdf  # a real one: attachments are read whole

    for month in ("2019-06", "2019-07", "2019-08"):
        report = report_save(assignment=assignment, period=month, data={"percent": 40}, user=None, version=0,
                             submit=False, today=date(2019, 9, 1))  # fmt: skip
        report_attachment_add(report=report, upload=SimpleUploadedFile("证明.pdf", pdf()), user=None)
    extension_request_create(assignment_milestone=assignment.milestones.order_by("due_date").last(),
                             requested_due=date(2019, 10, 31), reason="经费", user=None, today=date(2019, 9, 1))  # fmt: skip
    assert cost(client, url) == small <= MAX_QUERIES


def test_the_publish_page_costs_the_same_for_any_tree(login, tree, make_user):
    from orgtree.models import OrgType
    from orgtree.services import organisation_create

    add_plans(tree, 1)
    plan = Plan.objects.get()
    client = login(make_user(tree.hz, "editor"))
    url = reverse("assignments:publish", args=[plan.pk])
    small = cost(client, url)
    for i in range(10):
        organisation_create(parent=tree.hz, name=f"共青团测试{i}区委", org_type=OrgType.COUNTY)
    assert cost(client, url) == small <= MAX_QUERIES
