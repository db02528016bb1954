"""Evidence attached to a progress report: its type by extension and content, its size bounded, stored
under a generated name."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError

from core.actors import actor

from .models import ProgressReport, ReportAttachment

# Extension → the signatures a real file of that type starts with.
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
MAX_ATTACHMENTS = 5


def report_attachment_add(*, report: ProgressReport, upload, user) -> ReportAttachment:
    """Attach a file to a draft or returned report: type by extension and content, size bounded."""
    limit = settings.REPORT_ATTACHMENT_MAX_BYTES
    if report.is_locked:
        raise ValidationError("报告已提交，不能再添加附件")
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(f"不支持的附件类型“.{extension or '无'}”，允许：{'、'.join(ATTACHMENT_TYPES)}")
    if upload.size > limit:
        raise ValidationError(
            f"附件过大（{upload.size / 1024 / 1024:.1f} MB），每个不超过 {limit // 1024 // 1024} MB"
        )
    if upload.size == 0:
        raise ValidationError("附件是空文件")
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(ATTACHMENT_TYPES[extension]):
        raise ValidationError(f"文件内容与扩展名 .{extension} 不符")
    if report.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每份报告最多 {MAX_ATTACHMENTS} 个附件")
    attachment = ReportAttachment(report=report, name=name, size=upload.size, kind=extension,
                                  uploaded_by=actor(user))  # fmt: skip
    # Stored under a generated name: the user's file name never becomes a path.
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=True)
    return attachment
