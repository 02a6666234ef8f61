"""Dates and periods as Chinese reports state them.

Sources give dates at different precisions: a day (3月18日), a month (今年1月份), a quarter
(第四季度), a half (上半年) or a year. Such a date is stored as the first day of its period
together with its precision; the period's end is derived.

Figures are stated for periods of a year: a cumulative month range (1-5月, 一季度, 上半年) or a
point in time (截至5月底). `Period` holds one, `parse_period` reads what staff and articles
write. Pure functions, no ORM.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Self

from django.db.models.enums import TextChoices
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .numerals import small_number

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DatePrecision(TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年")


class MilestoneStatus(TextChoices):
    DONE = "done", _("已完成")
    DUE = "due", _("待完成")
    LATE = "late", _("逾期")
    UNSCHEDULED = "unscheduled", _("未排期")


# vocabulary: the parts of a year as the sources write them
QUARTER_NAMES = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
# vocabulary: the halves of a year as the sources write them
HALF_NAMES = {1: "上半年", 2: "下半年"}
# The parts of a year reports name, by (first month, last month): how format_period writes them.
# vocabulary: the parts of a year as the sources write them
_RANGE_NAMES = (
    {(quarter * 3 - 2, quarter * 3): name for quarter, name in QUARTER_NAMES.items()}
    | {(half * 6 - 5, half * 6): name for half, name in HALF_NAMES.items()}
    | {(1, 9): "前三季度", (1, 12): "全年"}
)
# The names parse_period and the extractor read as periods, with the other ways staff write them.
# Quarters are read with their number instead (第二季度, 2季度, q2).
# vocabulary: the periods as the sources write them
NAMED_PERIODS: dict[str, tuple[int, int]] = {
    name: months for months, name in _RANGE_NAMES.items() if name not in QUARTER_NAMES.values()
} | {
    "前3季度": (1, 9),
    "前两季度": (1, 6),
    "前二季度": (1, 6),
    "前2季度": (1, 6),
    "年度": (1, 12),
    "全年度": (1, 12),
}


def _months_in(precision: str) -> int:
    return {
        DatePrecision.MONTH: 1,
        DatePrecision.QUARTER: 3,
        DatePrecision.HALF: 6,
        DatePrecision.YEAR: 12,
    }[DatePrecision(precision)]


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before, when negative) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


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
    return add_months(period_start(day, precision), _months_in(precision)) - timedelta(days=1)


def is_period_start(day: date, precision: str) -> bool:
    """True when `day` is stored the canonical way: the first day of its period."""
    return period_start(day, precision) == day


def format_date(day: date | None, precision: str | None) -> str:
    """A date as a Chinese report writes it at its precision: 2022年3月18日, 2022年四季度 …"""
    if day is None:
        return ""
    # vocabulary: a date shown as the sources write it (data, not a message)
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
    # vocabulary: a period shown as the sources write it (data, not a message)
    if start_month is None:
        return f"{year}年{end_month}月末" if end_month != 12 else f"{year}年末"
    if name := _RANGE_NAMES.get((start_month, end_month)):
        return f"{year}年{name}"  # vocabulary: a period as the sources write it
    if start_month == end_month:
        return f"{year}年{end_month}月"  # vocabulary: a period as the sources write it
    return f"{year}年{start_month}-{end_month}月"  # vocabulary: a period as the sources write it


# A period of a year: a cumulative month range (1-5月) or a point in time (截至5月底).

MIN_YEAR, MAX_YEAR = 1949, 2200  # the same bounds as the database constraints on years

# vocabulary: the forms of a period as the sources write them
_PERIOD_EXAMPLES = "1-5月、1月至5月、5月、一季度、上半年、下半年、前三季度、全年、截至5月底"
_PERIOD_EXAMPLE = "2022年1-5月"  # vocabulary: a period as the sources write it
_PERIOD_FORMS = format_lazy(
    _("可写作 {forms}，可带年份，如 {example}"), forms=_PERIOD_EXAMPLES, example=_PERIOD_EXAMPLE
)
_AS_OF_WORD, _AS_OF_EXAMPLE = "截至", "截至5月底"  # vocabulary: a point in time as the sources write it
_EMPTY = _("内容为空；{forms}")
_NO_YEAR = _("缺少年份，请写明年份，如“{example}”")
_BAD_QUARTER = _("季度须为一至四季度")

# What could not be read: a period, a year and month, a date.
UNREADABLE_PERIOD = _("无法识别的时段“{text}”：{reason}")
UNREADABLE_YEAR_MONTH = _("无法识别的年月“{text}”：{reason}")
UNREADABLE_DATE = _("无法识别的日期“{text}”：{reason}")


class PeriodParseError(ValueError):
    """Text that is not a period (or year-month) we can read, with the reason: `why`, a message
    rendered in the language active when it is read (`reason` renders it at once), and `message`,
    the whole message `str()` renders, which `unreadable` (UNREADABLE_PERIOD …) writes."""

    def __init__(self, text: str, reason: StrOrPromise, unreadable: StrOrPromise = UNREADABLE_PERIOD) -> None:
        self.text = text
        self.why = reason
        self.message = format_lazy(unreadable, text=text, reason=reason)
        super().__init__(self.message)

    @property
    def reason(self) -> str:
        """The reason, in the active language."""
        return str(self.why)


def _invalid_reason(year: int, start_month: int | None, end_month: int) -> StrOrPromise | None:
    """Why (year, start_month, end_month) is not a period, or None when it is one."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return format_lazy(_("年份须在{first}至{last}之间"), first=MIN_YEAR, last=MAX_YEAR)
    if not 1 <= end_month <= 12 or (start_month is not None and not 1 <= start_month <= 12):
        return _("月份须在1至12之间")
    if start_month is not None and start_month > end_month:
        return _("起始月不能晚于结束月")
    return None


def _last_day(year: int, month: int) -> date:
    return period_end(date(year, month, 1), DatePrecision.MONTH)


@dataclass(frozen=True)
class Period:
    """A year with a cumulative month range, or a point in time (start_month None: the value at
    the end of end_month, as a stock is stated). Flows are reported for ranges, stocks for points."""

    year: int
    start_month: int | None
    end_month: int

    def __post_init__(self) -> None:
        reason = _invalid_reason(self.year, self.start_month, self.end_month)
        if reason is not None:
            months = (  # vocabulary: the period as the sources write it
                f"{self.end_month}月末"
                if self.start_month is None
                else f"{self.start_month}-{self.end_month}月"
            )
            raise PeriodParseError(f"{self.year}年{months}", reason)  # vocabulary: the period as written

    @classmethod
    def year_to_date(cls, year: int, month: int) -> Self:
        """January to `month`: what 1-5月 figures cover."""
        return cls(year, 1, month)

    @classmethod
    def full_year(cls, year: int) -> Self:
        return cls(year, 1, 12)

    @classmethod
    def point(cls, year: int, month: int) -> Self:
        """The end of `month` (截至5月底)."""
        return cls(year, None, month)

    @property
    def is_point(self) -> bool:
        return self.start_month is None

    @property
    def months(self) -> int:
        """Months covered; a point counts the months of the year elapsed by then (5 for 截至5月底)."""
        return self.end_month if self.start_month is None else self.end_month - self.start_month + 1

    @property
    def start_date(self) -> date:
        """First day covered; for a point, 1 January, consistent with `months` (截至5月底 = 1-5月
        when a flow is stated that way)."""
        return date(self.year, self.start_month or 1, 1)

    @property
    def end_date(self) -> date:
        return _last_day(self.year, self.end_month)

    def previous_year(self) -> Self:
        """The same months a year earlier, the base of 同比."""
        return replace(self, year=self.year - 1)

    def __str__(self) -> str:
        return format_period(self.year, self.start_month, self.end_month)


_DASH_LIKE = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣", "-") | dict.fromkeys("〜∼", "~"))
_NUMBER = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"  # vocabulary: a pattern of the sources' periods
_AS_OF = re.compile(r"(?:截至|截止至|截止到|截止)\s*")  # vocabulary: a pattern of the sources' periods
_YEAR = re.compile(r"(\d{4})\s*(年度|年)?\s*")  # vocabulary: a pattern of the sources' periods
# vocabulary: a pattern of the sources' periods
_RANGE = re.compile(rf"{_NUMBER}(?:月份?)?(?:[-~]+|至|到){_NUMBER}月份?")
# vocabulary: a pattern of the sources' periods
_YEAR_MONTH = re.compile(rf"(\d{{4}})\s*(?:[-/]\s*(\d{{1,2}})|年\s*{_NUMBER}\s*月份?)")
_MONTH = re.compile(rf"{_NUMBER}月份?")  # vocabulary: a pattern of the sources' periods
_MONTH_END = re.compile(rf"{_NUMBER}月份?[底末]")  # vocabulary: a pattern of the sources' periods
# vocabulary: a pattern of the sources' periods
_QUARTER = re.compile(rf"第?{_NUMBER}季度|q(\d{{1,2}})")


def _normalise(text: str) -> str:
    """Full-width digits, letters and tildes to ASCII, every dash to '-', lower case (q1)."""
    return unicodedata.normalize("NFKC", text).translate(_DASH_LIKE).strip().lower()


class _Unreadable(Exception):
    """Raised inside the parser with the reason; parse_period adds the text."""

    def __init__(self, reason: StrOrPromise) -> None:
        super().__init__(reason)
        self.reason = reason


def _month(token: str) -> int:
    number = small_number(token)
    if number is None:
        raise _Unreadable(_PERIOD_FORMS)
    return number


def _months_of(body: str, year_suffix: str) -> tuple[int | None, int]:
    """(start_month, end_month) of the text after the year; start_month None for a point."""
    if body in NAMED_PERIODS:
        return NAMED_PERIODS[body]
    # vocabulary: the year's end as the sources write it
    if body in ("年底", "年末") or (year_suffix == "年" and body in ("底", "末")):
        return None, 12
    if year_suffix == "年度" and not body:  # vocabulary: a whole year as the sources write it
        return 1, 12
    if match := _QUARTER.fullmatch(body):
        quarter = small_number(match.group(1) or match.group(2))
        if quarter is None or not 1 <= quarter <= 4:
            raise _Unreadable(_BAD_QUARTER)
        return quarter * 3 - 2, quarter * 3
    if match := _MONTH_END.fullmatch(body):
        return None, _month(match.group(1))
    if match := _RANGE.fullmatch(body):
        return _month(match.group(1)), _month(match.group(2))
    if match := _MONTH.fullmatch(body):
        return _month(match.group(1)), _month(match.group(1))
    raise _Unreadable(_PERIOD_FORMS)


def _split_year(text: str) -> tuple[int | None, str, str]:
    """(year, 年/年度/'', rest). Four digits are a year only before 年, a space or a non-digit:
    20221-5月 is not read as 2022年1-5月."""
    match = _YEAR.match(text)
    if match is None:
        return None, "", text
    rest = text[match.end() :]
    if match.group(2) or match.group(0) != match.group(1) or not rest[:1].isdigit():
        return int(match.group(1)), match.group(2) or "", rest
    return None, "", text


def _strip_as_of(text: str) -> tuple[bool, str]:
    """Remove a leading 截至/截止; say whether there was one."""
    match = _AS_OF.match(text)
    return (True, text[match.end() :]) if match else (False, text)


def parse_period(text: str, year: int | None = None) -> Period:
    """A period as staff and articles write it: 1-5月, 2022年1-8月, 一季度, 上半年, 截至5月底 …

    A year in the text wins over `year`. Nothing is guessed: what is not one of the accepted
    forms, or has no year anywhere, raises PeriodParseError saying why.
    """
    rest = _normalise(text)
    if not rest:
        raise PeriodParseError(text, format_lazy(_EMPTY, forms=_PERIOD_FORMS))
    as_of, rest = _strip_as_of(rest)
    stated_year, year_suffix, rest = _split_year(rest)
    if stated_year is not None and not as_of:
        as_of, rest = _strip_as_of(rest)  # 2022年截至5月底
    try:
        start_month, end_month = _months_of(re.sub(r"\s+", "", rest), year_suffix)
        if as_of and start_month is not None:
            raise _Unreadable(
                format_lazy(
                    _("“{as_of}”后须写明月底或月末，如“{example}”"), as_of=_AS_OF_WORD, example=_AS_OF_EXAMPLE
                )
            )
        year = stated_year if stated_year is not None else year
        if year is None:
            raise _Unreadable(format_lazy(_NO_YEAR, example=_PERIOD_EXAMPLE))
        if reason := _invalid_reason(year, start_month, end_month):
            raise _Unreadable(reason)
    except _Unreadable as error:
        raise PeriodParseError(text, error.reason) from None
    return Period(year, start_month, end_month)


_YEAR_MONTH_EXAMPLE = "2022年5月"  # vocabulary: a month as the sources write it


def parse_year_month(text: str) -> tuple[int, int]:
    """The year and month of an API or command parameter: 2022-05, 2022-5, 2022年5月."""
    match = _YEAR_MONTH.fullmatch(_normalise(text))
    month = small_number(match.group(2) or match.group(3)) if match else None
    if match is None or month is None:
        raise PeriodParseError(
            text,
            format_lazy(_("请写作 2022-05 或 {example}"), example=_YEAR_MONTH_EXAMPLE),
            UNREADABLE_YEAR_MONTH,
        )
    year = int(match.group(1))
    if reason := _invalid_reason(year, None, month):
        raise PeriodParseError(text, reason, UNREADABLE_YEAR_MONTH)
    return year, month


# A date at its precision: 3月18日, 2022年3月, 四季度, 上半年, 2022年 …

# vocabulary: the forms of a date as the sources write them
_DATE_EXAMPLES = "3月18日、2022年3月18日、2022-03-18、3月、一季度、上半年、2022年"
_DATE_FORMS = format_lazy(_("可写作 {forms}，可带年份"), forms=_DATE_EXAMPLES)
_DATE_EXAMPLE = "2022年3月18日"  # vocabulary: a date as the sources write it
_NUMERIC_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})(?:\2(\d{1,2}))?")
# vocabulary: a pattern of the sources' dates
_MONTH_DAY = re.compile(rf"{_NUMBER}月份?(?:{_NUMBER}[日号]?)?")
# vocabulary: a pattern of the sources' dates
_QUARTER_OF_DATE = re.compile(rf"第?{_NUMBER}季度|q(\d)")
_HALVES = {name: half * 6 - 5 for half, name in HALF_NAMES.items()}  # 上半年 → January


def _day_of(year: int, month: int, day: int) -> date:
    if not 1 <= day <= 31:
        raise _Unreadable(_("日须在1至31之间"))
    if day > _last_day(year, month).day:
        raise _Unreadable(format_lazy(_("{year}年{month}月没有{day}日"), year=year, month=month, day=day))
    return date(year, month, day)


def _daysmall_number(token: str) -> int:
    number = small_number(token)
    if number is None:
        raise _Unreadable(_DATE_FORMS)
    return number


def _date_parts(body: str, year_suffix: str) -> tuple[int | None, int | None, str]:
    """(month, day, precision) of the text after the year; month None for a whole year."""
    if not body:
        return None, None, DatePrecision.YEAR
    if body in _HALVES:
        return _HALVES[body], None, DatePrecision.HALF
    if match := _QUARTER_OF_DATE.fullmatch(body):
        quarter = small_number(match.group(1) or match.group(2))
        if quarter is None or not 1 <= quarter <= 4:
            raise _Unreadable(_BAD_QUARTER)
        return quarter * 3 - 2, None, DatePrecision.QUARTER
    if year_suffix != "年度" and (match := _MONTH_DAY.fullmatch(body)):  # vocabulary: 年度 as written
        month = _month(match.group(1))
        if match.group(2) is None:
            return month, None, DatePrecision.MONTH
        return month, _daysmall_number(match.group(2)), DatePrecision.DAY
    raise _Unreadable(_DATE_FORMS)


def _read_date(text: str, year: int | None) -> tuple[date, str]:
    if not text:
        raise _Unreadable(format_lazy(_EMPTY, forms=_DATE_FORMS))
    stated_year: int | None
    if match := _NUMERIC_DATE.fullmatch(text):
        stated_year, day_text = int(match.group(1)), match.group(4)
        parts: tuple[int | None, int | None, str] = (
            int(match.group(3)),
            None if day_text is None else int(day_text),
            DatePrecision.MONTH if day_text is None else DatePrecision.DAY,
        )
    else:
        stated_year, year_suffix, rest = _split_year(text)
        if stated_year is None and rest[:4].isdigit():
            raise _Unreadable(_DATE_FORMS)  # 20220318: the year is not marked
        parts = _date_parts(rest, year_suffix)
    year = stated_year if stated_year is not None else year
    if year is None:
        raise _Unreadable(format_lazy(_NO_YEAR, example=_DATE_EXAMPLE))
    month, day, precision = parts
    if reason := _invalid_reason(year, None, month or 1):
        raise _Unreadable(reason)
    if day is not None:
        return _day_of(year, month or 1, day), DatePrecision.DAY
    return date(year, month or 1, 1), precision


def parse_date(text: str, year: int | None = None) -> tuple[date, str]:
    """A date as staff write it, with its precision: 3月18日, 2022-03-18, 2022年3月, 四季度, 上半年,
    2022年 → (first day of that period, DatePrecision).

    A year in the text wins over `year` (the year of the period being entered). Nothing is
    guessed: what is not one of these forms, is no real day (2月30日) or has no year anywhere
    raises PeriodParseError saying why.
    """
    try:
        return _read_date(re.sub(r"\s+", "", _normalise(text)), year)
    except _Unreadable as error:
        raise PeriodParseError(text, error.reason, UNREADABLE_DATE) from None
