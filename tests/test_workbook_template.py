"""The Excel templates: a zone's monthly template opens in openpyxl with its projects pre-filled
(figures, milestone dates, units), explains and checks its columns, and reads back through the
importer unchanged; the projects and indicators templates likewise."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from projects.models import EntryBasis, IndicatorValue, MilestoneKind, UnitKind, ValueKind
from projects.money import AmountScale
from projects.workbooks.imports import check_import
from projects.workbooks.template import indicators_template, monthly_template, projects_template
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2022, 6, 3)  # May 2022 is open until 10 June
WAN = Decimal(10_000)


def ytd(project, month: int, wan: str, metric) -> IndicatorValue:
    return IndicatorValueFactory(
        zone=None,
        project=project,
        metric=metric,
        year=2022,
        start_month=1,
        end_month=month,
        value=Decimal(wan) * WAN,
        scale=AmountScale.WAN,
        note="",
    )


@pytest.fixture
def ganxian(investment):
    """A zone with a 2022 portfolio of two projects, April's figures entered."""
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10)
    portfolio = PortfolioFactory(zone=zone, name="市级工业倍增升级重点调度项目", year=2022)
    hanrui = ProjectFactory(zone=zone, name="寒锐新能源项目", total_investment=Decimal(100) * 10**8)
    yuci = ProjectFactory(zone=zone, name="粤磁稀土项目", total_investment=Decimal(20) * 10**8)
    PortfolioEntryFactory(portfolio=portfolio, project=hanrui, planned_investment=Decimal(12) * 10**8)
    PortfolioEntryFactory(portfolio=portfolio, project=yuci, planned_investment=Decimal(3) * 10**8)
    ytd(hanrui, 4, "52000", investment)
    ytd(yuci, 4, "8000", investment)
    MilestoneFactory(
        project=hanrui, kind=MilestoneKind.START, actual_date=date(2022, 3, 18), actual_precision="day"
    )
    MilestoneFactory(
        project=yuci, kind=MilestoneKind.PRODUCTION, actual_date=date(2022, 4, 1), actual_precision="month"
    )
    return zone


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def rows_by_header(sheet) -> list[dict[str, object]]:
    headers = [cell.value for cell in sheet[2]]
    return [dict(zip(headers, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=3)]


def test_monthly_template_lists_the_zones_projects_with_their_figures(ganxian):
    book = workbook(monthly_template(ganxian, 2022, 5, today=TODAY))
    sheet = book["月报"]
    assert "赣县区 2022年5月 项目月报" in sheet["A1"].value
    assert "填报截止2022年6月10日(可填报)" in sheet["A1"].value
    rows = {row["项目名称"]: row for row in rows_by_header(sheet)}
    assert set(rows) == {"寒锐新能源项目", "粤磁稀土项目"}
    hanrui = rows["寒锐新能源项目"]
    assert hanrui["项目编号"] == ganxian.projects.get(name="寒锐新能源项目").pk
    assert hanrui["调度清单"] == "市级工业倍增升级重点调度项目"
    assert hanrui["总投资"] == "100亿元"
    assert hanrui["年度计划投资"] == "12亿元"
    assert hanrui["上月累计完成"] == "52000万元"
    assert hanrui["本月完成投资"] is None
    assert hanrui["单位"] == "万元"
    assert hanrui["开工日期"].date() == date(2022, 3, 18)
    assert rows["粤磁稀土项目"]["投产日期"] == "2022年4月"
    assert "1-5月累计完成投资" not in rows_by_header(sheet)[0]


def test_monthly_template_has_the_zone_and_month_in_a_hidden_sheet(ganxian):
    book = workbook(monthly_template(ganxian, 2022, 5, today=TODAY))
    meta = book["_meta"]
    assert meta.sheet_state == "hidden"
    values = {row[0].value: row[1].value for row in meta.iter_rows()}
    assert values["类型"] == "monthly"
    assert values["区域编号"] == str(ganxian.pk)
    assert (values["年度"], values["月份"], values["填报口径"]) == ("2022", "5", "month")
    versions = book["_versions"]  # what the figures were when downloaded: later changes are not overwritten
    assert versions.sheet_state == "hidden"
    rows = list(versions.iter_rows(values_only=True))
    assert rows[0] == (
        "项目编号",
        "amount",
        "milestone:start",
        "milestone:production",
        "milestone:completion",
    )
    hanrui = ganxian.projects.get(name="寒锐新能源项目")
    assert (hanrui.pk, 0, 1, 0, 0) in rows  # no May figure yet; its start milestone at version 1


def test_monthly_template_follows_the_zones_entry_basis(ganxian, investment):
    ganxian.entry_basis = EntryBasis.YEAR_TO_DATE
    ganxian.save()
    hanrui = ganxian.projects.get(name="寒锐新能源项目")
    ytd(hanrui, 5, "60000", investment)
    sheet = workbook(monthly_template(ganxian, 2022, 5, today=TODAY))["月报"]
    rows = {row["项目名称"]: row for row in rows_by_header(sheet)}
    assert "本月完成投资" not in rows["寒锐新能源项目"]
    assert rows["寒锐新能源项目"]["1-5月累计完成投资"] == 60000
    assert rows["粤磁稀土项目"]["1-5月累计完成投资"] is None


def test_monthly_template_explains_checks_and_locks_its_columns(ganxian):
    sheet = workbook(monthly_template(ganxian, 2022, 5, today=TODAY))["月报"]
    headers = {cell.value: cell for cell in sheet[2]}
    assert "请勿修改" in headers["项目编号"].comment.text
    assert "更正原因" in headers and "锁定" in headers["更正原因"].comment.text
    assert sheet.freeze_panes == "C3"
    assert sheet.protection.sheet is True
    assert sheet["A3"].protection.locked is True  # 项目编号
    amount = headers["本月完成投资"].column_letter
    assert sheet[f"{amount}3"].protection.locked is False
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    unit = headers["单位"].column_letter
    unit_check = validations[f"{unit}3:{unit}4"]
    assert unit_check.type == "list"
    assert unit_check.formula1 == "'_lists'!$A$2:$A$4"
    assert [c.value for c in sheet.parent["_lists"]["A"]] == ["单位", "万元", "亿元", "元"]
    start = headers["开工日期"].column_letter
    date_check = validations[f"{start}3:{start}4"]
    assert (date_check.type, date_check.formula2, date_check.errorStyle) == ("date", "TODAY()", "warning")


def test_locked_month_template_shows_the_months_amounts(ganxian, investment):
    ytd(ganxian.projects.get(name="寒锐新能源项目"), 3, "40000", investment)
    sheet = workbook(monthly_template(ganxian, 2022, 4, today=TODAY))["月报"]
    assert "已锁定,更正须填写原因" in sheet["A1"].value
    rows = {row["项目名称"]: row for row in rows_by_header(sheet)}
    assert rows["寒锐新能源项目"]["本月完成投资"] == 12000  # 52000 to April less 40000 to March
    assert rows["粤磁稀土项目"]["本月完成投资"] is None  # no March figure: April's amount is unknown


def test_untouched_monthly_template_imports_as_no_change(ganxian):
    editor = UserFactory(is_superuser=True)
    result = check_import(
        "monthly", monthly_template(ganxian, 2022, 5, today=TODAY), user=editor, today=TODAY
    )
    assert result.findings == []
    assert result.rows == 2
    assert result.summary() == {"created": 0, "updated": 0, "restated": 0, "milestones": 0, "unchanged": 2}


def test_monthly_template_costs_the_same_queries_for_more_projects(ganxian, investment):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            monthly_template(ganxian, 2022, 5, today=TODAY)
        return len(captured)

    few = queries()
    portfolio = ganxian.portfolios.get()
    for n in range(10):
        entry = PortfolioEntryFactory(portfolio=portfolio, project__name=f"新增项目{n}")
        MilestoneFactory(project=entry.project, kind=MilestoneKind.START)
    assert queries() == few


def test_projects_template_prefills_the_zones_projects(ganxian):
    book = workbook(projects_template(ganxian))
    sheet = book["项目"]
    rows = {row["项目名称"]: row for row in rows_by_header(sheet) if row["项目名称"]}
    assert rows["寒锐新能源项目"]["区域"] == "赣县区"
    assert rows["寒锐新能源项目"]["总投资"] == "100亿元"
    assert rows["寒锐新能源项目"]["阶段"] == "在建"
    validations = {v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert "'_lists'!$B$2:$B$13" in validations  # the twelve stages
    assert [c.value for c in book["_lists"]["B"]][1:4] == ["储备", "在谈", "签约落户"]


def test_blank_projects_template_reads_back_as_nothing_to_import():
    result = check_import("projects", projects_template(), user=UserFactory(is_superuser=True))
    assert (result.rows, result.findings) == (0, [])


def test_indicators_template_has_a_row_per_indicator_the_zone_reports(ganxian):
    revenue = MetricFactory(name="工业营收", code="industrial_revenue_t")
    firms = MetricFactory(name="规上企业数", code="above_size_t", unit_kind=UnitKind.COUNT, unit="家")
    IndicatorValueFactory(zone=ganxian, metric=revenue)
    IndicatorValueFactory(zone=ganxian, metric=firms, value=142, scale=None, currency="")
    book = workbook(indicators_template(ganxian))
    rows = [row for row in rows_by_header(book["指标数值"]) if row["指标"]]
    assert [(r["主体类型"], r["主体名称"], r["指标"], r["数值类型"], r["单位"]) for r in rows] == [
        ("区域", "赣县区", "工业营收", ValueKind.ACTUAL.label, "亿元"),
        ("区域", "赣县区", "规上企业数", ValueKind.ACTUAL.label, None),
    ]
    metric_names = [c.value for c in book["_lists"]["B"]][1:]
    assert {"工业营收", "规上企业数", "完成投资"} <= set(metric_names)
    # Rows prepared but left without a figure are not imported.
    result = check_import("indicators", indicators_template(ganxian), user=UserFactory(is_superuser=True))
    assert (result.rows, result.findings) == (2, [])
    assert result.summary()["created"] == 0
