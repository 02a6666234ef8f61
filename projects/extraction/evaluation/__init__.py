"""How well the extractor reads: its candidates scored against texts whose facts are known.

Gold facts come from two places:
- annotated texts (tests/extraction_corpus/*/*.json): every figure, period and date of the text
  marked with its exact quote; a candidate they lack is a false candidate;
- the seed fixture (fixtures/seeds.yaml): the facts recorded from the seed articles, each cited
  by the sentence that states it. The fixture records the project-related facts only, not every
  figure of an article, so its gold measures recall, never precision.

A candidate matches a gold fact when both are the same class of thing (amount, percent, count,
quantity, ratio, score, period, date), state the same number in the same unit once normalised
(1.2万家 = 12000家, 1.5亿元 = 15000万元, but 3% ≠ 3个百分点), and their spans overlap. Matching is
one-to-one, the pairs that overlap most first. Pure: plain values in, plain values out, no ORM.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from time import perf_counter
from typing import Any

import yaml

from ..money import AmountScale, Currency, from_base, plain, unit_label
from .candidates import FIGURE_KINDS, TIME_KINDS, Candidate, CandidateKind
from .extract import extract, sentences
from .figures import CURRENCIES, SCALES, WIDTH

Extractor = Callable[..., list[Candidate]]

DEFAULT_KINDS = frozenset(FIGURE_KINDS | TIME_KINDS)
KIND_ORDER = tuple(CandidateKind.values)

FIXTURE_NOTE = (
    "夹具只记录与项目有关的事实,并非文中每个数字都有记录:夹具文本只计召回率,不计精确率和位置一致率。"
)

# The unit's scale prefix, longest first: amounts take any of them, counts and quantities only
# 万/亿 (千瓦, 千米 and 百分点 are units of their own).
_AMOUNT_PREFIXES = tuple(sorted(SCALES.items(), key=lambda item: len(item[0]), reverse=True))
_COUNT_PREFIXES = tuple((prefix, SCALES[prefix]) for prefix in ("万亿", "亿", "万"))
_CURRENCIES = {**CURRENCIES, "人民币": "CNY"}
# A number in digits, with thousands separators (52,000) but not across a clause comma (12,15个).
_ARABIC = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?")


class AnnotationError(ValueError):
    """An annotated text or fixture that cannot be used as gold (the message names the file and
    the fact)."""


# ---------------------------------------------------------------------------------------------
# Gold


@dataclass(frozen=True)
class Gold:
    """A fact the text is known to state, at [start, end): the quote of an annotated text, or the
    sentence a fixture record cites. `value`/`value_upper` are the number as written before the
    unit (106 of 106亿元); periods carry their months, dates their first day and precision."""

    kind: str
    start: int
    end: int
    value: Decimal | None = None
    value_upper: Decimal | None = None
    unit: str = ""
    quote: str = ""
    qualifier: str = ""
    start_month: int | None = None
    end_month: int | None = None
    date: date | None = None
    precision: str = ""
    source: str = ""  # where a fixture's gold comes from: "IndicatorValue 工业营收 2022年"

    def describe(self) -> str:
        """The fact in a few words: 106亿元, 10-15亿元, 1-5月, 2023-03-18(day)."""
        if self.kind == CandidateKind.PERIOD:
            start = f"{self.start_month}-" if self.start_month else "截至"
            return self.quote or f"{start}{self.end_month}月"
        if self.kind == CandidateKind.DATE:
            return self.quote or f"{self.date.isoformat() if self.date else '?'}({self.precision})"
        if self.value is None:
            return self.quote
        upper = f"-{self.value_upper:f}" if self.value_upper is not None else ""
        return f"{self.value:f}{upper}{self.unit}"


@dataclass(frozen=True)
class AnnotatedText:
    """A text with its gold facts. `complete`: every figure, period and date of the text is
    annotated with its exact quote (annotated files); False for fixture gold, which records
    only some facts, by their sentence."""

    name: str
    text: str
    year: int | None
    facts: tuple[Gold, ...]
    complete: bool = True
    group: str = ""
    title: str = ""


def _decimal(raw: Any, where: str, name: str) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as error:
        raise AnnotationError(f"{where}:{name}“{raw}”不是数字") from error


def _gold_from_annotation(fact: dict[str, Any], text: str, where: str) -> Gold:
    for key in ("kind", "quote", "start", "end"):
        if key not in fact:
            raise AnnotationError(f"{where}:缺少“{key}”")
    kind, quote, start, end = fact["kind"], fact["quote"], fact["start"], fact["end"]
    if kind not in KIND_ORDER:
        raise AnnotationError(f"{where}:未知的类型“{kind}”")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        raise AnnotationError(f"{where}:位置 {start}–{end} 不在正文之内(正文{len(text)}字)")
    if text[start:end] != quote:
        raise AnnotationError(f"{where}:正文第{start}–{end}字是“{text[start:end]}”,与原文“{quote}”不符")
    gold: dict[str, Any] = {"kind": kind, "start": start, "end": end, "quote": quote}
    if kind in FIGURE_KINDS:
        value = _decimal(fact.get("value"), where, "数值")
        if value is None or not fact.get("unit"):
            raise AnnotationError(f"{where}:数字类事实须有数值(value)和单位(unit)")
        gold |= {
            "value": value,
            "value_upper": _decimal(fact.get("value_upper"), where, "区间上限"),
            "unit": fact["unit"],
            "qualifier": fact.get("qualifier") or "",
        }
    elif kind == CandidateKind.PERIOD:
        if not isinstance(fact.get("end_month"), int):
            raise AnnotationError(f"{where}:时段须有截止月(end_month)")
        gold |= {"start_month": fact.get("start_month"), "end_month": fact["end_month"]}
    elif kind == CandidateKind.DATE:
        try:
            day = date.fromisoformat(fact["date"])
        except (KeyError, TypeError, ValueError) as error:
            raise AnnotationError(f"{where}:日期须写成 YYYY-MM-DD(date)") from error
        if not fact.get("precision"):
            raise AnnotationError(f"{where}:日期须有精度(precision)")
        gold |= {"date": day, "precision": fact["precision"]}
    return Gold(**gold)


def load_annotated(path: str | Path) -> AnnotatedText:
    """An annotated text (JSON: title, genre, year, text, facts); every fact's quote must be
    text[start:end], else AnnotationError naming the file and the fact."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AnnotationError(f"{path}:无法读取标注文件({error})") from error
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("text"), str)
        or not isinstance(data.get("facts"), list)
    ):
        raise AnnotationError(f"{path}:标注文件须有 text(正文)和 facts(事实列表)")
    text = data["text"]
    facts = []
    for number, fact in enumerate(data["facts"], 1):
        where = f"{path} 第{number}条事实"
        if not isinstance(fact, dict):
            raise AnnotationError(f"{where}:应为对象")
        facts.append(_gold_from_annotation(fact, text, f"{where}({fact.get('kind')}“{fact.get('quote')}”)"))
    year = data.get("year")
    return AnnotatedText(
        name=path.name,
        text=text,
        year=year if isinstance(year, int) else None,
        facts=tuple(facts),
        complete=True,
        group=str(path.parent),
        title=str(data.get("title") or ""),
    )


def _amount(value: Any, scale: Any, currency: Any) -> tuple[Decimal, str]:
    """A base-unit amount as written: 10600000000 at 亿 → (106, 亿元)."""
    scale = int(scale or AmountScale.ONE)
    return from_base(Decimal(str(value)), scale), unit_label(scale, currency or Currency.CNY)


def _record_figures(model: str, fields: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> list[Gold]:
    """The figures a fixture record states, as written (spans filled in later)."""
    found: list[Gold] = []
    if model == "projects.indicatorvalue":
        code = fields["metric"][0] if isinstance(fields["metric"], list) else fields["metric"]
        if code not in metrics:
            raise AnnotationError(f"夹具中没有指标“{code}”")
        metric = metrics[code]
        source = f"IndicatorValue {metric['name']} {fields.get('year')}年"
        if fields.get("value") not in (None, ""):
            if metric["unit_kind"] == "amount":
                value, unit = _amount(fields["value"], fields.get("scale"), fields.get("currency"))
                upper = fields.get("value_upper")
                upper = _amount(upper, fields.get("scale"), fields.get("currency"))[0] if upper else None
            else:
                value, unit = plain(Decimal(str(fields["value"]))), metric["unit"]
                upper = fields.get("value_upper")
                upper = plain(Decimal(str(upper))) if upper not in (None, "") else None
            found.append(Gold(metric["unit_kind"], 0, 0, value, upper, unit, source=source))
        for name in ("yoy_growth", "share"):
            if fields.get(name) not in (None, ""):
                # A decline is written as a positive rate after 下降.
                number = abs(plain(Decimal(str(fields[name]))))
                found.append(Gold(CandidateKind.PERCENT, 0, 0, number, None, "%", source=f"{source} {name}"))
    elif model == "projects.project" and fields.get("total_investment") not in (None, ""):
        value, unit = _amount(
            fields["total_investment"], fields.get("total_investment_scale"), fields.get("currency")
        )
        found.append(
            Gold(CandidateKind.AMOUNT, 0, 0, value, None, unit, source=f"Project {fields['name']} 总投资")
        )
    elif model == "projects.portfolioentry" and fields.get("planned_investment") not in (None, ""):
        value, unit = _amount(
            fields["planned_investment"], fields.get("planned_investment_scale"), fields.get("currency")
        )
        found.append(
            Gold(CandidateKind.AMOUNT, 0, 0, value, None, unit, source="PortfolioEntry 年度计划投资")
        )
    return found


def _written(sentence: str, gold: Gold) -> int:
    """How many times `sentence` writes the gold's number in Arabic digits (1.2万 for 12000 too)."""
    if gold.value is None:
        return 0
    written = _ARABIC.findall(sentence.translate(WIDTH))
    numbers = Counter(plain(Decimal(n.replace(",", ""))) for n in written)
    forms = {plain(gold.value), plain(gold.value / 10**4), plain(gold.value / 10**8)}
    return sum(numbers[form] for form in forms)


def load_fixture(path: str | Path) -> list[AnnotatedText]:
    """The seed fixture's documents, each with the figures of the records that cite it as gold:
    each number of a cited indicator value, project or portfolio entry, at the span of each of
    its citations that writes the number (all its citations when none writes it in digits).
    A figure two records state in one sentence (a project's 总投资 and the same indicator) is
    one gold fact per time the sentence writes it."""
    path = Path(path)
    try:
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AnnotationError(f"{path}:无法读取夹具({error})") from error
    if not isinstance(records, list):
        raise AnnotationError(f"{path}:不是 Django 夹具(应为记录列表)")
    documents: dict[str, dict[str, Any]] = {}
    citations: dict[tuple[str, str], tuple[int, int]] = {}
    metrics: dict[str, dict[str, Any]] = {}
    for record in records:
        model, fields = record.get("model"), record.get("fields", {})
        if model == "projects.sourcedocument":
            documents[fields["key"]] = fields
        elif model == "projects.citation":
            citations[(fields["document"][0], fields["quote"])] = (fields["start"], fields["end"])
        elif model == "projects.metric":
            metrics[fields["code"]] = fields

    # Per document: each figure at its span, with the records stating it.
    stated: dict[str, dict[Gold, list[str]]] = {key: {} for key in documents}
    for number, record in enumerate(records, 1):
        model, fields = record.get("model"), record.get("fields", {})
        figures = _record_figures(model, fields, metrics) if model else []
        if not figures:
            continue
        spans: list[tuple[str, int, int]] = []
        for cited in fields.get("citations", []):
            key, quote = cited[0], cited[1]
            if (key, quote) not in citations or key not in documents:
                raise AnnotationError(f"{path} 第{number}条记录({model}):引文“{quote[:30]}”在夹具中找不到")
            spans.append((key, *citations[(key, quote)]))
        for figure in figures:
            writing = [
                (key, start, end)
                for key, start, end in spans
                if _written(documents[key]["text"][start:end], figure)
            ]
            for key, start, end in writing or spans:
                fact = Gold(figure.kind, start, end, figure.value, figure.value_upper, figure.unit)
                stated[key].setdefault(fact, []).append(figure.source)

    texts = []
    for key, fields in documents.items():
        gold: list[Gold] = []
        for fact, sources in stated[key].items():
            sentence = fields["text"][fact.start : fact.end]
            described = replace(fact, source=";".join(dict.fromkeys(sources)))
            gold.extend([described] * max(1, min(len(sources), _written(sentence, fact))))
        published = str(fields.get("published_on") or "")
        year = fields.get("subject_year") or (int(published[:4]) if published[:4].isdigit() else None)
        texts.append(
            AnnotatedText(
                name=key,
                text=fields["text"],
                year=year,
                facts=tuple(sorted(gold, key=lambda g: (g.start, g.kind, g.value or 0))),
                complete=False,
                group=str(path),
                title=str(fields.get("title") or ""),
            )
        )
    return texts


# ---------------------------------------------------------------------------------------------
# Comparing


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


# ---------------------------------------------------------------------------------------------
# Scores


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


# ---------------------------------------------------------------------------------------------
# Printing


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
        label = CandidateKind(kind).label if kind else "合计"
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
