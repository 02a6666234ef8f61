"""Dates are read at the precision staff write them (a day, a month, a quarter, a half, a year);
what is no date, or has no year anywhere, is refused with the reason in Chinese."""

from datetime import date

import pytest
from django import forms

from projects.forms import FuzzyDateField
from projects.periods import DatePrecision, PeriodParseError, format_date, parse_date

DAY, MONTH, QUARTER, HALF, YEAR = (
    DatePrecision.DAY,
    DatePrecision.MONTH,
    DatePrecision.QUARTER,
    DatePrecision.HALF,
    DatePrecision.YEAR,
)


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("3月18日", date(2022, 3, 18), DAY),
        ("3月18号", date(2022, 3, 18), DAY),
        ("3月18", date(2022, 3, 18), DAY),
        ("03月08日", date(2022, 3, 8), DAY),
        ("三月十八日", date(2022, 3, 18), DAY),
        ("十二月三十一日", date(2022, 12, 31), DAY),
        ("３月１８日", date(2022, 3, 18), DAY),
        (" 3 月 18 日 ", date(2022, 3, 18), DAY),
        ("3月", date(2022, 3, 1), MONTH),
        ("3月份", date(2022, 3, 1), MONTH),
        ("十二月", date(2022, 12, 1), MONTH),
        ("一季度", date(2022, 1, 1), QUARTER),
        ("第一季度", date(2022, 1, 1), QUARTER),
        ("二季度", date(2022, 4, 1), QUARTER),
        ("三季度", date(2022, 7, 1), QUARTER),
        ("四季度", date(2022, 10, 1), QUARTER),
        ("第四季度", date(2022, 10, 1), QUARTER),
        ("Q4", date(2022, 10, 1), QUARTER),
        ("上半年", date(2022, 1, 1), HALF),
        ("下半年", date(2022, 7, 1), HALF),
    ],
)
def test_dates_without_a_year_take_the_year_of_the_period(text, day, precision):
    assert parse_date(text, 2022) == (day, precision)


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("2022年3月18日", date(2022, 3, 18), DAY),
        ("2022-03-18", date(2022, 3, 18), DAY),
        ("2022/3/18", date(2022, 3, 18), DAY),
        ("2022.3.18", date(2022, 3, 18), DAY),
        ("２０２２年３月１８日", date(2022, 3, 18), DAY),
        ("2024年2月29日", date(2024, 2, 29), DAY),
        ("2022年3月", date(2022, 3, 1), MONTH),
        ("2022-03", date(2022, 3, 1), MONTH),
        ("2022年四季度", date(2022, 10, 1), QUARTER),
        ("2022年第二季度", date(2022, 4, 1), QUARTER),
        ("2022年上半年", date(2022, 1, 1), HALF),
        ("2022年下半年", date(2022, 7, 1), HALF),
        ("2022年", date(2022, 1, 1), YEAR),
        ("2022年度", date(2022, 1, 1), YEAR),
    ],
)
def test_a_year_in_the_text_wins_over_the_year_of_the_period(text, day, precision):
    assert parse_date(text, 2030) == (day, precision)
    assert parse_date(text) == (day, precision)


def test_the_precision_is_the_stored_choice():
    assert parse_date("上半年", 2022)[1] == "half"
    assert parse_date("3月18日", 2022)[1] == "day"


@pytest.mark.parametrize(
    "text",
    ["2022年3月18日", "2022年3月", "2022年一季度", "2022年四季度", "2022年上半年", "2022年下半年", "2022年"],
)
def test_what_format_date_writes_is_read_back(text):
    assert format_date(*parse_date(text)) == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2月30日", "2022年2月没有30日"),
        ("2月29日", "2022年2月没有29日"),
        ("4月31日", "2022年4月没有31日"),
        ("2022-02-30", "2022年2月没有30日"),
        ("3月32日", "日须在1至31之间"),
        ("3月0日", "日须在1至31之间"),
        ("13月", "月份须在1至12之间"),
        ("2022-13-01", "月份须在1至12之间"),
        ("第五季度", "季度须为一至四季度"),
        ("1800年3月", "年份须在1949至2200之间"),
    ],
)
def test_impossible_dates_are_refused_naming_why(text, reason):
    with pytest.raises(PeriodParseError) as raised:
        parse_date(text, 2022)
    assert raised.value.reason == reason
    assert str(raised.value) == f"无法识别的日期“{text}”：{reason}"


@pytest.mark.parametrize("text", ["3月18日", "3月", "一季度", "上半年"])
def test_a_date_without_any_year_is_refused(text):
    with pytest.raises(PeriodParseError, match="缺少年份"):
        parse_date(text)


@pytest.mark.parametrize(
    "text", ["", "  ", "18日", "3月底", "今年3月", "20220318", "22年3月18日", "2022-3/18", "三月中旬", "明天"]
)
def test_what_is_no_date_is_refused_with_the_forms_it_may_take(text):
    with pytest.raises(PeriodParseError) as raised:
        parse_date(text, 2022)
    assert "可写作 3月18日" in raised.value.reason
    assert str(raised.value).startswith(f"无法识别的日期“{text}”")


# The form field that reads such dates


class MilestoneDateForm(forms.Form):
    """As the monthly entry screen uses it: the year of the period being entered is the default."""

    planned = FuzzyDateField(label="计划日期", required=False)
    actual = FuzzyDateField(label="实际日期")

    def __init__(self, *args, year: int | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in ("planned", "actual"):
            self.fields[field].default_year = year


def test_the_field_reads_dates_in_the_year_of_the_period():
    form = MilestoneDateForm({"planned": "四季度", "actual": "2021年3月18日"}, year=2022)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "planned": (date(2022, 10, 1), DatePrecision.QUARTER),
        "actual": (date(2021, 3, 18), DatePrecision.DAY),
    }


def test_the_field_refuses_with_the_reason_in_chinese():
    form = MilestoneDateForm({"planned": "2月30日", "actual": "3月18日"}, year=None)
    assert not form.is_valid()
    assert form.errors == {
        "planned": ["无法识别的日期“2月30日”：缺少年份，请写明年份，如“2022年3月18日”"],
        "actual": ["无法识别的日期“3月18日”：缺少年份，请写明年份，如“2022年3月18日”"],
    }
    form = MilestoneDateForm({"planned": "2月30日", "actual": "3月18日"}, year=2022)
    assert form.errors == {"planned": ["无法识别的日期“2月30日”：2022年2月没有30日"]}


def test_an_empty_optional_date_is_none_and_a_required_one_is_asked_for():
    form = MilestoneDateForm({"planned": " ", "actual": ""}, year=2022)
    assert not form.is_valid()
    assert "planned" not in form.errors
    assert form.cleaned_data["planned"] is None
    assert list(form.errors) == ["actual"]


STORED = {"planned": (date(2022, 10, 1), DatePrecision.QUARTER), "actual": date(2022, 3, 18)}


def test_the_field_shows_a_stored_date_the_way_reports_write_it():
    form = MilestoneDateForm(initial=STORED, year=2022)
    assert form["planned"].value() == "2022年四季度"
    assert form["actual"].value() == "2022年3月18日"


def test_a_date_shown_and_sent_back_unchanged_is_no_change():
    sent = {"planned": "2022年四季度", "actual": "2022年3月18日"}
    assert MilestoneDateForm(sent, initial=STORED, year=2022).changed_data == []
    form = MilestoneDateForm(sent | {"planned": "2022年三季度"}, initial=STORED, year=2022)
    assert form.changed_data == ["planned"]
