"""The monthly entry service (projects.monthly_entry): month amounts and year-to-date figures derived from
each other, all or nothing, restatements in locked months, set-based checks, stale versions."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import (
    EntryBasis,
    EntryReopening,
    IndicatorValue,
    Milestone,
    MilestoneKind,
    StaleVersion,
    ZoneRole,
)
from projects.money import AmountScale
from projects.monthly_entry import MonthlyLine, check_month, monthly_sheet, save_month, year_to_date
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db

WAN = AmountScale.WAN
OPEN = date(2022, 6, 5)  # May 2022 is open until 10 June
LOCKED = date(2022, 6, 20)


def wan(amount: str) -> Decimal:
    return Decimal(amount) * WAN


@pytest.fixture
def metric():
    return MetricFactory(code="completed_investment", name="完成投资")


@pytest.fixture
def zone():
    return ZoneFactory(name="赣县区测试", entry_deadline_day=10, entry_basis=EntryBasis.MONTH)


@pytest.fixture
def portfolio(zone):
    return PortfolioFactory(zone=zone, name="市级工业倍增升级重点调度项目", year=2022)


def entries(portfolio, n: int) -> list:
    return [PortfolioEntryFactory(portfolio=portfolio) for _ in range(n)]


def ytd(project, metric, month: int, amount: str, **extra) -> IndicatorValue:
    return IndicatorValueFactory(
        zone=None, project=project, metric=metric, end_month=month, value=wan(amount), scale=WAN, **extra
    )


def stored_ytd(project, month: int = 5) -> list[Decimal]:
    return list(
        IndicatorValue.objects.current()
        .filter(project=project, year=2022, end_month=month)
        .values_list("value", flat=True)
    )


@pytest.fixture
def editor():
    return UserFactory(username="ganxian-editor")


def test_year_to_date_from_a_month_amount_and_as_given():
    assert year_to_date(EntryBasis.MONTH, 5, wan("300"), wan("1200")) == wan("1500")
    assert year_to_date(EntryBasis.MONTH, 1, wan("300"), None) == wan("300")
    assert year_to_date(EntryBasis.MONTH, 5, wan("300"), None) is None
    assert year_to_date(EntryBasis.YEAR_TO_DATE, 5, wan("1500"), wan("1200")) == wan("1500")


def test_month_amount_is_stored_as_year_to_date(zone, portfolio, metric, editor):
    project = entries(portfolio, 1)[0].project
    ytd(project, metric, 4, "1200")
    plan = check_month(zone, 2022, 5, [MonthlyLine(project.pk, amount=wan("300"), scale=WAN)], today=OPEN)
    assert plan.findings == []
    assert save_month(plan, user=editor) == {
        "created": 1,
        "updated": 0,
        "restated": 0,
        "milestones": 0,
        "unchanged": 0,
    }
    value = IndicatorValue.objects.get(project=project, end_month=5)
    assert (value.value, value.start_month, value.scale, value.currency) == (wan("1500"), 1, WAN, "CNY")
    assert value.history.get().history_user == editor
    sheet = monthly_sheet(zone, 2022, 5, today=OPEN)
    assert (sheet.rows[0].previous_ytd, sheet.rows[0].ytd, sheet.rows[0].month_amount) == (
        wan("1200"),
        wan("1500"),
        wan("300"),
    )


def test_year_to_date_entry_derives_the_month_amount(zone, portfolio, metric, editor):
    zone.entry_basis = EntryBasis.YEAR_TO_DATE
    zone.save()
    project = entries(portfolio, 1)[0].project
    ytd(project, metric, 4, "1200")
    plan = check_month(zone, 2022, 5, [MonthlyLine(project.pk, amount=wan("1450"))], today=OPEN)
    save_month(plan, user=editor)
    assert stored_ytd(project) == [wan("1450")]
    assert monthly_sheet(zone, 2022, 5, today=OPEN).rows[0].month_amount == wan("250")


def test_month_amount_without_last_month_is_refused(zone, portfolio, metric):
    project = entries(portfolio, 1)[0].project
    plan = check_month(zone, 2022, 5, [MonthlyLine(project.pk, amount=wan("300"))], today=OPEN)
    assert [(f.line, f.column, f.rule_id) for f in plan.errors] == [(0, "amount", "missing_previous")]
    assert "2022年1-4月" in plan.errors[0].message
    assert not plan.ok


def test_one_bad_line_writes_nothing(zone, portfolio, metric, editor):
    first, second, third = (e.project for e in entries(portfolio, 3))
    for project in (first, second, third):
        ytd(project, metric, 4, "1200")
    lines = [
        MonthlyLine(first.pk, amount=wan("100"), milestones={"start": (date(2022, 5, 3), "day")}),
        MonthlyLine(second.pk, amount=wan("-500")),  # the year-to-date figure would decrease
        MonthlyLine(third.pk, amount=wan("100")),
    ]
    plan = check_month(zone, 2022, 5, lines, today=OPEN)
    assert [(f.line, f.column, f.rule_id) for f in plan.errors] == [(1, "amount", "investment_decreases")]
    assert "2022年1-5月累计完成投资700万元少于2022年1-4月已报的1200万元" in plan.errors[0].message
    with pytest.raises(ValueError):
        save_month(plan, user=editor)
    assert not IndicatorValue.objects.filter(end_month=5).exists()
    assert not Milestone.objects.filter(project=first).exists()


def test_milestones_reached_are_written_with_their_precision(zone, portfolio, metric, editor):
    project = entries(portfolio, 1)[0].project
    start = MilestoneFactory(project=project, kind=MilestoneKind.START)  # planned 2022年3月
    lines = [
        MonthlyLine(
            project.pk,
            milestones={"start": (date(2022, 3, 18), "day"), "production": (date(2022, 5, 1), "month")},
        )
    ]
    plan = check_month(zone, 2022, 5, lines, today=OPEN)
    assert plan.findings == []
    assert save_month(plan, user=editor)["milestones"] == 2
    start.refresh_from_db()
    assert (start.actual_date, start.actual_precision, start.version) == (date(2022, 3, 18), "day", 2)
    production = Milestone.objects.get(project=project, kind="production")
    assert (production.actual_date, production.actual_precision, production.phase) == (
        date(2022, 5, 1),
        "month",
        "",
    )
    assert start.history.first().history_change_reason == "月报填报 2022年5月"


def test_milestone_in_the_future_is_an_error_in_its_cell(zone, portfolio, metric):
    project = entries(portfolio, 1)[0].project
    lines = [MonthlyLine(project.pk, milestones={"completion": (date(2022, 7, 1), "day")})]
    plan = check_month(zone, 2022, 5, lines, today=OPEN)
    assert [(f.column, f.rule_id) for f in plan.errors] == [("milestone:completion", "actual_date_in_future")]


def test_unchanged_values_are_no_ops(zone, portfolio, metric, editor):
    project = entries(portfolio, 1)[0].project
    ytd(project, metric, 4, "1200")
    value = ytd(project, metric, 5, "1500")
    MilestoneFactory(project=project, actual_date=date(2022, 3, 18), actual_precision="day")
    line = MonthlyLine(project.pk, amount=wan("300"), milestones={"start": (date(2022, 3, 18), "day")})
    for today in (OPEN, LOCKED):
        plan = check_month(zone, 2022, 5, [line], today=today)
        assert plan.findings == []
        assert save_month(plan, user=editor) == {
            "created": 0,
            "updated": 0,
            "restated": 0,
            "milestones": 0,
            "unchanged": 2,
        }
    value.refresh_from_db()
    assert value.version == 1
    assert value.history.count() == 1


def test_open_month_is_edited_in_place(zone, portfolio, metric, editor):
    project = entries(portfolio, 1)[0].project
    ytd(project, metric, 4, "1200")
    value = ytd(project, metric, 5, "1500")
    plan = check_month(
        zone, 2022, 5, [MonthlyLine(project.pk, amount=wan("350"), remark="含设备款")], today=OPEN
    )
    assert save_month(plan, user=editor)["updated"] == 1
    value.refresh_from_db()
    assert (value.value, value.note, value.version) == (wan("1550"), "含设备款", 2)
    assert IndicatorValue.objects.filter(project=project, end_month=5).count() == 1


def test_locked_month_change_becomes_a_restatement_with_its_reason(zone, portfolio, metric, editor):
    project = entries(portfolio, 1)[0].project
    ytd(project, metric, 4, "1200")
    old = ytd(project, metric, 5, "1500")
    line = MonthlyLine(project.pk, amount=wan("350"))
    plan = check_month(zone, 2022, 5, [line], today=LOCKED)
    assert [(f.column, f.rule_id) for f in plan.errors] == [("reason", "restatement_without_reason")]

    line.reason = "统计局核定后调整"
    plan = check_month(zone, 2022, 5, [line], today=LOCKED)
    assert plan.findings == []
    assert save_month(plan, user=editor)["restated"] == 1
    old.refresh_from_db()
    assert (old.value, old.version) == (wan("1500"), 1)  # never changed in place
    new = old.restated_by
    assert (new.value, new.restatement_reason) == (wan("1550"), "统计局核定后调整")
    assert stored_ytd(project) == [wan("1550")]
    assert new.history.get().history_change_reason == "统计局核定后调整"


def test_late_first_entry_in_a_locked_month_is_refused_until_reopened(zone, portfolio, metric, editor):
    project = entries(portfolio, 1)[0].project
    ytd(project, metric, 4, "1200")
    lines = [MonthlyLine(project.pk, amount=wan("300"))]
    plan = check_month(zone, 2022, 5, lines, today=LOCKED)
    assert plan.locked
    assert [f.rule_id for f in plan.errors] == ["locked_month"]

    EntryReopening.objects.create(zone=zone, year=2022, month=5, until=date(2022, 6, 30), reason="补报")
    plan = check_month(zone, 2022, 5, lines, today=LOCKED)
    assert not plan.locked and plan.findings == []
    save_month(plan, user=editor)
    assert stored_ytd(project) == [wan("1500")]


def test_lines_outside_the_zone_are_refused(zone, portfolio, metric):
    other = PortfolioEntryFactory().project
    own = entries(portfolio, 1)[0].project
    lines = [MonthlyLine(other.pk), MonthlyLine(999_999), MonthlyLine(own.pk), MonthlyLine(own.pk)]
    plan = check_month(zone, 2022, 5, lines, today=OPEN)
    assert [(f.line, f.column, f.rule_id) for f in plan.errors] == [
        (0, "project", "not_in_zone"),
        (1, "project", "unknown_project"),
        (3, "project", "duplicate_project"),
    ]


def test_users_without_an_editor_role_are_refused(zone, portfolio, metric):
    project = entries(portfolio, 1)[0].project
    viewer = ZoneMembershipFactory(zone=zone, role=ZoneRole.VIEWER).user
    plan = check_month(zone, 2022, 5, [MonthlyLine(project.pk)], user=viewer, today=OPEN)
    assert [f.rule_id for f in plan.errors] == ["no_access"]
    assert "只读" in plan.errors[0].message
    editor = ZoneMembershipFactory(zone=zone, role=ZoneRole.EDITOR).user
    assert check_month(zone, 2022, 5, [MonthlyLine(project.pk)], user=editor, today=OPEN).ok


def test_warnings_need_confirmation(zone, portfolio, metric, editor):
    project = entries(portfolio, 1)[0].project
    for month in (1, 2, 3, 4):
        ytd(project, metric, month, str(100 * month))
    line = MonthlyLine(project.pk, amount=wan("90000"))  # 1-5月 900万元 → 9.04亿元: an outlier
    plan = check_month(zone, 2022, 5, [line], today=OPEN)
    assert [(f.column, f.rule_id, f.severity) for f in plan.findings] == [("amount", "outlier", "warning")]
    assert not plan.ok
    with pytest.raises(ValueError):
        save_month(plan, user=editor)
    plan = check_month(zone, 2022, 5, [line], today=OPEN, confirm_warnings=True)
    assert plan.ok
    save_month(plan, user=editor)
    assert stored_ytd(project) == [wan("90400")]


def test_check_month_query_count_does_not_grow_with_lines(zone, portfolio, metric, django_assert_num_queries):
    projects = [e.project for e in entries(portfolio, 20)]
    for project in projects:
        ytd(project, metric, 4, "1200")
        ytd(project, metric, 5, "1400")
        MilestoneFactory(project=project)

    def lines(n: int) -> list[MonthlyLine]:
        return [
            MonthlyLine(p.pk, amount=wan("250"), milestones={"start": (date(2022, 3, 1), "month")})
            for p in projects[:n]
        ]

    check_month(zone, 2022, 5, lines(1), today=OPEN)  # warm caches (content types …)
    for today in (OPEN, LOCKED):  # edits in place; restatements
        with CaptureQueriesContext(connection) as one:
            plan = check_month(zone, 2022, 5, lines(1), today=today)
        assert len(plan.creates) + len(plan.updates) == 2
        with django_assert_num_queries(len(one)):
            plan = check_month(zone, 2022, 5, lines(20), today=today)
        assert len(plan.creates) + len(plan.updates) == 40
    assert plan.summary() == {"created": 0, "updated": 0, "restated": 20, "milestones": 20, "unchanged": 0}


def test_monthly_sheet_query_count_does_not_grow_with_projects(
    zone, portfolio, metric, django_assert_num_queries
):
    def grow(n: int) -> None:
        for entry in entries(portfolio, n):
            ytd(entry.project, metric, 5, "1400")
            MilestoneFactory(project=entry.project)

    grow(2)
    with django_assert_num_queries(4):
        assert len(monthly_sheet(zone, 2022, 5, today=OPEN).rows) == 2
    grow(10)
    with django_assert_num_queries(4):
        assert len(monthly_sheet(zone, 2022, 5, today=OPEN).rows) == 12


def test_stale_version_refuses_the_whole_save(zone, portfolio, metric, editor):
    first, second = (e.project for e in entries(portfolio, 2))
    ytd(first, metric, 4, "1200")
    ytd(second, metric, 4, "1200")
    value = ytd(second, metric, 5, "1500")
    lines = [MonthlyLine(first.pk, amount=wan("100")), MonthlyLine(second.pk, amount=wan("400"))]
    plan = check_month(zone, 2022, 5, lines, today=OPEN)
    assert plan.ok
    # Someone else saves the second project's figure between the check and the save.
    other = IndicatorValue.objects.get(pk=value.pk)
    other.value = wan("1600")
    other.save()
    with pytest.raises(StaleVersion):
        save_month(plan, user=editor)
    assert stored_ytd(first) == []
    assert stored_ytd(second) == [wan("1600")]


def test_version_seen_by_the_editor_is_checked(zone, portfolio, metric):
    project = entries(portfolio, 1)[0].project
    ytd(project, metric, 4, "1200")
    value = ytd(project, metric, 5, "1500")
    sheet = monthly_sheet(zone, 2022, 5, today=OPEN)
    seen = sheet.rows[0].versions
    assert seen == {"amount": 1, "milestone:start": 0, "milestone:production": 0, "milestone:completion": 0}
    value.value = wan("1550")
    value.save()
    plan = check_month(zone, 2022, 5, [MonthlyLine(project.pk, amount=wan("400"), seen=seen)], today=OPEN)
    assert [(f.column, f.rule_id) for f in plan.errors] == [("amount", "stale")]
    assert "已被他人修改" in plan.errors[0].message
