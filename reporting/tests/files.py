"""Evidence files built in the tests: real ones of each type, and ones that only start like them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def pdf(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image(kind: str = "PNG", size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 1).save(buffer, kind)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG a few dozen bytes long whose header claims `width` × `height` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("会议纪要")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["台账", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(
    content: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The same package with parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, (replace or {}).get(info.filename, source.read(info)))
        for name, body in (add or {}).items():
            archive.writestr(name, body)
    return buffer.getvalue()


def macro_docx() -> bytes:
    """A .docm named .docx: Word would offer to run its macros."""
    content = docx()
    types = (
        zipfile.ZipFile(io.BytesIO(content))
        .read("[Content_Types].xml")
        .replace(b"wordprocessingml.document.main+xml", b"word.document.macroEnabled.main+xml")
        .replace(
            b"application/vnd.openxmlformats-officedocument.word.document",
            b"application/vnd.ms-word.document",
        )
    )
    return rezip(content, replace={"[Content_Types].xml": types}, add={"word/vbaProject.bin": b"\x00" * 100})


def bomb_docx() -> bytes:
    """A .docx carrying 20 MB of zeros in a few kilobytes."""
    return rezip(docx(), add={"word/media/image1.png": b"\x00" * (20 << 20)})


def bad_checksum_docx() -> bytes:
    """A .docx whose stored part does not match its checksum (a byte changed in transit)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive,
    ):
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_STORED)
    content = bytearray(buffer.getvalue())
    at = content.find(b"\xe4\xbc\x9a\xe8\xae\xae")  # 会议 inside word/document.xml
    content[at] ^= 0x01
    return bytes(content)


def ole(stream: str) -> bytes:
    from core.tests.hostile import cfb

    return cfb(b"\x00" * 8192, name=stream)
