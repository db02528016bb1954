"""Plans (任务分解表, 工作要点, 行动计划), their sections, tasks and dated milestones."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from orgtree.models import Department, Organisation

from . import schedule
from .querysets import (
    AssignmentBoundQuerySet,
    AssignmentQuerySet,
    AttachmentQuerySet,
    ExtensionQuerySet,
    MilestoneQuerySet,
    PlanChangeQuerySet,
    PlanImportQuerySet,
    PlanQuerySet,
    SectionQuerySet,
    TaskQuerySet,
)


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已下发"
        ARCHIVED = "archived", "已归档"

    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True, help_text="例如 团浙办〔2019〕13号")
    organisation = models.ForeignKey(
        Organisation, verbose_name="发文组织", on_delete=models.PROTECT, related_name="plans"
    )
    issue_date = models.DateField("印发日期", null=True, blank=True)
    start_year = models.PositiveIntegerField("起始年度")
    end_year = models.PositiveIntegerField("结束年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    report_frequency = models.CharField(
        "报告频次",
        max_length=8,
        choices=[("month", "每月"), ("quarter", "每季度"), ("half", "每半年")],
        default="month",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "计划"
        verbose_name_plural = "计划"
        ordering = ["-start_year", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=F("start_year")), name="plan_period_ordered"),
            models.UniqueConstraint(
                fields=["organisation", "doc_number"],
                condition=~Q(doc_number=""),
                name="plan_doc_number_unique",
            ),
        ]

    def __str__(self):
        return self.title


class Section(models.Model):
    """A heading of the plan (一、强基达标工程 → （一）推动学校团学改革), any depth."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    title = models.CharField("标题", max_length=200)
    order = models.PositiveIntegerField("排序", default=0)

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class Task(models.Model):
    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="tasks")
    organisation = models.ForeignKey(
        Organisation, verbose_name="责任组织", on_delete=models.PROTECT, related_name="tasks"
    )
    section = models.ForeignKey(
        Section, verbose_name="章节", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    seq = models.CharField("序号", max_length=20)
    order = models.PositiveIntegerField("排序", default=0)
    title = models.CharField("项目名称", max_length=300)
    summary = models.TextField("总体计划", blank=True)
    schedule_text = models.TextField("进度安排", blank=True)
    lead_departments = models.ManyToManyField(
        Department, verbose_name="牵头部门", blank=True, related_name="led_tasks"
    )
    participating_departments = models.ManyToManyField(
        Department, verbose_name="参与部门", blank=True, related_name="participated_tasks"
    )
    parent_assignment = models.ForeignKey(
        "Assignment",
        verbose_name="分解自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subtasks",
        help_text="下级把上级交办的任务分解为本级计划的子任务",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="task_seq_unique_in_plan")]

    def __str__(self):
        return f"{self.seq}. {self.title}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        PERIOD = schedule.PERIOD, "时段"
        DEADLINE = schedule.DEADLINE, "截止"
        DAY = schedule.DAY, "节点日"
        RECURRING = schedule.RECURRING, "周期"
        ONGOING = schedule.ONGOING, "持续推进"
        REVIEW = schedule.REVIEW, "待确认"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    raw = models.TextField("原文")
    start_date = models.DateField("开始日期", null=True, blank=True)
    due_date = models.DateField("完成时限", null=True, blank=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    order = models.PositiveIntegerField("排序", default=0)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(start_date__lte=F("due_date")),
                name="milestone_dates_ordered",
            )
        ]

    def __str__(self):
        return self.raw[:40]

    @property
    def is_ongoing(self) -> bool:
        return self.due_date is None


class PlanImport(models.Model):
    """An uploaded 任务分解表 between preview and confirm: confirm commits exactly what was previewed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="plan_imports")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    preview = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = PlanImportQuerySet.as_manager()

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"

    def __str__(self):
        return self.filename


class ProgressStatus(models.TextChoices):
    """States of the status engine (plans.status), worst last."""

    COMPLETED = "completed", "已完成"
    COMPLETED_LATE = "completed_late", "逾期完成"
    ONGOING = "ongoing", "持续推进"
    ON_TRACK = "on_track", "进行中"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"


class Assignment(models.Model):
    """A task handed to an organisation in the issuer's subtree (交办)."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "已交办"
        RETURNED = "returned", "已退办"
        CLOSED = "closed", "已销号"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(
        Organisation, verbose_name="承办组织", on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    created_at = models.DateTimeField("交办时间")
    # Rolled up from the milestones by plans.status.refresh_statuses: the worst open state wins.
    # Database defaults: publish_plan inserts assignments with INSERT … SELECT.
    progress_status = models.CharField(
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
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="copies")
    start_date = models.DateField("开始日期", null=True, blank=True)
    due_date = models.DateField("完成时限", null=True, blank=True)
    # Written by the receiver's accepted reports and by plans.status.refresh_statuses.
    completed_on = models.DateField("完成日期", null=True, blank=True)
    accepted_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    percent = models.PositiveSmallIntegerField("完成百分比", db_default=0)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=ProgressStatus.choices,
        db_default=ProgressStatus.ON_TRACK,
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


class PlanChange(models.Model):
    """History of a plan's changes (who, when, what)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField("操作", max_length=20)
    detail = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    objects = PlanChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "计划变更记录"
        verbose_name_plural = "计划变更记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} · {self.created_at:%Y-%m-%d %H:%M}"


class ProgressReport(models.Model):
    """A receiver's progress report (反馈) on one assignment for one reporting period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已通过"

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "进行中"
        DONE = "done", "已完成"
        BLOCKED = "blocked", "受阻"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField("报告期", max_length=7, help_text="2019-06、2019Q2 或 2019H1")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    state = models.CharField("进展", max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    percent = models.PositiveSmallIntegerField("完成百分比", default=0)
    narrative = models.TextField("进展情况", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    is_late = models.BooleanField("逾期提交", default=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField("审核意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentBoundQuerySet.as_manager()

    class Meta:
        verbose_name = "进度报告"
        verbose_name_plural = "进度报告"
        ordering = ["-period", "-id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "period"], name="report_unique_period")]

    def __str__(self):
        return f"{self.assignment} · {self.period}"


class ReportMilestone(models.Model):
    """A milestone the report claims done, with the date; it counts once the report is accepted."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="claims")
    copy = models.ForeignKey(AssignmentMilestone, on_delete=models.CASCADE, related_name="claims")
    completed_on = models.DateField("完成日期")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "copy"], name="report_claim_unique")]

    def __str__(self):
        return f"{self.report_id}:{self.copy_id}"


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


class Notification(models.Model):
    """An in-app notice (the bell), e-mailed too where the user has an address.

    (recipient, key, day) is unique, so a reminder job that runs twice, or on two workers at once,
    reminds each person of each item at most once a day.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=80)
    day = models.DateField()
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key", "day"], name="notification_once_a_day")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The e-mail pass reads today's not-yet-mailed notices in batches.
            models.Index(
                fields=["day", "id"], condition=Q(emailed_at__isnull=True), name="notification_to_mail_idx"
            ),
        ]

    def __str__(self):
        return self.title


class ExtensionRequest(models.Model):
    """延期申请: the receiver asks for a later due date before the current one passes; the issuer decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "未同意"

    copy = models.ForeignKey(AssignmentMilestone, on_delete=models.CASCADE, related_name="extension_requests")
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
                fields=["copy"], condition=Q(status="pending"), name="one_pending_extension_per_milestone"
            )
        ]

    def __str__(self):
        return f"{self.copy_id} → {self.requested_due}"


class ReportAttachment(models.Model):
    """Evidence for a report; served only to users who may see the assignment."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="reports/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    kind = models.CharField("类型", max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self):
        return self.name
