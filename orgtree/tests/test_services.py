"""Structural writes: add, move, dissolve, merge keep the tree valid and refuse what makes no sense."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgtree.integrity import check_orgtree
from orgtree.models import Membership, Organisation, OrgType, TreeChange
from orgtree.services import (
    department_create,
    membership_add,
    organisation_create,
    organisation_dissolve,
    organisation_merge,
    organisation_move,
    organisation_update,
)

pytestmark = pytest.mark.django_db


def subtree_names(org):
    return set(
        Organisation.objects.get(pk=org.pk).get_descendants(include_self=True).values_list("name", flat=True)
    )


def test_each_province_is_its_own_tree(tree):
    assert tree.zj.tree_id != tree.js.tree_id
    assert tree.hz.tree_id == tree.zj.tree_id
    assert check_orgtree().ok


def test_create_appends_child_and_records_it(tree, make_user):
    admin = make_user(tree.hz, "admin")
    school = organisation_create(parent=tree.xh, name=" 西湖 中学团委 ", org_type=OrgType.SCHOOL, actor=admin)
    assert school.name == "西湖中学团委"
    assert school.parent_id == tree.xh.pk
    assert school.order == 2
    assert TreeChange.objects.filter(organisation=school, action="create", actor=admin).exists()
    assert check_orgtree().ok


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"name": "", "org_type": OrgType.BRANCH}, "请填写组织名称"),
        ({"name": "长" * 121, "org_type": OrgType.BRANCH}, "不能超过 120"),
        ({"name": "甲", "org_type": "bogus"}, "有效的组织类型"),
        ({"name": "甲", "org_type": OrgType.PROVINCE}, "不能隶属于其他组织"),
        ({"name": "甲", "org_type": OrgType.BRANCH, "code": "12ab"}, "区划代码应为"),
        ({"name": "甲", "org_type": OrgType.BRANCH, "code": "330106"}, "区划代码 330106 已被使用"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(tree, kwargs, message):
    count = Organisation.objects.count()
    with pytest.raises(ValidationError, match=message):
        organisation_create(parent=tree.xh, **kwargs)
    assert Organisation.objects.count() == count


def test_root_needs_a_root_type(db):
    with pytest.raises(ValidationError, match="根组织"):
        organisation_create(parent=None, name="某团委", org_type=OrgType.CITY)


def test_move_within_and_across_provinces(tree):
    organisation_move(org=tree.xh, new_parent=tree.nb)
    assert Organisation.objects.get(pk=tree.xh.pk).parent_id == tree.nb.pk
    organisation_move(org=tree.hs, new_parent=tree.nj)
    moved = Organisation.objects.get(pk=tree.hs.pk)
    assert moved.tree_id == tree.js.tree_id
    assert subtree_names(tree.js) >= {"共青团宁波市海曙区委"}
    assert check_orgtree().ok


def test_move_refuses_own_subtree_and_roots(tree):
    with pytest.raises(ValidationError, match="自身或其下级"):
        organisation_move(org=tree.hz, new_parent=tree.bs)
    with pytest.raises(ValidationError, match="不能调整隶属"):
        organisation_move(org=tree.zj, new_parent=tree.js)
    assert check_orgtree().ok


def test_dissolve_keeps_the_node_and_refuses_with_active_children(tree):
    with pytest.raises(ValidationError, match="还有未撤销的下级组织"):
        organisation_dissolve(org=tree.bs)
    organisation_dissolve(org=tree.br, reason="社区撤并")
    branch = Organisation.objects.get(pk=tree.br.pk)
    assert not branch.is_active and branch.dissolved_at is not None
    with pytest.raises(ValidationError, match="已经撤销"):
        organisation_dissolve(org=branch)
    with pytest.raises(ValidationError, match="已撤销"):
        organisation_create(parent=branch, name="甲", org_type=OrgType.BRANCH)
    with pytest.raises(ValidationError, match="已撤销"):
        organisation_move(org=tree.hs, new_parent=branch)


def test_merge_moves_children_and_members(tree, make_user):
    user = make_user(tree.xh, "reporter")
    spare = organisation_create(parent=tree.hz, name="共青团杭州市某区委", org_type=OrgType.COUNTY)
    organisation_merge(source=tree.xh, target=spare)
    source = Organisation.objects.get(pk=tree.xh.pk)
    assert not source.is_active and source.merged_into_id == spare.pk
    assert Organisation.objects.get(pk=tree.bs.pk).parent_id == spare.pk
    assert Membership.objects.filter(user=user, organisation=spare, role="reporter").exists()
    assert check_orgtree().ok


def test_merge_refuses_nonsense(tree):
    with pytest.raises(ValidationError, match="自身"):
        organisation_merge(source=tree.xh, target=tree.xh)
    with pytest.raises(ValidationError, match="下级组织"):
        organisation_merge(source=tree.hz, target=tree.bs)
    with pytest.raises(ValidationError, match="不能被合并"):
        organisation_merge(source=tree.zj, target=tree.js)


def test_rename_is_recorded(tree):
    organisation_update(org=tree.xh, name="共青团杭州市西湖区委员会", short_name="西湖区")
    assert TreeChange.objects.filter(organisation=tree.xh, action="rename").exists()
    with pytest.raises(ValidationError):
        organisation_update(org=tree.xh, name="   ")


def test_departments(tree):
    with pytest.raises(ValidationError, match="已有部门"):
        department_create(organisation=tree.hz, name="组织部")
    with pytest.raises(ValidationError, match="请填写"):
        department_create(organisation=tree.hz, name=" ")
    assert department_create(organisation=tree.hz, name="宣传 部").name == "宣传部"


def test_membership_add_creates_user_and_validates(tree):
    membership = membership_add(
        organisation=tree.xh, username="new-user", role="reporter", password="Xh-2026-secure"
    )
    assert membership.user.check_password("Xh-2026-secure")
    with pytest.raises(ValidationError, match="已经是该组织的填报员"):
        membership_add(organisation=tree.xh, username="new-user", role="reporter")
    with pytest.raises(ValidationError, match="初始密码"):
        membership_add(organisation=tree.xh, username="another", role="viewer")
    with pytest.raises(ValidationError):
        membership_add(organisation=tree.xh, username="weak", role="viewer", password="123")
    with pytest.raises(ValidationError, match="用户名"):
        membership_add(organisation=tree.xh, username="<script>", role="viewer", password="Xh-2026-secure")
    with pytest.raises(ValidationError, match="部门必须属于该组织"):
        membership_add(organisation=tree.xh, username="new-user", role="viewer", department=tree.dept_nb)
    assert not Membership.objects.filter(user__username__in=["another", "weak", "<script>"]).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_keep_the_tree_valid(build_tree):
    """Writers in parallel threads: the advisory lock serialises them (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    t = build_tree()
    errors = []

    def add(n):
        from django.db import connection as thread_connection

        try:
            for i in range(5):
                organisation_create(
                    parent=t.xh if n % 2 else t.nb, name=f"团支部{n}-{i}", org_type=OrgType.BRANCH
                )
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Organisation.objects.filter(name__startswith="团支部").count() == 30
    assert check_orgtree().ok


def test_insert_uses_free_slots_and_opens_room_when_full(tree, django_assert_max_num_queries):
    """Adding a 团支部 writes one row while its parent has free slots; a full parent gets room for more."""
    bs = Organisation.objects.get(pk=tree.bs.pk)
    right_of_bs = set(
        Organisation.objects.filter(tree_id=bs.tree_id, lft__gt=bs.rght).values_list("id", "lft", "rght")
    )
    organisation_create(parent=bs, name="新团支部0", org_type=OrgType.BRANCH)
    unchanged = set(
        Organisation.objects.filter(tree_id=bs.tree_id, lft__gt=bs.rght).values_list("id", "lft", "rght")
    )
    assert unchanged == right_of_bs  # nothing to the right was renumbered
    for i in range(1, 30):  # well past the free slots of a hand-made organisation
        organisation_create(parent=bs, name=f"新团支部{i}", org_type=OrgType.BRANCH)
    assert check_orgtree().ok
    names = list(
        Organisation.objects.get(pk=bs.pk).get_children().order_by("lft").values_list("name", flat=True)
    )
    assert names == ["宝石社区团支部"] + [f"新团支部{i}" for i in range(30)]


def test_leaf_helpers_ignore_free_slots(tree):
    xh = Organisation.objects.get(pk=tree.xh.pk)
    br = Organisation.objects.get(pk=tree.br.pk)
    spare_leaf = organisation_create(parent=xh, name="空学校团委", org_type=OrgType.SCHOOL)
    assert br.is_leaf_node() and spare_leaf.is_leaf_node() and not xh.is_leaf_node()
    assert set(xh.get_leafnodes().values_list("name", flat=True)) == {"宝石社区团支部", "空学校团委"}
    assert xh.get_descendants().count() == 3


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "move", "dissolve", "merge"]), st.integers(0, 50), st.integers(0, 50)
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(OPERATIONS)
def test_any_sequence_of_structural_writes_keeps_the_tree_valid(build_tree, operations):
    from django.db import transaction

    with transaction.atomic():
        build_tree()
        for op, a, b in operations:
            orgs = list(Organisation.objects.filter(is_active=True).order_by("id"))
            first, second = orgs[a % len(orgs)], orgs[b % len(orgs)]
            try:
                if op == "create":
                    kind = OrgType.BRANCH if a % 3 else OrgType.SCHOOL
                    organisation_create(parent=first, name=f"组织{a}-{b}", org_type=kind)
                elif op == "move":
                    organisation_move(org=first, new_parent=second)
                elif op == "dissolve":
                    organisation_dissolve(org=first)
                else:
                    organisation_merge(source=first, target=second)
            except ValidationError:
                pass  # refused operations must leave the tree as it was, which the check below covers
            report = check_orgtree()
            assert report.ok, (op, report.examples)
        transaction.set_rollback(True)
