"""The daily reminder scan (催办) and in-app notifications.

Reminders are found by a scan of today's state, never scheduled as days-long countdowns, and written
with one INSERT that ignores conflicts on (recipient, key, day): running the job twice sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Membership, Organisation

from .models import Assignment, AssignmentEvent, AssignmentMilestone, Notification, ProgressReport
from .reporting import MONTHS_PER, period_bounds, previous_period, report_deadline

REMINDER_LOCK_KEY = 73_012_262
DUE_WARNING_DAYS = 3
EMAIL_BATCH = 500


@dataclass
class ReminderResult:
    today: date
    created: int
    emailed: int

    def as_dict(self) -> dict:
        return {"today": self.today.isoformat(), "created": self.created, "emailed": self.emailed}


def _users_by_org(org_ids, roles) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=org_ids, role__in=roles, user__is_active=True
    ).values_list("organisation_id", "user_id"):
        found.setdefault(org_id, []).append(user_id)
    return found


def _report_reminders(today: date, late: list) -> list[Notification]:
    """Reporters: this month's report due within a few days, and last month's not sent after its deadline."""
    notices = []
    checks = []
    # The report that matters is the previous period's, due a few days into the current one.
    for frequency in MONTHS_PER:
        previous = previous_period(today, frequency)
        deadline = report_deadline(previous)
        if today <= deadline and (deadline - today).days <= DUE_WARNING_DAYS:
            checks.append(
                (frequency, previous, "report_due", f"请在 {deadline:%m月%d日} 前报送 {previous} 进度")
            )
        elif today > deadline:
            checks.append((frequency, previous, "report_late", f"{previous} 进度报告已逾期未报，请尽快报送"))
    for frequency, period, kind, title in checks:
        sent = ProgressReport.objects.filter(
            assignment=OuterRef("pk"),
            period=period,
            status__in=[ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED],
        )
        _, period_end = period_bounds(period)
        missing = Assignment.objects.filter(
            status=Assignment.Status.ASSIGNED,
            created_at__date__lte=period_end,
            plan__report_frequency=frequency,
        ).exclude(Exists(sent))
        # One notice a reporter, counting that organisation's missing reports (one grouped query).
        per_org = dict(
            missing.order_by()
            .values("organisation_id")
            .annotate(n=Count("id"))
            .values_list("organisation_id", "n")
        )
        reporters = _users_by_org(per_org, ["reporter"])
        url = reverse("plans:my")
        for org_id, n in per_org.items():
            for user_id in reporters.get(org_id, []):
                notices.append(
                    Notification(
                        recipient_id=user_id,
                        key=f"{kind}:{org_id}:{period}",
                        day=today,
                        title=title,
                        body=f"共 {n} 项任务",
                        url=url,
                    )  # fmt: skip
                )
        if kind == "report_late":
            late.append((period, missing))
    return notices


def _review_reminders(today: date) -> list[Notification]:
    """Reviewers: one notice a day per issuing organisation with reports waiting."""
    waiting = (
        ProgressReport.objects.filter(status=ProgressReport.Status.SUBMITTED)
        .values("assignment__task__organisation_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["assignment__task__organisation_id"]: row["n"] for row in waiting}
    editors = _users_by_org(counts, ["editor", "admin"])
    url = reverse("plans:review_queue")
    return [
        Notification(
            recipient_id=user_id, key=f"review:{org_id}", day=today, title=f"有 {n} 份进度报告待审核", url=url
        )
        for org_id, n in counts.items()
        for user_id in editors.get(org_id, [])
    ]


def _overdue_digest(today: date) -> list[Notification]:
    """Viewers, on Mondays: how many milestones of their subtree are overdue (one grouped query)."""
    if today.weekday() != 0:
        return []
    viewers = list(
        Membership.objects.filter(role="viewer", user__is_active=True).select_related("organisation")
    )
    if not viewers:
        return []
    orgs = {m.organisation_id: m.organisation for m in viewers}
    table, am, asg = (
        Organisation._meta.db_table,
        AssignmentMilestone._meta.db_table,
        Assignment._meta.db_table,
    )
    ids = list(orgs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, COUNT(*) FROM {table} c JOIN {table} o ON o.tree_id = c.tree_id "
            f"AND o.lft BETWEEN c.lft AND c.rght JOIN {asg} a ON a.organisation_id = o.id "
            f"JOIN {am} m ON m.assignment_id = a.id WHERE m.status = 'overdue' "
            f"AND c.id IN ({', '.join(['%s'] * len(ids))}) GROUP BY c.id",
            ids,
        )
        overdue = dict(cursor.fetchall())
    week = today.isocalendar()
    return [
        Notification(
            recipient_id=m.user_id,
            key=f"digest:{m.organisation_id}:{week.year}W{week.week:02d}",
            day=today,
            title=f"本周逾期提醒：{m.organisation.name} 有 {overdue[m.organisation_id]} 个时间节点已逾期",
            url=reverse("plans:my"),
        )  # fmt: skip
        for m in viewers
        if overdue.get(m.organisation_id)
    ]


def _send_emails(today: date) -> int:
    """E-mail today's notices not yet e-mailed, in batches over one connection."""
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(day=today, emailed_at__isnull=True)
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
                )
                for n in batch
            ]
            get_connection().send_messages(messages)
            Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=timezone.now())
            sent += len(batch)


def send_reminders(*, today: date) -> ReminderResult:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REMINDER_LOCK_KEY])
        late: list = []
        notices = _report_reminders(today, late) + _review_reminders(today) + _overdue_digest(today)
        sent_today = set(Notification.objects.filter(day=today).values_list("recipient_id", "key"))
        fresh = [n for n in notices if (n.recipient_id, n.key) not in sent_today]
        # ignore_conflicts: a second worker racing this one cannot create a duplicate either.
        Notification.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
        created = len(fresh)
        for period, missing in late:
            _record_reminded(period, missing)
    return ReminderResult(today, created, _send_emails(today))


def _record_reminded(period: str, missing) -> None:
    """The timeline shows one 催办 per assignment and period, however often the reporters are reminded."""
    comment = f"{period} 进度逾期未报，系统催办"
    already = AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.REMINDED, comment=comment)
    ids = missing.exclude(pk__in=already.values("assignment_id")).values_list("id", flat=True)
    AssignmentEvent.objects.bulk_create(
        (
            AssignmentEvent(assignment_id=pk, kind=AssignmentEvent.Kind.REMINDED, comment=comment)
            for pk in ids
        ),
        batch_size=5000,
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
