"""Who may publish a plan (tests.scoped_views)."""

from tests.scoped_views import OFFICE, ScopedViewTest


class TestPublish(ScopedViewTest):
    url_name, obj, allowed = "assignments:publish", "plan", OFFICE


class TestPublishPreview(ScopedViewTest):
    url_name, obj, allowed, data = "assignments:publish_preview", "plan", OFFICE, {"levels": ["county"]}
