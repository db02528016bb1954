"""The board's indicator panel: the subtree's key indicators against their target, each saying how many of
the units that should report did ("已报 1/13，数据不全") wherever a rate is shown."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from indicators.models import Value
from indicators.rollup import rollup
from indicators.selectors import active_indicators

PANEL_SIZE = 8


def indicator_panel(org) -> list[dict]:
    """This year's figure of each key indicator for org (or, where nobody reported this year yet, the
    latest year anybody did — said so on the panel), with its target and completeness."""
    this_year = timezone.localdate().year
    indicators = list(active_indicators()[:PANEL_SIZE])
    latest = dict(
        Value.objects.filter(indicator__in=indicators, year__lte=this_year)
        .order_by().values_list("indicator").annotate(y=Max("year"))
    )  # fmt: skip
    panel = []
    for indicator in indicators:
        year = latest.get(indicator.pk) or this_year
        try:
            figure, _ = rollup(indicator, org, str(year))
        except ValidationError:
            continue
        panel.append({
            "indicator": indicator, "year": year, "figure": figure, "stale": year != this_year,
            "incomplete": figure.expected and figure.reported < figure.expected,
        })  # fmt: skip
    return panel
