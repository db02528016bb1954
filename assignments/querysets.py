"""Scoped querysets of assignments and what hangs off them: the issuing side and the receiving side each
hold the actions orgtree's action table gives them (the receiver reports, the issuer reviews)."""

from orgtree.querysets import HandedOverQuerySet


class AssignmentQuerySet(HandedOverQuerySet):
    issuer_path = "issuer"
    receiver_path = "organisation"
    receiver_department_path = "department"

    def open(self):
        return self.filter(status="assigned")


class AssignmentBoundQuerySet(HandedOverQuerySet):
    """Rows with an `assignment` (its milestones, reports, timeline events)."""

    issuer_path = "assignment__issuer"
    receiver_path = "assignment__organisation"
    receiver_department_path = "assignment__department"


class ExtensionQuerySet(HandedOverQuerySet):
    issuer_path = "assignment_milestone__assignment__issuer"
    receiver_path = "assignment_milestone__assignment__organisation"
    receiver_department_path = "assignment_milestone__assignment__department"


class ContributorQuerySet(HandedOverQuerySet):
    """参与部门 rows: on the receiving side, a department's members act on their own department's rows
    (orgtree's by-department rule, read through the contributor's department)."""

    issuer_path = "assignment__issuer"
    receiver_path = "department__organisation"
    receiver_department_path = "department"
