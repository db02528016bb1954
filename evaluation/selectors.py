"""Reads: a 通报's ranking and a 考核's scores for an organisation, from the recorded facts (facts.py);
the issued bulletins a user may see. The caller has authorised the organisation."""

from __future__ import annotations

from datetime import date

from django.db.models import Min

from core.periods import Period, parse_period
from orgtree.models import Organisation
from plans.models import Plan

from . import scoring
from .facts import Facts, collect, issuers, percent_text
from .models import Bulletin, ScoringScheme

RANKING_RULE = "按期完成率（高者在前）→ 逾期未完成事项（少者在前）→ 报送及时率（高者在前）"


def bulletin_period(text) -> Period:
    """A 通报's period: a month, quarter, half or year (2026-05, 2026Q2, 2026H1, 2026)."""
    return parse_period(text)


def _bulletin_row(facts: Facts) -> dict:
    return facts.as_dict() | {"org_code": facts.code, "org": facts.name, "id": facts.pk, "rank": None}


def _bulletin_key(row: dict) -> tuple:
    rate, timeliness = row["completion_rate"], row["report_timeliness"]
    return (rate is None, -(rate or 0), row["overdue"], -(100 if timeliness is None else timeliness))


def _summary(org: Organisation, period: Period, today: date, rows: list[dict]) -> str:
    due = sum(r["due"] for r in rows)
    on_time = sum(r["on_time"] for r in rows)
    late = sum(r["late"] for r in rows)
    overdue = sum(r["overdue"] for r in rows)
    owed = sum(r["reports_on_time"] + r["reports_late"] + r["reports_missing"] for r in rows)
    sent_on_time = sum(r["reports_on_time"] for r in rows)
    text = (
        f"截至 {today:%Y年%m月%d日}，{period.label}{org.name}所属 {len(rows)} 个单位共有到期事项 {due} 项，"
        f"按期完成 {on_time} 项（{percent_text(round(100 * on_time / due, 1) if due else None)}），"
        f"逾期完成 {late} 项，逾期未完成 {overdue} 项。"
    )
    if owed:
        share = percent_text(round(100 * sent_on_time / owed, 1))
        text += f"应报进度报告 {owed} 份，按时报送 {sent_on_time} 份（{share}）。"
    return text


def praised(rows: list[dict]) -> list[dict]:
    """All due items done on time and every report owed sent on time."""
    return [
        r
        for r in rows
        if r["due"] and not r["late"] and not r["overdue"] and r["report_timeliness"] in (None, 100)
    ]


def urged(rows: list[dict]) -> list[dict]:
    """Something overdue or a report not sent: most overdue first."""
    late = [r for r in rows if r["overdue"] or r["reports_missing"]]
    return sorted(late, key=lambda r: (-r["overdue"], -r["reports_missing"], r["rank"] or 0))


def bulletin(*, org: Organisation, period: Period, today: date) -> dict:
    """The 通报 of org for a period as of `today`: children and own departments ranked (RANKING_RULE)."""
    children, departments = collect(org, period, today)
    rows = scoring.ranked([_bulletin_row(f) for f in children], _bulletin_key)
    department_rows = scoring.ranked([_bulletin_row(f) for f in departments], _bulletin_key)
    return {
        "org": org.code or str(org.pk),
        "org_name": org.name,
        "period": period.code,
        "period_label": period.label,
        "today": today.isoformat(),
        "ranking_rule": RANKING_RULE,
        "summary": _summary(org, period, today, rows),
        "rows": rows,
        "departments": department_rows,
        "praised": [r["org"] for r in praised(rows)],
        "urged": [r["org"] for r in urged(rows)],
    }


def first_year(org: Organisation) -> int | None:
    """The earliest year of the plans whose work org's children owe it (those of org and above)."""
    return Plan.objects.filter(organisation_id__in=issuers(org)).aggregate(first=Min("start_year"))["first"]


def scheme_for(org: Organisation, year: int) -> ScoringScheme | None:
    return ScoringScheme.objects.filter(organisation=org, year=year).first()


def assessment(*, org: Organisation, year: int, today: date, weights: dict | None = None) -> dict:
    """The 考核 of org's children and departments for a year as of `today`: each score item by item. A closed
    year answers with the scores frozen when it was closed (unless other weights are asked for: a preview)."""
    scheme = scheme_for(org, year)
    if scheme is not None and scheme.frozen and weights is None:
        return scheme.frozen
    chosen = scoring.weights_of(weights if weights is not None else (scheme.weights if scheme else None))
    adjustments: dict[tuple[str, int], list] = {}
    if scheme is not None:
        for a in scheme.adjustments.all():
            key = ("org", a.organisation_id) if a.organisation_id else ("department", a.department_id)
            adjustments.setdefault(key, []).append((a.points, a.reason))
    children, departments = collect(org, parse_period(str(year)), today)

    def rows(units: list[Facts]) -> list[dict]:
        out = []
        for facts in units:
            total, items = scoring.score(facts, chosen, adjustments.get((facts.kind, facts.pk), []))
            out.append(
                {
                    "org_code": facts.code,
                    "org": facts.name,
                    "score": total,
                    "rank": None,
                    "items": items,
                    "kind": facts.kind,
                    "id": facts.pk,
                }
            )
        return scoring.ranked(out, lambda row: -row["score"])

    return {
        "org": org.code or str(org.pk),
        "org_name": org.name,
        "year": year,
        "today": today.isoformat(),
        "scheme": {
            "weights": {key: float(value) for key, value in chosen.items()},
            "defaults": scheme is None,
            "closed": bool(scheme and scheme.closed_at),
        },
        "rows": rows(children),
        "departments": rows(departments),
    }


def bulletins_for(user):
    return Bulletin.objects.for_user(user).select_related("organisation", "issued_by").defer("figures")
