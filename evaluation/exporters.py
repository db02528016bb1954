"""A 通报 as a Word document in the usual form (title, 文号, date, summary, the table, those praised and
those urged, the issuing organisation) and as a workbook; a 考核's scores as a workbook. Workbooks go
through the one safe writer (names are never formulas)."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.spreadsheets import workbook_bytes

from .facts import percent_text

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BULLETIN_HEADER = [
    "名次",
    "单位",
    "到期事项",
    "按期完成",
    "逾期完成",
    "逾期未完成",
    "按期完成率",
    "报送及时率",
    "指标达标",
]


def bulletin_cells(row: dict) -> list:
    indicators = (
        f"{row['indicators_met']}/{row['indicators_targeted']}" if row["indicators_targeted"] else "—"
    )
    return [
        row["rank"],
        row["org"],
        row["due"],
        row["on_time"],
        row["late"],
        row["overdue"],
        percent_text(row["completion_rate"]),
        percent_text(row["report_timeliness"]),
        indicators,
    ]


def _font(run, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.bold = bold
    run.font.name = "宋体"
    run.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def _paragraph(
    document, text: str, *, size: float = 12, bold: bool = False, align=None, indent: bool = False
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), size, bold)
    return paragraph


def _table(document, header: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(1.2), Cm(4.6)] + [Cm(1.7)] * (len(header) - 2)  # the name column holds 共青团温州市委
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), 10.5, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), 10.5)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice and WPS read
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # each cell, which Word reads


def bulletin_docx(payload: dict, *, title: str, doc_number: str, issued_on: date) -> bytes:
    document = Document()
    _paragraph(document, title, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, doc_number or f"〔{issued_on.year}〕 号", align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"{issued_on:%Y年%m月%d日}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"各{'单位' if payload['rows'] else '部门'}：")
    _paragraph(document, payload["summary"], indent=True)
    _paragraph(document, f"排名依据：{payload['ranking_rule']}。", indent=True)
    _paragraph(document, "一、各单位完成情况", bold=True)
    _table(document, BULLETIN_HEADER, [bulletin_cells(row) for row in payload["rows"]])
    if payload["departments"]:
        _paragraph(document, "二、本级各部门完成情况", bold=True)
        _table(document, BULLETIN_HEADER, [bulletin_cells(row) for row in payload["departments"]])
    praised = "、".join(payload["praised"]) or "无"
    urged = "、".join(payload["urged"]) or "无"
    _paragraph(document, f"对到期事项全部按期完成、按时报送的单位予以通报表扬：{praised}。", indent=True)
    _paragraph(
        document,
        f"请以下存在逾期未完成事项或未按时报送的单位抓紧整改，按要求报送进展：{urged}。",
        indent=True,
    )
    _paragraph(document, payload["org_name"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, f"{issued_on:%Y年%m月%d日}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, heading: str, header: list[str], rows: list[list], widths: list[int]):
    sheet = book.create_sheet(title)
    sheet.append([heading])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"


def bulletin_xlsx(payload: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    heading = f"{payload['org_name']} {payload['period_label']}通报（截至 {payload['today']}）"
    widths = [6, 28, 10, 10, 10, 10, 12, 12, 10]
    _sheet(book, "下级组织", heading, BULLETIN_HEADER, [bulletin_cells(r) for r in payload["rows"]], widths)
    if payload["departments"]:
        _sheet(
            book,
            "本级部门",
            heading,
            BULLETIN_HEADER,
            [bulletin_cells(r) for r in payload["departments"]],
            widths,
        )
    return workbook_bytes(book)


def assessment_xlsx(payload: dict) -> bytes:
    from .scoring import RULES

    book = Workbook()
    book.remove(book.active)
    header = ["名次", "单位", "得分", *[rule.label for rule in RULES], "加减分", "说明"]
    heading = f"{payload['org_name']} {payload['year']} 年度考核（截至 {payload['today']}）"

    def cells(row: dict) -> list:
        points = {item["rule"]: item["points"] for item in row["items"]}
        adjusted = sum(item["points"] for item in row["items"] if item["rule"] == "adjustment")
        notes = "；".join(f"{item['label']}：{item['explanation']}" for item in row["items"])
        return [
            row["rank"],
            row["org"],
            row["score"],
            *[points.get(rule.key, 0) for rule in RULES],
            adjusted,
            notes,
        ]

    widths = [6, 28, 8, *[10] * len(RULES), 8, 80]
    _sheet(book, "下级组织", heading, header, [cells(r) for r in payload["rows"]], widths)
    if payload["departments"]:
        _sheet(book, "本级部门", heading, header, [cells(r) for r in payload["departments"]], widths)
    return workbook_bytes(book)
