"""Publishing a plan down the tree, the receivers' copies of due dates, and the xlsx export round trip."""

import io
import json
from datetime import date
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from assignments.models import Assignment, AssignmentMilestone
from assignments.publishing import plan_publish, plan_publish_preview
from assignments.services import assignment_milestone_set_due, subtask_create
from plans.exporters import export_plan_xlsx
from plans.imports import plan_import_commit, plan_import_preview
from plans.models import Milestone, Plan, PlanChange, Task

pytestmark = pytest.mark.django_db

ZHEJIANG = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "zhejiang-2019.xlsx"


@pytest.fixture
def plan(tree):
    preview = plan_import_preview(organisation=tree.zj, filename="z.xlsx", content=ZHEJIANG.read_bytes())
    return plan_import_commit(organisation=tree.zj, preview=preview)


def test_publish_to_cities_and_counties(plan, tree, make_user):
    preview = plan_publish_preview(plan=plan, levels=["city", "county"])
    assert [(x["level"], x["organisations"]) for x in preview["levels"]] == [("city", 2), ("county", 2)]
    assert preview["assignments"] == 4 * 15 and preview["milestone_copies"] == 4 * 70
    result = plan_publish(plan=plan, levels=["city", "county"], user=make_user(tree.zj, "editor"))
    assert result == {
        "assignments_created": 60,
        "milestone_copies_created": 280,
        "assignment_milestones_created": 280,
        "routine_tasks": [],
    }
    receivers = set(Assignment.objects.values_list("organisation__name", flat=True))
    assert receivers == {"共青团杭州市委", "共青团宁波市委", "共青团杭州市西湖区委", "共青团宁波市海曙区委"}
    copy = AssignmentMilestone.objects.select_related("milestone").first()
    assert (copy.start_date, copy.due_date) == (copy.milestone.start_date, copy.milestone.due_date)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED
    assert PlanChange.objects.get(plan=plan).detail["assignments_created"] == 60
    # Publishing again adds nothing; adding a level adds only that level.
    assert plan_publish(plan=plan, levels=["city", "county"])["assignments_created"] == 0
    assert plan_publish(plan=plan, levels=["township"])["assignments_created"] == 15
    assert not Assignment.objects.filter(organisation__tree_id=tree.js.tree_id).exists()


def test_publish_within_one_city(plan, tree):
    result = plan_publish(plan=plan, levels=["county"], within=tree.hz)
    assert result["assignments_created"] == 15
    assert set(Assignment.objects.values_list("organisation__code", flat=True)) == {"330106"}


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"levels": ["galaxy"]}, "未知的下发层级"),
        ({"levels": []}, "未选择"),
        ({"levels": ["city"], "within_key": "js"}, "不在发文组织"),
    ],
)
def test_publish_refuses_bad_requests(plan, tree, kwargs, message):
    within = getattr(tree, kwargs.pop("within_key")) if "within_key" in kwargs else None
    with pytest.raises(ValidationError, match=message):
        plan_publish(plan=plan, within=within, **kwargs)
    assert not Assignment.objects.exists()


def test_publish_refuses_empty_and_archived_plans(tree):
    empty = Plan.objects.create(title="空计划", organisation=tree.zj, start_year=2019, end_year=2019)
    with pytest.raises(ValidationError, match="没有任务"):
        plan_publish(plan=empty, levels=["city"])
    empty.status = Plan.Status.ARCHIVED
    empty.save()
    with pytest.raises(ValidationError, match="已归档"):
        plan_publish(plan=empty, levels=["city"])


def test_receivers_see_their_own_assignments_issuers_see_all(plan, tree, make_user):
    plan_publish(plan=plan, levels=["city", "county"])
    hangzhou = make_user(tree.hz, "reporter")
    ningbo = make_user(tree.nb, "viewer")
    issuer = make_user(tree.zj, "viewer")
    assert set(Assignment.objects.for_user(hangzhou).values_list("organisation__name", flat=True)) == {
        "共青团杭州市委", "共青团杭州市西湖区委",
    }  # fmt: skip
    assert not Assignment.objects.for_user(ningbo).filter(organisation__in=[tree.hz, tree.xh]).exists()
    assert Assignment.objects.for_user(issuer).count() == 60
    assert AssignmentMilestone.objects.for_user(hangzhou).count() == 2 * 70


def test_receivers_may_tighten_never_loosen(plan, tree):
    plan_publish(plan=plan, levels=["city"])
    copy = AssignmentMilestone.objects.filter(milestone__due_date=date(2019, 4, 30)).first()
    with pytest.raises(ValidationError, match="不能晚于上级规定的 2019-04-30"):
        assignment_milestone_set_due(assignment_milestone=copy, due=date(2019, 5, 15))
    with pytest.raises(ValidationError, match="不能早于开始日期"):
        assignment_milestone_set_due(assignment_milestone=copy, due=date(2019, 3, 1))
    assignment_milestone_set_due(assignment_milestone=copy, due=date(2019, 4, 20))
    copy.refresh_from_db()
    assert copy.due_date == date(2019, 4, 20)
    assert copy.milestone.due_date == date(2019, 4, 30)  # the issuer's date is untouched


def test_export_imports_back_to_the_same_plan(plan, tree):
    content = export_plan_xlsx(plan)
    again = plan_import_preview(organisation=tree.zj, filename="e.xlsx", content=content)
    assert again["plan"]["id"] == plan.pk
    assert again["summary"]["unchanged"] == 15 and again["summary"]["new"] == 0 and again["errors"] == []
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "团浙办〔2019〕13号" and "A1:F1" in {
        str(r) for r in sheet.merged_cells.ranges
    }


def test_export_keeps_sections_and_writes_formula_like_text_as_text(tree):
    from orgtree.services import department_create
    from plans.models import Section

    plan = Plan.objects.create(title="2020年工作要点", organisation=tree.zj, start_year=2020, end_year=2020)
    heading = Section.objects.create(plan=plan, title="一、强基达标工程")
    sub = Section.objects.create(plan=plan, parent=heading, title="（一）推动学校团学改革")
    task = Task.objects.create(
        plan=plan,
        organisation=tree.zj,
        seq="1",
        title='=HYPERLINK("http://x")',
        section=sub,
        schedule_text="-3月：启动",
        order=1,
    )
    task.lead_departments.add(department_create(organisation=tree.zj, name="=1+1部"))
    content = export_plan_xlsx(plan)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}
    for text in ('=HYPERLINK("http://x")', "-3月：启动", "=1+1部"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text  # text, never a live formula
    assert not any(cell.data_type == "f" for cell in cells.values())
    back = plan_import_preview(organisation=tree.zj, filename="e.xlsx", content=content)
    (task,) = back["tasks"]
    assert task["title"] == '=HYPERLINK("http://x")' and task["section"] == [
        "一、强基达标工程",
        "（一）推动学校团学改革",
    ]
    assert task["lead_departments"] == ["=1+1部"] and task["change"] == "unchanged"


class TestCommands:
    def test_publish_plan_by_document_number(self, plan, tree):
        out = StringIO()
        call_command("publish_plan", "团浙办〔2019〕13号", "--levels", "city,county", "--json", stdout=out)
        payload = json.loads(out.getvalue())
        assert payload["assignments_created"] == 60 and payload["organisations"] == 4
        assert Assignment.objects.count() == 60

    def test_publish_plan_dry_run_and_errors(self, plan, tree):
        out = StringIO()
        call_command(
            "publish_plan", str(plan.pk), "--levels", "county", "--org", "330100", "--dry-run", stdout=out
        )
        assert "将创建 15 项交办" in out.getvalue() and not Assignment.objects.exists()
        with pytest.raises(CommandError, match="找不到计划"):
            call_command("publish_plan", "团浙办〔2099〕1号", "--levels", "city")
        with pytest.raises(CommandError, match="未知的下发层级"):
            call_command("publish_plan", str(plan.pk), "--levels", "city,moon")
        assert not Assignment.objects.exists()

    def test_export_plan(self, plan, tmp_path):
        target = tmp_path / "out.xlsx"
        call_command("export_plan", str(plan.pk), str(target), stdout=StringIO())
        assert openpyxl.load_workbook(target).active.max_row >= 15 + 3
        assert Milestone.objects.count() == 70


def test_a_national_plan_reaches_every_province(tree):
    from orgtree.models import OrgType
    from orgtree.services import organisation_create

    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL)
    plan = Plan.objects.create(title="全国计划", organisation=central, start_year=2019, end_year=2019)
    Task.objects.create(plan=plan, organisation=central, seq="1", title="学社衔接", order=1)
    result = plan_publish(plan=plan, levels=["city"], routine_undated=True)
    assert result["assignments_created"] == 3  # 杭州、宁波、南京
    assert result["routine_tasks"] == ["1"]  # no date: published as 常态化, as the command does
    assert plan_publish(plan=plan, levels=["county"], within=tree.nb)["assignments_created"] == 1


def test_a_receiver_breaks_an_assignment_down(plan, tree):
    plan_publish(plan=plan, levels=["city"])
    assignment = Assignment.objects.get(organisation=tree.hz, task__seq="1")
    own = Plan.objects.create(
        title="杭州2019年工作要点", organisation=tree.hz, start_year=2019, end_year=2019
    )
    sub = subtask_create(
        assignment=assignment,
        plan=own,
        data={"seq": "1.1", "title": "西湖区先行", "schedule_text": "6月底前：完成"},
    )
    assert sub.parent_assignment == assignment and sub.organisation_id == tree.hz.pk
    with pytest.raises(ValidationError, match="不能晚于上级交办的最后期限 2019-12-31"):
        subtask_create(
            assignment=assignment,
            plan=own,
            data={"seq": "1.2", "title": "拖后", "schedule_text": "2020年3月：完成"},
        )
    someone_else = Plan.objects.create(title="宁波计划", organisation=tree.nb, start_year=2019, end_year=2019)
    with pytest.raises(ValidationError, match="承办组织自己的计划"):
        subtask_create(assignment=assignment, plan=someone_else, data={"seq": "1", "title": "越权"})
    assert list(own.tasks.values_list("seq", flat=True)) == ["1.1"]
