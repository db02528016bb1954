"""Tables read by careful readers (fixtures/plans/readers): the importer finds every task, department,
section and title they found, and the due dates they gave — at least 95 % of them, and at least 95 % of its
own dates among theirs."""

import json
from collections import Counter
from pathlib import Path

import pytest

from plans.importers import read_plan_table
from plans.imports import plan_period
from plans.schedule import parse_schedule

READERS = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "readers"
FILES = sorted(
    path
    for key in READERS.glob("*/*.key.json")
    for path in key.parent.glob(key.name.removesuffix(".key.json") + ".*")
    if path.suffix in {".xlsx", ".xls", ".docx"}
)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_a_table_reads_as_its_readers_read_it(path):
    key = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".key.json").read_text(encoding="utf-8"))
    table = read_plan_table(path.name, path.read_bytes())
    period = plan_period(table, None, None)
    assert table.title == key["title"]
    assert table.doc_number == (key["doc_number"] or "")
    # A one-year plan whose schedules also name the next year is widened; it is still that year's plan.
    own = [period["default_year"]] * 2 if period["default_year"] else [period["first"], period["last"]]
    assert own == key["period"]
    assert [row.seq for row in table.tasks] == list(key["tasks"])
    right = found = given = 0
    for row in table.tasks:
        expected = key["tasks"][row.seq]
        assert row.title == expected["title"], row.seq
        assert (row.lead, row.participating) == (expected["lead"], expected["participating"]), row.seq
        if expected.get("section"):
            assert row.section == expected["section"], row.seq
        milestones = parse_schedule(
            row.schedule, period["first"], period["last"],
            default_year=period["default_year"], school_year=period["school_year"],
        )  # fmt: skip
        got = Counter(m.due.isoformat() for m in milestones if m.due)
        want = Counter(expected["due"])
        right += sum((got & want).values())
        found += sum(got.values())
        given += sum(want.values())
    assert right / given >= 0.95, f"recall {right}/{given}"
    assert right / found >= 0.95, f"precision {right}/{found}"
