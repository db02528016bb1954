"""Who may do what on an assignment's page: the receiving county reports, the issuing city reviews,
decides and settles, both see it (tests.scoped_views)."""

from tests.scoped_views import OFFICE, REPORTERS, ScopedObjectViewTest, ScopedViewTest


class TestMyAssignments(ScopedViewTest):
    url_name = "reporting:my"


class TestReviewQueue(ScopedViewTest):
    url_name = "reporting:review_queue"


class TestAssignmentSeenByTheIssuer(ScopedObjectViewTest):
    url_name, obj = "reporting:assignment", "assignment"


class TestAssignmentSeenByTheReceiver(TestAssignmentSeenByTheIssuer):
    member = "county"


class TestReport(ScopedObjectViewTest):
    url_name, obj, allowed, member = "reporting:report", "assignment", REPORTERS, "county"


class TestReportNotByTheIssuer(TestReport):
    allowed, member = frozenset(), "organisation"


class TestReceive(ScopedObjectViewTest):
    url_name, obj, allowed, member, method = "reporting:receive", "assignment", REPORTERS, "county", "post"


class TestSettle(ScopedObjectViewTest):
    url_name, obj, allowed, method = "reporting:settle", "assignment", OFFICE, "post"
    data = {"action": "close", "reason": "已完成"}


class TestSettleNotByTheReceiver(TestSettle):
    allowed, member = frozenset(), "county"


class TestExtensionRequest(ScopedObjectViewTest):
    url_name, obj, allowed, member, method = (
        "reporting:extension_request", "assignment_milestone", REPORTERS, "county", "post"
    )  # fmt: skip
    data = {"requested_due": "2019-08-31", "reason": "经费"}


class TestExtensionDecide(ScopedObjectViewTest):
    url_name, obj, allowed, method = "reporting:extension_decide", "extension", OFFICE, "post"
    data = {"decision": "approve"}


class TestExtensionNotDecidedByTheReceiver(TestExtensionDecide):
    allowed, member = frozenset(), "county"


class TestReportReview(ScopedObjectViewTest):
    url_name, obj, allowed, method = "reporting:report_review", "report", OFFICE, "post"
    data = {"decision": "accept"}


class TestReportNotReviewedByTheReceiver(TestReportReview):
    allowed, member = frozenset(), "county"


class TestAttachmentUpload(ScopedObjectViewTest):
    url_name, obj, allowed, member, method = (
        "reporting:attachment_upload", "draft_report", REPORTERS, "county", "post"
    )  # fmt: skip


class TestAttachmentDownload(ScopedObjectViewTest):
    url_name, obj = "reporting:attachment", "attachment"


class TestUrge(ScopedObjectViewTest):
    """催办 is the issuing side's: its editors and admins."""

    url_name, obj, allowed, method = "reporting:urge", "assignment", OFFICE, "post"


class TestUrgeNotByTheReceiver(TestUrge):
    allowed, member = frozenset(), "county"


class TestBreakDown(ScopedObjectViewTest):
    """分解交办 is the receiver's office: its editors and admins."""

    url_name, obj, allowed, member = "reporting:break_down", "assignment", OFFICE, "county"


class TestBreakDownNotByTheIssuer(TestBreakDown):
    allowed, member = frozenset(), "organisation"


class TestContribute(ScopedObjectViewTest):
    """配合反馈: the 参与部门's members; the office's editors and admins (no department) may write for it."""

    url_name, obj, allowed, method = "reporting:contribute", "contributor", OFFICE, "post"
    data = {"period": "2019-06", "text": "已配合完成宣传"}
