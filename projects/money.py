"""Money as Chinese reports write it: exact decimals, a scale (元/万元/亿元) and a currency.

Amounts are stored in base units (元 or US dollars) so that the database can add them up;
the scale is kept beside them only to show and enter them the way the source did.
"""

from decimal import Decimal

from django.db.models.enums import IntegerChoices, TextChoices


class Currency(TextChoices):
    CNY = "CNY", "人民币"
    USD = "USD", "美元"


class AmountScale(IntegerChoices):
    ONE = 1, "元"
    WAN = 10_000, "万元"
    YI = 100_000_000, "亿元"


class Qualifier(TextChoices):
    """How a source hedges a figure: 约121亿元, 300余名, 超10亿元, 突破30%, 近十万元."""

    ABOUT = "about", "约"
    MORE_THAN = "more_than", "余"
    OVER = "over", "超"
    BREAKS = "breaks", "突破"
    NEARLY = "nearly", "近"
    AROUND = "around", "左右"


_SCALE_PREFIX = {AmountScale.ONE: "", AmountScale.WAN: "万", AmountScale.YI: "亿"}
_CURRENCY_SUFFIX = {Currency.CNY: "元", Currency.USD: "美元"}


def to_base(value: Decimal, scale: int) -> Decimal:
    """106 at 亿 → 10600000000."""
    return value * scale


def from_base(value: Decimal, scale: int) -> Decimal:
    """10600000000 at 亿 → 106 (trailing zeros removed, never in exponent form)."""
    return plain(value / scale)


def plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (1E+2 → 100)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def unit_label(scale: int, currency: str = Currency.CNY) -> str:
    """亿元, 万元, 元, 亿美元 …"""
    return _SCALE_PREFIX[AmountScale(scale)] + _CURRENCY_SUFFIX[Currency(currency)]


def format_amount(
    value: Decimal | None,
    scale: int | None = AmountScale.YI,
    currency: str = Currency.CNY,
    qualifier: str = "",
) -> str:
    """10600000000 → '106亿元'; with qualifier 'about' → '约106亿元'; with 'more_than' → '106余亿元'."""
    if value is None:
        return ""
    scale = scale or AmountScale.ONE
    number = f"{from_base(value, scale):,f}" if scale == AmountScale.ONE else f"{from_base(value, scale):f}"
    unit = unit_label(scale, currency)
    return qualify(number, unit, qualifier)


def qualify(number: str, unit: str, qualifier: str = "") -> str:
    """Put a qualifier where Chinese puts it: before the number, or between number and unit."""
    match qualifier:
        case Qualifier.ABOUT | Qualifier.OVER | Qualifier.BREAKS | Qualifier.NEARLY:
            return f"{Qualifier(qualifier).label}{number}{unit}"
        case Qualifier.MORE_THAN:
            return f"{number}余{unit}"
        case Qualifier.AROUND:
            return f"{number}{unit}左右"
        case _:
            return f"{number}{unit}"
