"""Subtree scoping: the one place that decides which rows a user may see or change.

Every view, export, API and background job reads organisation-bound rows through `for_user(user, action)`
(or `Organisation.objects.visible_to(user)`), and finds who may act on an organisation through `holders`;
nothing filters by organisation or checks a role by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Q
from mptt.managers import TreeManager
from mptt.querysets import TreeQuerySet

from .subtree import CENTRAL, contains, subtree_q, subtree_sql

ISSUER, RECEIVER = "issuer", "receiver"
CODE_LENGTHS = (2, 4, 6, 9, 12)  # province, city (short forms), county, township, village


@dataclass(frozen=True)
class Action:
    label: str
    # Which roles grant the action, and whether the grant reaches the whole subtree (True) or only the
    # organisation holding the membership (False).
    roles: dict[str, bool]
    # On things handed from one organisation to another (an assignment and what hangs off it): whose
    # memberships count — the issuing organisation's side, the receiving one's, or either.
    sides: tuple[str, ...] = field(default=(ISSUER, RECEIVER))
    # On the receiving side, whether departments own the work: a member of a department acts only on what
    # that department received (and on what the organisation received as a whole); editors and admins of
    # the office, with no department, act on everything the organisation received.
    by_department: bool = False
    # Whether the grant stops short of the membership's own organisation and reaches only what lies below
    # it: what an organisation is called is decided above it, not by its own admins.
    below: bool = False


ALL_ROLES = {"admin": True, "editor": True, "reporter": True, "viewer": True}
OFFICE = {"admin": True, "editor": True}  # editors and admins, over their whole subtree

ACTIONS: dict[str, Action] = {
    "view": Action("查看", ALL_ROLES),
    # What was handed to the user's organisations (or below them), seen from the receiving side only: the
    # plans a receiver received, whose pages stay the issuer's.
    "view_received": Action("查看收到的任务", ALL_ROLES, sides=(RECEIVER,)),
    "edit": Action("编辑", OFFICE),
    "manage": Action("管理组织和成员", {"admin": True}),
    # Renaming: admins of an ancestor, never the organisation's own; a province is renamed by 团中央 (or a
    # superuser), 团中央 by a superuser.
    "rename": Action("修改组织名称", {"admin": True}, below=True),
    # Progress reports: the receiving organisation's own reporters, editors and admins.
    "report": Action(
        "填报进度",
        {"reporter": False, "editor": False, "admin": False},
        sides=(RECEIVER,),
        by_department=True,
    ),  # fmt: skip
    # Hand a received assignment on to one's own subordinates or departments (分解交办).
    "break_down": Action(
        "分解交办", {"editor": False, "admin": False}, sides=(RECEIVER,), by_department=True
    ),
    # Indicator figures: reporters and editors for their own organisation, admins for their whole subtree.
    "enter": Action("填报指标", {"reporter": False, "editor": False, "admin": True}),
    # The issuing side decides on what it handed down: editors and admins of the issuing organisation or
    # of any organisation above it.
    "review": Action("审核进度报告", OFFICE, sides=(ISSUER,)),
    "decide": Action("审批延期申请", OFFICE, sides=(ISSUER,)),
    "settle": Action("退办或销号", OFFICE, sides=(ISSUER,)),
    # 配合反馈: a 参与部门's members (and the office's editors and admins) for that department.
    "contribute": Action(
        "配合反馈",
        {"reporter": False, "editor": False, "admin": False},
        sides=(RECEIVER,),
        by_department=True,
    ),
    # 催办 by hand: whoever may review what was handed down.
    "urge": Action("催办", OFFICE, sides=(ISSUER,)),
}


@dataclass(frozen=True)
class Scope:
    """One membership's reach: the organisation, and whether its subtree comes with it."""

    org_id: int
    tree_id: int
    lft: int
    rght: int
    subtree: bool
    national: bool
    role: str = ""
    department_id: int | None = None

    @property
    def org_type(self) -> str:  # lets the subtree helpers read a scope like an organisation
        return CENTRAL if self.national else ""

    @property
    def pk(self) -> int:
        return self.org_id


def _memberships(user) -> list:
    """The user's memberships with their organisations, fetched once per user object."""
    cached = getattr(user, "_tuanjian_memberships", None)
    if cached is None:
        membership = apps.get_model("orgtree", "Membership")  # by name: models.py imports this module
        cached = list(membership.objects.filter(user_id=user.pk).select_related("organisation", "department"))
        user._tuanjian_memberships = cached
    return cached


def user_roles(user) -> set[str]:
    """The roles a user holds anywhere, read from the memberships the scopes already fetched."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    return {membership.role for membership in _memberships(user)}


def user_memberships(user) -> list:
    """The user's memberships (with their organisations), cached on the user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return _memberships(user)


def forget_memberships(user) -> None:
    if hasattr(user, "_tuanjian_memberships"):
        del user._tuanjian_memberships


def action_of(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise ValueError(f"unknown action {name!r}") from None


def user_scopes(user, action: str = "view") -> list[Scope] | None:
    """The scopes a user holds for an action; None means everything (superuser or 团中央)."""
    roles = action_of(action).roles
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    below = action_of(action).below
    scopes = []
    for membership in _memberships(user):
        if membership.role not in roles:
            continue
        org = membership.organisation
        scope = Scope(org.pk, org.tree_id, org.lft, org.rght, roles[membership.role], org.org_type == CENTRAL,
                      membership.role, membership.department_id)  # fmt: skip
        if scope.national and scope.subtree and not below:
            return None
        scopes.append(scope)
    return scopes


def scope_q(user, action: str = "view", prefix: str = "") -> Q | None:
    """A Q over organisation fields (reached through `prefix`) for the user's scopes; None = no limit."""
    scopes = user_scopes(user, action)
    if scopes is None:
        return None
    below = action_of(action).below
    q = Q(pk__in=[])
    for s in scopes:
        if s.subtree:
            q |= subtree_q(s, prefix, include_self=not below)
        elif not below:
            q |= Q(**{f"{prefix}pk": s.org_id})
    return q


def holders(action: str, org_ids) -> dict[int, set[int]]:
    """The reverse of for_user: for each organisation, the active users who hold `action` on it — the
    people a reminder about that action must reach. One statement, whatever the number of organisations."""
    ids = sorted({int(pk) for pk in org_ids})
    if not ids:
        return {}
    roles = action_of(action).roles
    org, membership = "orgtree_organisation", "orgtree_membership"
    user = get_user_model()._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    parts, params = [], []
    for reach in (True, False):
        chosen = sorted(role for role, subtree in roles.items() if subtree is reach)
        if not chosen:
            continue
        held = subtree_sql("o", "mo") if reach else "o.id = mo.id"
        if action_of(action).below:
            held = f"({held} AND o.id <> mo.id)"
        parts.append(
            f"SELECT o.id, m.user_id FROM {org} o JOIN {org} mo ON {held} "
            f"JOIN {membership} m ON m.organisation_id = mo.id JOIN {user} u ON u.id = m.user_id "
            f"WHERE u.is_active AND m.role IN ({', '.join(['%s'] * len(chosen))}) AND o.id IN ({marks})"
        )
        params += [*chosen, *ids]
    parts.append(
        f"SELECT o.id, u.id FROM {org} o CROSS JOIN {user} u "
        f"WHERE u.is_active AND u.is_superuser AND o.id IN ({marks})"
    )
    params += ids
    found: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(parts), params)
        for org_id, user_id in cursor.fetchall():
            found.setdefault(org_id, set()).add(user_id)
    return found


def parse_org_ref(text) -> tuple[str, str]:
    """An organisation as operators and files name it: ("id", "12") for #12, else ("code", normalised)."""
    text = str(text or "").strip()
    if text.startswith("#") and text[1:].isdigit():
        return "id", text[1:]
    if text.endswith(".0") and text[:-2].isdigit():  # a code a spreadsheet stored as a number
        text = text[:-2]
    return "code", normalise_code(text)


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

    def by_ref(self, ref):
        """The organisation an operator names: a division code (33, 3301, 330100 …) or #id; a bare number
        that cannot be a code (not 2, 4, 6, 9 or 12 digits) is an id too. None when there is none."""
        kind, value = parse_org_ref(ref)
        if kind == "code" and value.isdigit() and len(value) not in CODE_LENGTHS:
            kind = "id"
        if kind == "id":
            return self.filter(pk=int(value)).first()
        return self.by_code(value).first() if value else None


class OrganisationManager(TreeManager.from_queryset(OrganisationQuerySet)):
    pass


class OrgBoundQuerySet(models.QuerySet):
    """Base for every model that hangs off one organisation: subclasses name the path to it."""

    org_path = "organisation"

    def for_user(self, user, action: str = "view"):
        q = scope_q(user, action, prefix=f"{self.org_path}__")
        return self if q is None else self.filter(q)


def department_q(scopes: list[Scope], org_prefix: str, department_path: str) -> Q:
    """The receiving side of a by-department action: each membership's organisation, narrowed to its
    department's work (and the organisation's own) unless it is the office's editor or admin."""
    q = Q(pk__in=[])
    for s in scopes:
        own = subtree_q(s, org_prefix) if s.subtree else Q(**{f"{org_prefix}pk": s.org_id})
        if s.department_id is not None:
            own &= Q(**{f"{department_path}__isnull": True}) | Q(**{f"{department_path}_id": s.department_id})
        elif s.role not in OFFICE:
            own &= Q(**{f"{department_path}__isnull": True})
        q |= own
    return q


class HandedOverQuerySet(models.QuerySet):
    """Base for things an issuing organisation hands to a receiving one: each action counts the
    memberships of the sides ACTIONS names (the receiver reports; the issuer reviews; both view), and
    on the receiving side of a by-department action, the department too."""

    issuer_path = ""
    receiver_path = ""
    receiver_department_path = ""

    def for_user(self, user, action: str = "view"):
        paths = {ISSUER: self.issuer_path, RECEIVER: self.receiver_path}
        spec = action_of(action)
        qs = []
        for side in spec.sides:
            if side == RECEIVER and spec.by_department and self.receiver_department_path:
                scopes = user_scopes(user, action)
                if scopes is None:
                    return self
                qs.append(department_q(scopes, f"{paths[side]}__", self.receiver_department_path))
                continue
            q = scope_q(user, action, prefix=f"{paths[side]}__")
            if q is None:
                return self
            qs.append(q)
        return self.filter(reduce(or_, qs))

    def for_user_within(self, user, org, action: str = "view"):
        """for_user, for rows the caller has already narrowed to what was received within org's
        subtree: where one of the user's scopes takes in that whole subtree the filter would remove
        nothing, and it is left out (it costs a join and an OR no index serves on a national list)."""
        return self if scope_covers(user, org, action) else self.for_user(user, action)


def scope_covers(user, org, action: str = "view") -> bool:
    """Whether the receiving side of the user's scopes for `action` takes in everything received within
    org's subtree: a scope reaching its subtree that holds org, not narrowed to a department."""
    scopes = user_scopes(user, action)
    if scopes is None:
        return True
    spec = action_of(action)
    if spec.below or RECEIVER not in spec.sides:
        return False
    for s in scopes:
        if not s.subtree or not contains(s, org):
            continue
        if spec.by_department and (s.department_id is not None or s.role not in OFFICE):
            continue
        return True
    return False


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
