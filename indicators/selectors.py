"""Reads of the indicators app; organisation scoping always goes through orgtree's for_user."""

from __future__ import annotations

from django.db.models import Max, Min, QuerySet

from core.periods import Period, current_period, parse_period
from orgtree.models import Organisation
from orgtree.querysets import user_scopes
from orgtree.selectors import top_organisations
from orgtree.subtree import subtree_q

from .models import Indicator, Target, Value

MAX_CHART_YEARS = 8


def enter_scope(user, within: Organisation | None = None) -> QuerySet:
    """The organisations whose figures the user may enter, optionally within one subtree."""
    qs = Organisation.objects.for_user(user, "enter")
    return qs if within is None else qs.filter(subtree_q(within))


def entry_heads(user) -> QuerySet:
    """Where the user starts entering figures: the organisations of their 'enter' memberships, top first."""
    scopes = user_scopes(user, "enter")
    if scopes is None:
        return top_organisations(user)
    return Organisation.objects.filter(pk__in={s.org_id for s in scopes}).order_by("tree_id", "lft")


def entry_rows(user, org: Organisation, levels: set[str]) -> QuerySet:
    """The organisations of the reporting levels in org's subtree (itself included) the user may fill in."""
    return enter_scope(user, within=org).filter(org_type__in=levels).order_by("tree_id", "lft")


def active_indicators():
    return Indicator.objects.active()


def default_kind() -> str:
    """The reporting period the entry pages open on: the first indicator's kind."""
    return active_indicators().values_list("frequency", flat=True).first() or "year"


def quick_periods() -> list[Period]:
    """Shortcuts on the entry page: the current period of each kind in use (and last year for yearly ones)."""
    out = []
    for kind in sorted(set(active_indicators().values_list("frequency", flat=True))):
        now = current_period(kind)
        previous = parse_period(str(now.year - 1)) if kind == "year" else None
        out += [p for p in (previous, now) if p]
    return out


def indicators_for(kind: str) -> list[Indicator]:
    return list(Indicator.objects.active().filter(frequency=kind))


def stored_values(indicators, orgs, period: Period) -> dict[tuple[int, int], Value]:
    rows = Value.objects.filter(
        indicator__in=list(indicators), organisation__in=list(orgs), period=period.code
    )
    return {(v.organisation_id, v.indicator_id): v for v in rows}


def default_period(indicator: Indicator) -> Period:
    """The latest period anybody reported for the indicator, else the current one."""
    latest = Value.objects.filter(indicator=indicator).aggregate(p=Max("period"))["p"]
    return parse_period(latest) if latest else current_period(indicator.frequency)


def chart_years(indicator: Indicator, period: Period) -> list[int]:
    """The years to draw: those with targets or figures, up to the page's year, at most eight."""
    v = Value.objects.filter(indicator=indicator).aggregate(lo=Min("year"), hi=Max("year"))
    t = Target.objects.filter(indicator=indicator).aggregate(lo=Min("year"), hi=Max("year"))
    lows = [y for y in (v["lo"], t["lo"], period.year) if y]
    highs = [y for y in (v["hi"], t["hi"], period.year) if y]
    low, high = min(lows), max(highs)
    return list(range(max(low, high - MAX_CHART_YEARS + 1), high + 1))


def targets_set_by(indicator: Indicator, org: Organisation, user) -> QuerySet:
    return (
        Target.objects.for_user(user)
        .filter(indicator=indicator, organisation=org)
        .order_by("-year", "applies_to")
    )


def own_values(indicator: Indicator, org: Organisation, user, limit: int = 24) -> list[Value]:
    return list(
        Value.objects.for_user(user)
        .filter(indicator=indicator, organisation=org)
        .select_related("reported_by")
        .prefetch_related("history__changed_by")
        .order_by("-period")[:limit]
    )


def related_tasks(indicator: Indicator, user) -> QuerySet:
    from plans.models import Task

    return Task.objects.for_user(user).filter(indicators=indicator).select_related("plan")
