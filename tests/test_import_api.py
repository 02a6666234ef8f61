"""POST /api/imports/<kind>/: a dry run answers every row's findings and writes nothing; without
it any error is a 400 with the same body and nothing written; a clean file is written at once (201).
The templates download from the API too."""

import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from projects.models import ImportBatch, ImportStatus, IndicatorValue, Metric, Project, UnitKind, ZoneRole
from projects.money import AmountScale
from projects.workbooks.template import monthly_template
from tests.factories import (
    IndicatorValueFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db
OPEN = "2022-06-03 10:00 +08:00"  # May 2022 open until 10 June
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


@pytest.fixture
def zone():
    investment = Metric.objects.get_or_create(
        code="completed_investment",
        defaults={"name": "完成投资", "unit_kind": UnitKind.AMOUNT, "flow_or_stock": "flow"},
    )[0]
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10)
    portfolio = PortfolioFactory(zone=zone, name="市级工业倍增升级重点调度项目", year=2022)
    for name, total in (("寒锐新能源项目", 100), ("粤磁稀土项目", 20)):
        project = ProjectFactory(zone=zone, name=name, total_investment=total * YI)
        PortfolioEntryFactory(portfolio=portfolio, project=project)
        IndicatorValueFactory(
            zone=None,
            project=project,
            metric=investment,
            end_month=4,
            value=5000 * WAN,
            scale=AmountScale.WAN,
        )
    return zone


def client_of(zone, role: str = ZoneRole.EDITOR) -> APIClient:
    client = APIClient()
    client.force_authenticate(ZoneMembershipFactory(zone=zone, role=role).user)
    return client


def workbook(zone, amounts: dict[str, object]) -> bytes:
    book = load_workbook(io.BytesIO(monthly_template(zone, 2022, 5, today=date(2022, 6, 3))))
    sheet = book.worksheets[0]
    for row in range(3, sheet.max_row + 1):
        name = sheet.cell(row=row, column=2).value
        if name in amounts:
            sheet.cell(row=row, column=7, value=amounts[name])  # 本月完成投资
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post(client, content: bytes, kind: str = "monthly", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    upload = SimpleUploadedFile("赣县区5月.xlsx", content)
    return client.post(f"/api/imports/{kind}/?{query}", {"file": upload}, format="multipart")


def may_values() -> dict[str, Decimal]:
    return {
        v.project.name: v.value for v in IndicatorValue.objects.completed_investment(2022).filter(end_month=5)
    }


@time_machine.travel(OPEN)
def test_dry_run_answers_every_rows_findings_and_writes_nothing(zone):
    content = workbook(zone, {"寒锐新能源项目": "一千万元", "粤磁稀土项目": "25亿元"})
    response = post(client_of(zone), content, dry_run=1)
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["rows"], body["status"]) == ("monthly", 2, "invalid")
    assert [(e["row"], e["column"], e["rule"], e["severity"]) for e in body["errors"]] == [
        (3, "G 本月完成投资", "parse", "error"),
        (4, "G 本月完成投资", "investment_over_total", "error"),
    ]
    over = body["errors"][1]
    assert over["code"] == over["rule"] and over["field"] == over["column"]
    assert over["message"] == "粤磁稀土项目2022年1-5月累计完成投资25.5亿元超过项目总投资20亿元"
    assert "exceeds the project's total investment" in over["message_en"]
    assert body["warnings"] == []
    assert may_values() == {}
    assert ImportBatch.objects.get(pk=body["batch"]).error_count == 2


@time_machine.travel(OPEN)
def test_an_error_is_a_400_with_the_same_body_and_nothing_written(zone):
    content = workbook(zone, {"寒锐新能源项目": 1000, "粤磁稀土项目": "25亿元"})
    response = post(client_of(zone), content)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "文件有错误,未导入任何数据 / The file has errors; nothing was imported."
    assert [e["rule"] for e in body["errors"]] == ["investment_over_total"]
    assert body["summary"]["created"] == 2  # what the file would write, were it not for the error
    assert may_values() == {}


@time_machine.travel(OPEN)
def test_a_clean_file_is_written_at_once(zone):
    content = workbook(zone, {"寒锐新能源项目": 1000, "粤磁稀土项目": "0.3亿元"})
    response = post(client_of(zone), content)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["summary"] == {"created": 2, "updated": 0, "restated": 0, "milestones": 0, "unchanged": 0}
    assert body["status"] == ImportStatus.COMMITTED
    assert may_values() == {"寒锐新能源项目": 6000 * WAN, "粤磁稀土项目": 8000 * WAN}
    assert ImportBatch.objects.get(pk=body["batch"]).committed_at is not None


@time_machine.travel(OPEN)
def test_warnings_are_written_only_when_confirmed(zone):
    hanrui = Project.objects.get(name="寒锐新能源项目")
    investment = Metric.objects.get(code="completed_investment")
    for month in (1, 2, 3):  # 1000万 a month until April (5000万 to April is in the fixture)
        IndicatorValueFactory(
            zone=None, project=hanrui, metric=investment, end_month=month, value=month * 1000 * WAN, scale=WAN
        )
    content = workbook(zone, {"寒锐新能源项目": "20亿元"})
    client = client_of(zone)
    response = post(client, content)
    assert response.status_code == 400
    assert [w["rule"] for w in response.json()["warnings"]] == ["outlier"]
    assert response.json()["errors"] == []
    assert may_values() == {}
    assert post(client, content, confirm_warnings=1).status_code == 201
    assert may_values() == {"寒锐新能源项目": 205000 * WAN}


def test_a_request_without_a_file_is_a_bilingual_400(zone):
    response = client_of(zone).post("/api/imports/monthly/", {}, format="multipart")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("file", "required")
    assert error["message"].startswith("请上传") and "Upload" in error["message_en"]


def test_unknown_kind_is_404_and_viewers_are_refused(zone):
    assert client_of(zone).post("/api/imports/budgets/", {}, format="multipart").status_code == 404
    response = post(client_of(zone, ZoneRole.VIEWER), b"x")
    assert response.status_code == 403
    assert "只能查看" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


@time_machine.travel(OPEN)
def test_another_zones_editor_gets_no_access_findings(zone):
    """A zone the user reads but may not change: every row refused, saying why. A zone they may
    not even read: the template's zone is unknown to them."""
    viewer = client_of(zone, role=ZoneRole.VIEWER)
    ZoneMembershipFactory(user=viewer.handler._force_user, zone=ZoneFactory(name="南康区"))
    response = post(viewer, workbook(zone, {"寒锐新能源项目": 1000}))
    assert response.status_code == 400
    assert {e["rule"] for e in response.json()["errors"]} == {"no_access"}
    stranger = client_of(ZoneFactory(name="于都县"))
    response = post(stranger, workbook(zone, {"寒锐新能源项目": 1000}))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["rule"], error["message"]) == ("file", "模板所属的区域已不存在")


def test_a_file_that_is_no_workbook_is_one_error_of_the_file(zone):
    body = post(client_of(zone), b"not a workbook", dry_run=1).json()
    assert [(e["row"], e["rule"], e["field"]) for e in body["errors"]] == [(0, "file", None)]


@time_machine.travel(OPEN)
def test_templates_download(zone):
    client = client_of(zone)
    response = client.get(f"/api/zones/{zone.pk}/monthly-template/", {"month": "2022-05"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [sheet.cell(row=r, column=2).value for r in (3, 4)] == ["寒锐新能源项目", "粤磁稀土项目"]
    bad = client.get(f"/api/zones/{zone.pk}/monthly-template/", {"month": "2022-13"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "month"

    projects = client.get("/api/imports/projects/template/", {"zone": zone.pk})
    rows = load_workbook(io.BytesIO(projects.content)).worksheets[0].iter_rows(min_row=3, values_only=True)
    assert {row[1] for row in rows} == {"寒锐新能源项目", "粤磁稀土项目"}
    assert client.get("/api/imports/indicators/template/").status_code == 200
    assert client.get("/api/imports/monthly/template/").json()["errors"][0]["code"] == "monthly_template"


def test_templates_of_zones_the_user_cannot_read_are_not_found(zone):
    stranger = client_of(ZoneFactory(name="南康区"))
    assert stranger.get(f"/api/zones/{zone.pk}/monthly-template/", {"month": "2022-05"}).status_code == 404
    assert stranger.get("/api/imports/projects/template/", {"zone": zone.pk}).status_code == 404
