"""Excel: the template round trip, the long layout, the command, and bad files that must write nothing."""

import io
import json
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from indicators.models import Value, ValueImport

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def long_xlsx(rows, header=("组织代码", "指标", "期间", "分子", "分母", "数值")) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["指标数据"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, org, name, content):
    return client.post(
        reverse("indicators:import"),
        {"organisation": org.pk, "file": SimpleUploadedFile(name, content, content_type=XLSX)},
    )


def test_template_round_trip(shipped, tree, counties, make_user, client, report):
    report(shipped.xueshe, counties.xh, "2019", numerator=30, denominator=60)
    client.force_login(make_user(tree.hz, "admin"))
    response = client.get(reverse("indicators:template", args=[tree.hz.pk]) + "?period=2019")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header = [c.value for c in sheet[4]]
    assert header[:4] == ["组织代码", "组织名称", "学社衔接率（分子）", "学社衔接率（分母）"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5)}
    assert set(rows) == {"330105", "330106", "330110", "330100"}  # counties, and the city for city-level ones
    assert rows["330106"][2].value == 30 and rows["330106"][3].value == 60  # stored figures pre-filled
    rows["330105"][2].value, rows["330105"][3].value = 12, 40
    rows["330106"][2].value = 33  # a correction
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = upload(client, tree.hz, "杭州.xlsx", buffer.getvalue())
    staged = ValueImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "indicators:import_preview", args=[staged.pk]
    )
    preview = staged.preview
    assert (preview["layout"], preview["new"], preview["update"], preview["errors"]) == ("template", 1, 1, [])
    assert not Value.objects.filter(organisation=counties.gs).exists()  # nothing before confirming
    body = client.get(response.url).content.decode()
    assert "新增 1，修改 1" in body and "确认导入" in body
    client.post(reverse("indicators:import_confirm", args=[staged.pk]))
    assert Value.objects.get(organisation=counties.gs).numerator == 12
    assert Value.objects.get(organisation=counties.xh).numerator == 33
    response = client.post(reverse("indicators:import_confirm", args=[staged.pk]), follow=True)
    assert "已经导入过了" in response.content.decode()


def test_confirm_refuses_when_figures_changed_after_the_preview(
    shipped, tree, counties, make_user, client, report
):
    client.force_login(make_user(tree.hz, "admin"))
    upload(client, tree.hz, "a.xlsx", long_xlsx([("330106", "xueshe", "2019", 30, 60)]))
    staged = ValueImport.objects.get()
    report(shipped.xueshe, counties.xh, "2019", numerator=1, denominator=60)  # someone else, meanwhile
    response = client.post(reverse("indicators:import_confirm", args=[staged.pk]), follow=True)
    assert "预览之后数据已被修改" in response.content.decode()
    assert Value.objects.get().numerator == 1


BAD_ROWS = [
    ([("330106", "xueshe", "2019", 70, 60)], "分子（70）不能大于分母（60）"),
    ([("330106", "xueshe", "2019", 30, 0)], "分母必须大于 0"),
    ([("330106", "没有这个指标", "2019", 30, 60)], "指标“没有这个指标”不存在"),
    ([("999999", "xueshe", "2019", 30, 60)], "组织代码“999999”不存在"),
    ([("330203", "xueshe", "2019", 30, 60)], "不在您的填报范围内"),
    ([("330106", "xueshe", "2019-06", 30, 60)], "按每年报送"),
    ([("330106", "xueshe", "19年", 30, 60)], "格式有误"),
    ([("330106", "xueshe", "2099", 30, 60)], "尚未开始"),
    ([("330100", "xueshe", "2019", 30, 60)], "由团县（市、区）委报送"),
    ([("330106", "xueshe", "2019", "三十", 60)], "不是数字"),
    ([("330106", "xueshe", "2019", 30, 60), ("330106", "学社衔接率", "2019", 31, 60)], "重复"),
    ([("330106", "youth_home", "2019", None, None, -1)], "不能为负数"),
]


@pytest.mark.parametrize("rows, message", BAD_ROWS)
def test_bad_rows_reject_the_whole_file(shipped, tree, counties, make_user, client, rows, message):
    client.force_login(make_user(tree.hz, "admin"))
    good = ("330105", "xueshe", "2019", 10, 20)
    upload(client, tree.hz, "bad.xlsx", long_xlsx([good, *rows]))
    staged = ValueImport.objects.get()
    assert any(message in e["message"] for e in staged.preview["errors"]), staged.preview["errors"]
    body = client.get(reverse("indicators:import_preview", args=[staged.pk])).content.decode()
    assert "确认导入" not in body
    response = client.post(reverse("indicators:import_confirm", args=[staged.pk]), follow=True)
    assert "未导入任何数据" in response.content.decode()
    assert not Value.objects.exists()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/big.xml", b"0" * (210 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("a.xlsx", b"", "所提交的是空文件"),
        ("a.xlsx", b"not a spreadsheet at all", "不是电子表格文件"),
        ("a.xlsx", b"PK\x03\x04broken", "文件已损坏"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "损坏"),
        ("a.csv", "名称,数量\n甲,1\n".encode(), "找不到表头"),
        ("a.csv", "组织代码,名称\n330106,西湖\n".encode(), "没有指标列"),
        ("a.csv", "组织代码,学社衔接率（分子）,学社衔接率（分母）\n330106,1,2\n".encode(), "找不到填报期间"),
        ("a.csv", "组织代码,指标,期间\n330106,xueshe,2019\n".encode(), "长表缺少列"),
        ("a.csv", "组织代码,指标,期间,分子,分母\n".encode(), "没有数据行"),
        # Just above the file limit, under the request limit (bigger bodies get 413, core/tests/test_uploads.py).
        ("a.xlsx", b"0" * (10 * 1024 * 1024 + 1024), "文件过大"),
    ],
)
def test_bad_files_are_refused(shipped, tree, make_user, client, name, content, message):
    client.force_login(make_user(tree.hz, "admin"))
    response = upload(client, tree.hz, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ValueImport.objects.exists() and not Value.objects.exists()


def test_zip_bomb_is_refused(shipped, tree, make_user, client):
    client.force_login(make_user(tree.hz, "admin"))
    response = upload(client, tree.hz, "bomb.xlsx", _zip_bomb())
    assert "压缩炸弹" in response.content.decode()
    assert not ValueImport.objects.exists()


def test_csv_long_layout_in_gbk(shipped, tree, counties, make_user, client):
    client.force_login(make_user(tree.hz, "admin"))
    text = '组织代码,指标,期间,分子,分母,数值\n330106,学社衔接率,2019,"1,200","2,000",\n330105,青年之家数量,2019年,,,4\n'
    upload(client, tree.hz, "figures.csv", text.encode("gb18030"))
    staged = ValueImport.objects.get()
    assert staged.preview["errors"] == [] and staged.preview["new"] == 2
    client.post(reverse("indicators:import_confirm", args=[staged.pk]))
    assert Value.objects.get(organisation=counties.xh).numerator == 1200
    assert Value.objects.get(organisation=counties.gs).value == 4


def test_upload_scope(shipped, tree, counties, make_user, client):
    client.force_login(make_user(counties.xh, "viewer"))
    assert client.get(reverse("indicators:import")).status_code == 403
    client.force_login(make_user(counties.xh, "reporter"))
    response = upload(client, tree.nb, "a.xlsx", long_xlsx([("330106", "xueshe", "2019", 1, 2)]))
    assert response.status_code == 200 and "有效的选项" in response.content.decode()
    assert not ValueImport.objects.exists()


def test_command_long_layout(shipped, tree, counties, tmp_path, capsys):
    path = tmp_path / "figures.xlsx"
    path.write_bytes(
        long_xlsx([("330106", "xueshe", "2019", 30, 60), ("330203", "团青比", "2019", 100, 400)])
    )
    call_command("import_indicator_values", str(path), "--dry-run", "--json")
    preview = json.loads(capsys.readouterr().out)
    assert (preview["values"], preview["new"], preview["committed"], preview["errors"]) == (2, 2, False, [])
    assert {
        "file",
        "layout",
        "rows",
        "values",
        "new",
        "update",
        "unchanged",
        "errors",
        "warnings",
    } <= preview.keys()
    assert not Value.objects.exists()
    call_command("import_indicator_values", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["committed"] is True
    assert Value.objects.count() == 2
    assert all(Value.objects.values_list("is_late", flat=True))  # 2019 figures written today are late
    call_command("import_indicator_values", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["unchanged"] == 2


def test_command_rejects_with_exit_status_1_and_writes_nothing(shipped, tree, counties, tmp_path, capsys):
    path = tmp_path / "figures.xlsx"
    path.write_bytes(long_xlsx([("330106", "xueshe", "2019", 30, 60), ("330203", "xueshe", "2019", 70, 60)]))
    with pytest.raises(CommandError, match="未导入任何数据") as info:
        call_command("import_indicator_values", str(path), "--json")
    assert info.value.returncode == 1
    preview = json.loads(capsys.readouterr().out)
    assert preview["errors"][0]["row"] == 4 and preview["committed"] is False
    assert not Value.objects.exists()
    (tmp_path / "junk.xlsx").write_bytes(b"junk")
    with pytest.raises(CommandError, match="不是电子表格文件"):
        call_command("import_indicator_values", str(tmp_path / "junk.xlsx"))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_indicator_values", str(tmp_path / "missing.xlsx"))


def test_command_history_flag_loads_past_figures_as_on_time(shipped, counties, tmp_path, capsys):
    path = tmp_path / "history.xlsx"
    path.write_bytes(long_xlsx([("330106", "xueshe", "2019", 30, 60)]))
    call_command("import_indicator_values", str(path), "--history")
    assert "已写入" in capsys.readouterr().out
    assert Value.objects.get().is_late is False
