"""The one way a page runs a service from a form (validate, call, show the service's errors on the form),
and the one way it sends a generated file."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from .forms import apply_service_errors


def service_form(
    request, form, *, perform: Callable[[dict], HttpResponse], template: str, context: dict | None = None
) -> HttpResponse:
    """On a valid POST, `perform(cleaned_data)` calls the service and returns the response to send
    (usually a redirect); a ValidationError it raises lands on the form, which is shown again."""
    if request.method == "POST" and form.is_valid():
        try:
            return perform(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(request, template, {"form": form, **(context or {})})


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A generated file, always downloaded, under its (Chinese) name (RFC 6266 filename*)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename.replace("/", "-"))
    return response
