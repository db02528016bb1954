"""Celery tasks of core: sending the jobs requests could not queue."""

from celery import shared_task

from .jobs import pending_jobs_run


@shared_task
def pending_jobs_task() -> int:
    """Every few minutes: the jobs recorded while the broker was down (idempotent: each job is)."""
    return pending_jobs_run()


@shared_task
def purge_staged_uploads_task() -> dict:
    """Nightly: the files of uploads never confirmed within STAGED_UPLOAD_KEEP_DAYS leave the database."""
    from django.conf import settings

    from .staging import staged_uploads_purge

    return staged_uploads_purge(days=settings.STAGED_UPLOAD_KEEP_DAYS)
