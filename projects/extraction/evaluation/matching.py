"""Comparing a candidate with a gold fact: the class of a kind, numbers in canonical units, and
the one-to-one matching of candidates to gold facts."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from ...money import plain
from ..candidates import FIGURE_KINDS, Candidate, CandidateKind
from ..figures import CURRENCIES, SCALES
from .gold import Gold

# The unit's scale prefix, longest first: amounts take any of them, counts and quantities only
# 万/亿 (千瓦, 千米 and 百分点 are units of their own).
_AMOUNT_PREFIXES = tuple(sorted(SCALES.items(), key=lambda item: len(item[0]), reverse=True))
_COUNT_PREFIXES = tuple((prefix, SCALES[prefix]) for prefix in ("万亿", "亿", "万"))
_CURRENCIES = {**CURRENCIES, "人民币": "CNY"}


def kind_class(kind: str) -> str:
    """The class a kind is compared within: each figure, period and date kind is its own class."""
    return str(kind)


def _split_prefix(unit: str, prefixes: tuple[tuple[str, int], ...]) -> tuple[int, str]:
    for prefix, scale in prefixes:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return scale, unit[len(prefix) :]
    return 1, unit


def canonical(kind: str, value: Decimal | None, unit: str) -> tuple[Decimal | None, str]:
    """A figure in base units, for comparison: amounts in 元 (or dollars …) with the currency as
    unit (1.5亿元 → 150000000 CNY); counts and quantities without a 万/亿 prefix (1.2万家 →
    12000 家); percents as % or 个百分点, which differ; other units as written (倍, 分)."""
    unit = unicodedata.normalize("NFKC", unit or "").strip()
    cls = kind_class(kind)
    if cls == CandidateKind.AMOUNT:
        scale, currency = _split_prefix(unit, _AMOUNT_PREFIXES)
        if currency in SCALES:  # 10亿 written without 元
            scale, currency = dict(_AMOUNT_PREFIXES)[currency], ""
        unit = _CURRENCIES.get(currency or "元", currency)
    elif cls in (CandidateKind.COUNT, CandidateKind.QUANTITY):
        scale, unit = _split_prefix(unit, _COUNT_PREFIXES)
    elif cls == CandidateKind.PERCENT:
        scale, unit = 1, "个百分点" if "百分点" in unit else "%"
    else:
        scale = 1
    return (None if value is None else plain(value * scale)), unit


def agrees(gold: Gold, candidate: Candidate) -> bool:
    """Whether `candidate` says what `gold` says (spans aside)."""
    if kind_class(gold.kind) != kind_class(candidate.kind):
        return False
    if gold.kind in FIGURE_KINDS:
        if canonical(gold.kind, gold.value, gold.unit) != canonical(
            candidate.kind, candidate.value, candidate.unit
        ):
            return False
        if (gold.value_upper is None) != (candidate.value_upper is None):
            return False
        return gold.value_upper is None or (
            canonical(gold.kind, gold.value_upper, gold.unit)
            == canonical(candidate.kind, candidate.value_upper, candidate.unit)
        )
    if gold.kind == CandidateKind.PERIOD:
        period = candidate.period
        return period is not None and (period.start_month, period.end_month) == (
            gold.start_month,
            gold.end_month,
        )
    if gold.kind == CandidateKind.DATE:
        when = candidate.date
        return when is not None and (when.date, when.precision) == (gold.date, gold.precision)
    return True  # projects and milestones: the same kind at the same place


def _overlap(gold: Gold, candidate: Candidate) -> int:
    return min(gold.end, candidate.end) - max(gold.start, candidate.start)


def match(gold: Sequence[Gold], candidates: Sequence[Candidate]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, candidate index) of agreeing facts with overlapping spans,
    chosen greedily: the largest overlap first, then the closest span ends, then text order."""
    pairs = sorted(
        (-overlap, abs(g.start - c.start) + abs(g.end - c.end), gi, ci)
        for gi, g in enumerate(gold)
        for ci, c in enumerate(candidates)
        if (overlap := _overlap(g, c)) > 0 and agrees(g, c)
    )
    taken_gold: set[int] = set()
    taken_candidates: set[int] = set()
    found = []
    for _, _, gi, ci in pairs:
        if gi in taken_gold or ci in taken_candidates:
            continue
        taken_gold.add(gi)
        taken_candidates.add(ci)
        found.append((gi, ci))
    return sorted(found)
