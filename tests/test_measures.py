from datetime import date
from decimal import Decimal, getcontext, localcontext

import pytest

from projects.reports.measures import (
    Basis,
    ahead_of_schedule,
    checkpoint_verdict,
    completion,
    projection_at_pace,
    reconcile,
    required_monthly_run_rate,
    round_percent,
    start_rate,
    stated_precision,
    time_progress,
    yoy_change,
)

D = Decimal

# Seed 004 (赣县区, 1-5月 2022): 23 projects, 22 started, 58.33 of 83.19亿元 planned this year.
COMPLETION_004 = completion(D("58.33"), D("83.19"))
TIME_004 = time_progress(date(2022, 5, 31))
AHEAD_004 = ahead_of_schedule(COMPLETION_004, TIME_004)


# The reference case


def test_seed_004_start_rate_is_95_65():
    assert round_percent(start_rate(22, 23)) == D("95.65")


def test_seed_004_completion_is_70_1166_and_shows_as_70_12():
    assert D("70.1166") < COMPLETION_004 < D("70.1167")
    assert round_percent(COMPLETION_004) == D("70.12")


def test_seed_004_stated_completion_70_11_is_within_rounding():
    check = reconcile(D("70.11"), COMPLETION_004)
    assert check.agrees is True
    assert check.label == "在舍入误差内"
    assert check.tolerance == D("0.01")
    assert round(check.difference, 4) == D("0.0066")


def test_seed_004_time_progress_at_the_end_of_may_is_41_67():
    assert TIME_004 == D(5) * 100 / 12
    assert round_percent(TIME_004) == D("41.67")


def test_seed_004_ahead_of_schedule_is_28_45_and_stated_28_44_is_within_rounding():
    assert round_percent(AHEAD_004) == D("28.45")
    check = reconcile(D("28.44"), AHEAD_004)
    assert check.agrees is True
    assert check.label == "在舍入误差内"


def test_seed_004_ahead_of_schedule_is_computed_from_exact_values_not_rounded_ones():
    # 70.12 − 41.67 = 28.45 and 70.11 − 41.67 = 28.44: only the exact difference is 28.4499…
    assert D("28.4499") < AHEAD_004 < D("28.4500")


def test_a_stated_completion_far_from_the_computed_one_does_not_agree():
    check = reconcile(D("70.09"), COMPLETION_004)
    assert check.agrees is False
    assert check.label == "不一致"
    assert round(check.difference, 4) == D("0.0266")


def test_a_stated_70_00_written_to_two_places_does_not_agree_with_70_1166():
    check = reconcile(D("70.00"), COMPLETION_004, precision=D("0.01"))
    assert check.agrees is False
    assert check.label == "不一致"
    assert check.stated == D("70.00")


def test_a_stored_70_0000_is_read_as_written_70_and_agrees_with_70_1166():
    # A stored value has lost its written decimals: 70.0000 may have been written "70%".
    check = reconcile(D("70.0000"), COMPLETION_004)
    assert check.tolerance == D(1)
    assert check.agrees is True
    assert check.label == "一致"


# Time progress


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2022, 1, 31), D(1) * 100 / 12),
        (date(2022, 5, 1), D(5) * 100 / 12),
        (date(2022, 6, 30), D(50)),
        (date(2022, 12, 31), D(100)),
    ],
)
def test_time_progress_by_month_counts_to_the_end_of_the_month(as_of, expected):
    assert time_progress(as_of) == expected
    assert time_progress(as_of, Basis.MONTH) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2022, 1, 1), D(100) / 365),
        (date(2022, 5, 31), D(151) * 100 / 365),
        (date(2022, 12, 31), D(100)),
        (date(2024, 2, 29), D(60) * 100 / 366),
        (date(2024, 12, 31), D(100)),
        (date(2024, 3, 1), D(61) * 100 / 366),
        (date(2023, 3, 1), D(60) * 100 / 365),
    ],
)
def test_time_progress_by_day_counts_the_days_of_the_year(as_of, expected):
    assert time_progress(as_of, Basis.DAY) == expected


def test_time_progress_by_day_at_the_end_of_may_2022_is_41_37():
    assert round_percent(time_progress(date(2022, 5, 31), Basis.DAY)) == D("41.37")


def test_the_basis_is_named_in_chinese():
    assert Basis.MONTH.label == "按月计算(已过月数÷12)"
    assert Basis.DAY.label == "按日计算(已过天数÷全年天数)"
    assert Basis("day") == Basis.DAY


# Completion, ahead of schedule, start rate, year on year


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        (D("50"), D("200"), D("25")),
        (D("250"), D("200"), D("125")),
        (0, D("83.19"), D(0)),
        (D("58.33"), 0, None),
        (D("58.33"), D("0.00"), None),
        (None, D("83.19"), None),
        (D("58.33"), None, None),
    ],
)
def test_completion(actual, target, expected):
    assert completion(actual, target) == expected


def test_behind_schedule_is_negative():
    assert ahead_of_schedule(D("40"), D(50)) == D("-10")
    assert ahead_of_schedule(None, D(50)) is None
    assert ahead_of_schedule(D("40"), None) is None


@pytest.mark.parametrize(
    ("started", "planned", "expected"),
    [(23, 23, D(100)), (0, 23, D(0)), (22, 0, None), (None, 23, None), (22, None, None)],
)
def test_start_rate(started, planned, expected):
    assert start_rate(started, planned) == expected


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (D("123"), D("100"), D("23")),
        (D("80"), D("100"), D("-20")),
        (D("100"), D("100"), D("0")),
        (D("0"), D("100"), D("-100")),
        (D("100"), D("0"), None),
        (D("100"), None, None),
        (None, D("100"), None),
        (D("-5"), D("-10"), None),
    ],
)
def test_year_on_year_change(current, previous, expected):
    assert yoy_change(current, previous) == expected


def test_year_on_year_change_is_not_rounded():
    assert yoy_change(D("1"), D("3")) == D("-200") / 3


# Checkpoints


def test_double_over_half_is_met_at_exactly_50():
    verdict = checkpoint_verdict(D("50"))
    assert verdict.met is True
    assert verdict.gap_pct == D(0)
    assert verdict.required_pct == D(50)
    assert verdict.label == "已过半"


def test_double_over_half_missed_by_a_little():
    verdict = checkpoint_verdict(D("49.99"))
    assert verdict.met is False
    assert verdict.gap_pct == D("-0.01")
    assert verdict.label == "未过半"


def test_a_q1_target_of_its_own_must_be_met_in_full():
    assert checkpoint_verdict(D("100.5"), required_pct=D(100)).label == "已达标"
    missed = checkpoint_verdict(D("98"), required_pct=D(100))
    assert missed.label == "未达标"
    assert missed.gap_pct == D(-2)


def test_a_checkpoint_without_data_has_no_verdict():
    verdict = checkpoint_verdict(None)
    assert verdict.met is None
    assert verdict.gap_pct is None
    assert verdict.completion_pct is None
    assert verdict.label == "无数据"


# Run rate and projection


def test_required_monthly_run_rate_to_reach_the_annual_target():
    # 83.19 − 58.33 = 24.86 over the 7 months June to December.
    assert required_monthly_run_rate(D("83.19"), D("58.33"), 5) == D("24.86") / 7


def test_required_monthly_run_rate_to_reach_the_half_year_share():
    half = D("83.19") * D("0.5")
    assert required_monthly_run_rate(half, D("30"), 5, until_month=6) == D("11.595")


def test_no_run_rate_is_required_once_the_target_is_reached():
    assert required_monthly_run_rate(D("83.19"), D("90"), 5) == D(0)
    assert required_monthly_run_rate(D("83.19"), D("83.19"), 12) == D(0)


def test_no_run_rate_when_no_month_remains():
    assert required_monthly_run_rate(D("83.19"), D("80"), 12) is None
    assert required_monthly_run_rate(D("41.6"), D("30"), 7, until_month=6) is None


def test_no_run_rate_without_a_target_or_an_actual():
    assert required_monthly_run_rate(None, D("80"), 5) is None
    assert required_monthly_run_rate(D("83.19"), None, 5) is None


def test_projection_at_the_current_pace():
    assert projection_at_pace(D("58.33"), 5) == D("139.992")
    assert projection_at_pace(D("10"), 3, months_total=6) == D("20")
    assert projection_at_pace(D("100"), 12) == D("100")


def test_no_projection_before_any_month_or_without_an_actual():
    assert projection_at_pace(D("58.33"), 0) is None
    assert projection_at_pace(None, 5) is None


# Reconciliation


@pytest.mark.parametrize(
    ("stated", "precision"),
    [
        (D("70.11"), D("0.01")),
        (D("95.65"), D("0.01")),
        (D("23"), D("1")),
        (D("28.4"), D("0.1")),
        (D("70.1100"), D("0.01")),
        (D("23.0000"), D("1")),
        (D("100.0000"), D("1")),
        (D("2700"), D("1")),
        (D("0.0500"), D("0.01")),
    ],
)
def test_stated_precision_is_one_unit_in_the_last_written_place(stated, precision):
    assert stated_precision(stated) == precision


def test_a_stated_figure_equal_to_its_rounded_computation_is_consistent():
    check = reconcile(D("95.65"), start_rate(22, 23))
    assert check.agrees is True
    assert check.label == "一致"


def test_a_stored_stated_figure_is_shown_as_written():
    check = reconcile(D("70.1100"), COMPLETION_004)
    assert str(check.stated) == "70.11"
    assert check.tolerance == D("0.01")
    assert check.label == "在舍入误差内"


def test_a_growth_rate_stated_to_one_place_allows_a_tenth():
    assert reconcile(D("28.4"), D("28.49")).agrees is True
    assert reconcile(D("28.4"), D("28.51")).agrees is False


def test_an_exactly_equal_figure_is_consistent():
    check = reconcile(D("23"), D("23"))
    assert check.difference == D(0)
    assert check.label == "一致"


def test_nothing_to_compare_with_cannot_be_reconciled():
    check = reconcile(D("70.11"), None)
    assert check.agrees is None
    assert check.difference is None
    assert check.computed is None
    assert check.label == "无法核算"


def test_an_amount_written_in_yi_is_reconciled_at_that_precision():
    # 299.92亿元 stored in 元: a sum off by 30万元 is within the 0.01亿 the article wrote.
    check = reconcile(D("29992000000.00"), D("29992300000"), precision=D("0.01") * 10**8)
    assert check.agrees is True
    assert reconcile(D("29992000000.00"), D("29992300000")).agrees is False


# Presentation and exactness


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("70.125"), 2, D("70.13")),
        (D("70.115"), 2, D("70.12")),
        (D("-28.445"), 2, D("-28.45")),
        (D("41.66666"), 1, D("41.7")),
        (D("95.6521"), 0, D("96")),
        (None, 2, None),
    ],
)
def test_percentages_round_half_up_for_presentation(value, places, expected):
    assert round_percent(value, places) == expected


def test_results_are_decimals_with_full_precision():
    assert isinstance(COMPLETION_004, Decimal)
    assert len(COMPLETION_004.as_tuple().digits) == 28


def test_a_callers_decimal_context_does_not_change_the_figures():
    with localcontext() as context:
        context.prec = 4
        assert completion(D("58.33"), D("83.19")) == COMPLETION_004
        assert time_progress(date(2022, 5, 31)) == TIME_004
    assert getcontext().prec == 28
