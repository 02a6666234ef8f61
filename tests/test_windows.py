"""Reporting windows (projects.windows): open until the deadline in the next month, then locked,
unless an administrator reopened the month."""

from datetime import date

import pytest

from projects.windows import entry_deadline, is_locked, window_label


@pytest.mark.parametrize(
    ("year", "month", "day", "deadline"),
    [
        (2022, 5, 10, date(2022, 6, 10)),
        (2022, 11, 28, date(2022, 12, 28)),
        (2022, 12, 10, date(2023, 1, 10)),  # December's figures are entered in January
        (2024, 1, 1, date(2024, 2, 1)),
    ],
)
def test_deadline_is_in_the_next_month(year, month, day, deadline):
    assert entry_deadline(year, month, day) == deadline


@pytest.mark.parametrize(
    ("today", "locked"),
    [
        (date(2022, 5, 15), False),  # the month itself
        (date(2022, 6, 10), False),  # the deadline day is still open
        (date(2022, 6, 11), True),
        (date(2023, 1, 1), True),
    ],
)
def test_month_locks_after_its_deadline(today, locked):
    assert is_locked(today, 2022, 5, 10) is locked


def test_reopening_opens_a_locked_month_until_its_day():
    assert is_locked(date(2022, 6, 20), 2022, 5, 10, reopened_until=date(2022, 6, 25)) is False
    assert is_locked(date(2022, 6, 25), 2022, 5, 10, reopened_until=date(2022, 6, 25)) is False
    assert is_locked(date(2022, 6, 26), 2022, 5, 10, reopened_until=date(2022, 6, 25)) is True
    # A reopening that ended before the deadline does not shorten the window.
    assert is_locked(date(2022, 6, 5), 2022, 5, 10, reopened_until=date(2022, 6, 1)) is False


def test_window_label_says_the_state():
    assert window_label(2022, 5, 10, date(2022, 6, 5)) == "2022年5月 填报截止2022年6月10日(可填报)"
    locked = window_label(2022, 5, 10, date(2022, 6, 11))
    assert locked == "2022年5月 填报截止2022年6月10日(已锁定,更正须填写原因)"
    assert (
        window_label(2022, 5, 10, date(2022, 6, 20), date(2022, 6, 25))
        == "2022年5月 填报截止2022年6月10日(已重新开放至6月25日)"
    )
    assert window_label(2022, 12, 5, date(2022, 12, 20)) == "2022年12月 填报截止2023年1月5日(可填报)"


def test_zone_without_a_deadline_never_locks():
    assert entry_deadline(2022, 5, None) is None
    assert is_locked(date(2030, 1, 1), 2022, 5, None) is False
    assert window_label(2022, 5, None, date(2030, 1, 1)) == "2022年5月 未设填报截止日(不锁定)"
