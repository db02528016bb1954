"""Celery tasks of the plans app: thin wrappers over the import jobs. A worker stopped in the middle leaves
nothing written (each confirm is one transaction); with late acknowledgement the job runs again."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from .imports import plan_import_run_confirm, plan_import_run_preview


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 3})
def plan_import_preview_task(pk: int) -> str | None:
    staged = plan_import_run_preview(pk=pk)
    return staged.job_state if staged is not None else None


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 3})
def plan_import_confirm_task(pk: int, user_id: int | None = None) -> int | None:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    plan = plan_import_run_confirm(pk=pk, user=user)
    return plan.pk if plan is not None else None
