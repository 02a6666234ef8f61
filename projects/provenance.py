"""Checks that recorded facts are honest to their sources: each quote is where it says it is,
and each number of a fact is written in one of its quotes. Pure functions over plain values,
used by the tests of the seed fixtures and by anyone auditing imported facts."""

import re
from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .i18n import Text
from .money import plain
from .numerals import small_number

_ARABIC = re.compile(r"\d+(?:\.\d+)?")
# Numbers below 100, as ranks and months are written (一, 十二, 二十三).
# vocabulary: Chinese numerals read from the sources
_CHINESE = re.compile(r"[零一二两三四五六七八九十]+")


def numbers_in(text: str) -> set[Decimal]:
    """Every number written in `text`, in Arabic digits or small Chinese numerals."""
    found = {plain(Decimal(match)) for match in _ARABIC.findall(text.replace(",", ""))}
    for match in _CHINESE.findall(text):
        number = small_number(match)
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
    def __init__(self, message: Text) -> None:
        self.message = message  # rendered in the active language when shown
        super().__init__(message)


def locate_quote(text: str, quote: str, start: int | None = None) -> int:
    """Where `quote` stands in `text`: `start` if it is really there, else its only occurrence.

    Raises QuoteNotFound with a Chinese message when the quote is absent, or occurs several
    times and no start says which one is meant.
    """
    if not quote:
        raise QuoteNotFound(_("原文不能为空"))
    if start is not None:
        if text[start : start + len(quote)] == quote:
            return start
        raise QuoteNotFound(format_lazy(_("来源文档第{start}个字符处不是这段原文"), start=start))
    first = text.find(quote)
    if first < 0:
        raise QuoteNotFound(_("来源文档中找不到这段原文,请逐字复制"))
    if text.find(quote, first + 1) >= 0:
        raise QuoteNotFound(
            format_lazy(
                _("这段原文在来源文档中出现了{count}次,请填写起始位置或引用更长的句子"),
                count=text.count(quote),
            )
        )
    return first
