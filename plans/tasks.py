"""Celery tasks of the plans app: thin wrappers over services."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .status import refresh_statuses


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def refresh_statuses_task(today: str | None = None, plan_id: int | None = None) -> dict:
    """Hourly, and after every review: bring statuses up to today (idempotent, serialised by a lock)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return refresh_statuses(today=day, plan_id=plan_id).as_dict()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def send_reminders_task(today: str | None = None) -> dict:
    """Daily: the reminder scan. Safe to run twice or on two workers: nobody is reminded twice a day."""
    from .reminders import send_reminders

    day = date.fromisoformat(today) if today else timezone.localdate()
    return send_reminders(today=day).as_dict()
