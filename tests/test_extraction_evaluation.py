"""Scoring the extractor: figures compared in base units (1.2万家 = 12000家, % ≠ 个百分点), spans
overlapping, one-to-one matching, precision only where every figure is annotated, and loaders
that refuse bad gold naming the file and the fact."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from projects.extraction import Candidate, DateRef, PeriodRef
from projects.extraction.evaluation import (
    AnnotatedText,
    AnnotationError,
    Gold,
    article_timing,
    canonical,
    evaluate,
    load_annotated,
    load_fixture,
    match,
    render,
    render_timing,
)

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seeds.yaml"
CORPUS = Path(__file__).parent / "extraction_corpus"
TEXT = "1至5月,全区实现营业收入约157.56亿元,同比增长12.24%,高于全市2.3个百分点;新增企业1.2万家。"


def at(quote: str, text: str = TEXT, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def gold(kind: str, quote: str, value: str | None, unit: str = "", text: str = TEXT, **fields) -> Gold:
    start, end = at(quote, text)
    number = Decimal(value) if value is not None else None
    return Gold(kind, start, end, number, quote=quote, unit=unit, **fields)


def candidate(
    kind: str, quote: str, value: str | None, unit: str = "", text: str = TEXT, **fields
) -> Candidate:
    start, end = fields.pop("span", at(quote, text))
    number = Decimal(value) if value is not None else None
    return Candidate(kind, text[start:end], start, end, 0, len(text), value=number, unit=unit, **fields)


def annotated(*facts: Gold, text: str = TEXT, complete: bool = True, name: str = "t.json") -> AnnotatedText:
    return AnnotatedText(name=name, text=text, year=2022, facts=tuple(facts), complete=complete)


def reading(*candidates: Candidate):
    """An extractor that reads exactly these candidates, whatever the text."""

    def extractor(text: str, *, year=None) -> list[Candidate]:
        return list(candidates)

    return extractor


AMOUNT = gold("amount", "约157.56亿元", "157.56", "亿元", qualifier="about")
GROWTH = gold("percent", "12.24%", "12.24", "%")
POINTS = gold("percent", "2.3个百分点", "2.3", "个百分点")
FIRMS = gold("count", "1.2万家", "1.2", "万家")


# ---------------------------------------------------------------------------------------------
# Comparing figures


def test_amounts_compare_in_base_units_and_currency():
    yi = canonical("amount", Decimal("1.5"), "亿元")
    assert yi == (Decimal("150000000"), "CNY")
    assert canonical("amount", Decimal("15000"), "万元") == yi
    assert canonical("amount", Decimal("150000000"), "元") == yi
    assert canonical("amount", Decimal("1.5"), "亿") == yi  # 1.5亿 written without 元
    assert canonical("amount", Decimal("0.015"), "百亿元") != yi  # no such prefix: unit differs
    assert canonical("amount", Decimal("1.5"), "万亿元") == (Decimal("1500000000000"), "CNY")
    assert canonical("amount", Decimal("3"), "千万元") == (Decimal("30000000"), "CNY")
    assert canonical("amount", Decimal("1.74"), "亿美元") == (Decimal("174000000"), "USD")
    assert canonical("amount", Decimal("1.74"), "亿美元") != canonical("amount", Decimal("1.74"), "亿元")


def test_counts_and_quantities_take_their_prefix_into_the_value():
    assert canonical("count", Decimal("1.2"), "万家") == canonical("count", Decimal("12000"), "家")
    assert canonical("count", Decimal("12000"), "家") == (Decimal("12000"), "家")
    assert canonical("count", Decimal("12000"), "家") != canonical("count", Decimal("12000"), "个")
    assert canonical("quantity", Decimal("3.7"), "亿平方米") == (Decimal("370000000"), "平方米")
    assert canonical("quantity", Decimal("5"), "万千瓦") == (Decimal("50000"), "千瓦")
    assert canonical("quantity", Decimal("5"), "千瓦") == (Decimal("5"), "千瓦")  # 千瓦 is a unit
    assert canonical("quantity", Decimal("15"), "GW") != canonical("quantity", Decimal("15000"), "MW")


def test_percent_and_percentage_points_differ():
    assert canonical("percent", Decimal("12.24"), "%") == (Decimal("12.24"), "%")
    assert canonical("percent", Decimal("12.24"), "％") == canonical("percent", Decimal("12.24"), "%")
    assert canonical("percent", Decimal("2.3"), "个百分点") == (Decimal("2.3"), "个百分点")
    assert canonical("percent", Decimal("2.3"), "百分点") == canonical("percent", Decimal("2.3"), "个百分点")
    assert canonical("percent", Decimal("2.3"), "%") != canonical("percent", Decimal("2.3"), "个百分点")
    assert canonical("ratio", Decimal("1.20"), "倍") == (Decimal("1.2"), "倍")


# ---------------------------------------------------------------------------------------------
# Scoring


def test_a_perfect_reading():
    candidates = [
        candidate("amount", "约157.56亿元", "157.56", "亿元"),
        candidate("percent", "12.24%", "12.24", "%"),
        candidate("percent", "2.3个百分点", "2.3", "个百分点"),
        candidate("count", "1.2万家", "1.2", "万家"),
    ]
    report = evaluate([annotated(AMOUNT, GROWTH, POINTS, FIRMS)], reading(*candidates))
    total = report.total
    assert (total.gold, total.candidates, total.matched, total.exact_spans) == (4, 4, 4, 4)
    assert total.precision == total.recall == total.exact_span_rate == 1
    assert report.misses == report.false_candidates == []
    percent = report.by_kind()["percent"]
    assert (percent.gold, percent.matched) == (2, 2)


def test_a_miss_lowers_recall_and_is_listed_with_its_sentence():
    report = evaluate([annotated(AMOUNT, GROWTH)], reading(candidate("percent", "12.24%", "12.24", "%")))
    assert report.total.recall == 0.5
    assert report.total.precision == 1
    assert [m.gold for m in report.misses] == [AMOUNT]
    assert report.misses[0].sentence == TEXT.split(";")[0] + ";"
    assert report.misses[0].read_as == ()


def test_a_false_candidate_lowers_precision_and_is_listed():
    extra = candidate("count", "5月", "5", "月")
    report = evaluate([annotated(GROWTH)], reading(candidate("percent", "12.24%", "12.24", "%"), extra))
    assert report.total.precision == 0.5
    assert report.total.recall == 1
    assert [f.candidate for f in report.false_candidates] == [extra]
    assert report.by_kind()["count"].candidates == 1


def test_a_wrong_unit_is_a_miss_and_a_false_candidate():
    wrong = candidate("percent", "12.24%", "12.24", "个百分点")
    report = evaluate([annotated(GROWTH)], reading(wrong))
    assert report.total.matched == 0
    assert report.misses[0].read_as == (wrong,)  # shows what the extractor read instead
    assert [f.candidate for f in report.false_candidates] == [wrong]


def test_percent_is_not_percentage_points():
    as_percent = candidate("percent", "2.3个百分点", "2.3", "%")
    assert evaluate([annotated(POINTS)], reading(as_percent)).total.matched == 0
    as_points = candidate("percent", "2.3个百分点", "2.3", "个百分点")
    assert evaluate([annotated(POINTS)], reading(as_points)).total.matched == 1


def test_a_wrong_value_is_a_miss():
    for value in ("157.5", "15756", "1575.6"):
        wrong = candidate("amount", "约157.56亿元", value, "亿元")
        assert evaluate([annotated(AMOUNT)], reading(wrong)).total.matched == 0, value
    in_wan = candidate("amount", "约157.56亿元", "1575600", "万元")  # the same money in another unit
    assert evaluate([annotated(AMOUNT)], reading(in_wan)).total.matched == 1


def test_ten_thousand_firms_written_either_way_match():
    as_written = candidate("count", "1.2万家", "1.2", "万家")
    in_units = candidate("count", "1.2万家", "12000", "家")
    other_unit = candidate("count", "1.2万家", "12000", "个")
    for read, matched in ((as_written, 1), (in_units, 1), (other_unit, 0)):
        assert evaluate([annotated(FIRMS)], reading(read)).total.matched == matched


def test_a_kind_of_another_class_never_matches():
    as_count = candidate("count", "12.24%", "12.24", "%")
    assert evaluate([annotated(GROWTH)], reading(as_count)).total.matched == 0


def test_overlapping_spans_match_but_only_identical_spans_are_exact():
    start, end = at("157.56亿元")  # without the 约 the annotation includes
    short = candidate("amount", "157.56亿元", "157.56", "亿元", span=(start, end))
    report = evaluate([annotated(AMOUNT)], reading(short))
    assert report.total.matched == 1
    assert report.total.exact_spans == 0
    assert report.total.exact_span_rate == 0


def test_the_same_figure_elsewhere_does_not_match():
    text = "去年营业收入10亿元;今年营业收入10亿元。"
    second = Gold("amount", *at("10亿元", text, 1), Decimal("10"), unit="亿元", quote="10亿元")
    first = candidate("amount", "10亿元", "10", "亿元", text=text)
    report = evaluate([annotated(second, text=text)], reading(first))
    assert report.total.matched == 0
    assert len(report.misses) == len(report.false_candidates) == 1


def test_matching_is_one_to_one():
    # Two candidates for one gold fact: one matches, the other is false.
    twice = [candidate("percent", "12.24%", "12.24", "%"), candidate("percent", "12.24%", "12.24", "%")]
    report = evaluate([annotated(GROWTH)], reading(*twice))
    assert (report.total.matched, len(report.false_candidates)) == (1, 1)
    # Two gold facts at one sentence (as a fixture cites them), one candidate: one miss.
    sentence = Gold("percent", 0, len(TEXT), Decimal("12.24"), unit="%")
    report = evaluate([annotated(sentence, sentence, complete=False)], reading(twice[0]))
    assert (report.total.gold, report.total.matched, len(report.misses)) == (2, 1, 1)


def test_the_largest_overlap_is_matched_first():
    whole = candidate("amount", "约157.56亿元", "157.56", "亿元")
    part = candidate("amount", "亿元", "157.56", "亿元")
    pairs = match([AMOUNT], [part, whole])
    assert pairs == [(0, 1)]
    report = evaluate([annotated(AMOUNT)], reading(part, whole))
    assert report.total.exact_spans == 1
    assert [f.candidate for f in report.false_candidates] == [part]


def test_ranges_need_both_ends():
    text = "计划投资10-15亿元。"
    span = gold("amount", "10-15亿元", "10", "亿元", text=text, value_upper=Decimal("15"))
    both = candidate("amount", "10-15亿元", "10", "亿元", text=text, value_upper=Decimal("15"))
    low_only = candidate("amount", "10-15亿元", "10", "亿元", text=text)
    assert evaluate([annotated(span, text=text)], reading(both)).total.matched == 1
    assert evaluate([annotated(span, text=text)], reading(low_only)).total.matched == 0


def test_periods_compare_months_and_dates_their_day_and_precision():
    text = "1至5月,全区实现营收10亿元;项目3月18日开工,四季度投产。"
    period = gold("period", "1至5月", None, text=text, start_month=1, end_month=5)
    day = gold("date", "3月18日", None, text=text, date=date(2022, 3, 18), precision="day")
    quarter = gold("date", "四季度", None, text=text, date=date(2022, 10, 1), precision="quarter")
    right = [
        candidate("period", "1至5月", None, text=text, period=PeriodRef(2022, 1, 5, "1至5月")),
        candidate("date", "3月18日", None, text=text, date=DateRef(date(2022, 3, 18), "day", "3月18日")),
        candidate("date", "四季度", None, text=text, date=DateRef(date(2022, 10, 1), "quarter", "四季度")),
    ]
    facts = annotated(period, day, quarter, text=text)
    assert evaluate([facts], reading(*right)).total.matched == 3
    wrong = [
        candidate("period", "1至5月", None, text=text, period=PeriodRef(2022, None, 5, "1至5月")),
        candidate("date", "3月18日", None, text=text, date=DateRef(date(2022, 3, 1), "month", "3月")),
        candidate("date", "四季度", None, text=text, date=DateRef(date(2022, 10, 1), "month", "四季度")),
    ]
    assert evaluate([facts], reading(*wrong)).total.matched == 0


def test_only_the_chosen_kinds_are_scored_and_the_rest_counted():
    candidates = [
        candidate("amount", "约157.56亿元", "157.56", "亿元"),
        candidate("percent", "12.24%", "12.24", "%"),
        candidate("project", "营业收入", None),
    ]
    report = evaluate([annotated(AMOUNT, GROWTH)], reading(*candidates), kinds=["amount"])
    assert report.kinds == ("amount",)
    assert (report.total.gold, report.total.candidates, report.total.matched) == (1, 1, 1)
    assert report.texts[0].unscored == {"percent": 1, "project": 1}
    # By default projects are counted, not scored, when the text annotates none.
    default = evaluate([annotated(AMOUNT, GROWTH)], reading(*candidates))
    assert default.total.candidates == 2
    assert default.texts[0].unscored == {"project": 1}


def test_projects_are_scored_where_the_text_annotates_them():
    project = gold("project", "营业收入", None)
    candidates = [candidate("project", "营业收入", None)]
    report = evaluate([annotated(project)], reading(*candidates), kinds=["project"])
    assert (report.total.gold, report.total.matched, report.total.precision) == (1, 1, 1)


def test_fixture_gold_measures_recall_only():
    sentence = Gold("amount", 0, len(TEXT), Decimal("157.56"), unit="亿元")
    candidates = [
        candidate("amount", "约157.56亿元", "157.56", "亿元"),
        candidate("count", "1.2万家", "1.2", "万家"),
    ]
    report = evaluate([annotated(sentence, complete=False)], reading(*candidates))
    assert report.total.recall == 1
    assert report.total.precision is None
    assert report.total.exact_span_rate is None
    assert report.false_candidates == []  # the fixture does not record every figure
    assert report.shortfalls(min_precision=0.9) == [
        "无法检验精确率:没有完整标注的文本(夹具不计精确率)或没有候选"
    ]
    assert "夹具只记录与项目有关的事实" in render(report)


def test_precision_counts_only_completely_annotated_texts():
    fixture = annotated(
        Gold("amount", 0, len(TEXT), Decimal("999"), unit="亿元"), complete=False, name="seed"
    )
    complete = annotated(GROWTH)
    candidates = [candidate("percent", "12.24%", "12.24", "%"), candidate("count", "1.2万家", "1.2", "万家")]
    report = evaluate([fixture, complete], reading(*candidates))
    total = report.total
    assert (total.gold, total.matched, total.candidates) == (2, 1, 4)
    assert total.recall == 0.5
    assert total.precision == 0.5  # 1 of the complete text's 2 candidates


def test_inexact_quotes_are_counted_and_fail_the_thresholds():
    bad = Candidate("percent", "12.25%", *at("12.24%"), 0, len(TEXT), value=Decimal("12.24"), unit="%")
    report = evaluate([annotated(GROWTH)], reading(bad))
    assert report.quote_errors == 1
    assert report.shortfalls(min_recall=0.5) == ["1条候选的原文与正文不一致"]
    assert "1条候选的原文与正文不一致" in render(report)


def test_thresholds():
    report = evaluate([annotated(AMOUNT, GROWTH)], reading(candidate("percent", "12.24%", "12.24", "%")))
    assert report.shortfalls() == []
    assert report.shortfalls(min_recall=0.5, min_precision=1.0) == []
    assert report.shortfalls(min_recall=0.95) == ["召回率 50.00% 低于要求的 95.00%"]


def test_the_real_extractor_quotes_exactly():
    texts = [load_annotated(path) for path in sorted(CORPUS.rglob("*.json"))]
    report = evaluate(texts)
    assert report.quote_errors == 0
    assert report.total.candidates > 500


def test_an_article_is_timed_at_its_full_length_beside_its_floor():
    # Speed is a measurement the command prints, not a test that could fail on a busy machine.
    read: list[int] = []
    timing = article_timing(
        ["一段文字123。", "另一段"], lambda text, **_: read.append(len(text)) or [], runs=3
    )
    assert (timing.characters, timing.runs) == (20_000, 3)
    assert read == [20_000] * 4  # one warm-up, three timed runs
    assert timing.median_seconds >= 0 and timing.floor_seconds >= 0
    assert "20000字的文章" in render_timing(timing)


# ---------------------------------------------------------------------------------------------
# Loaders


def write_annotation(tmp_path, facts: list[dict], text: str = TEXT) -> Path:
    path = tmp_path / "01_test.json"
    body = {"title": "测试", "genre": "news", "year": 2022, "text": text, "facts": facts}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_annotated_file_loads_with_its_facts(tmp_path):
    start, end = at("约157.56亿元")
    path = write_annotation(
        tmp_path,
        [
            {"kind": "period", "quote": "1至5月", "start": 0, "end": 4, "start_month": 1, "end_month": 5},
            {
                "kind": "amount",
                "quote": "约157.56亿元",
                "start": start,
                "end": end,
                "value": "157.56",
                "value_upper": None,
                "unit": "亿元",
                "qualifier": "about",
            },
        ],
    )
    loaded = load_annotated(path)
    assert (loaded.name, loaded.year, loaded.complete, loaded.group) == (
        "01_test.json",
        2022,
        True,
        str(tmp_path),
    )
    period, amount = loaded.facts
    assert (period.kind, period.start_month, period.end_month) == ("period", 1, 5)
    assert (amount.value, amount.unit, amount.qualifier, amount.start) == (
        Decimal("157.56"),
        "亿元",
        "about",
        start,
    )


def test_a_quote_not_at_its_offsets_is_refused_naming_the_fact(tmp_path):
    start, end = at("12.24%")
    path = write_annotation(
        tmp_path,
        [
            {"kind": "period", "quote": "1至5月", "start": 0, "end": 4, "start_month": 1, "end_month": 5},
            {
                "kind": "percent",
                "quote": "12.24%",
                "start": start + 1,
                "end": end + 1,
                "value": "12.24",
                "unit": "%",
            },
        ],
    )
    with pytest.raises(AnnotationError) as refused:
        load_annotated(path)
    message = str(refused.value)
    assert "01_test.json" in message
    assert "第2条事实" in message
    assert "12.24%" in message
    assert "不符" in message


@pytest.mark.parametrize(
    ("fact", "words"),
    [
        (
            {"kind": "amount", "quote": "1至5月", "start": 0, "end": 4, "value": "多", "unit": "亿元"},
            "不是数字",
        ),
        ({"kind": "amount", "quote": "1至5月", "start": 0, "end": 4, "value": "1"}, "单位"),
        ({"kind": "money", "quote": "1至5月", "start": 0, "end": 4}, "未知的类型"),
        ({"kind": "period", "quote": "1至5月", "start": 0, "end": 4}, "截止月"),
        (
            {"kind": "date", "quote": "1至5月", "start": 0, "end": 4, "date": "5月", "precision": "day"},
            "日期",
        ),
        (
            {"kind": "percent", "quote": "1至5月", "start": 0, "end": 999, "value": "1", "unit": "%"},
            "不在正文之内",
        ),
        ({"kind": "percent", "quote": "1至5月", "start": 0}, "缺少“end”"),
    ],
)
def test_bad_annotations_are_refused(tmp_path, fact, words):
    with pytest.raises(AnnotationError) as refused:
        load_annotated(write_annotation(tmp_path, [fact]))
    assert words in str(refused.value)
    assert "第1条事实" in str(refused.value)


def test_a_file_that_is_not_an_annotation_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(AnnotationError, match="text"):
        load_annotated(path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(AnnotationError, match="无法读取"):
        load_annotated(path)


def test_the_corpus_loads():
    texts = [load_annotated(path) for path in sorted(CORPUS.rglob("*.json"))]
    assert len(texts) >= 10
    for text in texts:
        assert text.facts
        assert all(text.text[g.start : g.end] == g.quote for g in text.facts)


SMALL_FIXTURE = """
- model: projects.sourcedocument
  fields: {key: doc-1, title: 测试, published_on: '2022-06-01', text: "%(text)s"}
- model: projects.citation
  fields: {document: [doc-1], quote: "%(first)s", start: 0, end: %(first_end)d}
- model: projects.citation
  fields: {document: [doc-1], quote: "%(second)s", start: %(second_start)d, end: %(second_end)d}
- model: projects.metric
  fields: {code: revenue, name: 营业收入, unit_kind: amount, unit: '', flow_or_stock: flow}
- model: projects.metric
  fields: {code: firms, name: 企业数, unit_kind: count, unit: 家, flow_or_stock: stock}
- model: projects.metric
  fields: {code: investment, name: 总投资, unit_kind: amount, unit: '', flow_or_stock: stock}
- model: projects.indicatorvalue
  fields:
    metric: [revenue]
    year: 2022
    value: '15756000000'
    scale: 100000000
    currency: CNY
    yoy_growth: '-12.24'
    citations: [[doc-1, "%(first)s"], [doc-1, "%(second)s"]]
- model: projects.indicatorvalue
  fields: {metric: [firms], year: 2022, value: '12000', citations: [[doc-1, "%(second)s"]]}
- model: projects.indicatorvalue
  fields: {metric: [investment], year: 2022, value: '10600000000', scale: 100000000, currency: CNY,
           citations: [[doc-1, "%(second)s"]]}
- model: projects.project
  fields: {name: 测试项目, total_investment: '10600000000', total_investment_scale: 100000000,
           currency: CNY, citations: [[doc-1, "%(second)s"]]}
"""


def small_fixture(tmp_path, **changes) -> Path:
    text = "1至5月,全区营业收入157.56亿元,同比下降12.24%。新增企业1.2万家,测试项目总投资106亿元。"
    first = text[: text.index("。") + 1]
    second = text[len(first) :]
    values = {
        "text": text,
        "first": first,
        "first_end": len(first),
        "second": second,
        "second_start": len(first),
        "second_end": len(text),
        **changes,
    }
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_FIXTURE % values, encoding="utf-8")
    return path


def test_a_fixture_gives_each_number_at_the_sentences_that_write_it(tmp_path):
    (document,) = load_fixture(small_fixture(tmp_path))
    assert (document.name, document.year, document.complete) == ("doc-1", 2022, False)
    first_end = document.text.index("。") + 1
    found = {(g.kind, g.value, g.unit, g.start, g.end) for g in document.facts}
    assert found == {
        ("amount", Decimal("157.56"), "亿元", 0, first_end),  # not at the second citation: not written there
        ("percent", Decimal("12.24"), "%", 0, first_end),  # a decline, written without its sign
        ("count", Decimal("12000"), "家", first_end, len(document.text)),
        ("amount", Decimal("106"), "亿元", first_end, len(document.text)),
    }
    # The project's 总投资 and the same indicator value are one figure written once.
    assert len(document.facts) == 4


def test_a_fixture_figure_matches_the_extractors_reading_in_its_sentence(tmp_path):
    texts = load_fixture(small_fixture(tmp_path))
    report = evaluate(texts, kinds=["amount", "percent", "count"])
    assert report.total.gold == 4
    assert report.total.recall == 1
    assert report.total.precision is None


def test_a_fixture_citation_that_is_missing_is_refused(tmp_path):
    path = small_fixture(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("[[doc-1,", "[[doc-9,", 1), encoding="utf-8")
    with pytest.raises(AnnotationError, match="找不到"):
        load_fixture(path)


def test_the_seed_fixture_is_gold_for_the_five_articles():
    texts = load_fixture(FIXTURE)
    assert sorted(t.name for t in texts) == ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"]
    assert all(not t.complete for t in texts)
    by_name = {t.name: t for t in texts}
    gan = {(g.kind, g.value, g.unit) for g in by_name["seed-004"].facts}
    assert {
        ("amount", Decimal("299.92"), "亿元"),
        ("amount", Decimal("58.33"), "亿元"),
        ("percent", Decimal("95.65"), "%"),
        ("percent", Decimal("28.44"), "个百分点"),
        ("count", Decimal("23"), "个"),
    } <= gan
    assert ("amount", Decimal("1.74"), "亿美元") in {
        (g.kind, g.value, g.unit) for g in by_name["seed-000"].facts
    }
    for text in texts:
        for fact in text.facts:  # each gold span is a cited sentence that writes the number
            assert fact.end > fact.start
            assert fact.source
    assert sum(len(t.facts) for t in texts) > 100
