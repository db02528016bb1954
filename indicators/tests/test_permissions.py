"""Who may use each indicator page on their own subtree (tests.scoped_views): everyone reads, editors and
admins set targets, reporters, editors and admins enter figures."""

from tests.scoped_views import OFFICE, REPORTERS, ScopedObjectViewTest, ScopedViewTest


def _indicator(world, side):
    return world.indicator.pk


class TestList(ScopedViewTest):
    url_name = "indicators:list"


class TestDetail(ScopedObjectViewTest):
    url_name, obj, kwarg, extra = "indicators:detail", "organisation", "org", {"pk": _indicator}


class TestTargetAdd(ScopedObjectViewTest):
    url_name, obj, kwarg, extra = "indicators:target_add", "organisation", "org", {"pk": _indicator}
    allowed, method = OFFICE, "post"
    data = {"year": 2019, "applies_to": "subtree", "comparison": "gte", "value": 60}


class TestTargetDelete(ScopedObjectViewTest):
    url_name, obj, allowed, method = "indicators:target_delete", "target", OFFICE, "post"


class TestEntryStart(ScopedViewTest):
    url_name, allowed = "indicators:entry_start", REPORTERS


class TestEntry(ScopedObjectViewTest):
    url_name, obj, kwarg, allowed = "indicators:entry", "organisation", "org", REPORTERS


class TestTemplate(ScopedObjectViewTest):
    url_name, obj, kwarg, allowed = "indicators:template", "organisation", "org", REPORTERS


class TestImport(ScopedViewTest):
    url_name, allowed = "indicators:import", REPORTERS


class TestImportPreview(ScopedObjectViewTest):
    url_name, obj, allowed = "indicators:import_preview", "value_import", REPORTERS


class TestImportConfirm(ScopedObjectViewTest):
    url_name, obj, allowed, method = "indicators:import_confirm", "value_import", REPORTERS, "post"
