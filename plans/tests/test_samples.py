"""Tables written from three kinds of real plan documents (fixtures/plans/samples: a province's multi-year
分工方案, a city's 实施方案 task list, a county's 工作要点), each as .xlsx, .xls and .docx, against the due dates a
careful reader gives: every task, section and department; ≥ 95 % of the due dates (recall); no date the
reader would not give (precision 100 %)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from orgtree.models import OrgType
from orgtree.services import organisation_create
from plans.importers import recipient_level
from plans.imports import plan_import_commit, plan_import_preview

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "samples"
ANSWERS = json.loads((SAMPLES / "answers.json").read_text(encoding="utf-8"))
CASES = [(name, ext) for name in ANSWERS for ext in ("xlsx", "xls", "docx")]


@pytest.fixture
def province(db):
    return organisation_create(parent=None, name="共青团某省委", org_type=OrgType.PROVINCE, code="130000")


@pytest.mark.parametrize("name,ext", CASES, ids=[f"{n}.{e}" for n, e in CASES])
def test_a_real_kind_of_table_reads_as_a_careful_reader_reads_it(province, name, ext):
    key = ANSWERS[name]
    content = (SAMPLES / f"{name}.{ext}").read_bytes()
    preview = plan_import_preview(organisation=province, filename=f"{name}.{ext}", content=content)
    assert preview["errors"] == []
    assert (preview["title"], preview["doc_number"]) == (key["title"], key["doc_number"])
    assert [preview["start_year"], preview["end_year"]] == key["period"]
    tasks = {t["seq"]: t for t in preview["tasks"]}
    assert set(tasks) == set(key["tasks"])  # every task, none invented
    assert {t["section"][-1] for t in preview["tasks"]} == set(key["sections"])
    found = given = right = 0
    for seq, expected in key["tasks"].items():
        task = tasks[seq]
        assert task["title"] == expected["title"]
        # "各市团委" is not a department of the issuer: it names whom the task goes to (every 团市委 below).
        departments = [n for n in expected["departments"] if not recipient_level(n)]
        assert task["lead_departments"] + task["participating_departments"] == departments
        assert task["recipients"]["levels"] == [
            recipient_level(n) for n in expected["departments"] if recipient_level(n)
        ]
        got = Counter(m["due"] for m in task["milestones"] if m["due"])
        want = Counter(expected["due"])
        right += sum((got & want).values())
        found += sum(got.values())
        given += sum(want.values())
    assert right / given >= 0.95, f"recall {right}/{given}"
    assert right == found, f"{found - right} due dates the reader would not give"
    plan = plan_import_commit(organisation=province, preview=preview)
    assert plan.tasks.count() == len(key["tasks"])
