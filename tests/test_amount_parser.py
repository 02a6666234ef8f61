"""Amounts are read the way staff type them, exactly, and what cannot be read is refused with
the reason in Chinese."""

from decimal import Decimal

import pytest

from projects.money import (
    AmountParseError,
    AmountScale,
    Currency,
    ParsedAmount,
    Qualifier,
    format_amount,
    parse_amount,
    parse_number,
)

YI, WAN, ONE = AmountScale.YI, AmountScale.WAN, AmountScale.ONE


@pytest.mark.parametrize(
    ("text", "value", "scale", "currency", "qualifier"),
    [
        ("106亿元", "10600000000", YI, "CNY", ""),
        ("274.82万元", "2748200", WAN, "CNY", ""),
        ("1.74亿美元", "174000000", YI, "USD", ""),
        ("30478万元", "304780000", WAN, "CNY", ""),
        ("299.92亿元", "29992000000", YI, "CNY", ""),
        ("1,234.5万元", "12345000", WAN, "CNY", ""),
        ("15,000,000元", "15000000", ONE, "CNY", ""),
        ("１０６亿元", "10600000000", YI, "CNY", ""),
        ("１.７４亿美元", "174000000", YI, "USD", ""),
        (" 106 亿元 ", "10600000000", YI, "CNY", ""),
        ("106億元", "10600000000", YI, "CNY", ""),
        ("106亿", "10600000000", YI, "CNY", ""),
        ("274.82万", "2748200", WAN, "CNY", ""),
        ("5000元", "5000", ONE, "CNY", ""),
        ("0.01元", "0.01", ONE, "CNY", ""),
        ("0元", "0", ONE, "CNY", ""),
        ("3000万美元", "30000000", WAN, "USD", ""),
        ("5000美元", "5000", ONE, "USD", ""),
        ("0.0000000001亿元", "0.01", YI, "CNY", ""),
        ("约106亿元", "10600000000", YI, "CNY", "about"),
        ("大约106亿元", "10600000000", YI, "CNY", "about"),
        ("超10亿元", "1000000000", YI, "CNY", "over"),
        ("超过10亿元", "1000000000", YI, "CNY", "over"),
        ("106余亿元", "10600000000", YI, "CNY", "more_than"),
        ("100多亿元", "10000000000", YI, "CNY", "more_than"),
        ("3000余万元", "30000000", WAN, "CNY", "more_than"),
        ("近10亿元", "1000000000", YI, "CNY", "nearly"),
        ("将近10亿元", "1000000000", YI, "CNY", "nearly"),
        ("突破30亿元", "3000000000", YI, "CNY", "breaks"),
        ("106亿元左右", "10600000000", YI, "CNY", "around"),
        ("约1.74亿美元", "174000000", YI, "USD", "about"),
    ],
)
def test_amounts_in_their_unit_are_read_exactly(text, value, scale, currency, qualifier):
    amount = parse_amount(text)
    assert amount == ParsedAmount(Decimal(value), scale, currency, qualifier)
    assert amount.value.as_tuple().exponent == -2  # stored to the cent, as the database does


@pytest.mark.parametrize(
    ("text", "scale", "currency", "value", "expected_scale", "expected_currency"),
    [
        ("106", YI, None, "10600000000", YI, "CNY"),
        ("106.5", YI, None, "10650000000", YI, "CNY"),
        ("274.82", WAN, "CNY", "2748200", WAN, "CNY"),
        ("1.74", YI, "USD", "174000000", YI, "USD"),
        ("1,234", ONE, None, "1234", ONE, "CNY"),
        ("106亿", WAN, "USD", "10600000000", YI, "USD"),
        ("5000元", YI, None, "5000", ONE, "CNY"),
        ("274.82万元", YI, "USD", "2748200", WAN, "CNY"),
        ("1.74亿美元", WAN, "CNY", "174000000", YI, "USD"),
    ],
)
def test_a_bare_number_takes_the_unit_chosen_beside_it_and_a_stated_unit_wins(
    text, scale, currency, value, expected_scale, expected_currency
):
    amount = parse_amount(text, scale, currency)
    assert amount.value == Decimal(value)
    assert (amount.scale, amount.currency) == (expected_scale, expected_currency)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "内容为空"),
        ("   ", "内容为空"),
        ("106", "请写明单位,如106亿元,或在旁边选择单位"),
        ("106.5", "请写明单位,如106亿元,或在旁边选择单位"),
        ("-5亿元", "金额不能为负数"),
        ("－5亿元", "金额不能为负数"),
        ("−5亿元", "金额不能为负数"),
        ("一百亿", "请用阿拉伯数字填写"),
        ("十亿元", "请用阿拉伯数字填写"),
        ("1-2亿元", "请填写一个金额,区间请分两栏填写"),
        ("1至2亿元", "请填写一个金额,区间请分两栏填写"),
        ("1亿元、2亿元", "请填写一个金额,区间请分两栏填写"),
        ("106亿港元", "不支持的币种或单位“亿港元”"),
        ("106万亿元", "不支持的币种或单位“万亿元”"),
        ("1百万元", "不支持的币种或单位“百万元”"),
        ("5%", "不支持的币种或单位“%”"),
        ("106亿欧元左右", "不支持的币种或单位“亿欧元”"),
        ("1.001元", "金额最多精确到分"),
        ("0.00000000001亿元", "金额最多精确到分"),
        ("1.000000000000000000000000000000001亿元", "金额最多精确到分"),
        ("10000000000亿元", "金额过大"),
        ("约106余亿元", "限定词只能有一个"),
        ("约106亿元左右", "限定词只能有一个"),
        ("106余亿元左右", "限定词只能有一个"),
        ("人民币106亿元", "无法识别数字前的“人民币”"),
        ("1,23亿元", "千位分隔符位置不对"),
        ("abc", "没有数字"),
    ],
)
def test_what_cannot_be_read_is_refused_with_the_reason(text, reason):
    with pytest.raises(AmountParseError) as raised:
        parse_amount(text, None)
    assert reason in raised.value.reason
    assert raised.value.text == text
    assert str(raised.value) == f"无法识别的金额“{text}”：{raised.value.reason}"


def test_a_unit_typed_in_the_text_is_refused_even_when_a_unit_is_chosen_beside_it():
    with pytest.raises(AmountParseError, match="不支持的币种或单位“亿港元”"):
        parse_amount("106亿港元", YI, "CNY")


@pytest.mark.parametrize(
    "text",
    [
        "106亿元",
        "299.92亿元",
        "274.82万元",
        "30478万元",
        "1.74亿美元",
        "3000万美元",
        "15,000,000元",
        "5,000美元",
        "约121亿元",
        "超10亿元",
        "106余亿元",
        "3000余万元",
        "近10亿元",
        "突破2700亿元",
        "106亿元左右",
    ],
)
def test_canonical_text_comes_back_unchanged(text):
    amount = parse_amount(text)
    assert format_amount(amount.value, amount.scale, amount.currency, amount.qualifier) == text
    assert str(amount) == text


def test_the_round_trip_keeps_the_scale_and_the_exact_value():
    amount = parse_amount("274.82万元")
    assert amount.value == Decimal("2748200")
    assert amount.scale == AmountScale.WAN
    assert format_amount(amount.value, amount.scale, amount.currency) == "274.82万元"


def test_loose_spellings_come_back_in_the_canonical_form():
    assert str(parse_amount(" １,２３４.５ 万元")) == "1234.5万元"
    assert str(parse_amount("100多亿元")) == "100余亿元"
    assert str(parse_amount("106", YI)) == "106亿元"


def test_qualifiers_are_the_stored_choices():
    assert parse_amount("约106亿元").qualifier == Qualifier.ABOUT
    assert parse_amount("1.74亿美元").currency == Currency.USD


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("106", "106"),
        ("-3.5", "-3.5"),
        ("－3.5", "-3.5"),
        ("1,234.5", "1234.5"),
        ("１２", "12"),
        (" 95.65 ", "95.65"),
    ],
)
def test_bare_numbers_are_read_for_figures_that_are_not_amounts(text, number):
    assert parse_number(text) == Decimal(number)


@pytest.mark.parametrize("text", ["", "5%", "106亿元", "1-2", "1,23", "一百", "abc"])
def test_anything_but_a_bare_number_is_not_a_number(text):
    assert parse_number(text) is None
