"""Who may use each organisation page on their own subtree (tests.scoped_views)."""

from tests.scoped_views import ScopedObjectViewTest, ScopedViewTest

ADMINS = frozenset({"admin"})


class TestTree(ScopedViewTest):
    url_name = "orgtree:tree"


class TestPick(ScopedViewTest):
    url_name = "orgtree:pick"
    data = {"q": "3301"}


class TestDetail(ScopedObjectViewTest):
    url_name, obj = "orgtree:detail", "organisation"


class TestChildren(ScopedObjectViewTest):
    url_name, obj = "orgtree:children", "organisation"


class TestCreateChild(ScopedObjectViewTest):
    url_name, obj, allowed = "orgtree:create_child", "organisation", ADMINS


class TestEdit(ScopedObjectViewTest):
    """A name is changed from above: the city's admins rename its county (their own city: test_privileges)."""

    url_name, obj, allowed = "orgtree:edit", "county", ADMINS


class TestMove(ScopedObjectViewTest):
    url_name, obj, allowed = "orgtree:move", "organisation", ADMINS


class TestMerge(ScopedObjectViewTest):
    url_name, obj, allowed = "orgtree:merge", "organisation", ADMINS


class TestDissolve(ScopedObjectViewTest):
    url_name, obj, allowed = "orgtree:dissolve", "organisation", ADMINS


class TestDepartmentAdd(ScopedObjectViewTest):
    url_name, obj, allowed, method = "orgtree:department_add", "organisation", ADMINS, "post"
    data = {"name": "新部门"}


class TestMemberAdd(ScopedObjectViewTest):
    url_name, obj, allowed = "orgtree:member_add", "organisation", ADMINS


class TestMemberRemove(ScopedObjectViewTest):
    url_name, obj, allowed, method = "orgtree:member_remove", "membership", ADMINS, "post"
