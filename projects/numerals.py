"""Small numbers as Chinese text writes them: months, quarters, days and ranks (五, 十二, 二十三).

One reader for the periods parser, the extractor's time scanner and the provenance check. Larger
numbers with 百/千/万/亿 are figures: `projects.extraction.figures.read_number` reads those
(with cn2an). Pure functions, no ORM.
"""

# vocabulary: Chinese numerals read from the sources
CHINESE_DIGITS = dict(zip("零一二三四五六七八九", range(10), strict=True)) | {"两": 2}


# vocabulary: Chinese numerals read from the sources
def small_number(token: str) -> int | None:
    """'5', '05' → 5; '五' → 5, '十' → 10, '十二' → 12, '二十三' → 23. None for what is not a
    number below 100 written that way: '十十', '一二三', '二零二二' (cn2an reads the last two as
    123 and 2022, which is why these are not handed to it)."""
    if token.isdigit():
        return int(token)
    if "十" not in token:
        return CHINESE_DIGITS.get(token) if len(token) == 1 else None
    tens, _, units = token.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    if (tens and tens not in CHINESE_DIGITS) or (units and units not in CHINESE_DIGITS):
        return None
    return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[units] if units else 0)
