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
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, PositiveIntegerField, When
from django.utils import timezone

from .models import Department, Membership, Organisation, OrgType, Role, TreeChange
from .numbering import NEW_NODE_SPARE, REFILL_SLOTS, spare_slots
from .querysets import forget_memberships, normalise_code

TREE_LOCK_KEY = 73_012_260  # one fixed key: all structural writes to the organisation tree

ROOT_TYPES = {OrgType.CENTRAL, OrgType.PROVINCE}
CODE_RE = re.compile(r"^\d{6}$|^\d{9}$|^\d{12}$")


def lock_tree() -> None:
    """Take the tree's advisory lock for the rest of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_tree() must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
    # SQLite (embedded mode) serialises writers with its database lock.


def _within(node: Organisation, ancestor: Organisation) -> bool:
    """node is ancestor or lies in its subtree."""
    return node.tree_id == ancestor.tree_id and ancestor.lft <= node.lft and node.rght <= ancestor.rght


def _record(action: str, org: Organisation | None, actor, **detail) -> None:
    TreeChange.objects.create(
        action=action,
        organisation=org,
        actor=actor if actor and actor.is_authenticated else None,
        detail=detail,
    )


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
    clash = Organisation.objects.filter(code=code).exclude(pk=exclude_pk).first()
    if clash:
        raise ValidationError({"code": f"区划代码 {code} 已被“{clash.name}”使用"})
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
        if _within(new_parent, org):
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
        if _within(target, source):
            raise ValidationError({"target": "不能并入自身的下级组织"})
        moved = []
        for child in source.get_children().filter(is_active=True):
            child = Organisation.objects.get(pk=child.pk)
            target.refresh_from_db()
            child.move_to(target, "last-child")
            moved.append(child.pk)
        for membership in Membership.objects.filter(organisation=source):
            if not Membership.objects.filter(
                user_id=membership.user_id, organisation=target, role=membership.role
            ).exists():
                Membership.objects.create(
                    user_id=membership.user_id, organisation=target, role=membership.role
                )
        source.refresh_from_db()
        source.is_active = False
        source.dissolved_at = timezone.now()
        source.merged_into = target
        source.save(update_fields=["is_active", "dissolved_at", "merged_into", "updated_at"])
        _record(TreeChange.Action.MERGE, source, actor, target=target.pk, moved_children=moved)
    return source


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


def membership_add(
    *,
    organisation: Organisation,
    username: str,
    role: str,
    full_name: str = "",
    password: str = "",
    department: Department | None = None,
) -> Membership:
    """Give a user a role in an organisation, creating the account if the username is new."""
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
        if user is None:
            if not password:
                raise ValidationError({"password": "新用户需要设置初始密码"})
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
    forget_memberships(user)
    return membership


def membership_remove(*, membership: Membership) -> None:
    membership.delete()
