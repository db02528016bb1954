"""The 通报's figures on a small tree, counted by hand: what falls due in the period, on time, late,
overdue; reports on time, late and missing; breakdowns, withdrawn work and other provinces left out;
ranks; the office's departments; an earlier day."""

from datetime import date

import pytest

from core.periods import parse_period
from evaluation.selectors import bulletin

from .conftest import DAY, _at

pytestmark = pytest.mark.django_db


def _rows(payload, key="rows"):
    return {row["org_code"] or row["org"]: row for row in payload[key]}


def test_the_province_counts_what_its_cities_owe_it(scene, tree):
    payload = bulletin(org=tree.zj, period=parse_period("2019"), today=DAY)
    rows = _rows(payload)
    assert set(rows) == {"330100", "330200"}  # 江苏 is not a child; the tree's children only
    hz, nb = rows["330100"], rows["330200"]
    # June falls due; 20 July (task 2) not yet. 杭州: its own copy on time and 西湖's late; the parts of
    # 杭州's breakdown and 杭州's own plan are 杭州's business, not the province's.
    assert (hz["due"], hz["on_time"], hz["late"], hz["overdue"], hz["pending"]) == (2, 1, 1, 0, 0)
    assert hz["completion_rate"] == 50.0
    # 宁波: its own copy overdue; 海曙's was withdrawn.
    assert (nb["due"], nb["on_time"], nb["late"], nb["overdue"]) == (1, 0, 0, 1)
    # Reports, quarterly: Q1 and Q2 (deadline 5 July) owed by every open assignment of the plan.
    # 杭州's subtree: 杭州 2 + 西湖 2 assignments × 2 quarters = 8; one on time, one late.
    assert (hz["reports_on_time"], hz["reports_late"], hz["reports_missing"]) == (1, 1, 6)
    assert hz["report_timeliness"] == 12.5
    # 宁波 2 + 海曙 1 (the other withdrawn) assignments × 2 quarters, none sent.
    assert (nb["reports_on_time"], nb["reports_late"], nb["reports_missing"]) == (0, 0, 6)
    assert nb["report_timeliness"] == 0.0
    assert [r["org_code"] for r in payload["rows"]] == ["330100", "330200"]
    assert [r["rank"] for r in payload["rows"]] == [1, 2]
    assert payload["praised"] == [] and payload["urged"] == ["共青团宁波市委", "共青团杭州市委"]
    assert "到期事项 3 项，按期完成 1 项（33.3%），逾期完成 1 项，逾期未完成 1 项" in payload["summary"]


def test_a_city_counts_its_breakdown_and_its_own_plan_and_its_departments(scene, tree):
    payload = bulletin(org=tree.hz, period=parse_period("2019"), today=DAY)
    xh = _rows(payload)["330106"]
    # 西湖 owes 杭州 the province's work (its own copy, done late) and 杭州's own plan (May: overdue). The part
    # of 杭州's breakdown given to 北山 carries only the milestone still open (December), not yet due.
    assert (xh["due"], xh["on_time"], xh["late"], xh["overdue"]) == (2, 0, 1, 1)
    departments = _rows(payload, "departments")
    assert set(departments) == {"组织部"}
    assert (departments["组织部"]["due"], departments["组织部"]["overdue"]) == (1, 1)


@pytest.mark.parametrize(
    "period, due", [("2019Q2", (2, 1)), ("2019-06", (2, 1)), ("2019H2", (0, 0)), ("2019-03", (0, 0))]
)
def test_the_period_chooses_what_fell_due(scene, tree, period, due):
    rows = _rows(bulletin(org=tree.zj, period=parse_period(period), today=DAY))
    assert (rows["330100"]["due"], rows["330200"]["due"]) == due


def test_an_earlier_day_sees_only_what_was_recorded_by_then(scene, tree):
    before = bulletin(org=tree.zj, period=parse_period("2019"), today=date(2019, 7, 1))
    hz = _rows(before)["330100"]
    # On 1 July 西湖's copy (accepted 6 July) was still open and overdue; Q2's report was not yet due.
    assert (hz["due"], hz["on_time"], hz["late"], hz["overdue"]) == (2, 1, 0, 1)
    assert (hz["reports_on_time"], hz["reports_late"], hz["reports_missing"]) == (1, 0, 3)


def test_the_country_ranks_provinces(scene, tree):
    from orgtree.models import Organisation, OrgType
    from orgtree.services import organisation_create

    central = organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL, code="")
    payload = bulletin(org=central, period=parse_period("2019"), today=DAY)
    # Nothing issued by 团中央: every province is named, with nothing due.
    assert {r["org"] for r in payload["rows"]} == set(
        Organisation.objects.filter(parent__isnull=True).exclude(pk=central.pk).values_list("name", flat=True)
    )
    assert all(r["due"] == 0 and r["rank"] == 1 for r in payload["rows"])


def test_ties_share_a_rank():
    from evaluation.scoring import ranked

    rows = ranked([{"org_code": c, "v": v} for c, v in [("3", 1), ("1", 2), ("2", 1)]], lambda r: r["v"])
    assert [(r["org_code"], r["rank"]) for r in rows] == [("2", 1), ("3", 1), ("1", 3)]


def test_the_reports_owed_are_the_reminders_rule(scene, tree):
    """facts reads the reminders' rule off the tasks once; both pick the same assignments."""
    from assignments.models import Assignment
    from core.periods import periods_of_year
    from evaluation.facts import _owes, issuers, owing_tasks
    from plans.models import Plan, ReportFrequency
    from supervision.reminders import reporting_due

    other = Plan.objects.create(title="月报计划", organisation=tree.zj, start_year=2019, end_year=2019,
                                report_frequency=ReportFrequency.MONTH)  # fmt: skip
    from assignments.publishing import plan_publish
    from plans.services import task_create

    task_create(plan=other, data={"seq": "1", "title": "月报任务", "schedule_text": "9月：完成"})
    yearly = task_create(plan=other, data={"seq": "2", "title": "年报任务", "schedule_text": "9月：完成"})
    yearly.report_frequency = ReportFrequency.YEAR
    yearly.save(update_fields=["report_frequency"])
    plan_publish(plan=other, levels=["city"])
    # Handed over in May: no report owed for April, one for June (by each of the two cities).
    Assignment.objects.filter(plan=other).update(created_at=_at(date(2019, 5, 10)))
    above = issuers(tree.zj)
    tasks = owing_tasks(above, 2019)
    for kind in ("month", "quarter", "half", "year"):
        for p in periods_of_year(2019, kind):
            rule = Assignment.objects.filter(reporting_due(kind, p), issuer_id__in=above)
            ours = Assignment.objects.filter(_owes(p, tasks), issuer_id__in=above)
            assert set(ours.values_list("pk", flat=True)) == set(rule.values_list("pk", flat=True)), p.code
    assert tasks["month"] and tasks["quarter"] and tasks["year"]
    assert Assignment.objects.filter(_owes(parse_period("2019-06"), tasks), plan=other).count() == 2
    assert not Assignment.objects.filter(_owes(parse_period("2019-04"), tasks), plan=other).exists()
