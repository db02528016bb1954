"""Everyone reads their own notices (tests.scoped_views)."""

from tests.scoped_views import ScopedViewTest


class TestList(ScopedViewTest):
    url_name = "notifications:list"


class TestMarkAllRead(ScopedViewTest):
    url_name, method = "notifications:list", "post"
