"""Importing a 任务分解表: the real Zhejiang table end to end, re-imports, layouts, and hostile files."""

import io
import json
import zipfile
from datetime import date
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from core import spreadsheets
from orgtree.models import Department, OrgType
from orgtree.services import organisation_create
from plans.imports import PlanImportRejected, plan_import_commit, plan_import_preview
from plans.models import Milestone, Plan, Section, Task
from plans.schedule import DAY as Y
from plans.schedule import DEADLINE as D
from plans.schedule import PERIOD as P

pytestmark = pytest.mark.django_db

ZHEJIANG = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "zhejiang-2019.xlsx"

# Every milestone of the fifteen tasks, read off the table by hand: (start, due, kind), 2019.
EXPECTED = {
    "1": [("04-01", "04-30", P), ("05-01", "05-31", P), ("07-01", "08-31", P), ("10-01", "10-31", P), ("11-01", "12-31", P)],
    "2": [("03-01", "05-31", P), ("", "07-31", D), ("08-01", "10-31", P), ("", "11-30", D)],
    "3": [("", "04-30", D), ("04-01", "06-30", P), ("07-01", "07-31", P), ("08-01", "10-31", P), ("10-01", "10-31", P), ("11-01", "11-30", P)],
    "4": [("02-01", "03-31", P), ("", "05-31", D), ("", "09-30", D), ("", "11-30", D), ("11-01", "12-31", P)],
    "5": [("", "03-31", D), ("", "04-30", D), ("04-01", "11-30", P), ("05-01", "05-10", P), ("", "07-31", D), ("07-01", "09-30", P), ("11-01", "12-31", P), ("12-09", "12-09", Y)],
    "6": [("", "03-31", D), ("03-01", "04-30", P), ("", "06-30", D), ("06-01", "07-31", P), ("08-01", "08-31", P), ("10-01", "10-10", P), ("", "12-31", D)],
    "7": [("", "05-31", D), ("", "10-31", D), ("", "11-30", D)],
    "8": [("", "03-31", D), ("", "06-30", D), ("", "09-30", D), ("", "12-31", D)],
    "9": [("03-01", "03-31", P), ("", "03-31", D), ("04-01", "04-30", P), ("06-01", "06-30", P), ("07-01", "07-10", P), ("", "08-31", D), ("10-01", "10-31", P)],
    "10": [("", "01-31", D), ("02-01", "03-31", P), ("", "10-31", D)],
    "11": [("06-01", "06-30", P), ("10-11", "10-20", P), ("12-01", "12-31", P)],
    "12": [("03-01", "03-31", P), ("06-01", "06-30", P), ("09-01", "09-30", P)],
    "13": [("", "03-31", D), ("", "06-30", D), ("09-01", "10-31", P), ("", "12-31", D)],
    "14": [("", "06-30", D), ("", "08-31", D), ("09-01", "10-31", P), ("11-01", "11-30", P), ("", "12-31", D)],
    "15": [("", "04-30", D), ("07-01", "09-30", P), ("11-01", "12-31", P)],
}  # fmt: skip


def day(text):
    return date.fromisoformat(f"2019-{text}") if text else None


@pytest.fixture
def province(db):
    org = organisation_create(parent=None, name="共青团浙江省委", org_type=OrgType.PROVINCE, code="330000")
    for name in ("组织部", "宣传部", "学校部"):
        Department.objects.create(organisation=org, name=name)
    return org


def xlsx(rows, merges=(), formulas=False):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for merged in merges:
        sheet.merge_cells(merged)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def nothing_written():
    return not Plan.objects.exists() and not Task.objects.exists() and not Milestone.objects.exists()


class TestZhejiangTable:
    def test_end_to_end_milestone_by_milestone(self, province):
        preview = plan_import_preview(organisation=province, filename="z.xlsx", content=ZHEJIANG.read_bytes())
        assert preview["errors"] == []
        assert preview["doc_number"] == "团浙办〔2019〕13号"
        assert (preview["start_year"], preview["end_year"]) == (2019, 2019)
        assert sorted(preview["new_departments"]) == sorted(
            ["基层工作部", "少年部", "统战部", "省团校", "青少年社会参与和权益维护部"]
        )
        plan = plan_import_commit(organisation=province, preview=preview)
        tasks = {
            t.seq: t
            for t in plan.tasks.prefetch_related(
                "milestones", "lead_departments", "participating_departments"
            )
        }
        assert list(tasks) == [str(n) for n in range(1, 16)]
        for seq, expected in EXPECTED.items():
            got = [(m.start_date, m.due_date, m.kind) for m in tasks[seq].milestones.all()]
            assert got == [(day(s), day(d), k) for s, d, k in expected], seq
        assert tasks["8"].title == "“青春领航”青年社会组织骨干培养计划"
        assert [d.name for d in tasks["1"].lead_departments.all()] == ["组织部"]
        assert sorted(d.name for d in tasks["10"].participating_departments.all()) == ["基层工作部", "学校部"]
        assert [d.name for d in tasks["15"].lead_departments.all()] == ["青少年社会参与和权益维护部"]
        # Task 5 continues on a second row: its schedule holds both rows, once.
        assert tasks["5"].schedule_text.count("3月底前") == 1 and "12月9日前后" in tasks["5"].schedule_text
        assert tasks["5"].milestones.count() == 8

    def test_reimport_updates_instead_of_duplicating(self, province):
        content = ZHEJIANG.read_bytes()
        plan_import_commit(
            organisation=province,
            preview=plan_import_preview(organisation=province, filename="z.xlsx", content=content),
        )
        again = plan_import_preview(organisation=province, filename="z.xlsx", content=content)
        assert again["summary"] == {
            "tasks": 15,
            "new": 0,
            "update": 0,
            "unchanged": 15,
            "milestones": 70,
            "kept": 0,
        }
        book = openpyxl.load_workbook(io.BytesIO(content))
        book.active["D4"] = "5月底前：完成第一批计划对象销号工作"
        buffer = io.BytesIO()
        book.save(buffer)
        changed = plan_import_preview(organisation=province, filename="z.xlsx", content=buffer.getvalue())
        assert [t["seq"] for t in changed["tasks"] if t["change"] == "update"] == ["1"]
        plan_import_commit(organisation=province, preview=changed)
        assert Plan.objects.count() == 1 and Task.objects.count() == 15
        task = Task.objects.get(seq="1")
        assert [(m.due_date, m.kind) for m in task.milestones.all()] == [(date(2019, 5, 31), D)]


class TestLayouts:
    def test_sections_aliases_and_responsible_departments(self, province):
        content = xlsx(
            [
                ["共青团2020年巩固提升实施方案任务清单"],
                ["编号", "重点任务", "主要内容", "时间节点", "责任单位"],
                ["一、强基达标工程"],
                ["（一）推动学校团学改革"],
                [1, "学社衔接", "推动毕业生团员组织关系转接", "2020年底前", "组织部、学校部，基层 工作部"],
                ["", "", "续：建立台账", "每季度通报一次", ""],
                ["二、从严治团工程"],
                [2, "团员发展", "规范发展程序", "持续推进", "组织部"],
            ],
            merges=["A1:E1", "A3:E3", "A4:E4", "A7:E7"],
        )
        preview = plan_import_preview(organisation=province, filename="t.xlsx", content=content)
        assert preview["errors"] == []
        first, second = preview["tasks"]
        assert first["section"] == ["一、强基达标工程", "（一）推动学校团学改革"]
        assert second["section"] == ["二、从严治团工程"]
        assert first["lead_departments"] == ["组织部"]
        assert first["participating_departments"] == ["学校部", "基层工作部"]
        assert first["summary"] == "推动毕业生团员组织关系转接\n续：建立台账"
        assert [m["kind"] for m in first["milestones"]] == [D] + ["recurring"] * 4
        assert second["milestones"] == [{"raw": "持续推进", "start": None, "due": None, "kind": "ongoing"}]
        plan = plan_import_commit(organisation=province, preview=preview)
        heading = Section.objects.get(plan=plan, title="（一）推动学校团学改革")
        assert heading.parent.title == "一、强基达标工程"
        assert Task.objects.get(seq="1").section == heading

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
    def test_csv_in_every_encoding(self, province, encoding):
        text = "2019年工作要点\n序号,任务,进度安排,牵头部门,配合部门\n1,青年之家建设,3月：统计；6月：培训,组织部,宣传部\n"
        preview = plan_import_preview(organisation=province, filename="p.csv", content=text.encode(encoding))
        (task,) = preview["tasks"]
        assert task["title"] == "青年之家建设" and task["participating_departments"] == ["宣传部"]
        assert [m["due"] for m in task["milestones"]] == ["2019-03-31", "2019-06-30"]

    def test_formulas_are_kept_as_text_never_evaluated(self, province):
        content = xlsx(
            [["2019年"], ["序号", "项目名称", "进度安排"], [1, '=HYPERLINK("http://x","点我")', "=1+1"]]
        )
        (task,) = plan_import_preview(organisation=province, filename="f.xlsx", content=content)["tasks"]
        assert task["title"].startswith("=HYPERLINK") and task["schedule"] == "=1+1"

    def test_row_errors_are_listed_and_nothing_is_written(self, province):
        content = xlsx(
            [
                ["2019年"],
                ["序号", "项目名称", "进度安排", "牵头部门"],
                [1, "甲", "3月", "组织部"],
                [2, "", "4月", "组织部"],
            ]
        )
        preview = plan_import_preview(organisation=province, filename="e.xlsx", content=content)
        assert preview["errors"] == [{"row": 4, "message": "缺少项目名称"}]
        with pytest.raises(PlanImportRejected):
            plan_import_commit(organisation=province, preview=preview)
        assert nothing_written()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1 << 20)
            for _ in range(spreadsheets.MAX_UNCOMPRESSED_BYTES // len(chunk) + 2):
                member.write(chunk)
    return buffer.getvalue()


def hostile_files():
    good = ZHEJIANG.read_bytes()
    return [
        ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "不是电子表格文件"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "损坏"),
        ("cut.xlsx", good[: len(good) // 2], "损坏"),
        ("empty.xlsx", xlsx([]), "空"),
        ("zero.csv", b"", "文件是空的"),
        ("nul.csv", "序号,任务\n1,甲\x00".encode(), "不是文本格式"),
        ("notask.xlsx", xlsx([["序号", "备注"], [1, "甲"]]), "找不到表头"),
        (
            "dupe.xlsx",
            xlsx([["序号", "项目名称", "进度安排"], [1, "甲", "3月"], [1, "乙", "4月"]]),
            "序号“1”重复",
        ),
        ("header-only.xlsx", xlsx([["序号", "项目名称", "进度安排"]]), "没有任务"),
        (
            "no-schedule.xlsx",
            xlsx([["序号", "项目名称", "牵头部门"], [1, "甲", "组织部"]]),
            "没有“进度安排”列",
        ),
    ]


class TestHostileFiles:
    @pytest.mark.parametrize("filename,content,message", hostile_files(), ids=[f[0] for f in hostile_files()])
    def test_rejected_with_a_clear_message(self, province, filename, content, message):
        with pytest.raises(PlanImportRejected, match=message):
            plan_import_preview(organisation=province, filename=filename, content=content)
        assert nothing_written()

    def test_zip_bomb_is_refused_before_parsing(self, province):
        with pytest.raises(PlanImportRejected, match="压缩炸弹"):
            plan_import_preview(organisation=province, filename="bomb.xlsx", content=zip_bomb())

    def test_oversized_upload(self, province, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_UPLOAD_BYTES", 1000)
        with pytest.raises(PlanImportRejected, match="文件过大"):
            plan_import_preview(organisation=province, filename="z.xlsx", content=ZHEJIANG.read_bytes())

    def test_too_many_rows(self, province, monkeypatch):
        monkeypatch.setattr(spreadsheets, "MAX_ROWS", 5)
        with pytest.raises(PlanImportRejected, match="行数过多"):
            plan_import_preview(organisation=province, filename="z.xlsx", content=ZHEJIANG.read_bytes())


class TestCommand:
    def run(self, *args):
        out = StringIO()
        call_command("import_plan", *args, stdout=out)
        return out.getvalue()

    def test_dry_run_json_writes_nothing(self, province):
        payload = json.loads(self.run(str(ZHEJIANG), "--org", "33", "--dry-run", "--json"))
        assert nothing_written()
        task = payload["tasks"][0]
        assert set(task) >= {
            "seq",
            "title",
            "section",
            "summary",
            "lead_departments",
            "participating_departments",
            "milestones",
        }
        assert task["milestones"][0] == {
            "raw": "4月：完成第一批计划对象销号工作和排摸确定第三批计划对象",
            "start": "2019-04-01",
            "due": "2019-04-30",
            "kind": P,
        }
        assert payload["errors"] == [] and isinstance(payload["warnings"], list)

    def test_import_then_reimport(self, province):
        self.run(str(ZHEJIANG), "--org", "330000")
        self.run(str(ZHEJIANG), "--org", "330000")
        assert Plan.objects.count() == 1 and Task.objects.count() == 15 and Milestone.objects.count() == 70

    def test_rejected_file_exits_nonzero_and_writes_nothing(self, province, tmp_path):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"not a spreadsheet")
        with pytest.raises(CommandError, match="导入被拒绝，未写入任何内容"):
            self.run(str(bad), "--org", "33")
        with pytest.raises(CommandError, match="找不到组织"):
            self.run(str(ZHEJIANG), "--org", "99")
        assert nothing_written()
