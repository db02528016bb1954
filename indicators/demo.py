"""Demo figures: the shipped indicators, Zhejiang's targets, and county figures for 2019–2021."""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.conf import settings

from orgtree.models import Organisation, OrgType

from .models import Indicator, Source, Value
from .services import entry_for, load_indicators, values_save

SPEC = Path(settings.BASE_DIR) / "fixtures" / "indicators" / "indicators.json"
# Left unreported for the latest year, so the demo shows missing reports (and 西湖区 can fill its own in).
UNREPORTED_2021 = {"330106", "330110"}


def load_demo_figures() -> dict:
    province = Organisation.objects.filter(code="330000").first()
    counts = load_indicators(json.loads(SPEC.read_text(encoding="utf-8")), targets_for=province)
    if province is None or Value.objects.exists():
        return counts
    counties = list(province.get_descendants().filter(org_type=OrgType.COUNTY).order_by("code"))
    xueshe = Indicator.objects.get(code="xueshe")
    tuanqing = Indicator.objects.get(code="tuanqing")
    homes = Indicator.objects.get(code="youth_home")
    entries = []
    for county in counties:
        rng = random.Random(county.code)
        graduates = rng.randint(800, 6000)
        youth = rng.randint(60_000, 400_000)
        for year, base in ((2019, 0.48), (2020, 0.6), (2021, 0.8)):
            if year == 2021 and county.code in UNREPORTED_2021:
                continue
            rate = min(base + rng.uniform(-0.12, 0.12), 1)
            entries.append(
                entry_for(xueshe, county, str(year), numerator=int(graduates * rate), denominator=graduates)
            )
            share = 0.3 - (year - 2019) * 0.025 + rng.uniform(-0.04, 0.04)
            entries.append(
                entry_for(tuanqing, county, str(year), numerator=int(youth * share), denominator=youth)
            )
            entries.append(entry_for(homes, county, str(year), value=rng.randint(1, 12) + (year - 2019) * 2))
    counts["values"] = values_save(entries=entries, source=Source.IMPORT, late=False)["new"]
    return counts
