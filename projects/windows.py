"""Reporting windows (填报期): a month's figures are entered until a deadline early in the next
month, then the month is locked. An administrator can reopen a locked month until a given day.
A zone without a deadline day has no windows: its months never lock.

Pure functions, no ORM.
"""

from datetime import date

from django.utils.translation import gettext

from .periods import add_months


def entry_deadline(year: int, month: int, deadline_day: int | None) -> date | None:
    """The last day on which figures of (year, month) can be entered: `deadline_day` of the
    next month (May 2022 with day 10 → 2022-06-10); None without a deadline day."""
    if deadline_day is None:
        return None
    return add_months(date(year, month, 1), 1).replace(day=deadline_day)


def is_locked(
    today: date, year: int, month: int, deadline_day: int | None, reopened_until: date | None = None
) -> bool:
    """True when (year, month) can no longer be entered in place on `today`."""
    deadline = entry_deadline(year, month, deadline_day)
    if deadline is None or today <= deadline:
        return False
    return reopened_until is None or today > reopened_until


def window_label(
    year: int, month: int, deadline_day: int | None, today: date, reopened_until: date | None = None
) -> str:
    """A line for the entry screen: 2022年5月 填报截止2022年6月10日(已锁定,更正须填写原因)."""
    deadline = entry_deadline(year, month, deadline_day)
    if deadline is None:
        return gettext("{year}年{month}月 未设填报截止日(不锁定)").format(year=year, month=month)
    text = gettext("{year}年{month}月 填报截止{deadline}").format(
        year=year,
        month=month,
        deadline=gettext("{year}年{month}月{day}日").format(
            year=deadline.year, month=deadline.month, day=deadline.day
        ),
    )
    if not is_locked(today, year, month, deadline_day, reopened_until):
        if today > deadline and reopened_until:
            return gettext("{text}(已重新开放至{month}月{day}日)").format(
                text=text, month=reopened_until.month, day=reopened_until.day
            )
        return gettext("{text}(可填报)").format(text=text)
    return gettext("{text}(已锁定,更正须填写原因)").format(text=text)
