"""The one bounded spreadsheet reader and the one safe writer.

Reading: an upload — .xlsx, legacy .xls (Excel 97–2003, as WPS and older Office save), the table of a Word
.docx (the form most 分工方案 circulate in), or .csv in UTF-8, UTF-8 with BOM or GBK — becomes rows of text,
bounded in size before anything is parsed or expanded, merged cells filled with their value. Formulas are
never evaluated: a formula cell reads as its text. A .docx gives the paragraphs that name the document
(文号, title) as rows above its table.

Writing: every workbook the project produces is saved by `workbook_bytes`, which stores any cell whose text
starts like a formula (= + - @, tab, CR) as plain text marked with Excel's quote prefix, so a name such as
=HYPERLINK(…) arrives in the file as the characters it is, never as a live formula.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before anything is parsed
MAX_ROWS = 60_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 20_000

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file is rejected as a whole; the message is shown to the user as is."""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()[:MAX_CELL_CHARS]


def _zip_parts(content: bytes) -> set[str]:
    """The names inside an Office file, after checking what it would expand to."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetError("文件已损坏或不完整，无法打开") from exc
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError("文件解压后过大（可能是压缩炸弹），已拒绝")
    return {info.filename for info in infos}


def _grid_from_xlsx(content: bytes) -> list[list[str]]:
    import openpyxl  # only needed here; keeps the import cost off every request

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=False, read_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken files
        raise SpreadsheetError("文件已损坏或格式不受支持，无法读取") from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None or sheet.max_row < 1:
        raise SpreadsheetError("工作表是空的")
    if sheet.max_row > MAX_ROWS:
        raise SpreadsheetError(f"行数过多（{sheet.max_row:,} 行），每个文件最多 {MAX_ROWS:,} 行")
    width = min(sheet.max_column, MAX_COLUMNS)
    grid = [[cell_text(cell.value) for cell in row[:width]] for row in sheet.iter_rows()]
    for merged in sheet.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_col <= width else ""
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, min(merged.max_col, width) + 1):
                grid[r - 1][c - 1] = top
    return grid


def _grid_from_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError("无法识别 CSV 文件的文字编码，请另存为 UTF-8 或 GBK")
    if "\x00" in text:
        raise SpreadsheetError("不是文本格式的 CSV 文件")
    try:
        rows = []
        for row in csv.reader(io.StringIO(text)):
            rows.append([cell_text(cell) for cell in row[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS:
                raise SpreadsheetError(f"行数过多，每个文件最多 {MAX_ROWS:,} 行")
    except csv.Error as exc:
        raise SpreadsheetError(f"CSV 格式有误：{exc}") from exc
    return rows


def _grid_from_xls(content: bytes) -> list[list[str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises several kinds on broken or foreign files
        if "Workbook" in str(exc) or "OLE2" in str(exc):
            raise SpreadsheetError("不是 Excel 文件（若是旧版 Word .doc，请另存为 .docx 后上传）") from exc
        raise SpreadsheetError("文件已损坏或格式不受支持，无法读取") from exc
    if book.nsheets < 1:
        raise SpreadsheetError("工作表是空的")
    sheet = book.sheet_by_index(0)
    if sheet.nrows > MAX_ROWS:
        raise SpreadsheetError(f"行数过多（{sheet.nrows:,} 行），每个文件最多 {MAX_ROWS:,} 行")
    width = min(sheet.ncols, MAX_COLUMNS)

    def text(cell) -> str:
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode))
            except (ValueError, OverflowError):
                return cell_text(cell.value)
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return cell_text(bool(cell.value))
        return cell_text(cell.value)

    grid = [[text(sheet.cell(r, c)) for c in range(width)] for r in range(sheet.nrows)]
    for row_lo, row_hi, col_lo, col_hi in sheet.merged_cells:
        if col_lo >= width:
            continue
        top = grid[row_lo][col_lo]
        for r in range(row_lo, row_hi):
            for c in range(col_lo, min(col_hi, width)):
                grid[r][c] = top
    return grid


_DOC_NAME = re.compile(r"[\u4e00-\u9fa5]{1,8}[〔\[（(【]\d{4}[〕\]）)】]\s*\d{1,4}\s*号|《[^》]{4,120}》")


def _grid_from_docx(content: bytes) -> list[list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(content))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise SpreadsheetError("Word 文件已损坏或格式不受支持，无法读取") from exc
    tables = document.tables
    if not tables:
        raise SpreadsheetError("Word 文件中没有表格：请上传含任务分解表的 .docx，或把表格另存为 Excel")
    # The task table is the biggest; tables of the same width after it continue it (a page break).
    main = max(range(len(tables)), key=lambda i: len(tables[i].rows))
    width = len(tables[main].columns)
    rows = []
    for table in tables[main:]:
        if len(table.columns) != width:
            continue
        for row in table.rows:
            rows.append([cell_text(cell.text) for cell in row.cells[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS:
                raise SpreadsheetError(f"行数过多，每个文件最多 {MAX_ROWS:,} 行")
    # What names the document: its 文号 and title, from the paragraphs before the table.
    body = document.element.body
    before = []
    for child in body.iterchildren():
        if child is tables[main]._tbl:
            break
        if child.tag.endswith("}p"):
            line = "".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")).strip()
            if line:
                before.append(line)
    heading = [line for line in before if _DOC_NAME.search(line)] + before[-2:]
    heading = list(dict.fromkeys(line[:MAX_CELL_CHARS] for line in heading))[-4:]
    return [[line] for line in heading] + rows


def read_grid(filename: str, content: bytes) -> list[list[str]]:
    """The first sheet (or the CSV, or the Word table) as rows of text of equal width, merged cells
    filled."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"
        )
    if not content:
        raise SpreadsheetError("文件是空的")
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        parts = _zip_parts(content)
        if "xl/workbook.xml" in parts:
            grid = _grid_from_xlsx(content)
        elif "word/document.xml" in parts:
            grid = _grid_from_docx(content)
        else:
            raise SpreadsheetError("不是有效的 Excel（.xlsx）或 Word（.docx）文件")
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        grid = _grid_from_xls(content)
    elif name.endswith(".csv"):
        grid = _grid_from_csv(content)
    else:
        raise SpreadsheetError("不是电子表格文件：请上传 .xlsx、.xls、.docx 或 .csv 文件")
    width = max((len(row) for row in grid), default=0)
    grid = [row + [""] * (width - len(row)) for row in grid]
    if not any(any(cell for cell in row) for row in grid):
        raise SpreadsheetError("工作表是空的")
    return grid


def workbook_bytes(workbook) -> bytes:
    """Save an openpyxl workbook, every formula-like text stored as text (see the module's comment)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or value.startswith(FORMULA_STARTS)):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
