"""The OpenAPI 3 schema: valid, every endpoint, parameter and field described in Chinese (the
default) and in English (`?lang=en`), Swagger UI served, and every list and single row answering
as the schema documents it."""

import os
import re

import pytest
from django.core.management import call_command
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
METHODS = {"get", "post", "put", "patch", "delete"}


def bilingual(text: str | None) -> bool:
    return bool(text and CJK.search(text) and LATIN.search(text))


def chinese(text: str | None) -> bool:
    return bool(text and CJK.search(text))


def english(text: str | None) -> bool:
    return bool(text and LATIN.search(text))


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def schema_en(client):
    response = client.get("/api/schema/", {"format": "json", "lang": "en"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def side_by_side(schema, schema_en):
    """Each operation of the Chinese schema with the same one of the English schema."""
    return zip(operations(schema), operations(schema_en), strict=True)


def test_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert bilingual(schema["info"]["title"])


def test_schema_lists_every_resource(schema):
    for resource in (
        "zones",
        "projects",
        "milestones",
        "portfolios",
        "metrics",
        "indicator-values",
        "campaigns",
        "sources",
        "citations",
    ):
        assert f"/api/{resource}/" in schema["paths"], resource
        assert set(schema["paths"][f"/api/{resource}/{{id}}/"]) >= {"get", "put", "patch", "delete"}


def test_every_operation_is_described_and_tagged_in_both_languages(schema, schema_en):
    for (path, method, operation), (*_, in_english) in side_by_side(schema, schema_en):
        where = f"{method.upper()} {path}"
        assert chinese(operation.get("summary") or operation.get("description")), where
        assert english(in_english.get("summary") or in_english.get("description")), where
        assert operation.get("tags"), where
        assert all(chinese(tag) for tag in operation["tags"]), where
        # The resources' tags are their models' names: their English is the models' (test_messages).
        assert len(in_english.get("tags", [])) == len(operation["tags"]), where


def test_every_parameter_is_described_in_both_languages(schema, schema_en):
    for (path, method, operation), (*_, in_english) in side_by_side(schema, schema_en):
        english_parameters = in_english.get("parameters", [])
        assert len(english_parameters) == len(operation.get("parameters", [])), (method, path)
        for parameter, english_parameter in zip(
            operation.get("parameters", []), english_parameters, strict=True
        ):
            assert chinese(parameter.get("description")), (method, path, parameter)
            assert english(english_parameter.get("description")), (method, path, english_parameter)


def test_every_field_is_described_in_both_languages(schema, schema_en):
    for name, component in schema["components"]["schemas"].items():
        in_english = schema_en["components"]["schemas"][name].get("properties", {})
        for field, definition in component.get("properties", {}).items():
            assert chinese(definition.get("description")), (name, field)
            assert english(in_english[field].get("description")), (name, field)


def test_filters_are_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/projects/"]["get"]["parameters"]}
    assert {
        "zone",
        "stage",
        "industry",
        "category",
        "total_investment_min",
        "total_investment_max",
        "search",
        "ordering",
        "page",
        "page_size",
    } <= set(parameters)
    assert "含其下级区域" in parameters["zone"]["description"]
    values = {p["name"] for p in schema["paths"]["/api/indicator-values/"]["get"]["parameters"]}
    assert {"zone", "year", "metric", "period", "kind", "portfolio"} <= values


def test_swagger_ui_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


# ---------------------------------------------------------------------------------------------
# Answers as documented


def response_schema(schema, path: str, status: str = "200") -> dict:
    content = schema["paths"][path]["get"]["responses"][status]["content"]["application/json"]
    return {**content["schema"], "components": schema["components"]}


def plain_lists(schema):
    """GET endpoints without path or required parameters: the resource lists."""
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if (
            operation
            and "{" not in path
            and not any(p.get("required") for p in operation.get("parameters", []))
        ):
            yield path


@pytest.fixture
def with_reports(seeded, api_client):
    """The seed data plus a report schedule and a report run, so that their lists have rows."""
    assert api_client.post("/api/report-schedules/", {"zone": "赣县区"}, format="json").status_code == 201
    run = {"zone": "赣县区", "as_of": "2022-05", "formats": ["html"]}
    assert api_client.post("/api/report-runs/", run, format="json").status_code == 201


def test_every_list_answers_as_documented(with_reports, schema, api_client):
    lists = list(plain_lists(schema))
    assert len(lists) >= 9
    for path in lists:
        response = api_client.get(path)
        assert response.status_code == 200, path
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}, path
        assert body["count"] == len(body["results"]) or body["next"], path
        OAS30Validator(response_schema(schema, path)).validate(body)
        if path != "/api/categories/":  # the seeds state no category on any project
            assert body["results"], f"{path}: nothing listed from the seed data"


def test_every_single_row_answers_as_documented(with_reports, schema, api_client):
    for path in plain_lists(schema):
        detail = f"{path}{{id}}/"
        first = api_client.get(path).json()["results"]
        if detail not in schema["paths"] or not first:
            continue
        response = api_client.get(f"{path}{first[0]['id']}/")
        assert response.status_code == 200, detail
        OAS30Validator(response_schema(schema, detail)).validate(response.json())


def test_a_bad_request_answers_as_documented(schema, api_client):
    response = api_client.get("/api/projects/", {"zone": "不存在的区域"})
    assert response.status_code == 400
    OAS30Validator(response_schema(schema, "/api/projects/", "400")).validate(response.json())


def test_schema_generates_without_a_warning():
    """drf-spectacular's warnings (an enum named twice, a field it cannot type) fail the command."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", os.devnull)


def test_a_page_past_the_last_answers_as_documented(seeded, schema, api_client):
    for path in plain_lists(schema):
        response = api_client.get(path, {"page": 999})
        assert response.status_code == 404, path
        OAS30Validator(response_schema(schema, path, "404")).validate(response.json())


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/api/reports/progress/", {"zone": "不存在的区域", "as_of": "2022-05"}, "400"),
        ("/api/reports/progress/", {"zone": "赣县区", "as_of": "五月"}, "400"),
        ("/api/campaigns/987654/report/", {}, "404"),
    ],
)
def test_a_refused_report_answers_as_documented(seeded, schema, api_client, path, query, status):
    response = api_client.get(path, query)
    assert str(response.status_code) == status
    documented = path if "987654" not in path else "/api/campaigns/{id}/report/"
    OAS30Validator(response_schema(schema, documented, status)).validate(response.json())


def test_an_import_without_a_file_answers_as_documented(schema, api_client):
    response = api_client.post("/api/imports/monthly/", {}, format="multipart")
    assert response.status_code == 400
    content = schema["paths"]["/api/imports/{kind}/"]["post"]["responses"]["400"]["content"]
    documented = {**content["application/json"]["schema"], "components": schema["components"]}
    OAS30Validator(documented).validate(response.json())
