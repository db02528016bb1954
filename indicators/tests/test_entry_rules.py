"""What the entry grid and the import tell a user: one answer for codes they may not fill in, whole numbers for
head counts and things counted, and the levels that report named once each."""

import pytest
from django.urls import reverse

from indicators.models import Value, ValueImport
from indicators.tests.test_import import long_xlsx, upload
from indicators.tests.test_views import grid_url, post_grid

pytestmark = pytest.mark.django_db


def import_errors(client, org, rows) -> list[str]:
    upload(client, org, "figures.xlsx", long_xlsx(rows))
    staged = ValueImport.objects.order_by("-pk").first()
    return [e["message"] for e in staged.preview["errors"]]


def test_unknown_and_out_of_scope_codes_get_one_answer(shipped, tree, counties, make_user, client):
    """A 杭州 admin learns nothing about 宁波's codes (330203 is 海曙, 999999 is nobody's)."""
    client.force_login(make_user(tree.hz, "admin"))
    foreign, unknown, by_id = import_errors(
        client,
        tree.hz,
        [
            ("330203", "xueshe", "2019", 30, 60),
            ("999999", "xueshe", "2019", 30, 60),
            (f"#{counties.hs.pk}", "xueshe", "2019", 30, 60),
        ],
    )
    assert foreign == "组织代码“330203”不存在或不在您的填报范围内"
    assert foreign.replace("330203", "999999") == unknown
    assert by_id == f"组织代码“#{counties.hs.pk}”不存在或不在您的填报范围内"
    assert not Value.objects.exists()


@pytest.mark.parametrize("typed", ["12.5", "０.５", "-0.5", "3.01"])
def test_a_count_takes_whole_numbers_in_the_grid(shipped, counties, make_user, client, typed):
    homes = shipped.youth_home
    client.force_login(make_user(counties.xh, "reporter"))
    response = post_grid(client, counties.xh, "2019", {(homes, counties.xh, "v"): typed})
    body = response.content.decode()
    assert response.status_code == 200 and "未保存任何数据" in body
    assert "“青年之家数量”以个计，请填写整数" in body or "不能为负数" in body
    assert not Value.objects.exists()


@pytest.mark.parametrize("typed, stored", [("12", 12), ("12.0", 12), ("1,200", 1200), ("０", 0)])
def test_whole_counts_are_saved(shipped, counties, make_user, client, typed, stored):
    homes = shipped.youth_home
    client.force_login(make_user(counties.xh, "reporter"))
    assert post_grid(client, counties.xh, "2019", {(homes, counties.xh, "v"): typed}).status_code == 302
    assert Value.objects.get(indicator=homes).value == stored


def test_head_counts_take_whole_numbers_in_the_import(shipped, tree, counties, make_user, client):
    from indicators.models import Indicator

    members = Indicator.objects.create(
        code="members",
        name="团员数",
        unit="people",
        aggregation="sum",
        frequency="year",
        reporting_level="county",
    )
    client.force_login(make_user(tree.hz, "admin"))
    errors = import_errors(
        client,
        tree.hz,
        [
            ("330106", "members", "2019", None, None, 12.5),
            ("330105", "youth_home", "2019", None, None, "2.5"),
        ],
    )
    assert errors == [
        "“团员数”以人计，请填写整数（12.5 不是整数）",
        "“青年之家数量”以个计，请填写整数（2.5 不是整数）",
    ]
    assert import_errors(client, tree.hz, [("330106", "members", "2019", None, None, 12)]) == []
    assert members.pk


def test_a_branch_sees_each_reporting_level_once(shipped, tree, make_user, client):
    """Nine county-level indicators a year: the empty state names 团县（市、区）委 once, not nine times."""
    client.force_login(make_user(tree.br, "reporter"))
    body = client.get(grid_url(tree.br)).content.decode()
    assert "宝石社区团支部下没有需要您填报的组织（报送层级：团县（市、区）委、团市委）" in body
    assert body.count("团县（市、区）委") == 1
    assert client.get(reverse("indicators:entry", args=[tree.xh.pk])).status_code == 404
