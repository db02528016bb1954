"""Turning a service's ValidationError into what the user sees: errors on a form, or page messages; the
date input every form uses."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names, the rest on the form itself."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def message_service_errors(request, exc: ValidationError, prefix: str = "") -> None:
    """For actions without a form of their own (buttons on a page): one message with every error."""
    messages.error(request, f"{prefix}{error_text(exc)}")


class DateInput(forms.DateInput):
    """<input type="date">, whose value must be YYYY-MM-DD: the zh-hans default (2019/04/25) shows blank in
    the browser, and the blank field then erases the stored date on save."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 (Django's own argument name)
        super().__init__(attrs, format=format)
