"""The one bounded spreadsheet reader and the one safe writer.

Reading: an upload — .xlsx, legacy .xls (Excel 97–2003, as WPS and older Office save), the table of a Word
.docx (the form most 分工方案 circulate in), or .csv in UTF-8, UTF-8 with BOM or GBK — becomes rows of text,
merged cells filled with their value. Formulas are never evaluated: a formula cell reads as its text. A
.docx gives the paragraphs that name the document (文号, title) as rows above its table.

What a file may be is decided before any library parses it, from what the file says about itself and from
a streaming pass over its parts that counts without building anything: the size of every part once
unpacked and how far it was compressed, the rows a sheet declares (<dimension>), the rows, cells, widest
row, merged ranges and XML elements it really holds, the shared strings, the records of an .xls sheet, the
fields of a CSV line. A file beyond them is refused at that point; the libraries then read in streaming
mode (openpyxl read-only, xlrd on demand) under a time budget.

Writing: every workbook the project produces is saved by `workbook_bytes`, which stores any cell whose text
starts like a formula (= + - @, tab, CR) as plain text marked with Excel's quote prefix, so a name such as
=HYPERLINK(…) arrives in the file as the characters it is, never as a live formula. The quote prefix is a
style, not a character: the value stays exactly the text, so the reader has nothing to undo, and an
apostrophe a user typed at the start of a name is part of the name both ways.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree import ElementTree

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # a zip bomb is refused before anything is parsed
MAX_PART_BYTES = 100 * 1024 * 1024  # one sheet or shared-string table (a 20,000-task sheet is 29 MB)
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # word/document.xml, parsed whole (20,000 table rows are 21 MB)
MAX_SMALL_PART_BYTES = 8 * 1024 * 1024  # every other XML part (styles, workbook, rels …), parsed whole
MAX_COMPRESSION_RATIO = 100  # real sheets compress 5–40 times; a run of one repeated cell, 400–1000
RATIO_FROM_BYTES = 1024 * 1024  # small parts may compress as they like
MAX_ROWS = 60_000
MAX_COLUMNS = 60
MAX_CELLS = 1_000_000  # cells present in the file, empty formatted ones included
MAX_ELEMENTS = 4_000_000  # XML elements of one part
MAX_PARTS = 5_000  # files inside one Office file (a workbook of 50 sheets has a few hundred)
MAX_MERGES = 60_000
MAX_CSV_FIELDS = 16_384  # separators on one CSV line
MAX_CELL_CHARS = 20_000
EXCEL_COLUMNS = 16_384  # XFD, the most columns a sheet has
READ_SECONDS = 60  # a file within every bound reads in far less; this stops the unforeseen

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BROKEN = "文件已损坏或格式不受支持，无法读取"


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


class _Clock:
    """The time budget of one read."""

    def __init__(self):
        self.deadline = time.monotonic() + READ_SECONDS

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise SpreadsheetError(f"文件过于复杂，{READ_SECONDS} 秒内未能读完，已拒绝：请精简后重新上传")


def _too_many_rows(rows: int, declared: bool = False) -> SpreadsheetError:
    said = "声明了" if declared else ""
    return SpreadsheetError(f"行数过多（{said}{rows:,} 行），每个文件最多 {MAX_ROWS:,} 行")


def _too_many_cells(cells: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"单元格过多（{cells:,} 个，含带格式的空单元格），每个文件最多 {MAX_CELLS:,} 个："
        "请删除多余的行和列后再上传"
    )


def _too_many_merges(merges: int) -> SpreadsheetError:
    return SpreadsheetError(f"合并单元格过多（{merges:,} 处），每个文件最多 {MAX_MERGES:,} 处")


# --- Office packages (.xlsx, .docx): the zip and its parts, before any parser sees them --------------------


@dataclass
class _Package:
    archive: zipfile.ZipFile
    infos: dict[str, zipfile.ZipInfo]
    xml: set[str]  # parts that are XML (what the libraries parse)

    def small_xml(self, name: str) -> ElementTree.Element:
        """A small part the checks themselves need (content types, relationships, workbook)."""
        info = self.infos.get(name)
        if info is None:
            raise SpreadsheetError(BROKEN)
        if info.file_size > MAX_SMALL_PART_BYTES:
            raise SpreadsheetError(f"文件中的“{name[-60:]}”解压后过大，已拒绝")
        try:
            return ElementTree.fromstring(self.archive.read(info))
        except (ElementTree.ParseError, zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise SpreadsheetError(BROKEN) from exc


def _open_package(content: bytes) -> _Package:
    """The parts of an Office file, after checking what they would expand to."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise SpreadsheetError("文件已损坏或不完整，无法打开") from exc
    if len(infos) > MAX_PARTS:
        raise SpreadsheetError(f"文件结构异常（含 {len(infos):,} 个部件），已拒绝")
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError("文件解压后过大（可能是压缩炸弹），已拒绝")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise SpreadsheetError(
                f"文件中的“{info.filename[-60:]}”压缩比异常（{ratio:,.0f} 倍，可能是压缩炸弹），已拒绝"
            )
    xml = set()
    for info in infos:
        if info.is_dir():
            continue
        try:
            with archive.open(info) as member:
                head = member.read(64)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise SpreadsheetError("文件已损坏或不完整，无法打开") from exc
        # A part is XML by its content, whatever its name: that is what a parser would make of it.
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            xml.add(info.filename)
    return _Package(archive, {info.filename: info for info in infos}, xml)


def _check_part_sizes(package: _Package, big: dict[str, int]) -> None:
    """Every XML part a library parses whole stays small; the named big ones have their own bound."""
    for name in package.xml:
        limit = big.get(name, MAX_SMALL_PART_BYTES)
        size = package.infos[name].file_size
        if size > limit:
            raise SpreadsheetError(
                f"文件中的“{name[-60:]}”解压后过大（{size / 1024 / 1024:.1f} MB，上限 "
                f"{limit // 1024 // 1024} MB），已拒绝"
            )


_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _relationships(package: _Package, source: str) -> list[tuple[str, str, str]]:
    """(id, type, part name) of the relationships of `source` ("" for the package), targets resolved
    against the source's folder as the OPC libraries do."""
    folder, base = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels_name not in package.infos:
        return []
    found = []
    for rel in package.small_xml(rels_name).iter(f"{_RELS_NS}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        found.append((rel.get("Id") or "", rel.get("Type") or "", posixpath.normpath(path).lstrip("/")))
    return found


# A streaming count of what an XML part holds. Tags are found by the characters that open them: "<" never
# appears unescaped inside a value, so a match is an element (or, in a comment, a harmless overcount). The
# spellings are exact ("<c ", "<x:c>" where the part binds x: to the spreadsheet namespace): a pattern
# that starts with a literal is searched for at a few hundred MB/s.
_MAIN_PREFIX = re.compile(
    rb"xmlns:([A-Za-z_][\w.-]*)\s*=\s*[\"']http://schemas\.openxmlformats\.org/spreadsheetml/2006/main[\"']"
)
_ROW_NUMBER = re.compile(rb"(?:^|\s)r\s*=\s*[\"']\s*(\d{1,12})")


class _Tags:
    """How a part spells the spreadsheet's elements: unprefixed, or with each prefix it binds to the
    spreadsheet namespace (openpyxl matches by namespace, so x:c is a cell too)."""

    def __init__(self):
        self.prefixes = [b""]
        self._compile()

    def learn(self, data: bytes) -> None:
        new = [p + b":" for p in _MAIN_PREFIX.findall(data) if p + b":" not in self.prefixes]
        if new:
            self.prefixes += list(dict.fromkeys(new))
            self._compile()

    def _compile(self) -> None:
        plain = self.prefixes == [b""]  # the usual case: a literal "<row" that re finds fastest
        open_ = b"<" if plain else b"<(?:" + b"|".join(re.escape(p) for p in self.prefixes) + b")"
        ref = rb"(?=[\s/>])[^>]*?\sref\s*=\s*[\"']([^\"']*)[\"']"
        self.row = re.compile(open_ + rb"row(?=[\s/>])([^>]*)>")
        self.dimension = re.compile(open_ + rb"dimension" + ref)
        self.sheet_data = re.compile(open_ + rb"sheetData(?=[\s/>])")
        self.merge = re.compile(open_ + rb"mergeCell" + ref)
        self.cell = re.compile(open_ + rb"c[\s/>]")
        self.string = re.compile(open_ + rb"si[\s/>]")


_CHUNK = 1024 * 1024
_MAX_TAG_BYTES = 1024 * 1024


@dataclass
class _Counts:
    elements: int = 0
    rows: int = 0
    last_row: int = 0  # the highest row number, gaps included (openpyxl yields the rows between)
    cells: int = 0
    widest: int = 0  # the most cells in one row
    strings: int = 0
    dimension: str | None = None  # the <dimension ref> before <sheetData>, when there is one
    merges: list[str] = field(default_factory=list)


def _count_part(package: _Package, name: str, clock: _Clock, *, until_dimension: bool = False) -> _Counts:
    """Count a part's elements, rows, cells and strings in chunks, refusing as soon as one is too many.
    With `until_dimension`, stop at a <dimension> that comes before the sheet data (all openpyxl reads of a
    sheet it does not iterate)."""
    counts = _Counts()
    tags = _Tags()
    row_cells = 0
    head = True
    carry = b""
    try:
        stream = package.archive.open(package.infos[name])
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise SpreadsheetError(BROKEN) from exc
    with stream:
        while True:
            clock.check()
            try:
                chunk = stream.read(_CHUNK)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
                raise SpreadsheetError("文件已损坏或不完整，无法打开") from exc
            data = carry + chunk
            if not data:
                break
            if chunk:  # keep an unfinished tag for the next chunk
                cut = data.rfind(b"<")
                if cut == -1 or data.find(b">", cut) != -1:
                    cut = len(data)
                data, carry = data[:cut], data[cut:]
                if len(carry) > _MAX_TAG_BYTES:
                    raise SpreadsheetError("文件结构异常（单个标记过长），已拒绝")
            else:
                carry = b""
            tags.learn(data)
            if head:
                dimension, sheet_data = tags.dimension.search(data), tags.sheet_data.search(data)
                if dimension and (sheet_data is None or dimension.start() < sheet_data.start()):
                    counts.dimension = dimension.group(1).decode("ascii", "replace")
                if counts.dimension is not None or sheet_data is not None:
                    head = False
                    if until_dimension and counts.dimension is not None:
                        return counts
            counts.elements += data.count(b"<") - data.count(b"</") - data.count(b"<?") - data.count(b"<!")
            counts.cells += len(tags.cell.findall(data))
            pieces = tags.row.split(data)  # text, row attributes, text, row attributes, …
            row_cells += len(tags.cell.findall(pieces[0]))  # the row the last chunk ended in
            for index in range(1, len(pieces), 2):
                counts.widest = max(counts.widest, row_cells)
                number = _ROW_NUMBER.search(pieces[index])
                counts.last_row = int(number.group(1)) if number else counts.last_row + 1
                counts.rows += 1
                body = pieces[index + 1]
                # A cell takes at least 4 bytes (<c/>): only a long row, or one the next chunk continues,
                # can hold more cells than a row may have.
                long = len(body) > 4 * EXCEL_COLUMNS or index + 2 == len(pieces)
                row_cells = len(tags.cell.findall(body)) if long else 0
            counts.widest = max(counts.widest, row_cells)
            counts.strings += len(tags.string.findall(data))
            if b"mergeCell" in data:
                counts.merges += [ref.decode("ascii", "replace") for ref in tags.merge.findall(data)]
            if counts.elements > MAX_ELEMENTS:
                raise SpreadsheetError(f"文件结构异常（“{name[-60:]}”中元素过多），已拒绝")
            if max(counts.rows, counts.last_row) > MAX_ROWS:
                raise _too_many_rows(max(counts.rows, counts.last_row))
            if counts.cells > MAX_CELLS or counts.strings > MAX_CELLS:
                raise _too_many_cells(max(counts.cells, counts.strings))
            if counts.widest > EXCEL_COLUMNS:
                raise SpreadsheetError(
                    f"列数过多（一行有 {counts.widest:,} 个单元格），每行最多 {EXCEL_COLUMNS:,} 列"
                )
            if len(counts.merges) > MAX_MERGES:
                raise _too_many_merges(len(counts.merges))
            if not chunk:
                break
    return counts


# --- .xlsx --------------------------------------------------------------------------------------------------


def _xlsx_parts(package: _Package) -> tuple[list[str], str | None]:
    """The worksheet parts in the workbook's order and the shared strings, found as openpyxl finds them
    (content types, then the workbook's relationships)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.workbook._writer import WorkbookPackage
    from openpyxl.xml.constants import SHARED_STRINGS

    try:
        manifest = Manifest.from_tree(package.small_xml("[Content_Types].xml"))
        workbook = _find_workbook_part(manifest).PartName[1:]
        sheets = WorkbookPackage.from_tree(package.small_xml(workbook)).sheets
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken files
        raise SpreadsheetError(BROKEN) from exc
    rels = {rid: (kind, path) for rid, kind, path in _relationships(package, workbook)}
    worksheets = []
    for sheet in sheets:
        kind, path = rels.get(sheet.id or "", ("", ""))
        if path in package.infos and "chartsheet" not in kind:
            worksheets.append(path)
    strings = manifest.find(SHARED_STRINGS)
    return worksheets, (strings.PartName[1:] if strings is not None else None)


def _check_xlsx(package: _Package, clock: _Clock) -> list[str]:
    """Refuse what openpyxl should not be given; the first sheet's merged ranges (read-only openpyxl
    does not keep them)."""
    worksheets, strings = _xlsx_parts(package)
    if not worksheets:
        raise SpreadsheetError("工作表是空的")
    big = dict.fromkeys([*worksheets, *([strings] if strings else [])], MAX_PART_BYTES)
    _check_part_sizes(package, big)
    if strings in package.infos:
        _count_part(package, strings, clock)
    first = _count_part(package, worksheets[0], clock)
    if first.dimension:
        from openpyxl.utils.cell import range_boundaries

        try:
            declared_rows = range_boundaries(first.dimension.upper())[3] or 0
        except (ValueError, TypeError) as exc:
            raise SpreadsheetError(BROKEN) from exc
        if declared_rows > MAX_ROWS:
            raise _too_many_rows(declared_rows, declared=True)
    for other in worksheets[1:]:
        # openpyxl sizes every sheet on opening: cheap when it declares a <dimension>, else a walk.
        _count_part(package, other, clock, until_dimension=True)
    return first.merges


def _rows_from_xlsx(content: bytes, merges: list[str], clock: _Clock) -> list[list]:
    """The first sheet's values (not text), merged ranges filled, rows of equal width."""
    import openpyxl  # only needed here; keeps the import cost off every request
    from openpyxl.utils.cell import range_boundaries

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken files
        raise SpreadsheetError("文件已损坏或格式不受支持，无法读取") from exc
    rows: list[list] = []
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("工作表是空的")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the rows the file holds, not the ones it says it has
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            if len(rows) % 512 == 0:
                clock.check()
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(len(rows) + 1)
            values = list(values)
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed cell surfaces only while iterating
        raise SpreadsheetError("文件已损坏或格式不受支持，无法读取") from exc
    finally:
        workbook.close()
    ranges = []
    for ref in merges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref.upper())
        except (ValueError, TypeError):
            continue
        if min_row is None or min_col is None or min_row > len(rows) or min_col > MAX_COLUMNS:
            continue
        ranges.append(
            (min_row, min_col, min(max_row or min_row, len(rows)), min(max_col or min_col, MAX_COLUMNS))
        )
    width = max([len(row) for row in rows] + [c2 for _, _, _, c2 in ranges], default=0)
    if sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in ranges) > MAX_CELLS:
        raise _too_many_merges(len(ranges))
    rows = [row + [None] * (width - len(row)) for row in rows]
    for r1, c1, r2, c2 in ranges:
        top = rows[r1 - 1][c1 - 1]
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                rows[r - 1][c - 1] = top
    return rows


def read_xlsx_values(content: bytes) -> list[list]:
    """The first sheet of an .xlsx as cell values (numbers, booleans, dates as they are), within the
    same bounds as `read_grid`: for readers that convert values themselves (the admin's imports)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"
        )
    if content[:4] != b"PK\x03\x04":
        raise SpreadsheetError("不是有效的 Excel（.xlsx）文件")
    clock = _Clock()
    merges = _check_xlsx(_open_package(content), clock)
    return _rows_from_xlsx(content, merges, clock)


# --- .csv ---------------------------------------------------------------------------------------------------


def _grid_from_csv(content: bytes, clock: _Clock) -> list[list[str]]:
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
    # csv builds a whole row before it can be cut: a line of millions of fields is refused first.
    widest = max((line.count(",") for line in text.split("\n")), default=0)
    if widest > MAX_CSV_FIELDS:
        raise SpreadsheetError(f"列数过多（一行有 {widest + 1:,} 个字段），每行最多 {MAX_CSV_FIELDS:,} 列")
    reader = csv.reader(io.StringIO(text))
    rows = []
    try:
        for row in reader:
            if len(rows) % 512 == 0:
                clock.check()
            rows.append([cell_text(cell) for cell in row[:MAX_COLUMNS]])
            if len(rows) > MAX_ROWS:
                raise _too_many_rows(len(rows))
    except csv.Error as exc:
        raise SpreadsheetError(
            f"CSV 格式有误（第 {reader.line_num:,} 行，可能是引号不成对或单元格过长），"
            "请用 Excel 另存为 .xlsx 后上传"
        ) from exc
    return rows


# --- .xls ---------------------------------------------------------------------------------------------------

_XLS_CELLS = {0x0203, 0x0204, 0x0205, 0x0006, 0x0406, 0x027E, 0x00FD, 0x00D6}  # one cell each
_XLS_BLANKS = {0x0201, 0x00BE}  # not kept by xlrd without formatting_info
_XLS_MULRK, _XLS_DIMENSIONS, _XLS_MERGED = 0x00BD, 0x0200, 0x00E5
_XLS_BOF, _XLS_EOF, _XLS_BOUNDSHEET, _XLS_SST = 0x0809, 0x000A, 0x0085, 0x00FC
_XLS_GLOBAL_RECORDS = 200_000  # fonts, formats, styles, names, strings: thousands in real workbooks


class _Discard:
    def write(self, text):  # xlrd's notes on odd files: neither printed nor kept
        return len(text)


def _xls_records(stream: bytes, position: int):
    """(type, data) of the BIFF records from `position`."""
    end = len(stream)
    while position + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, position)
        yield kind, stream[position + 4 : position + 4 + length]
        position += 4 + length


def _check_xls(content: bytes, clock: _Clock) -> list[tuple[int, int, int, int]]:
    """Walk the workbook stream's records as xlrd will, counting before xlrd keeps anything: the shared
    strings, the first sheet's declared and real rows, its cells and how wide its rows are (xlrd keeps a
    row as wide as its last cell), its merged ranges. Returns the merged ranges (xlrd's form)."""
    from xlrd import compdoc

    try:
        document = compdoc.CompDoc(content, logfile=_Discard())
        for name in ("Workbook", "Book"):
            stream, base, size = document.locate_named_stream(name)
            if stream:
                break
        else:
            raise SpreadsheetError("不是 Excel 文件（若是旧版 Word .doc，请另存为 .docx 后上传）")
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken container raises several kinds
        raise SpreadsheetError("文件已损坏或格式不受支持，无法读取") from exc
    stream = bytes(stream[base : base + size])
    sheet_at = None
    for records, (kind, data) in enumerate(_xls_records(stream, 0)):
        if records > _XLS_GLOBAL_RECORDS:
            raise SpreadsheetError("文件结构异常（工作簿记录过多），已拒绝")
        if kind == _XLS_BOUNDSHEET and len(data) >= 6 and sheet_at is None and data[5] == 0:
            sheet_at = struct.unpack_from("<i", data)[0]
        elif kind == _XLS_SST and len(data) >= 8 and struct.unpack_from("<i", data, 4)[0] > MAX_CELLS:
            raise _too_many_cells(struct.unpack_from("<i", data, 4)[0])
        elif kind == _XLS_EOF:
            break
    if sheet_at is None or not 0 <= sheet_at < len(stream):
        raise SpreadsheetError("工作表是空的")
    depth = cells = last_row = 0
    widths: dict[int, int] = {}  # row → columns xlrd will keep for it
    merges = []
    for records, (kind, data) in enumerate(_xls_records(stream, sheet_at)):
        if records % 65536 == 0:
            clock.check()
        if records > MAX_CELLS + 2 * MAX_ROWS:
            raise _too_many_cells(records)
        if kind == _XLS_BOF:
            depth += 1
        elif kind == _XLS_EOF:
            depth -= 1
            if depth <= 0:
                break
        elif depth > 1:
            continue  # a chart inside the sheet
        elif kind in _XLS_CELLS and len(data) >= 4:
            row, column = struct.unpack_from("<HH", data)
            widths[row] = max(widths.get(row, 0), column + 1)
            cells, last_row = cells + 1, max(last_row, row + 1)
        elif kind == _XLS_MULRK and len(data) >= 6:
            row, first = struct.unpack_from("<HH", data)
            last = struct.unpack_from("<H", data, len(data) - 2)[0]
            widths[row] = max(widths.get(row, 0), last + 1)
            cells, last_row = cells + max(0, last - first + 1), max(last_row, row + 1)
        elif kind == _XLS_DIMENSIONS and len(data) >= 8:
            # BIFF8 counts rows in 4 bytes, BIFF5/7 in 2: the first row after the last, after the first
            wide = len(data) >= 14
            declared = struct.unpack_from("<i" if wide else "<H", data, 4 if wide else 2)[0]
            if declared > MAX_ROWS:
                raise _too_many_rows(declared, declared=True)
        elif kind == _XLS_MERGED and len(data) >= 2:
            count = min(struct.unpack_from("<H", data)[0], (len(data) - 2) // 8)
            for index in range(count):
                r1, r2, c1, c2 = struct.unpack_from("<HHHH", data, 2 + 8 * index)
                merges.append((r1, r2 + 1, c1, c2 + 1))
            if len(merges) > MAX_MERGES:
                raise _too_many_merges(len(merges))
        if kind in _XLS_CELLS or kind == _XLS_MULRK:
            if cells > MAX_CELLS:
                raise _too_many_cells(cells)
            if last_row > MAX_ROWS:
                raise _too_many_rows(last_row)
    if sum(widths.values()) > MAX_CELLS:
        raise _too_many_cells(sum(widths.values()))
    return merges


def _grid_from_xls(content: bytes, clock: _Clock) -> list[list[str]]:
    merges = _check_xls(content, clock)
    import xlrd

    try:
        # ragged rows: a row is as wide as its last cell, not padded to the widest; merged ranges come from
        # the walk above (xlrd keeps them only with formatting_info, which also keeps every blank cell).
        book = xlrd.open_workbook(file_contents=content, on_demand=True, ragged_rows=True, logfile=_Discard())
        if book.nsheets < 1:
            raise SpreadsheetError("工作表是空的")
        sheet = book.sheet_by_index(0)
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - xlrd raises several kinds on broken or foreign files
        if "Workbook" in str(exc) or "OLE2" in str(exc):
            raise SpreadsheetError("不是 Excel 文件（若是旧版 Word .doc，请另存为 .docx 后上传）") from exc
        raise SpreadsheetError("文件已损坏或格式不受支持，无法读取") from exc
    if sheet.nrows > MAX_ROWS:
        raise _too_many_rows(sheet.nrows)

    def text(cell) -> str:
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode))
            except (ValueError, OverflowError):
                return cell_text(cell.value)
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return cell_text(bool(cell.value))
        return cell_text(cell.value)

    grid = []
    for r in range(sheet.nrows):
        if r % 512 == 0:
            clock.check()
        grid.append([text(cell) for cell in sheet.row_slice(r, 0, min(sheet.row_len(r), MAX_COLUMNS))])
    ranges = [
        (r1, min(r2, len(grid)), c1, min(c2, MAX_COLUMNS))
        for r1, r2, c1, c2 in merges
        if r1 < len(grid) and c1 < MAX_COLUMNS and r2 > r1 and c2 > c1
    ]
    if sum((r2 - r1) * (c2 - c1) for r1, r2, c1, c2 in ranges) > MAX_CELLS:
        raise _too_many_merges(len(ranges))
    width = max([len(row) for row in grid] + [c2 for *_, c2 in ranges], default=0)
    grid = [row + [""] * (width - len(row)) for row in grid]
    for r1, r2, c1, c2 in ranges:
        top = grid[r1][c1]
        for r in range(r1, r2):
            for c in range(c1, c2):
                grid[r][c] = top
    return grid


# --- .docx --------------------------------------------------------------------------------------------------

_DOC_NAME = re.compile(r"[\u4e00-\u9fa5]{1,8}[〔\[（(【]\d{4}[〕\]）)】]\s*\d{1,4}\s*号|《[^》]{4,120}》")


def _check_docx(package: _Package, clock: _Clock) -> None:
    documents = [path for _, kind, path in _relationships(package, "") if kind.endswith("/officeDocument")]
    if not documents or documents[0] not in package.infos:
        raise SpreadsheetError("Word 文件已损坏或格式不受支持，无法读取")
    _check_part_sizes(package, {documents[0]: MAX_DOCUMENT_BYTES})
    _count_part(package, documents[0], clock)


def _table_rows(table, clock: _Clock) -> list[list[str]]:
    """A Word table's rows as python-docx's `row.cells` gives them (a cell spanning columns repeated, a
    cell continuing a vertical merge reading as the cell it continues), in one pass: python-docx looks
    each continuation up from the start of the table (quadratic, and recursive down a long merge) and
    repeats a span as often as the file says."""
    from docx.table import _Cell

    rows = []
    above: dict[int, str] = {}  # grid column → text of the cell that starts there, in the row above
    for tr in table._tbl.tr_lst:
        if len(rows) % 256 == 0:
            clock.check()
        offset = tr.grid_before
        here: dict[int, str] = {}
        row: list[str] = []
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            value = above.get(offset, "") if tc.vMerge == "continue" else cell_text(_Cell(tc, table).text)
            here[offset] = value
            row += [value] * min(span, MAX_COLUMNS - len(row))
            offset += span
            if len(row) >= MAX_COLUMNS:
                break
        above = here
        rows.append(row)
    return rows


def _grid_from_docx(content: bytes, package: _Package, clock: _Clock) -> list[list[str]]:
    _check_docx(package, clock)
    import docx

    try:
        document = docx.Document(io.BytesIO(content))
        return _docx_grid(document, clock)
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml raise many kinds on broken files
        raise SpreadsheetError("Word 文件已损坏或格式不受支持，无法读取") from exc


def _docx_grid(document, clock: _Clock) -> list[list[str]]:
    tables = document.tables
    if not tables:
        raise SpreadsheetError("Word 文件中没有表格：请上传含任务分解表的 .docx，或把表格另存为 Excel")
    # The task table is the biggest; tables of the same width after it continue it (a page break).
    main = max(range(len(tables)), key=lambda i: len(tables[i]._tbl.tr_lst))
    width = len(tables[main]._tbl.tblGrid.gridCol_lst)
    rows = []
    for table in tables[main:]:
        if len(table._tbl.tblGrid.gridCol_lst) != width:
            continue
        rows += _table_rows(table, clock)
        if len(rows) > MAX_ROWS:
            raise _too_many_rows(len(rows))
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
    heading = [line for line in before if _DOC_NAME.search(line[:MAX_CELL_CHARS])] + before[-2:]
    heading = list(dict.fromkeys(line[:MAX_CELL_CHARS] for line in heading))[-4:]
    return [[line] for line in heading] + rows


# --- the reader ---------------------------------------------------------------------------------------------

_SPREADSHEET_MAIN = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)


def _is_workbook(package: _Package) -> bool:
    if "xl/workbook.xml" in package.infos:
        return True
    if "[Content_Types].xml" not in package.infos:
        return False
    types = package.small_xml("[Content_Types].xml")
    return any(node.get("ContentType") in _SPREADSHEET_MAIN for node in types.iter())


def read_grid(filename: str, content: bytes) -> list[list[str]]:
    """The first sheet (or the CSV, or the Word table) as rows of text of equal width, merged cells
    filled."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB"
        )
    if not content:
        raise SpreadsheetError("文件是空的")
    clock = _Clock()
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        package = _open_package(content)
        if _is_workbook(package):
            merges = _check_xlsx(package, clock)
            grid = [[cell_text(value) for value in row] for row in _rows_from_xlsx(content, merges, clock)]
        elif "word/document.xml" in package.infos:
            grid = _grid_from_docx(content, package, clock)
        else:
            raise SpreadsheetError("不是有效的 Excel（.xlsx）或 Word（.docx）文件")
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        grid = _grid_from_xls(content, clock)
    elif name.endswith(".csv"):
        grid = _grid_from_csv(content, clock)
    else:
        raise SpreadsheetError("不是电子表格文件：请上传 .xlsx、.xls、.docx 或 .csv 文件")
    width = max((len(row) for row in grid), default=0)
    grid = [row + [""] * (width - len(row)) for row in grid]
    if not any(any(cell for cell in row) for row in grid):
        raise SpreadsheetError("工作表是空的")
    return grid


# --- Office files kept as they are (attachments): the container checked, nothing parsed --------------------

OFFICE_MAIN_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
OLE_STREAMS = {"doc": ("WordDocument",), "xls": ("Workbook", "Book")}


def check_office_file(content: bytes, kind: str) -> None:
    """A .docx or .xlsx as Office opens it: a sound zip within the bounds above whose content types name
    the main part of that kind (not its macro-enabled cousin, whose macros Office would offer to run), the
    part present, every part's checksum right (each is unpacked once, in chunks, and thrown away)."""
    package = _open_package(content)
    if "[Content_Types].xml" not in package.infos:
        raise SpreadsheetError(f"不是有效的 .{kind} 文件（缺少内容类型清单）")
    declared = {
        (node.get("PartName") or "").lstrip("/"): node.get("ContentType") or ""
        for node in package.small_xml("[Content_Types].xml").iter()
        if node.get("PartName")
    }
    if any("macroEnabled" in kind_ or "vbaProject" in kind_ for kind_ in declared.values()) or any(
        name.lower().endswith("vbaproject.bin") for name in package.infos
    ):
        raise SpreadsheetError("文件含宏，已拒绝：请另存为不含宏的文件后上传")
    main = [name for name, kind_ in declared.items() if kind_ == OFFICE_MAIN_TYPES[kind]]
    if not main or main[0] not in package.infos:
        raise SpreadsheetError(f"文件内容与扩展名 .{kind} 不符")
    clock = _Clock()
    for info in package.infos.values():
        try:
            with package.archive.open(info) as member:
                while member.read(_CHUNK):
                    clock.check()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise SpreadsheetError("文件已损坏或不完整，无法打开") from exc


def check_ole_file(content: bytes, kind: str) -> None:
    """A legacy .doc or .xls: a compound file whose directory holds the stream that kind of file has."""
    from xlrd import compdoc

    try:
        document = compdoc.CompDoc(content, logfile=_Discard())
        found = any(document.locate_named_stream(name)[0] for name in OLE_STREAMS[kind])
    except Exception as exc:  # noqa: BLE001 - a broken container raises several kinds
        raise SpreadsheetError("文件已损坏或不完整，无法打开") from exc
    if not found:
        raise SpreadsheetError(f"文件内容与扩展名 .{kind} 不符")


# --- the writer ---------------------------------------------------------------------------------------------


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
