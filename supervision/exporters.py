"""A plan's export with its progress: the plan's own sheet (which an import reads back) and a second sheet,
进度, with each handed-down task's state in every receiving organisation the user may see."""

from __future__ import annotations

from django.db.models import Count, Min, Q
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from assignments.models import Assignment, ProgressStatus
from core.spreadsheets import workbook_bytes
from plans.exporters import plan_workbook
from plans.models import Plan

PROGRESS_HEADER = ["序号", "项目名称", "承办组织", "交办状态", "进度状态", "完成率（%）", "已完成节点",
                   "时间节点数", "最早逾期时限", "下一个时限"]  # fmt: skip
PROGRESS_WIDTHS = [6, 28, 24, 10, 10, 10, 10, 10, 14, 14]


def plan_progress_rows(plan: Plan, user) -> list[list]:
    """One row per assignment of the plan the user may see (one grouped query), tasks in plan order; a
    task handed to nobody still gets a row, so every task is accounted for."""
    open_milestone = Q(milestones__completed_on__isnull=True)
    overdue = Q(milestones__progress=ProgressStatus.OVERDUE)
    assignments = (
        Assignment.objects.for_user(user, "view")
        .filter(plan=plan)
        .values(
            "task_id", "organisation__name", "organisation__code", "status", "progress", "completion_percent"
        )
        .annotate(
            total=Count("milestones"),
            done=Count("milestones", filter=Q(milestones__completed_on__isnull=False)),
            first_overdue=Min("milestones__due_date", filter=open_milestone & overdue),
            next_due=Min("milestones__due_date", filter=open_milestone & ~overdue),
        )
        .order_by("task_id", "organisation__code", "organisation__name")
    )
    by_task: dict[int, list[dict]] = {}
    for row in assignments:
        by_task.setdefault(row["task_id"], []).append(row)
    statuses = dict(Assignment.Status.choices)
    rows = []
    for task in plan.tasks.order_by("order", "id").only("id", "seq", "title"):
        handed = by_task.get(task.pk)
        if not handed:
            rows.append([task.seq, task.title, "（未交办）", "", "", "", "", "", "", ""])
            continue
        for row in handed:
            rows.append([
                task.seq, task.title, row["organisation__name"], statuses.get(row["status"], row["status"]),
                ProgressStatus(row["progress"]).label, row["completion_percent"], row["done"], row["total"],
                row["first_overdue"], row["next_due"],
            ])  # fmt: skip
    return rows


def export_plan_with_progress_xlsx(plan: Plan, user) -> bytes:
    book = plan_workbook(plan)
    sheet = book.create_sheet("进度")
    sheet.append(PROGRESS_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in plan_progress_rows(plan, user):
        sheet.append(row)
    for index, width in enumerate(PROGRESS_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.column in (9, 10) and cell.value:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    book.active = 0
    return workbook_bytes(book)


ITEM_HEADER = ["承办组织", "组织代码", "承办部门", "责任人", "计划", "序号", "任务", "时间节点", "完成时限",
               "逾期天数", "督办单", "最近报告"]  # fmt: skip
ITEM_WIDTHS = [24, 10, 12, 18, 24, 6, 30, 30, 12, 8, 8, 16]


def overdue_list_xlsx(rows: list[dict], *, tab: str, org, today) -> bytes:
    """The 督办清单 as the user filtered it, through the one safe writer (names are never formulas)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "逾期事项" if tab == "overdue" else "即将到期"
    sheet.append([f"督办清单：{org.name}（状态日期 {today:%Y-%m-%d}，共 {len(rows)} 项）"])
    sheet.append(ITEM_HEADER)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        report = row["last_report"]
        last = (
            f"{report['period']}（{report['submitted_at']}{'，逾期' if report['late'] else ''}）"
            if report
            else "未报"
        )
        sheet.append([
            row["org"], row["org_code"], row["department"], "、".join(row["people"]), row["plan"],
            row["task_seq"], row["task"], row["milestone"], row["due"], row["days_overdue"],
            row["level_label"], last,
        ])  # fmt: skip
    for index, width in enumerate(ITEM_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    return workbook_bytes(book)
