"""When a scheduled report is due, and which period it covers.

A monthly report is due on its day of the following month (the 5th: May's report on 5 June), a
quarterly report on its day of the month after the quarter (Q2's on 10 July), a weekly report on
its weekday of the following week (Monday: the week of 23–29 May on 30 May). Each report speaks
as of the end of a month, since figures are reported monthly: the month itself, the quarter's last
month, or the month in which the week ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..periods import QUARTER_NAMES, add_months, period_end

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

DAY_LABELS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


CADENCE_LABELS = {Cadence.WEEKLY: _("每周"), Cadence.MONTHLY: _("每月"), Cadence.QUARTERLY: _("每季度")}
REPORT_LABELS = {
    Cadence.WEEKLY: _("周报"),
    Cadence.MONTHLY: _("月报"),
    Cadence.QUARTERLY: _("季报"),
    "": _("临时报告"),
}
# The 5th for a month's figures; quarterly statistics come out later, so the 10th; weekly on Monday.
DEFAULT_DUE_DAY = {Cadence.WEEKLY: 1, Cadence.MONTHLY: 5, Cadence.QUARTERLY: 10}
# Every month has a 28th: a due day past it would skip February.
DUE_DAY_RANGE = {Cadence.WEEKLY: (1, 7), Cadence.MONTHLY: (1, 28), Cadence.QUARTERLY: (1, 28)}


def due_day_error(cadence: str, day: int) -> _StrPromise | None:
    """Why `day` is not a due day of `cadence` (a lazy message: rendered in either language);
    None when it is."""
    low, high = DUE_DAY_RANGE[Cadence(cadence)]
    if low <= day <= high:
        return None
    if cadence == Cadence.WEEKLY:
        return format_lazy(_("每周报告的报送日为星期几:1(周一)至7(周日),不能是{day}"), day=day)
    return format_lazy(_("报送日须在1至28日之间(每个月都有的日子),不能是{day}日"), day=day)


@dataclass(frozen=True)
class ReportPeriod:
    """The stretch of time one report covers, and the day it falls due."""

    cadence: str  # a Cadence, or "" for an on-demand report of one month
    start: date
    end: date
    due: date | None = None

    @property
    def year(self) -> int:
        return self.end.year

    @property
    def month(self) -> int:
        """The month the report speaks as of (its figures are January to this month)."""
        return self.end.month

    @property
    def as_of(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def display(self) -> str:  # vocabulary: period names as periods.py writes them (2022年5月)
        if self.cadence == Cadence.QUARTERLY:
            return f"{self.year}年第{QUARTER_NAMES[(self.month - 1) // 3 + 1]}"
        if self.cadence == Cadence.WEEKLY:
            iso_year, week, _ = self.start.isocalendar()
            return (
                f"{iso_year}年第{week}周({self.start.month}月{self.start.day}日—"
                f"{self.end.month}月{self.end.day}日)"
            )
        return f"{self.year}年{self.month}月"

    @property
    def label(self) -> str:
        return str(REPORT_LABELS[Cadence(self.cadence) if self.cadence else ""])


def month_period(year: int, month: int) -> ReportPeriod:
    """The period of an on-demand report as of the end of a month."""
    start = date(year, month, 1)
    return ReportPeriod("", start, period_end(start, "month"))


def period_containing(cadence: str, due_day: int, day: date) -> ReportPeriod:
    """The period of `cadence` that contains `day`, with its due date."""
    cadence = Cadence(cadence)
    if cadence == Cadence.WEEKLY:
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
        return ReportPeriod(cadence, start, end, end + timedelta(days=due_day))
    months = 3 if cadence == Cadence.QUARTERLY else 1
    first = date(day.year, (day.month - 1) // months * months + 1, 1)
    after = add_months(first, months)
    return ReportPeriod(cadence, first, after - timedelta(days=1), after.replace(day=due_day))


def latest_due(cadence: str, due_day: int, today: date) -> ReportPeriod:
    """The latest period whose report is due on or before `today`."""
    period = period_containing(cadence, due_day, today)
    # The period containing today is never due yet; step back until one is.
    while period.due > today or period.end >= today:
        period = period_containing(cadence, due_day, period.start - timedelta(days=1))
    return period


def next_due(cadence: str, due_day: int, today: date) -> date:
    """The first due date after `today`: when the schedule will next make a report."""
    period = latest_due(cadence, due_day, today)
    following = period_containing(cadence, due_day, period.end + timedelta(days=1))
    return following.due
