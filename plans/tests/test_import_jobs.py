"""Imports as background jobs: the page polls a progress bar, a job stopped halfway leaves nothing written
and can be started again, a job delivered twice writes once, and a file without a year asks for one."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from core.progress import progress_key, progress_report
from core.staging import JobState
from plans import imports
from plans.imports import (
    plan_import_request_confirm,
    plan_import_run_confirm,
    plan_import_run_preview,
    plan_import_stage,
    plan_import_upload,
)
from plans.models import Milestone, Plan, PlanImport, Task

from .test_import import xlsx

pytestmark = pytest.mark.django_db

ZHEJIANG = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "zhejiang-2019.xlsx"


class Killed(BaseException):
    """What a worker's process sees when it is stopped: not an Exception, so nothing catches it."""


def nothing_written():
    return not Plan.objects.exists() and not Task.objects.exists() and not Milestone.objects.exists()


def test_the_page_polls_a_progress_bar_until_the_job_is_done(login, tree, make_user):
    user = make_user(tree.zj, "editor")
    client = login(user)
    staged = plan_import_upload(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    progress_report(progress_key("plan-import", staged.pk), stage="计算时间节点", done=200, total=1000)

    page = client.get(reverse("plans:import_preview", args=[staged.pk])).content.decode()
    poll = reverse("plans:import_progress", args=[staged.pk])
    assert f'hx-get="{poll}"' in page and "确认导入" not in page
    bar = client.get(poll).content.decode()
    assert "正在读取和预览" in bar and "计算时间节点" in bar and 'value="200" max="1000"' in bar

    plan_import_run_preview(pk=staged.pk)  # the worker finishes: the page is shown again, with the preview
    finished = client.get(poll)
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    assert "确认导入" in client.get(reverse("plans:import_preview", args=[staged.pk])).content.decode()

    plan_import_request_confirm(staged=staged)
    assert "正在导入" in client.get(poll).content.decode()
    plan = plan_import_run_confirm(pk=staged.pk, user=user)
    done = client.get(poll)
    assert done.status_code == 204 and done["HX-Redirect"] == reverse("plans:detail", args=[plan.pk])


def test_a_confirm_stopped_halfway_leaves_nothing_and_can_be_started_again(
    login, tree, make_user, monkeypatch
):
    user = make_user(tree.zj, "editor")
    client = login(user)
    staged = plan_import_stage(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    plan_import_request_confirm(staged=staged)
    real_sync = imports.milestones_sync
    calls = []

    def stopped_after_the_plan_and_tasks_are_written(**kwargs):
        calls.append(Task.objects.count())
        raise Killed

    monkeypatch.setattr(imports, "milestones_sync", stopped_after_the_plan_and_tasks_are_written)
    with pytest.raises(Killed):
        plan_import_run_confirm(pk=staged.pk, user=user)
    assert calls == [15]  # the tasks had been written when it stopped …
    assert nothing_written()  # … and none of them stayed
    staged.refresh_from_db()
    assert staged.confirmed_at is None and staged.job_state == JobState.CONFIRMING

    # While it may still be running, the page shows progress and a retry changes nothing.
    page = client.get(reverse("plans:import_preview", args=[staged.pk])).content.decode()
    assert "正在导入" in page and "重新开始" not in page
    response = client.post(reverse("plans:import_retry", args=[staged.pk]), follow=True)
    assert "仍在正常处理中" in response.content.decode() and nothing_written()

    # Long past its time, the page says so and offers to start again; that writes the plan once.
    monkeypatch.setattr(imports, "milestones_sync", real_sync)
    PlanImport.objects.filter(pk=staged.pk).update(job_started_at=timezone.now() - timedelta(hours=2))
    page = client.get(reverse("plans:import_preview", args=[staged.pk])).content.decode()
    assert "处理已中断" in page and "没有写入任何内容" in page and "重新开始" in page
    response = client.post(reverse("plans:import_retry", args=[staged.pk]))
    plan = Plan.objects.get()
    assert response.url == reverse("plans:import_preview", args=[staged.pk])
    assert Task.objects.count() == 15 and Milestone.objects.count() == 70
    staged.refresh_from_db()
    assert staged.job_state == JobState.DONE and staged.plan == plan


def test_a_job_delivered_twice_writes_once(tree, make_user):
    user = make_user(tree.zj, "editor")
    staged = plan_import_stage(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    plan_import_request_confirm(staged=staged)
    first = plan_import_run_confirm(pk=staged.pk, user=user)
    second = plan_import_run_confirm(pk=staged.pk, user=user)
    assert first == second and Plan.objects.count() == 1 and Task.objects.count() == 15
    staged.refresh_from_db()
    assert staged.job_state == JobState.DONE and staged.job_message == ""


def test_a_confirm_refused_by_the_job_goes_back_to_the_preview_with_the_reason(tree, make_user):
    user = make_user(tree.zj, "editor")
    first = plan_import_stage(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    second = plan_import_stage(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    plan_import_request_confirm(staged=first)
    plan_import_run_confirm(pk=first.pk, user=user)
    plan_import_request_confirm(staged=second)
    assert plan_import_run_confirm(pk=second.pk, user=user) is None
    second.refresh_from_db()
    assert second.job_state == JobState.READY and "预览之后数据已被修改" in second.job_message
    assert Plan.objects.count() == 1


def test_confirm_is_refused_while_a_job_runs_or_when_the_file_has_errors(tree, make_user):
    from django.core.exceptions import ValidationError

    user = make_user(tree.zj, "editor")
    running = plan_import_upload(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    with pytest.raises(ValidationError, match="正在处理"):
        plan_import_request_confirm(staged=running)
    broken = plan_import_stage(
        organisation=tree.zj, filename="b.xlsx", user=user,
        content=xlsx([["某方案（2019年）"], ["序号", "项目名称", "进度安排"], [1, "", "3月：甲"], [2, "乙", "4月"]]),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="文件有错误"):
        plan_import_request_confirm(staged=broken)
    assert nothing_written()


NO_YEAR = xlsx([["任务分解表"], ["序号", "项目名称", "进度安排"], [1, "甲", "3月：启动；10月底前：验收"]])


def test_a_file_without_a_year_asks_for_one_and_keeps_the_answer(login, tree, make_user):
    client = login(make_user(tree.zj, "editor"))
    client.post(reverse("plans:import"), {"organisation": tree.zj.pk, "file": _file("n.xlsx", NO_YEAR)})
    staged = PlanImport.objects.get()
    url = reverse("plans:import_preview", args=[staged.pk])
    page = client.get(url).content.decode()
    assert "标题和进度安排中都没有写年份" in page and "确认导入" not in page

    for hostile in ({"start_year": "abc"}, {"start_year": "1999"}, {"start_year": "2021", "end_year": "2019"},
                    {"start_year": "2019", "end_year": "2040"}, {"start_year": "2019' OR 1=1 --"}, {}):  # fmt: skip
        response = client.post(reverse("plans:import_period", args=[staged.pk]), hostile, follow=True)
        assert "起止年度" in response.content.decode(), hostile
        staged.refresh_from_db()
        assert staged.start_year is None and staged.job_state == JobState.READY
    assert nothing_written()

    client.post(reverse("plans:import_period", args=[staged.pk]), {"start_year": "2021"})
    page = client.get(url).content.decode()
    assert "2021 年" in page and "2021-03-01 至 2021-03-31" in page and "确认导入" in page
    assert 'name="start_year" value="2021"' in page  # the answer is shown again on the reopened page
    client.post(reverse("plans:import_confirm", args=[staged.pk]))
    plan = Plan.objects.get()
    assert (plan.start_year, plan.end_year) == (2021, 2021)
    dues = Milestone.objects.values_list("due_date", flat=True).order_by("due_date")
    assert [d.isoformat() for d in dues] == ["2021-03-31", "2021-10-31"]


def test_the_period_cannot_be_changed_after_the_import(login, tree, make_user):
    user = make_user(tree.zj, "editor")
    client = login(user)
    staged = plan_import_stage(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    plan_import_request_confirm(staged=staged)
    plan_import_run_confirm(pk=staged.pk, user=user)
    response = client.post(
        reverse("plans:import_period", args=[staged.pk]), {"start_year": "2030"}, follow=True
    )
    assert "已经导入过了" in response.content.decode()
    assert Plan.objects.get().start_year == 2019


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_a_large_preview_is_shown_a_page_at_a_time(login, tree, make_user):
    user = make_user(tree.zj, "editor")
    client = login(user)
    rows = [["某计划（2019年）"], ["序号", "项目名称", "进度安排"]] + [
        [i, f"任务{i}", "3月"] for i in range(1, 251)
    ]
    staged = plan_import_stage(organisation=tree.zj, filename="big.xlsx", content=xlsx(rows), user=user)
    url = reverse("plans:import_preview", args=[staged.pk])
    first = client.get(url).content.decode()
    assert "任务100<" in first and "任务101<" not in first and "第 1 / 3 页（共 250 条）" in first
    last = client.get(url, {"page": 3}).content.decode()
    assert "任务250<" in last and "任务1<" not in last and "确认导入" in last
    assert client.get(url, {"page": "<script>"}).status_code == 200  # a bad page number shows the first


def test_the_period_form_shows_the_period_the_preview_used(login, tree, make_user):
    user = make_user(tree.zj, "editor")
    client = login(user)
    staged = plan_import_stage(
        organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes(), user=user
    )
    page = client.get(reverse("plans:import_preview", args=[staged.pk])).content.decode()
    assert 'name="start_year" value="2019"' in page and 'name="end_year" value="2019"' in page
