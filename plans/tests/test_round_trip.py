"""Export, then import the file into another organisation: the same plan comes back — 文号, title, period
(a widened one-year plan and a school-year plan too), sections, tasks, departments, kept columns and every
milestone."""

import io
from pathlib import Path

import openpyxl
import pytest

from orgtree.models import OrgType
from orgtree.services import organisation_create
from plans.exporters import export_plan_xlsx
from plans.importers import period_line, read_period_line
from plans.imports import plan_import_commit, plan_import_preview
from plans.selectors import section_paths

from .test_import import xlsx

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plans"


@pytest.fixture
def two_provinces(db):
    make = organisation_create
    return (make(parent=None, name="共青团浙江省委", org_type=OrgType.PROVINCE, code="330000"),
            make(parent=None, name="共青团江苏省委", org_type=OrgType.PROVINCE, code="320000"))  # fmt: skip


def imported(org, name, content):
    preview = plan_import_preview(organisation=org, filename=name, content=content)
    assert preview["errors"] == [], preview["errors"]
    return plan_import_commit(organisation=org, preview=preview)


def snapshot(plan):
    paths = section_paths(plan)
    tasks = []
    for task in plan.tasks.order_by("order", "id").prefetch_related(
        "lead_departments", "participating_departments", "milestones"
    ):
        tasks.append((
            task.seq, task.title, task.summary, task.schedule_text, task.extra,
            [s.title for s in paths.get(task.section_id, [])],
            sorted(d.name for d in task.lead_departments.all()),
            sorted(d.name for d in task.participating_departments.all()),
            [(m.raw, m.start_date, m.due_date, m.kind) for m in task.milestones.order_by("order", "id")],
            (bool(task.recipients.get("internal")), task.recipients.get("levels")),
        ))  # fmt: skip
    return {"title": plan.title, "doc_number": plan.doc_number, "period": plan.period_label,
            "years": (plan.start_year, plan.end_year, plan.default_year, plan.school_year), "tasks": tasks}  # fmt: skip


SCHOOL_YEAR = xlsx(
    [
        ["某某学院团委2024—2025学年工作要点任务分解表"],
        ["序号", "重点任务", "进度安排", "责任部门", "协同部门", "备注"],
        [1, "新生团员教育", "9月至次年1月：开展入学教育；五四前完成评议", "组织部", "各学院（部、中心）团委", "新生"],
        [2, "一二九纪念活动", "一二九前后举办", "宣传部", "", ""],
        [3, "寒假返乡实践", "寒假期间", "实践部", "学生工作部（处）", "返乡"],
    ]
)  # fmt: skip
WIDENED = xlsx(
    [
        ["某某团委2019年工作要点任务分解"],
        ["序号", "项目名称", "进度安排", "牵头部门", "责任领导"],
        [1, "甲", "4月：启动；2020年6月底前：全面完成", "组织部", "张三"],
        [2, "乙", "10月底前", "宣传部", ""],
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    "name,content",
    [
        ("zhejiang-2019.xlsx", (FIXTURES / "zhejiang-2019.xlsx").read_bytes()),
        ("province-2019-2022.docx", (FIXTURES / "samples" / "province-2019-2022.docx").read_bytes()),
        ("city-2020.xls", (FIXTURES / "samples" / "city-2020.xls").read_bytes()),
        ("school.xlsx", SCHOOL_YEAR),
        ("widened.xlsx", WIDENED),
    ],
)
def test_importing_an_export_reproduces_the_plan(two_provinces, name, content):
    home, other = two_provinces
    original = imported(home, name, content)
    exported = export_plan_xlsx(original)
    again = imported(other, "export.xlsx", exported)
    assert again.pk != original.pk
    assert snapshot(again) == snapshot(original)


def test_the_export_names_the_period_and_keeps_the_extra_columns(two_provinces):
    plan = imported(two_provinces[0], "school.xlsx", SCHOOL_YEAR)
    assert (plan.start_year, plan.end_year, plan.school_year) == (2024, 2025, 2024)
    assert plan.period_label == "2024—2025 学年"
    sheet = openpyxl.load_workbook(io.BytesIO(export_plan_xlsx(plan))).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[1] == ["计划期：2024—2025学年"]
    assert rows[2] == ["序号", "项目名称", "总体计划", "相关工作进度安排", "牵头部门", "参与部门", "备注"]
    assert rows[3][-1] == "新生"


def test_a_school_year_plan_reads_bare_months_in_the_right_year(two_provinces):
    plan = imported(two_provinces[0], "school.xlsx", SCHOOL_YEAR)
    dues = {t.seq: [str(m.due_date) for m in t.milestones.order_by("order")] for t in plan.tasks.all()}
    assert dues == {"1": ["2025-01-31", "2025-05-04"], "2": ["2024-12-09"], "3": ["2025-02-28"]}


@pytest.mark.parametrize(
    "line,reading",
    [
        ("计划期：2019年", {"start_year": 2019, "end_year": 2019, "default_year": None, "school_year": None}),
        ("计划期：2019—2022年", {"start_year": 2019, "end_year": 2022, "default_year": None, "school_year": None}),
        ("计划期：2019—2020年（只写月份的时间按 2019 年）",
         {"start_year": 2019, "end_year": 2020, "default_year": 2019, "school_year": None}),
        ("计划期：2024—2025学年", {"start_year": 2024, "end_year": 2025, "default_year": None, "school_year": 2024}),
        ("计划期：2022—2019年", None),  # backwards
        ("计划期：2019—2020年（只写月份的时间按 2031 年）", None),  # outside the period
        ("计划期：明年", None),
    ],
)  # fmt: skip
def test_the_period_line_reads_back_what_it_wrote(line, reading):
    assert read_period_line([line]) == reading
    if reading is not None:
        assert period_line(**reading) == line


def test_a_period_set_by_hand_survives_the_round_trip(two_provinces):
    from plans.services import plan_update

    home, other = two_provinces
    plan = imported(home, "widened.xlsx", WIDENED)
    assert (plan.start_year, plan.end_year, plan.default_year) == (2019, 2020, 2019)
    plan_update(plan=plan, data={"title": "某某团委工作要点任务分解", "start_year": 2019, "end_year": 2021})
    plan.refresh_from_db()
    assert plan.default_year == 2019  # still within the new period: bare months keep their year
    again = imported(other, "export.xlsx", export_plan_xlsx(plan))
    assert snapshot(again) == snapshot(plan)
    assert (again.start_year, again.end_year, again.default_year) == (2019, 2021, 2019)
