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
    """An assignment is seen by the receiving organisation's subtree and by the issuer's."""

    org_path = "organisation"

    def reviewable_by(self, user):
        """Assignments whose reports the user reviews: those issued by an organisation it edits for."""
        from orgtree.querysets import scope_q

        q = scope_q(user, "edit", prefix="task__organisation__")
        return self if q is None else self.filter(q)

    def for_user(self, user, action: str = "view"):
        from orgtree.querysets import scope_q

        received = scope_q(user, action, prefix="organisation__")
        if action == "report":  # only the receiving organisation reports on an assignment
            return self if received is None else self.filter(received)
        issued = scope_q(user, action, prefix="task__organisation__")
        if received is None or issued is None:
            return self
        return self.filter(received | issued)


class AssignmentBoundQuerySet(AssignmentQuerySet):
    """Rows that hang off an assignment (milestone copies, reports, timeline events)."""

    def for_user(self, user, action: str = "view"):
        from orgtree.querysets import scope_q

        received = scope_q(user, action, prefix="assignment__organisation__")
        if action == "report":
            return self if received is None else self.filter(received)
        issued = scope_q(user, action, prefix="assignment__task__organisation__")
        if received is None or issued is None:
            return self
        return self.filter(received | issued)

    def reviewable_by(self, user):
        from orgtree.querysets import scope_q

        q = scope_q(user, "edit", prefix="assignment__task__organisation__")
        return self if q is None else self.filter(q)


class ExtensionQuerySet(AssignmentQuerySet):
    """Extension requests, seen through the milestone copy's assignment."""

    def for_user(self, user, action: str = "view"):
        from orgtree.querysets import scope_q

        received = scope_q(user, action, prefix="copy__assignment__organisation__")
        if action == "report":
            return self if received is None else self.filter(received)
        issued = scope_q(user, action, prefix="copy__assignment__task__organisation__")
        if received is None or issued is None:
            return self
        return self.filter(received | issued)
