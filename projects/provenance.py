"""Checks that recorded facts are honest to their sources: each quote is where it says it is,
and each number of a fact is written in one of its quotes. Pure functions over plain values,
used by the tests of the seed fixtures and by anyone auditing imported facts."""

import re
from decimal import Decimal

from .money import plain

_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE = re.compile(r"[零一二两三四五六七八九十]+")


def _chinese_to_int(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (numbers below 100, as ranks and months are)."""
    if "十" not in text:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[units] if units else 0)


def numbers_in(text: str) -> set[Decimal]:
    """Every number written in `text`, in Arabic digits or small Chinese numerals."""
    found = {plain(Decimal(match)) for match in _ARABIC.findall(text.replace(",", ""))}
    for match in _CHINESE.findall(text):
        number = _chinese_to_int(match)
        if number is not None:
            found.add(Decimal(number))
    return found


def quote_is_at_offset(text: str, quote: str, start: int, end: int) -> bool:
    return end == start + len(quote) and text[start:end] == quote


def missing_numbers(fact_numbers: set[Decimal], quotes: list[str]) -> set[Decimal]:
    """The numbers of a fact that none of its quotes writes."""
    written: set[Decimal] = set()
    for quote in quotes:
        written |= numbers_in(quote)
    return {plain(n) for n in fact_numbers} - written


class QuoteNotFound(ValueError):
    pass


def locate_quote(text: str, quote: str, start: int | None = None) -> int:
    """Where `quote` stands in `text`: `start` if it is really there, else its only occurrence.

    Raises QuoteNotFound with a Chinese message when the quote is absent, or occurs several
    times and no start says which one is meant.
    """
    if not quote:
        raise QuoteNotFound("原文不能为空")
    if start is not None:
        if text[start : start + len(quote)] == quote:
            return start
        raise QuoteNotFound(f"来源文档第{start}个字符处不是这段原文")
    first = text.find(quote)
    if first < 0:
        raise QuoteNotFound("来源文档中找不到这段原文,请逐字复制")
    if text.find(quote, first + 1) >= 0:
        raise QuoteNotFound(f"这段原文在来源文档中出现了{text.count(quote)}次,请填写起始位置或引用更长的句子")
    return first
