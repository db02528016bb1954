"""load_divisions: naming, placeholders, idempotent re-runs, bad input writes nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from orgtree.divisions import DivisionLoadError, read_divisions, village_org_name
from orgtree.importers import load_divisions
from orgtree.integrity import check_orgtree
from orgtree.models import Organisation, OrgType, TreeChange
from orgtree.numbering import SPARE_SLOTS
from orgtree.services import organisation_create

SAMPLE = {
    "provinces.csv": "code,name\n11,北京市\n33,浙江省\n44,广东省\n",
    "cities.csv": "code,name,provinceCode\n1101,市辖区,11\n3301,杭州市,33\n3302,宁波市,33\n4419,东莞市,44\n",
    "areas.csv": (
        "code,name,cityCode,provinceCode\n110101,东城区,1101,11\n330106,西湖区,3301,33\n"
        "330127,淳安县,3301,33\n330182,建德市,3301,33\n330203,海曙区,3302,33\n441900,东莞市,4419,44\n"
    ),
    "streets.csv": (
        "code,name,areaCode,provinceCode,cityCode\n110101001,东华门街道,110101,11,1101\n"
        "330106002,北山街道,330106,33,3301\n330106109,三墩镇,330106,33,3301\n"
        "441900003,东城街道,441900,44,4419\n"
    ),
    "villages.csv": (
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        "110101001001,多福巷社区居委会,110101001,11,1101,110101\n"
        "330106002052,宝石社区,330106002,33,3301,330106\n"
        "330106109233,绕城村委会,330106109,33,3301,330106\n"
        "441900003001,东泰社区居民委员会,441900003,44,4419,441900\n"
    ),
}


def write_sample(directory: Path, overrides: dict | None = None, encoding: str = "utf-8") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in {**SAMPLE, **(overrides or {})}.items():
        (directory / name).write_bytes(text.encode(encoding))
    return directory


def names():
    return dict(Organisation.objects.values_list("code", "name"))


@pytest.mark.django_db
class TestLoadSample:
    def test_builds_one_tree_per_province_named_the_league_way(self, tmp_path):
        result = load_divisions(write_sample(tmp_path))
        n = names()
        assert n["330000"] == "共青团浙江省委"
        assert n["330100"] == "共青团杭州市委"
        assert n["330106"] == "共青团杭州市西湖区委"
        assert n["330127"] == "共青团淳安县委"
        assert n["330182"] == "共青团建德市委"
        assert n["330106002"] == "北山街道团工委"
        assert n["330106109"] == "三墩镇团委"
        assert n["330106109233"] == "绕城村团支部"
        assert n["110101"] == "共青团北京市东城区委"
        assert n["110101001001"] == "多福巷社区团支部"
        assert result.trees == 3
        roots = Organisation.objects.filter(parent__isnull=True)
        assert sorted(roots.values_list("code", flat=True)) == ["110000", "330000", "440000"]
        assert len(set(roots.values_list("tree_id", flat=True))) == 3
        assert check_orgtree().ok

    def test_skips_placeholder_levels(self, tmp_path):
        load_divisions(write_sample(tmp_path))
        # 北京 市辖区 is no organisation: 东城区 hangs directly under the 北京 root.
        dongcheng = Organisation.objects.get(code="110101")
        assert dongcheng.parent.code == "110000"
        assert not Organisation.objects.filter(name__contains="市辖区").exists()
        # 东莞 is listed as its own only county: one organisation, streets directly under the city.
        assert Organisation.objects.filter(name="共青团东莞市委").count() == 1
        assert Organisation.objects.get(code="441900003").parent.name == "共青团东莞市委"

    def test_types_and_levels(self, tmp_path):
        load_divisions(write_sample(tmp_path))
        types = dict(Organisation.objects.values_list("code", "org_type"))
        assert types["330000"] == OrgType.PROVINCE
        assert types["330100"] == OrgType.CITY
        assert types["330106"] == OrgType.COUNTY
        assert types["330106002"] == OrgType.STREET
        assert types["330106109"] == OrgType.TOWNSHIP
        assert types["330106002052"] == OrgType.BRANCH
        assert Organisation.objects.get(code="330106002052").level == 4

    def test_rerun_changes_nothing(self, tmp_path):
        directory = write_sample(tmp_path)
        load_divisions(directory)
        before = list(
            Organisation.objects.order_by("id").values_list("id", "lft", "rght", "tree_id", "parent_id")
        )
        result = load_divisions(directory)
        after = list(
            Organisation.objects.order_by("id").values_list("id", "lft", "rght", "tree_id", "parent_id")
        )
        assert result.created == 0 and result.moved == 0 and result.renumbered == 0
        assert before == after

    def test_rerun_adds_new_rows_and_keeps_hand_made_organisations(self, tmp_path):
        directory = write_sample(tmp_path)
        load_divisions(directory)
        xh = Organisation.objects.get(code="330106")
        school = organisation_create(parent=xh, name="西湖区示范中学团委", org_type=OrgType.SCHOOL)
        extra = SAMPLE["villages.csv"] + "330106002053,金祝社区,330106002,33,3301,330106\n"
        write_sample(directory, {"villages.csv": extra})
        result = load_divisions(directory)
        assert result.created == 1
        school.refresh_from_db()
        assert school.parent_id == xh.pk
        assert Organisation.objects.get(code="330106002053").parent.code == "330106002"
        assert check_orgtree().ok

    def test_province_and_depth_filters(self, tmp_path):
        load_divisions(write_sample(tmp_path), province="33", depth="county")
        codes = set(Organisation.objects.values_list("code", flat=True))
        assert codes == {"330000", "330100", "330200", "330106", "330127", "330182", "330203"}

    def test_records_the_load(self, tmp_path):
        load_divisions(write_sample(tmp_path))
        change = TreeChange.objects.get(action=TreeChange.Action.LOAD)
        assert change.detail["created"] == Organisation.objects.count()

    def test_command_json_output(self, tmp_path):
        out = StringIO()
        call_command("load_divisions", str(write_sample(tmp_path)), "--province", "33", "--json", stdout=out)
        payload = json.loads(out.getvalue())
        assert payload["created"] == Organisation.objects.count() > 0
        assert payload["seconds"] >= 0


def test_village_names():
    assert village_org_name("东庄村民委员会") == "东庄村团支部"
    assert village_org_name("阎村村委会") == "阎村团支部"
    assert village_org_name("新城村委会") == "新城村团支部"
    assert village_org_name("幸福居民委员会") == "幸福社区团支部"
    assert village_org_name("多福巷社区居委会") == "多福巷社区团支部"
    assert village_org_name("阿拉善嘎查委员会") == "阿拉善嘎查团支部"


@pytest.mark.django_db
class TestBadInput:
    """Every broken file answers with a clear message and writes nothing."""

    def assert_rejected(self, directory, match, **kwargs):
        before = list(Organisation.objects.values_list("id", "lft", "rght", "tree_id"))
        changes = TreeChange.objects.count()
        with pytest.raises(DivisionLoadError, match=match):
            load_divisions(directory, **kwargs)
        assert list(Organisation.objects.values_list("id", "lft", "rght", "tree_id")) == before
        assert TreeChange.objects.count() == changes

    def test_missing_column(self, tmp_path):
        directory = write_sample(tmp_path, {"areas.csv": "code,name,provinceCode\n330106,西湖区,33\n"})
        self.assert_rejected(directory, "areas.csv 缺少列：cityCode")

    def test_wrong_encoding(self, tmp_path):
        directory = write_sample(tmp_path, encoding="gbk")
        self.assert_rejected(directory, "不是 UTF-8 编码")

    def test_unknown_parent(self, tmp_path):
        bad = SAMPLE["streets.csv"] + "330999001,无名街道,330999,33,3309\n"
        self.assert_rejected(write_sample(tmp_path, {"streets.csv": bad}), "上级代码 330999 不存在")

    def test_cycle(self, tmp_path):
        # Two counties naming each other as parent: neither reaches a province.
        bad = SAMPLE["areas.csv"] + "330198,甲区,330199,33\n330199,乙区,330198,33\n"
        self.assert_rejected(write_sample(tmp_path, {"areas.csv": bad}), "成环")

    def test_duplicate_code(self, tmp_path):
        bad = SAMPLE["cities.csv"] + "3301,杭州市,33\n"
        self.assert_rejected(write_sample(tmp_path, {"cities.csv": bad}), "代码 330100 重复")

    def test_malformed_code_and_ragged_rows(self, tmp_path):
        bad = SAMPLE["cities.csv"] + "33A1,坏市,33\n"
        self.assert_rejected(write_sample(tmp_path, {"cities.csv": bad}), "应为 4 位数字")
        bad = SAMPLE["cities.csv"] + "3399,多列市,33,多余\n"
        self.assert_rejected(write_sample(tmp_path / "b", {"cities.csv": bad}), "第 6 行有 4 列")

    def test_missing_file_and_empty_file(self, tmp_path):
        directory = write_sample(tmp_path)
        (directory / "villages.csv").unlink()
        self.assert_rejected(directory, "找不到文件 villages.csv")
        (directory / "villages.csv").write_text("")
        self.assert_rejected(directory, "空文件")

    def test_binary_garbage(self, tmp_path):
        directory = write_sample(tmp_path)
        (directory / "provinces.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
        self.assert_rejected(directory, "UTF-8|CSV|缺少列")

    def test_failed_rerun_keeps_existing_tree(self, tmp_path):
        directory = write_sample(tmp_path)
        load_divisions(directory)
        count = Organisation.objects.count()
        bad = SAMPLE["streets.csv"] + "330999001,无名街道,330999,33,3309\n"
        self.assert_rejected(write_sample(directory, {"streets.csv": bad}), "不存在")
        assert Organisation.objects.count() == count

    def test_command_reports_error_in_chinese(self, tmp_path):
        directory = write_sample(tmp_path, {"areas.csv": "code,name\n330106,西湖区\n"})
        with pytest.raises(CommandError, match="导入失败，未写入任何数据.*缺少列"):
            call_command("load_divisions", str(directory))
        assert Organisation.objects.count() == 0

    def test_bad_arguments(self, tmp_path):
        with pytest.raises(DivisionLoadError, match="2 位省级代码"):
            read_divisions(write_sample(tmp_path), province="zj")
        with pytest.raises(DivisionLoadError, match="不存在"):
            read_divisions(tmp_path / "nowhere")


@pytest.mark.django_db
class TestRealZhejiang:
    def test_county_depth_is_1_11_90(self, shared_divisions):
        load_divisions(shared_divisions, province="33", depth="county")
        counts = dict(
            (t, Organisation.objects.filter(org_type=t).count())
            for t in (OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY)
        )
        assert counts == {OrgType.PROVINCE: 1, OrgType.CITY: 11, OrgType.COUNTY: 90}
        assert Organisation.objects.get(code="330106").name == "共青团杭州市西湖区委"

    def test_whole_province_to_villages(self, shared_divisions):
        result = load_divisions(shared_divisions, province="33")
        # 1 + 11 + 90 + 1,387 + 25,547 (README of the data set)
        assert result.created == 1 + 11 + 90 + 1387 + 25547
        report = check_orgtree()
        assert report.ok and report.trees == 1
        root = Organisation.objects.get(code="330000")
        # Two slots a node, plus the free slots every organisation above the 团支部 level keeps.
        assert root.rght == 2 * result.created + SPARE_SLOTS * (1 + 11 + 90 + 1387)
        assert load_divisions(shared_divisions, province="33").created == 0
