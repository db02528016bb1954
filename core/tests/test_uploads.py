"""An oversized upload is refused from its Content-Length before it is read; staged uploads that were never
confirmed leave the database after a few days (a service, a nightly job, a command)."""

import io
from datetime import timedelta
from io import StringIO

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core import spreadsheets
from core.staging import JobState

pytestmark = pytest.mark.django_db


class TestEarlyRefusal:
    def test_an_upload_above_the_limit_is_answered_413_without_being_read(
        self, login, tree, make_user, monkeypatch
    ):
        from django.core.handlers.wsgi import WSGIRequest

        from plans.models import PlanImport

        read = []
        monkeypatch.setattr(WSGIRequest, "read", lambda self, *a: read.append(1) or b"")
        client = login(make_user(tree.zj, "editor"))
        response = client.post(
            reverse("plans:import"),
            {"organisation": tree.zj.pk, "file": io.BytesIO(b"x")},
            CONTENT_LENGTH=str(200 * 1024 * 1024),
        )
        body = response.content.decode()
        assert response.status_code == 413 and "文件过大，未上传" in body and "200.0 MB" in body
        assert "每个上传的文件不超过 10.0 MB" in body
        assert read == [] and not PlanImport.objects.exists()

    def test_a_body_without_a_file_is_bounded_by_djangos_form_limit(self, client):
        response = client.post(reverse("login"), "x=1", content_type="application/x-www-form-urlencoded",
                               CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))  # fmt: skip
        assert response.status_code == 413 and "文件过大" in response.content.decode()

    def test_uploads_within_the_limit_and_odd_lengths_pass(self, client):
        assert client.get(reverse("login"), CONTENT_LENGTH="nonsense").status_code == 200
        page = client.post(reverse("login"), {"username": "a", "password": "b"})
        assert page.status_code == 200

    def test_the_limit_leaves_room_for_the_largest_file_any_form_takes(self):
        largest = max(spreadsheets.MAX_UPLOAD_BYTES, settings.REPORT_ATTACHMENT_MAX_BYTES)
        assert largest + 256 * 1024 <= settings.MAX_UPLOAD_BYTES <= largest + 2 * 1024 * 1024
        assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * 1024 * 1024
        assert "core.uploads.UploadLimitMiddleware" in settings.MIDDLEWARE
        position = settings.MIDDLEWARE.index("core.uploads.UploadLimitMiddleware")
        # Before anything that reads the body (CSRF reads request.POST).
        assert position < settings.MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware")


@pytest.fixture
def uploads(tree):
    """Plan and figure imports of every kind, three and a half days old unless made otherwise."""
    from indicators.models import ValueImport
    from plans.models import PlanImport

    now = timezone.now()

    def make(model, age_days, **fields):
        staged = model.objects.create(
            organisation=tree.zj, filename="f.xlsx", sha256="0", content=b"x" * 1000, **fields
        )
        model.objects.filter(pk=staged.pk).update(created_at=now - timedelta(days=age_days))
        return staged.pk

    return {
        "old_left": make(PlanImport, 3.5),
        "old_refused": make(PlanImport, 10, job_state=JobState.FAILED, job_message="行数过多"),
        "old_confirmed": make(PlanImport, 30, confirmed_at=now - timedelta(days=29)),
        "old_running": make(
            PlanImport, 4, job_state=JobState.PREVIEWING, job_started_at=now - timedelta(minutes=1)
        ),
        "old_stalled": make(
            PlanImport, 4, job_state=JobState.CONFIRMING, job_started_at=now - timedelta(days=4)
        ),
        "recent": make(PlanImport, 1),
        "old_figures": make(ValueImport, 5),
        "recent_figures": make(ValueImport, 0.5),
    }


def remaining():
    from indicators.models import ValueImport
    from plans.models import PlanImport

    return set(PlanImport.objects.values_list("pk", flat=True)), set(
        ValueImport.objects.values_list("pk", flat=True)
    )


class TestPurge:
    KEPT = ("old_confirmed", "old_running", "recent")

    def test_service_deletes_only_what_was_never_confirmed_and_is_old(self, uploads):
        from core.staging import staged_uploads_purge

        counts = staged_uploads_purge(days=3)
        assert counts == {"导入记录": 3, "指标导入记录": 1}
        plans, figures = remaining()
        assert plans == {uploads[k] for k in self.KEPT} and figures == {uploads["recent_figures"]}

    def test_command_dry_run_counts_and_deletes_nothing(self, uploads):
        out = StringIO()
        call_command("purge_staged_uploads", "--days", "3", "--dry-run", stdout=out)
        assert (
            "试运行：将删除 4 个超过 3 天未确认的上传" in out.getvalue()
            and "未删除任何内容" in out.getvalue()
        )
        assert sum(map(len, remaining())) == len(uploads)

    def test_command_with_days(self, uploads):
        out = StringIO()
        call_command("purge_staged_uploads", "--days", "7", stdout=out)
        assert "已删除 1 个超过 7 天未确认的上传（导入记录 1 个，指标导入记录 0 个）" in out.getvalue()
        assert uploads["old_refused"] not in remaining()[0]

    def test_nightly_task_uses_the_setting(self, uploads, settings):
        from core.tasks import purge_staged_uploads_task

        settings.STAGED_UPLOAD_KEEP_DAYS = 3
        assert purge_staged_uploads_task.delay().get() == {"导入记录": 3, "指标导入记录": 1}

    def test_beat_runs_it_every_night(self):
        from tuanjian.celery import app

        entry = settings.CELERY_BEAT_SCHEDULE["purge-staged-uploads-nightly"]
        assert entry["task"] == "core.tasks.purge_staged_uploads_task" and entry["task"] in app.tasks
        assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {3}
