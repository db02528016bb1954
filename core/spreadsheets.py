"""The one bounded spreadsheet reader and the one safe writer.

Reading: an upload (.xlsx, or .csv in UTF-8, UTF-8 with BOM or GBK) becomes rows of text, bounded in size
before anything is parsed, merged cells filled with their value. Formulas are never evaluated: a formula
cell reads as its text.

Writing: every workbook the project produces is saved by `workbook_bytes`, which stores any cell whose text
starts like a formula (= + - @, tab, CR) as plain text marked with Excel's quote prefix, so a name such as
=HYPERLINK(…) arrives in the file as the characters it is, never as a live formula.
"""

from __future__ import annotations

import csv
import io
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


def _grid_from_xlsx(content: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetError("文件已损坏或不完整，无法作为 Excel 文件打开") from exc
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError("文件解压后过大（可能是压缩炸弹），已拒绝")
    if not any(info.filename == "xl/workbook.xml" for info in infos):
        raise SpreadsheetError("不是有效的 Excel（.xlsx）文件")
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


def read_grid(filename: str, content: bytes) -> list[list[str]]:
    """The first sheet (or the CSV) as rows of text of equal width, merged cells filled."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"
        )
    if not content:
        raise SpreadsheetError("文件是空的")
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        grid = _grid_from_xlsx(content)
    elif name.endswith(".csv"):
        grid = _grid_from_csv(content)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SpreadsheetError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后上传")
    else:
        raise SpreadsheetError("不是电子表格文件：请上传 .xlsx 或 .csv 文件")
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
