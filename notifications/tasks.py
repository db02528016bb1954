"""Celery tasks of notifications: the e-mail outbox."""

from celery import shared_task

from .services import notifications_email


@shared_task
def send_email_outbox_task() -> int:
    """Every few minutes: e-mail the notices not yet e-mailed (idempotent: a notice is e-mailed once)."""
    return notifications_email()
