"""Everyone may open the dashboard of their own subtree (tests.scoped_views)."""

from tests.scoped_views import ScopedObjectViewTest, ScopedViewTest


class TestDashboard(ScopedViewTest):
    url_name = "supervision:dashboard"


class TestDashboardOfAnOrganisation(ScopedObjectViewTest):
    url_name, obj, extra = "supervision:dashboard", "organisation", {}

    def url(self, world, side):
        from django.urls import reverse

        return f"{reverse(self.url_name)}?org={getattr(world, side).organisation.pk}"


class TestPlanExportWithProgress(ScopedObjectViewTest):
    url_name, obj = "supervision:plan_export_progress", "plan"


class _OfOrganisation(ScopedObjectViewTest):
    obj, extra = "organisation", {}

    def url(self, world, side):
        from django.urls import reverse

        return f"{reverse(self.url_name)}?org={getattr(world, side).organisation.pk}"


class TestDashboardIndicators(_OfOrganisation):
    url_name = "supervision:dashboard_indicators"


class TestOverdueList(ScopedViewTest):
    url_name = "supervision:overdue_list"


class TestOverdueListOfAnOrganisation(_OfOrganisation):
    url_name = "supervision:overdue_list"


class TestUrgeSelected(ScopedViewTest):
    """An empty selection answers with a message (302); what may be urged is decided per item (see
    test_board.py: another subtree's items are never urged)."""

    url_name, method = "supervision:urge_selected", "post"


class TestTimelineOfAnOrganisation(_OfOrganisation):
    url_name = "supervision:timeline"


class TestTimelineOfAPlan(ScopedObjectViewTest):
    url_name, obj = "supervision:timeline", "plan"

    def url(self, world, side):
        from django.urls import reverse

        return f"{reverse(self.url_name)}?plan={getattr(world, side).plan.pk}"
