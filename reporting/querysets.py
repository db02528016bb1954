"""Scoped querysets of reports: the receiver's side reports, the issuer's side reviews (orgtree's table)."""

from orgtree.querysets import HandedOverQuerySet


class ReportQuerySet(HandedOverQuerySet):
    issuer_path = "assignment__task__organisation"
    receiver_path = "assignment__organisation"


class AttachmentQuerySet(HandedOverQuerySet):
    issuer_path = "report__assignment__task__organisation"
    receiver_path = "report__assignment__organisation"
