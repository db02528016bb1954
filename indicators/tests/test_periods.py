from datetime import date

import pytest
from django.core.exceptions import ValidationError

from indicators.periods import parse_period


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
