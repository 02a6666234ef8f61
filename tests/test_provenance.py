from decimal import Decimal

import pytest

from projects.provenance import QuoteNotFound, locate_quote, missing_numbers, numbers_in


def test_numbers_in_reads_arabic_and_small_chinese_numerals():
    found = numbers_in("总投资达299.92亿元,开工率达95.65%,总量位居全省第二,二期开工")
    assert {Decimal("299.92"), Decimal("95.65"), Decimal(2)} <= found


def test_numbers_in_reads_tens():
    assert Decimal(12) in numbers_in("十二月")
    assert Decimal(10) in numbers_in("近十万元")


def test_missing_numbers_reports_what_no_quote_states():
    assert missing_numbers({Decimal("106"), Decimal("3.7")}, ["总投资106亿元的项目"]) == {Decimal("3.7")}
    assert missing_numbers({Decimal("106.0")}, ["总投资106亿元"]) == set()


def test_locate_quote_finds_the_only_occurrence():
    assert locate_quote("甲。乙丙。丁。", "乙丙。") == 2


def test_locate_quote_rejects_what_is_not_in_the_text():
    with pytest.raises(QuoteNotFound, match="找不到"):
        locate_quote("甲。乙。", "丙。")


def test_locate_quote_asks_for_the_start_when_the_quote_repeats():
    with pytest.raises(QuoteNotFound, match="出现了2次"):
        locate_quote("甲。甲。", "甲。")
    assert locate_quote("甲。甲。", "甲。", start=2) == 2


def test_locate_quote_checks_a_given_start():
    with pytest.raises(QuoteNotFound, match="第1个字符"):
        locate_quote("甲。乙。", "乙。", start=1)
