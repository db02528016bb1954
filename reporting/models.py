"""反馈: the receiver's periodic progress reports on an assignment, the milestones each claims done, and
the evidence attached; the issuer accepts or returns them (审核)."""

from django.conf import settings
from django.db import models

from assignments.models import Assignment, AssignmentMilestone

from .querysets import AttachmentQuerySet, ContributionQuerySet, ReportQuerySet


class ProgressReport(models.Model):
    """A receiver's progress report (反馈) on one assignment for one reporting period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已通过"

    class Stage(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "进行中"
        DONE = "done", "已完成"
        BLOCKED = "blocked", "受阻"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField("报告期", max_length=7, help_text="2019-06、2019Q2 或 2019H1")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    stage = models.CharField("进展", max_length=12, choices=Stage.choices, default=Stage.IN_PROGRESS)
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

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "进度报告"
        verbose_name_plural = "进度报告"
        ordering = ["-period", "-id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "period"], name="report_unique_period")]

    def __str__(self):
        return f"{self.assignment} · {self.period}"

    @property
    def is_locked(self) -> bool:
        """Submitted and accepted reports are not edited (until returned)."""
        return self.status in (self.Status.SUBMITTED, self.Status.ACCEPTED)


class ReportMilestone(models.Model):
    """A milestone the report claims done, with the date; it counts once the report is accepted."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="claims")
    assignment_milestone = models.ForeignKey(
        AssignmentMilestone, on_delete=models.CASCADE, related_name="claims"
    )
    completed_on = models.DateField("完成日期")

    class Meta:
        verbose_name = "报告所报节点"
        verbose_name_plural = "报告所报节点"
        constraints = [
            models.UniqueConstraint(fields=["report", "assignment_milestone"], name="report_claim_unique")
        ]

    def __str__(self):
        return f"{self.report_id}:{self.assignment_milestone_id}"


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


class Contribution(models.Model):
    """配合反馈: what a 参与部门 did towards an assignment its 牵头部门 answers for, for one reporting period;
    the 牵头部门 sees it beside its own report and it goes on the timeline."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="contributions")
    department = models.ForeignKey(
        "orgtree.Department", on_delete=models.PROTECT, related_name="contributions"
    )
    period = models.CharField("报告期", max_length=7)
    text = models.TextField("配合情况")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", auto_now=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = "配合反馈"
        verbose_name_plural = "配合反馈"
        ordering = ["-period", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "department", "period"], name="contribution_unique")
        ]

    def __str__(self):
        return f"{self.assignment_id} · {self.department} · {self.period}"
