"""The life of an assignment after publishing: 签收, breakdown down the chain (分解交办) and into sub-tasks,
milestones completed by accepted reports (and by the parts it was broken into), 催办, 延期申请 and its
decision, 退办 and 销号 — each step written to the timeline, and told to the people concerned."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, DateField, Value, When
from django.urls import reverse
from django.utils import timezone

from core import generations
from core.actors import actor
from orgtree.models import Organisation
from orgtree.querysets import holders
from orgtree.subtree import contains
from plans.models import Plan, Task
from plans.services import task_create

from .ancestors import fill_missing
from .models import Assignment, AssignmentEvent, AssignmentMilestone, ExtensionRequest, ProgressStatus
from .notices import assignment_url, notify, notify_received, notify_responsible
from .signals import progress_changed


def event_record(assignment: Assignment, kind: str, user, comment: str = "") -> AssignmentEvent:
    return AssignmentEvent.objects.create(
        assignment=assignment, kind=kind, actor=actor(user), comment=comment[:2000]
    )


def events_record(assignment_ids: list[int], kind: str, comments: list[str]) -> None:
    """One timeline entry per assignment (the system's: no actor); on PostgreSQL one INSERT whatever their
    number — a day's refresh or reminder scan can touch a plan's every receiver."""
    if not assignment_ids:
        return
    if connection.vendor == "postgresql":
        e = AssignmentEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {e} (assignment_id, kind, comment, created_at) "
                "SELECT r.id, %s, r.comment, %s FROM unnest(%s::bigint[], %s::text[]) AS r(id, comment)",
                [kind, timezone.now(), list(assignment_ids), list(comments)],
            )
        return
    AssignmentEvent.objects.bulk_create(
        [AssignmentEvent(assignment_id=pk, kind=kind, comment=comment)
         for pk, comment in zip(assignment_ids, comments, strict=True)],
        batch_size=500,
    )  # fmt: skip


BOARD_PARTS_LIMIT = 1000  # assignments; above this every share of the country's board is recounted


def board_counts_changed(assignment_ids) -> None:
    """What the boards count changed for these assignments: only their provinces' shares of the country's
    board (supervision.board.country_board) are counted again; the boards below count afresh anyway."""
    ids = list(assignment_ids)
    if not ids:
        return
    provinces = set()
    if len(ids) <= BOARD_PARTS_LIMIT:
        provinces = set(Assignment.objects.filter(pk__in=ids).values_list("anc0", flat=True))
    if not provinces or None in provinces:
        generations.renew(generations.ASSIGNMENT_COUNTS)
    else:
        generations.renew_parts(generations.ASSIGNMENT_COUNTS, provinces)


def extensions_waiting_count(assignment_id: int) -> None:
    """The assignment's count of extension requests waiting for a decision, for the boards."""
    waiting = ExtensionRequest.objects.filter(
        assignment_milestone__assignment_id=assignment_id, status=ExtensionRequest.Status.PENDING
    ).count()
    Assignment.objects.filter(pk=assignment_id).update(extensions_waiting=waiting)
    board_counts_changed([assignment_id])


def progress_changed_after_commit(plan_id: int) -> None:
    """Tell the apps that compute states (supervision) once the change is committed."""
    transaction.on_commit(lambda: progress_changed.send(sender=Assignment, plan_id=plan_id))


def assignment_receive(*, assignment: Assignment, user) -> None:
    """签收: recorded once."""
    updated = Assignment.objects.filter(pk=assignment.pk, received_at__isnull=True).update(
        received_at=timezone.now()
    )
    if updated:
        event_record(assignment, AssignmentEvent.Kind.RECEIVED, user)


@transaction.atomic
def milestones_complete(*, assignment: Assignment, claims: list[tuple[int, date]], percent: int | None,
                        user, comment: str) -> bool:  # fmt: skip
    """An accepted report's claims count from now: the claimed milestones are completed on the dates the
    report gave, the rest carry its percent. When no dated milestone is left open the assignment is
    closed (销号). Returns whether it was."""
    if claims:
        dates = Case(*[When(pk=pk, then=Value(day)) for pk, day in claims], output_field=DateField())
        assignment.milestones.filter(pk__in=[pk for pk, _ in claims], accepted_at__isnull=True).update(
            completed_on=dates, accepted_at=timezone.now()
        )
    if percent is not None:
        assignment.milestones.filter(accepted_at__isnull=True).update(percent=percent)
    event_record(assignment, AssignmentEvent.Kind.ACCEPTED, user, comment)
    dated = assignment.milestones.filter(due_date__isnull=False)
    closed = dated.exists() and not dated.filter(accepted_at__isnull=True).exists()
    if closed:
        assignment_end(assignment, Assignment.Status.CLOSED)
        event_record(assignment, AssignmentEvent.Kind.CLOSED, user, "全部时间节点已完成，自动销号")
    if assignment.parent_id:
        parts_completed(parent_id=assignment.parent_id, user=user)
    progress_changed_after_commit(assignment.plan_id)
    return closed


def parts_completed(*, parent_id: int, user) -> None:
    """A milestone of an assignment broken down is done when every part still on it (not withdrawn) has
    it done — on the latest of their dates; a part closed (销号) counts as done. Climbs the chain."""
    parent = Assignment.objects.select_for_update().get(pk=parent_id)
    if parent.status != Assignment.Status.ASSIGNED:
        return
    parts = parent.children.exclude(status=Assignment.Status.WITHDRAWN)
    if not parts.exists():
        return
    done = []
    for copy in parent.milestones.filter(accepted_at__isnull=True):
        theirs = AssignmentMilestone.objects.filter(assignment__in=parts, milestone_id=copy.milestone_id)
        open_parts = theirs.filter(accepted_at__isnull=True).exclude(
            assignment__status=Assignment.Status.CLOSED
        )
        if theirs.exists() and not open_parts.exists():
            latest = theirs.aggregate(d=models.Max("completed_on"))["d"] or timezone.localdate()
            done.append((copy.pk, latest))
    if done:
        milestones_complete(assignment=parent, claims=done, percent=None, user=user,
                            comment="分解交办的各方均已完成")  # fmt: skip


def assignment_end(assignment: Assignment, status: str) -> None:
    """Closed (销号) or withdrawn (退办): the assignment and its open milestone copies count as that from
    now on — never overdue, never due soon, never escalated. An assignment closed because every dated
    milestone was done counts as completed (late, if one was)."""
    progress = status
    copies = assignment.milestones.all()
    if status == Assignment.Status.CLOSED and not copies.filter(
        accepted_at__isnull=True, due_date__isnull=False
    ):
        late = copies.filter(
            accepted_at__isnull=False, due_date__isnull=False, completed_on__gt=models.F("due_date")
        )
        progress = ProgressStatus.COMPLETED_LATE if late.exists() else ProgressStatus.COMPLETED
    Assignment.objects.filter(pk=assignment.pk).update(
        status=status, progress=progress, escalation="", overdue_since=None
    )
    assignment.status, assignment.progress = status, progress
    assignment.escalation, assignment.overdue_since = "", None
    assignment.milestones.update(ended=status)
    assignment.milestones.filter(accepted_at__isnull=True).update(progress=status, at_risk=False)
    board_counts_changed([assignment.pk])


def assignment_milestone_set_due(
    *, assignment_milestone: AssignmentMilestone, due: date
) -> AssignmentMilestone:
    """The receiver tightens a due date; loosening it is the issuer's call (an extension request)."""
    original = assignment_milestone.milestone.due_date
    if original is None:
        raise ValidationError("持续推进的节点没有完成时限")
    if due > original:
        raise ValidationError(f"只能提前，不能晚于上级规定的 {original:%Y-%m-%d}")
    if assignment_milestone.start_date and due < assignment_milestone.start_date:
        raise ValidationError(f"完成时限不能早于开始日期 {assignment_milestone.start_date:%Y-%m-%d}")
    assignment_milestone.due_date = due
    assignment_milestone.save(update_fields=["due_date"])
    return assignment_milestone


@transaction.atomic
def extension_request_create(*, assignment_milestone: AssignmentMilestone, requested_due: date, reason: str,
                             user, today: date | None = None) -> ExtensionRequest:  # fmt: skip
    today = today or timezone.localdate()
    item = (
        AssignmentMilestone.objects.select_for_update()
        .select_related("assignment", "milestone")
        .get(pk=assignment_milestone.pk)
    )
    reason = (reason or "").strip()
    if item.due_date is None:
        raise ValidationError("持续推进的节点没有完成时限，无需延期")
    if item.accepted_at is not None:
        raise ValidationError("该节点已完成，无需延期")
    if item.assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已销号或退办，无需延期")
    after_deadline = today > item.due_date  # asked late: allowed, and marked as such
    if requested_due <= item.due_date:
        raise ValidationError({"requested_due": f"申请的日期应晚于现在的完成时限 {item.due_date:%Y-%m-%d}"})
    if requested_due <= today:
        raise ValidationError({"requested_due": "申请延至的日期应晚于今天"})
    if not reason:
        raise ValidationError({"reason": "请写明延期理由"})
    if item.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError("该节点已有待审批的延期申请")
    request = ExtensionRequest.objects.create(
        assignment_milestone=item, original_due=item.due_date, requested_due=requested_due,
        reason=reason[:2000], requested_by=actor(user), after_deadline=after_deadline,
    )  # fmt: skip
    late = "（已过完成时限后申请）" if after_deadline else ""
    event_record(
        item.assignment,
        AssignmentEvent.Kind.EXTENDED,
        user,
        f"申请将“{item.milestone.raw[:20]}”延至 {requested_due:%Y-%m-%d}{late}：{reason}",
    )
    issuer = item.assignment.issuer_id
    notify(holders("decide", [issuer]).get(issuer, set()), key="review", title="有新的延期申请待审批",
           url=reverse("reporting:review_queue"))  # fmt: skip
    extensions_waiting_count(assignment_milestone.assignment_id)
    return request


@transaction.atomic
def extension_request_decide(
    *, request: ExtensionRequest, approve: bool, comment: str, user
) -> ExtensionRequest:
    request = (
        ExtensionRequest.objects.select_for_update()
        .select_related("assignment_milestone__assignment")
        .get(pk=request.pk)
    )
    if request.status != ExtensionRequest.Status.PENDING:
        raise ValidationError("该申请已经审批过了")
    request.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    request.decided_by = actor(user)
    request.decided_at = timezone.now()
    request.decision_comment = (comment or "").strip()[:2000]
    request.save()
    item = request.assignment_milestone
    if approve:
        # The original date stays on the request and on the issuer's milestone.
        item.due_date = request.requested_due
        item.save(update_fields=["due_date"])
        progress_changed_after_commit(item.assignment.plan_id)
    verdict = f"同意延期至 {request.requested_due:%Y-%m-%d}" if approve else "不同意延期"
    note = f"：{request.decision_comment}" if request.decision_comment else ""
    event_record(item.assignment, AssignmentEvent.Kind.EXTENDED, user, f"{verdict}{note}")
    title = f"延期申请{'已同意' if approve else '未同意'}：{item.milestone.raw[:30]}"
    notify_responsible(item.assignment, key=f"extension:{request.pk}", title=title, body=f"{verdict}{note}")
    if request.requested_by_id:
        notify([request.requested_by_id], key=f"extension:{request.pk}", title=title, body=f"{verdict}{note}",
               url=assignment_url(item.assignment_id))  # fmt: skip
    extensions_waiting_count(request.assignment_milestone.assignment_id)
    return request


SETTLE_ACTIONS = {
    "close": (Assignment.Status.CLOSED, AssignmentEvent.Kind.CLOSED, "已销号"),
    "withdraw": (Assignment.Status.WITHDRAWN, AssignmentEvent.Kind.WITHDRAWN, "已退办"),
}


@transaction.atomic
def assignment_settle(*, assignment: Assignment, action: str, reason: str, user) -> Assignment:
    """The issuing side ends an open assignment: 销号 (close, done by decision) or 退办 (withdraw, not
    the receiver's to do). A reason is required; both go to the timeline."""
    if action not in SETTLE_ACTIONS:
        raise ValidationError("未知的操作")
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明原因"})
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError(f"该交办的状态是“{assignment.get_status_display()}”，不能再退办或销号")
    status, kind, label = SETTLE_ACTIONS[action]
    assignment_end(assignment, status)
    event_record(assignment, kind, user, reason)
    if assignment.parent_id:  # a part closed counts as done for the assignment it was broken out of
        parts_completed(parent_id=assignment.parent_id, user=user)
    progress_changed_after_commit(assignment.plan_id)
    title = f"{label}：{assignment.task.title[:50]}"
    notify_responsible(assignment, key=f"settled:{assignment.pk}", title=title, body=reason)
    return assignment


URGE_COMMENT = "请抓紧办理，按时报送进度"


@transaction.atomic
def assignment_urge(*, assignment: Assignment, user, comment: str = "", today: date | None = None) -> None:
    """催办 by hand: the people who answer for it and their leaders hear of it; on the timeline; at most
    once a day per item."""
    today = today or timezone.localdate()
    assignment = Assignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已销号或退办，无需催办")
    comment = (comment or "").strip()[:500] or URGE_COMMENT
    start = timezone.make_aware(datetime.combine(today, time.min))
    urged = assignment.events.filter(
        kind=AssignmentEvent.Kind.REMINDED, actor__isnull=False, created_at__gte=start,
        created_at__lt=start + timedelta(days=1),
    )  # fmt: skip
    if urged.exists():
        raise ValidationError("这项任务今天已经催办过了（每项任务每天最多催办一次）")
    event_record(assignment, AssignmentEvent.Kind.REMINDED, user, comment)
    notify_responsible(assignment, key=f"urge:{assignment.pk}", title=f"【催办】{assignment.task.title[:60]}",
                       body=comment, with_leaders=True, day=today)  # fmt: skip


URGE_MANY_LIMIT = 200


def assignments_urge_many(*, assignment_ids, user, comment: str = "") -> tuple[int, int]:
    """催办 a selection (from the 督办清单): each item the user may urge, once a day each. Returns how
    many were urged and how many were skipped (already urged today, settled, or not the user's to urge)."""
    ids = sorted({int(pk) for pk in assignment_ids})
    if not ids:
        raise ValidationError("请先勾选要催办的事项")
    if len(ids) > URGE_MANY_LIMIT:
        raise ValidationError(f"一次最多催办 {URGE_MANY_LIMIT} 项，请缩小范围")
    allowed = list(Assignment.objects.for_user(user, "urge").filter(pk__in=ids).order_by("pk"))
    urged = 0
    for assignment in allowed:
        try:
            with transaction.atomic():
                assignment_urge(assignment=assignment, user=user, comment=comment)
            urged += 1
        except ValidationError:
            pass
    return urged, len(ids) - urged


@transaction.atomic
def subtask_create(*, assignment: Assignment, plan: Plan, data: dict, user=None) -> Task:
    """The receiving organisation breaks an assignment down into a task of its own plan; the sub-task's
    deadlines may not run past the assignment's."""
    if plan.organisation_id != assignment.organisation_id:
        raise ValidationError({"plan": "子任务只能放在承办组织自己的计划里"})
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已退办或销号，不能再分解")
    latest = assignment.milestones.exclude(due_date__isnull=True).aggregate(m=models.Max("due_date"))["m"]
    task = task_create(plan=plan, data=data, user=user)
    late = task.milestones.filter(due_date__gt=latest) if latest else task.milestones.none()
    if late.exists():
        raise ValidationError(
            {"schedule_text": f"子任务的时间节点不能晚于上级交办的最后期限 {latest:%Y-%m-%d}"}
        )
    task.parent_assignment = assignment
    task.save(update_fields=["parent_assignment", "updated_at"])
    return task


@transaction.atomic
def assignment_break_down(
    *, assignment: Assignment, organisations=(), departments=(), user=None
) -> list[Assignment]:
    """分解交办: the receiver hands an assignment on to organisations directly below it and/or, when it
    received it as a whole, to departments of its own office. The parts carry its open milestones with
    its dates (never later), are issued by the receiver, and their state flows back up."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("organisation", "task", "plan")
        .get(pk=assignment.pk)
    )
    if assignment.status != Assignment.Status.ASSIGNED:
        raise ValidationError("该交办已销号或退办，不能再分解")
    organisations, departments = list(organisations), list(departments)
    if not organisations and not departments:
        raise ValidationError("请至少选择一个下级组织或本单位部门")
    receiver = Organisation.objects.get(pk=assignment.organisation_id)
    for org in organisations:
        fresh = Organisation.objects.get(pk=org.pk)
        if fresh.pk == receiver.pk or not contains(receiver, fresh) or not fresh.is_active:
            raise ValidationError(f"“{fresh.name}”不是“{receiver.name}”的下级组织")
    if departments and assignment.department_id:
        raise ValidationError("部门承办的任务只能分解给下级组织")
    for department in departments:
        if department.organisation_id != receiver.pk or not department.is_active:
            raise ValidationError(f"“{department.name}”不是“{receiver.name}”的部门")
    taken = set(
        Assignment.objects.filter(
            task=assignment.task, organisation__in=organisations, department__isnull=True
        )
        .values_list("organisation__name", flat=True)
    ) | {
        f"{receiver.name}{name}"
        for name in Assignment.objects.filter(
            task=assignment.task, organisation=receiver, department__in=departments
        ).values_list("department__name", flat=True)
    }  # fmt: skip
    if taken:
        raise ValidationError(f"{'、'.join(sorted(taken))} 已经收到这项任务，不能重复交办")
    now = timezone.now()
    common = {
        "plan_id": assignment.plan_id, "task_id": assignment.task_id, "issuer": receiver,
        "parent": assignment, "depth": assignment.depth + 1, "created_at": now,
        "status": Assignment.Status.ASSIGNED,
    }  # fmt: skip
    parts = Assignment.objects.bulk_create(
        [Assignment(organisation_id=org.pk, **common) for org in organisations]
        + [Assignment(organisation=receiver, department=d, **common) for d in departments]
    )
    copies = list(assignment.milestones.filter(accepted_at__isnull=True))
    AssignmentMilestone.objects.bulk_create(
        AssignmentMilestone(
            assignment=part, milestone_id=c.milestone_id, start_date=c.start_date, due_date=c.due_date
        )
        for part in parts
        for c in copies
    )
    fill_missing()
    names = [o.name for o in organisations] + [d.name for d in departments]
    event_record(assignment, AssignmentEvent.Kind.BROKEN_DOWN, user, f"分解交办给：{'、'.join(names)}")
    AssignmentEvent.objects.bulk_create(
        AssignmentEvent(assignment=part, kind=AssignmentEvent.Kind.ASSIGNED, actor=actor(user),
                        comment=f"由{assignment.receiver_name}分解交办") for part in parts
    )  # fmt: skip
    new = Assignment.objects.filter(pk__in=[p.pk for p in parts])
    notify_received(new, title=f"收到分解交办：《{assignment.plan.title[:50]}》" + "{n} 项任务",
                    key=f"assigned:{assignment.plan_id}:{assignment.pk}",
                    url=reverse("reporting:my"))  # fmt: skip
    progress_changed_after_commit(assignment.plan_id)
    return parts
