"""Pages: a county enters figures, the city and province see the rollup; bad input writes nothing."""

import re

import pytest
from django.urls import reverse

from indicators.models import Target, Value, ValueHistory
from indicators.services import target_set

pytestmark = pytest.mark.django_db


def grid_url(org, period="2019"):
    return reverse("indicators:entry", args=[org.pk]) + f"?period={period}"


ROW = re.compile(r'name="f-(\d+)-org" value="(\d+)"')


def post_grid(client, org, period="2019", cells=None, **extra):
    """Submit the entry grid as the browser does: the page's rows (formset), with the given cells filled
    in ({(indicator, organisation, "n"|"d"|"v"): text}); cells of organisations not on the page are dropped."""
    page = client.get(grid_url(org, period))
    rows = (
        {int(pk): index for index, pk in ROW.findall(page.content.decode())}
        if page.status_code == 200
        else {}
    )
    data = {"period": period, "f-TOTAL_FORMS": str(len(rows)), "f-INITIAL_FORMS": str(len(rows)), **extra}
    data.update({f"f-{index}-org": str(pk) for pk, index in rows.items()})
    for (indicator, row, part), value in (cells or {}).items():
        if row.pk in rows:
            data[f"f-{rows[row.pk]}-{indicator.pk}_{part}"] = value
    return client.post(grid_url(org, period), data)


@pytest.fixture
def targets(shipped, tree):
    for year, value in ((2019, 50), (2020, 60), (2021, 85)):
        target_set(
            indicator=shipped.xueshe, organisation=tree.zj, year=year, applies_to="subtree",
            comparison="gte", value=value,
        )  # fmt: skip
    return shipped.xueshe


def test_county_enters_and_city_and_province_see_the_rolled_up_rate(
    targets, tree, counties, make_user, client, report
):
    xueshe = targets
    report(xueshe, counties.gs, "2019", numerator=20, denominator=40)
    report(xueshe, counties.hs, "2020", numerator=45, denominator=50)
    reporter = make_user(counties.xh, "reporter")
    client.force_login(reporter)
    page = client.get(grid_url(counties.xh))
    assert page.status_code == 200 and "共青团杭州市西湖区委" in page.content.decode()
    response = post_grid(
        client, counties.xh, "2019", {(xueshe, counties.xh, "n"): "30", (xueshe, counties.xh, "d"): "60"}
    )
    assert response.status_code == 302
    value = Value.objects.get(indicator=xueshe, organisation=counties.xh, period="2019")
    assert (value.numerator, value.denominator, float(value.value), value.reported_by) == (
        30,
        60,
        50.0,
        reporter,
    )
    assert ValueHistory.objects.filter(value=value).count() == 1
    post_grid(
        client, counties.xh, "2020", {(xueshe, counties.xh, "n"): "50", (xueshe, counties.xh, "d"): "60"}
    )

    city_viewer = make_user(tree.hz, "viewer")
    client.force_login(city_viewer)
    body = client.get(
        reverse("indicators:detail", args=[xueshe.pk, tree.hz.pk]) + "?period=2019"
    ).content.decode()
    assert "50.0%" in body and "50 / 100" in body  # (30 + 20) / (60 + 40), numbers behind the rate
    assert "不低于 50.0%" in body and "达标" in body
    assert "应报 3，已报 2" in body  # 余杭 has not reported

    province_viewer = make_user(tree.zj, "viewer")
    client.force_login(province_viewer)
    response = client.get(reverse("indicators:detail", args=[xueshe.pk, tree.zj.pk]) + "?period=2020")
    body = response.content.decode()
    # The yearly table shows each year's rollup against its own target: 2019 50/100 ≥ 50, 2020 95/110 ≥ 60.
    assert "50 / 100" in body and "95 / 110" in body and "86.4%" in body
    for target in ("不低于 50.0%", "不低于 60.0%", "不低于 85.0%"):
        assert target in body
    charts = response.context["charts"]
    assert charts["years"] == ["2019", "2020", "2021"]
    assert charts["values"] == [50.0, 86.4, None] and charts["targets"] == [50.0, 60.0, 85.0]
    assert charts["children"] == ["共青团宁波市委", "共青团杭州市委"]  # ranked, best first
    assert charts["child_target"] == 60.0  # the cities share the province's 2020 target


@pytest.mark.parametrize(
    "numerator, denominator, message",
    [
        ("30", "0", "分母必须大于 0"),
        ("70", "60", "分子（70）不能大于分母（60）"),
        ("abc", "60", "分子“abc”不是数字"),
        ("-1", "60", "分子不能为负数"),
        ("30", "", "分子和分母需同时填写"),
        ("<script>alert(1)</script>", "60", "不是数字"),
        ("1e400", "60", "不是数字"),
        ("30%", "60", "不是数字"),
    ],
)
def test_bad_figures_are_refused_and_nothing_is_written(
    shipped, counties, make_user, client, numerator, denominator, message
):
    xueshe, tuanqing = shipped.xueshe, shipped.tuanqing
    client.force_login(make_user(counties.xh, "reporter"))
    response = post_grid(
        client,
        counties.xh,
        "2019",
        {
            (xueshe, counties.xh, "n"): numerator,
            (xueshe, counties.xh, "d"): denominator,
            (tuanqing, counties.xh, "n"): "100",  # a valid cell in the same submission
            (tuanqing, counties.xh, "d"): "400",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body and "未保存任何数据" in body
    assert "<script>alert(1)</script>" not in body
    assert not Value.objects.exists()


def test_values_outside_the_bounds_and_future_periods(shipped, counties, make_user, client):
    homes = shipped.youth_home
    client.force_login(make_user(counties.xh, "reporter"))
    response = post_grid(client, counties.xh, "2019", {(homes, counties.xh, "v"): "200000"})
    assert "不能大于 100000个" in response.content.decode()
    response = post_grid(client, counties.xh, "2099", {(homes, counties.xh, "v"): "3"})
    assert "尚未开始" in response.content.decode()
    assert not Value.objects.exists()


def test_a_stored_figure_cannot_be_cleared_but_can_be_corrected(shipped, counties, make_user, client, report):
    xueshe = shipped.xueshe
    report(xueshe, counties.xh, "2019", numerator=30, denominator=60)
    client.force_login(make_user(counties.xh, "reporter"))
    response = post_grid(client, counties.xh, "2019")
    assert "已报送的数据不能清空" in response.content.decode()
    post_grid(
        client, counties.xh, "2019", {(xueshe, counties.xh, "n"): "31", (xueshe, counties.xh, "d"): "60"}
    )
    value = Value.objects.get()
    assert value.numerator == 31 and value.history.count() == 2


def test_city_admin_enters_for_its_counties_only(shipped, tree, counties, make_user, client):
    xueshe = shipped.xueshe
    client.force_login(make_user(tree.hz, "admin"))
    body = client.get(grid_url(tree.hz)).content.decode()
    for name in ("共青团杭州市西湖区委", "共青团杭州市拱墅区委", "共青团杭州市余杭区委"):
        assert name in body
    assert "宁波" not in body
    response = post_grid(
        client,
        tree.hz,
        "2019",
        {(xueshe, counties.gs, "n"): "10", (xueshe, counties.gs, "d"): "20",
         (xueshe, counties.hs, "n"): "10", (xueshe, counties.hs, "d"): "20"},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(Value.objects.values_list("organisation", flat=True)) == [counties.gs.pk]  # 海曙 ignored
    assert client.get(grid_url(tree.nb)).status_code == 404


@pytest.mark.parametrize("role, status", [("viewer", 403), ("reporter", 200), ("editor", 200)])
def test_who_may_enter_figures(shipped, counties, make_user, client, role, status):
    client.force_login(make_user(counties.xh, role))
    assert client.get(grid_url(counties.xh)).status_code == status


def test_a_county_reporter_cannot_enter_for_a_sibling(shipped, counties, make_user, client):
    xueshe = shipped.xueshe
    client.force_login(make_user(counties.xh, "reporter"))
    assert client.get(grid_url(counties.gs)).status_code == 404
    response = client.post(
        grid_url(counties.gs), {"f-TOTAL_FORMS": "1", "f-INITIAL_FORMS": "1", "f-0-org": str(counties.gs.pk),
                                f"f-0-{xueshe.pk}_n": "1", f"f-0-{xueshe.pk}_d": "2"}
    )  # fmt: skip
    assert response.status_code == 404 and not Value.objects.exists()


def test_a_tampered_grid_is_refused_and_writes_nothing(shipped, tree, counties, make_user, client):
    """A POST that renames a row's organisation, claims more rows than the page has, or lacks the
    formset's management data: refused in Chinese, nothing written."""
    xueshe = shipped.xueshe
    client.force_login(make_user(tree.hz, "admin"))
    url = grid_url(tree.hz)
    base = {"period": "2019", "f-TOTAL_FORMS": "1", "f-INITIAL_FORMS": "1"}
    swapped = client.post(
        url, {**base, "f-0-org": str(counties.hs.pk), f"f-0-{xueshe.pk}_n": "1", f"f-0-{xueshe.pk}_d": "2"}
    )
    assert swapped.status_code == 200 and "页面已过期" in swapped.content.decode()
    many = client.post(url, {**base, "f-TOTAL_FORMS": "5000", "f-0-org": "x"})
    assert many.status_code == 200 and "未保存任何数据" in many.content.decode()
    bare = client.post(url, {"period": "2019", f"f-0-{xueshe.pk}_n": "1"})
    assert bare.status_code == 200 and "未保存任何数据" in bare.content.decode()
    assert not Value.objects.exists()


def test_indicator_page_query_count_does_not_grow_with_children(
    shipped, tree, make_user, client, django_assert_max_num_queries, report
):
    from orgtree.models import OrgType
    from orgtree.services import organisation_create

    client.force_login(make_user(tree.zj, "viewer"))
    url = reverse("indicators:detail", args=[shipped.xueshe.pk, tree.hz.pk]) + "?period=2019"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(15):
        county = organisation_create(parent=tree.hz, name=f"测试区委{n}", org_type=OrgType.COUNTY)
        report(shipped.xueshe, county, "2019", numerator=n, denominator=20)
    with django_assert_max_num_queries(len(few)):
        body = client.get(url).content.decode()
    assert "测试区委14" in body


def test_targets_from_the_page(shipped, tree, counties, make_user, client):
    url = reverse("indicators:target_add", args=[shipped.xueshe.pk, tree.hz.pk])
    client.force_login(make_user(tree.hz, "viewer"))
    assert (
        client.post(
            url, {"year": 2019, "applies_to": "subtree", "comparison": "gte", "value": 50}
        ).status_code
        == 403
    )
    client.force_login(make_user(tree.hz, "editor"))
    client.post(
        url, {"year": 2019, "applies_to": "county", "comparison": "gte", "value": 60, "note": "市委要求"}
    )
    target = Target.objects.get()
    assert (target.organisation, target.applies_to, target.value) == (tree.hz, "county", 60)
    target_set(indicator=shipped.xueshe, organisation=tree.zj, year=2020, applies_to="subtree", comparison="gte",
               value=70)  # fmt: skip
    response = client.post(
        url, {"year": 2020, "applies_to": "self", "comparison": "gte", "value": 65}, follow=True
    )
    assert "不能比上级要求更宽松" in response.content.decode()
    assert Target.objects.count() == 2
    foreign = target_set(indicator=shipped.xueshe, organisation=tree.nb, year=2019, applies_to="self",
                         comparison="gte", value=90)  # fmt: skip
    assert client.post(reverse("indicators:target_delete", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("indicators:target_delete", args=[target.pk])).status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()


def test_empty_states(shipped, tree, make_user, client):
    client.force_login(make_user(tree.zj, "viewer"))
    body = client.get(
        reverse("indicators:detail", args=[shipped.xueshe.pk, tree.zj.pk]) + "?period=2019"
    ).content
    assert "未报送" in body.decode() and "本期没有下级数据" in body.decode()
    body = client.get(
        reverse("indicators:detail", args=[shipped.xueshe.pk, tree.zj.pk]) + "?period=20x9"
    ).content
    assert "格式有误" in body.decode()


def test_indicator_list_at_an_organisation_in_scope(shipped, tree, make_user, client):
    client.force_login(make_user(tree.hz, "viewer"))
    body = client.get(reverse("indicators:list") + f"?org={tree.xh.pk}").content.decode()
    assert reverse("indicators:detail", args=[shipped.xueshe.pk, tree.xh.pk]) in body
    assert client.get(reverse("indicators:list") + f"?org={tree.nb.pk}").status_code == 404
    body = client.get(reverse("indicators:list")).content.decode()
    assert reverse("indicators:detail", args=[shipped.xueshe.pk, tree.hz.pk]) in body
