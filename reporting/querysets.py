"""Scoped querysets of reports: the receiver's side reports, the issuer's side reviews (orgtree's table)."""

from orgtree.querysets import HandedOverQuerySet


class ReportQuerySet(HandedOverQuerySet):
    issuer_path = "assignment__issuer"
    receiver_path = "assignment__organisation"
    receiver_department_path = "assignment__department"


class AttachmentQuerySet(HandedOverQuerySet):
    issuer_path = "report__assignment__issuer"
    receiver_path = "report__assignment__organisation"
    receiver_department_path = "report__assignment__department"


class ContributionQuerySet(HandedOverQuerySet):
    issuer_path = "assignment__issuer"
    receiver_path = "assignment__organisation"
    receiver_department_path = "assignment__department"
