"""Control characters (U+0000–U+001F but tab, LF and CR): refused on the way in, and never a 500
on the way out. No workbook's XML can hold them, so a project named "a\\x01b" made every report and
template that names it fail (openpyxl refuses the cell)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from projects.admin.export import xlsx_response
from projects.models import Project, ReportSchedule, ZoneRole
from projects.reports.xlsx import render_xlsx
from projects.text_entry import normalise_text
from projects.workbooks.template import monthly_template, projects_template
from tests.factories import (
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)
from tests.test_report_documents import snapshot_of

pytestmark = pytest.mark.django_db
ODD = "年产\x01万吨\x1b项目"


@pytest.fixture
def zone():
    return ZoneFactory(name="赣县区")


@pytest.fixture
def editor(zone):
    return ZoneMembershipFactory(zone=zone, role=ZoneRole.EDITOR).user


def test_the_api_refuses_control_characters_in_any_text(editor, zone):
    client = APIClient()
    client.force_authenticate(editor)
    for body in (
        {"zone": zone.pk, "name": ODD},
        {"zone": zone.pk, "name": "好项目", "description": "a\x07b"},
    ):
        response = client.post("/api/projects/", body, format="json")
        assert response.status_code == 400, response.content
        [error] = response.json()["errors"]
        assert error["code"] == "control_character"
        assert "U+00" in error["message"] and "U+00" in error["message_en"]
    assert not Project.objects.exists()
    fine = client.post(
        "/api/projects/", {"zone": zone.pk, "name": "好项目", "description": "一行\n二行\t"}, format="json"
    )
    assert fine.status_code == 201


def test_the_admin_refuses_them_too(client, editor, zone):
    client.force_login(editor)
    response = client.post(
        reverse("admin:projects_project_add"),
        {"zone": zone.pk, "name": ODD, "stage": "construction", **_empty_inlines()},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"][0].startswith("不能含有控制字符")
    assert not Project.objects.exists()


def _empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in ("milestones", "values", "entries"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_a_pasted_text_keeps_its_line_breaks_and_drops_the_rest():
    assert normalise_text("一行\x0b二行\x0c三行\x01\x1f四\r\n五") == "一行\n二行\n三行四\n五"


def test_workbooks_are_written_without_them_whatever_was_stored(zone):
    """Stored before the refusal (or by a path that did not ask): the templates, the report and
    the admin's export are still written, the name without the characters."""
    project = ProjectFactory(zone=zone, name=ODD)
    PortfolioEntryFactory(portfolio=PortfolioFactory(zone=zone, year=2022), project=project)
    MilestoneFactory(project=project)  # 开工 planned for March 2022, not reached: late in May's report
    clean = "年产万吨项目"
    for content in (projects_template(zone), monthly_template(zone, 2022, 5)):
        texts = {
            cell.value for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows() for cell in row
        }
        assert clean in texts
    report = load_workbook(io.BytesIO(render_xlsx(snapshot_of(ReportSchedule(zone=zone, cadence="monthly")))))
    assert any(
        cell.value == clean for sheet in report.worksheets for row in sheet.iter_rows() for cell in row
    )
    exported = xlsx_response("x.xlsx", "项目", ["名称"], [[ODD]])
    book = load_workbook(io.BytesIO(b"".join(exported.streaming_content)))
    assert book.worksheets[0]["A2"].value == clean
