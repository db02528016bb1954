"""PLAN arguments of the plan commands: an id or a 文号."""

from django.core.management.base import CommandError

from plans.models import Plan


def find_plan(reference: str) -> Plan:
    reference = (reference or "").strip()
    plans = Plan.objects.select_related("organisation")
    found = plans.filter(pk=int(reference)).first() if reference.isdigit() else None
    if found is None:
        matches = list(plans.filter(doc_number=reference)[:2])
        if len(matches) > 1:
            raise CommandError(f"文号“{reference}”对应多个计划，请改用计划 ID")
        found = matches[0] if matches else None
    if found is None:
        raise CommandError(f"找不到计划 {reference}（请填写计划 ID 或文号）")
    return found
