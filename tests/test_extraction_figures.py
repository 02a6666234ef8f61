"""Figures are read the way Chinese economic reporting writes them: numbers in Arabic,
full-width and Chinese numerals, 万/亿 scales, units, ranges and the hedges around them; words
that only look like figures are left alone. Every quote is the text at its offsets."""

from decimal import Decimal

import pytest

from projects.extraction import extract, unread_numbers
from projects.extraction.figures import read_number, scan_figures


def only_figure(text: str):
    figures = scan_figures(text)
    assert len(figures) == 1, [text[f.start : f.end] for f in figures]
    return figures[0]


@pytest.mark.parametrize(
    ("text", "quote", "kind", "value", "upper", "unit", "scale", "currency", "qualifier"),
    [
        ("总投资106亿元。", "106亿元", "amount", "106", None, "亿元", 10**8, "CNY", ""),
        ("减免274.82万元,", "274.82万元", "amount", "274.82", None, "万元", 10**4, "CNY", ""),
        ("实际使用外资1.74亿美元", "1.74亿美元", "amount", "1.74", None, "亿美元", 10**8, "USD", ""),
        ("投资约157.56亿元", "约157.56亿元", "amount", "157.56", None, "亿元", 10**8, "CNY", "about"),
        ("税收1,234.56万元", "1,234.56万元", "amount", "1234.56", None, "万元", 10**4, "CNY", ""),
        ("投资１２８．６亿元", "１２８．６亿元", "amount", "128.6", None, "亿元", 10**8, "CNY", ""),
        ("国债1.5万亿元", "1.5万亿元", "amount", "1.5", None, "万亿元", 10**12, "CNY", ""),
        ("投资三千万元", "三千万元", "amount", "3000", None, "万元", 10**4, "CNY", ""),
        ("一百二十亿元的项目", "一百二十亿元", "amount", "120", None, "亿元", 10**8, "CNY", ""),
        ("营收突破百亿元", "突破百亿元", "amount", "100", None, "亿元", 10**8, "CNY", "breaks"),
        ("投资10-15亿元", "10-15亿元", "amount", "10", "15", "亿元", 10**8, "CNY", ""),
        ("投资10亿至15亿元", "10亿至15亿元", "amount", "10", "15", "亿元", 10**8, "CNY", ""),
        ("引资3-5亿美元", "3-5亿美元", "amount", "3", "5", "亿美元", 10**8, "USD", ""),
        ("3000多万元", "3000多万元", "amount", "3000", None, "万元", 10**4, "CNY", "more_than"),
        ("3000余万元", "3000余万元", "amount", "3000", None, "万元", 10**4, "CNY", "more_than"),
        ("超10亿元的企业", "超10亿元", "amount", "10", None, "亿元", 10**8, "CNY", "over"),
        ("逾5亿元", "逾5亿元", "amount", "5", None, "亿元", 10**8, "CNY", "over"),
        ("近5000万元", "近5000万元", "amount", "5000", None, "万元", 10**4, "CNY", "nearly"),
        ("100亿元左右", "100亿元左右", "amount", "100", None, "亿元", 10**8, "CNY", "around"),
        ("50亿元以上项目", "50亿元以上", "amount", "50", None, "亿元", 10**8, "CNY", "more_than"),
        ("项目投资10亿,", "10亿", "amount", "10", None, "亿元", 10**8, "CNY", ""),
        ("设备购置就要投入9亿,", "9亿", "amount", "9", None, "亿元", 10**8, "CNY", ""),
        ("年产值80一100亿元", "80一100亿元", "amount", "80", "100", "亿元", 10**8, "CNY", ""),
        ("帮助近百家企业", "近百家", "count", "100", None, "家", 1, "", "nearly"),
        ("同比增长16.6%", "16.6%", "percent", "16.6", None, "%", 1, "", ""),
        ("增长５．８％", "５．８％", "percent", "5.8", None, "%", 1, "", ""),
        ("超序进度28.44个百分点", "28.44个百分点", "percent", "28.44", None, "个百分点", 1, "", ""),
        ("增速8%-10%", "8%-10%", "percent", "8", "10", "%", 1, "", ""),
        ("占比突破30%", "突破30%", "percent", "30", None, "%", 1, "", "breaks"),
        ("开工率达到百分之八十", "百分之八十", "percent", "80", None, "%", 1, "", ""),
        ("开工率达到百分之百", "百分之百", "percent", "100", None, "%", 1, "", ""),
        ("签约项目20个", "20个", "count", "20", None, "个", 1, "", ""),
        ("干部300余名", "300余名", "count", "300", None, "名", 1, "", "more_than"),
        ("两千余家企业", "两千余家", "count", "2000", None, "家", 1, "", "more_than"),
        ("两家企业", "两家", "count", "2", None, "家", 1, "", ""),
        ("分两期建设", "两期", "count", "2", None, "期", 1, "", ""),
        ("吸引7200余人次观看", "7200余人次", "count", "7200", None, "人次", 1, "", "more_than"),
        ("年产3.7亿平方米光伏玻璃", "3.7亿平方米", "quantity", "3.7", None, "亿平方米", 10**8, "", ""),
        ("15GW电池", "15GW", "quantity", "15", None, "GW", 1, "", ""),
        ("年产背光模组1200万套", "1200万套", "quantity", "1200", None, "万套", 10**4, "", ""),
        ("年产MLCC300亿片", "300亿片", "quantity", "300", None, "亿片", 10**8, "", ""),
        ("一万吨金属钴", "一万吨", "quantity", "1", None, "万吨", 10**4, "", ""),
        ("增长1.2倍", "1.2倍", "ratio", "1.2", None, "倍", 1, "", ""),
        ("提高了近一倍", "近一倍", "ratio", "1", None, "倍", 1, "", "nearly"),
        ("以总分87.476分跻身前三", "87.476分", "score", "87.476", None, "分", 1, "", ""),
    ],
)
def test_figure_is_read_with_its_unit_and_hedge(
    text, quote, kind, value, upper, unit, scale, currency, qualifier
):
    figure = only_figure(text)
    assert text[figure.start : figure.end] == quote
    assert (figure.kind, figure.value, figure.value_upper) == (
        kind,
        Decimal(value),
        None if upper is None else Decimal(upper),
    )
    assert (figure.unit, figure.scale, figure.currency, figure.qualifier) == (
        unit,
        scale,
        currency,
        qualifier,
    )


@pytest.mark.parametrize(
    "text",
    [
        "排名第4名",
        "进入全省前三名",
        "排名后三位的项目",
        "一期工程、二期工程",
        "一批项目",
        "一家企业",
        "“十四五”规划",
        "5G基站和G60科创走廊",
        "10万吨三元前驱体",  # 三元 is a chemistry word, only 10万吨 is a figure
        "千家万户",
        "工人运送零件",
        "每天工作20个小时",
        "统一部署",
        "2021-2025年",
        "分别是一二三产业",
        "第10期简报",
    ],
)
def test_words_that_only_look_like_figures_are_left_alone(text):
    quotes = [text[f.start : f.end] for f in scan_figures(text)]
    assert quotes in ([], ["10万吨"]), quotes


def test_a_range_needs_both_ends_in_the_same_unit():
    assert [(f.value, f.value_upper) for f in scan_figures("由5家增至12家")] == [
        (Decimal(5), None),
        (Decimal(12), None),
    ]
    figure = only_figure("2020-25家")
    assert (figure.value, figure.value_upper, figure.start) == (Decimal(25), None, 5)


@pytest.mark.parametrize(
    ("token", "number"),
    [
        ("1,234.5", "1234.5"),
        ("三千", "3000"),
        ("一百二十", "120"),
        ("十五点五", "15.5"),
        ("两千", "2000"),
        ("百", "100"),
    ],
)
def test_numbers_are_read_exactly(token, number):
    assert read_number(token) == Decimal(number)


def test_figures_inside_a_short_quotation_are_names():
    text = "严格落实“四个100%”督查机制,引进“5020”项目9个。"
    assert [c.quote for c in extract(text) if c.kind in ("count", "percent")] == ["9个"]


def test_every_quote_is_the_text_at_its_offsets(seed_texts):
    for text in seed_texts:
        candidates = extract(text, year=2022)
        assert candidates
        for candidate in candidates:
            assert text[candidate.start : candidate.end] == candidate.quote
            assert candidate.sentence_start <= candidate.start < candidate.end <= candidate.sentence_end


def test_numbers_no_candidate_covers_are_listed_for_the_clerk():
    text = "引进“5020”项目9个,列全省第一,G60走廊。"
    covered = [(c.start, c.end) for c in extract(text)]
    assert [text[start:end] for start, end in unread_numbers(text, covered)] == ["5020", "60"]


def test_a_full_width_comma_separates_clauses_not_thousands():
    text = "同比增长5，300家企业落户,完成1,234万元"
    assert [text[f.start : f.end] for f in scan_figures(text)] == ["300家", "1,234万元"]
