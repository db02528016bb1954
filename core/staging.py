"""Uploads that are previewed before anything is written: store the file and its preview, then confirm
exactly that.

Confirm re-reads the stored file and refuses when the preview it gives now differs from the one the user
saw (the data or the user's rights changed meanwhile), when the file was altered, or when it was already
confirmed; the commit runs in the same transaction as those checks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .actors import actor

T = TypeVar("T")


class CompactJSONEncoder(DjangoJSONEncoder):
    """Chinese text stored as itself, not as \\uXXXX escapes: a third of the size, and of the memory."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class JobState(models.TextChoices):
    """Where the upload's background work stands. Previews and confirms of big files run on a worker."""

    PREVIEWING = "previewing", "正在读取和预览"
    READY = "ready", "预览就绪"
    CONFIRMING = "confirming", "正在导入"
    DONE = "done", "已导入"
    FAILED = "failed", "文件被拒绝"


RUNNING = (JobState.PREVIEWING, JobState.CONFIRMING)


class StagedUpload(models.Model):
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    preview = models.JSONField(default=dict, encoder=CompactJSONEncoder)
    # The preview's fingerprint, so that confirm can compare without loading a preview of 20,000 tasks.
    preview_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    job_state = models.CharField("处理状态", max_length=12, choices=JobState.choices, default=JobState.READY)
    job_message = models.TextField("处理说明", blank=True)
    job_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.job_state in RUNNING

    def is_stale(self, seconds: int) -> bool:
        """A job that should have finished long ago: its worker was stopped or killed. Nothing of it was
        written (confirm runs in one transaction), so it can be started again."""
        started = self.job_started_at
        running_for = (timezone.now() - started).total_seconds() if started is not None else 0
        return self.is_running and running_for > seconds


def preview_digest(preview: dict) -> str:
    """sha256 of the preview's canonical JSON, streamed: no copy of a large preview as one string."""
    digest = hashlib.sha256()
    for chunk in json.JSONEncoder(sort_keys=True, ensure_ascii=False).iterencode(preview):
        digest.update(chunk.encode())
    return digest.hexdigest()


def upload_stage(model: type[StagedUpload], *, filename: str, content: bytes, preview: dict, user=None,
                 digest: Callable[[dict], str] = preview_digest, **fields) -> StagedUpload:  # fmt: skip
    """Step one: keep the upload with its preview; nothing else is written."""
    return model.objects.create(
        filename=(filename or "upload")[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        preview=preview,
        preview_sha256=digest(preview) if preview else "",
        created_by=actor(user),
        **fields,
    )


def upload_confirm(
    staged: StagedUpload,
    *,
    preview: Callable[[bytes], dict],
    commit: Callable[[StagedUpload, dict], T],
    digest: Callable[[dict], str] = preview_digest,
) -> T:
    """Step two: recompute the preview from the stored file, check it is the one shown, and commit it."""
    with transaction.atomic():
        staged = type(staged).objects.select_for_update().defer("preview").get(pk=staged.pk)
        if staged.confirmed_at is not None:
            raise ValidationError("该文件已经导入过了")
        content = bytes(staged.content)
        if hashlib.sha256(content).hexdigest() != staged.sha256:
            raise ValidationError("暂存的文件已损坏，请重新上传")
        shown = staged.preview_sha256 or digest(staged.preview)
        current = preview(content)
        if digest(current) != shown:
            raise ValidationError("预览之后数据已被修改（或您的权限有变化），请重新上传并核对预览")
        result = commit(staged, current)
        staged.confirmed_at = timezone.now()
        staged.save()
    return result


def staged_upload_models() -> list[type[StagedUpload]]:
    """Every concrete staged-upload model, found in the app registry (core imports no app)."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, StagedUpload)]


def staged_uploads_purge(*, days: int, dry_run: bool = False, now=None) -> dict[str, int]:
    """Delete the uploads never confirmed (previewed and left, or refused) more than `days` days ago: each
    holds a whole file. A job still running on one (started again lately) keeps it. Confirmed uploads stay
    as the record of what was imported. Returns the count per model's verbose name."""
    now = now or timezone.now()
    running = models.Q(job_state__in=RUNNING) & models.Q(
        job_started_at__gte=now - timedelta(seconds=settings.IMPORT_JOB_TIMEOUT_SECONDS)
    )
    counts = {}
    for model in staged_upload_models():
        old = model.objects.filter(confirmed_at__isnull=True, created_at__lt=now - timedelta(days=days))
        old = old.exclude(running)
        if dry_run:
            counts[str(model._meta.verbose_name)] = old.count()
            continue
        deleted = 0
        while pks := list(old.values_list("pk", flat=True)[:500]):  # never loads the files themselves
            deleted += model.objects.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)
        counts[str(model._meta.verbose_name)] = deleted
    return counts
