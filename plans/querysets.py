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
