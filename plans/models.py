"""Plans (任务分解表, 工作要点, 行动计划), their sections, tasks and dated milestones."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.staging import StagedUpload
from orgtree.models import Department, Organisation

from . import schedule
from .querysets import (
    MilestoneQuerySet,
    PlanChangeQuerySet,
    PlanImportQuerySet,
    PlanQuerySet,
    SectionQuerySet,
    TaskQuerySet,
)


class ReportFrequency(models.TextChoices):
    """How often receivers report progress on a plan's assignments (a reporting period's kind)."""

    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF = "half", "每半年"
    YEAR = "year", "每年"
    MILESTONE = "milestone", "按时间节点"  # a report when a milestone is done, none by the calendar


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
    # A one-year plan whose schedules also name a later (or earlier) year has its period widened; its bare
    # months ("4月：…") still mean the year it was written for.
    default_year = models.PositiveIntegerField("只写月份时的年度", null=True, blank=True)
    # A school-year plan (2024—2025学年) names 2024 here: a bare September is 2024's, a bare March 2025's.
    school_year = models.PositiveIntegerField("学年起始年度", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    report_frequency = models.CharField(
        "报告频次", max_length=10, choices=ReportFrequency.choices, default=ReportFrequency.MONTH
    )
    # The 督办 cycle's clock: days to sign for an assignment; days overdue before a 黄牌 and a 红牌.
    sign_within_days = models.PositiveSmallIntegerField("签收时限（天）", default=3)
    yellow_after_days = models.PositiveSmallIntegerField("逾期几天亮黄牌", default=7)
    red_after_days = models.PositiveSmallIntegerField("逾期几天亮红牌", default=30)
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

    @property
    def period_label(self) -> str:
        if self.school_year:
            return f"{self.school_year}—{self.school_year + 1} 学年"
        if self.start_year == self.end_year:
            return f"{self.start_year} 年"
        return f"{self.start_year}—{self.end_year} 年"

    def schedule_reading(self) -> dict:
        """What parse_schedule needs to know of the plan besides a task's text."""
        return {"start_year": self.start_year, "end_year": self.end_year, "default_year": self.default_year,
                "school_year": self.school_year}  # fmt: skip


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
    # Columns of the imported table the app has no field for (具体措施, 责任领导 …), kept and exported again.
    extra = models.JSONField("其他列", default=dict, blank=True)
    lead_departments = models.ManyToManyField(
        Department, verbose_name="牵头部门", blank=True, related_name="led_tasks"
    )
    participating_departments = models.ManyToManyField(
        Department, verbose_name="参与部门", blank=True, related_name="participated_tasks"
    )
    # Who receives the task when the plan is published: the issuer's own departments (the 牵头部门 answers
    # for it, the 参与部门 contribute), organisations of some levels, named organisations; read from the
    # table's 责任单位/承办单位 and editable before publishing. {"internal": bool, "levels": [...],
    # "organisations": [ids]}
    recipients = models.JSONField("接收方", default=dict, blank=True)
    # 常态化: no due date, reported on at its own cadence, never late; closed when reported done.
    routine = models.BooleanField("常态化", default=False)
    report_frequency = models.CharField(
        "报告频次", max_length=10, choices=ReportFrequency.choices, blank=True, default="",
        help_text="留空则按计划的报告频次",
    )  # fmt: skip
    parent_assignment = models.ForeignKey(
        "assignments.Assignment",
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

    @property
    def cadence(self) -> str:
        """How often its receivers report: its own frequency, else its plan's."""
        return self.report_frequency or self.plan.report_frequency


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


class PlanImport(StagedUpload):
    """An uploaded 任务分解表 between preview and confirm: confirm commits exactly what was previewed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="plan_imports")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports")
    # The period the user gave when the file does not say it.
    start_year = models.PositiveIntegerField("起始年度", null=True, blank=True)
    end_year = models.PositiveIntegerField("结束年度", null=True, blank=True)

    objects = PlanImportQuerySet.as_manager()

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"


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
