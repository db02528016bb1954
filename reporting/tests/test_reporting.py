"""A county reporter files a monthly report, the city reviews it, the status engine follows."""

from datetime import date

import pytest
from django.urls import reverse

from assignments import services as assignment_services
from assignments.models import Assignment, AssignmentEvent, AssignmentMilestone
from assignments.publishing import plan_publish
from plans.models import Plan
from plans.services import task_create
from reporting import services as reporting
from reporting.models import ProgressReport
from reporting.tests import files
from supervision.status import refresh_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(tree):
    plan = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    task_create(
        plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底；10月底前：验收"}
    )
    plan_publish(plan=plan, levels=["county"])
    return Assignment.objects.get(organisation=tree.xh)


def copies(assignment):
    return list(assignment.milestones.order_by("milestone__order"))


def test_report_accept_turns_the_milestone_green_and_closes_when_all_done(
    login, tree, make_user, assignment, django_capture_on_commit_callbacks
):
    reporter = login(make_user(tree.xh, "reporter", username="xh-reporter"))
    first, second = copies(assignment)
    url = reverse("reporting:report", args=[assignment.pk]) + "?period=2019-05"
    assert "2019-05 进度报告" in reporter.get(url).content.decode()
    response = reporter.post(url, {
        "period": "2019-05", "stage": "in_progress", "percent": 50, "narrative": "已完成摸底", "version": 0,
        f"done_{first.pk}": "on", f"on_{first.pk}": "2019-05-20", "submit": "1",
    })  # fmt: skip
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.status == "submitted" and report.claims.count() == 1
    # Submitted reports are locked until returned.
    locked = reporter.post(
        url, {"period": "2019-05", "stage": "done", "percent": 60, "version": report.version, "save": "1"}
    )
    assert "在审核退回之前不能修改" in locked.content.decode()
    assert ProgressReport.objects.get().percent == 50

    reviewer = login(make_user(tree.hz, "editor", username="hz-editor"))
    assert "学社衔接" in reviewer.get(reverse("reporting:review_queue")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(
            reverse("reporting:report_review", args=[report.pk]), {"decision": "accept", "comment": "好"}
        )
    first.refresh_from_db()
    assert first.accepted_at is not None and first.progress == "completed"  # refreshed after the review
    assert AssignmentMilestone.objects.get(pk=second.pk).percent == 50

    # A missed milestone turns red after the nightly job.
    refresh_statuses(today=date(2019, 11, 1))
    assert AssignmentMilestone.objects.get(pk=second.pk).progress == "overdue"
    assert Assignment.objects.get(pk=assignment.pk).progress == "overdue"

    reporter = login(make_user(tree.xh, "reporter", username="xh-reporter-2"))
    reporter.post(reverse("reporting:report", args=[assignment.pk]) + "?period=2019-11", {
        "period": "2019-11", "stage": "done", "percent": 100, "version": 0,
        f"done_{second.pk}": "on", f"on_{second.pk}": "2019-10-30", "submit": "1",
    })  # fmt: skip
    late = ProgressReport.objects.get(period="2019-11")
    reporting.report_review(report=late, accept=True, comment="", user=None)
    refresh_statuses(today=date(2019, 11, 2))
    assignment.refresh_from_db()
    assert assignment.status == "closed" and assignment.progress == "completed"
    kinds = list(assignment.events.values_list("kind", flat=True))
    # 交办, the first report, the 红牌 when it had been overdue for over 30 days, the late report, 销号.
    assert kinds == ["assigned", "reported", "accepted", "escalated", "reported", "accepted", "closed"]


def test_return_needs_a_reason_and_unlocks_the_report(tree, assignment, make_user):
    report = reporting.report_save(
        assignment=assignment,
        period="2019-05",
        data={"stage": "in_progress", "percent": 20},
        user=None,
        version=0,
        submit=True,
        today=date(2019, 5, 31),
    )
    with pytest.raises(Exception, match="退回时请写明原因"):
        reporting.report_review(report=report, accept=False, comment=" ", user=None)
    reporting.report_review(report=report, accept=False, comment="请补充数据", user=None)
    report.refresh_from_db()
    assert report.status == "returned"
    again = reporting.report_save(
        assignment=assignment,
        period="2019-05",
        data={"stage": "in_progress", "percent": 30},
        user=None,
        version=report.version,
        submit=True,
        today=date(2019, 6, 10),
    )
    assert again.status == "submitted" and again.is_late  # the deadline was 5 June
    assert AssignmentEvent.objects.filter(
        assignment=assignment, kind="returned", comment="请补充数据"
    ).exists()


def test_next_period_is_prefilled_from_the_last(assignment):
    reporting.report_save(
        assignment=assignment,
        period="2019-05",
        data={"stage": "blocked", "percent": 35, "narrative": "资金未到位"},
        user=None,
        version=0,
        submit=False,
        today=date(2019, 5, 31),
    )
    draft = reporting.report_draft(assignment=assignment, period="2019-06")
    assert (draft.pk, draft.stage, draft.percent, draft.narrative) == (None, "blocked", 35, "资金未到位")


def test_two_people_editing_one_report_do_not_overwrite_each_other(assignment):
    first = reporting.report_save(
        assignment=assignment,
        period="2019-05",
        data={"stage": "in_progress", "percent": 10},
        user=None,
        version=0,
        submit=False,
        today=date(2019, 5, 10),
    )
    reporting.report_save(
        assignment=assignment,
        period="2019-05",
        data={"stage": "in_progress", "percent": 20},
        user=None,
        version=first.version,
        submit=False,
        today=date(2019, 5, 10),
    )
    with pytest.raises(Exception, match="已被他人修改"):
        reporting.report_save(
            assignment=assignment,
            period="2019-05",
            data={"stage": "in_progress", "percent": 99},
            user=None,
            version=first.version,
            submit=False,
            today=date(2019, 5, 10),
        )
    assert ProgressReport.objects.get().percent == 20


@pytest.mark.parametrize(
    "data,message",
    [
        ({"percent": 101}, "确保该值小于或等于100"),
        ({"percent": -1}, "确保该值大于或等于0"),
        ({"percent": 10, "claim_on": "2999-01-01"}, "不能晚于今天"),
        ({"percent": 10, "claim_on": ""}, "请填写勾选节点的完成日期"),
        ({"percent": 10, "period": "2019-13"}, "报告期格式应为"),
        ({"percent": 10, "narrative": "长" * 10_001}, "不超过 10000 字符"),
    ],
)
def test_bad_reports_are_refused_and_write_nothing(login, tree, make_user, assignment, data, message):
    client = login(make_user(tree.xh, "reporter"))
    first, _ = copies(assignment)
    period = data.get("period", "2019-05")
    post = {
        "period": period,
        "stage": "in_progress",
        "percent": data["percent"],
        "version": 0,
        "submit": "1",
        "narrative": data.get("narrative", ""),
    }
    if "claim_on" in data:
        post.update({f"done_{first.pk}": "on", f"on_{first.pk}": data["claim_on"]})
    response = client.post(
        reverse("reporting:report", args=[assignment.pk]) + f"?period={period}", post, follow=True
    )
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_other_subtrees_and_other_roles_cannot_report_or_review(login, tree, make_user, assignment):
    outsider = login(make_user(tree.nb, "reporter"))
    assert outsider.get(reverse("reporting:assignment", args=[assignment.pk])).status_code == 404
    assert outsider.post(reverse("reporting:report", args=[assignment.pk]), {"percent": 1}).status_code == 404
    report = reporting.report_save(
        assignment=assignment,
        period="2019-05",
        data={"stage": "done", "percent": 100},
        user=None,
        version=0,
        submit=True,
        today=date(2019, 5, 31),
    )
    reporter = login(make_user(tree.xh, "reporter"))
    assert (
        reporter.post(
            reverse("reporting:report_review", args=[report.pk]), {"decision": "accept"}
        ).status_code
        == 403
    )
    ningbo_editor = login(make_user(tree.nb, "editor"))
    assert (
        ningbo_editor.post(
            reverse("reporting:report_review", args=[report.pk]), {"decision": "accept"}
        ).status_code
        == 404
    )
    report.refresh_from_db()
    assert report.status == "submitted"


def test_my_assignments_page(login, tree, make_user, assignment):
    client = login(make_user(tree.xh, "reporter"))
    refresh_statuses(today=date(2019, 6, 1))
    page = client.get(reverse("reporting:my")).content.decode()
    assert "学社衔接" in page and "2019-05-31" in page and "已逾期" in page
    assert (
        "暂无需要填报的任务"
        in login(make_user(tree.nb, "reporter")).get(reverse("reporting:my")).content.decode()
    )


def test_extension_request_and_decision(
    login, tree, make_user, assignment, django_capture_on_commit_callbacks
):
    from assignments.models import ExtensionRequest

    first, _ = copies(assignment)
    with pytest.raises(Exception, match="应晚于现在的完成时限"):
        assignment_services.extension_request_create(
            assignment_milestone=first,
            requested_due=date(2019, 5, 1),
            reason="资金",
            user=None,
            today=date(2019, 5, 1),
        )
    client = login(make_user(tree.xh, "reporter"))
    response = client.post(
        reverse("reporting:extension_request", args=[first.pk]),
        {"requested_due": "2019-07-31", "reason": ""},
        follow=True,
    )
    assert "请填写申请延至的日期" in response.content.decode() and not ExtensionRequest.objects.exists()
    request = assignment_services.extension_request_create(
        assignment_milestone=first,
        requested_due=date(2019, 7, 31),
        reason="经费未到位",
        user=None,
        today=date(2019, 5, 10),
    )
    with pytest.raises(Exception, match="已有待审批的延期申请"):
        assignment_services.extension_request_create(
            assignment_milestone=first,
            requested_due=date(2019, 8, 31),
            reason="再延",
            user=None,
            today=date(2019, 5, 10),
        )
    assert (
        client.post(
            reverse("reporting:extension_decide", args=[request.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    reviewer = login(make_user(tree.hz, "editor"))
    with django_capture_on_commit_callbacks(execute=True):
        reviewer.post(
            reverse("reporting:extension_decide", args=[request.pk]),
            {"decision": "approve", "comment": "同意"},
        )
    first.refresh_from_db()
    request.refresh_from_db()
    assert first.due_date == date(2019, 7, 31) and request.original_due == date(2019, 5, 31)
    assert first.milestone.due_date == date(2019, 5, 31)  # the issuer's own date is kept
    refresh_statuses(today=date(2019, 6, 10))
    first.refresh_from_db()
    assert first.progress == "on_track"
    assert [e.comment[:6] for e in assignment.events.filter(kind="extended")] == ["申请将“5月", "同意延期至 "]


def test_receive_send_back_and_close(login, tree, make_user, assignment):
    reporter = login(make_user(tree.xh, "reporter"))
    reporter.post(reverse("reporting:receive", args=[assignment.pk]))
    reporter.post(reverse("reporting:receive", args=[assignment.pk]))
    assert assignment.events.filter(kind="received").count() == 1
    assert (
        reporter.post(
            reverse("reporting:settle", args=[assignment.pk]), {"action": "close", "reason": "x"}
        ).status_code
        == 403
    )
    reviewer = login(make_user(tree.hz, "editor"))
    empty = reviewer.post(
        reverse("reporting:settle", args=[assignment.pk]), {"action": "close", "reason": ""}, follow=True
    )
    assert "请写明原因" in empty.content.decode()
    reviewer.post(
        reverse("reporting:settle", args=[assignment.pk]), {"action": "withdraw", "reason": "不属于本级职责"}
    )
    assignment.refresh_from_db()
    assert assignment.status == "withdrawn"
    assert assignment.events.filter(kind="withdrawn", comment="不属于本级职责").exists()
    again = reviewer.post(
        reverse("reporting:settle", args=[assignment.pk]), {"action": "close", "reason": "销号"}, follow=True
    )
    assert "该交办的状态是“已退办”，不能再退办或销号" in again.content.decode()
    with pytest.raises(Exception, match="已销号或退办，不能再填报"):
        reporting.report_save(
            assignment=assignment, period="2019-05", data={"percent": 1}, user=None, version=0, submit=False
        )


class TestAttachments:
    @pytest.fixture(autouse=True)
    def _media(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        settings.REPORT_ATTACHMENT_MAX_BYTES = 64 * 1024

    def draft(self, assignment):
        return reporting.report_save(
            assignment=assignment,
            period="2019-05",
            data={"stage": "in_progress", "percent": 10},
            user=None,
            version=0,
            submit=False,
            today=date(2019, 5, 20),
        )

    def upload(self, client, report, name, content):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            reverse("reporting:attachment_upload", args=[report.pk]),
            {"file": SimpleUploadedFile(name, content)},
            follow=True,
        )

    def test_upload_and_download_in_scope(self, login, tree, make_user, assignment, tmp_path):
        report = self.draft(assignment)
        client = login(make_user(tree.xh, "reporter"))
        response = self.upload(client, report, "../../etc/会议纪要.pdf", files.pdf())
        assert "已上传" in response.content.decode()
        attachment = report.attachments.get()
        assert attachment.name == "会议纪要.pdf" and ".." not in attachment.file.name
        assert str(tmp_path) in attachment.file.path
        download = login(make_user(tree.hz, "viewer")).get(
            reverse("reporting:attachment", args=[attachment.pk])
        )
        assert download.status_code == 200 and b"".join(download.streaming_content) == files.pdf()
        assert (
            login(make_user(tree.nb, "viewer"))
            .get(reverse("reporting:attachment", args=[attachment.pk]))
            .status_code
            == 404
        )

    @pytest.mark.parametrize(
        "name,content,message",
        [
            ("run.exe", b"MZ\x90", "不支持的附件类型"),
            ("noext", b"%PDF", "不支持的附件类型"),
            ("fake.pdf", b"\x89PNG\r\n\x1a\n", "文件内容与扩展名 .pdf 不符"),
            ("empty.png", b"", "空文件"),
            ("big.jpg", b"\xff\xd8\xff" + b"0" * 70_000, "附件过大"),
        ],
    )
    def test_bad_files_are_refused(self, login, tree, make_user, assignment, name, content, message):
        report = self.draft(assignment)
        client = login(make_user(tree.xh, "reporter"))
        assert message in self.upload(client, report, name, content).content.decode()
        assert not report.attachments.exists()

    def test_no_attachments_on_submitted_reports_or_by_others(self, login, tree, make_user, assignment):
        report = self.draft(assignment)
        outsider = login(make_user(tree.hz, "editor"))  # the issuer reviews, it does not attach
        assert self.upload(outsider, report, "a.pdf", b"%PDF-1").status_code == 403
        reporting.report_save(
            assignment=assignment,
            period="2019-05",
            data={"stage": "done", "percent": 100},
            user=None,
            version=report.version,
            submit=True,
            today=date(2019, 5, 31),
        )
        client = login(make_user(tree.xh, "reporter"))
        assert (
            "报告已提交，不能再添加附件" in self.upload(client, report, "a.pdf", b"%PDF-1").content.decode()
        )
        assert not report.attachments.exists()


def test_an_extension_asked_after_the_deadline_is_marked_and_waits_in_the_review_queue(
    login, tree, make_user, assignment
):
    from assignments.models import ExtensionRequest

    first, _ = copies(assignment)
    with pytest.raises(Exception, match="应晚于今天"):  # the new date cannot already have passed
        assignment_services.extension_request_create(
            assignment_milestone=first, requested_due=date(2019, 6, 5), reason="资金", user=None,
            today=date(2019, 6, 10),
        )  # fmt: skip
    request = assignment_services.extension_request_create(
        assignment_milestone=first, requested_due=date(2019, 7, 31), reason="经费未到位", user=None,
        today=date(2019, 6, 10),
    )  # fmt: skip
    assert request.after_deadline and request.status == ExtensionRequest.Status.PENDING
    assert "已过完成时限后申请" in assignment.events.get(kind="extended").comment
    reviewer = login(make_user(tree.hz, "editor"))
    queue = reviewer.get(reverse("reporting:review_queue")).content.decode()
    assert "经费未到位" in queue and "逾期后申请" in queue
    reviewer.post(reverse("reporting:extension_decide", args=[request.pk]), {"decision": "approve"})
    first.refresh_from_db()
    assert first.due_date == date(2019, 7, 31)
