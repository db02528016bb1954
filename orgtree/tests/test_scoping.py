"""One scoping API decides what each user sees and may change."""

import pytest
from django.contrib.auth.models import AnonymousUser

from orgtree.models import Department, Membership, Organisation, OrgType, TreeChange
from orgtree.selectors import get_organisation, may, top_organisations
from orgtree.services import organisation_create

pytestmark = pytest.mark.django_db


def visible_names(user, action="view"):
    return set(Organisation.objects.for_user(user, action).values_list("name", flat=True))


HANGZHOU_SUBTREE = {"共青团杭州市委", "共青团杭州市西湖区委", "北山街道团工委", "宝石社区团支部"}


@pytest.mark.parametrize("role", ["admin", "editor", "reporter", "viewer"])
def test_every_role_sees_exactly_its_subtree(tree, make_user, role):
    user = make_user(tree.hz, role)
    assert visible_names(user) == HANGZHOU_SUBTREE
    assert Organisation.objects.visible_to(user).count() == 4


def test_actions_follow_roles(tree, make_user):
    viewer = make_user(tree.hz, "viewer")
    editor = make_user(tree.hz, "editor")
    reporter = make_user(tree.xh, "reporter")
    admin = make_user(tree.hz, "admin")
    assert visible_names(viewer, "edit") == set()
    assert visible_names(editor, "edit") == HANGZHOU_SUBTREE
    assert visible_names(editor, "manage") == set()
    assert visible_names(admin, "manage") == HANGZHOU_SUBTREE
    # A reporter reports for its own organisation only, not for the ones below it.
    assert visible_names(reporter, "report") == {"共青团杭州市西湖区委"}
    assert may(reporter, "report", tree.xh) and not may(reporter, "report", tree.bs)
    assert may(admin, "manage", tree.br) and not may(admin, "manage", tree.nb)


def test_several_memberships_union(tree, make_user):
    user = make_user(tree.xh, "viewer")
    Membership.objects.create(user=user, organisation=tree.nb, role="viewer")
    assert visible_names(user) == {
        "共青团杭州市西湖区委", "北山街道团工委", "宝石社区团支部", "共青团宁波市委", "共青团宁波市海曙区委",
    }  # fmt: skip
    assert set(top_organisations(user).values_list("name", flat=True)) == {
        "共青团杭州市西湖区委",
        "共青团宁波市委",
    }


def test_nested_memberships_collapse_on_the_tree_page(tree, make_user):
    user = make_user(tree.hz, "viewer")
    Membership.objects.create(user=user, organisation=tree.bs, role="admin")
    assert list(top_organisations(user).values_list("name", flat=True)) == ["共青团杭州市委"]


def test_national_scope_and_superuser_see_everything(tree, make_user):
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL)
    national = make_user(central, "viewer")
    superuser = make_user(is_superuser=True)
    everything = set(Organisation.objects.values_list("name", flat=True))
    assert visible_names(national) == everything
    assert visible_names(superuser, "manage") == everything
    assert visible_names(national, "manage") == set()


def test_nobody_else_sees_anything(tree, make_user):
    assert visible_names(AnonymousUser()) == set()
    assert visible_names(make_user()) == set()
    inactive = make_user(tree.hz, "admin")
    inactive.is_active = False
    inactive.save()
    assert visible_names(inactive) == set()


def test_models_hanging_off_an_organisation_scope_the_same_way(tree, make_user):
    user = make_user(tree.hz, "admin")
    other = make_user(tree.nb, "viewer")
    TreeChange.objects.create(action="create", organisation=tree.nb)
    assert set(Department.objects.for_user(user).values_list("name", flat=True)) == {"组织部"}
    assert set(Membership.objects.for_user(user).values_list("user__username", flat=True)) == {user.username}
    assert not TreeChange.objects.for_user(user).filter(organisation=tree.nb).exists()
    assert Department.objects.for_user(other).get().name == "宁波学校部"


def test_get_organisation_answers_404_outside_and_403_for_missing_rights(tree, make_user):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    viewer = make_user(tree.hz, "viewer")
    assert get_organisation(viewer, tree.xh.pk) == tree.xh
    with pytest.raises(Http404):
        get_organisation(viewer, tree.nb.pk)
    with pytest.raises(Http404):
        get_organisation(viewer, tree.nb.pk, "manage")
    with pytest.raises(PermissionDenied):
        get_organisation(viewer, tree.xh.pk, "manage")


def test_scope_is_one_query(tree, make_user, django_assert_num_queries):
    user = make_user(tree.hz, "admin")
    with django_assert_num_queries(4):  # memberships once, then one query per scoped read
        list(Organisation.objects.visible_to(user))
        list(Organisation.objects.for_user(user, "manage"))
        list(Organisation.objects.visible_to(user))
