"""Reads of the organisation tree. Pages use these and never touch lft/rght/tree_id themselves."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .models import Department, Membership, Organisation, OrgType, TreeChange
from .querysets import action_of, user_memberships, user_roles, user_scopes
from .subtree import contains, subtree_q


def get_object_for_user(queryset: QuerySet, user, action: str = "view", **lookup):
    """Fetch and authorise in one call: unseen objects answer 404, seen-but-not-allowed 403."""
    obj = queryset.for_user(user, action).filter(**lookup).first()
    if obj is not None:
        return obj
    if action != "view" and queryset.for_user(user, "view").filter(**lookup).exists():
        raise PermissionDenied(f"您没有{action_of(action).label}的权限")
    raise Http404("未找到该对象，或您无权查看")


def may(user, action: str, obj) -> bool:
    """Whether the user may perform `action` on `obj`: the same rule as get_object_for_user, as a yes/no."""
    return type(obj)._default_manager.for_user(user, action).filter(pk=obj.pk).exists()


def get_organisation(user, pk: int, action: str = "view") -> Organisation:
    return get_object_for_user(Organisation.objects.all(), user, action, pk=pk)


def top_organisations(user) -> QuerySet:
    """The heads of the user's visible subtrees (nested memberships collapse into the outer one)."""
    scopes = user_scopes(user, "view")
    if scopes is None:
        return with_child_counts(Organisation.objects.filter(parent__isnull=True)).order_by("tree_id")
    outer = [s for s in scopes if s.subtree]
    ids = [s.org_id for s in scopes if not any(o.org_id != s.org_id and contains(o, s) for o in outer)]
    return with_child_counts(Organisation.objects.filter(pk__in=ids)).order_by("tree_id", "lft")


def national_organisation(user) -> Organisation | None:
    """团中央, for its people (and superusers): where the country's boards start. No query for members."""
    for membership in user_memberships(user):
        if membership.organisation.org_type == OrgType.CENTRAL:
            return membership.organisation
    if user.is_authenticated and user.is_superuser:
        return Organisation.objects.filter(org_type=OrgType.CENTRAL).first()
    return None


def chosen_organisation(user, org_id, action: str = "view") -> Organisation | None:
    """The organisation a page is asked for by id (authorised: 404 outside the user's subtrees, 403 where
    seen but the action is not allowed), else the user's own: 团中央 for its people, so they land on the
    country."""
    if org_id and str(org_id).isdigit():
        return get_organisation(user, int(org_id), action)
    return national_organisation(user) or top_organisations(user).first()


def with_child_counts(qs: QuerySet) -> QuerySet:
    """Annotate how many direct children each organisation has (one join, no query per row)."""
    return qs.annotate(child_count=Count("children"))


def children_of(org: Organisation, *, include_inactive: bool = True) -> QuerySet:
    qs = Organisation.objects.filter(parent=org)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return with_child_counts(qs).order_by("order", "lft")


def subtree_of(org: Organisation, *, include_self: bool = True) -> QuerySet:
    return Organisation.objects.filter(subtree_q(org, include_self=include_self))


def visible_ancestors(user, org: Organisation) -> QuerySet:
    """Breadcrumb: the ancestors of org that the user may see, top first."""
    return org.get_ancestors().visible_to(user).only("id", "name", "short_name")


def subtree_type_counts(org: Organisation) -> list[tuple[str, int]]:
    """How many active organisations of each type the subtree holds (one aggregate query)."""
    rows = (
        subtree_of(org, include_self=False)
        .filter(is_active=True)
        .values("org_type")
        .annotate(n=Count("id"))
        .order_by("org_type")
    )
    order = {value: index for index, value in enumerate(OrgType.values)}
    rows = sorted(rows, key=lambda row: order.get(row["org_type"], len(order)))
    return [(OrgType(row["org_type"]).label, row["n"]) for row in rows]


def search_organisations(user, query: str, *, action: str = "view") -> QuerySet:
    query = (query or "").strip()
    qs = Organisation.objects.for_user(user, action)
    if query.isdigit():
        qs = qs.filter(code__startswith=query)
    else:
        qs = qs.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    return qs.select_related("parent").order_by("tree_id", "lft")


def members_of(user, org: Organisation) -> QuerySet:
    return (
        Membership.objects.for_user(user)
        .filter(organisation=org)
        .select_related("user", "department")
        .order_by("role", "user__username")
    )


def departments_of(user, org: Organisation) -> QuerySet:
    return Department.objects.for_user(user).filter(organisation=org)


def recent_changes(user, org: Organisation, limit: int = 10) -> QuerySet:
    return TreeChange.objects.for_user(user).filter(organisation=org).select_related("actor")[:limit]


# The top menu, by role. Each section is open to the roles that hold the action its page is for (from the
# action table); leaders (viewer) also read the overview pages. Every list page answers 200 to any
# signed-in user, so a section left out only means the page is not that role's work.
LEADERS = frozenset({"viewer"})


def _holding(action: str) -> frozenset[str]:
    return frozenset(action_of(action).roles)


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str
    roles: frozenset[str]


SECTIONS = (
    Section("supervision:dashboard", "督办看板", _holding("review") | LEADERS),
    Section("reporting:my", "我的任务", _holding("report")),
    Section("reporting:review_queue", "待审核", _holding("review")),
    Section("plans:list", "计划任务", _holding("edit") | LEADERS),
    Section("indicators:list", "指标", _holding("view")),
    Section("evaluation:bulletins", "通报考核", _holding("review") | LEADERS),
    Section("orgtree:tree", "组织机构", _holding("manage") | LEADERS),
)

# Where each role's work starts, highest role first: several roles land where the highest one does.
LANDINGS = (
    ("admin", "supervision:dashboard"),
    ("viewer", "supervision:dashboard"),
    ("editor", "reporting:review_queue"),
    ("reporter", "reporting:my"),
)
NO_ROLE_LANDING = "orgtree:tree"  # its empty state tells the user to ask for a membership


def user_menu(user) -> list[Section]:
    """The sections the user can use, in menu order; superusers get them all. No query beyond the
    user's memberships, which the scopes fetch (and cache on the user) anyway."""
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser and user.is_active:
        return list(SECTIONS)
    roles = user_roles(user)
    return [section for section in SECTIONS if section.roles & roles]


def landing_url_name(user) -> str:
    """The page a user starts on after login and at "/"."""
    if user.is_superuser and user.is_active:
        return LANDINGS[0][1]
    roles = user_roles(user)
    return next((url_name for role, url_name in LANDINGS if role in roles), NO_ROLE_LANDING)
