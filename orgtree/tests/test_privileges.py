"""What an organisation's admin may learn and grant: taken codes name no holder, accounts are attached only
from inside the admin's subtree (and every grant is on the record), names are changed from above."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgtree.models import Membership, Organisation, OrgType, TreeChange
from orgtree.services import membership_add, organisation_create

pytestmark = pytest.mark.django_db


# A taken division code ----------------------------------------------------------------------------------


def test_a_taken_code_names_no_organisation(tree):
    """Codes are unique across the country: a clash must not tell a 宁波 admin what 杭州 holds."""
    with pytest.raises(ValidationError) as caught:
        organisation_create(parent=tree.hs, name="甲", org_type=OrgType.BRANCH, code="330106")
    assert caught.value.message_dict["code"] == ["区划代码 330106 已被使用"]
    with pytest.raises(ValidationError) as short_form:  # 3301 is 330100 (杭州) in its long form
        organisation_create(parent=tree.hs, name="乙", org_type=OrgType.BRANCH, code="3301")
    assert "杭州" not in str(short_form.value) and "已被使用" in str(short_form.value)


def test_the_add_page_says_only_that_the_code_is_taken(login, tree, make_user):
    client = login(make_user(tree.nb, "admin"))
    body = client.post(
        reverse("orgtree:create_child", args=[tree.hs.pk]),
        {"name": "甲", "org_type": "branch", "code": "330106"},
    ).content.decode()
    assert "区划代码 330106 已被使用" in body and "西湖" not in body


# Attaching accounts -------------------------------------------------------------------------------------

UNREACHABLE = "没有这个用户，或该用户不在您的管理范围内"


@pytest.fixture
def xh_admin(tree, make_user):
    return make_user(tree.xh, "admin", username="xh-admin")


def test_an_admin_attaches_an_account_of_their_own_subtree(tree, make_user, xh_admin):
    reporter = make_user(tree.br, "reporter", username="br-reporter")
    membership = membership_add(organisation=tree.bs, username="br-reporter", role="viewer", actor=xh_admin)
    assert membership.user == reporter
    change = TreeChange.objects.get(organisation=tree.bs, action="grant")
    assert change.actor == xh_admin
    assert change.detail == {"username": "br-reporter", "role": "viewer", "role_label": "查看（领导）"}


@pytest.mark.parametrize("where", ["sibling", "above", "both", "nowhere"])
def test_an_account_held_outside_the_subtree_is_not_attached(tree, make_user, xh_admin, where):
    """The 宁波 reporter, the 杭州 editor, an account in both, or a fresh account that could be any
    stranger's: none is a 西湖区 admin's to hand a role."""
    user = make_user(username="someone")
    orgs = {"sibling": [tree.hs], "above": [tree.hz], "both": [tree.bs, tree.hs], "nowhere": []}[where]
    for org in orgs:
        Membership.objects.create(user=user, organisation=org, role="reporter")
    with pytest.raises(ValidationError, match=UNREACHABLE):
        membership_add(organisation=tree.xh, username="someone", role="admin", actor=xh_admin)
    # Giving a password does not take the account over either.
    with pytest.raises(ValidationError, match=UNREACHABLE):
        membership_add(
            organisation=tree.xh, username="someone", role="admin", password="Xh-2026-secure", actor=xh_admin
        )
    user.refresh_from_db()
    assert user.check_password("Tuanjian-test-2026")
    assert not Membership.objects.filter(user=user, organisation=tree.xh).exists()
    assert not TreeChange.objects.filter(action="grant").exists()


def test_a_common_ancestor_grants_across_subtrees(tree, make_user):
    """杭州 and 宁波 are both 浙江's: the province's admin may give the 宁波 reporter a role in 西湖区."""
    make_user(tree.hs, "reporter", username="hs-reporter")
    zj_admin = make_user(tree.zj, "admin")
    membership = membership_add(organisation=tree.xh, username="hs-reporter", role="viewer", actor=zj_admin)
    assert membership.organisation == tree.xh


def test_the_country_attaches_a_fresh_account(tree, make_user):
    make_user(username="fresh")
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL)
    national_admin = make_user(central, "admin")
    assert membership_add(organisation=tree.xh, username="fresh", role="viewer", actor=national_admin).pk
    superuser = make_user(is_superuser=True)
    assert membership_add(organisation=tree.hs, username="fresh", role="viewer", actor=superuser).pk


def test_unknown_and_unreachable_usernames_get_the_same_page(login, tree, make_user, xh_admin):
    make_user(tree.hs, "reporter", username="hs-reporter")
    client = login(xh_admin)
    url = reverse("orgtree:member_add", args=[tree.xh.pk])

    def answer(username):
        response = client.post(url, {"username": username, "role": "viewer"})
        assert response.status_code == 200
        body = re.sub(r"[A-Za-z0-9]{64}", "<csrf>", response.content.decode())  # tokens differ per page
        return body.replace(username, "<name>")

    unknown, unreachable = answer("no-such-user"), answer("hs-reporter")
    assert UNREACHABLE in unknown and unknown == unreachable
    assert "海曙" not in unreachable and "宁波" not in unreachable
    assert not Membership.objects.filter(organisation=tree.xh, role="viewer").exists()


def test_new_accounts_are_still_created_in_the_same_form(login, tree, make_user, xh_admin):
    client = login(xh_admin)
    url = reverse("orgtree:member_add", args=[tree.xh.pk])
    response = client.post(url, {"username": "xh-new", "password": "Strong-pass-2026", "role": "reporter"})
    assert response.status_code == 302
    assert Membership.objects.get(user__username="xh-new").organisation == tree.xh
    hostile = client.post(url, {"username": "<script>alert(1)</script>", "role": "viewer"})
    assert "<script>alert" not in hostile.content.decode()
    assert get_user_model().objects.filter(username__startswith="xh-").count() == 2  # xh-admin, xh-new


def test_membership_changes_appear_in_the_history(login, tree, make_user, xh_admin):
    client = login(xh_admin)
    client.post(
        reverse("orgtree:member_add", args=[tree.xh.pk]),
        {"username": "xh-new", "password": "Strong-pass-2026", "role": "reporter"},
    )
    membership = Membership.objects.get(user__username="xh-new")
    client.post(reverse("orgtree:member_remove", args=[membership.pk]))
    revoke = TreeChange.objects.get(organisation=tree.xh, action="revoke")
    assert revoke.actor == xh_admin and revoke.detail["username"] == "xh-new"
    body = client.get(reverse("orgtree:detail", args=[tree.xh.pk])).content.decode()
    history = body.split("变更记录")[1]
    assert "授予角色 xh-new 填报员（xh-admin）" in history
    assert "撤销角色 xh-new 填报员（xh-admin）" in history


# Renaming ---------------------------------------------------------------------------------------------


def test_an_admin_does_not_rename_their_own_organisation(login, tree, make_user):
    client = login(make_user(tree.xh, "admin"))
    url = reverse("orgtree:edit", args=[tree.xh.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "西湖区自封团委"}).status_code == 403
    assert Organisation.objects.get(pk=tree.xh.pk).name == "共青团杭州市西湖区委"
    assert "修改名称" not in client.get(reverse("orgtree:detail", args=[tree.xh.pk])).content.decode()
    # Below it, the county's admin renames as before.
    below = client.post(reverse("orgtree:edit", args=[tree.bs.pk]), {"name": "北山街道团工委（新）"})
    assert below.status_code == 302 and Organisation.objects.get(pk=tree.bs.pk).name == "北山街道团工委（新）"


def test_the_parent_renames_and_a_province_is_renamed_by_the_country(login, tree, make_user):
    client = login(make_user(tree.hz, "admin"))
    assert "修改名称" in client.get(reverse("orgtree:detail", args=[tree.xh.pk])).content.decode()
    response = client.post(reverse("orgtree:edit", args=[tree.xh.pk]), {"name": "共青团杭州市西湖区委员会"})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=tree.xh.pk).name == "共青团杭州市西湖区委员会"
    province = login(make_user(tree.zj, "admin"))
    assert province.get(reverse("orgtree:edit", args=[tree.zj.pk])).status_code == 403
    assert province.get(reverse("orgtree:edit", args=[tree.js.pk])).status_code == 404
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL)
    country = login(make_user(central, "admin"))
    assert (
        country.post(reverse("orgtree:edit", args=[tree.zj.pk]), {"name": "共青团浙江省委员会"}).status_code
        == 302
    )
    assert country.get(reverse("orgtree:edit", args=[central.pk])).status_code == 403
    assert (
        login(make_user(is_superuser=True)).get(reverse("orgtree:edit", args=[central.pk])).status_code == 200
    )


# Dates --------------------------------------------------------------------------------------------------


def test_the_add_page_fills_the_founding_date_as_iso(login, tree, make_user):
    body = login(make_user(tree.hz, "admin")).get(reverse("orgtree:create_child", args=[tree.xh.pk]))
    assert f'value="{date.today():%Y-%m-%d}"' in body.content.decode()
