"""Export a plan as a 任务分解表 (.xlsx) in the layout it is imported from: title rows, header, section rows
spanning the table, one row a task. Cells that would start a formula are neutralised."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .models import Plan, Section
from .selectors import plan_tasks

HEADER = ["序号", "项目名称", "总体计划", "相关工作进度安排", "牵头部门", "参与部门"]
WIDTHS = [6, 28, 60, 60, 14, 18]
FORMULA_STARTS = ("=", "+", "-", "@")


def neutralise(value: str) -> str:
    """A leading ' keeps spreadsheet programs from reading the cell as a formula; the importer drops it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def export_plan_xlsx(plan: Plan) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "任务分解"
    last_column = get_column_letter(len(HEADER))
    wrap = Alignment(wrap_text=True, vertical="top")

    def spanning(text: str, *, bold: bool = False, fill: str | None = None) -> None:
        sheet.append([neutralise(text)])
        row = sheet.max_row
        sheet.merge_cells(f"A{row}:{last_column}{row}")
        sheet.cell(row, 1).font = Font(bold=bold, size=14 if fill is None and bold else 11)
        if fill:
            sheet.cell(row, 1).fill = PatternFill("solid", fgColor=fill)

    if plan.doc_number:
        spanning(plan.doc_number)
    spanning(plan.title, bold=True)
    sheet.append(HEADER)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)

    sections = {s.pk: s for s in Section.objects.filter(plan=plan)}
    shown: list[int] = []
    for task in plan_tasks(plan).order_by("order", "id"):
        path, node = [], sections.get(task.section_id)
        while node is not None and len(path) < 20:
            path.insert(0, node)
            node = sections.get(node.parent_id)
        for depth, section in enumerate(path):
            if depth >= len(shown) or shown[depth] != section.pk:
                spanning(section.title, bold=True, fill="F1F4F8")
                shown = [*shown[:depth], section.pk]
        shown = shown[: len(path)]
        sheet.append(
            [
                neutralise(task.seq),
                neutralise(task.title),
                neutralise(task.summary),
                neutralise(task.schedule_text),
                "、".join(d.name for d in task.lead_departments.all()),
                "、".join(d.name for d in task.participating_departments.all()),
            ]
        )
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = wrap
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
