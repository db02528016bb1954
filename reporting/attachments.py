"""Evidence attached to a progress report: its type by extension and by the whole of its content, its size
bounded, stored under a generated name, served only as a download.

Each type is read whole by a maintained library before it is kept: a PDF must parse (pypdf) and have a page,
an image must decode (Pillow) within a pixel budget, a .docx/.xlsx must be the Office package of that kind
without macros, a .doc/.xls the compound file of that kind (core.spreadsheets). A file that only starts like
its type — %PDF- followed by HTML, a PNG header followed by SVG — is refused.
"""

from __future__ import annotations

import io
import unicodedata
import uuid
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError

from core.actors import actor
from core.spreadsheets import SpreadsheetError, check_office_file, check_ole_file

from .models import ProgressReport, ReportAttachment

# Extension → the signatures a real file of that type starts with (a quick first answer).
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
MAX_ATTACHMENTS = 5
MAX_PIXELS = 120_000_000  # a 108-megapixel phone photo passes
MAX_DECODED_PIXELS = 25_000_000  # a PNG is decoded at full size: 25 M pixels are 100 MB in RGBA
MAX_PDF_PAGES = 5_000


def _check_pdf(content: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        # Encrypted with an empty user password (permissions only) opens for anyone: kept; one that needs a
        # password to open cannot be checked, nor read by the reviewer: refused.
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError("PDF 设有打开密码，无法查验：请去除密码后重新上传")
        pages = len(reader.pages)
        for index in range(min(pages, MAX_PDF_PAGES)):
            reader.pages[index].mediabox  # noqa: B018 - every page object is resolved, not only counted
    except ValidationError:
        raise
    except FileNotDecryptedError as exc:
        raise ValidationError("PDF 设有打开密码，无法查验：请去除密码后重新上传") from exc
    except DependencyError as exc:  # AES needs the cryptography package, which is not installed
        raise ValidationError("PDF 已加密（AES），无法查验：请另存为未加密的 PDF 后上传") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken or foreign files
        raise ValidationError("不是有效的 PDF 文件（无法解析），请重新导出后上传") from exc
    if pages < 1:
        raise ValidationError("PDF 文件没有页面")
    if pages > MAX_PDF_PAGES:
        raise ValidationError(f"PDF 页数过多（{pages:,} 页），每个附件最多 {MAX_PDF_PAGES:,} 页")


def _check_image(content: bytes, extension: str) -> None:
    from PIL import Image

    formats = ["PNG"] if extension == "png" else ["JPEG"]
    try:
        with Image.open(io.BytesIO(content), formats=formats) as image:
            width, height = image.size
            image.verify()  # the structure, chunk checksums
    except Image.DecompressionBombError as exc:
        raise ValidationError(f"图片像素过多，每张不超过 {MAX_PIXELS // 1_000_000} 百万像素") from exc
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on broken or foreign files
        raise ValidationError(f"文件内容与扩展名 .{extension} 不符，或图片已损坏") from exc
    pixels = width * height
    limit = MAX_PIXELS if extension != "png" else MAX_DECODED_PIXELS
    if pixels > limit:
        raise ValidationError(
            f"图片像素过多（{width}×{height}），每张不超过 {limit // 1_000_000} 百万像素，请缩小后上传"
        )
    try:
        # verify() does not decode: decode once more, a JPEG at an eighth of its size (its whole stream is
        # still read), so that a truncated or bogus image is refused without holding it at full size.
        with Image.open(io.BytesIO(content), formats=formats) as image:
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except Exception as exc:  # noqa: BLE001
        raise ValidationError("图片已损坏或不完整，无法打开") from exc


def check_attachment(content: bytes, extension: str) -> None:
    """Refuse a file whose whole content is not a file of its extension's type."""
    if not content.startswith(ATTACHMENT_TYPES[extension]):
        raise ValidationError(f"文件内容与扩展名 .{extension} 不符")
    try:
        if extension == "pdf":
            _check_pdf(content)
        elif extension in ("png", "jpg", "jpeg"):
            _check_image(content, extension)
        elif extension in ("docx", "xlsx"):
            check_office_file(content, extension)
        else:
            check_ole_file(content, extension)
    except SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc


def safe_name(name: str) -> str:
    """The user's file name without a path, control or format characters, at most 200 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[-200:] if len(name) > 200 else name


def content_disposition(name: str, extension: str) -> str:
    """Always a download: an ASCII fallback name and the real one percent-encoded (RFC 6266 filename*)."""
    real = safe_name(name) or f"附件.{extension}"
    return f"attachment; filename=\"attachment.{extension}\"; filename*=UTF-8''{quote(real, safe='')}"


def report_attachment_add(*, report: ProgressReport, upload, user) -> ReportAttachment:
    """Attach a file to a draft or returned report: type by extension and whole content, size bounded."""
    limit = settings.REPORT_ATTACHMENT_MAX_BYTES
    if report.is_locked:
        raise ValidationError("报告已提交，不能再添加附件")
    name = safe_name(upload.name)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            f"不支持的附件类型“.{extension[:10] or '无'}”，允许：{'、'.join(ATTACHMENT_TYPES)}"
        )
    if upload.size > limit:
        raise ValidationError(
            f"附件过大（{upload.size / 1024 / 1024:.1f} MB），每个不超过 {limit // 1024 // 1024} MB"
        )
    if upload.size == 0:
        raise ValidationError("附件是空文件")
    if report.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每份报告最多 {MAX_ATTACHMENTS} 个附件")
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    check_attachment(content, extension)
    attachment = ReportAttachment(report=report, name=name, size=upload.size, kind=extension,
                                  uploaded_by=actor(user))  # fmt: skip
    # Stored under a generated name: the user's file name never becomes a path.
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=True)
    return attachment
