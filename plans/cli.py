"""What management commands share about plans: the one named by an operator's --plan."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Plan
from .selectors import plan_by_ref


def plan_argument(reference: str | None) -> Plan | None:
    """--plan: a plan's ID or 文号 (None when not given); one that does not exist is an error, not an
    empty result."""
    if reference is None:
        return None
    try:
        return plan_by_ref(reference)
    except LookupError as exc:
        raise CommandError(str(exc)) from exc
