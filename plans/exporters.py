"""Export a plan as a 任务分解表 (.xlsx) in the layout it is imported from: 文号, title and period rows,
header (with the columns the import kept), section rows spanning the table, one row a task. Importing the
file reproduces the plan. Saved by the project's one safe writer (core.spreadsheets)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.spreadsheets import workbook_bytes
from orgtree.models import Organisation

from .importers import LEVEL_NAMES, period_line
from .models import Plan
from .selectors import plan_tasks, section_paths

HEADER = ["序号", "项目名称", "总体计划", "相关工作进度安排", "牵头部门", "参与部门"]
WIDTHS = [6, 28, 60, 60, 14, 18]


def recipient_names(task) -> list[str]:
    """The organisations a task goes to, as a table names them ("各市团委", a named 团委), so that an
    import of the export gives the same recipients."""
    recipients = task.recipients or {}
    names = [LEVEL_NAMES[level] for level in recipients.get("levels") or [] if level in LEVEL_NAMES]
    ids = recipients.get("organisations") or []
    if ids:
        names += list(
            Organisation.objects.filter(pk__in=ids).order_by("code", "id").values_list("name", flat=True)
        )
    return names


def export_plan_xlsx(plan: Plan) -> bytes:
    return workbook_bytes(plan_workbook(plan))


def plan_workbook(plan: Plan) -> Workbook:
    """The plan's sheet, first in the book (the one an import reads); callers may add sheets after it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "任务分解"
    tasks = list(plan_tasks(plan))
    extra_names = list(dict.fromkeys(name for task in tasks for name in (task.extra or {})))
    header = [*HEADER, *extra_names]
    last_column = get_column_letter(len(header))
    wrap = Alignment(wrap_text=True, vertical="top")

    def spanning(text: str, *, bold: bool = False, fill: str | None = None) -> None:
        sheet.append([text])
        row = sheet.max_row
        sheet.merge_cells(f"A{row}:{last_column}{row}")
        sheet.cell(row, 1).font = Font(bold=bold, size=14 if fill is None and bold else 11)
        if fill:
            sheet.cell(row, 1).fill = PatternFill("solid", fgColor=fill)

    if plan.doc_number:
        spanning(plan.doc_number)
    spanning(plan.title, bold=True)
    spanning(period_line(start_year=plan.start_year, end_year=plan.end_year, default_year=plan.default_year,
                         school_year=plan.school_year))  # fmt: skip
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)

    paths = section_paths(plan)
    shown: list[int] = []
    for task in tasks:
        path = paths.get(task.section_id, [])
        for depth, section in enumerate(path):
            if depth >= len(shown) or shown[depth] != section.pk:
                spanning(section.title, bold=True, fill="F1F4F8")
                shown = [*shown[:depth], section.pk]
        shown = shown[: len(path)]
        sheet.append(
            [
                task.seq,
                task.title,
                task.summary,
                task.schedule_text,
                "、".join(d.name for d in task.lead_departments.all()),
                "、".join([*(d.name for d in task.participating_departments.all()), *recipient_names(task)]),
                *((task.extra or {}).get(name, "") for name in extra_names),
            ]
        )
    for index, width in enumerate([*WIDTHS, *([30] * len(extra_names))], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = wrap
    return book
