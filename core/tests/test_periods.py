from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.periods import parse_period, period_of


@pytest.mark.parametrize(
    "text, code, kind, start, end",
    [
        ("2019", "2019", "year", date(2019, 1, 1), date(2019, 12, 31)),
        ("2019年", "2019", "year", date(2019, 1, 1), date(2019, 12, 31)),
        ("2019-6", "2019-06", "month", date(2019, 6, 1), date(2019, 6, 30)),
        ("2020年2月", "2020-02", "month", date(2020, 2, 1), date(2020, 2, 29)),
        ("２０１９－０６", "2019-06", "month", date(2019, 6, 1), date(2019, 6, 30)),
        ("2019q2", "2019Q2", "quarter", date(2019, 4, 1), date(2019, 6, 30)),
        ("2019年第三季度", "2019Q3", "quarter", date(2019, 7, 1), date(2019, 9, 30)),
        ("2019H2", "2019H2", "half", date(2019, 7, 1), date(2019, 12, 31)),
        ("2019年上半年", "2019H1", "half", date(2019, 1, 1), date(2019, 6, 30)),
    ],
)
def test_periods_written_the_usual_ways(text, code, kind, start, end):
    period = parse_period(text)
    assert (period.code, period.kind, period.start, period.end) == (code, kind, start, end)


@pytest.mark.parametrize(
    "text", ["", "19", "2019-13", "2019-00", "2019Q5", "1900", "<script>", "2019H3", None]
)
def test_malformed_periods_are_refused_in_chinese(text):
    with pytest.raises(ValidationError, match="期间|年度"):
        parse_period(text)


@pytest.mark.parametrize(
    "day,kind,period,previous,bounds",
    [
        (date(2019, 6, 3), "month", "2019-06", "2019-05", (date(2019, 5, 1), date(2019, 5, 31))),
        (date(2019, 4, 2), "quarter", "2019Q2", "2019Q1", (date(2019, 1, 1), date(2019, 3, 31))),
        (date(2019, 1, 2), "quarter", "2019Q1", "2018Q4", (date(2018, 10, 1), date(2018, 12, 31))),
        (date(2019, 7, 2), "half", "2019H2", "2019H1", (date(2019, 1, 1), date(2019, 6, 30))),
        (date(2019, 1, 3), "month", "2019-01", "2018-12", (date(2018, 12, 1), date(2018, 12, 31))),
        (date(2020, 3, 1), "year", "2020", "2019", (date(2019, 1, 1), date(2019, 12, 31))),
    ],
)
def test_the_period_holding_a_day_and_the_one_before(day, kind, period, previous, bounds):
    current = period_of(day, kind)
    assert current.code == period and current.previous.code == previous
    assert (current.previous.start, current.previous.end) == bounds


def test_deadline_follows_the_setting(settings):
    settings.REPORT_DEADLINE_DAY = 5
    assert parse_period("2019-05").deadline == date(2019, 6, 5)
    assert parse_period("2019Q4").deadline == date(2020, 1, 5)
    settings.REPORT_DEADLINE_DAY = 10
    assert parse_period("2019H1").deadline == date(2019, 7, 10)
