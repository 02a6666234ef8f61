"""Dates and periods as Chinese reports state them.

Sources give dates at different precisions: a day (3月18日), a month (今年1月份), a quarter
(第四季度), a half (上半年) or a year. Such a date is stored as the first day of its period
together with its precision; the period's end is derived.

Figures are stated for periods of a year: a cumulative month range (1-5月, 一季度, 上半年) or a
point in time (截至5月底). `Period` holds one, `parse_period` reads what staff and articles
write. Pure functions, no ORM.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Self

from django.db.models.enums import TextChoices

from .numerals import small_number


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
# The parts of a year reports name, by (first month, last month): how format_period writes them.
_RANGE_NAMES = (
    {(quarter * 3 - 2, quarter * 3): name for quarter, name in QUARTER_NAMES.items()}
    | {(half * 6 - 5, half * 6): name for half, name in HALF_NAMES.items()}
    | {(1, 9): "前三季度", (1, 12): "全年"}
)
# The names parse_period and the extractor read as periods, with the other ways staff write them.
# Quarters are read with their number instead (第二季度, 2季度, q2).
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
    if name := _RANGE_NAMES.get((start_month, end_month)):
        return f"{year}年{name}"
    if start_month == end_month:
        return f"{year}年{end_month}月"
    return f"{year}年{start_month}-{end_month}月"


# A period of a year: a cumulative month range (1-5月) or a point in time (截至5月底).

MIN_YEAR, MAX_YEAR = 1949, 2200  # the same bounds as the database constraints on years

_PERIOD_FORMS = (
    "可写作 1-5月、1月至5月、5月、一季度、上半年、下半年、前三季度、全年、截至5月底，可带年份，如 2022年1-5月"
)


class PeriodParseError(ValueError):
    """Text that is not a period (or year-month) we can read, with the reason in Chinese."""

    def __init__(self, text: str, reason: str, what: str = "时段") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"无法识别的{what}“{text}”：{reason}")


def _invalid_reason(year: int, start_month: int | None, end_month: int) -> str | None:
    """Why (year, start_month, end_month) is not a period, or None when it is one."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"年份须在{MIN_YEAR}至{MAX_YEAR}之间"
    if not 1 <= end_month <= 12 or (start_month is not None and not 1 <= start_month <= 12):
        return "月份须在1至12之间"
    if start_month is not None and start_month > end_month:
        return "起始月不能晚于结束月"
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
        if reason:
            months = (
                f"{self.end_month}月末"
                if self.start_month is None
                else f"{self.start_month}-{self.end_month}月"
            )
            raise PeriodParseError(f"{self.year}年{months}", reason)

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
_NUMBER = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_AS_OF = re.compile(r"(?:截至|截止至|截止到|截止)\s*")
_YEAR = re.compile(r"(\d{4})\s*(年度|年)?\s*")
_RANGE = re.compile(rf"{_NUMBER}(?:月份?)?(?:[-~]+|至|到){_NUMBER}月份?")
_YEAR_MONTH = re.compile(rf"(\d{{4}})\s*(?:[-/]\s*(\d{{1,2}})|年\s*{_NUMBER}\s*月份?)")
_MONTH = re.compile(rf"{_NUMBER}月份?")
_MONTH_END = re.compile(rf"{_NUMBER}月份?[底末]")
_QUARTER = re.compile(rf"第?{_NUMBER}季度|q(\d{{1,2}})")


def _normalise(text: str) -> str:
    """Full-width digits, letters and tildes to ASCII, every dash to '-', lower case (q1)."""
    return unicodedata.normalize("NFKC", text).translate(_DASH_LIKE).strip().lower()


class _Unreadable(Exception):
    """Raised inside the parser with the reason; parse_period adds the text."""


def _month(token: str) -> int:
    number = small_number(token)
    if number is None:
        raise _Unreadable(_PERIOD_FORMS)
    return number


def _months_of(body: str, year_suffix: str) -> tuple[int | None, int]:
    """(start_month, end_month) of the text after the year; start_month None for a point."""
    if body in NAMED_PERIODS:
        return NAMED_PERIODS[body]
    if body in ("年底", "年末") or (year_suffix == "年" and body in ("底", "末")):
        return None, 12
    if year_suffix == "年度" and not body:
        return 1, 12
    if match := _QUARTER.fullmatch(body):
        quarter = small_number(match.group(1) or match.group(2))
        if quarter is None or not 1 <= quarter <= 4:
            raise _Unreadable("季度须为一至四季度")
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
        raise PeriodParseError(text, f"内容为空；{_PERIOD_FORMS}")
    as_of, rest = _strip_as_of(rest)
    stated_year, year_suffix, rest = _split_year(rest)
    if stated_year is not None and not as_of:
        as_of, rest = _strip_as_of(rest)  # 2022年截至5月底
    try:
        start_month, end_month = _months_of(re.sub(r"\s+", "", rest), year_suffix)
        if as_of and start_month is not None:
            raise _Unreadable("“截至”后须写明月底或月末，如“截至5月底”")
        year = stated_year if stated_year is not None else year
        if year is None:
            raise _Unreadable("缺少年份，请写明年份，如“2022年1-5月”")
        if reason := _invalid_reason(year, start_month, end_month):
            raise _Unreadable(reason)
    except _Unreadable as error:
        raise PeriodParseError(text, str(error)) from None
    return Period(year, start_month, end_month)


def parse_year_month(text: str) -> tuple[int, int]:
    """The year and month of an API or command parameter: 2022-05, 2022-5, 2022年5月."""
    match = _YEAR_MONTH.fullmatch(_normalise(text))
    month = small_number(match.group(2) or match.group(3)) if match else None
    if match is None or month is None:
        raise PeriodParseError(text, "请写作 2022-05 或 2022年5月", what="年月")
    year = int(match.group(1))
    if reason := _invalid_reason(year, None, month):
        raise PeriodParseError(text, reason, what="年月")
    return year, month


# A date at its precision: 3月18日, 2022年3月, 四季度, 上半年, 2022年 …

_DATE_FORMS = "可写作 3月18日、2022年3月18日、2022-03-18、3月、一季度、上半年、2022年，可带年份"
_NUMERIC_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})(?:\2(\d{1,2}))?")
_MONTH_DAY = re.compile(rf"{_NUMBER}月份?(?:{_NUMBER}[日号]?)?")
_QUARTER_OF_DATE = re.compile(rf"第?{_NUMBER}季度|q(\d)")
_HALVES = {name: half * 6 - 5 for half, name in HALF_NAMES.items()}  # 上半年 → January


def _day_of(year: int, month: int, day: int) -> date:
    if not 1 <= day <= 31:
        raise _Unreadable("日须在1至31之间")
    if day > _last_day(year, month).day:
        raise _Unreadable(f"{year}年{month}月没有{day}日")
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
            raise _Unreadable("季度须为一至四季度")
        return quarter * 3 - 2, None, DatePrecision.QUARTER
    if year_suffix != "年度" and (match := _MONTH_DAY.fullmatch(body)):
        month = _month(match.group(1))
        if match.group(2) is None:
            return month, None, DatePrecision.MONTH
        return month, _daysmall_number(match.group(2)), DatePrecision.DAY
    raise _Unreadable(_DATE_FORMS)


def _read_date(text: str, year: int | None) -> tuple[date, str]:
    if not text:
        raise _Unreadable(f"内容为空；{_DATE_FORMS}")
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
        raise _Unreadable("缺少年份，请写明年份，如“2022年3月18日”")
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
        raise PeriodParseError(text, str(error), what="日期") from None
