"""Done when: on the 浙江 plan published to cities and counties, with reports filed by some counties and
not others (the demo's year of work), the 通报 and the 考核 rank the cities in the order their recorded facts
give — recounted here from the rows themselves, in Python, by the rules the pages state — and the .docx
opens with its table intact (in LibreOffice too, where it is installed)."""

import io
import json
import shutil
import subprocess
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from assignments.models import Assignment, AssignmentEvent, AssignmentMilestone
from core.periods import parse_period, periods_of_year
from evaluation.selectors import assessment, bulletin
from orgtree.models import Organisation, OrgType
from orgtree.subtree import contains
from plans.models import Plan
from reporting.models import ProgressReport

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 20)
CALENDAR = ("month", "quarter", "half", "year")
SENT = ("submitted", "accepted", "returned")


def _city_of(cities, org):
    return next((c for c in cities if contains(c, org)), None)


def _recount(province, period, today):
    """Every city's facts from the rows, one by one."""
    cities = list(Organisation.objects.filter(parent=province, is_active=True))
    above = {province.pk, *Organisation.objects.filter(org_type=OrgType.CENTRAL).values_list("pk", flat=True)}
    facts = defaultdict(lambda: defaultdict(int))
    asof = min(today, period.end)
    for copy in AssignmentMilestone.objects.select_related("assignment__organisation"):
        a = copy.assignment
        if a.issuer_id not in above or a.status == "withdrawn" or copy.due_date is None:
            continue
        if not period.start <= copy.due_date <= asof:
            continue
        done = copy.accepted_at is not None and timezone.localdate(copy.accepted_at) <= today
        if copy.ended and not done:
            continue
        f = facts[_city_of(cities, a.organisation).pk]
        f["due"] += 1
        if done and copy.completed_on is not None and copy.completed_on <= copy.due_date:
            f["on_time"] += 1
        elif done:
            f["late"] += 1
        elif copy.due_date < today:
            f["overdue"] += 1
            f["weeks"] += (asof - copy.due_date).days // 7
    inside = {
        p.code: p
        for kind in CALENDAR
        for p in periods_of_year(period.year, kind)
        if p.start >= period.start and p.end <= period.end
    }
    sent = set()
    for report in ProgressReport.objects.select_related("assignment__organisation"):
        a = report.assignment
        if (
            a.issuer_id not in above
            or report.period not in inside
            or report.status not in SENT
            or timezone.localdate(report.submitted_at) > today
        ):
            continue
        sent.add((a.pk, report.period))
        facts[_city_of(cities, a.organisation).pk][
            "late_reports" if report.is_late else "on_time_reports"
        ] += 1
    for a in Assignment.objects.select_related("organisation", "task", "plan"):
        cadence = a.task.report_frequency or a.plan.report_frequency
        if (
            a.issuer_id not in above
            or a.status != "assigned"
            or cadence not in CALENDAR
            or a.plan.status == Plan.Status.ARCHIVED
        ):
            continue
        for code, p in inside.items():
            if (
                p.kind == cadence
                and p.deadline < today
                and a.plan.start_year <= p.year <= a.plan.end_year
                and timezone.localdate(a.created_at) <= p.end
                and (a.pk, code) not in sent
            ):
                facts[_city_of(cities, a.organisation).pk]["missing_reports"] += 1
    for event in AssignmentEvent.objects.filter(kind="escalated").select_related("assignment__organisation"):
        day = timezone.localdate(event.created_at)
        if event.assignment.issuer_id in above and period.start <= day <= asof:
            facts[_city_of(cities, event.assignment.organisation).pk][
                "red" if "红牌" in event.comment else "yellow"
            ] += 1
    return cities, facts


def _order(cities, key):
    return [c.code for c in sorted(cities, key=lambda c: (key(c), c.code))]


@pytest.fixture
def demo():
    call_command("load_demo", today=DAY.isoformat(), stdout=io.StringIO())
    return Organisation.objects.get(code="330000")


def test_the_bulletin_and_the_scores_rank_zhejiangs_cities_by_their_recorded_facts(demo, tmp_path):
    period = parse_period("2026")
    cities, facts = _recount(demo, period, DAY)
    # The demo's year: some counties reported and some did not, some work is late.
    counties = set(
        Organisation.objects.filter(tree_id=demo.tree_id, org_type=OrgType.COUNTY).values_list(
            "pk", flat=True
        )
    )
    reporting = set(
        ProgressReport.objects.filter(status__in=SENT).values_list("assignment__organisation", flat=True)
    )
    assert 0 < len(counties & reporting) < len(counties)
    assert sum(f["overdue"] for f in facts.values()) and sum(f["on_time"] for f in facts.values())

    def rate(c):
        f = facts[c.pk]
        return 100 * f["on_time"] / f["due"] if f["due"] else None

    def timeliness(c):
        f = facts[c.pk]
        owed = f["on_time_reports"] + f["late_reports"] + f["missing_reports"]
        return 100 * f["on_time_reports"] / owed if owed else None

    def bulletin_key(c):
        r, t = rate(c), timeliness(c)
        return (r is None, -round(r or 0, 1), facts[c.pk]["overdue"], -(100 if t is None else round(t, 1)))

    payload = bulletin(org=demo, period=period, today=DAY)
    assert [r["org_code"] for r in payload["rows"]] == _order(cities, bulletin_key)
    for row in payload["rows"]:
        f = facts[Organisation.objects.get(code=row["org_code"]).pk]
        assert (row["due"], row["on_time"], row["late"], row["overdue"]) == (
            f["due"],
            f["on_time"],
            f["late"],
            f["overdue"],
        )
        assert (row["reports_on_time"], row["reports_late"], row["reports_missing"]) == (
            f["on_time_reports"],
            f["late_reports"],
            f["missing_reports"],
        )

    # The scores, default scheme: 50 × on time + 30 × reports on time + 20 × indicators met (their
    # attainment is the indicator rollup's, tested with the indicators), less 2 per overdue item, 0.5 per
    # week overdue, 1 per 黄牌, 3 per 红牌.
    indicators = {r["org_code"]: (r["indicators_met"], r["indicators_targeted"]) for r in payload["rows"]}

    def score(c):
        f = facts[c.pk]
        met, targeted = indicators[c.code]
        owed = f["on_time_reports"] + f["late_reports"] + f["missing_reports"]
        total = Decimal(50) * f["on_time"] / f["due"] if f["due"] else Decimal(50)
        total += Decimal(30) * f["on_time_reports"] / owed if owed else Decimal(30)
        total += Decimal(20) * met / targeted if targeted else Decimal(20)
        total -= 2 * f["overdue"] + Decimal("0.5") * f["weeks"] + f["yellow"] + 3 * f["red"]
        return total

    scores = assessment(org=demo, year=2026, today=DAY)
    assert [r["org_code"] for r in scores["rows"]] == _order(
        cities, lambda c: -score(c).quantize(Decimal("0.1"))
    )
    for row in scores["rows"]:
        city = next(c for c in cities if c.code == row["org_code"])
        assert abs(Decimal(str(row["score"])) - score(city)) <= Decimal("0.05"), row["org"]
        assert sum(Decimal(str(i["points"])) for i in row["items"]) == Decimal(str(row["score"])).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )

    # The commands give the same, and the Word file carries the table.
    out = io.StringIO()
    target = tmp_path / "通报.docx"
    call_command(
        "bulletin", org="33", period="2026", today=DAY.isoformat(), json=True, docx=str(target), stdout=out
    )
    answer = json.loads(out.getvalue())
    assert (answer["org"], answer["period"]) == ("330000", "2026")
    assert [r["org_code"] for r in answer["rows"]] == [r["org_code"] for r in payload["rows"]]
    assert set(answer["rows"][0]) >= {
        "org_code",
        "org",
        "due",
        "on_time",
        "late",
        "overdue",
        "report_timeliness",
        "rank",
    }
    _check_docx(target, payload)
    out = io.StringIO()
    call_command("assessment", org="330000", year="2026", today=DAY.isoformat(), json=True, stdout=out)
    answer = json.loads(out.getvalue())
    assert [(r["org_code"], r["score"], r["rank"]) for r in answer["rows"]] == [
        (r["org_code"], r["score"], r["rank"]) for r in scores["rows"]
    ]
    assert {"rule", "points", "facts"} <= set(answer["rows"][0]["items"][0])
    assert answer["scheme"]["weights"]["on_time"] == 50


def _check_docx(path, payload):
    from docx import Document

    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "共青团浙江省委关于2026年重点任务推进情况的通报" in text and payload["summary"] in text
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells][:3] == ["名次", "单位", "到期事项"]
    assert [row.cells[1].text for row in table.rows[1:]] == [r["org"] for r in payload["rows"]]
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        return  # the python-docx reading above still checks the table; CI installs LibreOffice
    result = subprocess.run(
        [office, "--headless", "--convert-to", "html", "--outdir", str(path.parent), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        env={"HOME": str(path.parent), "PATH": "/usr/bin:/bin"},
    )
    html = path.with_suffix(".html").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, result.stderr
    assert html.count("<table") >= 1
    for row in payload["rows"]:
        assert row["org"] in html
