"""Scoped querysets of assignments and what hangs off them: the issuing side and the receiving side each
hold the actions orgtree's action table gives them (the receiver reports, the issuer reviews)."""

from orgtree.querysets import HandedOverQuerySet


class AssignmentQuerySet(HandedOverQuerySet):
    issuer_path = "task__organisation"
    receiver_path = "organisation"

    def open(self):
        return self.filter(status="assigned")


class AssignmentBoundQuerySet(HandedOverQuerySet):
    """Rows with an `assignment` (its milestones, reports, timeline events)."""

    issuer_path = "assignment__task__organisation"
    receiver_path = "assignment__organisation"


class ExtensionQuerySet(HandedOverQuerySet):
    issuer_path = "assignment_milestone__assignment__task__organisation"
    receiver_path = "assignment_milestone__assignment__organisation"
