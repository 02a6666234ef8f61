"""When scheduled reports fall due, and which period each covers (projects/reports/cadence.py)."""

from datetime import date

import pytest

from projects.reports.cadence import (
    ReportPeriod,
    due_day_error,
    latest_due,
    month_period,
    next_due,
    period_containing,
)


@pytest.mark.parametrize(
    ("today", "start", "end", "due"),
    [
        # Due on the 5th for the month before: on 5 June, May's report.
        (date(2022, 6, 5), date(2022, 5, 1), date(2022, 5, 31), date(2022, 6, 5)),
        (date(2022, 6, 30), date(2022, 5, 1), date(2022, 5, 31), date(2022, 6, 5)),
        # The day before: still April's.
        (date(2022, 6, 4), date(2022, 4, 1), date(2022, 4, 30), date(2022, 5, 5)),
        # Across the year: December's report on 5 January.
        (date(2023, 1, 5), date(2022, 12, 1), date(2022, 12, 31), date(2023, 1, 5)),
        (date(2023, 1, 4), date(2022, 11, 1), date(2022, 11, 30), date(2022, 12, 5)),
        # February of a leap year ends on the 29th.
        (date(2024, 3, 5), date(2024, 2, 1), date(2024, 2, 29), date(2024, 3, 5)),
    ],
)
def test_monthly(today, start, end, due):
    assert latest_due("monthly", 5, today) == ReportPeriod("monthly", start, end, due)


@pytest.mark.parametrize(
    ("today", "start", "end", "due"),
    [
        (date(2022, 7, 10), date(2022, 4, 1), date(2022, 6, 30), date(2022, 7, 10)),
        (date(2022, 7, 9), date(2022, 1, 1), date(2022, 3, 31), date(2022, 4, 10)),
        (date(2022, 9, 30), date(2022, 4, 1), date(2022, 6, 30), date(2022, 7, 10)),
        (date(2023, 1, 10), date(2022, 10, 1), date(2022, 12, 31), date(2023, 1, 10)),
        (date(2023, 1, 9), date(2022, 7, 1), date(2022, 9, 30), date(2022, 10, 10)),
    ],
)
def test_quarterly(today, start, end, due):
    assert latest_due("quarterly", 10, today) == ReportPeriod("quarterly", start, end, due)


@pytest.mark.parametrize(
    ("due_day", "today", "start", "end", "due"),
    [
        # Monday (1): on Monday 30 May 2022, the week of 23-29 May.
        (1, date(2022, 5, 30), date(2022, 5, 23), date(2022, 5, 29), date(2022, 5, 30)),
        (1, date(2022, 6, 5), date(2022, 5, 23), date(2022, 5, 29), date(2022, 5, 30)),
        (1, date(2022, 5, 29), date(2022, 5, 16), date(2022, 5, 22), date(2022, 5, 23)),
        # Wednesday (3).
        (3, date(2022, 6, 1), date(2022, 5, 23), date(2022, 5, 29), date(2022, 6, 1)),
        (3, date(2022, 5, 31), date(2022, 5, 16), date(2022, 5, 22), date(2022, 5, 25)),
        # Sunday (7) of the following week.
        (7, date(2022, 6, 5), date(2022, 5, 23), date(2022, 5, 29), date(2022, 6, 5)),
    ],
)
def test_weekly(due_day, today, start, end, due):
    assert latest_due("weekly", due_day, today) == ReportPeriod("weekly", start, end, due)


def test_a_week_across_months_reports_as_of_the_month_it_ends_in():
    period = period_containing("weekly", 1, date(2022, 6, 1))
    assert (period.start, period.end) == (date(2022, 5, 30), date(2022, 6, 5))
    assert period.as_of == "2022-06"
    assert period.display == "2022年第22周(5月30日—6月5日)"


def test_displays_and_labels():
    assert latest_due("monthly", 5, date(2022, 6, 5)).display == "2022年5月"
    assert latest_due("monthly", 5, date(2022, 6, 5)).label == "月报"
    q2 = latest_due("quarterly", 10, date(2022, 7, 10))
    assert (q2.display, q2.as_of, q2.label) == ("2022年第二季度", "2022-06", "季报")
    assert month_period(2022, 5) == ReportPeriod("", date(2022, 5, 1), date(2022, 5, 31))
    assert month_period(2022, 5).label == "临时报告"


@pytest.mark.parametrize(
    ("cadence", "due_day", "today", "expected"),
    [
        ("monthly", 5, date(2022, 6, 5), date(2022, 7, 5)),
        ("monthly", 5, date(2022, 6, 4), date(2022, 6, 5)),
        ("quarterly", 10, date(2022, 7, 10), date(2022, 10, 10)),
        ("weekly", 1, date(2022, 5, 30), date(2022, 6, 6)),
        ("weekly", 1, date(2022, 5, 29), date(2022, 5, 30)),
    ],
)
def test_next_due(cadence, due_day, today, expected):
    assert next_due(cadence, due_day, today) == expected


def test_every_day_of_a_year_has_exactly_one_latest_period_that_is_due():
    """Walking day by day, the latest due period changes exactly on due dates, once a period."""
    for cadence, day in [("monthly", 5), ("quarterly", 10), ("weekly", 1), ("monthly", 28)]:
        seen, previous = [], None
        current = date(2022, 1, 1)
        while current <= date(2023, 1, 31):
            period = latest_due(cadence, day, current)
            assert period.due <= current < next_due(cadence, day, current)
            assert period.end < current
            if period != previous:
                assert period.due == current or previous is None
                seen.append(period)
                previous = period
            current = date.fromordinal(current.toordinal() + 1)
        assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("cadence", "day", "ok"),
    [
        ("monthly", 1, True),
        ("monthly", 28, True),
        ("monthly", 29, False),
        ("monthly", 0, False),
        ("quarterly", 31, False),
        ("weekly", 7, True),
        ("weekly", 8, False),
    ],
)
def test_due_day_ranges(cadence, day, ok):
    assert (due_day_error(cadence, day) is None) is ok
