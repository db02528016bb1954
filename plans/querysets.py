"""Scoped querysets of the plans app: every read goes through for_user(user, action)."""

from orgtree.querysets import OrgBoundQuerySet


class PlanQuerySet(OrgBoundQuerySet):
    org_path = "organisation"


class SectionQuerySet(OrgBoundQuerySet):
    org_path = "plan__organisation"


class TaskQuerySet(OrgBoundQuerySet):
    org_path = "organisation"


class MilestoneQuerySet(OrgBoundQuerySet):
    org_path = "task__organisation"


class PlanImportQuerySet(OrgBoundQuerySet):
    org_path = "organisation"


class PlanChangeQuerySet(OrgBoundQuerySet):
    org_path = "plan__organisation"


class AssignmentQuerySet(OrgBoundQuerySet):
    """An assignment (and what hangs off it) is seen by the receiving organisation's subtree and by the
    issuer's; only the receiver reports on it, only the issuer's editors review it."""

    assignment_path = ""  # how the rows of the subclass reach their assignment

    def for_user(self, user, action: str = "view"):
        from orgtree.querysets import scope_q

        received = scope_q(user, action, prefix=f"{self.assignment_path}organisation__")
        if action == "report":
            return self if received is None else self.filter(received)
        issued = scope_q(user, action, prefix=f"{self.assignment_path}task__organisation__")
        if received is None or issued is None:
            return self
        return self.filter(received | issued)

    def reviewable_by(self, user):
        from orgtree.querysets import scope_q

        q = scope_q(user, "edit", prefix=f"{self.assignment_path}task__organisation__")
        return self if q is None else self.filter(q)


class AssignmentBoundQuerySet(AssignmentQuerySet):
    """Rows with an `assignment` (milestone copies, reports, timeline events)."""

    assignment_path = "assignment__"


class ExtensionQuerySet(AssignmentQuerySet):
    assignment_path = "copy__assignment__"


class AttachmentQuerySet(AssignmentQuerySet):
    assignment_path = "report__assignment__"
