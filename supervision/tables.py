"""The 督办清单 as a sortable, paginated table (django-tables2). Who answers for each row and its last
report are fetched once per page (`Board` selectors), set on the table before it renders."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from assignments.models import AssignmentMilestone, Escalation

from .board import days_overdue


class ItemTable(tables.Table):
    pick = tables.CheckBoxColumn(accessor="assignment_id", attrs={
        "th__input": {"aria-label": "全选本页", "data-check-all": "pick"},
        "td__input": {"aria-label": "选择此项", "form": "urge-form", "name": "pick"},
    })  # fmt: skip
    organisation = tables.Column(
        "承办组织", accessor="assignment__organisation__name",
        order_by=("assignment__organisation__code", "assignment__organisation__name"),
    )  # fmt: skip
    department = tables.Column("部门", accessor="assignment__department__name", default="—")
    people = tables.Column("责任人", accessor="pk", orderable=False)
    plan = tables.Column("计划", accessor="assignment__plan__title")
    task = tables.Column("任务", accessor="assignment__task__title",
                         order_by=("assignment__plan__title", "assignment__task__order"))  # fmt: skip
    milestone = tables.Column("时间节点", accessor="milestone__raw", orderable=False)
    due_date = tables.DateColumn(format="Y-m-d", verbose_name="完成时限")
    days = tables.Column("逾期天数", accessor="due_date", order_by=("due_date",))
    level = tables.Column("督办单", accessor="assignment__escalation", default="")
    last_report = tables.Column("最近报告", accessor="pk", orderable=False)

    class Meta:
        model = AssignmentMilestone
        fields = ()
        sequence = ("pick", "organisation", "department", "people", "plan", "task", "milestone", "due_date",
                    "days", "level", "last_report")  # fmt: skip
        attrs = {"class": "list items"}
        order_by = ("due_date",)
        empty_text = "没有符合条件的事项"
        template_name = "django_tables2/table.html"

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.people: dict = {}
        self.reports: dict = {}

    def render_task(self, record):
        url = reverse("reporting:assignment", args=[record.assignment_id])
        return format_html(
            '<a href="{}">{}. {}</a>', url, record.assignment.task.seq, record.assignment.task.title
        )

    def render_days(self, record):
        return days_overdue(record.due_date, self.today) or "—"

    def render_level(self, record):
        value = record.assignment.escalation  # the stored level, not tables2's display label
        if not value:
            return "—"
        tone = "red" if value == Escalation.RED else "yellow"
        return format_html('<span class="st tone-{}">{}</span>', tone, Escalation(value).label)

    def render_people(self, record):
        a = record.assignment
        names = self.people.get((a.organisation_id, a.department_id), [])
        return "、".join(names) or "（未指定）"

    def render_last_report(self, record):
        report = self.reports.get(record.assignment_id)
        if report is None:
            return "未报"
        late = "（逾期）" if report.is_late else ""
        return f"{report.period} · {report.submitted_at:%m-%d}{late}"
