"""The organisation pages as a city admin, a county reporter and a leader use them."""

import pytest
from django.urls import reverse

from orgtree.integrity import check_orgtree
from orgtree.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def test_login_page_and_login_flow(client, tree, make_user):
    user = make_user(tree.hz, "viewer", username="hz-leader")
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()
    bad = client.post(reverse("login"), {"username": "hz-leader", "password": "wrong"})
    assert "用户名或密码不正确" in bad.content.decode()
    ok = client.post(reverse("login"), {"username": user.username, "password": "Tuanjian-test-2026"})
    assert ok.status_code == 302 and ok.url == reverse("home")
    assert client.get(ok.url).url == reverse("supervision:dashboard")  # a leader's work (test_navigation)
    assert client.post(reverse("logout")).status_code == 302


def test_tree_page_shows_the_users_subtrees(login, tree, make_user):
    client = login(make_user(tree.hz, "viewer"))
    body = client.get(reverse("orgtree:tree")).content.decode()
    assert "共青团杭州市委" in body and "下级 1" in body
    assert "共青团浙江省委" not in body and "宁波" not in body


def test_user_without_membership_gets_an_empty_state(login, tree, make_user):
    body = login(make_user()).get(reverse("orgtree:tree")).content.decode()
    assert "还没有分配组织" in body


def test_children_load_lazily(login, tree, make_user):
    client = login(make_user(tree.hz, "viewer"))
    body = client.get(reverse("orgtree:children", args=[tree.hz.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "共青团杭州市西湖区委" in body and "<html" not in body
    assert "暂无下级组织" in client.get(reverse("orgtree:children", args=[tree.br.pk])).content.decode()


def test_children_are_paginated(login, tree, make_user, settings):
    from orgtree.services import organisation_create

    settings.PAGE_SIZE = 2
    for i in range(5):
        organisation_create(parent=tree.bs, name=f"团支部{i}", org_type="branch")
    client = login(make_user(tree.hz, "viewer"))
    first = client.get(reverse("orgtree:children", args=[tree.bs.pk])).content.decode()
    assert "加载更多（已显示 2 / 6）" in first
    last = client.get(reverse("orgtree:children", args=[tree.bs.pk]), {"page": 3}).content.decode()
    assert "团支部4" in last and "加载更多" not in last


def test_search_by_name_and_code_stays_in_scope(login, tree, make_user):
    client = login(make_user(tree.hz, "viewer"))
    by_name = client.get(reverse("orgtree:tree"), {"q": "西湖"}).content.decode()
    assert "共青团杭州市西湖区委" in by_name and "共 1 个组织" in by_name
    by_code = client.get(reverse("orgtree:tree"), {"q": "3301"}).content.decode()
    assert "北山街道团工委" in by_code
    foreign = client.get(reverse("orgtree:tree"), {"q": "宁波"}).content.decode()
    assert "共青团宁波市委" not in foreign and "没有找到匹配的组织" in foreign
    hostile = client.get(reverse("orgtree:tree"), {"q": "<script>alert(1)</script>" * 10})
    assert hostile.status_code == 200 and "<script>alert" not in hostile.content.decode()


def test_detail_page(login, tree, make_user):
    make_user(tree.hz, "editor", username="hz-editor")
    client = login(make_user(tree.hz, "viewer"))
    body = client.get(reverse("orgtree:detail", args=[tree.hz.pk])).content.decode()
    assert "共青团杭州市委" in body and "组织部" in body and "hz-editor" in body
    assert "新增下级组织" not in body  # a viewer gets no admin buttons
    # The breadcrumb shows only what the user may see.
    body = client.get(reverse("orgtree:detail", args=[tree.bs.pk])).content.decode()
    assert "杭州市" in body and "浙江省委" not in body


def test_admin_adds_a_child(login, tree, make_user):
    client = login(make_user(tree.hz, "admin"))
    url = reverse("orgtree:create_child", args=[tree.xh.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "西湖区示范中学团委", "org_type": "school", "code": ""})
    created = Organisation.objects.get(name="西湖区示范中学团委")
    assert response.status_code == 302 and created.parent_id == tree.xh.pk
    assert check_orgtree().ok


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "", "org_type": "school"}, "这个字段是必填项"),
        ({"name": "甲", "org_type": "province"}, "选择一个有效的选项"),
        ({"name": "甲", "org_type": "school", "code": "330106"}, "已被"),
        ({"name": "甲", "org_type": "school", "code": "abc"}, "区划代码应为"),
        ({"name": "长" * 500, "org_type": "school"}, "不超过 120 字符"),
    ],
)
def test_add_child_rejects_bad_input(login, tree, make_user, data, message):
    client = login(make_user(tree.hz, "admin"))
    count = Organisation.objects.count()
    response = client.post(reverse("orgtree:create_child", args=[tree.xh.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Organisation.objects.count() == count


def test_hostile_names_are_escaped(login, tree, make_user):
    client = login(make_user(tree.hz, "admin"))
    client.post(
        reverse("orgtree:create_child", args=[tree.xh.pk]),
        {"name": "<img/src=x/onerror=alert(1)>", "org_type": "branch"},
    )
    body = client.get(reverse("orgtree:detail", args=[tree.xh.pk])).content.decode()
    assert "<img/src=x" not in body and "&lt;img/src=x" in body


def test_non_admins_get_403_on_admin_pages(login, tree, make_user):
    for role in ("editor", "reporter", "viewer"):
        client = login(make_user(tree.hz, role))
        for name in ("create_child", "edit", "move", "merge", "dissolve", "member_add"):
            assert client.get(reverse(f"orgtree:{name}", args=[tree.xh.pk])).status_code == 403
        count = Organisation.objects.count()
        assert (
            client.post(
                reverse("orgtree:create_child", args=[tree.xh.pk]), {"name": "x", "org_type": "branch"}
            ).status_code
            == 403
        )
        assert Organisation.objects.count() == count


def test_move_with_the_picker(login, tree, make_user):
    from orgtree.services import organisation_create

    spare = organisation_create(parent=tree.hz, name="共青团杭州市拱墅区委", org_type="county", code="330105")
    client = login(make_user(tree.hz, "admin"))
    picks = client.get(reverse("orgtree:pick"), {"q": "拱墅"}).content.decode()
    assert f'data-pick-id="{spare.pk}"' in picks
    assert "共青团宁波市委" not in client.get(reverse("orgtree:pick"), {"q": "宁波"}).content.decode()
    response = client.post(reverse("orgtree:move", args=[tree.bs.pk]), {"new_parent": spare.pk})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=tree.bs.pk).parent_id == spare.pk
    assert check_orgtree().ok


def test_move_refuses_targets_outside_scope_and_nonsense(login, tree, make_user):
    client = login(make_user(tree.hz, "admin"))
    url = reverse("orgtree:move", args=[tree.xh.pk])
    for value, message in [
        (tree.nb.pk, "不在您的管理范围内"),
        ("", "请先搜索并选择一个组织"),
        ("abc", "不在您的管理范围内"),
        (10**12, "不在您的管理范围内"),
        (tree.bs.pk, "不能将组织调整到其自身或其下级组织之下"),
    ]:
        response = client.post(url, {"new_parent": value})
        assert response.status_code == 200 and message in response.content.decode(), value
    assert Organisation.objects.get(pk=tree.xh.pk).parent_id == tree.hz.pk


def test_dissolve_and_merge_pages(login, tree, make_user):
    client = login(make_user(tree.hz, "admin"))
    response = client.post(reverse("orgtree:dissolve", args=[tree.bs.pk]), {"reason": "撤并"})
    assert "还有未撤销的下级组织" in response.content.decode()
    assert client.post(reverse("orgtree:dissolve", args=[tree.br.pk]), {"reason": ""}).status_code == 200
    assert Organisation.objects.get(pk=tree.br.pk).is_active
    assert (
        client.post(reverse("orgtree:dissolve", args=[tree.br.pk]), {"reason": "社区撤并"}).status_code == 302
    )
    assert not Organisation.objects.get(pk=tree.br.pk).is_active
    response = client.post(reverse("orgtree:merge", args=[tree.bs.pk]), {"target": tree.xh.pk})
    assert "这个字段是必填项" in response.content.decode()  # the confirmation box
    assert Organisation.objects.get(pk=tree.bs.pk).is_active


def test_members_and_departments(login, tree, make_user):
    admin = make_user(tree.hz, "admin")
    client = login(admin)
    url = reverse("orgtree:member_add", args=[tree.xh.pk])
    response = client.post(url, {"username": "xh-new", "password": "Strong-pass-2026", "role": "reporter"})
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="xh-new")
    assert membership.organisation_id == tree.xh.pk
    weak = client.post(url, {"username": "xh-weak", "password": "1234", "role": "reporter"}).content.decode()
    assert "密码" in weak and not Membership.objects.filter(user__username="xh-weak").exists()
    foreign_dept = client.post(url, {"username": "xh-new", "role": "viewer", "department": tree.dept_nb.pk})
    assert "选择一个有效的选项" in foreign_dept.content.decode()
    client.post(reverse("orgtree:member_remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    own = Membership.objects.get(user=admin)
    client.post(reverse("orgtree:member_remove", args=[own.pk]))
    assert Membership.objects.filter(pk=own.pk).exists()
    client.post(reverse("orgtree:department_add", args=[tree.xh.pk]), {"name": "宣传部"})
    assert tree.xh.departments.filter(name="宣传部").exists()
    follow = client.post(
        reverse("orgtree:department_add", args=[tree.xh.pk]), {"name": "宣传部"}, follow=True
    )
    assert "已有部门" in follow.content.decode()
    assert tree.xh.departments.count() == 1


def test_csrf_is_enforced(tree, make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(tree.hz, "admin"))
    response = client.post(
        reverse("orgtree:create_child", args=[tree.xh.pk]), {"name": "x", "org_type": "branch"}
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="x").exists()
