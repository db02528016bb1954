"""The daily reminder scan (催办).

Reminders are found by a scan of today's state, never scheduled as days-long countdowns, and written once
per person, item and day (notifications.services): running the job twice sends nothing twice. Who is
reminded of what waits for review comes from orgtree's action table (`holders`), the same rule that lets
them review it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse

from assignments.models import Assignment, AssignmentEvent, AssignmentMilestone, ProgressStatus
from core.locks import LockKey, advisory_lock
from core.periods import current_period
from notifications.models import Notification
from notifications.services import notifications_create, notifications_email
from orgtree.models import Membership
from orgtree.querysets import holders
from orgtree.subtree import subtree_sql
from plans.models import ReportFrequency
from reporting.models import ProgressReport

DUE_WARNING_DAYS = 3


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
    """Reporters: the last period's report due within a few days, or not sent after its deadline."""
    notices = []
    for frequency in ReportFrequency.values:
        # The report that matters is the previous period's, due a few days into the current one.
        period = current_period(frequency, today).previous
        deadline = period.deadline
        if today <= deadline and (deadline - today).days <= DUE_WARNING_DAYS:
            kind, title = "report_due", f"请在 {deadline:%m月%d日} 前报送 {period.code} 进度"
        elif today > deadline:
            kind, title = "report_late", f"{period.code} 进度报告已逾期未报，请尽快报送"
        else:
            continue
        sent = ProgressReport.objects.filter(
            assignment=OuterRef("pk"),
            period=period.code,
            status__in=[ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED],
        )
        missing = Assignment.objects.filter(
            status=Assignment.Status.ASSIGNED,
            created_at__date__lte=period.end,
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
        url = reverse("reporting:my")
        for org_id, n in per_org.items():
            for user_id in reporters.get(org_id, []):
                key = f"{kind}:{org_id}:{period.code}"
                notices.append(
                    Notification(
                        recipient_id=user_id, key=key, day=today, title=title, body=f"共 {n} 项任务", url=url
                    )
                )
        if kind == "report_late":
            late.append((period.code, missing))
    return notices


def _review_reminders(today: date) -> list[Notification]:
    """Everyone who may review (orgtree's "review" action): one notice a day counting the submitted
    reports waiting within their reach."""
    waiting = dict(
        ProgressReport.objects.filter(status=ProgressReport.Status.SUBMITTED)
        .order_by()
        .values("assignment__task__organisation_id")
        .annotate(n=Count("id"))
        .values_list("assignment__task__organisation_id", "n")
    )
    per_user: dict[int, int] = {}
    for org_id, users in holders("review", waiting).items():
        for user_id in users:
            per_user[user_id] = per_user.get(user_id, 0) + waiting[org_id]
    url = reverse("reporting:review_queue")
    return [
        Notification(recipient_id=user_id, key="review", day=today, title=f"有 {n} 份进度报告待审核", url=url)
        for user_id, n in per_user.items()
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
    orgs, am, asg = "orgtree_organisation", AssignmentMilestone._meta.db_table, Assignment._meta.db_table
    ids = sorted({m.organisation_id for m in viewers})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, COUNT(*) FROM {orgs} c JOIN {orgs} o ON {subtree_sql('o', 'c')} "
            f"JOIN {asg} a ON a.organisation_id = o.id JOIN {am} m ON m.assignment_id = a.id "
            f"WHERE m.progress = %s AND c.id IN ({', '.join(['%s'] * len(ids))}) GROUP BY c.id",
            [ProgressStatus.OVERDUE, *ids],
        )
        overdue = dict(cursor.fetchall())
    week = today.isocalendar()
    return [
        Notification(
            recipient_id=m.user_id,
            key=f"digest:{m.organisation_id}:{week.year}W{week.week:02d}",
            day=today,
            title=f"本周逾期提醒：{m.organisation.name} 有 {overdue[m.organisation_id]} 个时间节点已逾期",
            url=reverse("supervision:dashboard") + f"?org={m.organisation_id}",
        )  # fmt: skip
        for m in viewers
        if overdue.get(m.organisation_id)
    ]


def send_reminders(*, today: date) -> ReminderResult:
    with transaction.atomic():
        advisory_lock(LockKey.REMINDERS)
        late: list = []
        notices = _report_reminders(today, late) + _review_reminders(today) + _overdue_digest(today)
        created = notifications_create(notices, day=today)
        for period, missing in late:
            _record_reminded(period, missing)
    return ReminderResult(today, created, notifications_email(day=today))


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
