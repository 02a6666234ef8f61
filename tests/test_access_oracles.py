"""The attacks of issue 16 on the zone boundary, replayed: each is refused, writes nothing, and
answers exactly as for a row that does not exist (no oracle tells another zone's rows apart).

Zones: 市 > 甲区, 乙区. The attacker is 甲区's editor (with a token, as a county system would be).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import (
    IndicatorValue,
    Milestone,
    PortfolioEntry,
    Project,
    SourceDocument,
    ZoneRole,
)
from projects.text_entry import document_extract
from projects.tokens import api_token_create
from projects.workbooks.imports import check_import
from tests.factories import (
    CampaignFactory,
    CitationFactory,
    EnterpriseFactory,
    IndicatorValueFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    SourceDocumentFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2022, 6, 3)


@pytest.fixture
def zones(investment):
    city = ZoneFactory(name="市", kind="city")
    own = ZoneFactory(name="甲区", parent=city, entry_deadline_day=10)
    other = ZoneFactory(name="乙区", parent=city, entry_deadline_day=10)
    return {"city": city, "own": own, "other": other}


@pytest.fixture
def editor(zones):
    return ZoneMembershipFactory(zone=zones["own"], role=ZoneRole.EDITOR).user


@pytest.fixture
def api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=editor)[1]}")
    return client


def counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_app_config("projects").get_models()}


def codes(response) -> dict[str, str]:
    return {error["field"]: error["code"] for error in response.json()["errors"]}


def test_a_portfolio_entry_cannot_name_another_zones_project(api, zones):
    """The issue's critical path: A's list with B's project, then A's monthly import of it."""
    portfolio = PortfolioFactory(zone=zones["own"], year=2022)
    theirs = ProjectFactory(zone=zones["other"], name="乙区的项目")
    before = counts()
    response = api.post(
        "/api/portfolio-entries/", {"portfolio": portfolio.pk, "project": theirs.pk}, format="json"
    )
    missing = api.post(
        "/api/portfolio-entries/", {"portfolio": portfolio.pk, "project": 99999}, format="json"
    )
    assert response.status_code == missing.status_code == 400
    assert codes(response) == codes(missing) == {"project": "does_not_exist"}
    assert "乙区的项目" not in response.content.decode()
    assert counts() == before


def test_the_monthly_import_writes_nothing_on_a_project_of_another_zone(api, editor, zones):
    """Even with such an entry already in the register (made before the fix), the template does not
    list the project and a row naming it writes nothing on it."""
    portfolio = PortfolioFactory(zone=zones["own"], year=2022)
    mine = ProjectFactory(zone=zones["own"], name="甲区的项目")
    theirs = ProjectFactory(zone=zones["other"], name="乙区的项目")
    PortfolioEntryFactory(portfolio=portfolio, project=mine)
    PortfolioEntry.objects.create(portfolio=portfolio, project=theirs)
    template = api.get(f"/api/zones/{zones['own'].pk}/monthly-template/", {"month": "2022-05"})
    assert template.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    listed = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)]
    assert listed == ["甲区的项目"]
    columns = {cell.value: cell.column for cell in sheet[2] if cell.value}
    row = sheet.max_row + 1
    sheet.cell(row=row, column=columns["项目编号"], value=theirs.pk)
    sheet.cell(row=row, column=columns["本月完成投资"], value=100)
    sheet.cell(row=row, column=columns["开工日期"], value="2022-05")
    out = io.BytesIO()
    sheet.parent.save(out)
    before = counts()
    result = check_import("monthly", out.getvalue(), user=editor, today=TODAY)
    assert [f.rule_id for f in result.findings if f.is_error] == ["unknown_project"]
    response = api.post("/api/imports/monthly/", {"file": _upload(out.getvalue())}, format="multipart")
    assert response.status_code == 400
    after = counts()
    assert after.pop("projects.ImportBatch") == before.pop("projects.ImportBatch") + 1  # the upload's record
    assert after == before
    assert not IndicatorValue.objects.filter(project=theirs).exists()
    assert not Milestone.objects.filter(project=theirs).exists()


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "月报.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_a_citation_of_another_zones_private_document_cannot_be_attached(api, zones):
    mine = ProjectFactory(zone=zones["own"])
    private = SourceDocumentFactory(zone=zones["other"], title="乙区内部通报")
    citation = CitationFactory(document=private)
    before = counts()
    response = api.patch(f"/api/projects/{mine.pk}/", {"citation_ids": [citation.pk]}, format="json")
    missing = api.patch(f"/api/projects/{mine.pk}/", {"citation_ids": [citation.pk + 999]}, format="json")
    assert response.status_code == missing.status_code == 400
    assert codes(response) == codes(missing) == {"citation_ids": "does_not_exist"}
    assert "乙区内部通报" not in response.content.decode()
    assert counts() == before
    assert not mine.citations.exists()


def test_another_zones_enterprise_cannot_be_named_on_a_new_project(api, zones):
    theirs = EnterpriseFactory(zone=zones["other"], name="乙区的企业")
    payload = {"zone": zones["own"].pk, "name": "新项目", "enterprise": theirs.pk}
    response = api.post("/api/projects/", payload, format="json")
    missing = api.post("/api/projects/", {**payload, "enterprise": theirs.pk + 999}, format="json")
    assert response.status_code == missing.status_code == 400
    assert codes(response) == codes(missing) == {"enterprise": "does_not_exist"}
    assert "乙区的企业" not in response.content.decode()
    assert not Project.objects.filter(name="新项目").exists()


def test_authorisation_comes_before_validation(zones):
    """A user who reads 乙区 (a viewer there) but may not change it: creating a project there is a
    403 whether or not the name is taken, never a 400 "unique" that tells the names apart."""
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=zones["own"], role=ZoneRole.EDITOR)
    ZoneMembershipFactory(user=user, zone=zones["other"], role=ZoneRole.VIEWER)
    ProjectFactory(zone=zones["other"], name="已有的项目")
    client = APIClient()
    client.force_authenticate(user)
    taken = client.post("/api/projects/", {"zone": zones["other"].pk, "name": "已有的项目"}, format="json")
    free = client.post("/api/projects/", {"zone": zones["other"].pk, "name": "没有的项目"}, format="json")
    assert taken.status_code == free.status_code == 403
    assert taken.json() == free.json()
    assert "只读" in taken.json()["detail"]
    own = client.post("/api/projects/", {"zone": zones["own"].pk, "name": "已有的项目"}, format="json")
    assert own.status_code == 201  # the same name in a zone of one's own is fine


def test_filters_naming_another_zones_rows_answer_as_for_missing_ones(api, zones):
    theirs = PortfolioFactory(zone=zones["other"])
    for params, missing in (
        ({"zone": zones["other"].pk}, {"zone": 99999}),
        ({"zone": "乙区"}, {"zone": "无此区"}),
        ({"portfolio": theirs.pk}, {"portfolio": 99999}),
        ({"enterprise": EnterpriseFactory(zone=zones["other"]).pk}, {"enterprise": 99999}),
    ):
        hidden, absent = api.get("/api/projects/", params), api.get("/api/projects/", missing)
        assert hidden.status_code == absent.status_code == 400, params
        assert codes(hidden) == codes(absent)


def test_reports_of_another_zone_answer_as_for_missing_ones(api, zones):
    hidden = api.get("/api/reports/progress/", {"zone": zones["other"].pk, "as_of": "2022-05"})
    missing = api.get("/api/reports/progress/", {"zone": 99999, "as_of": "2022-05"})
    assert hidden.status_code == missing.status_code == 400
    assert codes(hidden) == codes(missing)
    campaign = CampaignFactory(zones=[zones["other"]])
    assert api.get(f"/api/campaigns/{campaign.pk}/report/").status_code == 404
    assert api.get(f"/api/campaigns/{campaign.pk + 99}/report/").status_code == 404


def test_templates_of_another_zone_answer_as_for_missing_ones(api, editor, client, zones):
    other, missing = zones["other"].pk, zones["other"].pk + 999
    for zone_id in (other, missing):
        assert api.get(f"/api/zones/{zone_id}/monthly-template/", {"month": "2022-05"}).status_code == 404
        assert api.get("/api/imports/projects/template/", {"zone": zone_id}).status_code == 404
    client.force_login(editor)
    for zone_id in (other, missing):
        url = reverse("admin:projects_zone_monthly_template", args=[zone_id, 2022, 5])
        assert client.get(url).status_code == 404
        assert client.get(reverse("admin:projects_zone_monthly", args=[zone_id])).status_code == 404


def test_the_admin_history_of_a_deleted_row_of_another_zone_is_not_found(editor, client, zones):
    value = IndicatorValueFactory(zone=zones["other"])
    pk = value.pk
    value.delete()
    client.force_login(editor)
    for pk_ in (pk, pk + 999):
        assert client.get(reverse("admin:projects_indicatorvalue_history", args=[pk_])).status_code == 404


def test_the_same_text_entered_for_another_zone_is_a_document_of_ones_own(editor, zones):
    """Entry from text keeps one document per text and zone: 甲区 entering a text 乙区 entered
    gets its own document (and is told nothing about 乙区's)."""
    other_editor = ZoneMembershipFactory(zone=zones["other"], role=ZoneRole.EDITOR).user
    text = "1至5月,全区完成固定资产投资12.5亿元。"
    theirs, created = document_extract(title="乙区通报", text=text, user=other_editor, zone=zones["other"])
    assert created
    mine, created = document_extract(title="甲区通报", text=text, user=editor, zone=zones["own"])
    assert created and mine.pk != theirs.pk and mine.zone == zones["own"]
    again, created = document_extract(title="甲区通报", text=text, user=editor, zone=zones["own"])
    assert (again.pk, created) == (mine.pk, False)
    assert SourceDocument.objects.filter(sha256=mine.sha256).count() == 2


def test_a_monthly_line_for_a_project_the_user_may_read_but_not_change_is_refused(zones):
    """A viewer of 乙区 (editor of 甲区) whose list names a 乙区 project: the screen shows it, the
    line is refused with the reason, nothing is written."""
    from projects.monthly_entry import MonthlyLine, check_month

    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=zones["own"], role=ZoneRole.EDITOR)
    ZoneMembershipFactory(user=user, zone=zones["other"], role=ZoneRole.VIEWER)
    portfolio = PortfolioFactory(zone=zones["own"], year=2022)
    theirs = ProjectFactory(zone=zones["other"], name="乙区的项目")
    PortfolioEntry.objects.create(portfolio=portfolio, project=theirs)
    plan = check_month(
        zones["own"],
        2022,
        5,
        [MonthlyLine(project_id=theirs.pk, amount=Decimal(10_000))],
        user=user,
        today=TODAY,
    )
    [finding] = plan.findings
    assert finding.rule_id == "no_access"
    assert "只读" in finding.message
    assert not plan.creates and not plan.updates
