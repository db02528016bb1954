"""Reading indicator figures from a spreadsheet: the app's own template or the long interchange layout.

Template: a 期间 cell above the header, a header row with 组织代码 and one column per figure named
“学社衔接率（分子）”, “学社衔接率（分母）” or “团员数（数值）”, one row per organisation.
Long layout: columns 组织代码, 指标 (code or name), 期间, 分子, 分母 (or 数值), one row per figure.
Files are read with the project's bounded reader (core.spreadsheets: size, zip bombs, rows, encodings).
"""

from __future__ import annotations

import hashlib
import json
import re

from django.core.exceptions import ValidationError

from core.periods import Period, parse_period
from core.spreadsheets import SpreadsheetError, read_grid
from orgtree.querysets import parse_org_ref

from .figures import Entry, change_kind, parse_number, plan_entries
from .models import Indicator

HEADER_SCAN_ROWS = 15
PREVIEW_ITEMS = 300
_WS = re.compile(r"\s+")
_FIGURE_COLUMN = re.compile(r"^(.+?)[（(](分子|分母|数值)[）)]$")
_PART = {"分子": "numerator", "分母": "denominator", "数值": "value"}
LONG_COLUMNS = {
    "组织代码": "org", "指标": "indicator", "期间": "period",
    "分子": "numerator", "分母": "denominator", "数值": "value", "组织名称": "name",
}  # fmt: skip


class ValueFileError(SpreadsheetError):
    """The file is rejected as a whole; the message is shown as is."""


def _label(cell: str) -> str:
    return _WS.sub("", cell or "")


def _find_header(grid: list[list[str]]) -> int:
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        if "组织代码" in {_label(c) for c in row}:
            return index
    raise ValueFileError(
        "找不到表头：前 15 行中没有“组织代码”列。"
        "请使用下载的填报模板，或含 组织代码、指标、期间、分子、分母 列的表格"
    )


def _period_above(grid: list[list[str]], header: int) -> str:
    for row in grid[:header]:
        for col, cell in enumerate(row):
            if _label(cell) in ("期间", "填报期间", "报告期"):
                rest = [c for c in row[col + 1 :] if c.strip()]
                if rest:
                    return rest[0]
    return ""


def read_entries(
    filename: str, content: bytes, *, organisations, indicators=None
) -> tuple[str, int, list[Entry], list[dict]]:
    """Parse a file into entries. `organisations` is the queryset the user may enter figures for.
    Returns (layout, data rows, entries, errors); raises ValueFileError when the file is unusable."""
    try:
        grid = read_grid(filename, content)
    except SpreadsheetError as exc:
        raise ValueFileError(str(exc)) from exc
    header = _find_header(grid)
    labels = [_label(c) for c in grid[header]]
    indicators = list(indicators if indicators is not None else Indicator.objects.active())
    by_ref = {i.code.lower(): i for i in indicators} | {i.name: i for i in indicators}
    errors: list[dict] = []
    raw: list[tuple[int, str, object, str, dict]] = []  # row, org text, indicator, period text, figures
    data_rows = 0
    if "指标" in labels:
        layout = "long"
        columns = {LONG_COLUMNS[label]: col for col, label in enumerate(labels) if label in LONG_COLUMNS}
        missing = [name for name, key in (("指标", "indicator"), ("期间", "period")) if key not in columns]
        if missing or not ({"numerator", "value"} & columns.keys()):
            raise ValueFileError("长表缺少列：需要 组织代码、指标、期间，以及 分子 和 分母（或 数值）")
        for r in range(header + 1, len(grid)):
            row = grid[r]
            if not any(c.strip() for c in row):
                continue
            data_rows += 1
            ref = row[columns["indicator"]].strip()
            indicator = by_ref.get(ref.lower()) or by_ref.get(_label(ref))
            if indicator is None:
                errors.append({"row": r + 1, "message": f"指标“{ref[:30]}”不存在或未启用"})
                continue
            figures = {k: row[columns[k]] for k in ("numerator", "denominator", "value") if k in columns}
            raw.append((r + 1, row[columns["org"]], indicator, row[columns["period"]], figures))
    else:
        layout = "template"
        groups: dict[int, dict] = {}
        order: list[Indicator] = []
        for col, label in enumerate(labels):
            match = _FIGURE_COLUMN.match(label)
            if not match:
                continue
            indicator = by_ref.get(match.group(1)) or by_ref.get(match.group(1).lower())
            if indicator is None:
                raise ValueFileError(f"表头中的指标“{match.group(1)[:30]}”不存在或未启用")
            if indicator.pk not in groups:
                groups[indicator.pk] = {}
                order.append(indicator)
            groups[indicator.pk][_PART[match.group(2)]] = col
        if not groups:
            raise ValueFileError("表头中没有指标列（如“学社衔接率（分子）”“学社衔接率（分母）”）")
        period_text = _period_above(grid, header)
        period_col = labels.index("期间") if "期间" in labels else None
        if not period_text and period_col is None:
            raise ValueFileError("找不到填报期间：模板表头上方应有“期间”单元格")
        org_col = labels.index("组织代码")
        for r in range(header + 1, len(grid)):
            row = grid[r]
            if not any(c.strip() for c in row):
                continue
            data_rows += 1
            period = row[period_col] if period_col is not None and row[period_col].strip() else period_text
            for indicator in order:
                figures = {k: row[c] for k, c in groups[indicator.pk].items()}
                if any(str(v).strip() for v in figures.values()):
                    raw.append((r + 1, row[org_col], indicator, period, figures))
    if not data_rows:
        raise ValueFileError("表格中没有数据行")

    refs = {parse_org_ref(text) for _, text, *_ in raw}
    codes = [value for kind, value in refs if kind == "code" and value]
    ids = [int(value) for kind, value in refs if kind == "id"]
    allowed = {}
    for org in organisations.filter(code__in=codes):
        allowed[("code", org.code)] = org
    for org in organisations.filter(pk__in=ids):
        allowed[("id", str(org.pk))] = org
    periods: dict[str, Period | ValidationError] = {}
    entries = []
    for row, org_text, indicator, period_text, figures in raw:
        ref = f"第 {row} 行"
        key = parse_org_ref(org_text)
        org = allowed.get(key)
        if org is None:
            shown = str(org_text).strip()[:20]
            # One answer for both: a file must not probe which codes exist in other subtrees.
            message = f"组织代码“{shown}”不存在或不在您的填报范围内" if shown else "缺少组织代码"
            errors.append({"row": row, "message": message})
            continue
        text = str(period_text).strip()
        if text not in periods:
            try:
                periods[text] = parse_period(text) if text else ValidationError("缺少期间")
            except ValidationError as exc:
                periods[text] = exc
        period = periods[text]
        if isinstance(period, ValidationError):
            errors.append({"row": row, "message": period.messages[0]})
            continue
        try:
            entry = Entry(
                indicator,
                org,
                period,
                parse_number(figures.get("numerator"), f"“{indicator.name}”的分子"),
                parse_number(figures.get("denominator"), f"“{indicator.name}”的分母"),
                parse_number(figures.get("value"), f"“{indicator.name}”的数值"),
                ref,
            )
        except ValidationError as exc:
            errors.append({"row": row, "message": exc.messages[0]})
            continue
        entries.append(entry)
    return layout, data_rows, entries, errors


def _row_of(ref: str) -> int | None:
    match = re.search(r"\d+", ref or "")
    return int(match.group()) if match else None


def preview_values(filename: str, content: bytes, *, organisations) -> tuple[dict, list]:
    """What an import would write, and the validated (entry, stored) pairs to write it with."""
    layout, rows, entries, errors = read_entries(filename, content, organisations=organisations)
    changes, check_errors = plan_entries(entries)
    errors += [{"row": _row_of(e["ref"]), "message": e["message"]} for e in check_errors]
    errors.sort(key=lambda e: e["row"] or 0)
    counts = {"new": 0, "update": 0, "unchanged": 0}
    items = []
    for entry, stored in changes:
        kind = change_kind(entry, stored)
        counts[kind] += 1
        items.append(
            {
                "row": _row_of(entry.ref),
                "org": entry.organisation.code or f"#{entry.organisation.pk}",
                "org_name": entry.organisation.name,
                "indicator": entry.indicator.code,
                "indicator_name": entry.indicator.name,
                "period": entry.period.code,
                "numerator": _plain(entry.numerator),
                "denominator": _plain(entry.denominator),
                "value": _plain(entry.value),
                "kind": kind,
                "was": None if stored is None else _plain(stored.value),
            }
        )
    preview = {
        "file": filename,
        "layout": layout,
        "rows": rows,
        "values": len(changes),
        **counts,
        "errors": errors,
        "warnings": [],
        "committed": False,
    }
    preview["digest"] = hashlib.sha256(json.dumps(items, sort_keys=True).encode()).hexdigest()
    preview["items"] = items[:PREVIEW_ITEMS]
    return preview, changes


def _plain(value):
    return None if value is None else format(value.normalize(), "f")


def entries_of(changes: list) -> list[Entry]:
    return [entry for entry, _ in changes]


def reject_message(preview: dict) -> str:
    first = preview["errors"][:5]
    shown = "；".join(f"第 {e['row']} 行：{e['message']}" if e["row"] else e["message"] for e in first)
    more = f"（共 {len(preview['errors'])} 处错误）" if len(preview["errors"]) > 5 else ""
    return f"文件有错误，未导入任何数据：{shown}{more}"
