"""Rolling reported figures up the tree, and judging them against the target that applies.

One statement answers an organisation and all its direct children: every reporting-level organisation of
the subtree is joined to the nodes whose lft/rght range holds it, and the figures are summed per node. A
rate is always the sum of numerators over the sum of denominators, never an average of rates.

Completeness keeps three states apart: not reported (no row), reported (a zero is a report) and reported
late. The organisations expected to report a period are those of the reporting level that existed at the
period's start, so dissolving or merging one later does not rewrite past rates.

A period coarser than the indicator's own (the year of a monthly indicator) takes, per organisation, the
last figure reported within it: sub-year figures are cumulative status figures, not flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection

from core.periods import Period, parse_period
from orgtree.models import Organisation, OrgType
from orgtree.subtree import contains, subtree_sql

from .models import Aggregation, Comparison, Direction, Indicator, Target, Unit

ATTAINMENT_LABELS = {"met": "达标", "near": "接近", "missed": "未达标"}


@dataclass
class Figure:
    org_id: int
    name: str
    org_type: str
    tree_id: int
    lft: int
    rght: int
    level: int
    expected: int = 0
    reported: int = 0  # of the expected organisations, how many reported
    late: int = 0
    reports: int = 0  # every report counted in the sums (also from organisations set up during the period)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    target: Target | None = None
    attainment: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return max(self.expected - self.reported, 0)

    @property
    def completeness(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.reported) * 100 / self.expected).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def attainment_label(self) -> str:
        return ATTAINMENT_LABELS.get(self.attainment, "")

    def as_dict(self) -> dict:
        return {
            "org": self.extra.get("code") or f"#{self.org_id}",
            "name": self.name,
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "value": _num(self.value),
            "expected": self.expected,
            "reported": self.reported,
            "late": self.late,
            "target": _target_dict(self.target),
            "attainment": self.attainment,
        }


def _num(value: Decimal | None):
    return None if value is None else float(value)


def _target_dict(target: Target | None) -> dict | None:
    if target is None:
        return None
    return {
        "comparison": target.comparison,
        "value": float(target.value),
        "year": target.year,
        "set_by": target.organisation.name,
        "applies_to": target.applies_to,
    }


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def check_period(indicator: Indicator, period: Period | str) -> Period:
    period = parse_period(period) if isinstance(period, str) else period
    if period.kind != indicator.frequency and period.kind != "year":
        raise ValidationError(
            f"“{indicator.name}”按{indicator.get_frequency_display()}报送，"
            f"期间应为该周期或整年（如 {period.year}）"
        )
    return period


def compute_value(indicator: Indicator, numerator, denominator) -> Decimal | None:
    """The rate of a numerator and denominator, in the indicator's unit and precision."""
    numerator, denominator = _dec(numerator), _dec(denominator)
    if numerator is None or not denominator:
        return None
    rate = numerator / denominator * (100 if indicator.unit == Unit.PERCENT else 1)
    return rate.quantize(Decimal(1).scaleb(-indicator.decimals), ROUND_HALF_UP)


def _figure_value(indicator: Indicator, figure: Figure, latest) -> Decimal | None:
    if not figure.reports:
        return None
    if indicator.aggregation == Aggregation.RATIO:
        return compute_value(indicator, figure.numerator, figure.denominator)
    raw = _dec(latest) if indicator.aggregation == Aggregation.LATEST else figure.extra.pop("sum_value")
    return None if raw is None else _dec(raw).quantize(Decimal(1).scaleb(-indicator.decimals), ROUND_HALF_UP)


def _vals_sql(indicator: Indicator, period: Period) -> tuple[str, list]:
    if period.kind == indicator.frequency:
        return (
            "SELECT organisation_id, numerator, denominator, value, is_late, reported_at "
            "FROM indicators_value WHERE indicator_id = %s AND period = %s",
            [indicator.pk, period.code],
        )
    return (
        "SELECT organisation_id, numerator, denominator, value, is_late, reported_at FROM ("
        " SELECT organisation_id, numerator, denominator, value, is_late, reported_at,"
        " ROW_NUMBER() OVER (PARTITION BY organisation_id ORDER BY period DESC) AS rn"
        " FROM indicators_value WHERE indicator_id = %s AND year = %s) ranked WHERE rn = 1",
        [indicator.pk, period.year],
    )


def _subtree_sql(org: Organisation, alias: str) -> tuple[str, list]:
    """Organisations in org's subtree; the bounds are read in the statement, never from a stale object."""
    if org.org_type == OrgType.CENTRAL:
        return "1 = 1", []
    inside = subtree_sql(alias, "r", national=False)
    return (
        f"EXISTS (SELECT 1 FROM orgtree_organisation r WHERE r.id = %s AND {inside})",
        [org.pk],
    )


_HOLDS = subtree_sql("u", "n")  # the reporting unit u lies in node n's subtree


def rollup(indicator: Indicator, org: Organisation, period: Period | str) -> tuple[Figure, list[Figure]]:
    """The figure of `org` and of each direct child for one period, in one statement, targets resolved."""
    period = check_period(indicator, period)
    ops = connection.ops
    if org.org_type == OrgType.CENTRAL:
        nodes_sql = "o.id = %s OR (o.parent_id IS NULL AND o.org_type = 'province')"
    else:
        nodes_sql = "o.id = %s OR o.parent_id = %s"
    node_params = [org.pk] if org.org_type == OrgType.CENTRAL else [org.pk, org.pk]
    subtree, subtree_params = _subtree_sql(org, "o")
    vals, vals_params = _vals_sql(indicator, period)
    latest = ""
    if indicator.aggregation == Aggregation.LATEST:
        latest = (
            ", (SELECT u.value FROM figures u WHERE u.reported = 1 AND"
            f" {_HOLDS} ORDER BY u.reported_at DESC, u.id LIMIT 1)"
        )
    # The reporting units are joined to their figures first and materialised: the planner cannot
    # estimate the one-row-per-unit filter of a year's window, and would otherwise re-scan the figures
    # for every (node, unit) pair.
    sql = f"""
        WITH nodes AS (
            SELECT o.id, o.name, o.code, o.org_type, o.tree_id, o.lft, o.rght, o.level
            FROM orgtree_organisation o WHERE {nodes_sql}
        ),
        figures AS MATERIALIZED (
            SELECT o.id, o.tree_id, o.lft,
                   CASE WHEN (o.established_on IS NULL OR o.established_on <= %s)
                         AND (o.dissolved_at IS NULL OR o.dissolved_at >= %s) THEN 1 ELSE 0 END AS expected,
                   CASE WHEN v.organisation_id IS NULL THEN 0 ELSE 1 END AS reported,
                   CASE WHEN v.is_late THEN 1 ELSE 0 END AS late,
                   v.numerator, v.denominator, v.value, v.reported_at
            FROM orgtree_organisation o
            LEFT JOIN ({vals}) v ON v.organisation_id = o.id
            WHERE o.org_type = %s AND {subtree}
        )
        SELECT n.id, n.name, n.code, n.org_type, n.tree_id, n.lft, n.rght, n.level,
               COALESCE(SUM(u.expected), 0),
               COALESCE(SUM(u.reported * u.expected), 0),
               COALESCE(SUM(u.late * u.expected), 0),
               COALESCE(SUM(u.reported), 0), SUM(u.numerator), SUM(u.denominator), SUM(u.value) {latest}
        FROM nodes n
        LEFT JOIN figures u ON {_HOLDS}
        GROUP BY n.id, n.name, n.code, n.org_type, n.tree_id, n.lft, n.rght, n.level
        ORDER BY n.tree_id, n.lft
    """
    params = [
        *node_params,
        ops.adapt_datefield_value(period.start),
        ops.adapt_datetimefield_value(period.start_moment),
        *vals_params,
        indicator.reporting_level,
        *subtree_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    figures = []
    for row in rows:
        figure = Figure(
            org_id=row[0], name=row[1], org_type=row[3],
            tree_id=row[4], lft=row[5], rght=row[6], level=row[7],
            expected=int(row[8]), reported=int(row[9]), late=int(row[10]), reports=int(row[11]),
            numerator=_dec(row[12]), denominator=_dec(row[13]), extra={"code": row[2], "sum_value": row[14]},
        )  # fmt: skip
        figure.value = _figure_value(indicator, figure, row[15] if latest else None)
        figures.append(figure)
    attach_targets(indicator, period.year, figures)
    own = next(f for f in figures if f.org_id == org.pk)
    children = [f for f in figures if f.org_id != org.pk and (f.expected or f.reports)]
    return own, children


def series(indicator: Indicator, org: Organisation, years: list[int]) -> list[Figure]:
    """The organisation's figure for each year (the last figure of the year per reporter), one statement."""
    if not years:
        return []
    org = Organisation.objects.get(pk=org.pk)  # current bounds, for the targets
    ops = connection.ops
    periods = [parse_period(str(y)) for y in years]
    values_sql = ", ".join(["(%s, %s, %s)"] * len(periods))
    years_params = []
    for p in periods:
        years_params += [
            p.year,
            ops.adapt_datefield_value(p.start),
            ops.adapt_datetimefield_value(p.start_moment),
        ]
    subtree, subtree_params = _subtree_sql(org, "o")
    placeholders = ", ".join(["%s"] * len(years))
    expected = (
        "(u.established_on IS NULL OR u.established_on <= y.ystart)"
        " AND (u.dissolved_at IS NULL OR u.dissolved_at >= y.ystart_ts)"
    )
    latest = ""
    if indicator.aggregation == Aggregation.LATEST:
        latest = (
            ", (SELECT v2.value FROM vals v2 WHERE v2.year = y.y"
            " ORDER BY v2.reported_at DESC, v2.organisation_id LIMIT 1)"
        )
    sql = f"""
        WITH years (y, ystart, ystart_ts) AS (VALUES {values_sql}),
        units AS (
            SELECT o.id, o.established_on, o.dissolved_at FROM orgtree_organisation o
            WHERE o.org_type = %s AND {subtree}
        ),
        vals AS (
            SELECT organisation_id, year, numerator, denominator, value, is_late, reported_at FROM (
                SELECT v.organisation_id, v.year, v.numerator, v.denominator, v.value,
                       v.is_late, v.reported_at,
                       ROW_NUMBER() OVER (PARTITION BY v.organisation_id, v.year ORDER BY v.period DESC) AS rn
                FROM indicators_value v JOIN units uu ON uu.id = v.organisation_id
                WHERE v.indicator_id = %s AND v.year IN ({placeholders})
            ) ranked WHERE rn = 1
        )
        SELECT y.y,
               COALESCE(SUM(CASE WHEN {expected} THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN v.organisation_id IS NOT NULL AND {expected} THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN v.is_late AND {expected} THEN 1 ELSE 0 END), 0),
               COUNT(v.organisation_id), SUM(v.numerator), SUM(v.denominator), SUM(v.value) {latest}
        FROM years y
        CROSS JOIN units u
        LEFT JOIN vals v ON v.organisation_id = u.id AND v.year = y.y
        GROUP BY y.y
        ORDER BY y.y
    """
    params = [*years_params, indicator.reporting_level, *subtree_params, indicator.pk, *years]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {int(row[0]): row for row in cursor.fetchall()}
    out = []
    for year in years:
        row = rows.get(year)
        figure = Figure(org.pk, org.name, org.org_type, org.tree_id, org.lft, org.rght, org.level)
        figure.extra = {"year": year, "sum_value": None}
        if row is not None:
            figure.expected, figure.reported, figure.late, figure.reports = (int(x) for x in row[1:5])
            figure.numerator, figure.denominator = _dec(row[5]), _dec(row[6])
            figure.extra["sum_value"] = row[7]
            figure.value = _figure_value(indicator, figure, row[8] if latest else None)
        out.append(figure)
    attach_targets(indicator, None, out)
    return out


# Targets ---------------------------------------------------------------------------------------------------

SCOPE_RANK = {Target.SELF: 2, Target.SUBTREE: 0}  # an organisation type in between (1)


def target_applies(target: Target, node) -> bool:
    """Whether a target set at target.organisation applies to the figure of `node` (Organisation/Figure)."""
    setter = target.organisation
    scope = target.applies_to
    if setter.pk == getattr(node, "org_id", getattr(node, "pk", None)):
        return scope in (Target.SELF, Target.SUBTREE, node.org_type)
    if scope not in (Target.SUBTREE, node.org_type):
        return False
    return contains(setter, node)


def strictness(indicator: Indicator, target: Target) -> tuple:
    """Sort key: strictest first; among equals the most specific (deepest setter, narrowest scope)."""
    value = target.value if indicator.direction == Direction.HIGHER else -target.value
    depth = -1 if target.organisation.org_type == OrgType.CENTRAL else target.organisation.level
    return (value, depth, SCOPE_RANK.get(target.applies_to, 1))


def attach_targets(indicator: Indicator, year: int | None, figures: list[Figure], targets=None) -> None:
    """Resolve the target of each figure (one query for all) and judge attainment. With year None each
    figure carries its own year in extra["year"] (a series)."""
    if targets is None:
        targets = Target.objects.filter(indicator=indicator).select_related("organisation")
        targets = list(targets if year is None else targets.filter(year=year))
    for figure in figures:
        figure_year = figure.extra.get("year", year)
        applicable = [t for t in targets if t.year == figure_year and target_applies(t, figure)]
        figure.target = max(applicable, key=lambda t: strictness(indicator, t)) if applicable else None
        figure.attainment = attainment(indicator, figure.value, figure.target)


def attainment(indicator: Indicator, value: Decimal | None, target: Target | None) -> str | None:
    """达标 / 接近 (within the indicator's margin) / 未达标, by the target's comparison and the direction."""
    if value is None or target is None:
        return None
    goal, margin = target.value, indicator.near_margin
    higher = indicator.direction == Direction.HIGHER
    if target.comparison == Comparison.APPROX:
        # "25%左右": within the margin counts as met, and so does doing better than the goal.
        gap = (goal - value) if higher else (value - goal)
        if gap <= margin:
            return "met"
        return "near" if gap <= 2 * margin else "missed"
    gap = goal - value if target.comparison == Comparison.GTE else value - goal
    if gap <= 0:
        return "met"
    return "near" if gap <= margin else "missed"
