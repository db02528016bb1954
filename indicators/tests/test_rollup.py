"""Rollup: ratio of sums over the reporting level, completeness states, periods, and the one-statement read."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from indicators.models import Aggregation, Indicator
from indicators.rollup import rollup, series
from orgtree.models import Organisation, OrgType
from orgtree.services import organisation_create, organisation_dissolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(shipped, counties, report):
    """The hand-computed example: 西湖 30/60, 拱墅 0/40 (a reported zero), 余杭 missing; 海曙 45/50, 江北 missing."""
    report(shipped.xueshe, counties.xh, "2019", numerator=30, denominator=60)
    report(shipped.xueshe, counties.gs, "2019", numerator=0, denominator=40, late=True)
    report(shipped.xueshe, counties.hs, "2019", numerator=45, denominator=50)
    return shipped.xueshe


def by_name(children):
    return {f.name: f for f in children}


def test_ratio_of_sums_with_missing_reports(figures, tree):
    own, children = rollup(figures, tree.zj, "2019")
    # 75 / 150, not the average of the cities' rates (30% and 90% → 60%) nor of the counties' (40%).
    assert (own.numerator, own.denominator, own.value) == (Decimal(75), Decimal(150), Decimal("50.0"))
    assert (own.expected, own.reported, own.late, own.missing) == (5, 3, 1, 2)
    cities = by_name(children)
    assert set(cities) == {"共青团杭州市委", "共青团宁波市委"}
    hz, nb = cities["共青团杭州市委"], cities["共青团宁波市委"]
    assert (hz.numerator, hz.denominator, hz.value, hz.expected, hz.reported) == (
        30,
        100,
        Decimal("30.0"),
        3,
        2,
    )
    assert (nb.numerator, nb.denominator, nb.value, nb.expected, nb.reported) == (
        45,
        50,
        Decimal("90.0"),
        2,
        1,
    )


def test_three_states_are_kept_apart(figures, tree, counties):
    _, children = rollup(figures, tree.hz, "2019")
    rows = by_name(children)
    assert rows["共青团杭州市西湖区委"].value == Decimal("50.0")
    zero = rows["共青团杭州市拱墅区委"]
    assert (zero.value, zero.reported, zero.late) == (Decimal("0.0"), 1, 1)  # reported zero, late
    missing = rows["共青团杭州市余杭区委"]
    assert (missing.value, missing.reported, missing.expected, missing.numerator) == (None, 0, 1, None)
    assert missing.attainment is None


def test_a_reporting_level_organisation_is_its_own_figure(figures, counties):
    own, children = rollup(figures, counties.xh, "2019")
    assert (own.value, own.expected, own.reported) == (Decimal("50.0"), 1, 1)
    assert children == []  # streets below a county do not report this indicator


def test_other_levels_never_enter_the_sums(figures, tree, report):
    # A city-level indicator reported by a city does not leak into a county-level one, and vice versa.
    report(figures, tree.xh, "2020", numerator=10, denominator=10)
    own, _ = rollup(figures, tree.hz, "2020")
    assert (own.numerator, own.denominator) == (10, 10)


def test_dissolving_later_does_not_rewrite_past_rates(figures, tree, counties):
    before, _ = rollup(figures, tree.hz, "2019")
    organisation_dissolve(org=counties.yh, reason="撤并")
    after, _ = rollup(figures, tree.hz, "2019")
    assert (after.expected, after.reported, after.value) == (before.expected, before.reported, before.value)
    # From the next period on, the dissolved county is no longer expected.
    Organisation.objects.filter(pk=counties.yh.pk).update(
        dissolved_at=timezone.make_aware(datetime(2020, 3, 1))
    )
    assert rollup(figures, tree.hz, "2021")[0].expected == 2
    assert rollup(figures, tree.hz, "2020")[0].expected == 3  # still there at the start of 2020


def test_organisations_set_up_later_are_not_expected_earlier(figures, tree):
    organisation_create(
        parent=tree.hz, name="共青团杭州市新区委", org_type=OrgType.COUNTY, established_on=date(2020, 6, 1)
    )
    assert rollup(figures, tree.hz, "2019")[0].expected == 3
    assert rollup(figures, tree.hz, "2020")[0].expected == 3  # not there on 1 January 2020
    assert rollup(figures, tree.hz, "2021")[0].expected == 4


def test_year_of_a_monthly_indicator_takes_each_reporters_last_month(shipped, counties, tree, report):
    volunteer = shipped.volunteer
    report(volunteer, counties.xh, "2019-03", numerator=10, denominator=100)
    report(volunteer, counties.xh, "2019-06", numerator=50, denominator=100)
    report(volunteer, counties.gs, "2019-02", numerator=20, denominator=100)
    month, _ = rollup(volunteer, tree.hz, "2019-06")
    assert (month.numerator, month.denominator, month.reported) == (50, 100, 1)
    year, _ = rollup(volunteer, tree.hz, "2019")
    assert (year.numerator, year.denominator, year.reported) == (70, 200, 2)
    with pytest.raises(Exception, match="按每月报送"):
        rollup(volunteer, tree.hz, "2019Q2")


def test_sum_and_latest_aggregations(shipped, counties, tree, report):
    homes = shipped.youth_home
    report(homes, counties.xh, "2019", value=3)
    report(homes, counties.gs, "2019", value=0)
    report(homes, counties.hs, "2019", value=7)
    own, children = rollup(homes, tree.zj, "2019")
    assert (own.value, own.reported, own.expected) == (Decimal(10), 3, 5)
    assert by_name(children)["共青团杭州市委"].value == Decimal(3)
    Indicator.objects.filter(pk=homes.pk).update(aggregation=Aggregation.LATEST)
    homes.refresh_from_db()
    from indicators.models import Value

    Value.objects.filter(organisation=counties.xh).update(
        reported_at=timezone.now() + timezone.timedelta(hours=1)
    )
    own, children = rollup(homes, tree.zj, "2019")
    assert own.value == Decimal(3)  # the most recently reported figure of the subtree
    assert by_name(children)["共青团宁波市委"].value == Decimal(7)


def test_national_root_rolls_up_every_province(figures, tree, report):
    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL)
    nanjing_county = organisation_create(parent=tree.nj, name="共青团南京市玄武区委", org_type=OrgType.COUNTY)
    report(figures, nanjing_county, "2019", numerator=25, denominator=50)
    own, children = rollup(figures, central, "2019")
    assert (own.numerator, own.denominator, own.expected, own.reported) == (100, 200, 6, 4)
    provinces = by_name(children)
    assert set(provinces) == {"共青团浙江省委", "共青团江苏省委"}
    assert provinces["共青团江苏省委"].value == Decimal("50.0")


def test_series_per_year_with_targets(figures, tree, report, counties):
    from indicators.services import target_set

    report(figures, counties.xh, "2020", numerator=40, denominator=60)
    target_set(
        indicator=figures, organisation=tree.zj, year=2019, applies_to="subtree", comparison="gte", value=50
    )
    target_set(
        indicator=figures, organisation=tree.zj, year=2020, applies_to="subtree", comparison="gte", value=60
    )
    years = series(figures, tree.hz, [2019, 2020, 2021])
    assert [f.value for f in years] == [Decimal("30.0"), Decimal("66.7"), None]
    assert [f.target.value if f.target else None for f in years] == [50, 60, None]
    assert [f.attainment for f in years] == ["missed", "met", None]
    assert [f.expected for f in years] == [3, 3, 3]


def test_one_statement_whatever_the_number_of_children(figures, tree, django_assert_num_queries):
    for n in range(12):
        organisation_create(parent=tree.hz, name=f"测试区委{n}", org_type=OrgType.COUNTY)
    with django_assert_num_queries(2):  # the rollup, and the targets of the year
        _, children = rollup(figures, tree.hz, "2019")
    assert len(children) == 15
    with django_assert_num_queries(3):  # the organisation's bounds, the figures per year, the targets
        series(figures, tree.hz, [2018, 2019, 2020, 2021])


def test_indicator_rollup_command_json(figures, tree, capsys):
    from indicators.services import target_set

    target_set(
        indicator=figures, organisation=tree.zj, year=2019, applies_to="subtree", comparison="gte", value=50
    )
    call_command("indicator_rollup", "--indicator", "学社衔接率", "--org", "33", "--period", "2019", "--json")
    import json

    data = json.loads(capsys.readouterr().out)
    assert {"indicator", "period", "org", "numerator", "denominator", "value", "expected", "reported", "target",
            "attainment", "children"} <= data.keys()  # fmt: skip
    assert (data["indicator"], data["period"], data["org"]) == ("xueshe", "2019", "330000")
    assert (data["numerator"], data["denominator"], data["value"], data["attainment"]) == (75, 150, 50, "met")
    assert data["target"]["value"] == 50 and data["target"]["comparison"] == "gte"
    hz = next(c for c in data["children"] if c["org"] == "330100")
    assert (hz["value"], hz["expected"], hz["reported"], hz["attainment"]) == (30, 3, 2, "missed")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--indicator", "没有的指标", "--org", "33", "--period", "2019"], "找不到指标"),
        (["--indicator", "xueshe", "--org", "99", "--period", "2019"], "找不到组织"),
        (["--indicator", "xueshe", "--org", "33", "--period", "2019-13"], "格式有误"),
        (["--indicator", "xueshe", "--org", "33", "--period", "2019-06"], "按每年报送"),
    ],
)
def test_indicator_rollup_command_rejects_bad_arguments(figures, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("indicator_rollup", *args)


@pytest.mark.parametrize("seed", range(4))
def test_rollup_matches_a_plain_python_sum_on_random_figures(shipped, tree, counties, seed):
    """Random figures (missing, zero, late) under both cities: every node equals the sums computed by hand."""
    import random

    from indicators.figures import entry_for
    from indicators.services import values_save

    rng = random.Random(seed)
    units = [counties.xh, counties.gs, counties.yh, counties.hs, counties.jb]
    for n in range(rng.randint(0, 6)):
        parent = rng.choice([tree.hz, tree.nb])
        units.append(organisation_create(parent=parent, name=f"随机区委{seed}-{n}", org_type=OrgType.COUNTY))
    reported = {}
    for unit in units:
        if rng.random() < 0.3:
            continue  # not reported
        den = rng.randint(1, 500)
        num = 0 if rng.random() < 0.2 else rng.randint(0, den)
        values_save(entries=[entry_for(shipped.xueshe, unit, "2019", numerator=num, denominator=den)],
                    late=rng.random() < 0.3)  # fmt: skip
        reported[unit.pk] = (num, den)
    for node in (tree.zj, tree.hz, tree.nb):
        node.refresh_from_db()
        own, children = rollup(shipped.xueshe, node, "2019")
        for figure in [own, *children]:
            if figure.org_id == tree.zj.pk:
                inside = units
            else:  # a city holds the counties under it; a county is its own unit
                inside = [u for u in units if figure.org_id in (u.parent_id, u.pk)]
            got = [reported[u.pk] for u in inside if u.pk in reported]
            assert figure.expected == len(inside)
            assert figure.reported == len(got)
            if got:
                num, den = sum(g[0] for g in got), sum(g[1] for g in got)
                assert (figure.numerator, figure.denominator) == (num, den)
                assert figure.value == (Decimal(num) * 100 / Decimal(den)).quantize(
                    Decimal("0.1"), "ROUND_HALF_UP"
                )
            else:
                assert figure.value is None
