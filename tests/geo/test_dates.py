from datetime import date

import pytest

from geo.dates import month_end, months_between, parse_day, parse_partial_date


@pytest.mark.parametrize("text, iso, precision", [
    ("2014-06-10", "2014-06-10", "day"),
    ("2014-06", "2014-06-01", "month"),
    ("2014", "2014-01-01", "year"),
    (" 2017-07-10 ", "2017-07-10", "day"),
])
def test_precision_comes_from_the_written_form(text, iso, precision):
    parsed = parse_partial_date(text)
    assert (parsed.iso, parsed.precision) == (iso, precision)
    assert parsed.text == text.strip()


@pytest.mark.parametrize("text, fragment", [
    ("2014-02-30", "not a real date"),
    ("2014-13", "not a real date"),
    ("10/06/2014", "YYYY-MM-DD"),
    ("2014-6-1", "YYYY-MM-DD"),
    ("1850", "outside"),
    ("", "YYYY-MM-DD"),
])
def test_bad_dates_say_why(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_partial_date(text)


def test_future_dates_are_refused():
    with pytest.raises(ValueError, match="outside"):
        parse_partial_date("2030-01-01", today=date(2026, 11, 21))


def test_parse_day_needs_a_full_date():
    assert parse_day("2015-06-01") == date(2015, 6, 1)
    with pytest.raises(ValueError):
        parse_day("2015-06")


def test_month_helpers():
    assert month_end(2016, 2) == date(2016, 2, 29)
    assert month_end(2017, 12) == date(2017, 12, 31)
    assert months_between(date(2016, 11, 5), date(2017, 2, 1)) == [(2016, 11), (2016, 12), (2017, 1), (2017, 2)]
