"""What management commands share: a day argument, reading an input file and writing an output file, with
a clear message (CommandError, exit 1) instead of a traceback, and nothing written when it fails."""

from __future__ import annotations

import errno
import os
import tempfile
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.EISDIR: "这是一个目录",
    errno.ENOENT: "不存在",
}


def os_error_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Chinese where the cause is a common one."""
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


def parse_day(value: str | None) -> date:
    """--today and its kin: a YYYY-MM-DD day, today when not given."""
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def read_input_file(name: str) -> tuple[Path, bytes]:
    path = Path(name)
    if path.is_dir():
        raise CommandError(f"{path} 是目录，请指定文件")
    if not path.is_file():
        raise CommandError(f"找不到文件 {path}")
    try:
        return path, path.read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取文件 {path}：{os_error_reason(exc)}") from exc


def check_output_file(name: str) -> Path:
    """Before any work: the file can be created where asked."""
    path = Path(name)
    if path.is_dir():
        raise CommandError(f"{path} 是目录，请指定要写入的文件名")
    if not path.parent.is_dir():
        raise CommandError(f"目录 {path.parent} 不存在，请先创建")
    return path


def write_output_file(name: str, content: bytes) -> Path:
    """Written beside the target and renamed over it: a failure leaves no half-written file, and an
    existing file as it was."""
    path = check_output_file(name)
    handle = None
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
            handle.write(content)
        os.chmod(handle.name, 0o644)  # as a plain write would (a temporary file is private)
        os.replace(handle.name, path)
    except OSError as exc:
        if handle is not None:
            Path(handle.name).unlink(missing_ok=True)
        raise CommandError(f"无法写入 {path}：{os_error_reason(exc)}") from exc
    return path
