"""Dates and periods as Chinese reports state them.

Sources give dates at different precisions: a day (3月18日), a month (今年1月份), a quarter
(第四季度), a half (上半年) or a year. Such a date is stored as the first day of its period
together with its precision; the period's end is derived. Pure functions, no ORM.
"""

from datetime import date, timedelta

from django.db.models.enums import TextChoices


class DatePrecision(TextChoices):
    DAY = "day", "日"
    MONTH = "month", "月"
    QUARTER = "quarter", "季度"
    HALF = "half", "半年"
    YEAR = "year", "年"


class MilestoneStatus(TextChoices):
    DONE = "done", "已完成"
    DUE = "due", "待完成"
    LATE = "late", "逾期"
    UNSCHEDULED = "unscheduled", "未排期"


QUARTER_NAMES = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
HALF_NAMES = {1: "上半年", 2: "下半年"}


def _months_in(precision: str) -> int:
    return {
        DatePrecision.MONTH: 1,
        DatePrecision.QUARTER: 3,
        DatePrecision.HALF: 6,
        DatePrecision.YEAR: 12,
    }[DatePrecision(precision)]


def period_start(day: date, precision: str) -> date:
    """The first day of the period of `precision` that contains `day`."""
    if precision == DatePrecision.DAY:
        return day
    months = _months_in(precision)
    first_month = (day.month - 1) // months * months + 1
    return date(day.year, first_month, 1)


def period_end(day: date, precision: str) -> date:
    """The last day of the period of `precision` that contains `day`."""
    if precision == DatePrecision.DAY:
        return day
    start = period_start(day, precision)
    next_month = start.month + _months_in(precision)
    next_start = date(start.year + (next_month - 1) // 12, (next_month - 1) % 12 + 1, 1)
    return next_start - timedelta(days=1)


def is_period_start(day: date, precision: str) -> bool:
    """True when `day` is stored the canonical way: the first day of its period."""
    return period_start(day, precision) == day


def format_date(day: date | None, precision: str | None) -> str:
    """A date as a Chinese report writes it at its precision: 2022年3月18日, 2022年四季度 …"""
    if day is None:
        return ""
    match precision:
        case DatePrecision.MONTH:
            return f"{day.year}年{day.month}月"
        case DatePrecision.QUARTER:
            return f"{day.year}年{QUARTER_NAMES[(day.month - 1) // 3 + 1]}"
        case DatePrecision.HALF:
            return f"{day.year}年{HALF_NAMES[(day.month - 1) // 6 + 1]}"
        case DatePrecision.YEAR:
            return f"{day.year}年"
        case _:
            return f"{day.year}年{day.month}月{day.day}日"


def milestone_status(
    planned: date | None,
    planned_precision: str | None,
    actual: date | None,
    today: date,
) -> MilestoneStatus:
    """Done once it happened; late once the whole planned period has passed without it."""
    if actual is not None:
        return MilestoneStatus.DONE
    if planned is None:
        return MilestoneStatus.UNSCHEDULED
    if period_end(planned, planned_precision or DatePrecision.DAY) < today:
        return MilestoneStatus.LATE
    return MilestoneStatus.DUE


def late_thresholds(today: date) -> dict[str, date]:
    """For each precision, the first planned date that is not yet late on `today`.

    A planned date of precision p is late when it is before period_start(today, p): its period
    ended before today's period began. (For days: before today.) Lets the database decide
    lateness with plain comparisons.
    """
    return {p.value: period_start(today, p) for p in DatePrecision}


def format_period(year: int, start_month: int | None, end_month: int) -> str:
    """A cumulative period or a point in time as reports write it: 2022年1-5月, 2022年5月末 …"""
    if start_month is None:
        return f"{year}年{end_month}月末" if end_month != 12 else f"{year}年末"
    if (start_month, end_month) == (1, 12):
        return f"{year}年全年"
    if start_month == end_month:
        return f"{year}年{end_month}月"
    if start_month == 1 and end_month in (3, 6, 9):
        return f"{year}年" + {3: "一季度", 6: "上半年", 9: "前三季度"}[end_month]
    if (start_month, end_month) in ((4, 6), (7, 9), (10, 12)):
        return f"{year}年{QUARTER_NAMES[end_month // 3]}"
    if (start_month, end_month) == (7, 12):
        return f"{year}年下半年"
    return f"{year}年{start_month}-{end_month}月"
