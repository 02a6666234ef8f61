"""Printing: the extractor's time per article and the tables of scores, misses and false
candidates."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from time import perf_counter

from ..candidates import Candidate, CandidateKind
from ..extract import extract
from .gold import FIXTURE_NOTE, KIND_ORDER
from .scoring import Extractor, Report, Score, TextReport, _total

ARTICLE_LENGTH = 20_000
_ANY_NUMBER = re.compile(r"[0-9０-９]+|[零〇一二两三四五六七八九十百千万亿]+")


@dataclass(frozen=True)
class ArticleTiming:
    """How long reading one article of ARTICLE_LENGTH characters takes: the median of `runs`,
    beside its floor, the time merely to find every number in it with one regular expression
    (the least any extractor has to do), timed in the same run."""

    characters: int
    runs: int
    median_seconds: float
    floor_seconds: float


def article_timing(texts: Iterable[str], extractor: Extractor = extract, *, runs: int = 7) -> ArticleTiming:
    """Join `texts` (repeated as needed) into one article of ARTICLE_LENGTH characters and time it."""
    pieces = [text for text in texts if text]
    if not pieces:
        raise ValueError("no text to time")
    article = ""
    while len(article) < ARTICLE_LENGTH:
        article += "\n".join(pieces) + "\n"
    article = article[:ARTICLE_LENGTH]
    extractor(article)  # warm up: the segmenter loads its dictionary once per process

    def median_of(work: Callable[[], object]) -> float:
        times = []
        for _ in range(runs):
            started = perf_counter()
            work()
            times.append(perf_counter() - started)
        return statistics.median(times)

    return ArticleTiming(
        characters=len(article),
        runs=runs,
        median_seconds=median_of(lambda: extractor(article)),
        floor_seconds=median_of(lambda: _ANY_NUMBER.findall(article)),
    )


def render_timing(timing: ArticleTiming) -> str:
    ratio = timing.median_seconds / timing.floor_seconds if timing.floor_seconds else float("inf")
    return (
        f"{timing.characters}字的文章:提取用时中位数{timing.median_seconds * 1000:.1f}毫秒({timing.runs}次),"
        f"仅找出全部数字(下限){timing.floor_seconds * 1000:.2f}毫秒,为下限的{ratio:.0f}倍\n"
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, *, left: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return text + space if left else space + text


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}"


HEADER = ("类型", "标注", "候选", "匹配", "精确率%", "召回率%", "位置一致%")


def score_table(scores: dict[str, Score]) -> list[str]:
    """Kinds as rows (those with gold or candidates) and a 合计 row: gold, candidates, matched,
    precision, recall and exact spans in percent ("—" where not measured)."""
    rows = [HEADER]
    shown = [(kind, score) for kind, score in scores.items() if score.gold or score.candidates]
    for kind, score in [*shown, ("", _total(scores.values()))]:
        label = str(CandidateKind(kind).label) if kind else "合计"
        rows.append(
            (
                label,
                str(score.gold),
                str(score.candidates),
                str(score.matched),
                _percent(score.precision),
                _percent(score.recall),
                _percent(score.exact_span_rate),
            )
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(HEADER))]
    return [
        "  ".join(_pad(cell, widths[i], left=i == 0) for i, cell in enumerate(row)).rstrip() for row in rows
    ]


def _describe_candidate(candidate: Candidate) -> str:
    kind = CandidateKind(candidate.kind).label if candidate.kind in KIND_ORDER else candidate.kind
    return f"{kind}“{candidate.quote}”@{candidate.start}–{candidate.end}"


def render(report: Report, *, show_errors: bool = False, group: bool = False) -> str:
    """The report as text: a table per text, per group (with `group`) and in total, the
    throughput, quote exactness, and with `show_errors` each miss and false candidate."""
    lines: list[str] = []
    for text in report.texts:
        kind = "标注文本" if text.complete else "夹具"
        lines += [
            "",
            f"【{text.name}】{kind} · {text.characters}字",
            *score_table(text.kinds),
        ]
        if text.unscored:
            counted = "、".join(
                f"{CandidateKind(k).label}{text.unscored[k]}条" for k in KIND_ORDER if k in text.unscored
            )
            lines.append(f"未评分的候选(仅计数):{counted}")
    if group:
        groups: dict[str, list[TextReport]] = {}
        for text in report.texts:
            groups.setdefault(text.group, []).append(text)
        for name, members in groups.items():
            lines += ["", f"【小计 {name}】{len(members)}篇", *score_table(report.by_kind(members))]
    total = report.total
    lines += ["", f"【合计】{len(report.texts)}篇 · {report.characters}字", *score_table(report.by_kind())]
    if report.has_fixture_gold:
        fixture = _total(t.total for t in report.texts if not t.complete)
        lines += [
            f"夹具召回率:{_percent(fixture.recall)}%({fixture.matched}/{fixture.gold})",
            f"注:{FIXTURE_NOTE}",
        ]
    lines.append(f"总召回率:{_percent(total.recall)}%({total.matched}/{total.gold})")
    if total.precision is not None:
        lines.append(
            f"总精确率:{_percent(total.precision)}%({total.judged_matched}/{total.judged_candidates})"
        )
    speed = report.characters_per_second
    lines.append(
        f"提取速度:{report.characters}字用时{report.seconds:.3f}秒,每秒{speed:,.0f}字"
        if speed
        else f"提取速度:{report.characters}字,用时不足计时精度"
    )
    lines.append(
        f"原文一致:{report.quote_errors}条候选的原文与正文不一致"
        if report.quote_errors
        else "原文一致:全部候选的原文与正文第start–end字一致"
    )
    if show_errors:
        lines += ["", f"漏识({len(report.misses)}条):"]
        for miss in report.misses:
            read = (
                ";识别为 " + "、".join(_describe_candidate(c) for c in miss.read_as) if miss.read_as else ""
            )
            source = f"〔{miss.gold.source}〕" if miss.gold.source else ""
            lines.append(
                f"  [{miss.text}] {CandidateKind(miss.gold.kind).label}“{miss.gold.describe()}”"
                f"@{miss.gold.start}–{miss.gold.end}{source}{read}\n    {miss.sentence}"
            )
        lines += ["", f"误识({len(report.false_candidates)}条):"]
        for wrong in report.false_candidates:
            lines.append(f"  [{wrong.text}] {_describe_candidate(wrong.candidate)}\n    {wrong.sentence}")
    return "\n".join(lines).lstrip("\n") + "\n"
