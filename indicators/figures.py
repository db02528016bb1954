"""What a reported figure is and when it is valid: parsing numbers people type, checking an entry against
its indicator, period and organisation, and pairing entries with the stored figures they would change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.periods import Period, parse_period
from orgtree.models import Organisation, OrgType

from .models import Indicator, Unit, Value
from .rollup import compute_value

MAX_FIGURE = Decimal("99999999999999")  # what the columns hold, far above any head count
# People and things are counted in whole numbers: 12.5 persons is a typing error, not a figure.
WHOLE_UNITS = frozenset({Unit.PEOPLE, Unit.COUNT})


def fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def bounds_error(indicator: Indicator, value: Decimal) -> str:
    if indicator.min_value is not None and value < indicator.min_value:
        return f"不能小于 {fmt(indicator.min_value)}{indicator.unit_suffix}"
    if indicator.max_value is not None and value > indicator.max_value:
        return f"不能大于 {fmt(indicator.max_value)}{indicator.unit_suffix}"
    return ""


@dataclass
class Entry:
    """One figure to write, as typed or read from a file; `ref` says where it came from for messages."""

    indicator: Indicator
    organisation: Organisation
    period: Period
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    ref: str = ""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")


def parse_number(text, label: str) -> Decimal | None:
    """A figure typed by a person: blank is None; 1,234 and full-width digits are fine; 12% is not."""
    if text is None:
        return None
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
        number = Decimal(str(text))
    else:
        raw = str(text).strip().translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
        if raw == "":
            return None
        if not _NUMBER.match(raw):
            raise ValidationError(f"{label}“{str(text)[:20]}”不是数字")
        number = Decimal(raw)
    if not number.is_finite() or abs(number) > MAX_FIGURE:
        raise ValidationError(f"{label}超出范围")
    return number


def check_entry(entry: Entry, today=None) -> Entry:
    """Validate one figure and compute its value; raises ValidationError with a Chinese message."""
    indicator, org, period = entry.indicator, entry.organisation, entry.period
    today = today or timezone.localdate()
    if period.kind != indicator.frequency:
        raise ValidationError(
            f"“{indicator.name}”按{indicator.get_frequency_display()}报送，期间“{period.code}”不符"
        )
    if period.start > today:
        raise ValidationError(f"{period.label}尚未开始，不能填报")
    if org.org_type != indicator.reporting_level:
        raise ValidationError(
            f"“{indicator.name}”由{OrgType(indicator.reporting_level).label}报送，{org.name}不是该层级"
        )
    if org.established_on and org.established_on > period.end:
        raise ValidationError(f"{org.name}成立于 {org.established_on}，不能填报{period.label}")
    if org.dissolved_at and timezone.localtime(org.dissolved_at).date() < period.start:
        raise ValidationError(f"{org.name}已于期间开始前撤销，不能填报{period.label}")
    if indicator.has_fraction:
        num, den = entry.numerator, entry.denominator
        if entry.value is not None and num is None and den is None:
            raise ValidationError(f"“{indicator.name}”请填写分子和分母，不能直接填写比率")
        if num is None or den is None:
            raise ValidationError(f"“{indicator.name}”的分子和分母需同时填写")
        if den <= 0:
            raise ValidationError(f"“{indicator.name}”的分母必须大于 0")
        if num < 0:
            raise ValidationError(f"“{indicator.name}”的分子不能为负数")
        if indicator.is_share and num > den:
            raise ValidationError(f"“{indicator.name}”的分子（{fmt(num)}）不能大于分母（{fmt(den)}）")
        entry.value = compute_value(indicator, num, den)
    else:
        if entry.numerator is not None or entry.denominator is not None:
            raise ValidationError(f"“{indicator.name}”只填写数值，不填分子分母")
        if entry.value is None:
            raise ValidationError(f"“{indicator.name}”请填写数值")
        if entry.value < 0:
            raise ValidationError(f"“{indicator.name}”不能为负数")
    if indicator.unit in WHOLE_UNITS:
        typed = (entry.numerator, entry.denominator) if indicator.has_fraction else (entry.value,)
        for figure in typed:
            if figure != figure.to_integral_value():
                raise ValidationError(
                    f"“{indicator.name}”以{indicator.unit_suffix}计，请填写整数（{fmt(figure)} 不是整数）"
                )
    bound_error = bounds_error(indicator, entry.value)
    if bound_error:
        raise ValidationError(f"“{indicator.name}”的数值 {fmt(entry.value)}{bound_error}")
    return entry


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    return Decimal(a) == Decimal(b)


def plan_entries(entries: list[Entry]) -> tuple[list[tuple[Entry, Value | None]], list[dict]]:
    """Validate every entry and pair it with the stored value it would change. Returns (changes, errors)."""
    errors, seen, checked = [], {}, []
    for entry in entries:
        key = (entry.indicator.pk, entry.organisation.pk, entry.period.code)
        if key in seen:
            what = f"{entry.organisation.name} {entry.indicator.name} {entry.period.code}"
            errors.append({"ref": entry.ref, "message": f"与{seen[key]}重复：{what}"})
            continue
        seen[key] = entry.ref or "前一项"
        try:
            checked.append(check_entry(entry))
        except ValidationError as exc:
            errors.append({"ref": entry.ref, "message": exc.messages[0]})
    existing = {}
    if checked:
        indicator_ids = {e.indicator.pk for e in checked}
        org_ids = {e.organisation.pk for e in checked}
        periods = {e.period.code for e in checked}
        for value in Value.objects.filter(
            indicator_id__in=indicator_ids, organisation_id__in=org_ids, period__in=periods
        ):
            existing[(value.indicator_id, value.organisation_id, value.period)] = value
    changes = [(e, existing.get((e.indicator.pk, e.organisation.pk, e.period.code))) for e in checked]
    return changes, errors


def change_kind(entry: Entry, stored: Value | None) -> str:
    if stored is None:
        return "new"
    same = (
        _same(stored.numerator, entry.numerator)
        and _same(stored.denominator, entry.denominator)
        and _same(stored.value, entry.value)
    )
    return "unchanged" if same else "update"


def entry_for(indicator: Indicator, organisation: Organisation, period: str | Period, **figures) -> Entry:
    """Convenience for scripts and tests: an Entry from plain values."""
    period = parse_period(period) if isinstance(period, str) else period
    return Entry(
        indicator,
        organisation,
        period,
        parse_number(figures.get("numerator"), "分子"),
        parse_number(figures.get("denominator"), "分母"),
        parse_number(figures.get("value"), "数值"),
        figures.get("ref", ""),
    )
