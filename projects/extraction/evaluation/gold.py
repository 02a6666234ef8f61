"""The gold facts: annotated texts (tests/extraction_corpus) and the facts recorded in the seed
fixture, each with its span in the text."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ...money import AmountScale, Currency, from_base, plain, unit_label
from ..candidates import FIGURE_KINDS, CandidateKind
from ..figures import WIDTH

KIND_ORDER = tuple(CandidateKind.values)

FIXTURE_NOTE = (
    "夹具只记录与项目有关的事实,并非文中每个数字都有记录:夹具文本只计召回率,不计精确率和位置一致率。"
)


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
