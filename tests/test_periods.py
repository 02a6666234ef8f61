from datetime import date

import pytest

from projects.periods import (
    DatePrecision,
    MilestoneStatus,
    format_date,
    format_period,
    is_period_start,
    milestone_status,
    period_end,
    period_start,
)


@pytest.mark.parametrize(
    ("day", "precision", "start", "end"),
    [
        (date(2022, 3, 18), DatePrecision.DAY, date(2022, 3, 18), date(2022, 3, 18)),
        (date(2022, 2, 10), DatePrecision.MONTH, date(2022, 2, 1), date(2022, 2, 28)),
        (date(2024, 2, 10), DatePrecision.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        (date(2022, 11, 5), DatePrecision.QUARTER, date(2022, 10, 1), date(2022, 12, 31)),
        (date(2022, 5, 31), DatePrecision.HALF, date(2022, 1, 1), date(2022, 6, 30)),
        (date(2022, 7, 1), DatePrecision.HALF, date(2022, 7, 1), date(2022, 12, 31)),
        (date(2022, 7, 1), DatePrecision.YEAR, date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_period_bounds(day, precision, start, end):
    assert period_start(day, precision) == start
    assert period_end(day, precision) == end


def test_only_the_first_day_is_the_canonical_date_of_a_month():
    assert is_period_start(date(2023, 3, 1), DatePrecision.MONTH)
    assert not is_period_start(date(2023, 3, 2), DatePrecision.MONTH)
    assert is_period_start(date(2023, 3, 2), DatePrecision.DAY)


@pytest.mark.parametrize(
    ("day", "precision", "text"),
    [
        (date(2022, 3, 18), DatePrecision.DAY, "2022年3月18日"),
        (date(2022, 1, 1), DatePrecision.MONTH, "2022年1月"),
        (date(2022, 10, 1), DatePrecision.QUARTER, "2022年四季度"),
        (date(2024, 7, 1), DatePrecision.HALF, "2024年下半年"),
        (date(2024, 1, 1), DatePrecision.YEAR, "2024年"),
    ],
)
def test_dates_are_written_at_their_precision(day, precision, text):
    assert format_date(day, precision) == text


@pytest.mark.parametrize(
    ("period", "text"),
    [
        ((2022, 1, 5), "2022年1-5月"),
        ((2022, 1, 3), "2022年一季度"),
        ((2022, 1, 6), "2022年上半年"),
        ((2023, 1, 9), "2023年前三季度"),
        ((2023, 1, 12), "2023年全年"),
        ((2022, 4, 6), "2022年二季度"),
        ((2022, 6, 6), "2022年6月"),
        ((2022, None, 5), "2022年5月末"),
        ((2023, None, 12), "2023年末"),
    ],
)
def test_periods_are_written_as_reports_write_them(period, text):
    assert format_period(*period) == text


def test_milestone_reached_is_done_even_if_it_was_late():
    assert (
        milestone_status(date(2020, 1, 1), "month", date(2022, 3, 18), date(2022, 6, 1))
        == MilestoneStatus.DONE
    )


def test_milestone_planned_for_a_month_is_late_only_after_that_month():
    planned = date(2023, 3, 1)
    assert milestone_status(planned, "month", None, date(2023, 3, 31)) == MilestoneStatus.DUE
    assert milestone_status(planned, "month", None, date(2023, 4, 1)) == MilestoneStatus.LATE


def test_milestone_planned_for_a_quarter_is_due_until_the_quarter_ends():
    planned = date(2022, 10, 1)
    assert milestone_status(planned, "quarter", None, date(2022, 12, 31)) == MilestoneStatus.DUE
    assert milestone_status(planned, "quarter", None, date(2023, 1, 1)) == MilestoneStatus.LATE


def test_milestone_without_dates_is_unscheduled():
    assert milestone_status(None, "", None, date(2022, 1, 1)) == MilestoneStatus.UNSCHEDULED
