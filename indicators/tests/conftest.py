"""Indicator fixtures: the shipped definitions and a tree with several counties per city."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

SPEC = Path(settings.BASE_DIR) / "fixtures" / "indicators" / "indicators.json"


@pytest.fixture
def shipped(db):
    from indicators.definitions import load_indicators
    from indicators.models import Indicator

    load_indicators(json.loads(SPEC.read_text(encoding="utf-8")))
    return SimpleNamespace(**{i.code: i for i in Indicator.objects.all()})


@pytest.fixture
def counties(tree):
    """杭州: 西湖 (tree.xh), 拱墅, 余杭; 宁波: 海曙 (tree.hs), 江北."""
    from orgtree.models import OrgType
    from orgtree.services import organisation_create

    gs = organisation_create(
        parent=tree.hz, name="共青团杭州市拱墅区委", org_type=OrgType.COUNTY, code="330105"
    )
    yh = organisation_create(
        parent=tree.hz, name="共青团杭州市余杭区委", org_type=OrgType.COUNTY, code="330110"
    )
    jb = organisation_create(
        parent=tree.nb, name="共青团宁波市江北区委", org_type=OrgType.COUNTY, code="330205"
    )
    return SimpleNamespace(xh=tree.xh, gs=gs, yh=yh, hs=tree.hs, jb=jb)


@pytest.fixture
def report():
    """Write figures as the system would (on time unless told otherwise)."""
    from indicators.figures import entry_for
    from indicators.services import values_save

    def do(indicator, org, period, late=False, **figures):
        return values_save(entries=[entry_for(indicator, org, period, **figures)], late=late)

    return do
