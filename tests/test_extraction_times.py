"""Periods and dates in running text: cumulative month ranges, named parts of the year, points
in time, and dates at their precision; a quarter is a date when something happens in it and a
period when figures are stated for it."""

from datetime import date

import pytest

from projects.extraction import extract
from projects.extraction.times import scan_times


@pytest.mark.parametrize(
    ("text", "quote", "year", "start_month", "end_month"),
    [
        ("今年1月至5月,该区", "今年1月至5月", 2022, 1, 5),
        ("2023年1-9月全区", "2023年1-9月", 2023, 1, 9),
        ("2023年1—7月有关情况", "2023年1—7月", 2023, 1, 7),
        ("1至5月份,全区", "1至5月份", 2022, 1, 5),
        ("截至5月底,全区", "截至5月底", 2022, None, 5),
        ("截至9月末,贷款余额", "截至9月末", 2022, None, 9),
        ("前三季度,全区", "前三季度", 2022, 1, 9),
        ("上半年,全县实现", "上半年", 2022, 1, 6),
        ("去年1-5月", "去年1-5月", 2021, 1, 5),
        ("1一3月,全区", "1一3月", 2022, 1, 3),
    ],
)
def test_periods(text, quote, year, start_month, end_month):
    mention = scan_times(text, 2022)[0]
    assert text[mention.start : mention.end] == quote
    assert mention.period is not None, mention
    assert (mention.period.year, mention.period.start_month, mention.period.end_month) == (
        year,
        start_month,
        end_month,
    )


@pytest.mark.parametrize(
    ("text", "quote", "day", "precision"),
    [
        ("3月18日,项目签约", "3月18日", date(2022, 3, 18), "day"),
        ("2023年12月16日落户", "2023年12月16日", date(2023, 12, 16), "day"),
        ("今年6月份开工", "今年6月份", date(2022, 6, 1), "month"),
        ("计划第四季度投产", "第四季度", date(2022, 10, 1), "quarter"),
        ("四季度投产", "四季度", date(2022, 10, 1), "quarter"),
        ("下半年开工", "下半年", date(2022, 7, 1), "half"),
        ("2024年完成", "2024年", date(2024, 1, 1), "year"),
    ],
)
def test_dates(text, quote, day, precision):
    mention = scan_times(text, 2022)[0]
    assert text[mention.start : mention.end] == quote
    assert mention.date is not None, mention
    assert (mention.date.date, mention.date.precision) == (day, precision)


def test_a_date_without_a_year_in_a_text_without_one_keeps_its_precision():
    mention = scan_times("3月18日签约")[0]
    assert (mention.date.date, mention.date.precision) == (None, "day")


def test_a_quarter_with_a_figure_is_its_period_and_without_one_a_date():
    candidates = extract("四季度还要完成投资53亿元。四季度将逐步释放产能。", year=2023)
    times = [(c.quote, c.kind) for c in candidates if c.kind in ("period", "date")]
    assert times == [("四季度", "period"), ("四季度", "date")]


def test_a_named_period_without_a_figure_is_no_candidate():
    text = "全力以赴完成全年目标任务。全年营业收入突破100亿元。"
    assert [(c.quote, c.start) for c in extract(text, year=2023) if c.kind == "period"] == [("全年", 13)]


def test_slogans_are_no_dates():
    assert [c for c in extract("实行“一周一调度、一月一通报”机制。", year=2023) if c.kind == "date"] == []
