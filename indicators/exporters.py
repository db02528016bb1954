"""The figures template: one row per organisation, a numerator/denominator (or value) column per indicator.
Saved by the project's one safe writer (core.spreadsheets)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.periods import Period
from core.spreadsheets import workbook_bytes
from orgtree.models import Organisation

from .models import Indicator, Value

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def figure_columns(indicators: list[Indicator]) -> list[tuple[Indicator, str, str]]:
    """(indicator, field, header) for each column, in the order they appear."""
    columns = []
    for indicator in indicators:
        if indicator.has_fraction:
            columns.append((indicator, "numerator", f"{indicator.name}（分子）"))
            columns.append((indicator, "denominator", f"{indicator.name}（分母）"))
        else:
            columns.append((indicator, "value", f"{indicator.name}（数值）"))
    return columns


def template_xlsx(
    org: Organisation, period: Period, indicators: list[Indicator], rows, values: dict[tuple[int, int], Value]
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "指标填报"
    columns = figure_columns(indicators)
    sheet.append([f"团建指标填报表（{period.label}）"])
    sheet.append(["填报组织", org.name, "期间", period.code])
    sheet.append(["说明：只填写本表中的组织；比率类指标填写分子和分母，不填百分比；空白表示未报送。"])
    header = ["组织代码", "组织名称", *[title for _, _, title in columns]]
    sheet.append(header)
    for cell in sheet[4]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for org_row in rows:
        line = [org_row.code or f"#{org_row.pk}", org_row.name]
        for indicator, field, _ in columns:
            stored = values.get((org_row.pk, indicator.pk))
            figure = getattr(stored, field) if stored is not None else None
            line.append(None if figure is None else float(figure))
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 30
    for index in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    sheet.freeze_panes = "C5"
    notes = workbook.create_sheet("指标口径")
    notes.append(["指标", "代码", "分子", "分母", "单位", "报送周期"])
    for indicator in indicators:
        notes.append(
            [indicator.name, indicator.code, indicator.numerator_label, indicator.denominator_label,
             indicator.get_unit_display(), indicator.get_frequency_display()]
        )  # fmt: skip
    return workbook_bytes(workbook)
