"""An editor imports the Zhejiang table in the browser; others cannot; the plan page stays cheap."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Milestone, Plan, PlanImport, Task

pytestmark = pytest.mark.django_db

ZHEJIANG = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "zhejiang-2019.xlsx"


def upload(client, org, name="z.xlsx", content=None):
    content = ZHEJIANG.read_bytes() if content is None else content
    return client.post(
        reverse("plans:import"), {"organisation": org.pk, "file": SimpleUploadedFile(name, content)}
    )


def test_editor_previews_then_confirms_once(login, tree, make_user):
    client = login(make_user(tree.zj, "editor"))
    assert client.get(reverse("plans:import")).status_code == 200
    response = upload(client, tree.zj)
    staged = PlanImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("plans:import_preview", args=[staged.pk])
    assert not Plan.objects.exists()  # the preview writes nothing of the plan
    page = client.get(response.url).content.decode()
    assert "新增 15" in page and "确认导入" in page and "12月9日前后" in page
    done = client.post(reverse("plans:import_confirm", args=[staged.pk]))
    plan = Plan.objects.get()
    assert done.url == reverse("plans:detail", args=[plan.pk])
    assert Task.objects.count() == 15 and Milestone.objects.count() == 70
    again = client.post(reverse("plans:import_confirm", args=[staged.pk]), follow=True)
    assert "已经导入过了" in again.content.decode()
    assert Task.objects.count() == 15
    detail = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "“双百双提升”行动" in detail and "2019-04-01 至 2019-04-30" in detail


def test_confirm_refuses_a_stale_preview(login, tree, make_user):
    client = login(make_user(tree.zj, "editor"))
    upload(client, tree.zj)
    first = PlanImport.objects.get()
    upload(client, tree.zj)
    second = PlanImport.objects.exclude(pk=first.pk).get()
    client.post(reverse("plans:import_confirm", args=[first.pk]))
    response = client.post(reverse("plans:import_confirm", args=[second.pk]), follow=True)
    assert "预览之后数据已被修改" in response.content.decode()
    assert Plan.objects.count() == 1


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("z.png", b"\x89PNG", "请上传 .xlsx、.xls、.docx、.csv 文件"),
        ("z.xlsx", b"\x89PNG\r\n\x1a\n\x00", "不是电子表格文件"),
        ("z.xlsx", b"PK\x03\x04broken", "损坏"),
        ("z.csv", "序号,备注\n1,x\n".encode("gbk"), "找不到表头"),
    ],
)
def test_bad_uploads_answer_in_chinese_and_stage_nothing(login, tree, make_user, name, content, message):
    client = login(make_user(tree.zj, "editor"))
    response = upload(client, tree.zj, name, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not PlanImport.objects.exists() and not Plan.objects.exists()


def test_upload_for_an_organisation_outside_ones_memberships(login, tree, make_user):
    client = login(make_user(tree.hz, "editor"))
    response = upload(client, tree.zj)
    assert "选择一个有效的选项" in response.content.decode()
    assert not PlanImport.objects.exists()


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_only_editors_import(login, tree, make_user, role):
    client = login(make_user(tree.zj, role))
    assert client.get(reverse("plans:import")).status_code == 403
    assert upload(client, tree.zj).status_code == 403
    assert not PlanImport.objects.exists()


def test_plan_page_query_count_does_not_grow(login, tree, make_user):
    from orgtree.models import Department

    client = login(make_user(tree.zj, "viewer"))
    dept = Department.objects.create(organisation=tree.zj, name="组织部")

    def plan_with(n_tasks):
        plan = Plan.objects.create(
            title=f"计划{n_tasks}", organisation=tree.zj, start_year=2019, end_year=2019
        )
        tasks = Task.objects.bulk_create(
            Task(plan=plan, organisation=tree.zj, seq=str(i), title=f"任务{i}", order=i)
            for i in range(n_tasks)
        )
        Milestone.objects.bulk_create(
            Milestone(task=t, raw=f"{m + 1}月", kind="period", order=m) for t in tasks for m in range(4)
        )
        for t in tasks:
            t.lead_departments.add(dept)
        return plan

    costs = []
    for n in (5, 100):
        plan = plan_with(n)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
        costs.append(len(ctx.captured_queries))
    assert costs[0] == costs[1] <= 12


def test_editor_publishes_with_a_live_preview_and_exports(login, tree, make_user):
    from assignments.models import Assignment
    from plans.imports import plan_import_commit, plan_import_preview

    plan = plan_import_commit(
        organisation=tree.zj,
        preview=plan_import_preview(organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes()),
    )
    client = login(make_user(tree.zj, "editor"))
    page = client.get(reverse("assignments:publish", args=[plan.pk])).content.decode()
    # The table names a 牵头部门 for every task: by default each goes to it, inside the 团省委.
    assert "将新建交办 15 项" in page and "本单位 组织部（牵头）" in page
    partial = client.get(
        reverse("assignments:publish_preview", args=[plan.pk]), {"levels": ["county"]}
    ).content.decode()
    assert "共 2 个组织，将收到 30 项交办" in partial and "<html" not in partial
    bad = client.post(reverse("assignments:publish", args=[plan.pk]), {"levels": ["moon"]}).content.decode()
    assert "选择一个有效的选项" in bad and not Assignment.objects.exists()
    done = client.post(
        reverse("assignments:publish", args=[plan.pk]), {"levels": ["city", "county"]}, follow=True
    )
    assert "新建交办 60 项" in done.content.decode() and Assignment.objects.count() == 60
    export = client.get(reverse("plans:export", args=[plan.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in export["Content-Disposition"].lower()
    again = plan_import_preview(organisation=tree.zj, filename="e.xlsx", content=export.content)
    assert again["summary"]["unchanged"] == 15


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_only_editors_publish(login, tree, make_user, role):
    plan = Plan.objects.create(title="计划", organisation=tree.zj, start_year=2019, end_year=2019)
    client = login(make_user(tree.zj, role))
    assert client.get(reverse("assignments:publish", args=[plan.pk])).status_code == 403
    assert (
        client.post(reverse("assignments:publish", args=[plan.pk]), {"levels": ["city"]}).status_code == 403
    )
    assert client.get(reverse("plans:export", args=[plan.pk])).status_code == 200


def test_a_large_plan_is_shown_a_page_at_a_time(login, tree, make_user):
    plan = Plan.objects.create(title="大计划", organisation=tree.zj, start_year=2019, end_year=2019)
    Task.objects.bulk_create(
        [Task(plan=plan, organisation=tree.zj, seq=str(i), order=i, title=f"任务{i}") for i in range(1, 251)]
    )
    client = login(make_user(tree.zj, "viewer"))
    url = reverse("plans:detail", args=[plan.pk])
    first = client.get(url).content.decode()
    assert "250 项" in first and "任务100<" in first and "任务101<" not in first
    assert "第 1 / 3 页（共 250 条）" in first
    last = client.get(url, {"page": 3}).content.decode()
    assert "任务250<" in last and "任务1<" not in last
    assert client.get(url, {"page": "9999"}).status_code == 200  # past the end: the last page
