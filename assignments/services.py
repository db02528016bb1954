"""The life of an assignment after publishing: 签收, breakdown into sub-tasks, milestones completed by
accepted reports, 延期申请 and its decision, 退办 and 销号 — each step written to the timeline."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, DateField, Value, When
from django.utils import timezone

from core.actors import actor
from plans.models import Plan, Task
from plans.services import task_create

from .models import Assignment, AssignmentEvent, AssignmentMilestone, ExtensionRequest
from .signals import progress_changed


def event_record(assignment: Assignment, kind: str, user, comment: str = "") -> AssignmentEvent:
    return AssignmentEvent.objects.create(
        assignment=assignment, kind=kind, actor=actor(user), comment=comment[:2000]
    )


def progress_changed_after_commit(plan_id: int) -> None:
    """Tell the apps that compute states (supervision) once the change is committed."""
    transaction.on_commit(lambda: progress_changed.send(sender=Assignment, plan_id=plan_id))


def assignment_receive(*, assignment: Assignment, user) -> None:
    """签收: recorded once."""
    if not assignment.events.filter(kind=AssignmentEvent.Kind.RECEIVED).exists():
        event_record(assignment, AssignmentEvent.Kind.RECEIVED, user)


@transaction.atomic
def milestones_complete(*, assignment: Assignment, claims: list[tuple[int, date]], percent: int,
                        user, comment: str) -> bool:  # fmt: skip
    """An accepted report's claims count from now: the claimed milestones are completed on the dates the
    report gave, the rest carry its percent. When no dated milestone is left open the assignment is
    closed (销号). Returns whether it was."""
    if claims:
        dates = Case(*[When(pk=pk, then=Value(day)) for pk, day in claims], output_field=DateField())
        assignment.milestones.filter(pk__in=[pk for pk, _ in claims], accepted_at__isnull=True).update(
            completed_on=dates, accepted_at=timezone.now()
        )
    assignment.milestones.filter(accepted_at__isnull=True).update(percent=percent)
    event_record(assignment, AssignmentEvent.Kind.ACCEPTED, user, comment)
    dated = assignment.milestones.filter(due_date__isnull=False)
    closed = dated.exists() and not dated.filter(accepted_at__isnull=True).exists()
    if closed:
        Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.CLOSED)
        assignment.status = Assignment.Status.CLOSED
        event_record(assignment, AssignmentEvent.Kind.CLOSED, user, "全部时间节点已完成，自动销号")
    progress_changed_after_commit(assignment.plan_id)
    return closed


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
    if today > item.due_date:
        raise ValidationError(f"已过完成时限 {item.due_date:%Y-%m-%d}，只能在到期前申请延期")
    if requested_due <= item.due_date:
        raise ValidationError({"requested_due": f"申请的日期应晚于现在的完成时限 {item.due_date:%Y-%m-%d}"})
    if not reason:
        raise ValidationError({"reason": "请写明延期理由"})
    if item.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ValidationError("该节点已有待审批的延期申请")
    request = ExtensionRequest.objects.create(
        assignment_milestone=item, original_due=item.due_date, requested_due=requested_due,
        reason=reason[:2000], requested_by=actor(user),
    )  # fmt: skip
    event_record(
        item.assignment,
        AssignmentEvent.Kind.EXTENDED,
        user,
        f"申请将“{item.milestone.raw[:20]}”延至 {requested_due:%Y-%m-%d}：{reason}",
    )
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
    assignment.status, kind, _ = SETTLE_ACTIONS[action]
    assignment.save(update_fields=["status"])
    event_record(assignment, kind, user, reason)
    return assignment


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
