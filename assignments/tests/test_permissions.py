"""Who may publish a plan (tests.scoped_views)."""

from tests.scoped_views import OFFICE, ScopedObjectViewTest


class TestPublish(ScopedObjectViewTest):
    url_name, obj, allowed = "assignments:publish", "plan", OFFICE


class TestPublishPreview(ScopedObjectViewTest):
    url_name, obj, allowed, data = "assignments:publish_preview", "plan", OFFICE, {"levels": ["county"]}
