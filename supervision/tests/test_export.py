"""A plan's export with progress: the plan's own sheet first (it imports back), then one row per assignment
the user may see, with its state; another subtree's rows never appear."""

import io
from datetime import date, datetime

import openpyxl
import pytest
from django.urls import reverse

from assignments.models import AssignmentMilestone
from assignments.publishing import plan_publish
from plans.imports import plan_import_preview
from plans.models import Plan
from plans.services import task_create
from supervision.status import refresh_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tree):
    plan = Plan.objects.create(title="某计划", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "3月：启动；10月底前：验收"})
    task_create(plan=plan, data={"seq": "2", "title": "乙", "schedule_text": "持续推进"})
    plan_publish(plan=plan, levels=["city"], routine_undated=True)
    task_create(plan=plan, data={"seq": "3", "title": "丙（未下发）", "schedule_text": "12月"})
    first = AssignmentMilestone.objects.filter(
        assignment__organisation=tree.hz, milestone__task__seq="1", milestone__order=1
    ).get()
    AssignmentMilestone.objects.filter(pk=first.pk).update(completed_on="2019-03-20")
    refresh_statuses(today=date(2019, 11, 5))
    return plan


def sheets(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets
    }


def test_the_issuer_sees_every_receiver_and_every_task(login, tree, make_user, published):
    client = login(make_user(tree.zj, "viewer"))
    response = client.get(reverse("supervision:plan_export_progress", args=[published.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = sheets(response)
    assert list(book) == ["任务分解", "进度"]
    progress = book["进度"]
    assert progress[0][:5] == ["序号", "项目名称", "承办组织", "交办状态", "进度状态"]
    rows = {(r[0], r[2]): r for r in progress[1:]}
    assert set(rows) == {("1", "共青团杭州市委"), ("1", "共青团宁波市委"), ("2", "共青团杭州市委"),
                         ("2", "共青团宁波市委"), ("3", "（未交办）")}  # fmt: skip
    hz, nb = rows[("1", "共青团杭州市委")], rows[("1", "共青团宁波市委")]
    assert (hz[4], hz[6], hz[7], hz[8]) == ("已逾期", 1, 2, datetime(2019, 10, 31))
    assert (nb[4], nb[6], nb[7]) == ("已逾期", 0, 2)
    assert nb[8] == datetime(2019, 3, 31)  # the earliest of its overdue dates
    assert rows[("2", "共青团杭州市委")][4] == "持续推进"
    # The first sheet is the plan's export: it imports back.
    preview = plan_import_preview(organisation=tree.js, filename="e.xlsx", content=response.content)
    assert preview["errors"] == [] and [t["seq"] for t in preview["tasks"]] == ["1", "2", "3"]


def test_a_receiver_cannot_export_the_issuers_plan(login, tree, make_user, published):
    """Receivers follow their tasks on their own pages; the issuer's plan, with its other receivers, is
    not theirs to see."""
    client = login(make_user(tree.hz, "editor"))
    response = client.get(reverse("supervision:plan_export_progress", args=[published.pk]))
    assert response.status_code == 404 and "共青团宁波市委" not in response.content.decode()
