"""Periods and dates as Chinese reports write them.

Periods are what figures are stated for: a cumulative month range (1-5月, 1月至5月, 2023年1-9月),
a named part of the year (一季度, 上半年, 前三季度, 全年) or a point in time (截至5月底).
Dates are when something happens: 3月18日, 今年6月份, 第四季度, 2024年. A year the text does not
write is the year the text speaks of (`year`), 去年 the one before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..numerals import small_number
from ..periods import NAMED_PERIODS, DatePrecision, PeriodParseError, parse_date
from .candidates import CandidateKind, DateRef, PeriodRef
from .figures import WIDTH

# vocabulary: a pattern of the sources' time phrases
_N = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_Q = r"[一二三四1-4]"  # vocabulary: a pattern of the sources' time phrases
# vocabulary: a pattern of the sources' time phrases
_YEAR = r"(?:(?:19|20)[0-9]{2}年|今年|本年|去年|上年|明年)"
# vocabulary: a pattern of the sources' time phrases
_YEAR_PREFIX = re.compile(
    r"(?:截至|截止到?|到)?(?:(?P<year>(?:19|20)[0-9]{2})年|(?P<relative>今年|本年|去年|上年|明年))"
)
_DASH = r"(?:-|~|—|–|至|到|一(?=[0-9]))"  # vocabulary: a pattern of the sources' time phrases
# vocabulary: a pattern of the sources' time phrases
_EVENT = r"(?:签约|落户|开工|动工|开建|封顶|投产|建成|竣工|试产|试生产|达产|完工|交付|投用|运营|上市)"

# vocabulary: a pattern of the sources' time phrases
TIME = re.compile(
    "|".join(
        (
            rf"(?P<point>(?:截至|截止到?|到)?{_YEAR}?(?P<point_month>{_N})月份?[底末])",
            rf"(?P<range>{_YEAR}?(?P<first>{_N})(?:月份?)?{_DASH}(?P<last>{_N})月份?)(?![0-9日号])",
            rf"(?P<named>{_YEAR}?(?P<name>前三季度|前两季度|上半年|下半年|全年))",
            rf"(?P<quarter>{_YEAR}?(?P<ordinal>第)?(?P<q>{_Q})季度)",
            rf"(?P<day>{_YEAR}?(?P<day_month>{_N})月(?P<day_of_month>[0-9]{{1,2}}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号])",
            rf"(?P<month>{_YEAR}?(?P<month_only>{_N})月份?)(?![0-9底末一二三四五六七八九十])",
            r"(?P<bare_year>(?P<only_year>(?:19|20)[0-9]{2})年)(?![0-9底末内初中度])",
        )
    )
)
# vocabulary: a pattern of the sources' time phrases
_WHEN_BEFORE = re.compile(r"(?:将于|于|在|到|预计|计划|力争|争取|确保)$")
# vocabulary: a pattern of the sources' time phrases
_WHEN_AFTER = re.compile(r"[,，]?[^,，。;；]{0,4}?(?:将|(?<![主重需只想必纲])要|计划|预计|拟)")
_EVENT_AFTER = re.compile(rf"[^,，。;；]{{0,2}}{_EVENT}")


@dataclass(frozen=True)
class TimeMention:
    kind: str
    start: int
    end: int
    period: PeriodRef | None = None
    date: DateRef | None = None
    # A quarter or half read as a date (四季度投产) could still be the period of a figure that
    # follows it (四季度还要完成投资53亿元); the reader decides with the figures at hand.
    as_period: PeriodRef | None = None


def _month(token: str) -> int:
    """A month or quarter matched by _N or _Q: 5, 05, 五, 十二."""
    number = small_number(token)
    if number is None:
        raise ValueError(f"not a month: {token}")
    return number


def _year(quote: str, year: int | None) -> int | None:
    match = _YEAR_PREFIX.match(quote)
    if match is None:
        return year
    if match["year"]:
        return int(match["year"])
    relative = match["relative"]
    if year is None:
        return None
    # vocabulary: a pattern of the sources' time phrases
    return year + {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "明年": 1}[relative]


def _is_when(text: str, start: int, end: int) -> bool:
    """A quarter or half that says when something happens (计划四季度投产) rather than the
    period a figure covers (一季度,全区实现…)."""
    before, after = text[max(0, start - 3) : start], text[end : end + 12]
    return bool(_WHEN_BEFORE.search(before) or _WHEN_AFTER.match(after) or _EVENT_AFTER.match(after))


def _mention(text: str, match: re.Match[str], year: int | None) -> TimeMention | None:
    quote = match.group()
    start, end = match.span()
    the_year = _year(quote, year)
    if match["point"]:
        return TimeMention(
            CandidateKind.PERIOD,
            start,
            end,
            period=PeriodRef(the_year, None, _month(match["point_month"]), quote),
        )
    if match["range"]:
        first, last = _month(match["first"]), _month(match["last"])
        if first >= last:
            return None
        return TimeMention(CandidateKind.PERIOD, start, end, period=PeriodRef(the_year, first, last, quote))
    if match["named"]:
        first, last = NAMED_PERIODS[match["name"]]
        # vocabulary: a pattern of the sources' time phrases
        if match["name"] in ("上半年", "下半年") and _is_when(text, start, end):
            day = date(the_year, first, 1) if the_year else None
            return TimeMention(
                CandidateKind.DATE,
                start,
                end,
                date=DateRef(day, DatePrecision.HALF, quote),
                as_period=PeriodRef(the_year, first, last, quote),
            )
        return TimeMention(CandidateKind.PERIOD, start, end, period=PeriodRef(the_year, first, last, quote))
    if match["quarter"]:
        quarter = _month(match["q"])
        if match["ordinal"] or _is_when(text, start, end):
            day = date(the_year, quarter * 3 - 2, 1) if the_year else None
            return TimeMention(
                CandidateKind.DATE,
                start,
                end,
                date=DateRef(day, DatePrecision.QUARTER, quote),
                as_period=None
                if match["ordinal"]
                else PeriodRef(the_year, quarter * 3 - 2, quarter * 3, quote),
            )
        return TimeMention(
            CandidateKind.PERIOD, start, end, period=PeriodRef(the_year, quarter * 3 - 2, quarter * 3, quote)
        )
    if match["day"]:
        month, day_text = _month(match["day_month"]), match["day_of_month"]
        if the_year is None:
            return TimeMention(CandidateKind.DATE, start, end, date=DateRef(None, DatePrecision.DAY, quote))
        try:
            # vocabulary: a pattern of the sources' time phrases
            day, precision = parse_date(f"{month}月{day_text}日", the_year)
        except PeriodParseError:
            return None
        return TimeMention(CandidateKind.DATE, start, end, date=DateRef(day, precision, quote))
    if match["month"]:
        month = _month(match["month_only"])
        day = date(the_year, month, 1) if the_year else None
        return TimeMention(CandidateKind.DATE, start, end, date=DateRef(day, DatePrecision.MONTH, quote))
    only_year = int(match["only_year"])
    return TimeMention(
        CandidateKind.DATE, start, end, date=DateRef(date(only_year, 1, 1), DatePrecision.YEAR, quote)
    )


def scan_times(text: str, year: int | None = None) -> list[TimeMention]:
    """Every period and date in `text`, in order."""
    normal = text.translate(WIDTH)
    found = []
    for match in TIME.finditer(normal):
        mention = _mention(normal, match, year)
        if mention is not None:
            found.append(mention)
    return found
