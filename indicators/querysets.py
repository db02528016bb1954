"""Scoped querysets of the indicators app: organisation-bound rows read through for_user(user, action)."""

from django.db import models

from orgtree.querysets import OrgBoundQuerySet


class IndicatorQuerySet(models.QuerySet):
    """Definitions are shared by the whole League; only their figures are scoped."""

    def active(self):
        return self.filter(is_active=True)


class TargetQuerySet(OrgBoundQuerySet):
    org_path = "organisation"


class ValueQuerySet(OrgBoundQuerySet):
    org_path = "organisation"


class ValueHistoryQuerySet(OrgBoundQuerySet):
    org_path = "value__organisation"


class ValueImportQuerySet(OrgBoundQuerySet):
    org_path = "organisation"
