"""Hostile files, built here rather than stored: workbooks that declare or hold more than they look like,
zip bombs, .xls sheets whose records expand, Word tables that send python-docx into loops, CSV lines of a
million fields. The tests build small ones (with the reader's bounds lowered where that is enough); the
benchmark bench/hostile_files.py builds them at full size."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "samples"


def _types(*overrides: tuple[str, str]) -> str:
    parts = "".join(f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in overrides)
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{parts}</Types>'
    )


def _write(archive: zipfile.ZipFile, name: str, body: bytes | str | Iterable[bytes]) -> None:
    if isinstance(body, str):
        body = body.encode()
    if isinstance(body, bytes):
        archive.writestr(name, body)
        return
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in body:
            member.write(chunk)


def xlsx(
    sheet: bytes | str | Iterable[bytes],
    *,
    sheet_path: str = "xl/worksheets/sheet1.xml",
    strings: bytes | str | Iterable[bytes] | None = None,
    styles: bytes | str | Iterable[bytes] | None = None,
    more_sheets: dict[str, bytes | str | Iterable[bytes]] | None = None,
    extra: dict[str, bytes] | None = None,
    level: int = 6,
) -> bytes:
    """A minimal workbook whose first sheet is `sheet` (its XML), stored at `sheet_path`."""
    sheets = {sheet_path: sheet, **(more_sheets or {})}
    spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = [("xl/workbook.xml", f"{spreadsheet}.sheet.main+xml")]
    overrides += [(path, f"{spreadsheet}.worksheet+xml") for path in sheets]
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="/{path}"/>'
        for i, path in enumerate(sheets, start=1)
    ]
    if strings is not None:
        overrides.append(("xl/sharedStrings.xml", f"{spreadsheet}.sharedStrings+xml"))
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles is not None:
        overrides.append(("xl/styles.xml", f"{spreadsheet}.styles+xml"))
        rels.append(f'<Relationship Id="rIdT" Type="{REL}/styles" Target="styles.xml"/>')
    names = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        _write(archive, "[Content_Types].xml", _types(*overrides))
        _write(
            archive,
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        _write(
            archive,
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{names}</sheets></workbook>',
        )
        _write(
            archive,
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{''.join(rels)}</Relationships>",
        )
        for path, body in sheets.items():
            _write(archive, path, body)
        if strings is not None:
            _write(archive, "xl/sharedStrings.xml", strings)
        if styles is not None:
            _write(archive, "xl/styles.xml", styles)
        for name, body in (extra or {}).items():
            _write(archive, name, body)
    return buffer.getvalue()


def sheet_xml(rows: str, *, dimension: str | None = None, after: str = "") -> str:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{head}<sheetData>{rows}</sheetData>{after}</worksheet>'


def text_rows(rows: list[list[str]]) -> str:
    """Rows of inline strings, as a sheet's XML."""
    out = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in row)
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def repeated_cells(megabytes: int, *, dimension: str = "A1:XFD1048576") -> Iterable[bytes]:
    """The issue's file: a sheet that declares the whole grid and holds one cell repeated for
    `megabytes` of XML, which deflate packs a few hundred times smaller."""
    yield f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c>' + b"<c/>" * 2000 + b"</row>"
    chunk = row * max(1, (1 << 20) // len(row))
    for _ in range(megabytes):
        yield chunk
    yield b"</sheetData></worksheet>"


def many_cells(cells: int, *, width: int = 50) -> Iterable[bytes]:
    """`cells` numeric cells with their own addresses (compresses like a real sheet, ~10–20 times)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, width + 1)]
    yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    rows = (cells + width - 1) // width
    batch = []
    for r in range(1, rows + 1):
        batch.append(
            f'<row r="{r}">'
            + "".join(f'<c r="{x}{r}"><v>{r * 7 + c}</v></c>' for c, x in enumerate(letters))
            + "</row>"
        )
        if len(batch) == 1000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def wide_row(cells: int) -> str:
    """One row of `cells` cells, no addresses: openpyxl builds them all before it can cut the row."""
    return sheet_xml('<row r="1">' + "<c><v>1</v></c>" * cells + "</row>")


def row_jump(row: int = 1_048_576) -> str:
    """Two cells, the second on the sheet's last row: read-only openpyxl yields every row between."""
    return sheet_xml(f'<row r="1"><c><v>1</v></c></row><row r="{row}"><c><v>2</v></c></row>')


def shared_strings(count: int) -> Iterable[bytes]:
    yield f'<sst xmlns="{MAIN}" uniqueCount="{count}">'.encode()
    for start in range(0, count, 10_000):
        yield "".join(f"<si><t>{i}</t></si>" for i in range(start, min(count, start + 10_000))).encode()
    yield b"</sst>"


def merge_ranges(count: int) -> str:
    """A three-row sheet with `count` merged ranges, each reaching far beyond its data."""
    merges = "".join(f'<mergeCell ref="A{i}:BH{i + 60_000}"/>' for i in range(1, count + 1))
    return sheet_xml(
        text_rows([["a", "b"], ["c", "d"], ["e", "f"]]),
        after=f'<mergeCells count="{count}">{merges}</mergeCells>',
    )


def junk_elements(count: int) -> Iterable[bytes]:
    """Elements openpyxl does not know inside the sheet data: it keeps every one."""
    yield f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c><v>1</v></c></row>'.encode()
    for start in range(0, count, 100_000):
        yield b"<x/>" * min(100_000, count - start)
    yield b"</sheetData></worksheet>"


def big_styles(megabytes: int) -> Iterable[bytes]:
    """A style sheet of fonts that do not repeat (compresses two to three times)."""
    import random

    rng = random.Random(13)
    yield f'<styleSheet xmlns="{MAIN}"><fonts>'.encode()
    for _ in range(megabytes):
        yield "".join(
            f'<font><name val="{rng.getrandbits(64):016x}"/></font>' for _ in range(25_000)
        ).encode()
    yield b"</fonts></styleSheet>"


def zip_bomb(megabytes: int, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Zeros: deflate packs them a thousand times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        _write(archive, name, (b"0" * (1 << 20) for _ in range(megabytes)))
    return buffer.getvalue()


def many_parts(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(count):
            archive.writestr(f"xl/p/{index}", b"")
    return buffer.getvalue()


# --- Word ---------------------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(body: str | Iterable[bytes], *, level: int = 6) -> bytes:
    """A minimal .docx around a document body's XML."""
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        _write(archive, "[Content_Types].xml", _types(("word/document.xml", main)))
        _write(
            archive,
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        if isinstance(body, str):
            body = [body.encode()]
        _write(
            archive,
            "word/document.xml",
            [f'<w:document xmlns:w="{W}"><w:body>'.encode(), *body, b"</w:body></w:document>"],
        )
    return buffer.getvalue()


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def word_table(rows: list[str], columns: int) -> str:
    grid = "<w:gridCol/>" * columns
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def vertical_merge(rows: int) -> str:
    """A table whose first column is one cell merged down `rows` rows: python-docx looks each
    continuation up recursively from the top (RecursionError past ~1,000 rows, quadratic before)."""
    first = "<w:tr>" + _tc("牵头部门", '<w:vMerge w:val="restart"/>') + _tc("任务 0") + "</w:tr>"
    rest = ["<w:tr>" + _tc("", "<w:vMerge/>") + _tc(f"任务 {i}") + "</w:tr>" for i in range(1, rows)]
    return word_table([first, *rest], 2)


def grid_span(span: int) -> str:
    """One cell that says it spans `span` columns: python-docx repeats it that many times."""
    return word_table(
        ["<w:tr>" + _tc("宽", f'<w:gridSpan w:val="{span}"/>') + "</w:tr>", "<w:tr>" + _tc("a") + "</w:tr>"],
        1,
    )


def big_document(megabytes: int) -> Iterable[bytes]:
    """Paragraphs of text that does not repeat (compresses like prose)."""
    import random

    rng = random.Random(13)
    for _ in range(megabytes):
        yield "".join(
            f"<w:p><w:r><w:t>{rng.getrandbits(256):064x}</w:t></w:r></w:p>" for _ in range(12_000)
        ).encode()
    yield word_table(["<w:tr>" + _tc("a") + "</w:tr>"], 1).encode()


# --- .xls: a sample sheet's records with hostile ones added, in a compound file written here -------------


def _records(stream: bytes, position: int = 0):
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        yield position, kind, stream[position + 4 : position + 4 + length]
        position += 4 + length


def record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def xls(
    extra_records: Iterable[bytes], *, sample: str = "city-2020.xls", dimensions_rows: int | None = None
) -> bytes:
    """The sample's first sheet with `extra_records` before its EOF (and its DIMENSIONS changed), the
    following sheets' offsets moved to match, in a new compound file."""
    from xlrd import compdoc

    content = (SAMPLES / sample).read_bytes()
    mem, base, size = compdoc.CompDoc(content, logfile=io.StringIO()).locate_named_stream("Workbook")
    stream = bytes(mem[base : base + size])
    sheets = [
        (pos, struct.unpack_from("<i", data)[0]) for pos, kind, data in _records(stream) if kind == 0x0085
    ]
    first = min(offset for _, offset in sheets)
    depth, end = 0, None
    body = bytearray()
    for pos, kind, data in _records(stream, first):
        if kind == 0x0809:
            depth += 1
        if kind == 0x0200 and dimensions_rows is not None:
            data = data[:4] + struct.pack("<i", dimensions_rows) + data[8:]
        if kind == 0x000A:
            depth -= 1
            if depth == 0:
                body += b"".join(extra_records)
                body += record(kind, data)
                end = pos + 4 + len(data)
                break
        body += record(kind, data)
    delta = len(body) - (end - first)
    out = bytearray(stream[:first])
    for pos, offset in sheets:
        if offset > first:
            out[pos + 4 : pos + 8] = struct.pack("<i", offset + delta)
    out += body + stream[end:]
    return cfb(bytes(out))


def cfb(stream: bytes, name: str = "Workbook") -> bytes:
    """A compound file (512-byte sectors) holding one stream; enough for xlrd and for Office."""
    sector = 512
    stream = stream + b"\x00" * max(0, 4096 - len(stream))  # at least the mini-stream cutoff
    data_sectors = (len(stream) + sector - 1) // sector
    fat_sectors = 1
    while (data_sectors + fat_sectors + 1) > fat_sectors * 128:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("stream too big for a compound file without DIFAT")
    fat = list(range(1, data_sectors)) + [-2]  # the stream's chain
    fat += [-3] * fat_sectors  # FAT sectors
    fat += [-2]  # the directory
    fat += [-1] * (fat_sectors * 128 - len(fat))
    directory_sid = data_sectors + fat_sectors

    def entry(label: str, kind: int, start: int, size: int, child: int = -1) -> bytes:
        encoded = (label + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBBiii", len(encoded), kind, 1, -1, -1, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<iII", start, size, 0)
        )

    directory = entry("Root Entry", 5, -2, 0, child=1) + entry(name, 2, 0, len(stream))
    directory = directory.ljust(sector, b"\x00")
    difat = list(range(data_sectors, data_sectors + fat_sectors)) + [-1] * (109 - fat_sectors)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<iiiiiiii", 0, fat_sectors, directory_sid, 0, 4096, -2, 0, -2)
        + struct.pack("<i", 0)
        + struct.pack("<109i", *difat)
    )
    header = header[:76] + struct.pack("<109i", *difat)
    assert len(header) == 512, len(header)
    body = stream.ljust(data_sectors * sector, b"\x00")
    fat_bytes = struct.pack(f"<{len(fat)}i", *fat)
    return header + body + fat_bytes + directory


def mulrk_rows(rows: int, columns: int = 256, first_row: int = 0) -> list[bytes]:
    """Rows of `columns` numbers each (MULRK: six bytes a cell)."""
    cells = b"".join(struct.pack("<HI", 0x0F, (i << 2) | 2) for i in range(columns))
    return [
        record(0x00BD, struct.pack("<HH", r, 0) + cells + struct.pack("<H", columns - 1))
        for r in range(first_row, first_row + rows)
    ]


def far_cells(rows: int, column: int = 255) -> list[bytes]:
    """One number per row in the last column: xlrd keeps every row as wide as its last cell."""
    return [record(0x027E, struct.pack("<HHHI", r, column, 0x0F, (1 << 2) | 2)) for r in range(rows)]


def number_at(row: int, column: int) -> bytes:
    return record(0x027E, struct.pack("<HHHI", row, column, 0x0F, (1 << 2) | 2))


def merged_everything() -> list[bytes]:
    """One merged range over the whole of an .xls sheet (65,536 × 256)."""
    return [record(0x00E5, struct.pack("<HHHHH", 1, 0, 65535, 0, 255))]


def csv_wide_line(fields: int) -> bytes:
    return ("序号,任务\n" + "ab," * fields + "\n").encode()
