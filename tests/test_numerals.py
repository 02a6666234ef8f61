from datetime import date

import pytest

from projects.numerals import small_number
from projects.periods import NAMED_PERIODS, Period, add_months, format_period, parse_period


@pytest.mark.parametrize(
    ("token", "number"),
    [
        ("5", 5),
        ("05", 5),
        ("12", 12),
        ("零", 0),
        ("五", 5),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("九十九", 99),
    ],
)
def test_small_numbers_are_read_as_months_days_and_ranks_are_written(token, number):
    assert small_number(token) == number


@pytest.mark.parametrize("token", ["十十", "一二三", "二零二二", "十二五", "一百", "", "五十十"])
def test_what_is_no_number_below_a_hundred_is_not_read(token):
    # cn2an would read 一二三 as 123 and 二零二二 as 2022: these are years and codes, not months.
    assert small_number(token) is None


@pytest.mark.parametrize(
    ("day", "months", "first"),
    [
        ("2022-05-18", 1, "2022-06-01"),
        ("2022-12-31", 1, "2023-01-01"),
        ("2022-01-01", -1, "2021-12-01"),
        ("2022-07-01", 6, "2023-01-01"),
        ("2022-03-10", -15, "2020-12-01"),
        ("2022-03-10", 0, "2022-03-01"),
    ],
)
def test_months_are_added_across_years(day, months, first):
    assert add_months(date.fromisoformat(day), months) == date.fromisoformat(first)


@pytest.mark.parametrize("name", ["上半年", "下半年", "前三季度", "全年"])
def test_a_named_period_is_written_with_the_name_it_is_read_from(name):
    start, end = NAMED_PERIODS[name]
    assert format_period(2022, start, end) == f"2022年{name}"
    assert parse_period(f"2022年{name}") == Period(2022, start, end)
