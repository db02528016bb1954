"""Request bodies refused before they are read: an upload above the limit is answered 413 at once, from
its Content-Length, instead of being received whole (to memory or a temporary file) and refused after."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from .spreadsheets import MAX_UPLOAD_BYTES as MAX_FILE_BYTES


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


class UploadLimitMiddleware:
    """A multipart body (a form with a file) may be up to settings.MAX_UPLOAD_BYTES, any other body up to
    DATA_UPLOAD_MAX_MEMORY_SIZE (what Django would refuse anyway, later and in English). A body without a
    Content-Length (chunked) is not read by Django at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size:
            multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
            limit = settings.MAX_UPLOAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and size > limit:
                files = max(MAX_FILE_BYTES, settings.REPORT_ATTACHMENT_MAX_BYTES)
                context = {"size": _megabytes(size), "limit": _megabytes(limit), "files": _megabytes(files)}
                page = render_to_string("413.html", context)
                return HttpResponse(page, status=413)
        return self.get_response(request)
