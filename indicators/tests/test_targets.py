"""Targets: which one applies, stricter-only, direction and attainment."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Target
from indicators.rollup import attainment, rollup
from indicators.services import target_set

pytestmark = pytest.mark.django_db


def set_target(indicator, org, year=2019, applies_to="subtree", comparison="gte", value=50):
    return target_set(
        indicator=indicator,
        organisation=org,
        year=year,
        applies_to=applies_to,
        comparison=comparison,
        value=value,
    )


def test_organisation_specific_beats_level_wide(shipped, tree, counties, report):
    xueshe = shipped.xueshe
    report(xueshe, counties.xh, "2019", numerator=30, denominator=50)  # 60%
    set_target(xueshe, tree.zj, applies_to="county", value=50)
    set_target(xueshe, tree.hz, applies_to="county", value=55)  # the city is stricter for its counties
    set_target(xueshe, counties.xh, applies_to="self", value=65)  # and 西湖 stricter still for itself
    _, children = rollup(xueshe, tree.hz, "2019")
    rows = {f.name: f for f in children}
    xh = rows["共青团杭州市西湖区委"]
    assert (xh.target.value, xh.target.organisation_id, xh.attainment) == (65, counties.xh.pk, "near")
    assert rows["共青团杭州市拱墅区委"].target.value == 55
    _, nb_children = rollup(xueshe, tree.nb, "2019")
    assert {f.target.value for f in nb_children} == {50}  # 宁波's counties keep the province's target
    own, _ = rollup(xueshe, tree.hz, "2019")
    assert own.target is None  # targets for counties do not apply to the city itself


@pytest.mark.parametrize(
    "upper, lower, ok",
    [
        (("subtree", 50), ("self", 55), True),
        (("subtree", 50), ("self", 45), False),
        (("county", 50), ("subtree", 40), False),  # the county's subtree holds no county but itself
        (("self", 50), ("self", 40), True),  # a province's target for itself binds nobody below
    ],
)
def test_lower_levels_may_be_stricter_never_looser(shipped, tree, counties, upper, lower, ok):
    set_target(shipped.xueshe, tree.zj, applies_to=upper[0], value=upper[1])
    org = counties.xh if lower[0] != "subtree" else counties.xh
    if ok:
        set_target(shipped.xueshe, org, applies_to=lower[0], value=lower[1])
    else:
        with pytest.raises(ValidationError, match="不能比上级要求更宽松：共青团浙江省委"):
            set_target(shipped.xueshe, org, applies_to=lower[0], value=lower[1])
        assert Target.objects.filter(organisation=org).count() == 0


def test_lower_is_better_for_tuanqing(shipped, tree, counties):
    tuanqing = shipped.tuanqing
    set_target(tuanqing, tree.zj, comparison="approx", value=25)
    with pytest.raises(ValidationError, match="目标不能比上级要求更宽松"):
        set_target(tuanqing, tree.hz, comparison="approx", value=28)  # a higher 团青比 is looser
    set_target(tuanqing, tree.hz, comparison="lte", value=22)
    with pytest.raises(ValidationError, match="越低越好，目标应为“不高于”或“左右”"):
        set_target(tuanqing, tree.nb, comparison="gte", value=20)
    target = Target.objects.get(organisation=tree.zj)
    margin = tuanqing.near_margin  # 3 percentage points
    assert margin == 3
    assert attainment(tuanqing, Decimal("20.0"), target) == "met"  # lower than the goal is better
    assert attainment(tuanqing, Decimal("27.5"), target) == "met"  # "25%左右"
    assert attainment(tuanqing, Decimal("30.0"), target) == "near"
    assert attainment(tuanqing, Decimal("32.0"), target) == "missed"
    strict = Target.objects.get(organisation=tree.hz)
    assert attainment(tuanqing, Decimal("22.0"), strict) == "met"
    assert attainment(tuanqing, Decimal("24.5"), strict) == "near"
    assert attainment(tuanqing, Decimal("25.5"), strict) == "missed"


def test_higher_is_better_attainment(shipped, tree):
    target = set_target(shipped.xueshe, tree.zj, value=85)
    assert attainment(shipped.xueshe, Decimal("85.0"), target) == "met"
    assert attainment(shipped.xueshe, Decimal("80.0"), target) == "near"  # within the 5-point margin
    assert attainment(shipped.xueshe, Decimal("79.9"), target) == "missed"
    assert attainment(shipped.xueshe, None, target) is None


def test_a_looser_upper_target_set_later_does_not_loosen_a_stricter_one(shipped, tree, counties, report):
    report(shipped.xueshe, counties.xh, "2019", numerator=30, denominator=50)
    set_target(shipped.xueshe, counties.xh, applies_to="self", value=55)
    set_target(shipped.xueshe, tree.zj, value=70)  # the province tightens after the county
    own, _ = rollup(shipped.xueshe, counties.xh, "2019")
    assert own.target.value == 70  # the strictest applicable target wins


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"value": "abc"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": 120}, "value"),  # above the indicator's bound of 100%
        ({"year": 1999}, "year"),
        ({"applies_to": "<script>"}, "applies_to"),
        ({"comparison": "lte"}, "comparison"),
    ],
)
def test_bad_targets_are_refused(shipped, tree, changes, field):
    data = {"year": 2019, "applies_to": "subtree", "comparison": "gte", "value": 50, **changes}
    with pytest.raises(ValidationError) as info:
        target_set(indicator=shipped.xueshe, organisation=tree.zj, **data)
    assert field in info.value.message_dict
    assert not Target.objects.exists()
