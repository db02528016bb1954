"""交办: a plan's task handed to a receiving organisation, with the receiver's own copy of every dated
milestone, the timeline of what happened to it, and requests to extend a due date."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from orgtree.models import Organisation
from plans.models import Milestone, Plan, Task

from .querysets import AssignmentBoundQuerySet, AssignmentQuerySet, ExtensionQuerySet


class ProgressStatus(models.TextChoices):
    """The states the status engine (supervision.status) computes; never typed by hand. Declared best
    first: an assignment takes the worst state of its open milestones, so the order is the ranking."""

    COMPLETED = "completed", "已完成"
    COMPLETED_LATE = "completed_late", "逾期完成"
    ONGOING = "ongoing", "持续推进"
    ON_TRACK = "on_track", "进行中"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"

    @property
    def rank(self) -> int:
        return list(type(self)).index(self)

    @property
    def tone(self) -> str:
        """The colour a page shows the state in (a CSS class tone-…)."""
        return {"completed": "green", "completed_late": "olive", "ongoing": "grey", "on_track": "blue",
                "due_soon": "yellow", "overdue": "red"}[self.value]  # fmt: skip


AT_RISK_LABEL, AT_RISK_TONE = "进度滞后", "yellow"


class Assignment(models.Model):
    """A task handed to an organisation in the issuer's subtree (交办)."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "已交办"
        WITHDRAWN = "withdrawn", "已退办"
        CLOSED = "closed", "已销号"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    # PROTECT: a task that was handed down is withdrawn or closed, never deleted.
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments")
    organisation = models.ForeignKey(
        Organisation, verbose_name="承办组织", on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    created_at = models.DateTimeField("交办时间")
    # Rolled up from the milestones by supervision.status.refresh_statuses: the worst open state wins.
    # Database defaults: publishing inserts assignments with INSERT … SELECT.
    progress = models.CharField(
        "进度状态", max_length=16, choices=ProgressStatus.choices, db_default=ProgressStatus.ON_TRACK
    )
    completion_percent = models.PositiveSmallIntegerField("完成率", db_default=0)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        constraints = [models.UniqueConstraint(fields=["task", "organisation"], name="assignment_unique")]
        indexes = [models.Index(fields=["organisation", "plan"], name="assignment_org_plan_idx")]

    def __str__(self):
        return f"{self.task} → {self.organisation}"


class AssignmentMilestone(models.Model):
    """The receiver's copy of a milestone's dates: it may tighten them, never loosen them."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="milestones")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="assignment_milestones")
    start_date = models.DateField("开始日期", null=True, blank=True)
    due_date = models.DateField("完成时限", null=True, blank=True)
    # Written by the receiver's accepted reports.
    completed_on = models.DateField("完成日期", null=True, blank=True)
    accepted_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    percent = models.PositiveSmallIntegerField("完成百分比", db_default=0)
    # Written by supervision.status.refresh_statuses.
    progress = models.CharField(
        "进度状态", max_length=16, choices=ProgressStatus.choices, db_default=ProgressStatus.ON_TRACK
    )
    at_risk = models.BooleanField("进度滞后", db_default=False)

    objects = AssignmentBoundQuerySet.as_manager()

    class Meta:
        verbose_name = "交办节点"
        verbose_name_plural = "交办节点"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "milestone"], name="assignment_milestone_unique")
        ]

    def __str__(self):
        return f"{self.assignment_id}:{self.milestone_id}"


class AssignmentEvent(models.Model):
    """The assignment's timeline (交办 → 签收 → 反馈 → 催办 → 延期 → 销号), written by the services."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "交办"
        RECEIVED = "received", "签收"
        REPORTED = "reported", "反馈"
        ACCEPTED = "accepted", "审核通过"
        RETURNED = "returned", "退回修改"
        REMINDED = "reminded", "催办"
        EXTENDED = "extended", "延期"
        WITHDRAWN = "withdrawn", "退办"
        CLOSED = "closed", "销号"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("环节", max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    comment = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = AssignmentBoundQuerySet.as_manager()

    class Meta:
        verbose_name = "交办记录"
        verbose_name_plural = "交办记录"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d}"


class ExtensionRequest(models.Model):
    """延期申请: the receiver asks for a later due date before the current one passes; the issuer decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "未同意"

    assignment_milestone = models.ForeignKey(
        AssignmentMilestone, on_delete=models.CASCADE, related_name="extension_requests"
    )
    original_due = models.DateField("原完成时限")
    requested_due = models.DateField("申请延至")
    reason = models.TextField("理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField("审批意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment_milestone"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_milestone",
            )
        ]

    def __str__(self):
        return f"{self.assignment_milestone_id} → {self.requested_due}"
