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

    def for_user(self, user, action: str = "view"):
        from orgtree.querysets import scope_q

        received = scope_q(user, action, prefix="organisation__")
        issued = scope_q(user, action, prefix="task__organisation__")
        if received is None or issued is None:
            return self
        return self.filter(received | issued)


class AssignmentMilestoneQuerySet(AssignmentQuerySet):
    def for_user(self, user, action: str = "view"):
        from orgtree.querysets import scope_q

        received = scope_q(user, action, prefix="assignment__organisation__")
        issued = scope_q(user, action, prefix="assignment__task__organisation__")
        if received is None or issued is None:
            return self
        return self.filter(received | issued)
