from decimal import Decimal

import pytest

from projects.money import AmountScale, format_amount, from_base, plain, to_base


@pytest.mark.parametrize(
    ("value", "scale", "currency", "qualifier", "text"),
    [
        ("10600000000", AmountScale.YI, "CNY", "", "106亿元"),
        ("29992000000", AmountScale.YI, "CNY", "", "299.92亿元"),
        ("2748200", AmountScale.WAN, "CNY", "", "274.82万元"),
        ("304780000", AmountScale.WAN, "CNY", "", "30478万元"),
        ("174000000", AmountScale.YI, "USD", "", "1.74亿美元"),
        ("12100000000", AmountScale.YI, "CNY", "about", "约121亿元"),
        ("270000000000", AmountScale.YI, "CNY", "breaks", "突破2700亿元"),
        ("30000000", AmountScale.WAN, "CNY", "more_than", "3000余万元"),
        ("15000000", AmountScale.ONE, "CNY", "", "15,000,000元"),
    ],
)
def test_amounts_are_shown_in_the_unit_the_source_used(value, scale, currency, qualifier, text):
    assert format_amount(Decimal(value), scale, currency, qualifier) == text


def test_amounts_convert_exactly_between_scales():
    assert to_base(Decimal("299.92"), AmountScale.YI) == Decimal("29992000000")
    assert from_base(Decimal("29992000000.00"), AmountScale.YI) == Decimal("299.92")
    assert str(from_base(Decimal("10000000000"), AmountScale.YI)) == "100"


def test_plain_never_uses_exponent_notation():
    assert str(plain(Decimal("1E+2"))) == "100"
    assert str(plain(Decimal("95.6500"))) == "95.65"


def test_missing_amount_shows_nothing():
    assert format_amount(None) == ""


def test_tiny_amounts_are_never_shown_in_exponent_form():
    assert format_amount(Decimal("1.50"), AmountScale.YI) == "0.000000015亿元"
    assert format_amount(Decimal("12345.5"), AmountScale.ONE) == "12,345.5元"
