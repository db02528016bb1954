"""考核 rules: a scheme's weights turned into points, each explained by the facts it read. Pure functions
(no database): the page's preview, the command and the frozen year all score the same way."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    kind: str  # "share": points × a rate; "penalty": points taken per fact
    default: Decimal
    maximum: Decimal
    help: str
    unit: str = ""  # what a penalty is taken per


RULES = [
    Rule(
        "on_time", "按期完成", "share", Decimal(50), Decimal(100), "满分 × 按期完成率；本年无到期事项按满分计"
    ),
    Rule("reports", "报送及时", "share", Decimal(30), Decimal(100), "满分 × 报送及时率；无应报报告按满分计"),
    Rule("indicators", "指标达标", "share", Decimal(20), Decimal(100), "满分 × 达标指标占比；无目标按满分计"),
    Rule("per_overdue", "逾期未完成", "penalty", Decimal(2), Decimal(20), "每项逾期未完成事项扣分", "项"),
    Rule(
        "per_overdue_week",
        "逾期周数",
        "penalty",
        Decimal("0.5"),
        Decimal(10),
        "逾期事项每满一周扣分（算到年底）",
        "周",
    ),
    Rule("per_yellow", "黄牌督办", "penalty", Decimal(1), Decimal(20), "每收到一张黄牌督办单扣分", "张"),
    Rule("per_red", "红牌督办", "penalty", Decimal(3), Decimal(20), "每收到一张红牌督办单扣分", "张"),
]
# Each penalty rule: the fact it counts and how the explanation names it.
PENALTY_FACTS = {
    "per_overdue": ("overdue", "逾期未完成 {n} 项"),
    "per_overdue_week": ("overdue_weeks", "逾期合计 {n} 周"),
    "per_yellow": ("yellow", "黄牌 {n} 张"),
    "per_red": ("red", "红牌 {n} 张"),
}
RULE_BY_KEY = {rule.key: rule for rule in RULES}
ADJUSTMENT = "adjustment"
CENT = Decimal("0.01")


def plain(value: Decimal) -> str:
    """60, 0.5 — never 6E+1 or 60.00."""
    return format(value.normalize(), "f")


def default_weights() -> dict[str, str]:
    return {rule.key: str(rule.default) for rule in RULES}


def weights_of(stored: dict | None) -> dict[str, Decimal]:
    """A scheme's weights with the defaults for any rule it does not name."""
    stored = stored or {}
    return {rule.key: Decimal(str(stored.get(rule.key, rule.default))) for rule in RULES}


def _share(points: Decimal, part: int, whole: int) -> Decimal:
    return points if not whole else points * part / whole


def _item(key: str, points: Decimal, facts: dict, explanation: str) -> dict:
    label = RULE_BY_KEY[key].label if key in RULE_BY_KEY else "加减分"
    return {
        "rule": key,
        "label": label,
        "points": float(points.quantize(CENT, ROUND_HALF_UP)),
        "facts": facts,
        "explanation": explanation,
    }


def score(
    facts, weights: dict[str, Decimal], adjustments: list[tuple[Decimal, str]] = ()
) -> tuple[float, list[dict]]:
    """The total and its items for one unit's Facts."""
    w = weights
    items = [
        _item(
            "on_time",
            _share(w["on_time"], facts.on_time, facts.due),
            {"due": facts.due, "on_time": facts.on_time},
            f"到期 {facts.due} 项，按期完成 {facts.on_time} 项，满分 {w['on_time']}"
            if facts.due
            else f"无到期事项，按满分 {w['on_time']} 计",
        ),
        _item(
            "reports",
            _share(w["reports"], facts.reports_on_time, facts.reports_owed),
            {
                "owed": facts.reports_owed,
                "on_time": facts.reports_on_time,
                "late": facts.reports_late,
                "missing": facts.reports_missing,
            },
            f"应报 {facts.reports_owed} 份，按时 {facts.reports_on_time}、逾期 {facts.reports_late}、"
            f"未报 {facts.reports_missing}，满分 {w['reports']}"
            if facts.reports_owed
            else f"无应报报告，按满分 {w['reports']} 计",
        ),
        _item(
            "indicators",
            _share(w["indicators"], facts.indicators_met, facts.indicators_targeted),
            {"targeted": facts.indicators_targeted, "met": facts.indicators_met},
            f"有目标的指标 {facts.indicators_targeted} 项，达标 {facts.indicators_met} 项，"
            f"满分 {w['indicators']}"
            if facts.indicators_targeted
            else f"无年度目标，按满分 {w['indicators']} 计",
        ),
    ]
    for key, (fact, counted) in PENALTY_FACTS.items():
        n = getattr(facts, fact)
        items.append(_item(key, -w[key] * n, {fact: n}, f"{counted.format(n=n)} × {plain(w[key])} 分"))
    for points, reason in adjustments:
        items.append(_item(ADJUSTMENT, Decimal(points), {"reason": reason}, reason))
    total = sum((Decimal(str(item["points"])) for item in items), Decimal(0))
    return float(total.quantize(CENT, ROUND_HALF_UP)), items


def ranked(rows: list[dict], key) -> list[dict]:
    """Rows in order with their competition rank (1, 2, 2, 4): equal keys share a place."""
    rows = sorted(rows, key=lambda row: (key(row), row.get("org_code") or "", row.get("org") or ""))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if key(row) != previous:
            rank, previous = position, key(row)
        row["rank"] = rank
    return rows
