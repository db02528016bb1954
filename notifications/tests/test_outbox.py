"""The e-mail outbox: a notice's e-mail goes out once, whatever the SMTP server or the sender does — down,
refusing one address, crashing halfway, or two senders at once."""

import smtplib
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from assignments.models import Assignment
from assignments.publishing import plan_publish
from notifications.models import Notification
from notifications.services import EMAIL_MAX_ATTEMPTS, email_retry_delay, notifications_email
from notifications.tasks import send_email_outbox_task
from plans.models import Plan
from plans.services import task_create
from supervision.reminders import send_reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2019, 6, 3)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class UnreachableBackend(BaseEmailBackend):
    """An SMTP server that is not there (the production default before EMAIL_HOST could be set)."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        self.open()


class Crash(BaseException):
    """The sender dies (killed, OOM): nothing of it catches this."""


class CrashingBackend(BaseEmailBackend):
    """Delivers `survive` messages, then the process dies."""

    delivered: list = []
    survive = 2

    def send_messages(self, messages):
        for message in messages:  # one by one, as SMTP does
            if len(CrashingBackend.delivered) >= CrashingBackend.survive:
                raise Crash
            CrashingBackend.delivered.append(message)
        return len(messages)


class RefusingBackend(BaseEmailBackend):
    """Refuses one address; delivers the others (to django.core.mail.outbox)."""

    def send_messages(self, messages):
        for message in messages:
            if message.to == ["bad0@example.org"]:
                raise smtplib.SMTPRecipientsRefused({"bad0@example.org": (550, b"no such user")})
        mail.outbox.extend(messages)
        return len(messages)


class SlowBackend(BaseEmailBackend):
    """Takes a moment per message, so that two senders overlap; records every delivery."""

    delivered: list = []
    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(0.02)
        with SlowBackend.lock:
            SlowBackend.delivered.extend(message.to[0] for message in messages)
        return len(messages)


def notices(make_user, n: int, *, day: date = TODAY, prefix: str = "u") -> list[Notification]:
    users = [make_user(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org") for i in range(n)]
    return Notification.objects.bulk_create(
        Notification(recipient=user, key="k", day=day, title=f"通知 {i}") for i, user in enumerate(users)
    )


def later(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def reminders(tree, make_user):
    """A county reporter whose May report is due on 5 June (supervision/tests/test_reminders.py)."""
    plan = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    task_create(plan=plan, data={"seq": "1", "title": "学社衔接", "schedule_text": "5月底前：摸底"})
    plan_publish(plan=plan, levels=["county"])
    signed = datetime(2019, 4, 1, tzinfo=SHANGHAI)
    Assignment.objects.update(created_at=signed, received_at=signed)
    return make_user(tree.xh, "reporter", email="xh@example.org")


@pytest.mark.django_db
def test_smtp_down_during_the_reminders_keeps_the_e_mail_owed_and_a_later_run_sends_it_once(
    reminders, settings
):
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.UnreachableBackend"
    result = send_reminders(today=TODAY)  # the run neither fails nor loses the e-mail
    assert (result.created, result.emailed) == (1, 0)
    notice = Notification.objects.get()
    assert notice.emailed_at is None and notice.email_attempts == 1
    assert notice.email_error.startswith("ConnectionRefusedError")

    settings.EMAIL_BACKEND = LOCMEM
    assert notifications_email(today=TODAY, now=later(1)) == 0  # backing off
    assert notifications_email(today=TODAY, now=later(11)) == 1  # the outbox job, ten minutes on
    assert [m.to for m in mail.outbox] == [["xh@example.org"]]
    assert notifications_email(today=TODAY, now=later(60)) == 0
    again = send_reminders(today=TODAY)  # and the reminder job run again sends nothing twice
    assert (again.created, again.emailed) == (0, 0) and len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None and notice.email_error == ""


@pytest.mark.django_db
def test_smtp_down_tries_one_message_per_run_and_leaves_the_others_untried(make_user, settings):
    notices(make_user, 3)
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.UnreachableBackend"
    assert notifications_email(today=TODAY) == 0
    attempts = list(Notification.objects.order_by("id").values_list("email_attempts", "email_retry_at"))
    assert [a for a, _ in attempts] == [1, 0, 0] and attempts[1][1] is None  # only the one tried counts
    settings.EMAIL_BACKEND = LOCMEM
    assert notifications_email(today=TODAY) == 2  # the untried ones at the next run; the first backs off
    assert notifications_email(today=TODAY, now=later(11)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["u0@example.org", "u1@example.org", "u2@example.org"]


@pytest.mark.django_db
def test_a_sender_dying_mid_batch_and_run_again_sends_nothing_twice(make_user, settings):
    notices(make_user, 5)
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.CrashingBackend"
    CrashingBackend.delivered = []
    with pytest.raises(Crash):
        notifications_email(today=TODAY)
    assert len(CrashingBackend.delivered) == 2
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2  # each marked once sent

    settings.EMAIL_BACKEND = LOCMEM
    assert notifications_email(today=TODAY) == 0  # run again at once: the dead run's claim still holds
    assert notifications_email(today=TODAY, now=later(11)) == 3  # then the rest, once
    assert notifications_email(today=TODAY, now=later(120)) == 0
    sent = [m.to[0] for m in CrashingBackend.delivered] + [m.to[0] for m in mail.outbox]
    assert sorted(sent) == [f"u{i}@example.org" for i in range(5)]


@pytest.mark.django_db
def test_a_refused_address_fails_alone_and_is_given_up_after_the_last_try(make_user, settings, caplog):
    notices(make_user, 1, prefix="bad")
    notices(make_user, 2, prefix="ok")
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.RefusingBackend"
    assert notifications_email(today=TODAY) == 2  # the others go out in the same run
    bad = Notification.objects.get(recipient__username="bad0")
    assert bad.email_attempts == 1 and "SMTPRecipientsRefused" in bad.email_error

    now = timezone.now()
    for attempt in range(2, EMAIL_MAX_ATTEMPTS + 1):
        now += email_retry_delay(attempt - 1) + timedelta(seconds=1)
        assert notifications_email(today=TODAY, now=now) == 0
    bad.refresh_from_db()
    assert bad.email_attempts == EMAIL_MAX_ATTEMPTS and bad.emailed_at is None
    assert "given up" in caplog.text
    assert notifications_email(today=TODAY, now=now + timedelta(days=1)) == 0  # not tried any more
    assert Notification.objects.get(pk=bad.pk).email_attempts == EMAIL_MAX_ATTEMPTS
    assert email_retry_delay(1) == timedelta(minutes=10) and email_retry_delay(20) == timedelta(hours=6)


@pytest.mark.django_db
def test_the_outbox_job_sends_recent_notices_only_and_skips_users_without_an_address(make_user):
    notices(make_user, 1, day=timezone.localdate(), prefix="new")
    notices(make_user, 1, day=timezone.localdate() - timedelta(days=5), prefix="old")
    Notification.objects.create(recipient=make_user(username="nomail"), key="k", day=timezone.localdate())
    assert send_email_outbox_task.delay().get() == 1
    assert [m.to for m in mail.outbox] == [["new0@example.org"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_e_mail_once(make_user, settings, monkeypatch):
    notices(make_user, 40)
    monkeypatch.setattr("notifications.services.EMAIL_BATCH", 5)  # the two take turns claiming batches
    settings.EMAIL_BACKEND = "notifications.tests.test_outbox.SlowBackend"
    SlowBackend.delivered = []
    counts = []

    def send():
        try:
            counts.append(notifications_email(today=TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(counts) == 40 and sorted(SlowBackend.delivered) == sorted(
        f"u{i}@example.org" for i in range(40)
    )
