"""A month's reporting for 赣县区 done by its zone editor in a real browser (headless Chromium,
driven by Playwright, against the admin on the live server): the editor sees only the zone's
projects, registers a project with a milestone, is stopped by the rules with their messages,
fills the 月报填报 screen, imports the monthly workbook and opens the month's report.

The clock is 6 July 2022: June 2022 is open until 10 July (赣县区's deadline day), and the seed
portfolio 市级工业倍增升级重点调度项目 has its 1-5月 figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.db.models import Q
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from projects.access import zone_membership_grant
from projects.models import (
    EntryBasis,
    IndicatorValue,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    Zone,
    ZoneRole,
)
from projects.money import AmountScale
from tests.browser import choose_autocomplete, log_in
from tests.seeds import load_seeds

NOW = "2022-07-06 10:00 +08:00"
EDITOR, PASSWORD = "ganxian-editor", "ganxian-password-1"
PORTFOLIO = "市级工业倍增升级重点调度项目"
HANRUI = "赣州寒锐新能源科技有限公司项目"  # total investment 100亿元
YUECI = "粤磁稀土"
HUANENG = "华能二期"
YI, WAN = Decimal(100_000_000), Decimal(10_000)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def july_2022():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def ganxian(july_2022, transactional_db) -> Zone:
    """赣县区 reporting each month's amount by the 10th of the next month, with three projects on
    its 2022 portfolio; two of them reported their 1-5月 completed investment."""
    load_seeds()
    zone = Zone.objects.get(name="赣县区")
    zone.entry_deadline_day = 10
    zone.entry_basis = EntryBasis.MONTH
    zone.save()
    portfolio = Portfolio.objects.get(zone=zone, name=PORTFOLIO, year=2022)
    for name, planned in ((HANRUI, 20 * YI), (YUECI, 5 * YI), (HUANENG, 10 * YI)):
        PortfolioEntry.objects.create(
            portfolio=portfolio, project=Project.objects.get(zone=zone, name=name), planned_investment=planned
        )
    for name, ytd in ((HANRUI, 10 * YI), (YUECI, 2 * YI)):
        completed_investment(name, month=5, value=ytd)
    return zone


@pytest.fixture
def page(browser_page: Page, ganxian: Zone, django_user_model) -> Page:
    """The browser, logged in as 赣县区's editor."""
    user = django_user_model.objects.create_user(EDITOR, password=PASSWORD)
    zone_membership_grant(user=user, zone=ganxian, role=ZoneRole.EDITOR)
    log_in(browser_page, EDITOR, PASSWORD)
    return browser_page


def completed_investment(project_name: str, *, month: int, value: Decimal) -> IndicatorValue:
    return IndicatorValue.objects.create(
        project=Project.objects.get(name=project_name),
        metric=Metric.objects.get(code="completed_investment"),
        year=2022,
        start_month=1,
        end_month=month,
        value=value,
        scale=AmountScale.WAN,
        currency="CNY",
    )


def ytd(project_name: str, month: int) -> list[Decimal]:
    """The current 1-M月 completed investment of the project (a list: none or one, never two)."""
    return list(
        IndicatorValue.objects.current()
        .filter(project__name=project_name, metric__code="completed_investment", year=2022, end_month=month)
        .values_list("value", flat=True)
    )


def june(project_name: str) -> IndicatorValue:
    return IndicatorValue.objects.current().get(
        project__name=project_name, metric__code="completed_investment", year=2022, end_month=6
    )


def stored_rows() -> tuple[int, int, int]:
    """What a refused save must leave as it was: values, milestones and their history."""
    return (
        IndicatorValue.objects.count(),
        Milestone.objects.count(),
        IndicatorValue.history.count() + Milestone.history.count(),
    )


def sheet_row(page: Page, project_name: str):
    return page.locator("#monthly-sheet tbody tr", has_text=project_name)


# ---------------------------------------------------------------------------------------------
# 1-3: the project pages


def test_editor_sees_only_the_zone_projects(page: Page, ganxian: Zone):
    page.goto("/admin/projects/project/")
    # The zone's projects, and those whose source names no zone (readable by everyone).
    visible = Project.objects.filter(Q(zone=ganxian) | Q(zone=None))
    expect(page.locator("#result_list tbody tr")).to_have_count(visible.count())
    expect(page.locator("#result_list")).to_contain_text(YUECI)
    assert set(page.locator("#result_list tbody td.field-zone").all_inner_texts()) == {"赣县区", "-"}
    other = Project.objects.filter(zone__name="南昌经开区").order_by("pk").first()
    expect(page.locator("#result_list")).not_to_contain_text(other.name)

    # Another zone's row is answered as a missing one: back to the index, saying it does not exist.
    page.goto(f"/admin/projects/project/{other.pk}/change/")
    assert page.url.endswith("/admin/")
    expect(page.locator(".messagelist")).to_contain_text(f"ID 为“{other.pk}”的 项目 不存在")
    expect(page.locator("body")).not_to_contain_text(other.name)


def test_editor_adds_a_project_with_a_milestone(page: Page, ganxian: Zone):
    page.goto("/admin/projects/project/add/")
    choose_autocomplete(page, "zone", "赣县", "赣县区")
    page.fill("#id_name", "稀土永磁电机产业园项目")
    page.fill("#id_total_investment", "12")
    page.select_option("#id_total_investment_scale", label="亿元")
    page.select_option("#id_stage", label="在建")
    page.click("#milestones-group .add-row a")
    page.select_option("#id_milestones-0-kind", label="开工")
    page.fill("#id_milestones-0-actual_date", "2022-06-18")
    page.select_option("#id_milestones-0-actual_precision", label="日")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    project = Project.objects.get(name="稀土永磁电机产业园项目")
    assert (project.zone, project.total_investment) == (ganxian, 12 * YI)
    start = project.milestones.get()
    assert (start.kind, start.actual_date, start.actual_precision) == ("start", date(2022, 6, 18), "day")
    assert start.history.get().history_user.username == EDITOR


def test_bad_milestone_dates_show_the_rule_message_and_save_nothing(page: Page, ganxian: Zone):
    project = Project.objects.get(name=YUECI)
    Milestone.objects.create(
        project=project, kind="start", actual_date=date(2022, 5, 1), actual_precision="day"
    )
    before = stored_rows()
    page.goto(f"/admin/projects/project/{project.pk}/change/")
    page.click("#milestones-group .add-row a")
    page.select_option("#id_milestones-1-kind", label="投产")
    page.fill("#id_milestones-1-actual_date", "2022-03-01")
    page.select_option("#id_milestones-1-actual_precision", label="日")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#milestones-group")).to_contain_text(
        "[production_before_start] 粤磁稀土投产(2022年3月1日)早于开工(2022年5月1日)"
    )
    assert stored_rows() == before

    # Corrected to a date that has not come yet: the next rule stops it.
    page.fill("#id_milestones-1-actual_date", "2022-08-01")
    page.click("input[name=_save]")
    expect(page.locator("#milestones-group")).to_contain_text("[actual_date_in_future]")
    expect(page.locator("#milestones-group")).not_to_contain_text("[production_before_start]")
    assert stored_rows() == before
    assert not project.milestones.filter(kind="production").exists()


# ---------------------------------------------------------------------------------------------
# 4: 月报填报


def test_editor_fills_the_monthly_sheet_and_a_bad_save_writes_nothing(page: Page, ganxian: Zone):
    page.goto("/admin/")
    page.locator("#content-main").get_by_role("link", name="月报填报", exact=True).first.click()
    # One zone to report for: straight to its months, June (open until 10 July) proposed.
    expect(page.locator("h1")).to_contain_text("赣县区 月报填报")
    expect(page.locator("#id_month")).to_have_value("2022-06")
    page.click(".month-picker input[type=submit]")
    expect(page.locator(".monthly .window")).to_contain_text("2022年6月")
    expect(page.locator(".monthly .window")).to_contain_text("可填报")
    expect(page.locator("#monthly-sheet tbody tr")).to_have_count(3)
    expect(sheet_row(page, HANRUI)).to_contain_text("100000万元")  # 1-5月, in the unit entered

    sheet_row(page, HANRUI).locator("input[name$='-amount']").fill("3亿元")
    sheet_row(page, YUECI).locator("input[name$='-amount']").fill("5000")  # 万元, the unit beside it
    sheet_row(page, HUANENG).locator("input[name$='-milestone_start']").fill("6月18日")
    page.click("#monthly-form input[type=submit]")
    expect(page.locator(".messagelist .success")).to_contain_text("已保存赣县区2022年6月月报")

    assert ytd(HANRUI, 6) == [13 * YI]
    assert ytd(YUECI, 6) == [25_000 * WAN]
    start = Milestone.objects.get(project__name=HUANENG, kind="start")
    assert (start.actual_date, start.actual_precision) == (date(2022, 6, 18), "day")
    expect(sheet_row(page, HUANENG).locator("input[name$='-milestone_start']")).to_have_value("2022年6月18日")

    # Over the total investment, a date not yet reached, and a good cell: nothing is written.
    before = stored_rows()
    sheet_row(page, HANRUI).locator("input[name$='-amount']").fill("95亿元")
    sheet_row(page, HUANENG).locator("input[name$='-milestone_production']").fill("8月1日")
    sheet_row(page, YUECI).locator("input[name$='-remark']").fill("含设备购置")
    page.click("#monthly-form input[type=submit]")
    expect(page.locator(".errornote").first).to_contain_text("有2处错误,未保存任何数据")
    over = sheet_row(page, HANRUI).locator("td.cell-error .cell-message")
    expect(over).to_have_attribute("data-rule", "investment_over_total")
    expect(over).to_have_text(
        f"[investment_over_total] {HANRUI}2022年上半年累计完成投资105亿元超过项目总投资100亿元"
    )
    future = sheet_row(page, HUANENG).locator("td.cell-error .cell-message")
    expect(future).to_have_attribute("data-rule", "actual_date_in_future")
    expect(future).to_contain_text("[actual_date_in_future] 实际日期2022年8月1日晚于今天")
    expect(sheet_row(page, HANRUI).locator("input[name$='-amount']")).to_have_value("95亿元")
    assert stored_rows() == before
    assert ytd(HANRUI, 6) == [13 * YI]
    assert june(YUECI).note == ""


# ---------------------------------------------------------------------------------------------
# 5: the monthly workbook


def fill_template(content: bytes, cells: dict[str, dict[str, object]]) -> tuple[bytes, dict[str, int]]:
    """The template with `cells` ({project name: {header: value}}) filled in, as staff fill it in
    Excel, and the row number of each project."""
    book = load_workbook(BytesIO(content))
    sheet = book.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[2]}  # row 1 is the title
    rows = {}
    for (name,) in sheet.iter_rows(min_row=3, min_col=headers["项目名称"], max_col=headers["项目名称"]):
        rows[name.value] = name.row
        for header, value in cells.get(name.value, {}).items():
            sheet.cell(name.row, headers[header], value)
    out = BytesIO()
    book.save(out)
    return out.getvalue(), rows


def upload(page: Page, content: bytes) -> None:
    page.set_input_files(
        "#id_upload", files=[{"name": "赣县区6月.xlsx", "mimeType": XLSX, "buffer": content}]
    )
    page.click("input[name=_save]")


def test_editor_imports_the_monthly_workbook_after_fixing_its_bad_row(page: Page, ganxian: Zone):
    page.goto(f"/admin/projects/zone/{ganxian.pk}/monthly/2022-6/")
    with page.expect_download() as download:
        page.click("a.template-link")
    assert download.value.suggested_filename == "赣县区2022年6月月报.xlsx"
    template = download.value.path().read_bytes()

    good = {YUECI: {"本月完成投资": 5000, "单位": "万元"}, HUANENG: {"开工日期": "6月18日"}}
    bad, rows = fill_template(template, {**good, HANRUI: {"本月完成投资": "95亿元"}})
    before = stored_rows()
    page.click("a.import-link")
    expect(page.locator("#id_kind")).to_have_value("monthly")
    upload(page, bad)
    expect(page.locator(".messagelist .error")).to_contain_text("1个错误,未导入")
    finding = page.locator("table.import-findings tbody tr")
    expect(finding).to_have_count(1)
    expect(finding.locator("td")).to_have_text(
        [str(rows[HANRUI]), "G 本月完成投资", "investment_over_total", "错误", re.compile(HANRUI)]
    )
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert stored_rows() == before

    fixed, _ = fill_template(template, {**good, HANRUI: {"本月完成投资": "3亿元"}})
    page.goto("/admin/projects/importbatch/add/?kind=monthly")
    upload(page, fixed)
    expect(page.locator(".messagelist .success")).to_contain_text("未发现问题")
    expect(page.locator(".import-ok")).to_have_text("未发现问题")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messagelist .success")).to_contain_text("已导入")

    assert ytd(HANRUI, 6) == [13 * YI]
    assert ytd(YUECI, 6) == [25_000 * WAN]
    start = Milestone.objects.get(project__name=HUANENG, kind="start")
    assert (start.actual_date, start.actual_precision) == (date(2022, 6, 18), "day")
    assert june(HANRUI).history.get().history_user.username == EDITOR


# ---------------------------------------------------------------------------------------------
# 6: the report


def test_editor_makes_and_opens_the_june_report(page: Page, ganxian: Zone):
    completed_investment(HANRUI, month=6, value=13 * YI)
    completed_investment(YUECI, month=6, value=25_000 * WAN)
    page.goto("/admin/projects/reportschedule/add/")
    choose_autocomplete(page, "portfolio", "倍增", PORTFOLIO)
    page.select_option("#id_cadence", value="monthly")
    page.uncheck("input[name=formats][value=xlsx]")
    page.uncheck("input[name=formats][value=pdf]")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.locator("#result_list tbody tr", has_text=PORTFOLIO).locator("input.action-select").check()
    page.select_option("select[name=action]", value="make_latest_run")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("2022年6月")

    page.locator("#result_list tbody tr", has_text=PORTFOLIO).locator("th a").first.click()
    page.locator("#runs-group a[href^='/reports/runs/']").click()
    expect(page.locator("h1")).to_have_text(f"赣县区·{PORTFOLIO} 2022年6月 投资项目调度通报")
    # 1-6月 of the two projects that reported June: 13亿元 + 2.5亿元, against a plan of 35亿元.
    row = page.locator("table[data-table=portfolios] tbody tr", has_text=PORTFOLIO)
    expect(row.locator("td")).to_have_text(
        ["赣县区", PORTFOLIO, "3个", "100亿元", "35亿元", "15.5亿元", "2022年上半年", "44.29%"]
        + [re.compile(".*")] * 4
    )
