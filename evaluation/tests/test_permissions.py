"""通报 and 考核 pages under the permission sweep (tests.scoped_views): everyone reads their own subtree's,
the office issues, edits the scheme and closes the year; the sibling subtree answers 404."""

from django.urls import reverse

from tests.scoped_views import OFFICE, ScopedObjectViewTest, ScopedViewTest


class _OfOrganisation(ScopedObjectViewTest):
    obj, extra = "organisation", {}
    query: dict = {}

    def url(self, world, side):
        query = "".join(f"&{key}={value}" for key, value in self.query.items())
        return f"{reverse(self.url_name)}?org={getattr(world, side).organisation.pk}{query}"


class TestBulletinPage(_OfOrganisation):
    url_name, query = "evaluation:bulletin", {"period": "2019"}


class TestBulletinIssue(_OfOrganisation):
    url_name, method, data, allowed = "evaluation:bulletin_issue", "post", {"period": "2019"}, OFFICE


class TestBulletins(ScopedViewTest):
    url_name = "evaluation:bulletins"


class TestBulletinDetail(ScopedObjectViewTest):
    """An issued bulletin: the issuing side's people read it (the children it names: test_pages.py)."""

    url_name, obj = "evaluation:bulletin_detail", "organisation"

    def url(self, world, side):
        from core.periods import parse_period
        from evaluation.models import Bulletin
        from evaluation.services import bulletin_issue

        org = getattr(world, side).organisation
        issued = Bulletin.objects.filter(organisation=org).first() or bulletin_issue(
            org=org, period=parse_period("2019"), today=parse_period("2019").end, user=None
        )
        return reverse(self.url_name, args=[issued.pk])


class TestAssessment(_OfOrganisation):
    url_name, query = "evaluation:assessment", {"year": "2019"}


class TestScheme(_OfOrganisation):
    url_name, query, allowed = "evaluation:scheme", {"year": "2019"}, OFFICE


class TestSchemeSave(_OfOrganisation):
    url_name, method, allowed = "evaluation:scheme", "post", OFFICE
    data = {"year": "2019", "action": "save", "on_time": "50", "reports": "30", "indicators": "20",
            "per_overdue": "2", "per_overdue_week": "0.5", "per_yellow": "1", "per_red": "3"}  # fmt: skip


class TestYearClose(_OfOrganisation):
    url_name, method, data, allowed = "evaluation:year_close", "post", {"year": "2019"}, OFFICE
