"""Reporting periods of indicators: 2019 (year), 2019-06 (month), 2019Q2 (quarter), 2019H1 (half-year)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＱＨｑｈ－", "0123456789QHqh-")
_FORMS = [
    (re.compile(r"^(\d{4})(?:年|年度)?$"), "year"),
    (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"), "month"),
    (re.compile(r"^(\d{4})\s*(?:年\s*)?(?:[Qq]\s*([1-4])|第?([一二三四1-4])季度)$"), "quarter"),
    (re.compile(r"^(\d{4})\s*(?:年\s*)?(?:[Hh]\s*([12])|([上下])半年)$"), "half"),
]
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2}
MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}
LABELS = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月度"}


@dataclass(frozen=True)
class Period:
    code: str  # canonical: 2019, 2019-06, 2019Q2, 2019H1
    kind: str  # year / half / quarter / month
    year: int
    start: date
    end: date

    @property
    def start_moment(self) -> datetime:
        """Local midnight at the period's start: an organisation dissolved before it is not expected."""
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年"
        if self.kind == "month":
            return f"{self.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.year}年{'上' if self.start.month == 1 else '下'}半年"

    @property
    def deadline(self) -> date:
        """Figures are due on the Nth day after the period ends (REPORT_DEADLINE_DAY, default 5)."""
        return self.end + timedelta(days=int(getattr(settings, "REPORT_DEADLINE_DAY", 5)))


def _build(year: int, kind: str, index: int) -> Period:
    if not 2000 <= year <= 2100:
        raise ValidationError("年度应在 2000—2100 之间")
    span = MONTHS[kind]
    first = (index - 1) * span + 1
    last = first + span - 1
    code = {
        "year": f"{year}",
        "month": f"{year}-{index:02d}",
        "quarter": f"{year}Q{index}",
        "half": f"{year}H{index}",
    }[kind]
    return Period(
        code, kind, year, date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
    )


def parse_period(text) -> Period:
    """Read a period written in any of the usual ways (2019-6, 2019年6月, 2019q2, 2019年上半年 …)."""
    raw = str(text if text is not None else "").strip().translate(_FULL_WIDTH)
    if isinstance(text, (date, datetime)):
        raw = f"{text.year}-{text.month:02d}"
    for pattern, kind in _FORMS:
        match = pattern.match(raw)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "year":
            return _build(year, kind, 1)
        part = next(g for g in match.groups()[1:] if g)
        index = _CN.get(part) or int(part)
        if kind == "month" and not 1 <= index <= 12:
            break
        return _build(year, kind, index)
    raise ValidationError(f"期间“{raw[:20]}”格式有误，应为 2019、2019-06、2019Q2 或 2019H1")


def periods_of_year(year: int, kind: str) -> list[Period]:
    return [_build(year, kind, i) for i in range(1, 12 // MONTHS[kind] + 1)]


def current_period(kind: str, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return _build(today.year, kind, (today.month - 1) // MONTHS[kind] + 1)
