"""Restatements (数据更正) in reports: a corrected figure replaces the one it restates in every
sum, and the report lists the correction with the replaced value, the reason, who and when."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from projects.models import IndicatorValue, ReportSchedule
from projects.money import AmountScale
from projects.monthly_entry import MonthlyLine, check_month, save_month
from projects.reports.cadence import period_containing
from projects.reports.html import render_html
from projects.reports.progress import progress_report
from projects.reports.snapshot import build_snapshot
from projects.reports.xlsx import render_xlsx
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    UserFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

WAN = AmountScale.WAN
MAY_2022 = period_containing("monthly", 5, date(2022, 5, 15))
LOCKED = date(2022, 6, 20)


@pytest.fixture
def restated():
    """A zone's portfolio of two projects; May's 3000万元 of the first is corrected to 3500万元
    after the month locked."""
    zone = ZoneFactory(name="更正区", entry_deadline_day=10)
    portfolio = PortfolioFactory(zone=zone, name="重点调度项目", year=2022)
    metric = MetricFactory(code="completed_investment", name="完成投资")
    first, second = (
        PortfolioEntryFactory(
            portfolio=portfolio, planned_investment=Decimal("100000000"), project__name=name
        )
        for name in ("甲项目", "乙项目")
    )
    for entry, amount in ((first, "3000"), (second, "2000")):
        IndicatorValueFactory(
            zone=None,
            project=entry.project,
            metric=metric,
            end_month=5,
            value=Decimal(amount) * WAN,
            scale=WAN,
        )
    user = UserFactory(username="zhangsan", last_name="张", first_name="三")
    line = MonthlyLine(first.project.pk, amount=Decimal("35000000"), reason="统计局核定后调增")
    with time_machine.travel("2022-06-20 09:30 +08:00"):
        plan = check_month(zone, 2022, 5, [line], basis="ytd", today=LOCKED)
        assert plan.summary()["restated"] == 1
        save_month(plan, user=user)
    return zone, portfolio


def test_replaced_value_is_not_counted(restated):
    zone, _ = restated
    report = progress_report(zone, 2022, 5)
    completed = report.portfolios[0].figures["completed_investment"]
    assert completed.computed == Decimal("55000000")  # 3500 + 2000, not 3000 + 3500 + 2000
    assert completed.reporting == 2
    assert IndicatorValue.objects.filter(project__zone=zone, end_month=5).count() == 3


def test_snapshot_lists_the_restatement_and_only_current_figures(restated):
    zone, _ = restated
    snapshot = build_snapshot(ReportSchedule(zone=zone, cadence="monthly"), MAY_2022)
    [restatement] = snapshot["restatements"]
    assert {k: restatement[k] for k in ("subject", "metric_name", "before", "after", "reason", "by")} == {
        "subject": "甲项目",
        "metric_name": "完成投资",
        "before": 30000000,
        "after": 35000000,
        "reason": "统计局核定后调增",
        "by": "张三",
    }
    assert restatement["period"]["display"] == "2022年1-5月"
    assert (restatement["before_display"], restatement["after_display"]) == ("3000万元", "3500万元")
    assert restatement["at"].startswith("2022-06-20T09:30")
    values = sorted(f["value"] for f in snapshot["figures"] if f["metric"] == "completed_investment")
    assert values == [20000000, 35000000]


def test_html_and_workbook_show_the_correction(restated):
    zone, _ = restated
    snapshot = build_snapshot(ReportSchedule(zone=zone, cadence="monthly"), MAY_2022)
    html = render_html(snapshot)
    assert "数据更正" in html
    assert "<td>甲项目·完成投资</td>" in html
    for text in ("3000万元", "3500万元", "统计局核定后调增", "张三", "2022年6月20日 09:30"):
        assert text in html
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))["数据更正"]
    header, row = sheet.iter_rows(values_only=True)
    record = dict(zip(header, row, strict=True))
    assert (record["原值数值"], record["更正值数值"], record["原因"], record["更正人"]) == (
        30000000,
        35000000,
        "统计局核定后调增",
        "张三",
    )


def test_report_without_corrections_says_so(restated):
    zone, _ = restated
    april = period_containing("monthly", 4, date(2022, 4, 15))
    snapshot = build_snapshot(ReportSchedule(zone=zone, cadence="monthly"), april)
    assert snapshot["restatements"] == []
    assert "报告期内无数据更正" in render_html(snapshot)
    assert "数据更正" not in openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot))).sheetnames


def test_restated_portfolio_statement_is_replaced(restated):
    zone, portfolio = restated
    metric = IndicatorValue.objects.filter(metric__code="completed_investment").first().metric
    stated = IndicatorValueFactory(
        zone=None, portfolio=portfolio, metric=metric, end_month=5, value=Decimal("50000000"), scale=WAN
    )
    IndicatorValueFactory(
        zone=None,
        portfolio=portfolio,
        metric=metric,
        end_month=5,
        value=Decimal("55000000"),
        scale=WAN,
        restates=stated,
        restatement_reason="与项目合计核对后更正",
    )
    statement = progress_report(zone, 2022, 5).portfolios[0].figures["completed_investment"].statement
    assert statement.value == Decimal("55000000")
