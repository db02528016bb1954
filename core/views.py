"""The one way a page runs a service from a form: validate, call, show the service's errors on the form."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

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
