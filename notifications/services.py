"""Sending notices: in the app at once (the bell), by e-mail in batches."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from .models import Notification

EMAIL_BATCH = 500


def notifications_create(notices: list[Notification], *, day: date) -> int:
    """Write the notices not yet sent today (one per recipient and key); returns how many are new."""
    sent_today = set(Notification.objects.filter(day=day).values_list("recipient_id", "key"))
    fresh = [n for n in notices if (n.recipient_id, n.key) not in sent_today]
    # ignore_conflicts: a second worker racing this one cannot create a duplicate either.
    Notification.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    return len(fresh)


def notifications_email(*, day: date) -> int:
    """E-mail the day's notices not yet e-mailed, in batches over one connection."""
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(day=day, emailed_at__isnull=True)
                .order_by("id")
                .exclude(recipient__email="")
                .select_related("recipient")[:EMAIL_BATCH]
            )
            if not batch:
                return sent
            messages = [
                EmailMessage(
                    f"【团建督办】{n.title}",
                    f"{n.body}\n{n.url}".strip(),
                    settings.DEFAULT_FROM_EMAIL,
                    [n.recipient.email],
                )  # fmt: skip
                for n in batch
            ]
            get_connection().send_messages(messages)
            Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=timezone.now())
            sent += len(batch)


def notifications_mark_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
