"""Sending notices: in the app at once (the bell), by e-mail through an outbox (the notices themselves)."""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

EMAIL_BATCH = 100
EMAIL_MAX_ATTEMPTS = 8  # with the backoff below, about 16 hours of trying
EMAIL_MAX_AGE_DAYS = 3  # an older notice is not e-mailed any more (a reminder days late); the bell keeps it
EMAIL_RETRY_FIRST = timedelta(minutes=10)
EMAIL_RETRY_MAX = timedelta(hours=6)
# The message's own fault (an address refused, a malformed one): the next message may well go out.
PER_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, ValueError)


def notifications_create(notices: list[Notification], *, day: date) -> int:
    """Write the notices not yet sent today (one per recipient and key); returns how many are new."""
    sent_today = set(Notification.objects.filter(day=day).values_list("recipient_id", "key"))
    fresh = [n for n in notices if (n.recipient_id, n.key) not in sent_today]
    # ignore_conflicts: a second worker racing this one cannot create a duplicate either.
    Notification.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    return len(fresh)


def email_retry_delay(attempts: int) -> timedelta:
    """10 minutes after the first try, then 20, 40 … at most 6 hours. The first is longer than a batch
    takes to send: a try holds its claim on the notice that long."""
    return min(EMAIL_RETRY_FIRST * 2 ** (attempts - 1), EMAIL_RETRY_MAX)


def _outbox(*, now: datetime, today: date):
    """Notices whose e-mail is still owed and may be tried now."""
    return (
        Notification.objects.filter(
            emailed_at__isnull=True,
            email_attempts__lt=EMAIL_MAX_ATTEMPTS,
            day__gte=today - timedelta(days=EMAIL_MAX_AGE_DAYS),
        )
        .filter(Q(email_retry_at__isnull=True) | Q(email_retry_at__lte=now))
        .exclude(recipient__email="")
    )


def _claim(*, now: datetime, today: date) -> list[Notification]:
    """Take a batch: count the try and push the next one back, committed before anything is sent, so a
    sender that dies halfway leaves the rest of its batch to a later run, never to a parallel one."""
    with transaction.atomic():
        batch = list(
            _outbox(now=now, today=today)
            .select_for_update(skip_locked=True, of=("self",))  # rows another sender is claiming
            .select_related("recipient")
            .order_by("id")[:EMAIL_BATCH]
        )
        by_attempts: dict[int, list[int]] = {}
        for notice in batch:
            notice.previous_retry_at = notice.email_retry_at
            notice.email_attempts += 1
            by_attempts.setdefault(notice.email_attempts, []).append(notice.pk)
        for attempts, pks in by_attempts.items():
            Notification.objects.filter(pk__in=pks).update(
                email_attempts=attempts, email_retry_at=now + email_retry_delay(attempts)
            )
    return batch


def _message(notice: Notification) -> EmailMessage:
    return EmailMessage(
        f"【团建督办】{notice.title}",
        f"{notice.body}\n{notice.url}".strip(),
        settings.DEFAULT_FROM_EMAIL,
        [notice.recipient.email],
    )


def _failed(notice: Notification, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    Notification.objects.filter(pk=notice.pk).update(email_error=error)
    if notice.email_attempts >= EMAIL_MAX_ATTEMPTS:
        logger.error(
            "e-mail of notice %s given up after %s tries: %s", notice.pk, notice.email_attempts, error
        )
    else:
        logger.warning("e-mail of notice %s failed (try %s): %s", notice.pk, notice.email_attempts, error)


def _release(batch: list[Notification]) -> None:
    """Notices claimed but not tried: as they were."""
    for notice in batch:
        Notification.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(
            email_attempts=notice.email_attempts - 1, email_retry_at=notice.previous_retry_at
        )


def notifications_email(*, today: date | None = None, now: datetime | None = None) -> int:
    """Send the e-mail outbox: the notices of the last few days not yet e-mailed, in batches over one
    connection; returns how many went out. Each is marked sent right after it is sent, so a run that
    crashes and runs again sends nothing twice (except, at worst, the one message in flight). A failure
    is recorded on the notice and tried again later, with backoff, up to EMAIL_MAX_ATTEMPTS times; the
    in-app notice is there whatever happens to the e-mail."""
    today = today or timezone.localdate()
    sent = 0
    connection = get_connection()
    try:
        while True:
            batch = _claim(now=now or timezone.now(), today=today)
            if not batch:
                return sent
            for i, notice in enumerate(batch):
                try:
                    connection.open()  # once: send_messages on an open connection keeps it open
                    connection.send_messages([_message(notice)])
                except PER_MESSAGE_ERRORS as exc:
                    _failed(notice, exc)
                except Exception as exc:  # the server unreachable, timing out, breaking off …
                    _failed(notice, exc)
                    # … so the rest would fail alike: it was not tried, and waits for the next run.
                    _release(batch[i + 1 :])
                    return sent
                else:
                    Notification.objects.filter(pk=notice.pk).update(
                        emailed_at=timezone.now(), email_error=""
                    )
                    sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # a server that broke off while saying goodbye: everything sent is marked
            logger.warning("closing the e-mail connection failed", exc_info=True)


def notifications_mark_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
