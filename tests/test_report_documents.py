"""The report's files — HTML, PDF, XLSX — read back: the figures of the seeds, in every format.

The seed snapshot (赣县区, May 2022) is built once per module by the real snapshot builder inside a
transaction that is rolled back, and the PDF is printed once: WeasyPrint takes seconds.
"""

import copy
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser

import openpyxl
import pytest
from django.db import transaction
from pypdf import PdfReader

from projects.models import Campaign, Portfolio, Project, ReportSchedule, Zone
from projects.reports import formatting
from projects.reports.cadence import period_containing
from projects.reports.changes import changes_between
from projects.reports.documents import FORMATS
from projects.reports.html import render_html, render_pdf
from projects.reports.snapshot import build_snapshot, fingerprint
from projects.reports.xlsx import render_xlsx
from tests.seeds import load_seeds

from .factories import ZoneFactory

SVG = "{http://www.w3.org/2000/svg}"
MAY_2022 = period_containing("monthly", 5, date(2022, 5, 15))
PORTFOLIO = "市级工业倍增升级重点调度项目"
SECTIONS = [
    "一、总体情况",
    "二、图表",
    "三、调度清单",
    "四、经济指标",
    "五、节点考核",
    "六、滞后项目",
    "七、近期到期节点",
    "八、与上期相比",
    "九、数据核对",
    "十、数据来源",
]


def snapshot_of(scope, period=MAY_2022, previous=None) -> dict:
    """A snapshot as a report run stores it: built, compared, fingerprinted, dated."""
    snapshot = build_snapshot(scope, period)
    snapshot["changes"] = changes_between(previous, snapshot)
    snapshot["fingerprint"] = fingerprint(snapshot)
    snapshot["generated_at"] = "2026-11-23T10:00:00+08:00"
    return snapshot


# Every test may touch the database: without a django_db test in the run, pytest-django would
# not create the test database that the module's snapshot is built in.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def gx(django_db_setup, django_db_blocker) -> dict:
    """赣县区's May 2022 report on the seeds, as plain JSON; the database is left as it was."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_seeds()
        snapshot = snapshot_of(ReportSchedule(zone=Zone.objects.get(name="赣县区"), cadence="monthly"))
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture(scope="module")
def gx_html(gx) -> str:
    return render_html(gx)


@pytest.fixture(scope="module")
def gx_page(gx_html) -> "Page":
    return Page(gx_html)


@pytest.fixture(scope="module")
def gx_pdf(gx) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(gx)))


@pytest.fixture(scope="module")
def gx_xlsx(gx) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(gx)))


# ---------------------------------------------------------------------------------------------
# Reading the files back


class Page(HTMLParser):
    """A rendered report: its tables by their data-table name, its charts as XML, its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[list[str]]]] = defaultdict(list)
        self.empty: dict[str, list[str]] = defaultdict(list)
        self.parts: list[str] = []
        self._table = self._row = self._cell = self._empty = None
        self.feed(html)
        self.text = "".join(self.parts)
        self.charts = [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.S)]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = []
            self.tables[attrs["data-table"]].append(self._table)
        elif tag == "p" and "data-table" in attrs:
            self._empty = attrs["data-table"]
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = self._row = None
        elif tag == "p":
            self._empty = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._empty:
            self.empty[self._empty].append(data)
        self.parts.append(data)

    def rows(self, name: str, index: int = 0) -> list[dict[str, str]]:
        header, *rows = self.tables[name][index]
        return [dict(zip(header, row, strict=True)) for row in rows]

    def row(self, name: str, column: str, value: str) -> dict[str, str]:
        [row] = [
            r for table in range(len(self.tables[name])) for r in self.rows(name, table) if r[column] == value
        ]
        return row

    def chart(self, kind: str) -> list[ET.Element]:
        return [c for c in self.charts if c.get("data-kind") == kind]


def bars(chart: ET.Element) -> dict[str, str]:
    return {b.get("data-label"): b.get("data-value") for b in chart.iter(f"{SVG}rect") if b.get("data-value")}


def reference(chart: ET.Element) -> str:
    [line] = [e for e in chart.iter(f"{SVG}line") if e.get("class") == "reference"]
    return line.get("data-value")


def sheet_rows(sheet) -> list[dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_is_one_standalone_page_without_script_or_outside_assets(gx_html):
    assert gx_html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in gx_html
    assert "<script" not in gx_html
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", gx_html)
    assert "<svg" in gx_html
    assert "size: A4" in gx_html
    assert "counter(page)" in gx_html
    assert "break-inside: avoid" in gx_html
    assert '"Noto Sans CJK SC"' in gx_html or "'Noto Sans CJK SC'" in gx_html


def test_html_header_names_scope_period_time_progress_and_fingerprint(gx, gx_page):
    assert gx["title"] == "赣县区 2022年5月 投资项目调度通报"
    assert f"<title>{gx['title']}</title>" in render_html(gx)
    text = gx_page.text
    assert "报告范围区域:赣县区" in text
    assert "报告期2022年5月 月报" in text
    assert "生成时间2026年11月23日 10:00" in text
    assert "时间进度41.67%(按月计算(已过月数÷12))" in text
    assert f"数据指纹{gx['fingerprint'][:12]}" in text
    assert gx["fingerprint"] not in text


def test_html_sections_come_in_order(gx_page):
    positions = [gx_page.text.index(title) for title in SECTIONS]
    assert positions == sorted(positions)


def test_overview_gives_each_portfolio_its_figures_and_verdict(gx_page):
    assert "截至2022年5月末,时间进度为41.67%" in gx_page.text
    row = gx_page.row("summary", "调度清单", f"赣县区 {PORTFOLIO}")
    assert row == {
        "调度清单": f"赣县区 {PORTFOLIO}",
        "年度计划投资": "83.19亿元",
        "完成投资": "58.33亿元",
        "完成率": "70.12%",
        "超序进度(个百分点)": "+28.45",
        "开工率": "95.65%",
        "结论": "超序时进度28.45个百分点",
    }
    assert (
        f"赣县区 {PORTFOLIO}:年度计划投资83.19亿元,2022年1-5月完成投资58.33亿元,完成率70.12%,开工率95.65%,"
        "超序时进度28.45个百分点。" in gx_page.text
    )
    no_data = gx_page.row("summary", "调度清单", "赣县区 工业倍增升级在建项目")
    assert no_data["结论"] == "缺少计划或完成数据,无法判断序时进度"


def test_portfolio_table_shows_the_stated_totals(gx_page):
    row = gx_page.row("portfolios", "调度清单", PORTFOLIO)
    assert row["区域"] == "赣县区"
    assert row["项目数"] == "23个"
    assert row["总投资"] == "299.92亿元"
    assert row["完成投资"] == "58.33亿元"
    assert row["数据时段"] == "2022年1-5月"
    assert row["全年预计完成"] == "139.99亿元"
    assert "类别" not in row  # a workbook column only


def test_indicator_table_shows_actuals_targets_and_growth(gx_page):
    output = gx_page.row("indicators", "指标", "工业总产值")
    assert (output["实际"], output["时段"], output["同比增长"]) == ("133.87亿元", "2022年1-5月", "35.80%")
    assert gx_page.row("indicators", "指标", "工业营收")["全年目标"] == "500亿元"
    assert gx_page.row("indicators", "指标", "规上企业数")["实际"] == "142家"


def test_charts_carry_the_report_figures(gx_page):
    [completion] = gx_page.chart("completion")
    assert bars(completion) == {f"赣县区 {PORTFOLIO}": "70.12"}
    assert reference(completion) == "41.67"
    assert "70.12%(超序28.45个百分点)" in [t.text for t in completion.iter(f"{SVG}text")]

    checkpoints = gx_page.chart("checkpoint")
    assert [c.find(f"{SVG}title").text for c in checkpoints] == [
        "双过半 节点考核(应完成全年目标50%)",
        "强攻二季度、确保双过半 节点考核(应完成全年目标50%)",
    ]
    assert all(bars(c) == {f"赣县区 {PORTFOLIO}": "70.12"} and reference(c) == "50" for c in checkpoints)
    assert "半年红 节点考核:无可绘制的数据" in gx_page.text

    [trend] = gx_page.chart("trend")
    points = {
        (p.get("data-series"), p.get("data-month")): p.get("data-value") for p in trend.iter(f"{SVG}circle")
    }
    assert points[("completed", "5")] == "58.33"
    assert points[("plan", "5")] == "34.6625"
    assert points[("plan", "12")] == "83.19"
    assert ("completed", "4") not in points  # April was not reported
    assert gx_page.chart("ranking") == []  # one zone: nothing to rank
    assert "(四)区域排名" not in gx_page.text


def test_checkpoints_list_their_items_and_verdicts(gx_page):
    assert "双过半(考核时点2022-06-30,应完成全年目标50%):达标" in gx_page.text
    row = gx_page.rows("checkpoint", 0)[0]
    assert row == {
        "考核对象": f"赣县区 {PORTFOLIO}",
        "类别": "调度清单",
        "数据时段": "2022年1-5月",
        "完成率": "70.12%",
        "要求": "50.00%",
        "差距(个百分点)": "+20.12",
        "结论": "已过半",
        "状态": "达标",
        "月均需完成": "0元",
    }
    revenue = gx_page.rows("checkpoint", 0)[1]
    assert (revenue["考核对象"], revenue["状态"], revenue["月均需完成"]) == (
        "赣县区 工业营收",
        "无数据",
        "41.67亿元",
    )
    assert "半年红(考核时点2022-06-30,按该时段目标考核):无数据" in gx_page.text
    assert "无考核项目" in gx_page.empty["checkpoint"]


def test_empty_sections_say_so(gx_page):
    assert "".join(gx_page.empty["lagging"]) == "无滞后项目"
    assert "".join(gx_page.empty["due"]) == "近期无到期节点"
    assert "".join(gx_page.empty["conflicts"]) == "无相互矛盾的数据"
    assert "首期报告,无上期可比" in gx_page.text


def test_data_checks_set_stated_against_computed(gx_page):
    row = gx_page.row("checks", "指标", "完成率")
    assert (row["来源所述"], row["核算"], row["结论"], row["来源"]) == (
        "70.11%",
        "70.12%",
        "在舍入误差内",
        "seed-004",
    )
    assert gx_page.row("checks", "指标", "超序进度")["核算"] == "28.45个百分点"


def test_sources_name_title_date_and_the_quotes_behind_the_figures(gx_page):
    text = gx_page.text
    assert "强攻二季度 确保双过半——赣县区多措并举推进工业倍增升级" in text
    assert "2022-06-01 · 编号 seed-004" in text
    assert "完成投资58.33亿元" in text  # the sentence quoted
    assert "所引数据:" in text
    assert f"赣县区·{PORTFOLIO} 完成投资(2022年1-5月实际):58.33亿元" in text


def test_project_milestones_are_listed_with_their_status(gx_page):
    row = gx_page.row("milestones", "节点", "第一台机组试生产")
    assert (row["项目"], row["计划"], row["状态"]) == ("华能二期", "2022年10月", "待完成")


# ---------------------------------------------------------------------------------------------
# PDF


def test_pdf_is_a4_with_page_numbers(gx_pdf):
    assert len(gx_pdf.pages) >= 3
    width, height = (float(v) for v in gx_pdf.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    assert f"第 1 页,共 {len(gx_pdf.pages)} 页" in gx_pdf.pages[0].extract_text()


def test_pdf_text_is_chinese_with_the_figures(gx_pdf):
    text = pdf_text(gx_pdf)
    for words in [
        "赣县区",
        "时间进度",
        "70.12",
        "41.67",
        "58.33亿元",
        "双过半",
        "十、数据来源",
        "超序时进度28.45个百分点",
    ]:
        assert words in text
    # the charts' text too: SVG labels are drawn with the same font
    assert "完成率(%)" in text
    assert "累计完成投资(亿元)" in text


def test_pdf_embeds_a_cjk_font(gx_pdf):
    fonts = set()
    for page in gx_pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("NotoSansCJKSC" in name.replace("-", "") for name in fonts), fonts


# ---------------------------------------------------------------------------------------------
# XLSX

SHEETS = [
    "概况",
    "完成率",
    "调度清单",
    "经济指标",
    "节点考核",
    "滞后项目",
    "到期节点",
    "项目节点",
    "变化",
    "数据核对",
    "数据冲突",
    "数据来源",
    "趋势",
]


def test_workbook_has_a_sheet_per_table_with_a_bold_frozen_header(gx_xlsx):
    assert gx_xlsx.sheetnames == SHEETS  # no 排名: one zone
    for sheet in gx_xlsx:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1] if cell.value), sheet.title
        assert len(sheet.title) <= 31


def test_workbook_stores_amounts_in_yi_yuan_and_rates_in_percent_as_numbers(gx_xlsx):
    sheet = gx_xlsx["调度清单"]
    [row] = [r for r in sheet_rows(sheet) if r["调度清单"] == PORTFOLIO]
    assert row["完成投资(亿元)"] == pytest.approx(58.33)
    assert row["年度计划投资(亿元)"] == pytest.approx(83.19)
    assert row["总投资(亿元)"] == pytest.approx(299.92)
    assert row["完成率(%)"] == pytest.approx(70.12)
    assert row["超序进度(个百分点)"] == pytest.approx(28.45)
    assert row["开工率(%)"] == pytest.approx(95.65)
    assert row["时间进度(%)"] == pytest.approx(41.67)
    assert row["项目数(个)"] == 23
    assert row["数据时段"] == "2022年1-5月"
    headers = [c.value for c in sheet[1]]
    cells = dict(
        zip(headers, next(r for r in sheet.iter_rows(min_row=2) if r[1].value == PORTFOLIO), strict=True)
    )
    numbers = [cell for header, cell in cells.items() if "(" in header]
    assert len(numbers) == 11
    assert all(cell.data_type == "n" for cell in numbers)
    assert cells["完成投资(亿元)"].number_format == "0.00"
    assert cells["项目数(个)"].number_format == "0"


def test_indicator_sheet_keeps_each_value_in_its_unit(gx_xlsx):
    rows = {r["指标"]: r for r in sheet_rows(gx_xlsx["经济指标"])}
    assert (rows["工业总产值"]["实际"], rows["工业总产值"]["单位"]) == (pytest.approx(133.87), "亿元")
    assert rows["工业总产值"]["同比增长(%)"] == pytest.approx(35.8)
    assert (rows["规上企业数"]["实际"], rows["规上企业数"]["单位"]) == (142, "家")
    assert rows["工业营收"]["全年目标"] == 500


def test_workbook_overview_and_checkpoints(gx, gx_xlsx):
    overview = dict(gx_xlsx["概况"].iter_rows(min_row=2, values_only=True))
    assert overview["时间进度(%)"] == pytest.approx(41.67)
    assert overview["数据指纹"] == gx["fingerprint"]
    assert overview["报告期"] == "2022年5月 月报"
    checkpoints = sheet_rows(gx_xlsx["节点考核"])
    first = checkpoints[0]
    assert (first["考核节点"], first["考核要求(%)"], first["完成率(%)"], first["差距(个百分点)"]) == (
        "双过半",
        50,
        pytest.approx(70.12),
        pytest.approx(20.12),
    )
    assert any(r["考核节点"] == "半年红" and r["节点结论"] == "无数据" for r in checkpoints)


def test_workbook_charts_completion_and_trend(gx_xlsx):
    completion = gx_xlsx["完成率"]
    assert sheet_rows(completion) == [
        {
            "对象": f"赣县区 {PORTFOLIO}",
            "类别": "调度清单",
            "完成率(%)": pytest.approx(70.12),
            "时间进度(%)": pytest.approx(41.67),
            "超序进度(个百分点)": pytest.approx(28.45),
        }
    ]
    [chart] = completion._charts
    assert chart.tagname == "barChart"
    assert len(chart.series) == 2  # 完成率 beside 时间进度

    trend = gx_xlsx["趋势"]
    rows = sheet_rows(trend)
    assert [r["月份"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[4]["累计完成投资(亿元)"] == pytest.approx(58.33)
    assert rows[4]["计划线(亿元)"] == pytest.approx(34.6625)
    assert rows[3]["累计完成投资(亿元)"] is None
    [line] = trend._charts
    assert line.tagname == "lineChart"
    assert len(line.series) == 2


def test_workbook_columns_are_wide_enough_for_chinese_names(gx_xlsx):
    sheet = gx_xlsx["调度清单"]
    assert sheet.column_dimensions["B"].width >= 2 * len(PORTFOLIO)
    assert sheet.column_dimensions["A"].width >= 8


def test_workbook_lists_sources_with_their_quotes(gx_xlsx):
    rows = sheet_rows(gx_xlsx["数据来源"])
    assert {r["来源编号"] for r in rows} == {"seed-004"}
    assert any("58.33亿元" in r["引文"] for r in rows)
    assert all(r["发布日期"] == "2022-06-01" for r in rows)


# ---------------------------------------------------------------------------------------------
# The formats


def test_formats_name_label_type_extension_and_renderer():
    assert list(FORMATS) == ["html", "xlsx", "pdf"]
    assert FORMATS["html"] == ("网页(HTML)", "text/html; charset=utf-8", "html", render_html)
    assert FORMATS["xlsx"].content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (FORMATS["xlsx"].extension, FORMATS["xlsx"].render) == ("xlsx", render_xlsx)
    assert FORMATS["pdf"] == ("PDF文档", "application/pdf", "pdf", render_pdf)


def test_rendering_is_repeatable(gx, gx_html):
    assert render_html(copy.deepcopy(gx)) == gx_html


# ---------------------------------------------------------------------------------------------
# Edge cases: hostile names, an empty report, a campaign, changes


def test_hostile_project_and_portfolio_names_are_escaped(seeded):
    hostile = '<script>alert("x")</script>'
    Project.objects.filter(name="人民医院综合大楼").update(name=hostile)
    Portfolio.objects.filter(name=PORTFOLIO).update(name=f"{hostile}清单")
    snapshot = snapshot_of(
        ReportSchedule(zone=Zone.objects.get(name="赣县区")),
        period_containing("monthly", 5, date(2022, 12, 15)),
    )
    html = render_html(snapshot)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    page = Page(html)
    assert page.row("milestones", "项目", hostile)["节点"] == "主体封顶"
    assert page.row("lagging", "项目", hostile)["原因"] == "节点逾期"
    assert page.row("portfolios", "调度清单", f"{hostile}清单")["完成率"] == "70.12%"
    [completion] = page.chart("completion")
    assert bars(completion) == {f"赣县区 {hostile}清单": "70.12"}
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    assert hostile in [r["项目"] for r in sheet_rows(workbook["滞后项目"])]


def test_a_zone_without_data_gets_a_report_that_says_so(seeded):
    snapshot = snapshot_of(ReportSchedule(zone=ZoneFactory(name="新设园区")))
    assert snapshot["reports"][0]["portfolios"] == []
    page = Page(render_html(snapshot))
    assert page.charts == []
    assert "完成率与时间进度:无可绘制的数据" in page.text
    assert "完成投资月度走势:无可绘制的数据" in page.text
    assert "".join(page.empty["summary"]) == "本期无调度清单"
    assert "".join(page.empty["portfolios"]) == "本期无调度清单"
    assert "".join(page.empty["indicators"]) == "本期无经济指标数据"
    assert "双过半(考核时点2022-06-30,应完成全年目标50%):无数据" in page.text
    assert "".join(page.empty["checkpoint"]) == "无考核项目"
    assert "".join(page.empty["milestones"]) == "范围内无项目节点"
    assert "无数据来源" in page.text
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    assert workbook["完成率"]._charts == []
    assert workbook["趋势"]._charts == []
    assert workbook["调度清单"].max_row == 1  # the header alone


def test_a_snapshot_without_reports_still_renders():
    bare = {
        "title": "空报告",
        "scope": {"kind": "zone", "kind_label": "区域", "name": "无"},
        "period": {},
        "basis": {},
        "time_progress": None,
        "reports": [],
        "campaign": None,
        "ranking": [],
        "trend": [],
        "figures": [],
        "milestones": [],
        "sources": [],
        "changes": None,
    }
    page = Page(render_html(bare))
    assert "本报告范围内无进度数据" in page.text
    assert "本报告未与上期比较" in page.text
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(bare)))
    assert workbook.sheetnames == SHEETS


def test_campaign_report_ranks_zones_in_a_table_and_a_chart(seeded):
    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    snapshot = snapshot_of(ReportSchedule(campaign=campaign))
    assert [r["zone"] for r in snapshot["ranking"]] == ["赣县区", "上饶经开区"]
    html = render_html(snapshot)
    page = Page(html)
    [chart] = page.chart("ranking")
    assert bars(chart) == {"第1名 赣县区": "20.12"}
    assert [t.get("data-label") for t in chart.iter(f"{SVG}text") if t.get("class") == "no-data"] == [
        "上饶经开区"
    ]
    measure = snapshot["ranking_measure"]
    ranking = page.rows("ranking")
    assert [(r["名次"], r["区域"], r[measure], r["达标项"]) for r in ranking] == [
        ("1", "赣县区", "+20.12", "1"),
        ("—", "上饶经开区", "—", "0"),
    ]
    # every zone's own report follows, under its name
    for zone in ("赣县区", "上饶经开区"):
        assert f"<h3>{zone}</h3>" in html
    assert len(page.tables["portfolios"]) + len(page.empty["portfolios"]) >= 1
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    assert workbook.sheetnames[-1] == "排名"
    rows = sheet_rows(workbook["排名"])
    assert (rows[0]["名次"], rows[0]["区域"], rows[0][measure]) == (1, "赣县区", pytest.approx(20.12))
    assert len(workbook["排名"]._charts) == 1


def test_changes_since_the_previous_report_are_tabled(gx):
    milestone = {
        "id": 31,
        "project_id": 33,
        "project": "华能二期",
        "zone": "赣县区",
        "kind": "trial",
        "kind_label": "试生产",
        "phase": "第一台机组",
        "planned": "2022年10月",
        "actual": "2022年10月8日",
        "status": "reached",
        "status_label": "已完成",
    }
    figure = next(f for f in gx["figures"] if f["metric"] == "completed_investment" and f["value"])
    restated = {**figure, "value": 6000000000, "display": "60亿元"}
    snapshot = {
        **gx,
        "changes": {
            "previous": {
                "run_id": 3,
                "period_display": "2022年4月",
                "generated_at": "2022-05-05T08:00:00+08:00",
            },
            "unchanged": False,
            "milestones_reached": [milestone],
            "milestones_late": [],
            "figures_added": [],
            "figures_restated": [{"before": figure, "after": restated}],
            "sign_changes": [
                {
                    "subject": f"赣县区 {PORTFOLIO}",
                    "kind": "portfolio",
                    "before": -3.2,
                    "after": 1.5,
                    "direction": "转正",
                }
            ],
        },
    }
    page = Page(render_html(snapshot))
    assert "与上期(2022年4月,生成于2022年5月5日 08:00)相比:" in page.text
    rows = page.rows("changes")
    assert [r["类别"] for r in rows] == ["新完成节点", "数据更正", "超序进度转正"]
    assert (rows[0]["对象"], rows[0]["本期"]) == ("华能二期", "已完成 2022年10月8日")
    assert (rows[1]["上期"], rows[1]["本期"]) == ("58.33亿元", "60亿元")
    assert (rows[2]["上期"], rows[2]["本期"]) == ("-3.20", "+1.50")

    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    sheet = sheet_rows(workbook["变化"])
    assert (sheet[1]["上期数值"], sheet[1]["本期数值"], sheet[1]["单位"]) == (
        pytest.approx(58.33),
        60,
        "亿元",
    )
    assert (sheet[2]["上期数值"], sheet[2]["本期数值"], sheet[2]["单位"]) == (-3.2, 1.5, "个百分点")


def test_unchanged_data_is_said_in_one_line(gx):
    changes = {
        **gx["changes"],
        "previous": {"run_id": 3, "period_display": "2022年4月", "generated_at": ""},
        "unchanged": True,
    }
    page = Page(render_html({**gx, "changes": changes}))
    assert "与上期(2022年4月)相比:数据无变化" in page.text
    assert "changes" not in page.tables


def test_verdict_sentences_say_ahead_behind_or_level():
    assert formatting.schedule_verdict(28.45) == "超序时进度28.45个百分点"
    assert formatting.schedule_verdict(-3.2) == "落后序时进度3.20个百分点"
    assert formatting.schedule_verdict(0) == "与序时进度持平"
    assert formatting.schedule_verdict(None) == "缺少计划或完成数据,无法判断序时进度"
