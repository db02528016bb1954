"""Subtree scoping: the one place that decides which rows a user may see or change.

Every view, export, API and background job reads organisation-bound rows through `for_user(user, action)`
(or `Organisation.objects.visible_to(user)`); nothing filters by organisation by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from mptt.managers import TreeManager
from mptt.querysets import TreeQuerySet

# Which roles grant an action, and whether the grant reaches the whole subtree or only the organisation.
ACTION_ROLES: dict[str, dict[str, bool]] = {
    "view": {"admin": True, "editor": True, "reporter": True, "viewer": True},
    "edit": {"admin": True, "editor": True},
    "manage": {"admin": True},
    "report": {"reporter": False, "editor": False, "admin": False},
    # Indicator figures: reporters and editors for their own organisation, admins for their whole subtree.
    "enter": {"reporter": False, "editor": False, "admin": True},
}


@dataclass(frozen=True)
class Scope:
    org_id: int
    tree_id: int
    lft: int
    rght: int
    subtree: bool
    national: bool


def _memberships(user) -> list:
    """The user's memberships with their organisations, fetched once per user object."""
    cached = getattr(user, "_tuanjian_memberships", None)
    if cached is None:
        from .models import Membership

        cached = list(Membership.objects.filter(user_id=user.pk).select_related("organisation", "department"))
        user._tuanjian_memberships = cached
    return cached


def forget_memberships(user) -> None:
    if hasattr(user, "_tuanjian_memberships"):
        del user._tuanjian_memberships


def user_scopes(user, action: str = "view") -> list[Scope] | None:
    """The scopes a user holds for an action; None means everything (superuser or 团中央)."""
    if action not in ACTION_ROLES:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    roles = ACTION_ROLES[action]
    scopes = []
    for membership in _memberships(user):
        if membership.role not in roles:
            continue
        org = membership.organisation
        scope = Scope(
            org.pk, org.tree_id, org.lft, org.rght, roles[membership.role], org.org_type == "central"
        )
        if scope.national and scope.subtree:
            return None
        scopes.append(scope)
    return scopes


def scope_q(user, action: str = "view", prefix: str = "") -> Q | None:
    """A Q over organisation fields (reached through `prefix`) for the user's scopes; None = no limit."""
    scopes = user_scopes(user, action)
    if scopes is None:
        return None
    q = Q(pk__in=[])
    for s in scopes:
        if s.subtree:
            q |= Q(
                **{f"{prefix}tree_id": s.tree_id, f"{prefix}lft__gte": s.lft, f"{prefix}rght__lte": s.rght}
            )
        else:
            q |= Q(**{f"{prefix}pk": s.org_id})
    return q


class OrganisationQuerySet(TreeQuerySet):
    def for_user(self, user, action: str = "view"):
        q = scope_q(user, action)
        return self if q is None else self.filter(q)

    def visible_to(self, user):
        return self.for_user(user, "view")

    def active(self):
        return self.filter(is_active=True)

    def by_code(self, code: str):
        """Look up by division code; accepts the short forms 33 / 3301 for 330000 / 330100."""
        return self.filter(code=normalise_code(code))


class OrganisationManager(TreeManager.from_queryset(OrganisationQuerySet)):
    pass


class OrgBoundQuerySet(models.QuerySet):
    """Base for every model that hangs off an organisation: subclasses name the path to it."""

    org_path = "organisation"

    def for_user(self, user, action: str = "view"):
        q = scope_q(user, action, prefix=f"{self.org_path}__")
        return self if q is None else self.filter(q)


class DepartmentQuerySet(OrgBoundQuerySet):
    pass


class MembershipQuerySet(OrgBoundQuerySet):
    pass


class TreeChangeQuerySet(OrgBoundQuerySet):
    pass


def normalise_code(code: str | int | None) -> str:
    """GB/T 2260 codes: provinces and cities padded to six digits (33 → 330000, 3301 → 330100)."""
    text = str(code or "").strip()
    if len(text) in (2, 4) and text.isdigit():
        return text.ljust(6, "0")
    return text
