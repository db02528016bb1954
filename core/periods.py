"""Reporting periods — 2019 (year), 2019-06 (month), 2019Q2 (quarter), 2019H1 (half-year) — and their
deadlines: one pure module for progress reports, reminders and indicator figures alike.

Something reported for a period is due REPORT_DEADLINE_DAY days after the period ends (a setting).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＱＨｑｈ－", "0123456789QHqh-")
_FORMS = [
    (re.compile(r"^(\d{4})(?:年|年度)?$"), "year"),
    (re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"), "month"),
    (re.compile(r"^(\d{4})\s*(?:年\s*)?(?:[Qq]\s*([1-4])|第?([一二三四1-4])季度)$"), "quarter"),
    (re.compile(r"^(\d{4})\s*(?:年\s*)?(?:[Hh]\s*([12])|([上下])半年)$"), "half"),
]
_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "上": 1, "下": 2}


@dataclass(frozen=True)
class Period:
    code: str  # canonical: 2019, 2019-06, 2019Q2, 2019H1
    kind: str  # year / half / quarter / month
    year: int
    start: date
    end: date

    def __str__(self) -> str:
        return self.code

    @property
    def index(self) -> int:
        """1-based position in the year: the month, quarter or half."""
        return (self.start.month - 1) // MONTHS[self.kind] + 1

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年"
        if self.kind == "month":
            return f"{self.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年{'上' if self.index == 1 else '下'}半年"

    @property
    def start_moment(self) -> datetime:
        """Local midnight at the period's start: an organisation dissolved before it is not expected."""
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def deadline(self) -> date:
        """The last day on which a report or figure for this period is on time."""
        return self.end + timedelta(days=settings.REPORT_DEADLINE_DAY)

    @property
    def previous(self) -> Period:
        return period_of(self.start - timedelta(days=1), self.kind)


def build_period(year: int, kind: str, index: int = 1) -> Period:
    if not 2000 <= year <= 2100:
        raise ValidationError("年度应在 2000—2100 之间")
    span = MONTHS[kind]
    first = (index - 1) * span + 1
    last = first + span - 1
    code = {"year": f"{year}", "month": f"{year}-{index:02d}", "quarter": f"{year}Q{index}",
            "half": f"{year}H{index}"}[kind]  # fmt: skip
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
            return build_period(year, kind)
        part = next(g for g in match.groups()[1:] if g)
        index = _CN.get(part) or int(part)
        if kind == "month" and not 1 <= index <= 12:
            break
        return build_period(year, kind, index)
    raise ValidationError(f"期间“{raw[:20]}”格式有误，应为 2019、2019-06、2019Q2 或 2019H1")


def period_of(day: date, kind: str = "month") -> Period:
    """The period of the given kind that holds `day`."""
    return build_period(day.year, kind, (day.month - 1) // MONTHS[kind] + 1)


def current_period(kind: str, today: date | None = None) -> Period:
    return period_of(today or timezone.localdate(), kind)


def periods_of_year(year: int, kind: str) -> list[Period]:
    return [build_period(year, kind, i) for i in range(1, 12 // MONTHS[kind] + 1)]
