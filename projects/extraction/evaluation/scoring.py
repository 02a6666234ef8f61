"""The scores: per kind and per text, the misses and false candidates, and evaluate(), which
runs the extractor over the gold texts and scores it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from ..candidates import FIGURE_KINDS, TIME_KINDS, Candidate
from ..extract import extract, sentences
from .gold import FIXTURE_NOTE, KIND_ORDER, AnnotatedText, Gold
from .matching import _overlap, match

Extractor = Callable[..., list[Candidate]]

DEFAULT_KINDS = frozenset(FIGURE_KINDS | TIME_KINDS)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Score:
    """Counts for one kind (or all) over one text (or several). Precision and span exactness are
    measured on `judged` texts only (those annotated completely); recall on all."""

    gold: int = 0
    candidates: int = 0
    matched: int = 0
    judged_candidates: int = 0
    judged_matched: int = 0
    exact_spans: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.judged_matched, self.judged_candidates)

    @property
    def recall(self) -> float | None:
        return _ratio(self.matched, self.gold)

    @property
    def exact_span_rate(self) -> float | None:
        return _ratio(self.exact_spans, self.judged_matched)

    def add(self, other: Score) -> None:
        for name in ("gold", "candidates", "matched", "judged_candidates", "judged_matched", "exact_spans"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "candidates": self.candidates,
            "matched": self.matched,
            "precision": self.precision,
            "recall": self.recall,
            "exact_spans": self.exact_spans,
            "exact_span_rate": self.exact_span_rate,
        }


def _total(scores: Iterable[Score]) -> Score:
    total = Score()
    for score in scores:
        total.add(score)
    return total


@dataclass(frozen=True)
class Miss:
    """A gold fact no candidate matched; `read_as`: candidates overlapping it (a wrong unit or
    value shows here)."""

    text: str
    gold: Gold
    sentence: str
    read_as: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class FalseCandidate:
    """A candidate of a completely annotated text that matched no gold fact."""

    text: str
    candidate: Candidate
    sentence: str


@dataclass
class TextReport:
    """The scores of one text, by kind."""

    name: str
    complete: bool
    group: str
    characters: int
    seconds: float
    kinds: dict[str, Score]
    unscored: dict[str, int] = field(default_factory=dict)  # candidates of kinds not scored here
    quote_errors: int = 0  # candidates whose quote is not text[start:end]

    @property
    def total(self) -> Score:
        return _total(self.kinds.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "complete": self.complete,
            "group": self.group,
            "characters": self.characters,
            "seconds": self.seconds,
            "kinds": {kind: score.to_dict() for kind, score in self.kinds.items()},
            "total": self.total.to_dict(),
            "unscored": self.unscored,
            "quote_errors": self.quote_errors,
        }


@dataclass
class Report:
    """The scores of every text, and what was missed or wrongly proposed."""

    kinds: tuple[str, ...]
    texts: list[TextReport] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    false_candidates: list[FalseCandidate] = field(default_factory=list)

    def by_kind(self, texts: Iterable[TextReport] | None = None) -> dict[str, Score]:
        chosen = list(self.texts if texts is None else texts)
        found = {kind: _total(t.kinds[kind] for t in chosen if kind in t.kinds) for kind in KIND_ORDER}
        return {kind: score for kind, score in found.items() if any(kind in t.kinds for t in chosen)}

    @property
    def total(self) -> Score:
        return _total(t.total for t in self.texts)

    @property
    def characters(self) -> int:
        return sum(t.characters for t in self.texts)

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.texts)

    @property
    def characters_per_second(self) -> float | None:
        return self.characters / self.seconds if self.seconds else None

    @property
    def quote_errors(self) -> int:
        return sum(t.quote_errors for t in self.texts)

    @property
    def has_fixture_gold(self) -> bool:
        return any(not t.complete for t in self.texts)

    def shortfalls(self, *, min_recall: float | None = None, min_precision: float | None = None) -> list[str]:
        """What misses the given thresholds over all texts, in Chinese (empty: all met)."""
        total, found = self.total, []
        if min_recall is not None:
            if total.recall is None:
                found.append("无法检验召回率:所选类型没有标注事实")
            elif total.recall < min_recall:
                found.append(f"召回率 {total.recall:.2%} 低于要求的 {min_recall:.2%}")
        if min_precision is not None:
            if total.precision is None:
                found.append("无法检验精确率:没有完整标注的文本(夹具不计精确率)或没有候选")
            elif total.precision < min_precision:
                found.append(f"精确率 {total.precision:.2%} 低于要求的 {min_precision:.2%}")
        if (min_recall is not None or min_precision is not None) and self.quote_errors:
            found.append(f"{self.quote_errors}条候选的原文与正文不一致")
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "texts": [t.to_dict() for t in self.texts],
            "by_kind": {kind: score.to_dict() for kind, score in self.by_kind().items()},
            "total": self.total.to_dict(),
            "characters": self.characters,
            "seconds": self.seconds,
            "characters_per_second": self.characters_per_second,
            "quote_errors": self.quote_errors,
            "fixture_note": FIXTURE_NOTE if self.has_fixture_gold else "",
            "misses": [
                {
                    "text": m.text,
                    "kind": m.gold.kind,
                    "fact": m.gold.describe(),
                    "start": m.gold.start,
                    "end": m.gold.end,
                    "source": m.gold.source,
                    "sentence": m.sentence,
                    "read_as": [c.to_dict() for c in m.read_as],
                }
                for m in self.misses
            ],
            "false_candidates": [
                {"text": f.text, "candidate": f.candidate.to_dict(), "sentence": f.sentence}
                for f in self.false_candidates
            ],
        }


def _sentence(spans: list[tuple[int, int]], text: str, start: int, end: int) -> str:
    for begin, finish in spans:
        if begin <= start < finish:
            return text[begin : max(finish, end)]
    return text[start:end]


def evaluate(
    texts: Iterable[AnnotatedText], extractor: Extractor = extract, *, kinds: Iterable[str] | None = None
) -> Report:
    """Run `extractor(text, year=…)` on each text and score its candidates of `kinds` (default:
    the figure and time kinds; project and milestone candidates are scored only in texts that
    annotate them, else counted). The time spent in the extractor is the throughput."""
    chosen = frozenset(kinds) if kinds is not None else DEFAULT_KINDS
    report = Report(kinds=tuple(kind for kind in KIND_ORDER if kind in chosen))
    for annotated in texts:
        started = perf_counter()
        candidates = extractor(annotated.text, year=annotated.year)
        seconds = perf_counter() - started
        text = annotated.text
        annotated_kinds = {g.kind for g in annotated.facts}
        scored = [k for k in report.kinds if k in DEFAULT_KINDS or k in annotated_kinds]
        gold = [g for g in annotated.facts if g.kind in scored]
        scoring = [c for c in candidates if c.kind in scored]
        pairs = match(gold, scoring)
        matched_gold = {gi for gi, _ in pairs}
        matched_candidates = {ci for _, ci in pairs}

        scores = {kind: Score() for kind in scored}
        for g in gold:
            scores[g.kind].gold += 1
        for c in scoring:
            scores[c.kind].candidates += 1
            if annotated.complete:
                scores[c.kind].judged_candidates += 1
        for gi, ci in pairs:
            score = scores[gold[gi].kind]
            score.matched += 1
            if annotated.complete:
                score.judged_matched += 1
                if (gold[gi].start, gold[gi].end) == (scoring[ci].start, scoring[ci].end):
                    score.exact_spans += 1

        spans = sentences(text)
        for gi, g in enumerate(gold):
            if gi not in matched_gold:
                near = tuple(c for c in candidates if _overlap(g, c) > 0)
                report.misses.append(Miss(annotated.name, g, _sentence(spans, text, g.start, g.end), near))
        if annotated.complete:
            for ci, c in enumerate(scoring):
                if ci not in matched_candidates:
                    sentence = text[c.sentence_start : c.sentence_end]
                    report.false_candidates.append(FalseCandidate(annotated.name, c, sentence))

        report.texts.append(
            TextReport(
                name=annotated.name,
                complete=annotated.complete,
                group=annotated.group,
                characters=len(text),
                seconds=seconds,
                kinds=scores,
                unscored=dict(Counter(str(c.kind) for c in candidates if c.kind not in scored)),
                quote_errors=sum(1 for c in candidates if text[c.start : c.end] != c.quote),
            )
        )
    return report
