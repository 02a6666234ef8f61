"""A report lists at most REPORT_LIST_LIMIT lagging projects and milestones due, the most important
first, and says how many there are in all: in its JSON, its text, and its HTML, workbook and PDF."""

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from projects.models import MilestoneKind, ReportSchedule
from projects.periods import DatePrecision
from projects.reports import assemble
from projects.reports.cadence import period_containing
from projects.reports.html import render_html, render_pdf
from projects.reports.progress import progress_report
from projects.reports.render import report_json, report_text
from projects.reports.snapshot import build_snapshot
from projects.reports.xlsx import render_xlsx

from .factories import (
    IndicatorValueFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    ZoneFactory,
)
from .test_progress_report import YI, completed_metric

pytestmark = pytest.mark.django_db

MAY_2022 = period_containing("monthly", 5, date(2022, 5, 15))
LAGGING_NOTE = "另有 2 个项目未列出(共 5 个),详见各区域报告"
DUE_NOTE = "另有 2 个节点未列出(共 5 个),详见各区域报告"


@pytest.fixture
def limit(monkeypatch) -> int:
    monkeypatch.setattr(assemble, "REPORT_LIST_LIMIT", 3)
    return 3


def behind(zone, done_yi: dict[str, str], portfolio_name: str = "重点调度项目"):
    """Projects planned 3亿元 for 2022 with `done_yi`亿元 completed in 1-5月 (all behind 5/12)."""
    portfolio = PortfolioFactory(zone=zone, year=2022, name=portfolio_name)
    for name, done in done_yi.items():
        entry = PortfolioEntryFactory(
            portfolio=portfolio, project=ProjectFactory(zone=zone, name=name), planned_investment=3 * YI
        )
        IndicatorValueFactory(
            zone=None,
            project=entry.project,
            metric=completed_metric(),
            year=2022,
            start_month=1,
            end_month=5,
            value=Decimal(done) * YI,
        )
    return portfolio


def due_in_june(zone, days: list[int]) -> None:
    """One project per day of June 2022 with a 投产 milestone planned on that day (due after May)."""
    for day in days:
        MilestoneFactory(
            project=ProjectFactory(zone=zone, name=f"6月{day}日投产项目"),
            kind=MilestoneKind.PRODUCTION,
            planned_date=date(2022, 6, day),
            planned_precision=DatePrecision.DAY,
        )


@pytest.fixture
def province(limit):
    """Five lagging projects (one only late on a milestone) and five milestones due in June."""
    zone = ZoneFactory(name="样本省")
    behind(zone, {"甲": "1.2", "乙": "0.3", "丙": "0.9", "丁": "0.6"})
    late = ProjectFactory(zone=zone, name="戊")
    MilestoneFactory(project=late, kind=MilestoneKind.START, planned_date=date(2022, 1, 10))
    due_in_june(zone, [20, 3, 11, 28, 7])
    return zone


def test_the_furthest_behind_are_listed_and_all_are_counted(province):
    data = report_json(progress_report(province, 2022, 5))
    assert [p["name"] for p in data["lagging_projects"]] == ["乙", "丁", "丙"]
    assert data["lagging_projects_total"] == 5
    assert data["late_milestones_total"] == 1
    assert [m["due_by"] for m in data["milestones_due"]] == ["2022-06-03", "2022-06-07", "2022-06-11"]
    assert data["milestones_due_total"] == 5


def test_a_project_only_late_on_milestones_comes_after_those_behind_plan_longest_overdue_first(monkeypatch):
    monkeypatch.setattr(assemble, "REPORT_LIST_LIMIT", 10)
    zone = ZoneFactory()
    behind(zone, {"落后项目": "1"})
    for name, month in (("三月逾期", 3), ("一月逾期", 1)):
        MilestoneFactory(
            project=ProjectFactory(zone=zone, name=name),
            kind=MilestoneKind.START,
            planned_date=date(2022, month, 1),
        )
    data = report_json(progress_report(zone, 2022, 5))
    assert [p["name"] for p in data["lagging_projects"]] == ["落后项目", "一月逾期", "三月逾期"]
    assert data["lagging_projects_total"] == 3


def test_a_complete_list_says_nothing_more(limit):
    zone = ZoneFactory()
    behind(zone, {"甲": "1", "乙": "0.5", "丙": "0.2"})
    report = progress_report(zone, 2022, 5)
    assert len(report.lagging_projects) == report.lagging_total == 3
    assert "未列出" not in report_text(report)
    assert "未列出" not in render_html(build_snapshot(ReportSchedule(zone=zone), MAY_2022))


def test_the_text_report_says_how_many_were_left_out(province):
    text = report_text(progress_report(province, 2022, 5))
    assert LAGGING_NOTE in text
    assert DUE_NOTE in text


def test_query_count_does_not_grow_with_the_rows_left_out(limit):
    small, large = ZoneFactory(), ZoneFactory()
    behind(small, {"甲": "1"})
    due_in_june(small, [3])
    behind(large, {f"项目{i}": f"0.{i}" for i in range(1, 9)}, "另一清单")
    due_in_june(large, [3, 4, 5, 6, 7, 8])
    counts = []
    for zone in (small, large):
        with CaptureQueriesContext(connection) as queries:
            progress_report(zone, 2022, 5)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_portfolio_report_caps_its_own_projects(limit):
    zone = ZoneFactory()
    behind(zone, {f"其他{i}": "0.1" for i in range(4)}, "其他清单")
    portfolio = behind(zone, {"甲": "1.2", "乙": "0.3", "丙": "0.9", "丁": "0.6", "戊": "1.1"})
    snapshot = build_snapshot(ReportSchedule(portfolio=portfolio), MAY_2022)
    [data] = snapshot["reports"]
    assert [p["name"] for p in data["lagging_projects"]] == ["乙", "丁", "丙"]
    assert data["lagging_projects_total"] == 5


# ---------------------------------------------------------------------------------------------
# Documents


@pytest.fixture
def snapshot(province) -> dict:
    return build_snapshot(ReportSchedule(zone=province), MAY_2022)


def test_html_says_how_many_were_left_out_under_each_list(snapshot):
    html = render_html(snapshot)
    assert f'<p class="note" data-note="lagging">{LAGGING_NOTE}</p>' in html
    assert f'<p class="note" data-note="due">{DUE_NOTE}</p>' in html


def test_workbook_says_how_many_were_left_out_under_each_list(snapshot):
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    lagging = [row[0] for row in workbook["滞后项目"].iter_rows(min_row=2, values_only=True)]
    assert lagging == ["乙", "丁", "丙", LAGGING_NOTE]
    due = [row[0] for row in workbook["到期节点"].iter_rows(min_row=2, values_only=True)]
    assert due[-1] == DUE_NOTE
    assert len(due) == 4


def test_pdf_says_how_many_were_left_out(snapshot):
    reader = PdfReader(io.BytesIO(render_pdf(snapshot)))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert re.sub(r"\s+", "", LAGGING_NOTE) in text
    assert re.sub(r"\s+", "", DUE_NOTE) in text


def test_a_snapshot_stored_before_lists_were_capped_still_renders(snapshot):
    """Older runs carry no totals: their lists are complete, and nothing is said to be left out."""
    for report in snapshot["reports"]:
        for key in ("lagging_projects_total", "late_milestones_total", "milestones_due_total"):
            del report[key]
    html = render_html(snapshot)
    assert "未列出" not in html
    assert html.count('data-table="lagging"') == 1
    workbook = openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot)))
    lagging = [row[0] for row in workbook["滞后项目"].iter_rows(min_row=2, values_only=True)]
    assert lagging == ["乙", "丁", "丙"]


def test_the_api_report_carries_the_totals(province, superuser_api):
    response = superuser_api.get("/api/reports/progress/", {"zone": province.pk, "as_of": "2022-05"})
    assert response.status_code == 200
    data = response.json()
    assert (len(data["lagging_projects"]), data["lagging_projects_total"]) == (3, 5)
    assert (len(data["milestones_due"]), data["milestones_due_total"]) == (3, 5)
    assert data["late_milestones_total"] == 1
