"""Odd values are refused wherever they are entered (API, admin, workbook imports, the model
itself): numbers in another script's digits or with underscores (Python's int() and Decimal()
take "१२३", "１２３" and "1_000"), dates other than YYYY-MM-DD in the API or outside the register's
years (1949–2200), more recipients than a zone's office has, lists longer than a write needs."""

import io
from datetime import date, datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models as db
from django.urls import reverse
from openpyxl import load_workbook

from projects.api.serializers import MAX_LIST_ITEMS
from projects.models import (
    MAX_RECIPIENTS,
    Campaign,
    IndicatorValue,
    Milestone,
    Portfolio,
    Project,
    ReportRun,
    ReportSchedule,
)
from projects.periods import MAX_YEAR, MIN_YEAR
from projects.workbooks.imports import check_import
from projects.workbooks.template import projects_template
from tests.factories import (
    CampaignFactory,
    CitationFactory,
    MetricFactory,
    MilestoneFactory,
    ProjectFactory,
    ReportScheduleFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db

ODD_DIGITS = ["१२३", "１２３", "١٢٣", "1_000", "¹²³", "12 3", "0x7b"]


def errors_by_field(response) -> dict[str | None, dict]:
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["detail"] == "请求数据有误 / Invalid request data"
    return {error["field"]: error for error in body["errors"]}


@pytest.fixture
def zone():
    return ZoneFactory(name="测试经开区")


# ---------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_an_amount_in_odd_digits_is_refused_by_name(api_client, zone, value):
    response = api_client.post(
        "/api/projects/",
        {"zone": zone.pk, "name": "项目", "total_investment": value, "total_investment_scale": 1},
        format="json",
    )
    error = errors_by_field(response)["total_investment"]
    assert (error["code"], error["message_en"]) == ("invalid", "A valid number is required.")
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("rank", "１"), ("rank", "१"), ("year", "２０２２"), ("year", "2_022"), ("yoy_growth", "１２.５")],
)
def test_an_indicator_figure_in_odd_digits_is_refused_by_name(api_client, zone, field, value):
    metric = MetricFactory()
    body = {"zone": zone.pk, "metric": metric.code, "year": 2022, "end_month": 5, "value": "1", field: value}
    response = api_client.post("/api/indicator-values/", body, format="json")
    assert errors_by_field(response)[field]["code"] == "invalid"
    assert not IndicatorValue.objects.exists()


DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("digits", [DEVANAGARI, FULL_WIDTH], ids=["devanagari", "full-width"])
def test_an_id_in_odd_digits_is_not_the_row_of_that_number(api_client, zone, digits):
    """Django's int() reads "१" as 1: the project and the zone below exist under these numbers."""
    project = ProjectFactory(zone=zone)
    body = {
        "project": str(project.pk).translate(digits),
        "kind": "start",
        "planned_date": "2022-03-01",
        "planned_precision": "day",
    }
    refused = errors_by_field(api_client.post("/api/milestones/", body, format="json"))["project"]
    assert (refused["code"], refused["message_en"]) == (
        "incorrect_type",
        "Incorrect type. Expected pk value, received str.",
    )
    body = {"name": "企业", "zone": str(zone.pk).translate(digits)}
    refused = errors_by_field(api_client.post("/api/enterprises/", body, format="json"))["zone"]
    assert refused["code"] == "unknown_zone"
    listed = api_client.get("/api/projects/", {"zone": str(zone.pk).translate(digits)})
    assert errors_by_field(listed)["zone"]["code"] == "unknown_zone"
    assert not Milestone.objects.exists()


def test_plain_numbers_are_taken_as_before(api_client, zone):
    response = api_client.post(
        "/api/projects/",
        {"zone": zone.pk, "name": "项目", "total_investment": "10600000000.00", "total_investment_scale": 1},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total_investment"] == "10600000000.00"
    metric = MetricFactory()
    body = {
        "zone": zone.pk,
        "metric": metric.code,
        "period": "2022年1-5月",
        "value": 1.5e3,
        "rank": "3",
        "scale": 1,
        "currency": "CNY",
    }
    response = api_client.post("/api/indicator-values/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["rank"], response.json()["value"]) == (3, "1500.0000")


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    "value",
    ["20220101", "2022-W01-1", "2022-1-1", "२०२२-01-01", "2022-01-01T00:00", "2022/01/01", "2022-001"],
)
def test_a_date_is_written_yyyy_mm_dd_and_nothing_else(api_client, zone, value):
    body = {"zone": zone.pk, "name": "项目", "planned_start": value, "planned_start_precision": "day"}
    error = errors_by_field(api_client.post("/api/projects/", body, format="json"))["planned_start"]
    assert error["code"] == "invalid"
    assert "YYYY-MM-DD" in error["message_en"]
    assert not Project.objects.exists()


@pytest.mark.parametrize("value", ["0001-01-01", "1948-12-31", "2201-01-01", "9999-12-31"])
def test_a_date_outside_the_registers_years_is_refused_in_the_api(api_client, zone, value):
    project = ProjectFactory(zone=zone)
    body = {"project": project.pk, "kind": "start", "actual_date": value, "actual_precision": "day"}
    error = errors_by_field(api_client.post("/api/milestones/", body, format="json"))["actual_date"]
    assert error["message"] == f"日期须在{MIN_YEAR}-01-01至{MAX_YEAR}-12-31之间"
    assert error["message_en"] == f"The date must lie between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31."
    assert not Milestone.objects.exists()


def test_the_registers_first_and_last_days_are_dates(api_client, zone):
    for value in (f"{MIN_YEAR}-01-01", f"{MAX_YEAR}-12-31"):
        body = {"zone": zone.pk, "name": value, "planned_start": value, "planned_start_precision": "day"}
        assert api_client.post("/api/projects/", body, format="json").status_code == 201, value


def date_fields() -> list[tuple[type[db.Model], db.DateField]]:
    return [
        (model, field)
        for model in apps.get_app_config("projects").get_models()
        if not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, db.DateField) and not isinstance(field, db.DateTimeField)
    ]


def test_every_date_of_the_register_is_bounded_by_its_years():
    """Found from the models, not listed: a date field added later is checked too."""
    assert len(date_fields()) >= 10
    for model, field in date_fields():
        limits = {
            type(v): v.limit_value
            for v in field.validators
            if isinstance(v, MinValueValidator | MaxValueValidator)
        }
        assert limits == {
            MinValueValidator: date(MIN_YEAR, 1, 1),
            MaxValueValidator: date(MAX_YEAR, 12, 31),
        }, f"{model.__name__}.{field.name}"


def test_the_model_refuses_a_milestone_reached_in_year_one():
    milestone = MilestoneFactory.build(
        project=ProjectFactory(), actual_date=date(1, 1, 1), actual_precision="day"
    )
    with pytest.raises(ValidationError) as refused:
        milestone.full_clean()
    assert refused.value.message_dict["actual_date"] == [f"日期须在{MIN_YEAR}-01-01至{MAX_YEAR}-12-31之间"]


def test_the_admin_refuses_a_checkpoint_in_year_one(staff_client, zone):
    response = staff_client.post(
        reverse("admin:projects_campaign_add"),
        {
            "name": "强攻二季度",
            "year": 2022,
            "zones": [zone.pk],
            "start_month": 4,
            "end_month": 6,
            "checkpoint": "0001-01-01",
            "required_share": "50",
            "description": "",
        },
    )
    assert response.status_code == 200
    assert f"日期须在{MIN_YEAR}-01-01至{MAX_YEAR}-12-31之间" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_workbook_date_cell_outside_the_registers_years_is_a_finding(zone):
    editor = UserFactory()
    ZoneMembershipFactory(user=editor, zone=zone, role="editor")
    book = load_workbook(io.BytesIO(projects_template(zone)))
    sheet = book.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[2]}
    row = sheet.max_row + 1
    for header, value in {
        "区域": zone.name,
        "项目名称": "古代项目",
        "计划开工": datetime(1900, 1, 1),
    }.items():
        sheet.cell(row=row, column=columns[header], value=value)
    out = io.BytesIO()
    book.save(out)
    result = check_import("projects", out.getvalue(), user=editor)
    assert [(f.row, f.column, f.rule_id, f.message) for f in result.findings] == [
        (row, "F 计划开工", "parse", f"年份须在{MIN_YEAR}至{MAX_YEAR}之间")
    ]


# ---------------------------------------------------------------------------------------------
# Recipients and other lists


def addresses(n: int) -> list[str]:
    return [f"office{i}@example.gov.cn" for i in range(n)]


@pytest.mark.parametrize("n", [MAX_RECIPIENTS + 1, 10_000])
def test_a_schedule_with_more_recipients_than_the_cap_is_refused_in_the_api(api_client, zone, n):
    body = {"zone": zone.pk, "cadence": "monthly", "recipients": addresses(n)}
    error = errors_by_field(api_client.post("/api/report-schedules/", body, format="json"))["recipients"]
    assert error["code"] == "max_length"
    assert error["message_en"] == f"Ensure this field has no more than {MAX_RECIPIENTS} elements."
    run = api_client.post(
        "/api/report-runs/", {"zone": zone.pk, "as_of": "2022-05", "recipients": addresses(n)}, format="json"
    )
    assert errors_by_field(run)["recipients"]["code"] == "max_length"
    assert not ReportSchedule.objects.exists() and not ReportRun.objects.exists()


def test_a_schedule_with_the_cap_of_recipients_is_taken(api_client, zone):
    body = {"zone": zone.pk, "cadence": "monthly", "recipients": addresses(MAX_RECIPIENTS)}
    assert api_client.post("/api/report-schedules/", body, format="json").status_code == 201


def test_the_model_caps_recipients_for_every_path():
    schedule = ReportScheduleFactory.build(zone=ZoneFactory(), recipients=addresses(MAX_RECIPIENTS + 1))
    with pytest.raises(ValidationError) as refused:
        schedule.full_clean()
    assert refused.value.error_dict["recipients"][0].code == "too_many_recipients"
    run = ReportRun(
        zone=schedule.zone,
        period_start=date(2022, 5, 1),
        period_end=date(2022, 5, 31),
        recipients=addresses(MAX_RECIPIENTS + 1),
    )
    with pytest.raises(ValidationError) as refused:
        run.full_clean()
    assert refused.value.error_dict["recipients"][0].code == "too_many_recipients"


def test_the_admin_refuses_ten_thousand_recipients(staff_client, zone):
    response = staff_client.post(
        reverse("admin:projects_reportschedule_add"),
        {
            "zone": zone.pk,
            "cadence": "monthly",
            "basis": "month",
            "formats": ["html"],
            "recipients": "\n".join(addresses(10_000)),
            "runs-TOTAL_FORMS": "0",
            "runs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert f"收件人最多{MAX_RECIPIENTS}个" in response.content.decode()
    assert not ReportSchedule.objects.exists()


@pytest.mark.parametrize(
    ("url", "field", "limit"),
    [
        ("/api/campaigns/", "zones", MAX_LIST_ITEMS),
        ("/api/projects/", "citation_ids", MAX_LIST_ITEMS),
        ("/api/projects/", "industries", MAX_LIST_ITEMS),
        ("/api/projects/", "categories", MAX_LIST_ITEMS),
        ("/api/zones/", "industries", MAX_LIST_ITEMS),
        ("/api/report-schedules/", "formats", 3),
        ("/api/report-runs/", "formats", 3),
    ],
)
def test_a_list_longer_than_its_cap_is_refused_before_its_items_are_looked_up(
    api_client, zone, url, field, limit, django_assert_max_num_queries
):
    """One query per id would make 100,000 ids 100,000 queries: the length is checked first."""
    with django_assert_max_num_queries(10):
        answer = api_client.post(url, {field: list(range(1, 100_002))}, format="json")
    error = errors_by_field(answer)[field]
    assert error["code"] == "max_length"
    assert error["message_en"] == f"Ensure this field has no more than {limit} elements."


def test_a_list_at_its_cap_is_taken(api_client, zone):
    citations = [CitationFactory() for _ in range(3)]
    campaign = CampaignFactory()
    zones = [ZoneFactory() for _ in range(3)]
    response = api_client.patch(
        f"/api/campaigns/{campaign.pk}/",
        {"zones": [z.pk for z in zones], "citation_ids": [c.pk for c in citations]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["zones"]) == sorted(z.pk for z in zones)


def test_a_portfolio_year_in_full_width_digits_is_refused(api_client, zone):
    response = api_client.post(
        "/api/portfolios/", {"zone": zone.pk, "name": "清单", "year": "２０２２"}, format="json"
    )
    assert errors_by_field(response)["year"]["code"] == "invalid"
    assert not Portfolio.objects.exists()


# ---------------------------------------------------------------------------------------------
# The admin's amounts (and the workbooks', read by the same parser)


@pytest.mark.parametrize("text", ["१२३亿元", "१२३", "1_000万元"])
def test_the_admin_refuses_an_amount_in_odd_digits(zone, text):
    from projects.forms import ProjectForm

    data = {"zone": zone.pk, "name": "项目", "total_investment": text, "total_investment_scale": 1}
    form = ProjectForm(data={**data, "currency": "CNY", "stage": "signed"})
    assert not form.is_valid()
    assert list(form.errors) == ["total_investment"]


def test_the_admin_still_reads_full_width_digits_as_a_chinese_input_method_types_them(zone):
    from projects.forms import ProjectForm

    form = ProjectForm(
        data={
            "zone": zone.pk,
            "name": "项目",
            "total_investment": "１０６亿元",
            "total_investment_scale": 1,
            "currency": "CNY",
            "stage": "signed",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["total_investment"] == 106 * 10**8
