"""The 督办清单's filters (django-filter): plan, department, 督办单 level, days overdue, organisation type."""

from datetime import timedelta

import django_filters
from django.utils import timezone

from assignments.models import Escalation
from orgtree.models import OrgType

LEVELS = [("none", "未督办"), *Escalation.choices]


class ItemFilter(django_filters.FilterSet):
    # Choices: the plans the user may narrow to (board.plan_choices); anything else is refused.
    plan = django_filters.ChoiceFilter(
        field_name="assignment__plan_id", label="计划", choices=[], empty_label="全部计划"
    )
    department = django_filters.CharFilter(
        field_name="assignment__department__name", lookup_expr="icontains", label="承办部门"
    )
    level = django_filters.ChoiceFilter(choices=LEVELS, method="by_level", label="督办单", empty_label="全部")
    min_days = django_filters.NumberFilter(method="by_days", label="逾期天数不少于", min_value=0)
    org_type = django_filters.ChoiceFilter(
        field_name="assignment__organisation__org_type", choices=OrgType.choices, label="组织层级",
        empty_label="全部层级",
    )  # fmt: skip

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["plan"].extra["choices"] = list(plans)

    def by_level(self, queryset, name, value):
        return queryset.filter(assignment__escalation="" if value == "none" else value)

    def by_days(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(due_date__lte=timezone.localdate() - timedelta(days=int(value)))
