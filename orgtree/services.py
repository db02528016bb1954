"""Structural writes to the organisation tree and membership management.

django-mptt corrupts a tree when two writers renumber it at once, so every add, move, dissolve, merge and
load runs inside one transaction holding the same PostgreSQL advisory lock, and re-reads the nodes it
touches after taking it.
"""

from __future__ import annotations

import re
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, Max, Min, PositiveIntegerField, Q, When
from django.utils import timezone

from core import generations
from core.actors import actor as actor_of
from core.locks import LockKey, advisory_lock

from .models import Department, Membership, Organisation, OrgType, Role, TreeChange
from .numbering import NEW_NODE_SPARE, REFILL_SLOTS, spare_slots
from .querysets import forget_memberships, normalise_code, user_scopes
from .signals import subtree_moved
from .subtree import contains

ROOT_TYPES = {OrgType.CENTRAL, OrgType.PROVINCE}
CODE_RE = re.compile(r"^\d{6}$|^\d{9}$|^\d{12}$")


def lock_tree() -> None:
    """Take the tree's advisory lock for the rest of the current transaction."""
    advisory_lock(LockKey.ORGTREE)


def _record(action: str, org: Organisation | None, actor, **detail) -> None:
    TreeChange.objects.create(action=action, organisation=org, actor=actor_of(actor), detail=detail)
    if action not in (TreeChange.Action.GRANT, TreeChange.Action.REVOKE):
        # The country's cached board names its provinces (supervision.board): the tree changed under it.
        generations.renew(generations.ASSIGNMENT_COUNTS)


def _clean_name(name: str) -> str:
    name = re.sub(r"\s+", "", name or "")
    if not name:
        raise ValidationError({"name": "请填写组织名称"})
    if len(name) > 120:
        raise ValidationError({"name": "组织名称不能超过 120 个字"})
    return name


def _clean_code(code: str | None, *, exclude_pk: int | None = None) -> str | None:
    code = normalise_code(code) or None
    if code is None:
        return None
    if not CODE_RE.match(code):
        raise ValidationError({"code": "区划代码应为 6 位（省市县）、9 位（乡镇）或 12 位（村）数字"})
    # Codes are unique across the country: name no holder, which may lie in another admin's tree.
    if Organisation.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise ValidationError({"code": f"区划代码 {code} 已被使用"})
    return code


def _open_space(*, tree_id: int, at: int, size: int) -> None:
    """Shift everything at or right of `at` in one tree by `size` slots (one UPDATE)."""
    Organisation.objects.filter(tree_id=tree_id, rght__gte=at).update(
        lft=Case(
            When(lft__gte=at, then=F("lft") + size), default=F("lft"), output_field=PositiveIntegerField()
        ),
        rght=F("rght") + size,
    )


def _slot_for_child(parent: Organisation, width: int) -> int:
    """The lft for a new last child `width` slots wide; opens room only when the parent is full."""
    children = Organisation.objects.filter(parent=parent).aggregate(last=Max("rght"), n=Count("id"))
    last = children["last"] or parent.lft
    if parent.rght - last - 1 < width:
        # Room grows with the family, like a growing array: a parent of 300 团支部 gets room for 300
        # more, so the renumbering of everything to its right stays rare.
        _open_space(tree_id=parent.tree_id, at=parent.rght, size=width + max(REFILL_SLOTS, 2 * children["n"]))
    return last + 1


def organisation_create(
    *,
    parent: Organisation | None,
    name: str,
    org_type: str,
    short_name: str = "",
    code: str | None = None,
    established_on: date | None = None,
    actor=None,
) -> Organisation:
    name = _clean_name(name)
    if org_type not in OrgType.values:
        raise ValidationError({"org_type": "请选择有效的组织类型"})
    if parent is None and org_type not in ROOT_TYPES:
        raise ValidationError({"parent": "只有团中央和团省委可以作为独立的根组织"})
    if parent is not None and org_type in ROOT_TYPES:
        raise ValidationError({"org_type": "团中央、团省委不能隶属于其他组织"})
    with transaction.atomic():
        lock_tree()
        code = _clean_code(code)
        width = 2 + spare_slots(org_type, NEW_NODE_SPARE)
        if parent is not None:
            parent = Organisation.objects.get(pk=parent.pk)
            if not parent.is_active:
                raise ValidationError({"parent": f"“{parent.name}”已撤销，不能在其下新增组织"})
            order = (parent.get_children().aggregate(m=Max("order"))["m"] or 0) + 1
            lft = _slot_for_child(parent, width)
            tree_id, level = parent.tree_id, parent.level + 1
        else:
            order, lft, level = 0, 1, 0
            tree_id = (Organisation.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
        # Placed by hand rather than by django-mptt's insert, which would renumber the rest of the tree.
        (org,) = Organisation.objects.bulk_create(
            [
                Organisation(
                    parent=parent,
                    name=name,
                    short_name=re.sub(r"\s+", "", short_name or "")[:60],
                    org_type=org_type,
                    code=code,
                    established_on=established_on,
                    order=order,
                    tree_id=tree_id,
                    lft=lft,
                    rght=lft + width - 1,
                    level=level,
                )
            ]
        )
        _record(TreeChange.Action.CREATE, org, actor, parent=parent.pk if parent else None, name=name)
    return org


def organisation_move(*, org: Organisation, new_parent: Organisation, actor=None) -> Organisation:
    with transaction.atomic():
        lock_tree()
        org = Organisation.objects.get(pk=org.pk)
        new_parent = Organisation.objects.get(pk=new_parent.pk)
        if org.org_type in ROOT_TYPES:
            raise ValidationError({"parent": "团中央、团省委不能调整隶属关系"})
        if contains(org, new_parent):
            raise ValidationError({"parent": "不能将组织调整到其自身或其下级组织之下"})
        if not new_parent.is_active:
            raise ValidationError({"parent": f"“{new_parent.name}”已撤销，不能作为上级组织"})
        old_parent_id = org.parent_id
        if old_parent_id == new_parent.pk:
            return org
        org.order = (new_parent.get_children().aggregate(m=Max("order"))["m"] or 0) + 1
        org.save(update_fields=["order"])
        org.move_to(new_parent, "last-child")
        _record(TreeChange.Action.MOVE, org, actor, old_parent=old_parent_id, new_parent=new_parent.pk)
        subtree_moved.send(sender=Organisation, organisation_ids=[org.pk])
    return Organisation.objects.get(pk=org.pk)


def organisation_dissolve(*, org: Organisation, actor=None, reason: str = "") -> Organisation:
    """Mark an organisation dissolved (撤销); it stays in the tree because it has history."""
    with transaction.atomic():
        lock_tree()
        org = Organisation.objects.get(pk=org.pk)
        if not org.is_active:
            raise ValidationError(f"“{org.name}”已经撤销")
        if org.get_children().filter(is_active=True).exists():
            raise ValidationError(f"“{org.name}”还有未撤销的下级组织，请先撤销或合并下级组织")
        org.is_active = False
        org.dissolved_at = timezone.now()
        org.save(update_fields=["is_active", "dissolved_at", "updated_at"])
        _record(TreeChange.Action.DISSOLVE, org, actor, reason=reason[:500])
    return org


def organisation_merge(*, source: Organisation, target: Organisation, actor=None) -> Organisation:
    """Merge (合并) source into target: its active children and members move over, source is dissolved."""
    with transaction.atomic():
        lock_tree()
        source = Organisation.objects.get(pk=source.pk)
        target = Organisation.objects.get(pk=target.pk)
        if source.pk == target.pk:
            raise ValidationError({"target": "不能与自身合并"})
        if not source.is_active or not target.is_active:
            raise ValidationError({"target": "只能合并两个有效的组织"})
        if source.org_type in ROOT_TYPES:
            raise ValidationError({"target": "团中央、团省委不能被合并"})
        if contains(source, target):
            raise ValidationError({"target": "不能并入自身的下级组织"})
        moved = _graft_children(source, target)
        if moved:
            subtree_moved.send(sender=Organisation, organisation_ids=moved)
        # Members come along, each role once (set-based: the unique constraint skips what target has).
        Membership.objects.bulk_create(
            [
                Membership(user_id=user_id, organisation=target, role=role)
                for user_id, role in Membership.objects.filter(organisation=source).values_list(
                    "user_id", "role"
                )
            ],
            ignore_conflicts=True,
        )
        source.refresh_from_db()
        source.is_active = False
        source.dissolved_at = timezone.now()
        source.merged_into = target
        source.save(update_fields=["is_active", "dissolved_at", "merged_into", "updated_at"])
        _record(TreeChange.Action.MERGE, source, actor, target=target.pk, moved_children=moved)
    return source


def _graft_children(source: Organisation, target: Organisation) -> list[int]:
    """Move every active child of source, with its subtree, to the end of target's children in a few
    set-based statements: open room in target once, shift the moved subtrees into it, re-parent the
    children. The room they leave in source stays as free slots, which the sparse numbering allows."""
    children = Organisation.objects.filter(parent=source, is_active=True)
    block = children.aggregate(low=Min("lft"), high=Max("rght"), n=Count("id"))
    if not block["n"]:
        return []
    moved_ids = list(children.order_by("lft").values_list("id", flat=True))
    _slot_for_child(target, block["high"] - block["low"] + 1)  # may shift both, so read them again
    target = Organisation.objects.get(pk=target.pk)
    source = Organisation.objects.get(pk=source.pk)
    block = children.aggregate(low=Min("lft"), high=Max("rght"))
    last = Organisation.objects.filter(parent=target).aggregate(m=Max("rght"))["m"] or target.lft
    shift, depth = last + 1 - block["low"], target.level - source.level
    order = Organisation.objects.filter(parent=target).aggregate(m=Max("order"))["m"] or 0
    inside = Q(tree_id=source.tree_id, lft__gte=block["low"], lft__lte=block["high"])
    # Dissolved children between the moved ones stay with source (usually there are none).
    for kept in Organisation.objects.filter(
        parent=source, is_active=False, lft__range=(block["low"], block["high"])
    ):
        inside &= ~Q(lft__gte=kept.lft, lft__lte=kept.rght)
    Organisation.objects.filter(inside).update(
        tree_id=target.tree_id, lft=F("lft") + shift, rght=F("rght") + shift, level=F("level") + depth
    )
    Organisation.objects.filter(pk__in=moved_ids).update(parent=target, order=F("order") + order)
    return moved_ids


def organisation_update(*, org: Organisation, name: str, short_name: str = "", actor=None) -> Organisation:
    """Rename; no structural change, so no lock is needed."""
    name = _clean_name(name)
    old = org.name
    org.name = name
    org.short_name = re.sub(r"\s+", "", short_name or "")[:60]
    org.save(update_fields=["name", "short_name", "updated_at"])
    if old != name:
        _record(TreeChange.Action.RENAME, org, actor, old=old, new=name)
    return org


def department_create(*, organisation: Organisation, name: str) -> Department:
    name = re.sub(r"\s+", "", name or "")
    if not name:
        raise ValidationError({"name": "请填写部门名称"})
    if len(name) > 60:
        raise ValidationError({"name": "部门名称不能超过 60 个字"})
    if Department.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError({"name": f"“{organisation.name}”已有部门“{name}”"})
    order = (organisation.departments.aggregate(m=Max("order"))["m"] or 0) + 1
    return Department.objects.create(organisation=organisation, name=name, order=order)


# One answer whether the username is unknown or held out of reach, so the form tells nobody which
# accounts exist elsewhere.
UNREACHABLE_USER = (
    "无法添加“{username}”：没有这个用户，或该用户不在您的管理范围内。"
    "添加新用户请换一个未被使用的用户名并填写初始密码"
)


def _may_attach(user, actor) -> bool:
    """Whether `actor` may give an existing account a role: every organisation the account already belongs
    to lies in the actor's management scope, so an admin neither takes over an account held elsewhere nor
    learns that it exists; a grant across subtrees is made by an admin of a common ancestor. An account
    with no membership could be any stranger's: only those whose scope is the whole country attach it."""
    if actor is None:  # scripts and the demo act as the system
        return True
    held = Membership.objects.filter(user=user)
    if not held.exists():
        return user_scopes(actor, "manage") is None
    return not held.exclude(organisation__in=Organisation.objects.for_user(actor, "manage")).exists()


def _role_detail(user, role: str) -> dict:
    return {"username": user.username, "role": role, "role_label": Role(role).label}


def membership_add(
    *,
    organisation: Organisation,
    username: str,
    role: str,
    full_name: str = "",
    password: str = "",
    department: Department | None = None,
    actor=None,
) -> Membership:
    """Give a user a role in an organisation: an account of the actor's own subtree, or a new one when the
    username is free (a password is then required). The grant is recorded in the organisation's history."""
    User = get_user_model()
    username = (username or "").strip()
    if not re.fullmatch(r"[\w.@+-]{3,150}", username):
        raise ValidationError({"username": "用户名为 3–150 位字母、数字或 @ . + - _"})
    if role not in Role.values:
        raise ValidationError({"role": "请选择有效的角色"})
    if department is not None and department.organisation_id != organisation.pk:
        raise ValidationError({"department": "部门必须属于该组织"})
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if (user is None and not password) or (user is not None and not _may_attach(user, actor)):
            # A password given for a taken username never resets that account.
            raise ValidationError({"username": UNREACHABLE_USER.format(username=username)})
        if user is None:
            candidate = User(username=username, first_name=(full_name or "")[:150])
            validate_password(password, candidate)
            candidate.set_password(password)
            candidate.save()
            user = candidate
        if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
            raise ValidationError({"role": f"{username} 已经是该组织的{Role(role).label}"})
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=role, department=department
        )
        _record(TreeChange.Action.GRANT, organisation, actor, **_role_detail(user, role))
    forget_memberships(user)
    return membership


def membership_remove(*, membership: Membership, user=None) -> None:
    """Take a role away (recorded in the organisation's history). Nobody removes their own admin role: an
    organisation must not lose its last admin by accident, and an admin locking themself out needs someone
    above to undo it."""
    if user is not None and membership.user_id == user.pk and membership.role == Role.ADMIN:
        raise ValidationError("不能移除自己的管理员身份")
    with transaction.atomic():
        membership.delete()
        _record(
            TreeChange.Action.REVOKE,
            membership.organisation,
            user,
            **_role_detail(membership.user, membership.role),
        )
    forget_memberships(membership.user)
