"""交办: a plan's task handed to a receiving organisation (or to one of the issuer's own departments), with
the receiver's own copy of every milestone, the chain it is broken down into, the departments that
contribute, the timeline of what happened to it, and requests to extend a due date."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from orgtree.models import Department, Organisation
from plans.models import Milestone, Plan, Task

from .querysets import AssignmentBoundQuerySet, AssignmentQuerySet, ContributorQuerySet, ExtensionQuerySet


class ProgressStatus(models.TextChoices):
    """The states the status engine (supervision.status) computes; never typed by hand. Declared best
    first: an assignment takes the worst state of its open milestones, so the order is the ranking.
    Closed (销号) and withdrawn (退办) items count as themselves, never as late."""

    WITHDRAWN = "withdrawn", "已退办"
    CLOSED = "closed", "已销号"
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
        return {"withdrawn": "grey", "closed": "green", "completed": "green", "completed_late": "olive",
                "ongoing": "grey", "on_track": "blue", "due_soon": "yellow",
                "overdue": "red"}[self.value]  # fmt: skip


AT_RISK_LABEL, AT_RISK_TONE = "进度滞后", "yellow"


class Escalation(models.TextChoices):
    """督办单 levels: an open assignment overdue for the plan's number of days."""

    YELLOW = "yellow", "黄牌督办"
    RED = "red", "红牌督办"


class Assignment(models.Model):
    """A task handed to an organisation in the issuer's subtree, or to a department of the issuer's own
    office (交办); a receiver may hand it on (分解), and the parts form a chain below it."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "已交办"
        WITHDRAWN = "withdrawn", "已退办"
        CLOSED = "closed", "已销号"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    # PROTECT: a task that was handed down is withdrawn or closed, never deleted. Its lookups are served by
    # assignment_unique_receiver, which leads with it.
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments", db_index=False)
    # Who handed it over: the plan's organisation, or the receiver of the assignment it was broken out of.
    # Always read together with the receiver's ancestors or the plan, never alone: no index of its own
    # (each index is one more entry for every state the refresh writes).
    issuer = models.ForeignKey(
        Organisation, verbose_name="交办单位", on_delete=models.PROTECT, related_name="issued_assignments",
        db_index=False,
    )  # fmt: skip
    # The organisation's and the parent's lookups are served by assignment_org_plan_idx and
    # assignment_parent_idx: no index of their own, two fewer for every write the refresh makes.
    organisation = models.ForeignKey(
        Organisation, verbose_name="承办组织", on_delete=models.PROTECT, related_name="assignments",
        db_index=False,
    )  # fmt: skip
    # An assignment inside one office: the department that answers for it (its 参与部门 contribute).
    department = models.ForeignKey(
        Department, verbose_name="承办部门", null=True, blank=True, on_delete=models.PROTECT,
        related_name="assignments", db_index=False,  # assignment_department_idx: the rows that have one
    )  # fmt: skip
    parent = models.ForeignKey(
        "self",
        verbose_name="分解自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,
    )
    depth = models.PositiveSmallIntegerField("层级", db_default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    created_at = models.DateTimeField("交办时间")
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    # Rolled up from the milestones by supervision.status.refresh_statuses: the worst open state wins.
    # Database defaults: publishing inserts assignments with INSERT … SELECT.
    progress = models.CharField(
        "进度状态", max_length=16, choices=ProgressStatus.choices, db_default=ProgressStatus.ON_TRACK
    )
    completion_percent = models.PositiveSmallIntegerField("完成率", db_default=0)
    # Also the status engine's: the earliest due date of its open overdue milestones, and the 督办单 level.
    overdue_since = models.DateField("逾期起始日", null=True, blank=True)
    escalation = models.CharField("督办", max_length=6, choices=Escalation.choices, blank=True, db_default="")
    # Its reports submitted on time and late (reporting keeps them): the boards' 按时报送率 without reading
    # a year of reports.
    reports_on_time = models.PositiveIntegerField("按时报送", db_default=0, editable=False)
    reports_late = models.PositiveIntegerField("逾期报送", db_default=0, editable=False)
    # What waits for the issuer's decision (待审核): submitted reports (reporting keeps it) and extension
    # requests — counted on the boards with the rest, in the same grouped query.
    reports_waiting = models.PositiveIntegerField("待审核报告", db_default=0, editable=False)
    extensions_waiting = models.PositiveIntegerField("待审批延期", db_default=0, editable=False)
    # The level its people were last told of (reminders tell each rise once).
    escalation_told = models.CharField(max_length=6, blank=True, db_default="", editable=False)
    # The receiving organisation's ancestors by tree level (its own id at its own level), so a board counts
    # a subtree per child with one indexed filter and GROUP BY instead of joining children to their MPTT
    # ranges. Filled by assignments.ancestors after every write path; moves and merges refill them.
    anc0 = models.BigIntegerField(null=True, blank=True, editable=False)
    anc1 = models.BigIntegerField(null=True, blank=True, editable=False)
    anc2 = models.BigIntegerField(null=True, blank=True, editable=False)
    anc3 = models.BigIntegerField(null=True, blank=True, editable=False)
    anc4 = models.BigIntegerField(null=True, blank=True, editable=False)
    anc5 = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        constraints = [
            # A task reaches a receiver once: an organisation as a whole (department 0) or one department
            # of it. One index for both cases and for the task's lookups.
            models.UniqueConstraint(
                F("task"),
                F("organisation"),
                Coalesce(F("department"), Value(0)),
                name="assignment_unique_receiver",
                violation_error_message="这项任务已经交给过这个承办方",
            ),  # fmt: skip
        ]
        indexes = [
            models.Index(fields=["organisation", "plan"], name="assignment_org_plan_idx"),
            models.Index(fields=["parent"], condition=Q(parent__isnull=False), name="assignment_parent_idx"),
            # The boards of provinces, cities and counties (and the country's, over anc0) read one range of
            # these. They carry no state: a state in an index makes each of the refresh's rewrites an entry in
            # every index, where an unindexed one is rewritten in place (HOT).
            *[
                models.Index(
                    fields=[f"anc{k}", f"anc{k + 1}"],
                    name=f"assignment_anc{k}_idx",
                    # Townships and below: only the rows that have such an ancestor (a write to any
                    # other row skips these indexes).
                    condition=Q(**{f"anc{k}__isnull": False}) if k >= 3 else None,
                )
                for k in range(5)
            ],
            models.Index(
                fields=["department"], condition=Q(department__isnull=False), name="assignment_department_idx"
            ),
            models.Index(fields=["id"], condition=Q(anc0__isnull=True), name="assignment_no_anc_idx"),
            # The daily refresh finds the levels the passing days change by ranges on these.
            models.Index(
                fields=["escalation", "overdue_since"],
                condition=Q(overdue_since__isnull=False, status="assigned"),
                name="assignment_escalation_idx",
            ),
        ]

    def __str__(self):
        return f"{self.task} → {self.receiver_name}"

    @property
    def receiver_name(self) -> str:
        """承办: the organisation, or the department of the issuer's office."""
        if self.department_id:
            return f"{self.organisation.name}{self.department.name}"
        return self.organisation.name


class AssignmentContributor(models.Model):
    """A 参与部门 of an assignment inside one office: it contributes (reporting/Contribution) and is
    reminded of that only; the 牵头部门 (the assignment's department) answers for the whole."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="contributors")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="contributions_owed")

    objects = ContributorQuerySet.as_manager()

    class Meta:
        verbose_name = "参与部门"
        verbose_name_plural = "参与部门"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "department"], name="assignment_contributor_unique")
        ]

    def __str__(self):
        return f"{self.assignment_id}:{self.department}"


COPY_LEVELS = 3  # the ancestors a milestone copy carries (province, city, county)


class AssignmentMilestone(models.Model):
    """The receiver's copy of a milestone's dates: it may tighten them, never loosen them."""

    # No index of its own: the unique (assignment, milestone) serves every lookup by assignment, and one
    # index less is one less to write when the refresh cannot update a copy in place.
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="milestones", db_index=False
    )
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
    # Set when its assignment is closed or withdrawn: the copy then counts as that, never as late.
    ended = models.CharField("结束方式", max_length=10, blank=True, db_default="")
    # The day its overdue 催办 went out (once per copy).
    overdue_noticed_on = models.DateField("逾期催办日期", null=True, blank=True)
    # The status engine's: the first day it counts as 进度滞后 with the percent reported so far (NULL: never),
    # so a day's refresh finds the copies the passing day changes by an index range, not a scan.
    risk_from = models.DateField("滞后起始日", null=True, blank=True)
    # The assignment's anc0 … anc2 (assignments.ancestors), so that a province's, city's or county's open
    # items are one index range in due-date order: the 督办清单's first page and count without a join.
    anc0 = models.BigIntegerField(null=True, blank=True, editable=False)
    anc1 = models.BigIntegerField(null=True, blank=True, editable=False)
    anc2 = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = AssignmentBoundQuerySet.as_manager()

    class Meta:
        verbose_name = "交办节点"
        verbose_name_plural = "交办节点"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "milestone"], name="assignment_milestone_unique")
        ]
        indexes = [
            models.Index(
                fields=["due_date"], condition=Q(accepted_at__isnull=True, ended=""), name="am_open_due_idx"
            ),
            models.Index(
                fields=["risk_from"],
                condition=Q(accepted_at__isnull=True, ended="", risk_from__isnull=False),
                name="am_open_risk_idx",
            ),
            *[
                models.Index(
                    fields=[f"anc{k}", "due_date", "id"],
                    condition=Q(accepted_at__isnull=True, ended=""),
                    name=f"am_open_anc{k}_due_idx",
                )
                for k in range(COPY_LEVELS)
            ],
            models.Index(fields=["id"], condition=Q(anc0__isnull=True), name="am_no_anc_idx"),
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
        ESCALATED = "escalated", "督办"
        EXTENDED = "extended", "延期"
        BROKEN_DOWN = "broken_down", "分解交办"
        CONTRIBUTED = "contributed", "配合反馈"
        WITHDRAWN = "withdrawn", "退办"
        CLOSED = "closed", "销号"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("环节", max_length=12, choices=Kind.choices)
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
    """延期申请: the receiver asks for a later due date (also once it has passed, which the request
    records); the issuer decides."""

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
    after_deadline = models.BooleanField("逾期后申请", default=False)
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
