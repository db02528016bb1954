"""Demo data for `make run`: Zhejiang to county level, some townships and 团支部, one login per role and
level, the shipped indicators with Zhejiang's targets and county figures for 2019–2021. Idempotent."""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from indicators.definitions import load_indicators
from indicators.figures import entry_for
from indicators.models import Indicator, Source, Value
from indicators.services import values_save
from orgtree.importers import load_divisions
from orgtree.models import Department, Membership, Organisation, OrgType
from orgtree.services import organisation_create

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
INDICATORS = Path(settings.BASE_DIR) / "fixtures" / "indicators" / "indicators.json"
# Left unreported for the latest year, so the demo shows missing reports (and 西湖区 can fill its own in).
UNREPORTED_2021 = {"330106", "330110"}


def _find(ref: str) -> Organisation:
    """An organisation of the demo file: by division code, else by its (unique) name."""
    return Organisation.objects.by_ref(ref) if ref.isdigit() else Organisation.objects.get(name=ref)


@transaction.atomic
def load_demo_organisations(directory: Path = DEMO_DIR) -> list[dict]:
    """The demo tree, departments and accounts; returns the logins to print."""
    spec = json.loads((directory / "demo.json").read_text(encoding="utf-8"))
    load_divisions(directory / spec["divisions"])
    for code, names in spec["departments"].items():
        org = _find(code)
        for order, name in enumerate(names, start=1):
            Department.objects.get_or_create(organisation=org, name=name, defaults={"order": order})
    for item in spec["organisations"]:
        parent = _find(item["parent"])
        if not Organisation.objects.filter(parent=parent, name=item["name"]).exists():
            organisation_create(parent=parent, name=item["name"], org_type=item["org_type"])

    User = get_user_model()
    password = spec["password"]
    logins = []
    for item in spec["users"]:
        user, _ = User.objects.get_or_create(username=item["username"])
        user.first_name = item["name"]
        user.set_password(password)
        user.save()
        org = _find(item["org"])
        department = None
        if item.get("department"):
            department = Department.objects.get(organisation=org, name=item["department"])
        Membership.objects.update_or_create(
            user=user, organisation=org, role=item["role"], defaults={"department": department}
        )
        logins.append(
            {"username": user.username, "password": password, "org": org.name, "role": item["role"]}
        )
    su = spec["superuser"]
    admin, _ = User.objects.get_or_create(username=su["username"])
    admin.first_name = su["name"]
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    logins.append(
        {"username": admin.username, "password": password, "org": "全部（超级管理员）", "role": "superuser"}
    )
    return logins


def load_demo_figures() -> dict:
    """The shipped indicators, Zhejiang's suggested targets and county figures for 2019–2021."""
    province = Organisation.objects.by_code("330000").first()
    counts = load_indicators(json.loads(INDICATORS.read_text(encoding="utf-8")), targets_for=province)
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
