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
