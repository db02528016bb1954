"""Tables the importer was not built against: the plan's period from any title, columns it does not know,
a column per year, departments pasted from a PDF, blank titles."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgtree.models import Department, OrgType
from orgtree.services import organisation_create
from plans.importers import period_from_title, plan_title, split_departments
from plans.imports import PlanImportRejected, plan_import_commit, plan_import_preview
from plans.models import Plan

from .test_import import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(db):
    return organisation_create(parent=None, name="共青团浙江省委", org_type=OrgType.PROVINCE, code="330000")


@pytest.mark.parametrize(
    "lines,period",
    [
        (["关于印发《共青团基层组织建设分工方案（2019—2022）》的通知"], (2019, 2022)),
        (["共青团基层组织建设分工方案（2019-2022年）"], (2019, 2022)),
        (["2019至2022年青年发展规划任务分解"], (2019, 2022)),
        (["2019年—2021年专项行动分工"], (2019, 2021)),
        (["二〇二〇年工作要点任务分解"], (2020, 2020)),
        (["共青团巩固提升三年行动（2019年起）"], (2019, 2021)),
        (["浙江共青团组织力提升三年行动计划 2019 年工作任务分解"], (2019, 2019)),  # one year of a longer plan
        (["团浙办〔2019〕13号", "2020年工作要点"], (2020, 2020)),  # the 文号's year is not the plan's
        (["计划期：2019—2022年", "某方案"], (2019, 2022)),
        (["工作任务分解表"], None),
        (["（2019—2035）远景规划"], None),  # longer than any plan the app takes
    ],
)
def test_the_period_from_a_title(lines, period):
    assert period_from_title(lines) == period


@pytest.mark.parametrize(
    "lines,title",
    [
        (
            [
                "团于字〔2022〕3号",
                "共青团某县委2022年工作要点",
                "（2022年2月18日共青团某县委全委（扩大）会议通过）",
            ],
            "共青团某县委2022年工作要点",
        ),  # the bracketed note under a title is not the title
        (["关于印发《某方案（2019—2022）》的通知", "各市团委："], "某方案（2019—2022）"),
        (["附件2", "某某团委2021年任务清单"], "某某团委2021年任务清单"),
        (["计划期：2019—2022年"], ""),
    ],
)
def test_the_title_among_the_lines_above_a_table(lines, title):
    assert plan_title(lines) == title


@pytest.mark.parametrize(
    "cell,names",
    [
        ("组织部、学校部", ["组织部", "学校部"]),
        ("基层工作\n部、学\n校部", ["基层工作部", "学校部"]),  # broken by a PDF copy
        ("团省委组\n织部", ["团省委组织部"]),
        ("组织部\n宣传部\n学校部", ["组织部", "宣传部", "学校部"]),  # one a line
        ("试点县（市、区）团委", ["试点县（市、区）团委"]),
        ("各市团委，试点县（市、区）团委；省青联", ["各市团委", "试点县（市、区）团委", "省青联"]),
        ("组织部/宣传部", ["组织部", "宣传部"]),
        ("区人力资源和社会\n保障局", ["区人力资源和社会保障局"]),  # 社会 is not a name's end
        ("校学生会\n校研究生会", ["校学生会", "校研究生会"]),
        ("省青联\n省学联", ["省青联", "省学联"]),
        ("组织部、组织部", ["组织部"]),
        ("", []),
    ],
)
def test_departments_are_split_between_names_only(cell, names):
    assert split_departments(cell) == names


def multi_year_table():
    return xlsx(
        [
            ["共青团基层组织建设分工方案（2019—2022）"],
            ["序号", "重点任务", "具体措施", "进度安排", "牵头部门", "参与部门", "责任领导"],
            [1, "学校团建", "建立团教协作机制", "2019年，在全省开展试点，10月份完成验收；2020年起，逐年提高覆盖率",
             "学校部", "组织\n部", "张三"],
            [2, "农村团建", "村级团组织全覆盖", "2019年部署试点，次年全面推开；2022年底前：全面验收", "基层工作\n部",
             "试点县（市、区）团委", ""],
            [3, "队伍建设", "团干部轮训", "每年开展一次集中轮训", "组织部", "", "李四"],
        ]
    )  # fmt: skip


def test_a_multi_year_plan_whose_title_has_no_year_word(province):
    preview = plan_import_preview(organisation=province, filename="f.xlsx", content=multi_year_table())
    assert (preview["start_year"], preview["end_year"], preview["errors"]) == (2019, 2022, [])
    first, second, third = preview["tasks"]
    assert [(m["start"], m["due"], m["kind"]) for m in first["milestones"]] == [
        ("2019-10-01", "2019-10-31", "period"),
        *[(f"{y}-01-01", f"{y}-12-31", "recurring") for y in (2020, 2021, 2022)],
    ]
    assert [m["due"] for m in second["milestones"]] == ["2019-12-31", "2020-12-31", "2022-12-31"]
    assert [m["due"] for m in third["milestones"]] == [f"{y}-12-31" for y in (2019, 2020, 2021, 2022)]
    # 具体措施 is the tasks' content when no other column is; unknown columns are kept and named;
    # departments broken by line breaks are whole again
    assert (first["summary"], third["summary"]) == ("建立团教协作机制", "团干部轮训")
    assert preview["columns_kept"] == ["责任领导"]
    assert (first["extra"], second["extra"], third["extra"]) == (
        {"责任领导": "张三"},
        {},
        {"责任领导": "李四"},
    )
    assert any("责任领导 列已原样保留" in w for w in preview["warnings"])
    assert (first["participating_departments"], second["lead_departments"]) == (["组织部"], ["基层工作部"])
    assert second["participating_departments"] == ["试点县（市、区）团委"]
    assert sorted(preview["new_departments"]) == sorted(
        ["学校部", "组织部", "基层工作部", "试点县（市、区）团委"]
    )
    plan = plan_import_commit(organisation=province, preview=preview)
    assert plan.tasks.get(seq="1").extra == {"责任领导": "张三"}
    assert Department.objects.filter(organisation=province).count() == 4


def test_a_second_content_column_is_kept_beside_the_first(province):
    content = xlsx(
        [
            ["某方案（2019年）"],
            ["序号", "项目名称", "工作内容", "具体措施", "进度安排"],
            [1, "甲", "内容", "措施", "3月"],
        ]
    )
    task = plan_import_preview(organisation=province, filename="f.xlsx", content=content)["tasks"][0]
    assert (task["summary"], task["extra"]) == ("内容", {"具体措施": "措施"})


@pytest.mark.parametrize(
    "header",
    [
        ["序号", "工作事项", "工作措施", "时间节点", "牵头部门", "配合部门"],
        ["序号", "工作项目", "主要内容", "完成时限", "负责部门", "协同部门"],
        ["编号", "重点工作", "工作要求", "完成时间", "主责部门", "协作单位"],
        ["序号", "任务名称", "目标任务", "时间进度安排", "牵头处室", "参与单位"],
        ["序号", "工作任务", "具体安排", "时间", "牵头", "配合"],
    ],
)
def test_headers_in_other_words(province, header):
    content = xlsx(
        [["某团委2025年工作要点"], header, [1, "甲", "内容", "3月底前", "组织部", "宣传部、学校部"]]
    )
    preview = plan_import_preview(organisation=province, filename="f.xlsx", content=content)
    task = preview["tasks"][0]
    assert (task["title"], task["summary"], task["lead_departments"]) == ("甲", "内容", ["组织部"])
    assert sorted(task["participating_departments"]) == sorted(["宣传部", "学校部"])
    assert [m["due"] for m in task["milestones"]] == ["2025-03-31"] and preview["columns_kept"] == []


def test_a_title_line_is_not_taken_for_a_header(province):
    content = xlsx([["关于印发重点任务分工和时间节点安排的通知"] * 6, ["序号", "项目名称", "进度安排"], [1, "甲", "3月"]],
                   merges=["A1:F1"])  # fmt: skip
    with pytest.raises(PlanImportRejected, match="标题"):  # no year anywhere is fine; a header is found
        plan_import_commit(
            organisation=province,
            preview=plan_import_preview(organisation=province, filename="f.xlsx", content=content),
        )


def test_a_column_per_year_is_read_as_yearly_steps(province):
    content = xlsx(
        [
            ["共青团工作三年行动分工（2019—2021年）"],
            ["序号", "工作任务", "2019年", "2020年", "2021年", "牵头部门"],
            [1, "青年之家建设", "6月底前：完成选点", "全面推开", "年底前：全面验收", "组织部"],
            [2, "团干部培训", "/", "上半年：轮训一遍", "—", "组织部"],  # placeholders: nothing that year
        ]
    )  # fmt: skip
    preview = plan_import_preview(organisation=province, filename="y.xlsx", content=content)
    first, second = preview["tasks"]
    assert first["schedule"] == "2019年：6月底前：完成选点；2020年：全面推开；2021年：年底前：全面验收"
    assert [(m["start"], m["due"]) for m in first["milestones"]] == [
        (None, "2019-06-30"), ("2020-01-01", "2020-12-31"), (None, "2021-12-31"),
    ]  # fmt: skip
    assert [(m["start"], m["due"]) for m in second["milestones"]] == [("2020-01-01", "2020-06-30")]


def test_years_come_from_the_schedules_when_the_title_has_none_and_widen_the_period(province):
    content = xlsx(
        [
            ["工作任务分解表"],
            ["序号", "项目名称", "进度安排"],
            [1, "甲", "2020年：试点；2021年底前：推开"],
            [2, "乙", "2022年上半年：总结"],
        ]
    )
    preview = plan_import_preview(organisation=province, filename="n.xlsx", content=content)
    assert (preview["start_year"], preview["end_year"]) == (2020, 2022)
    assert any("标题中没有年度" in w for w in preview["warnings"])
    widened = xlsx(
        [
            ["2019年工作要点"],
            ["序号", "项目名称", "进度安排"],
            [1, "甲", "4月：启动；2020年春节前：走访"],
            [2, "乙", "10月底前"],
        ]
    )
    preview = plan_import_preview(organisation=province, filename="w.xlsx", content=widened)
    assert (preview["start_year"], preview["end_year"], preview["default_year"]) == (2019, 2020, 2019)
    assert any("计划期从 2019 年 扩展为 2019—2020 年" in w for w in preview["warnings"])
    # the bare months still mean the plan's own year, also when the plan is edited later
    assert [m["due"] for t in preview["tasks"] for m in t["milestones"]] == [
        "2019-04-30",
        "2020-01-25",
        "2019-10-31",
    ]
    plan = plan_import_commit(organisation=province, preview=preview)
    assert (plan.start_year, plan.end_year, plan.default_year) == (2019, 2020, 2019)
    from plans.services import task_update

    task = plan.tasks.get(seq="2")
    task_update(task=task, data={"seq": "2", "title": "乙", "schedule_text": "11月底前"})
    assert [m.due_date for m in task.milestones.all()] == [date(2019, 11, 30)]


def test_no_year_anywhere_asks_for_one(province):
    content = xlsx(
        [["工作任务分解表"], ["序号", "项目名称", "进度安排"], [1, "甲", "4月：启动；10月底前：验收"]]
    )
    preview = plan_import_preview(organisation=province, filename="q.xlsx", content=content)
    assert preview["needs_period"] and preview["start_year"] is None
    assert "无法确定计划年度" in preview["errors"][0]["message"]
    with pytest.raises(PlanImportRejected):
        plan_import_commit(organisation=province, preview=preview)
    assert not Plan.objects.exists()
    given = plan_import_preview(organisation=province, filename="q.xlsx", content=content, start_year=2021)
    assert given["errors"] == [] and [m["due"] for m in given["tasks"][0]["milestones"]] == [
        "2021-04-30",
        "2021-10-31",
    ]


def test_blank_titles_are_errors_or_said_out_loud(province):
    content = xlsx(
        [
            ["2019年工作要点"],
            ["序号", "项目名称", "进度安排", "牵头部门"],
            [1, "甲", "4月：启动", "组织部"],
            [2, "", "5月：推进", "组织部"],  # its own number and no title
            ["", "", "6月：总结", ""],  # neither: a continuation of 1, said so
        ]
    )
    preview = plan_import_preview(organisation=province, filename="b.xlsx", content=content)
    assert {"row": 4, "message": "缺少项目名称"} in preview["errors"]
    assert any(
        "第 5 行没有序号和项目名称，已作为上一项任务（序号 1）的续行" in w for w in preview["warnings"]
    )


def test_the_command_names_the_kept_columns_and_asks_for_a_year(province, tmp_path):
    path = tmp_path / "f.xlsx"
    path.write_bytes(multi_year_table())
    out = StringIO()
    call_command("import_plan", str(path), "--org", "33", "--dry-run", "--json", stdout=out)
    import json

    payload = json.loads(out.getvalue())
    assert payload["columns_kept"] == ["责任领导"] and (
        payload["start_year"],
        payload["end_year"],
    ) == (2019, 2022)
    assert set(payload["tasks"][0]["milestones"][0]) == {"raw", "start", "due", "kind"}
    undated = tmp_path / "u.xlsx"
    undated.write_bytes(xlsx([["任务分解"], ["序号", "项目名称", "进度安排"], [1, "甲", "4月：启动"]]))
    with pytest.raises(CommandError, match="无法确定计划年度"):
        call_command("import_plan", str(undated), "--org", "33", stdout=StringIO())
    call_command("import_plan", str(undated), "--org", "33", "--year", "2021", stdout=StringIO())
    assert Plan.objects.get().start_year == 2021


def test_a_responsible_column_beside_a_lead_column_is_the_participants(province):
    content = xlsx([["某团委2026年工作要点"], ["序号", "重点任务", "时间", "牵头单位", "责任单位", "责任主体"],
                    [1, "甲", "3月", "组织部", "宣传部、学校部", "张三"]])  # fmt: skip
    preview = plan_import_preview(organisation=province, filename="f.xlsx", content=content)
    task = preview["tasks"][0]
    assert (task["lead_departments"], sorted(task["participating_departments"])) == (
        ["组织部"],
        ["学校部", "宣传部"],
    )
    assert task["extra"] == {
        "责任主体": "张三"
    }  # nothing is dropped: a third column of units is kept as it is


def test_a_year_cell_that_names_its_own_year_is_read_as_written(province):
    content = xlsx([["某行动（2026—2028年）"], ["序号", "任务", "2026年", "2027年", "2028年"],
                    [1, "甲", "二〇二六年九月上线", "待定", "/"],
                    [2, "乙", "2026年起逐年扩大", "2026年起逐年扩大", "2026年起逐年扩大"]],
                   merges=["C4:E4"])  # fmt: skip
    first, second = plan_import_preview(organisation=province, filename="f.xlsx", content=content)["tasks"]
    assert [(m["due"], m["kind"]) for m in first["milestones"]] == [
        ("2026-09-30", "period"),
        (None, "review"),
    ]
    assert [m["due"] for m in second["milestones"]] == [
        "2026-12-31",
        "2027-12-31",
        "2028-12-31",
    ]  # merged: once
