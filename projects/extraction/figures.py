"""Figures as Chinese economic reporting writes them: a number (Arabic, full-width or Chinese
numerals, with thousands separators), a 万/亿 scale, a unit, and the hedges around it
(约/近/超/逾/突破 before, 余/多 inside, 左右/以上 after), alone or as a range (10-15亿元).

`scan_figures` finds them all in one pass of one regular expression; offsets are those of the
text as given. Pure functions, no ORM.

Every repetition in these patterns is bounded and a number never starts inside a run of digits
or numerals: one attempt of the pattern costs at most a constant, so a scan is linear in the
text whatever it holds (100,000 万 in a row took minutes when the numeral ran unbounded and was
tried again from each of its characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

from ..money import Qualifier
from .candidates import CandidateKind
from .spans import Spans

# Full-width digits, signs and letters become ASCII one character for one, so offsets hold.
# The full-width comma is left alone: it separates clauses, not thousands.
WIDTH = str.maketrans({chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if code != 0xFF0C})

# vocabulary: the sources' numerals, units and hedges
CHINESE_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
# The longest number as written: digits before (or after) the point, numerals in a row, groups of
# a thousand. Longer runs are no figure of economic reporting (10^20 is a hundred billion 亿).
MAX_DIGITS = 20
MAX_THOUSANDS = 6
_NUMERAL_CHARS = f"{CHINESE_DIGITS}十百千万亿拾佰仟点"  # vocabulary: the sources' numerals, units and hedges
CHINESE_NUMERAL = f"(?<![{_NUMERAL_CHARS}])[{_NUMERAL_CHARS}]{{1,{MAX_DIGITS}}}"
_DIGITS = f"[0-9]{{1,{MAX_DIGITS}}}"
ARABIC = f"{_DIGITS}(?:,[0-9]{{3}}){{1,{MAX_THOUSANDS}}}(?:\\.{_DIGITS})?(?![0-9])|{_DIGITS}(?:\\.{_DIGITS})?"
NUMBER = f"(?:{ARABIC}|{CHINESE_NUMERAL})"

# vocabulary: the sources' numerals, units and hedges
SCALES = {"万亿": 10**12, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3}
# vocabulary: the sources' numerals, units and hedges
CURRENCIES = {"美元": "USD", "港元": "HKD", "欧元": "EUR", "日元": "JPY", "元": "CNY"}
PERCENT_UNITS = ("个百分点", "百分点", "%")  # vocabulary: the sources' numerals, units and hedges
# vocabulary: the sources' numerals, units and hedges
COUNT_UNITS = (
    "人次", "家次", "台套", "个", "家", "项", "户", "人", "名", "条", "件", "台", "套", "座",
    "栋", "幢", "所", "位", "次", "场", "批", "宗", "支", "间", "款", "处", "艘", "架", "期", "单",
)  # fmt: skip
# vocabulary: the sources' numerals, units and hedges
QUANTITY_UNITS = (
    "吨标准煤", "平方公里", "平方米", "立方米", "千瓦时", "标准箱", "公顷", "平米", "千瓦", "兆瓦", "吉瓦",
    "GWh", "MWh", "kWh", "公里", "千米", "GW", "MW", "kW", "KW", "TEU", "吨", "亩", "米", "辆", "片",
    "公斤", "千克", "斤",
)  # fmt: skip

# vocabulary: the sources' numerals, units and hedges
_PREFIXES = {
    "约": Qualifier.ABOUT,
    "大约": Qualifier.ABOUT,
    "近": Qualifier.NEARLY,
    "将近": Qualifier.NEARLY,
    "接近": Qualifier.NEARLY,
    "超过": Qualifier.OVER,
    "超": Qualifier.OVER,
    "逾": Qualifier.OVER,
    "突破": Qualifier.BREAKS,
}
# vocabulary: the sources' numerals, units and hedges
_SUFFIXES = {"左右": Qualifier.AROUND, "以上": Qualifier.MORE_THAN, "之多": Qualifier.MORE_THAN}


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_SCALE = f"(?:{_alternatives(SCALES)})"
# vocabulary: the sources' numerals, units and hedges
_UNIT = (
    f"(?P<currency>{_alternatives(CURRENCIES)})"
    f"|(?P<percent>{_alternatives(PERCENT_UNITS)})"
    f"|(?P<quantity>{_alternatives(QUANTITY_UNITS)})"
    f"|(?P<count>{_alternatives(COUNT_UNITS)})(?!月|百分点|小时|半小时|半月|工作日|星期|多月|多小时|单位|独)"
    "|(?P<ratio>倍)"
    "|(?P<score>分)(?![别钟之期批类成析管局行享布配解工担段子红时级区会散流配步])"
)
# vocabulary: the sources' numerals, units and hedges
_SEPARATOR = "(?:-|~|—|–|至|到|一(?=[0-9]))"  # 80一100亿元: 一 typed for a dash between digits
# vocabulary: the sources' numerals, units and hedges
FIGURE = re.compile(
    f"(?P<pre>{_alternatives(_PREFIXES)})?"
    f"(?:(?<![0-9A-Za-z.第])(?P<low>{NUMBER})(?P<low_scale>{_SCALE})?"
    f"(?P<low_unit>%|{_alternatives(CURRENCIES)})?{_SEPARATOR}(?=[0-9{CHINESE_DIGITS}十]))?"
    f"(?<![0-9.])(?P<number>{NUMBER})"
    f"(?P<more>[余多])?(?P<scale>{_SCALE})?(?P<more_after>[余多])?"
    f"(?:{_UNIT})"
    f"(?P<post>{_alternatives(_SUFFIXES)})?"
)
# vocabulary: the sources' numerals, units and hedges
PERCENT_IN_WORDS = re.compile(
    f"(?P<pre>{_alternatives(_PREFIXES)})?百分之(?P<number>{CHINESE_NUMERAL}|{ARABIC})"
)

# Money written with a scale and no 元 (投资10亿) counts as an amount when money is near.
# vocabulary: the sources' numerals, units and hedges
BARE_SCALE = re.compile(
    f"(?P<pre>{_alternatives(_PREFIXES)})?(?<![0-9A-Za-z.第])(?P<number>{ARABIC})(?P<more>[余多])?"
    f"(?P<scale>万亿|亿|万)(?P<more_after>[余多])?(?P<post>{_alternatives(_SUFFIXES)})?"
    f"(?![0-9{CHINESE_DIGITS}元美港欧日%吨平立千兆吉公亩米辆片个家项户人名条件台套座栋幢所位次场批宗支间款处艘架倍])"
)
# vocabulary: the sources' numerals, units and hedges
_MONEY_WORDS = re.compile(
    r"投资|投入|资金|金额|营收|收入|产值|税收|进资|利润|融资|贷款|基金|规模|销售额|出口额|资产|购置|补贴|"
    r"奖补|奖励|拨付|兑现|支出|元"
)


class NotANumber(ValueError):
    pass


def read_number(token: str) -> Decimal:
    """'1,234.5' → 1234.5; '三千' → 3000; '一百二十' → 120; '十五点五' → 15.5."""
    token = token.translate(WIDTH)
    if token[0].isdigit():
        return Decimal(token.replace(",", ""))
    if token[0] in "百千佰仟":  # vocabulary: the sources' numerals, units and hedges
        # vocabulary: the sources' numerals, units and hedges
        token = "一" + token  # 百亿元, 百分之百: a hundred
    try:
        number = cn2an.cn2an(token, "normal")
    except (ValueError, KeyError, TypeError) as error:
        raise NotANumber(token) from error
    try:
        return Decimal(str(number))
    except InvalidOperation as error:
        raise NotANumber(token) from error


@dataclass(frozen=True)
class Figure:
    """A figure found in a text: its span, kind, value as written and unit."""

    kind: str
    start: int
    end: int
    value: Decimal
    value_upper: Decimal | None
    unit: str
    scale: int
    currency: str
    qualifier: str


def _same_range(
    match: re.Match[str], kind: str, unit: str, scale_text: str, low: Decimal, high: Decimal
) -> bool:
    """10-15亿元, 10亿至15亿元, 20%-30%: the low end is in the same unit and below the high end."""
    if match["low_scale"] and match["low_scale"] != scale_text:
        return False
    if match["low_unit"] and match["low_unit"] != ("%" if kind == CandidateKind.PERCENT else unit):
        return False
    return low < high


def _split_chinese_scale(token: str) -> tuple[str, str]:
    """'三千万' → ('三千', '万'); a trailing 万/亿 of a Chinese numeral is the unit's scale."""
    for scale in ("万亿", "亿", "万"):  # vocabulary: the sources' numerals, units and hedges
        if token.endswith(scale) and len(token) > len(scale):
            return token[: -len(scale)], scale
    return token, ""


def _plausible_chinese(token: str, kind: str, scale_text: str, hedged: bool) -> bool:
    """A Chinese numeral that is a number and not a word: not 一 alone (一批, 一家: "a"; but
    一倍), not only scale characters (千家万户; but 百亿元)."""
    if token == "一":  # vocabulary: the sources' numerals, units and hedges
        return kind == CandidateKind.RATIO or bool(scale_text)  # 一倍, 一万吨
    # vocabulary: the sources' numerals, units and hedges
    if token in ("零", "〇", "壹") or "点" in (token[0], token[-1]):
        return False
    if token in ("百", "千"):  # vocabulary: the sources' numerals, units and hedges
        # 百亿元, 近百家: a hundred when money follows or a hedge comes first; else a word (千家万户)
        return (kind == CandidateKind.AMOUNT and bool(scale_text)) or hedged
    # vocabulary: the sources' numerals, units and hedges
    return any(char in CHINESE_DIGITS for char in token) or token.startswith("十")


def _qualifier(match: re.Match[str]) -> str:
    if match["pre"]:
        return _PREFIXES[match["pre"]]
    if match.groupdict().get("more") or match.groupdict().get("more_after"):
        return Qualifier.MORE_THAN
    if match.groupdict().get("post"):
        return _SUFFIXES[match["post"]]
    return ""


def _kind(match: re.Match[str]) -> tuple[str, str, str]:
    """(kind, unit as written without scale, currency)."""
    for kind in ("currency", "percent", "quantity", "count", "ratio", "score"):
        if match[kind]:
            unit = match[kind]
            if kind == "currency":
                return CandidateKind.AMOUNT, unit, CURRENCIES[unit]
            if kind == "percent":
                # vocabulary: the sources' numerals, units and hedges
                return CandidateKind.PERCENT, "个百分点" if "百分点" in unit else "%", ""
            return _KINDS[kind], unit, ""
    raise AssertionError("the figure pattern always has a unit")


# vocabulary: the sources' numerals, units and hedges
_PRODUCT_UNITS = frozenset({"套", "台", "件", "只", "支", "条", "块", "台套", "艘", "架"})
_KINDS = {
    "quantity": CandidateKind.QUANTITY,
    "count": CandidateKind.COUNT,
    "ratio": CandidateKind.RATIO,
    "score": CandidateKind.SCORE,
}


def _figure(text: str, match: re.Match[str]) -> Figure | None:
    kind, unit, currency = _kind(match)
    number, scale_text = match["number"], match["scale"] or ""
    if not number[0].isdigit():
        number, chinese_scale = _split_chinese_scale(number)
        if chinese_scale and scale_text:
            return None
        scale_text = scale_text or chinese_scale
        if not _plausible_chinese(number, kind, scale_text, bool(match["pre"])):
            return None
        if kind == CandidateKind.AMOUNT and not scale_text:
            return None  # 三元前驱体: Chinese numerals with a bare 元 are words, not money
    # vocabulary: the sources' numerals, units and hedges
    if kind == CandidateKind.COUNT and text[max(0, match.start() - 1) : match.start()] in (
        "第",
        "前",
        "后",
        "排",
    ):
        return None  # 第4名, 前三名, 后三位: ranks
    if (
        text[max(0, match.start("number") - 1) : match.start("number")].isascii()
        and text[max(0, match.start("number") - 1) : match.start("number")].isalpha()
        and not scale_text
    ):
        return None  # G60, PM2.5: a name; but MLCC300亿片 is a quantity
    if kind == CandidateKind.COUNT and scale_text and unit in _PRODUCT_UNITS:
        kind = CandidateKind.QUANTITY  # 1200万套, 5万台: output, not a count of things
    # vocabulary: the sources' numerals, units and hedges
    if kind == CandidateKind.SCORE and (
        not number[0].isdigit() or text[max(0, match.start() - 1) : match.start()] in ("时", "点", ":")
    ):
        return None  # 三分, 9时30分: a score is written in digits, and is no time of day
    # vocabulary: the sources' numerals, units and hedges
    if unit == "期" and text[match.start() - 1 : match.start()] != "分":
        return None  # 分两期建设 counts phases; 一期、二期 name them
    if kind == CandidateKind.PERCENT and scale_text:
        return None
    try:
        value = read_number(number)
        low = read_number(match["low"]) if match["low"] else None
    except NotANumber:
        return None
    if low is not None and not _same_range(match, kind, unit, scale_text, low, value):
        low = None
    qualifier = _qualifier(match)
    start = match.start()
    if match["low"] and low is None:  # not a range after all (2020-25家): the figure starts at its number
        start = match.start("number")
        qualifier = "" if match["pre"] else qualifier
    scale = SCALES.get(scale_text, 1)
    written_unit = scale_text + unit if kind != CandidateKind.PERCENT else unit
    if low is not None:
        value, upper = low, value
    else:
        upper = None
    return Figure(
        kind=kind,
        start=start,
        end=match.end(),
        value=value,
        value_upper=upper,
        unit=written_unit,
        scale=scale,
        currency=currency,
        qualifier=qualifier,
    )


def scan_figures(text: str) -> list[Figure]:
    """Every figure in `text`, in order, none overlapping another."""
    normal = text.translate(WIDTH)
    found: list[Figure] = []
    for match in FIGURE.finditer(normal):
        figure = _figure(normal, match)
        if figure is not None:
            found.append(figure)
    taken = Spans((f.start, f.end) for f in found)
    for match in PERCENT_IN_WORDS.finditer(normal):
        if taken.meeting(match.start(), match.end()):
            continue
        try:
            value = read_number(match["number"])
        except NotANumber:
            continue
        found.append(
            Figure(
                CandidateKind.PERCENT, match.start(), match.end(), value, None, "%", 1, "", _qualifier(match)
            )
        )
    for match in BARE_SCALE.finditer(normal):
        if taken.meeting(match.start(), match.end()) or not _MONEY_WORDS.search(
            normal[max(0, match.start() - 12) : match.start()]
        ):
            continue
        scale_text = match["scale"]
        # vocabulary: the sources' numerals, units and hedges
        found.append(
            Figure(
                CandidateKind.AMOUNT,
                match.start(),
                match.end(),
                read_number(match["number"]),
                None,
                f"{scale_text}元",
                SCALES[scale_text],
                "CNY",
                _qualifier(match),
            )
        )
    found.sort(key=lambda figure: figure.start)
    return found
