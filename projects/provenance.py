"""Checks that recorded facts are honest to their sources: each quote is where it says it is,
and each number of a fact is written in one of its quotes. Pure functions over plain values,
used by the tests of the seed fixtures and by anyone auditing imported facts."""

import re
from decimal import Decimal

from .money import plain

_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CHINESE_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
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
