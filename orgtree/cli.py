"""What management commands share about organisations: the one named by an operator's --org."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Organisation


def organisation_argument(ref: str) -> Organisation:
    """The organisation `ref` names (a division code or #id, see OrganisationQuerySet.by_ref); a clear
    error where there is none."""
    org = Organisation.objects.by_ref(ref)
    if org is None:
        raise CommandError(f"找不到组织 {str(ref).strip()}")
    return org
