"""The shipped indicator definitions (fixtures/indicators/indicators.json), loaded or updated by code."""

from __future__ import annotations

from django.db import transaction

from orgtree.models import Organisation
from plans.models import Task

from .models import Indicator, Target
from .services import target_set

DEFINITION_FIELDS = (
    "name", "definition", "numerator_label", "denominator_label", "unit", "direction", "aggregation",
    "frequency", "reporting_level", "decimals", "min_value", "max_value", "is_share", "near_margin",
)  # fmt: skip


def load_indicators(spec: dict, *, targets_for: Organisation | None = None, user=None) -> dict:
    """Create or update the shipped indicators by code (idempotent); optionally set their suggested targets
    for the whole subtree of one organisation, and link the tasks whose titles name them."""
    counts = {"created": 0, "updated": 0, "targets": 0, "tasks": 0}
    with transaction.atomic():
        for order, item in enumerate(spec["indicators"], start=1):
            fields = {k: item[k] for k in DEFINITION_FIELDS if k in item}
            indicator, created = Indicator.objects.update_or_create(
                code=item["code"], defaults={**fields, "order": order}
            )
            counts["created" if created else "updated"] += 1
            for keyword in item.get("task_keywords", []):
                tasks = Task.objects.filter(title__contains=keyword)
                if targets_for is not None:
                    tasks = tasks.filter(organisation__tree_id=targets_for.tree_id)
                before = indicator.tasks.count()
                indicator.tasks.add(*tasks[:50])
                counts["tasks"] += indicator.tasks.count() - before
            if targets_for is None:
                continue
            for target in item.get("targets", []):
                if not Target.objects.filter(
                    indicator=indicator,
                    year=target["year"],
                    organisation=targets_for,
                    applies_to=Target.SUBTREE,
                ).exists():
                    target_set(
                        indicator=indicator, organisation=targets_for, year=target["year"],
                        applies_to=Target.SUBTREE, comparison=target["comparison"], value=target["value"],
                        note=spec.get("source", "")[:200], user=user,
                    )  # fmt: skip
                    counts["targets"] += 1
    return counts
