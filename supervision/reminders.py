"""The daily reminder scan (催办).

Reminders are found by a scan of today's state, never scheduled as days-long countdowns, and written once
per person, item and day (notifications.services): running the job twice sends nothing twice. Who hears
of what: the people who answer for an assignment (assignments.selectors.responsible_users: the receiving
organisation's reporters, or the department's members), its 参与部门 for their contribution only, the
receiving leaders when something is late, and whoever may review (orgtree's action table, `holders`).

- 报送: the last period's report, at the cadence of the task (or plan), only for periods inside the plan;
- 配合: the 参与部门's contribution for that period;
- 待审核: reports and extension requests waiting for the issuing side;
- 签收: assignments not signed for within the plan's days;
- 逾期: a milestone that has become overdue — once, to its people and their leaders (系统催办);
- 督办: an assignment whose 督办单 rose (黄牌, 红牌) — once per level;
- Mondays: the leaders' digest of what is overdue in their subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse

from assignments.models import (
    Assignment,
    AssignmentContributor,
    AssignmentEvent,
    AssignmentMilestone,
    Escalation,
    ExtensionRequest,
    ProgressStatus,
)
from assignments.notices import assignment_url
from assignments.selectors import leaders, responsible_users
from assignments.services import events_record
from core.locks import LockKey, advisory_lock
from core.periods import current_period
from notifications.models import Notification
from notifications.services import notifications_create, notifications_email
from orgtree.models import Membership
from orgtree.querysets import holders
from orgtree.subtree import subtree_sql
from plans.models import Plan, ReportFrequency
from reporting.models import Contribution, ProgressReport

DUE_WARNING_DAYS = 3
CALENDAR_CADENCES = [
    ReportFrequency.MONTH,
    ReportFrequency.QUARTER,
    ReportFrequency.HALF,
    ReportFrequency.YEAR,
]


@dataclass
class ReminderResult:
    today: date
    created: int
    emailed: int

    def as_dict(self) -> dict:
        return {"today": self.today.isoformat(), "created": self.created, "emailed": self.emailed}


def _notices(per_user: dict[int, tuple[str, str, str, str]], today: date) -> list[Notification]:
    return [
        Notification(recipient_id=user, key=key[:80], day=today, title=title[:200], body=body, url=url)
        for user, (key, title, body, url) in per_user.items()
    ]


def reporting_due(frequency: str, period) -> Q:
    """Open assignments that owe a report of this cadence for this period: the task's cadence (or its
    plan's), a plan running that year and not archived, handed over before the period ended."""
    cadence = Q(task__report_frequency=frequency) | Q(
        task__report_frequency="", plan__report_frequency=frequency
    )
    return (
        cadence
        & Q(status=Assignment.Status.ASSIGNED, created_at__date__lte=period.end)
        & Q(plan__start_year__lte=period.year, plan__end_year__gte=period.year)
        & ~Q(plan__status=Plan.Status.ARCHIVED)
    )


def _window(frequency: str, today: date):
    """The period whose report matters today, and whether it is due soon or late (None: neither)."""
    period = current_period(frequency, today).previous
    if today <= period.deadline and (period.deadline - today).days <= DUE_WARNING_DAYS:
        return period, "due"
    if today > period.deadline:
        return period, "late"
    return period, None


def _report_reminders(today: date, late: list) -> list[Notification]:
    """Reporters: the last period's report due within a few days, or not sent after its deadline."""
    notices = []
    for frequency in CALENDAR_CADENCES:
        period, state = _window(frequency, today)
        if state is None:
            continue
        if state == "due":
            kind, title = "report_due", f"请在 {period.deadline:%m月%d日} 前报送 {period.code} 进度"
        else:
            kind, title = "report_late", f"{period.code} 进度报告已逾期未报，请尽快报送"
        sent = ProgressReport.objects.filter(
            assignment=OuterRef("pk"),
            period=period.code,
            status__in=[ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED],
        )
        missing = Assignment.objects.filter(reporting_due(frequency, period)).exclude(Exists(sent))
        counts = missing.order_by().values("organisation_id", "department_id").annotate(n=Count("id"))
        per_pair = {(o, d): n for o, d, n in counts.values_list("organisation_id", "department_id", "n")}
        url = reverse("reporting:my")
        for (org_id, department_id), users in responsible_users(per_pair).items():
            n = per_pair[(org_id, department_id)]
            key = f"{kind}:{org_id}:{department_id or 0}:{period.code}"
            notices += [
                Notification(recipient_id=u, key=key, day=today, title=title, body=f"共 {n} 项任务", url=url)
                for u in users
            ]
        if kind == "report_late":
            late.append((period.code, missing))
    return notices


def _contribution_reminders(today: date) -> list[Notification]:
    """参与部门: their contribution to the lead's report for the last period, due or late."""
    notices = []
    for frequency in CALENDAR_CADENCES:
        period, state = _window(frequency, today)
        if state is None:
            continue
        given = Contribution.objects.filter(
            assignment_id=OuterRef("assignment_id"),
            department_id=OuterRef("department_id"),
            period=period.code,
        )
        owed = AssignmentContributor.objects.filter(
            assignment__in=Assignment.objects.filter(reporting_due(frequency, period))
        ).exclude(Exists(given))
        per_department = dict(
            owed.order_by().values("department_id").annotate(n=Count("id")).values_list("department_id", "n")
        )
        if not per_department:
            continue
        verb = f"请在 {period.deadline:%m月%d日} 前报送" if state == "due" else "已逾期，请尽快报送"
        members = Membership.objects.filter(department_id__in=per_department, user__is_active=True)
        for department_id, user_id in members.values_list("department_id", "user_id"):
            key = f"contribution_{state}:{department_id}:{period.code}"
            title = f"{period.code} 配合情况{verb}"
            body = f"共 {per_department[department_id]} 项任务"
            notices.append(Notification(recipient_id=user_id, key=key, day=today, title=title, body=body,
                                        url=reverse("reporting:my")))  # fmt: skip
    return notices


def _review_reminders(today: date) -> list[Notification]:
    """Everyone who may review (orgtree's "review" action): one notice a day counting the reports and
    extension requests waiting within their reach."""
    waiting: dict[int, int] = {}
    for org_id, n in (
        ProgressReport.objects.filter(status=ProgressReport.Status.SUBMITTED)
        .order_by()
        .values("assignment__issuer_id")
        .annotate(n=Count("id"))
        .values_list("assignment__issuer_id", "n")
    ):
        waiting[org_id] = waiting.get(org_id, 0) + n
    for org_id, n in (
        ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING)
        .order_by()
        .values("assignment_milestone__assignment__issuer_id")
        .annotate(n=Count("id"))
        .values_list("assignment_milestone__assignment__issuer_id", "n")
    ):
        waiting[org_id] = waiting.get(org_id, 0) + n
    per_user: dict[int, int] = {}
    for org_id, users in holders("review", waiting).items():
        for user_id in users:
            per_user[user_id] = per_user.get(user_id, 0) + waiting[org_id]
    url = reverse("reporting:review_queue")
    return [
        Notification(recipient_id=user_id, key="review", day=today,
                     title=f"有 {n} 项待审核（进度报告、延期申请）", url=url)
        for user_id, n in per_user.items()
    ]  # fmt: skip


def _sign_reminders(today: date) -> list[Notification]:
    """签收: assignments not signed for within their plan's days."""
    per_pair: dict[tuple[int, int | None], int] = {}
    for days in (
        Plan.objects.filter(assignments__received_at__isnull=True)
        .values_list("sign_within_days", flat=True)
        .distinct()
    ):
        unsigned = Assignment.objects.filter(
            status=Assignment.Status.ASSIGNED, received_at__isnull=True, plan__sign_within_days=days,
            created_at__date__lt=today - timedelta(days=days),
        )  # fmt: skip
        for org, department, n in (
            unsigned.order_by().values("organisation_id", "department_id").annotate(n=Count("id"))
            .values_list("organisation_id", "department_id", "n")
        ):  # fmt: skip
            per_pair[(org, department)] = per_pair.get((org, department), 0) + n
    notices = []
    for (org, department), users in responsible_users(per_pair).items():
        key = f"sign_late:{org}:{department or 0}"
        title = f"有 {per_pair[(org, department)]} 项交办已超过签收时限，请尽快签收"
        notices += [Notification(recipient_id=u, key=key, day=today, title=title, url=reverse("reporting:my"))
                    for u in users]  # fmt: skip
    return notices


def _newly_overdue() -> dict[int, int]:
    """Open assignments with milestones that became overdue and were not yet 催办: id → how many."""
    return dict(
        AssignmentMilestone.objects.filter(
            progress=ProgressStatus.OVERDUE,
            overdue_noticed_on__isnull=True,
            ended="",
            assignment__status=Assignment.Status.ASSIGNED,
        )  # fmt: skip
        .order_by()
        .values("assignment_id")
        .annotate(n=Count("id"))
        .values_list("assignment_id", "n")
    )


def _per_person(items: dict[int, tuple[str, int]], people: dict[int, set[int]], *, key: str, label: str,
                body, today: date, url: str) -> list[Notification]:  # fmt: skip
    """One notice per person however many items reached them today: the item itself when it is one, else
    how many, the first titles, and the list to work from."""
    per_user: dict[int, list[int]] = {}
    for pk, users in people.items():
        for user in users:
            per_user.setdefault(user, []).append(pk)
    notices = []
    for user, pks in per_user.items():
        pks.sort()
        if len(pks) == 1:
            pk = pks[0]
            title, n = items[pk]
            notices.append(Notification(
                recipient_id=user, key=f"{key}:{pk}", day=today, title=f"【{label}】{title[:60]}",
                body=body(n), url=assignment_url(pk),
            ))  # fmt: skip
            continue
        names = "；".join(items[pk][0][:30] for pk in pks[:5]) + ("……" if len(pks) > 5 else "")
        notices.append(Notification(recipient_id=user, key=f"{key}:many", day=today,
                                    title=f"【{label}】{len(pks)} 项任务", body=names, url=url))  # fmt: skip
    return notices


def _overdue_notices(today: date, overdue: dict[int, int]) -> list[Notification]:
    """系统催办: the people of each newly overdue item and their leaders, once."""
    if not overdue:
        return []
    rows = list(
        Assignment.objects.filter(pk__in=overdue).values_list(
            "pk", "organisation_id", "department_id", "task__title"
        )
    )
    people = responsible_users({(org, dept) for _, org, dept, _ in rows})
    bosses = leaders({org for _, org, _, _ in rows})
    items = {pk: (title, overdue[pk]) for pk, _, _, title in rows}
    who = {pk: people.get((org, dept), set()) | bosses.get(org, set()) for pk, org, dept, _ in rows}
    return _per_person(items, who, key="overdue", label="逾期催办", today=today, url=reverse("reporting:my"),
                       body=lambda n: f"{n} 个时间节点已逾期，请尽快办理并报送进度")  # fmt: skip


def _record_overdue(today: date, overdue: dict[int, int]) -> None:
    if not overdue:
        return
    pks = list(overdue)
    events_record(
        pks, AssignmentEvent.Kind.REMINDED, [f"{overdue[pk]} 个时间节点已逾期，系统催办" for pk in pks]
    )
    for chunk in range(0, len(pks), 5000):
        AssignmentMilestone.objects.filter(
            assignment_id__in=pks[chunk : chunk + 5000], progress=ProgressStatus.OVERDUE,
            overdue_noticed_on__isnull=True,
        ).update(overdue_noticed_on=today)  # fmt: skip


def _escalated_untold():
    return (
        Assignment.objects.filter(status=Assignment.Status.ASSIGNED)
        .exclude(escalation="")
        .exclude(escalation=F("escalation_told"))
    )


def _escalation_notices(today: date) -> list[Notification]:
    """督办单: the people of an item that rose a level, its leaders and the issuing office — once per rise."""
    rows = list(
        _escalated_untold().values_list("pk", "organisation_id", "department_id", "issuer_id", "escalation",
                                        "task__title", "overdue_since")
    )  # fmt: skip
    if not rows:
        return []
    people = responsible_users({(org, dept) for _, org, dept, _, _, _, _ in rows})
    bosses = leaders({org for _, org, _, _, _, _, _ in rows} | {issuer for _, _, _, issuer, _, _, _ in rows})
    labels = dict(Escalation.choices)
    notices = []
    for level in (Escalation.YELLOW, Escalation.RED):
        mine = [row for row in rows if row[4] == level]
        items = {pk: (title, (today - since).days if since else 0) for pk, _, _, _, _, title, since in mine}
        who = {
            pk: people.get((org, dept), set()) | bosses.get(org, set()) | bosses.get(issuer, set())
            for pk, org, dept, issuer, _, _, _ in mine
        }
        notices += _per_person(
            items, who, key=f"escalation:{level}", label=labels[level], today=today,
            url=reverse("reporting:my"), body=lambda days: f"已逾期 {days} 天",
        )  # fmt: skip
    return notices


def _record_escalations_told() -> None:
    _escalated_untold().update(escalation_told=F("escalation"))


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
        overdue = _newly_overdue()
        notices = (
            _report_reminders(today, late) + _contribution_reminders(today) + _review_reminders(today)
            + _sign_reminders(today) + _overdue_notices(today, overdue) + _escalation_notices(today)
            + _overdue_digest(today)
        )  # fmt: skip
        created = notifications_create(notices, day=today)
        for period, missing in late:
            _record_reminded(period, missing)
        _record_overdue(today, overdue)
        _record_escalations_told()
    return ReminderResult(today, created, notifications_email(today=today))


def _record_reminded(period: str, missing) -> None:
    """The timeline shows one 催办 per assignment and period, however often the reporters are reminded."""
    comment = f"{period} 进度逾期未报，系统催办"
    already = AssignmentEvent.objects.filter(kind=AssignmentEvent.Kind.REMINDED, comment=comment)
    ids = list(missing.exclude(pk__in=already.values("assignment_id")).values_list("id", flat=True))
    events_record(ids, AssignmentEvent.Kind.REMINDED, [comment] * len(ids))
