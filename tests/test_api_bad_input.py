"""Bad input gets a structured 400 in Chinese and English (which field, which rule, why), never a
500, and nothing is written."""

import ast
import re
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import translation
from rest_framework.exceptions import ErrorDetail

from projects import models
from projects.api.exceptions import FieldError, exception_handler, flatten
from projects.models import Citation, IndicatorValue, Milestone, Project
from projects.models.base import FieldCheckConstraint, FieldUniqueConstraint
from tests.factories import (
    EnterpriseFactory,
    MetricFactory,
    ProjectFactory,
    SourceDocumentFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def errors_of(response) -> dict[str | None, dict]:
    """The errors of a 400, by field; checks the shape and the two languages on the way."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "请求数据有误 / Invalid request data"
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) - {"severity"} == {"field", "code", "message", "message_en"}  # rules: + severity
        assert CJK.search(error["message"]), error
        assert re.search(r"[A-Za-z]{3,}", error["message_en"]), error  # in English
    return {error["field"]: error for error in body["errors"]}


def project_payload(**fields) -> dict:
    zone = ZoneFactory(name="测试经开区")
    return {"zone": zone.pk, "name": "年产10万吨新材料项目", **fields}


# ---------------------------------------------------------------------------------------------
# Zones and periods


def test_unknown_zone_id_or_name_on_a_project(api_client):
    by_id = errors_of(api_client.post("/api/projects/", {"zone": 987654, "name": "项目"}, format="json"))
    assert by_id["zone"]["code"] == "unknown_zone"
    assert by_id["zone"]["message"] == "没有ID为987654的区域"
    assert by_id["zone"]["message_en"] == "There is no zone with id 987654."

    by_name = errors_of(
        api_client.post("/api/projects/", {"zone": "火星经开区", "name": "项目"}, format="json")
    )
    assert by_name["zone"]["code"] == "unknown_zone"
    assert "火星经开区" in by_name["zone"]["message"]
    assert by_name["zone"]["message_en"].startswith("There is no zone named “火星经开区”")
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "url", ["/api/projects/", "/api/milestones/", "/api/indicator-values/", "/api/zones/"]
)
@pytest.mark.parametrize("zone", ["987654", "火星经开区"])
def test_unknown_zone_in_a_filter_is_a_400_not_an_empty_list(api_client, url, zone):
    ZoneFactory()
    errors = errors_of(api_client.get(url, {"zone": zone}))
    assert errors["zone"]["code"] == "unknown_zone"
    assert zone in errors["zone"]["message"]
    assert zone in errors["zone"]["message_en"]


@pytest.mark.parametrize("zone", ["³", "²⁵", "99999999999999999999999"])
def test_a_zone_of_odd_digits_or_too_large_an_id_is_unknown_not_a_500(api_client, zone):
    errors = errors_of(api_client.post("/api/enterprises/", {"zone": zone, "name": "企业"}, format="json"))
    assert errors["zone"]["code"] == "unknown_zone"
    assert zone in errors["zone"]["message"]


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/milestones/", "actual_year"),
        ("/api/milestones/", "planned_year"),
        ("/api/sources/", "published_year"),
        ("/api/portfolios/", "year"),
    ],
)
@pytest.mark.parametrize("year", [0, 10000, 1356877783884556])
def test_a_year_out_of_the_calendar_in_a_filter_is_a_400_not_a_500(api_client, url, parameter, year):
    errors = errors_of(api_client.get(url, {parameter: year}))
    assert errors[parameter]["code"] == ("min_value" if year < 1 else "max_value")


def test_an_address_no_route_takes_is_a_json_404(api_client):
    for url in ("/api/projects/1.5/", "/api/zones/abc/history/", "/api/no-such-resource/"):
        response = api_client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "未找到。 / Not found."}, url
    # Without the trailing slash, the address with it is still where the client is sent.
    assert api_client.get("/api/projects").status_code == 301


def test_unparsable_period_in_a_filter(api_client):
    errors = errors_of(api_client.get("/api/indicator-values/", {"period": "第五季度", "year": 2022}))
    assert errors["period"]["code"] == "invalid_period"
    assert errors["period"]["message"].startswith("无法识别的时段“第五季度”")
    assert errors["period"]["message_en"].startswith("Cannot read the period “第五季度”")

    no_year = errors_of(api_client.get("/api/indicator-values/", {"period": "1-5月"}))
    assert "缺少年份" in no_year["period"]["message"]


def test_unparsable_period_on_an_indicator_value(api_client):
    zone, metric = ZoneFactory(), MetricFactory()
    payload = {"zone": zone.pk, "metric": metric.code, "value": "100", "scale": 1, "currency": "CNY"}
    errors = errors_of(
        api_client.post("/api/indicator-values/", {**payload, "period": "1-13月"}, format="json")
    )
    assert errors["period"]["code"] == "invalid_period"
    assert "无法识别的时段“1-13月”" in errors["period"]["message"]

    missing = errors_of(api_client.post("/api/indicator-values/", payload, format="json"))
    assert missing["year"]["code"] == "required"

    conflict = errors_of(
        api_client.post(
            "/api/indicator-values/", {**payload, "period": "2022年1-5月", "year": 2021}, format="json"
        )
    )
    assert conflict["year"]["code"] == "period_conflict"
    assert not IndicatorValue.objects.exists()


# ---------------------------------------------------------------------------------------------
# Amounts and dates


def test_non_numeric_amount(api_client):
    errors = errors_of(
        api_client.post("/api/projects/", project_payload(total_investment="106亿"), format="json")
    )
    assert errors["total_investment"]["code"] == "invalid"
    assert errors["total_investment"]["message"] == "请填写合法的数字。"
    assert errors["total_investment"]["message_en"] == "A valid number is required."


def test_non_numeric_amount_in_a_filter(api_client):
    errors = errors_of(api_client.get("/api/projects/", {"total_investment_min": "一百亿"}))
    assert errors["total_investment_min"]["code"] == "invalid"
    assert errors["total_investment_min"]["message_en"] == "Enter a number."


def test_negative_amount(api_client):
    errors = errors_of(
        api_client.post("/api/projects/", project_payload(total_investment="-1"), format="json")
    )
    assert errors["total_investment"]["code"] == "min_value"
    assert errors["total_investment"]["message_en"] == "Ensure this value is greater than or equal to 0."
    assert not Project.objects.exists()


def test_planned_finish_before_planned_start(api_client):
    payload = project_payload(
        planned_start="2022-07-01",
        planned_start_precision="half",
        planned_finish="2022-03-01",
        planned_finish_precision="month",
    )
    errors = errors_of(api_client.post("/api/projects/", payload, format="json"))
    assert errors["planned_finish"] == {
        "field": "planned_finish",
        "code": "finish_before_start",
        "message": "计划竣工/投产(2022年3月)早于计划开工(2022年下半年)",
        "message_en": "The planned finish (2022年3月) is before the planned start (2022年下半年).",
        "severity": "error",
    }


def test_partial_update_is_checked_against_the_stored_fields(api_client):
    project = ProjectFactory(planned_start=date(2022, 7, 1), planned_start_precision="half")
    response = api_client.patch(
        f"/api/projects/{project.pk}/",
        {"planned_finish": "2022-01-01", "planned_finish_precision": "year"},
        format="json",
    )
    assert errors_of(response)["planned_finish"]["code"] == "finish_before_start"
    project.refresh_from_db()
    assert project.planned_finish is None


def test_date_not_at_the_start_of_its_period(api_client):
    errors = errors_of(
        api_client.post(
            "/api/projects/",
            project_payload(planned_start="2022-05-15", planned_start_precision="quarter"),
            format="json",
        )
    )
    assert errors["planned_start"]["code"] == "not_period_start"
    assert errors["planned_start"]["message"] == "按月、季度、半年或年填写时,日期应为该时段的第一天"
    assert errors["planned_start"]["message_en"].startswith("A date given by month, quarter")


@time_machine.travel(date(2022, 6, 15), tick=False)
def test_milestone_completed_in_the_future(api_client):
    project = ProjectFactory()
    payload = {
        "project": project.pk,
        "kind": "production",
        "actual_date": "2022-07-01",
        "actual_precision": "day",
    }
    errors = errors_of(api_client.post("/api/milestones/", payload, format="json"))
    assert errors["actual_date"] == {
        "field": "actual_date",
        "code": "actual_date_in_future",
        "message": "实际日期2022年7月1日晚于今天(2022-06-15);尚未发生的节点请填计划日期",
        "message_en": (
            "The actual date 2022年7月1日 is after today (2022-06-15); give a milestone not yet reached "
            "a planned date."
        ),
        "severity": "error",
    }
    assert not Milestone.objects.exists()
    today = api_client.post("/api/milestones/", {**payload, "actual_date": "2022-06-15"}, format="json")
    assert today.status_code == 201, today.json()


# ---------------------------------------------------------------------------------------------
# Indicator values


def indicator(api_client, metric, **fields):
    zone = ZoneFactory()
    payload = {"zone": zone.pk, "metric": metric.code, "period": "2022年1-5月", **fields}
    return api_client.post("/api/indicator-values/", payload, format="json")


def test_amount_metric_without_scale(api_client):
    errors = errors_of(indicator(api_client, MetricFactory(unit_kind="amount"), value="15756000000"))
    assert errors["scale"]["code"] == "unit_mismatch"
    assert errors["scale"]["message"].endswith("以金额计,不能不选金额单位(元、万元、亿元)")
    assert errors["scale"]["message_en"].endswith("(yuan, 10,000 yuan or 100 million yuan).")


def test_scale_on_a_count_metric(api_client):
    count = MetricFactory(unit_kind="count", unit="家")
    errors = errors_of(indicator(api_client, count, value="142", scale=100000000, currency="CNY"))
    assert errors["scale"]["code"] == "unit_mismatch"
    assert errors["scale"]["message"].endswith("以“家”计,不能填写金额单位或币种")


def test_unknown_metric_and_unknown_scale(api_client):
    errors = errors_of(indicator(api_client, MetricFactory.build(code="no_such_metric"), value="1", scale=3))
    assert errors["metric"]["code"] == "does_not_exist"
    assert "no_such_metric" in errors["metric"]["message_en"]
    assert errors["scale"]["code"] == "invalid_choice"
    assert errors["scale"]["message_en"] == '"3" is not a valid choice.'


def test_two_subjects_on_an_indicator_value(api_client):
    metric = MetricFactory()
    enterprise = EnterpriseFactory()
    response = indicator(
        api_client, metric, enterprise=enterprise.pk, value="100000000", scale=100000000, currency="CNY"
    )
    errors = errors_of(response)
    assert errors["zone"]["code"] == "one_subject"
    assert errors["zone"]["message"] == "区域、调度清单、项目、企业须且只能填写一项"
    assert errors["zone"]["message_en"] == "Give exactly one subject: zone, portfolio, project or enterprise."
    assert not IndicatorValue.objects.exists()


def test_no_subject_on_an_indicator_value(api_client):
    metric = MetricFactory()
    payload = {"metric": metric.code, "period": "2022年1-5月", "value": "1", "scale": 1, "currency": "CNY"}
    errors = errors_of(api_client.post("/api/indicator-values/", payload, format="json"))
    assert errors["zone"]["code"] == "one_subject"


# ---------------------------------------------------------------------------------------------
# Uniqueness and other rules


def test_duplicate_project_name_in_a_zone(api_client):
    existing = ProjectFactory(name="华能二期")
    errors = errors_of(
        api_client.post("/api/projects/", {"zone": existing.zone_id, "name": "华能二期"}, format="json")
    )
    assert errors["name"] == {
        "field": "name",
        "code": "unique",
        "message": "该区域已有同名项目",
        "message_en": "A project of this name already exists in this zone.",
    }
    other_zone = api_client.post(
        "/api/projects/", {"zone": ZoneFactory().pk, "name": "华能二期"}, format="json"
    )
    assert other_zone.status_code == 201


def test_duplicate_zone_name(api_client):
    ZoneFactory(name="赣县区")
    errors = errors_of(api_client.post("/api/zones/", {"name": "赣县区", "kind": "county"}, format="json"))
    assert errors["name"] == {
        "field": "name",
        "code": "unique",
        "message": "已有简称为该值的区域",
        "message_en": "A zone with this name already exists.",
    }


def test_zone_cannot_be_moved_below_itself(api_client):
    city = ZoneFactory(name="测试市", kind="city")
    county = ZoneFactory(name="测试县", parent=city)
    errors = errors_of(api_client.patch(f"/api/zones/{city.pk}/", {"parent": county.pk}, format="json"))
    assert errors["parent"]["code"] == "parent_cycle"
    city.refresh_from_db()
    assert city.parent is None


def test_quote_not_in_the_document(api_client):
    document = SourceDocumentFactory()
    errors = errors_of(api_client.post("/api/citations/", {"document": document.pk, "quote": "不存在的句子"}))
    assert errors["quote"]["code"] == "quote_not_found"
    assert errors["quote"]["message"] == "来源文档中找不到这段原文,请逐字复制"
    assert not Citation.objects.exists()


def test_request_wide_errors_have_a_null_field(api_client):
    errors = errors_of(api_client.post("/api/projects/", project_payload(industries=["x"]), format="json"))
    assert errors["industries"]["code"] == "incorrect_type"

    malformed = api_client.post("/api/projects/", b'{"name": ', content_type="application/json")
    error = errors_of(malformed)[None]
    assert error["code"] == "parse_error"
    assert error["message"] == "请求内容无法解析,请检查JSON格式"
    assert error["message_en"].startswith("The request body could not be parsed")

    not_an_object = errors_of(api_client.post("/api/projects/", [1, 2], format="json"))
    assert not_an_object[None]["code"] == "invalid"
    assert not_an_object[None]["message_en"].startswith("Invalid data. Expected a dictionary")


def test_nested_errors_have_dotted_paths():
    detail = {
        "entries": [{}, {"project": [ErrorDetail("该字段是必填项。", code="required")]}],
        "non_field_errors": [ErrorDetail("区域、调度清单、项目、企业须且只能填写一项", code="one_subject")],
    }
    assert flatten(detail) == [
        FieldError("entries.1.project", "required", "该字段是必填项。"),
        FieldError(None, "one_subject", "区域、调度清单、项目、企业须且只能填写一项"),
    ]


# ---------------------------------------------------------------------------------------------
# Never a 500


ENDPOINTS = [
    "/api/zones/",
    "/api/industries/",
    "/api/categories/",
    "/api/enterprises/",
    "/api/projects/",
    "/api/milestones/",
    "/api/portfolios/",
    "/api/portfolio-entries/",
    "/api/metrics/",
    "/api/indicator-values/",
    "/api/campaigns/",
    "/api/sources/",
    "/api/citations/",
]

GARBAGE = [
    {},
    {"name": None, "zone": {"id": 1}, "year": "二〇二二", "value": "NaN", "citation_ids": "1"},
    {"name": "x" * 500, "kind": "nonsense", "start_month": 13, "end_month": 0, "year": 99999},
    {"zones": [None], "project": -1, "document": "x", "quote": "", "start": -5, "checkpoint": "30/06"},
    {"total_investment": "1e400", "value": "1" * 40, "share": "150", "yoy_growth": "-150", "rank": 0},
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_garbage_is_a_400_and_never_a_500(api_client, url):
    for payload in GARBAGE:
        errors_of(api_client.post(url, payload, format="json"))


def test_database_refusal_becomes_a_400_naming_the_field():
    error = IntegrityError('new row violates check constraint "project_investment_non_negative"')
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data["errors"] == [
        {
            "field": "total_investment",
            "code": "min_value",
            "message": "总投资不能为负数",
            "message_en": "The total investment cannot be negative.",
        }
    ]
    unknown = exception_handler(IntegrityError("UNIQUE constraint failed: x.y"), {})
    assert unknown.status_code == 400
    assert unknown.data["errors"][0]["code"] == "integrity_error"


# ---------------------------------------------------------------------------------------------
# Every rule of the models has its English


def test_every_model_validation_message_has_its_english():
    # Every ValidationError the models raise names its code, and its message has its English in
    # the catalogue (projects/locale/en).
    messages, without_code = set(), []
    for path in Path(models.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ValidationError"):
                continue
            if node.args and (
                isinstance(node.args[0], ast.Dict) or getattr(node.args[0], "id", None) == "errors"
            ):
                continue  # {field: ValidationError(…)}: the inner errors are checked
            if not any(keyword.arg == "code" for keyword in node.keywords):
                without_code.append(f"{path.name}:{node.lineno}")
            messages |= {
                call.args[0].value
                for call in ast.walk(node.args[0])
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "_"
            }
    assert not without_code, without_code
    assert len(messages) >= 10
    with translation.override("en"):
        untranslated = {message for message in messages if CJK.search(translation.gettext(message))}
    assert not untranslated, untranslated


def test_every_constraint_has_its_message():
    from django.apps import apps

    for model in apps.get_app_config("projects").get_models():
        for constraint in model._meta.constraints:
            assert isinstance(constraint, FieldCheckConstraint | FieldUniqueConstraint), constraint
            assert constraint.violation_error_code, constraint.name
            assert constraint.field is None or model._meta.get_field(constraint.field), constraint.name
            with translation.override("zh-hans"):
                chinese = constraint.get_violation_error_message()
            with translation.override("en"):
                english = constraint.get_violation_error_message()
            assert CJK.search(chinese), constraint.name
            assert re.search(r"[A-Za-z]{3,}", english) and not CJK.search(english), constraint.name
