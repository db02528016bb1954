"""Celery tasks of supervision: thin wrappers over the status engine and the reminder scan."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .board import warm_country_board
from .reminders import send_reminders
from .status import refresh_statuses


def _day(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def refresh_statuses_task(
    today: str | None = None, plan_id: int | None = None, within_id: int | None = None
) -> dict:
    """Hourly, after progress changes, and on a leader's request for their subtree: bring statuses up to
    today (idempotent, serialised by a lock). After the hourly run, the country's board is counted again
    here rather than by the first leader who opens it."""
    result = refresh_statuses(today=_day(today), plan_id=plan_id, within_id=within_id)
    if plan_id is None and within_id is None:
        warm_country_board()
    return result.as_dict()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_kwargs={"max_retries": 5})
def send_reminders_task(today: str | None = None) -> dict:
    """Daily: the reminder scan. Safe to run twice or on two workers: nobody is reminded twice a day."""
    return send_reminders(today=_day(today)).as_dict()
