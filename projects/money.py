"""Money as Chinese reports write it: exact decimals, a scale (元/万元/亿元) and a currency.

Amounts are stored in base units (元 or US dollars) so that the database can add them up;
the scale is kept beside them only to show and enter them the way the source did.
`parse_amount` reads what staff type (106亿元, 约274.82万元, 1.74亿美元) and says in Chinese what
it could not understand; nothing is guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from django.db.models.enums import IntegerChoices, TextChoices
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Currency(TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")


# vocabulary: units as the sources write them (a workbook's unit cell is read back)
class AmountScale(IntegerChoices):
    ONE = 1, "元"
    WAN = 10_000, "万元"
    YI = 100_000_000, "亿元"


class Qualifier(TextChoices):
    """How a source hedges a figure: 约121亿元, 300余名, 超10亿元, 突破30%, 近十万元."""

    ABOUT = "about", _("约")
    MORE_THAN = "more_than", _("余")
    OVER = "over", _("超")
    BREAKS = "breaks", _("突破")
    NEARLY = "nearly", _("近")
    AROUND = "around", _("左右")


# vocabulary: the hedges written before a number, as the sources write them
_QUALIFIER_WORDS = {
    Qualifier.ABOUT: "约",
    Qualifier.OVER: "超",
    Qualifier.BREAKS: "突破",
    Qualifier.NEARLY: "近",
}
# vocabulary: units as the sources write them
_SCALE_PREFIX = {AmountScale.ONE: "", AmountScale.WAN: "万", AmountScale.YI: "亿"}
_CURRENCY_SUFFIX = {Currency.CNY: "元", Currency.USD: "美元"}  # vocabulary: units as the sources write them


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
    # vocabulary: an amount as the sources write it
    match qualifier:
        case Qualifier.ABOUT | Qualifier.OVER | Qualifier.BREAKS | Qualifier.NEARLY:
            return f"{_QUALIFIER_WORDS[Qualifier(qualifier)]}{number}{unit}"
        case Qualifier.MORE_THAN:
            return f"{number}余{unit}"
        case Qualifier.AROUND:
            return f"{number}{unit}左右"
        case _:
            return f"{number}{unit}"


# Reading amounts as staff type them: 106亿元, 274.82万元, 1.74亿美元, 约106亿元, 3000余万元 …

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 18  # what the database's amount columns hold (20 digits, 2 decimals)

# vocabulary: amounts as the sources write them
_AMOUNT_EXAMPLES = "106亿元、274.82万元、1.74亿美元、约106亿元"
_AMOUNT_EXAMPLE, _GROUPED_EXAMPLE = "106亿元", "1,234.5万元"  # vocabulary: amounts as the sources write them
_QUALIFIED_EXAMPLES = "约106亿元", "106余亿元"  # vocabulary: amounts as the sources write them
_AMOUNT_FORMS = format_lazy(_("可写作 {forms},或只填数字并在旁边选择单位"), forms=_AMOUNT_EXAMPLES)
_UNIT_LABELS = "元、万元、亿元、美元、万美元、亿美元"  # vocabulary: units as the sources write them
_ONE_QUALIFIER = format_lazy(
    _("限定词只能有一个,如“{before}”或“{after}”"), before=_QUALIFIED_EXAMPLES[0], after=_QUALIFIED_EXAMPLES[1]
)
# vocabulary: the hedges as the sources write them
_PREFIX_QUALIFIERS = {
    "约": Qualifier.ABOUT,
    "大约": Qualifier.ABOUT,
    "超": Qualifier.OVER,
    "超过": Qualifier.OVER,
    "近": Qualifier.NEARLY,
    "将近": Qualifier.NEARLY,
    "突破": Qualifier.BREAKS,
}
# vocabulary: units as the sources write them
_SCALE_OF_PREFIX = {"万": AmountScale.WAN, "亿": AmountScale.YI}
# vocabulary: units as the sources write them
_CURRENCY_OF_SUFFIX = {"元": Currency.CNY, "美元": Currency.USD}
_MINUS = "-‐‑‒–—―−﹣"
# vocabulary: Chinese numerals
_CHINESE_NUMERALS = re.compile("[零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟]")
# vocabulary: traditional characters of units
_TRADITIONAL = str.maketrans({"億": "亿", "萬": "万"})
# ASCII digits only, after NFKC has made full-width ones ASCII: "१२३" is no amount (Decimal()
# would read it as 123).
_NUMBER = re.compile(r"\d+(?:,\d+)*(?:\.\d+)?", re.ASCII)
_GROUPED = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)
# vocabulary: a pattern of the sources' units
_SUFFIX = re.compile(r"(?P<more>[余多])?(?P<scale>[万亿])?(?P<currency>元|美元)?(?P<around>左右)?")
_BARE_NUMBER = re.compile(rf"[{_MINUS}]?{_GROUPED.pattern}", re.ASCII)


class AmountParseError(ValueError):
    """Text that is not an amount we can read, with the reason: `why`, a message rendered in the
    language active when it is read (`reason` renders it at once), and `message`, the whole
    message `str()` renders."""

    def __init__(self, text: str, reason: StrOrPromise) -> None:
        self.text = text
        self.why = reason
        self.message = format_lazy(_("无法识别的金额“{text}”：{reason}"), text=text, reason=reason)
        super().__init__(self.message)

    @property
    def reason(self) -> str:
        """The reason, in the active language."""
        return str(self.why)


class _Unreadable(Exception):
    """Raised inside the parser with the reason; parse_amount adds the text."""

    def __init__(self, reason: StrOrPromise) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedAmount:
    """An amount read from text: `value` in base units (元 or US dollars), the scale and currency
    it was stated in, and the qualifier ('' when the figure is exact)."""

    value: Decimal
    scale: int
    currency: str
    qualifier: str = ""

    def __str__(self) -> str:
        return format_amount(self.value, self.scale, self.currency, self.qualifier)


def _normalise(text: str) -> str:
    """Full-width digits and signs to ASCII, traditional 億/萬, no spaces at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_TRADITIONAL))


def _number(token: str) -> Decimal:
    """'1,234.5' → 1234.5; thousands separators must sit every three digits."""
    if "," in token and not _GROUPED.fullmatch(token):
        raise _Unreadable(format_lazy(_("千位分隔符位置不对,如 {example}"), example=_GROUPED_EXAMPLE))
    return Decimal(token.replace(",", ""))


def _prefix_qualifier(prefix: str) -> str:
    if not prefix:
        return ""
    if prefix[-1] in _MINUS:
        raise _Unreadable(_("金额不能为负数"))
    if prefix in _PREFIX_QUALIFIERS:
        return _PREFIX_QUALIFIERS[prefix]
    raise _Unreadable(
        format_lazy(_("无法识别数字前的“{prefix}”;{forms}"), prefix=prefix, forms=_AMOUNT_FORMS)
    )


def _unit(suffix: str) -> tuple[str, int | None, str | None]:
    """(qualifier, scale, currency) of what follows the number: 余亿元, 万美元, 亿元左右 …"""
    match = _SUFFIX.fullmatch(suffix)
    if match is None:
        unit = suffix.removesuffix("左右")  # vocabulary: the sources' hedges
        unit = unit[1:] if unit[:1] in "余多" else unit  # vocabulary: the sources' hedges
        raise _Unreadable(
            format_lazy(_("不支持的币种或单位“{unit}”,可用 {units}"), unit=unit, units=_UNIT_LABELS)
        )
    qualifiers = [
        q for q, said in ((Qualifier.MORE_THAN, match["more"]), (Qualifier.AROUND, match["around"])) if said
    ]
    if len(qualifiers) > 1:
        raise _Unreadable(_ONE_QUALIFIER)
    scale = _SCALE_OF_PREFIX.get(match["scale"])
    currency = _CURRENCY_OF_SUFFIX.get(match["currency"])
    if scale is None and currency is not None:
        scale = AmountScale.ONE  # 5000元: the unit is 元 itself
    return (qualifiers[0] if qualifiers else ""), scale, currency


def _in_base(number: Decimal, scale: int) -> Decimal:
    """number × scale exactly (a context wide enough for every digit typed), checked to fit."""
    with localcontext(prec=max(28, len(number.as_tuple().digits) + 12)):
        value = number * scale
        if value >= MAX_AMOUNT:
            raise _Unreadable(_("金额过大"))
        if value != value.quantize(CENT):
            raise _Unreadable(_("金额最多精确到分"))
        return value.quantize(CENT)


def _read_amount(text: str, scale: int | None, currency: str | None) -> ParsedAmount:
    if not text:
        raise _Unreadable(format_lazy(_("内容为空;{forms}"), forms=_AMOUNT_FORMS))
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        if _CHINESE_NUMERALS.search(text):
            raise _Unreadable(format_lazy(_("请用阿拉伯数字填写,如{example}"), example=_AMOUNT_EXAMPLE))
        raise _Unreadable(format_lazy(_("没有数字;{forms}"), forms=_AMOUNT_FORMS))
    if len(numbers) > 1:
        raise _Unreadable(_("请填写一个金额,区间请分两栏填写"))
    found = numbers[0]
    prefix_qualifier = _prefix_qualifier(text[: found.start()])
    suffix_qualifier, stated_scale, stated_currency = _unit(text[found.end() :])
    if prefix_qualifier and suffix_qualifier:
        raise _Unreadable(_ONE_QUALIFIER)
    stated_or_chosen = stated_scale or scale
    if stated_or_chosen is None:
        raise _Unreadable(format_lazy(_("请写明单位,如{example},或在旁边选择单位"), example=_AMOUNT_EXAMPLE))
    scale = AmountScale(stated_or_chosen)
    return ParsedAmount(
        value=_in_base(_number(found.group()), scale),
        scale=scale,
        currency=Currency(stated_currency or currency or Currency.CNY),
        qualifier=prefix_qualifier or suffix_qualifier,
    )


def parse_amount(text: str, scale: int | None = None, currency: str | None = None) -> ParsedAmount:
    """An amount as staff type it: 106亿元, 274.82万元, 1.74亿美元, 约106亿元, 3000余万元, 1,234.5万元.

    A unit in the text wins over `scale`/`currency` (the unit chosen beside the input); a bare
    number (106) is taken at `scale`, and without one it is refused. 106亿 is in `currency`, or
    元 when none is given. Exact decimals throughout; whatever cannot be read raises
    AmountParseError saying why.
    """
    chosen_scale = AmountScale(scale) if scale else None
    chosen_currency = Currency(currency) if currency else None
    try:
        return _read_amount(_normalise(text), chosen_scale, chosen_currency)
    except _Unreadable as error:
        raise AmountParseError(text, error.reason) from None


def parse_number(text: str) -> Decimal | None:
    """A bare number as typed (106, -3.5, 1,234.5, full-width digits), or None when the text is
    anything else: for figures that are not amounts (a count, a percentage)."""
    normal = _normalise(text)
    if not _BARE_NUMBER.fullmatch(normal):
        return None
    sign = "-" if normal[0] in _MINUS else ""
    return Decimal(sign + normal.lstrip(_MINUS).replace(",", ""))
