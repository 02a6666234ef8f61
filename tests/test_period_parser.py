from datetime import date

import pytest

from projects.periods import Period, PeriodParseError, parse_period, parse_year_month


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1-5月", 1, 5),
        ("1—5月", 1, 5),
        ("1–5月", 1, 5),
        ("1~5月", 1, 5),
        ("1～5月", 1, 5),
        ("１－５月", 1, 5),
        ("1——5月", 1, 5),
        ("1月至5月", 1, 5),
        ("1月到5月", 1, 5),
        ("1月-5月", 1, 5),
        ("1至5月", 1, 5),
        ("1-5月份", 1, 5),
        ("1月份至5月份", 1, 5),
        ("  1 - 5 月 ", 1, 5),
        ("一至五月", 1, 5),
        ("一月至十二月", 1, 12),
        ("1-12月", 1, 12),
        ("5月", 5, 5),
        ("5月份", 5, 5),
        ("05月", 5, 5),
        ("十二月", 12, 12),
        ("十月", 10, 10),
        ("一季度", 1, 3),
        ("第一季度", 1, 3),
        ("1季度", 1, 3),
        ("第1季度", 1, 3),
        ("Q1", 1, 3),
        ("q1", 1, 3),
        ("Ｑ１", 1, 3),
        ("二季度", 4, 6),
        ("第二季度", 4, 6),
        ("Q2", 4, 6),
        ("三季度", 7, 9),
        ("Q3", 7, 9),
        ("四季度", 10, 12),
        ("第四季度", 10, 12),
        ("Q4", 10, 12),
        ("上半年", 1, 6),
        ("下半年", 7, 12),
        ("前三季度", 1, 9),
        ("前3季度", 1, 9),
        ("前两季度", 1, 6),
        ("前二季度", 1, 6),
        ("全年", 1, 12),
        ("年度", 1, 12),
        ("全年度", 1, 12),
    ],
)
def test_every_cumulative_spelling_is_read(text, start, end):
    assert parse_period(text, 2022) == Period(2022, start, end)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("截至5月底", 5),
        ("截至5月末", 5),
        ("截止5月底", 5),
        ("截止到5月末", 5),
        ("5月末", 5),
        ("5月底", 5),
        ("5月份末", 5),
        ("截至十二月底", 12),
        ("年底", 12),
        ("截至年末", 12),
    ],
)
def test_every_point_in_time_spelling_is_read(text, end):
    period = parse_period(text, 2022)
    assert period == Period(2022, None, end)
    assert period.is_point


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年1-8月", Period(2022, 1, 8)),
        ("2022 年 1-8 月", Period(2022, 1, 8)),
        ("２０２２年１－８月", Period(2022, 1, 8)),
        ("2022年5月", Period(2022, 5, 5)),
        ("2022年一季度", Period(2022, 1, 3)),
        ("2022Q3", Period(2022, 7, 9)),
        ("2022年Q3", Period(2022, 7, 9)),
        ("2022年上半年", Period(2022, 1, 6)),
        ("2022全年", Period(2022, 1, 12)),
        ("2022年度", Period(2022, 1, 12)),
        ("截至2022年5月底", Period(2022, None, 5)),
        ("2022年截至5月底", Period(2022, None, 5)),
        ("2022年5月末", Period(2022, None, 5)),
        ("2022年末", Period(2022, None, 12)),
        ("2022年底", Period(2022, None, 12)),
    ],
)
def test_a_year_in_the_text_is_read_with_the_period(text, expected):
    assert parse_period(text) == expected


def test_a_year_in_the_text_wins_over_the_year_argument():
    assert parse_period("2021年1-5月", year=2022) == Period(2021, 1, 5)


def test_the_year_argument_is_used_when_the_text_has_none():
    assert parse_period("1-5月", year=2023) == Period(2023, 1, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "无法识别的时段“”：内容为空"),
        ("   ", "内容为空"),
        ("1-13月", "无法识别的时段“1-13月”：月份须在1至12之间"),
        ("0-5月", "月份须在1至12之间"),
        ("13月", "月份须在1至12之间"),
        ("十三月", "月份须在1至12之间"),
        ("截至13月底", "月份须在1至12之间"),
        ("5-3月", "无法识别的时段“5-3月”：起始月不能晚于结束月"),
        ("第五季度", "无法识别的时段“第五季度”：季度须为一至四季度"),
        ("Q5", "季度须为一至四季度"),
        ("明年", "无法识别的时段“明年”：可写作 1-5月"),
        ("今年", "可写作"),
        ("1-5", "可写作"),
        ("5", "可写作"),
        ("2022年", "可写作"),
        ("20221-5月", "可写作"),
        ("十十月", "可写作"),
        ("一二月", "可写作"),
        ("前四季度", "可写作"),
        ("截至5月", "“截至”后须写明月底或月末"),
        ("截至1-5月", "“截至”后须写明月底或月末"),
        ("1800年1-5月", "年份须在1949至2200之间"),
    ],
)
def test_what_is_not_a_period_is_refused_with_the_reason(text, message):
    with pytest.raises(PeriodParseError, match=message) as caught:
        parse_period(text, 2022)
    assert caught.value.text == text


@pytest.mark.parametrize("text", ["1-5月", "上半年", "截至5月底"])
def test_a_period_without_any_year_is_refused(text):
    with pytest.raises(PeriodParseError) as caught:
        parse_period(text)
    assert str(caught.value) == f"无法识别的时段“{text}”：缺少年份，请写明年份，如“2022年1-5月”"


def test_the_parse_error_is_a_value_error():
    with pytest.raises(ValueError, match="第五季度"):
        parse_period("第五季度", 2022)


def test_every_period_written_by_format_period_reads_back():
    periods = [Period(2022, start, end) for end in range(1, 13) for start in range(1, end + 1)]
    periods += [Period(2022, None, end) for end in range(1, 13)]
    for period in periods:
        assert parse_period(str(period)) == period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-05", (2022, 5)),
        ("2022-5", (2022, 5)),
        ("2022-12", (2022, 12)),
        ("2022年5月", (2022, 5)),
        ("2022年12月", (2022, 12)),
        (" 2022-05 ", (2022, 5)),
        ("２０２２－０５", (2022, 5)),
        ("2022/05", (2022, 5)),
    ],
)
def test_year_and_month_parameters_are_read(text, expected):
    assert parse_year_month(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022-13", "无法识别的年月“2022-13”：月份须在1至12之间"),
        ("2022-00", "月份须在1至12之间"),
        ("2022", "无法识别的年月“2022”：请写作 2022-05 或 2022年5月"),
        ("2022-05-31", "请写作 2022-05 或 2022年5月"),
        ("05-2022", "请写作 2022-05 或 2022年5月"),
        ("", "请写作 2022-05 或 2022年5月"),
        ("1800-05", "年份须在1949至2200之间"),
    ],
)
def test_bad_year_and_month_parameters_are_refused(text, message):
    with pytest.raises(PeriodParseError, match=message):
        parse_year_month(text)


def test_a_month_range_covers_its_months_and_dates():
    period = Period(2022, 4, 6)
    assert not period.is_point
    assert period.months == 3
    assert period.start_date == date(2022, 4, 1)
    assert period.end_date == date(2022, 6, 30)
    assert str(period) == "2022年二季度"


def test_a_point_in_time_ends_with_its_month_and_counts_the_months_elapsed():
    period = Period(2022, None, 5)
    assert period.is_point
    assert period.months == 5
    assert period.start_date == date(2022, 1, 1)
    assert period.end_date == date(2022, 5, 31)
    assert str(period) == "2022年5月末"


def test_the_end_date_knows_leap_years_and_december():
    assert Period(2024, 1, 2).end_date == date(2024, 2, 29)
    assert Period(2023, 1, 2).end_date == date(2023, 2, 28)
    assert Period(2022, 12, 12).end_date == date(2022, 12, 31)


def test_named_constructors():
    assert Period.year_to_date(2022, 5) == Period(2022, 1, 5)
    assert Period.full_year(2022) == Period(2022, 1, 12)
    assert Period.point(2022, 5) == Period(2022, None, 5)
    assert Period.full_year(2022).months == 12


def test_the_previous_year_has_the_same_months():
    assert Period(2022, 1, 5).previous_year() == Period(2021, 1, 5)
    assert Period(2022, None, 5).previous_year() == Period(2021, None, 5)


def test_periods_are_values():
    assert Period(2022, 1, 5) == Period(2022, 1, 5)
    assert len({Period(2022, 1, 5), Period(2022, 1, 5), Period(2022, None, 5)}) == 2
    with pytest.raises(AttributeError):
        Period(2022, 1, 5).year = 2023  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2022, 1, 13), "无法识别的时段“2022年1-13月”：月份须在1至12之间"),
        ((2022, 0, 5), "月份须在1至12之间"),
        ((2022, None, 0), "无法识别的时段“2022年0月末”：月份须在1至12之间"),
        ((2022, 6, 5), "起始月不能晚于结束月"),
        ((1948, 1, 5), "年份须在1949至2200之间"),
        ((2201, 1, 5), "年份须在1949至2200之间"),
    ],
)
def test_an_invalid_period_cannot_be_made(args, message):
    with pytest.raises(PeriodParseError, match=message):
        Period(*args)


def test_the_earliest_year_has_no_previous_year():
    with pytest.raises(PeriodParseError, match="年份须在1949至2200之间"):
        Period(1949, 1, 5).previous_year()
