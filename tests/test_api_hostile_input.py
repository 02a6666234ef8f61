"""Hostile input on every operation of the API, found from its own OpenAPI schema (/api/schema/),
not listed by hand: an endpoint added next year is walked without this file being edited.

Every write operation (POST, PUT, PATCH), as a superuser and as an editor of 赣县区, on a row the
user may change, gets bodies a careless or hostile client sends: JSON nested 10,000 deep, a 5 MB
string, a list of 100,000 items, wrong types and odd values in every field of its request schema,
invalid UTF-8, JSON sent as text/plain, a body that is not JSON, an empty body, a key twice,
NaN/Infinity/1e400, an integer of 400 digits, NUL characters; and as a form, too many fields and
a file nobody asked for. Every GET gets hostile values in each of its query parameters: huge,
nested, non-ASCII digits, NUL bytes.

Each answer must be a 4xx in the API's error shape (a 2xx only where the input is actually fine:
a search for "१२३"), never a 500; a write must name the field it refuses; and nothing is written:
the rows of every model of the projects app, history included, are counted before and after.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from rest_framework.test import APIClient

from projects import access
from projects.api.exceptions import INVALID_REQUEST
from projects.i18n import bilingual
from projects.models import (
    ReportFile,
    ReportFormat,
    ReportRun,
    ReportSchedule,
    Zone,
    ZoneMembership,
    ZoneRole,
)
from tests.seeds import load_seeds

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
WRITE_METHODS = ("post", "put", "patch")
JSON = "application/json"


def fetch_schema() -> dict[str, Any]:
    """The schema /api/schema/ serves, fetched in-process when the module is collected."""
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    return response.json()


SCHEMA = fetch_schema()
OPERATIONS = [
    (method, path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
    if method in (*WRITE_METHODS, "get")
]


def operation_id(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


WRITES = [pytest.param(m, p, o, id=operation_id(m, p)) for m, p, o in OPERATIONS if m in WRITE_METHODS]
# The writes with JSON fields (all but the workbook import, whose only field is its file).
JSON_WRITES = [w for w in WRITES if JSON in w.values[2].get("requestBody", {}).get("content", {})]
READS = [
    pytest.param(m, p, o, id=operation_id(m, p))
    for m, p, o in OPERATIONS
    if m == "get" and any(parameter["in"] == "query" for parameter in o.get("parameters", []))
]


# ---------------------------------------------------------------------------------------------
# The data: the seeds, a report schedule and a report run of 赣县区, two users


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """Loaded once for the module in a transaction rolled back at its end; each test runs in a
    savepoint of it (the `db` fixture), as tests/test_api_schemathesis.py does."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    with django_db_blocker.unblock(), transaction.atomic():
        load_seeds()
        zone = Zone.objects.get(name="赣县区")
        chief = users.create_superuser("hostile-chief", password="pw-for-tests-only")
        editor = users.create_user("hostile-editor", password="pw-for-tests-only")
        ZoneMembership.objects.create(user=editor, zone=zone, role=ZoneRole.EDITOR)
        ReportSchedule.objects.create(zone=zone, recipients=["office@example.gov.cn"])
        run = ReportRun.objects.create(
            zone=zone, period_start=date(2022, 5, 1), period_end=date(2022, 5, 31), status="done"
        )
        ReportFile.objects.create(
            run=run, format=ReportFormat.HTML, content=b"<html></html>", size=13, sha256="0" * 64
        )
        yield {"superuser": chief, "editor": editor}
        transaction.set_rollback(True)


@pytest.fixture(params=["superuser", "editor"])
def user(request, world, db):
    return world[request.param]


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def row_counts() -> dict[str, int]:
    """Rows of every model of the projects app, their history models included."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_app_config("projects").get_models()
    }


# ---------------------------------------------------------------------------------------------
# Addresses: a real row for every path parameter


def _row(model: type[Model], user, *, write: bool) -> Model | None:
    rows = model._default_manager.order_by("pk")
    return access.restrict(rows, user, "change" if write else "view").first() or rows.first()


def _model_of(path: str, filled: dict[str, str]) -> type[Model]:
    """The model a path's {id} is of: its view's, or (…/{id}/report/) the record's at …/{id}/."""
    for address in (path, path[: path.index("{id}")] + "{id}/"):
        view = getattr(resolve(address.format(**filled)).func, "cls", None)
        if (queryset := getattr(view, "queryset", None)) is not None:
            return queryset.model
    raise AssertionError(f"no model behind {path}: teach this test its path parameters")


def url_for(path: str, operation: dict, user, *, write: bool) -> str:
    """The path with its parameters filled: an enum's first value, and for an id a row the user
    may change (writes) or read, so that the body is read rather than refused with a 404."""
    parameters = [p for p in operation.get("parameters", []) if p["in"] == "path"]
    filled = {p["name"]: str(p["schema"]["enum"][0]) if "enum" in p["schema"] else "1" for p in parameters}
    for parameter in parameters:
        name = parameter["name"]
        if "enum" in parameter["schema"]:
            continue
        if name == "id":
            model = _model_of(path, filled)
        else:
            assert name.endswith("_id"), f"unknown path parameter {name} of {path}"
            model = apps.get_model("projects", name.removesuffix("_id"))
        row = _row(model, user, write=write)
        assert row is not None, f"no {model.__name__} to address {path} with"
        filled[name] = str(row.pk)
    return path.format(**filled)


# ---------------------------------------------------------------------------------------------
# The request schema: each field's kind, and values of the wrong type or odd ones for it


def resolve_ref(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return {**resolve_ref(node["allOf"][0]), **{k: v for k, v in node.items() if k != "allOf"}}
    return node


def kind_of(field: dict) -> str:
    field = resolve_ref(field)
    if "oneOf" in field:
        branches = [resolve_ref(branch) for branch in field["oneOf"]]
        if all("enum" in branch for branch in branches):
            return "enum"
        return "id_or_name"  # ZoneField: an id or a name
    if "enum" in field:
        return "enum"
    match field.get("type"), field.get("format"):
        case "string", "date":
            return "date"
        case "string", "decimal":
            return "decimal"
        case "string", "binary":
            return "file"
        case "string", _:
            return "string"
        case ("integer" | "boolean" | "array" | "object") as kind, _:
            return kind
    raise AssertionError(f"a request field of a kind this test does not know: {field}")


# Each field gets the k-th of its kind's values (round again when they run out) in the k-th
# request; all of them are wrong.
HUGE = "9" * 5000  # int() refuses more than 4,300 digits
WRONG: dict[str, list[Any]] = {
    "string": [{"a": 1}, ["x"]],
    "integer": ["१२३", "１２３", "1_000", 1.5, HUGE],
    "decimal": ["१२३", "１２３", "1_000", {"a": 1}, HUGE],
    "date": ["20220101", "0001-01-01", "2022-W01-1", "२०२२-01-01", "2201-01-01"],
    "boolean": ["maybe", {"a": 1}, [True]],
    "array": [{"a": 1}, "x", [{"a": 1}], ["१२"], [HUGE]],
    "enum": ["no-such-choice", {"a": 1}, ["x"]],
    "id_or_name": [{"a": 1}, ["x"], "१२", "no-such-zone-名", HUGE],
    "object": ["x", ["x"], 1],
}
VARIANTS = 5
# A refused write reads the user's roles and the row it addresses, not one row per item sent.
MAX_QUERIES_OF_A_REFUSAL = 20


def request_fields(operation: dict) -> dict[str, dict]:
    content = operation.get("requestBody", {}).get("content", {})
    for media_type in (JSON, "multipart/form-data"):
        if media_type in content:
            return resolve_ref(content[media_type]["schema"]).get("properties", {})
    return {}


def first_field(fields: dict[str, dict], *kinds: str) -> str:
    for name, field in fields.items():
        if not kinds or kind_of(field) in kinds:
            return name
    return next(iter(fields), "name")


# ---------------------------------------------------------------------------------------------
# The answers


def assert_refused_in_shape(response, what: str) -> dict:
    """A 4xx in the API's error shape: 400 {"detail", "errors": [...]} with both languages for
    each error; other 4xx {"detail": "中文 / English", ...}."""
    assert 400 <= response.status_code < 500, (what, response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("detail"), str), (what, body)
    if response.status_code == 400:
        assert body["detail"] == bilingual(INVALID_REQUEST), (what, body)
        assert body["errors"], (what, body)
        for error in body["errors"]:
            assert set(error) - {"severity"} == {"field", "code", "message", "message_en"}, (what, error)
            assert CJK.search(error["message"]) and LATIN.search(error["message_en"]), (what, error)
    else:
        assert CJK.search(body["detail"]) and LATIN.search(body["detail"]), (what, body)
    return body


def send(api: APIClient, method: str, url: str, body: bytes, content_type: str = JSON, **extra):
    return getattr(api, method)(url, body, content_type=content_type, **extra)


# The large parts, made once for the module.
FIVE_MB = b'"' + b"x" * 5_000_000 + b'"'
# The id 1 again and again (the seeds have a row 1 of each kind): each would be looked up.
HUNDRED_THOUSAND = json.dumps([1] * 100_000).encode()
UNKNOWN_FIELDS = json.dumps({f"f{i}": 1 for i in range(20_000)}).encode()


def hostile_bodies(fields: dict[str, dict]) -> Iterator[tuple[str, bytes, str]]:
    """(what, body, content type): each is refused whatever the operation."""
    name = first_field(fields)
    text = first_field(fields, "string")
    number = first_field(fields, "integer", "decimal")
    listed = first_field(fields, "array")
    yield "nested 10,000 deep", f'{{"{name}": {"[" * 10_000}{"]" * 10_000}}}'.encode(), JSON
    yield "nested 10,000 deep objects", ('{"a": ' * 10_000 + "1" + "}" * 10_000).encode(), JSON
    yield "a 5 MB string", b'{"%s": %s}' % (text.encode(), FIVE_MB), JSON
    yield "a list of 100,000 items", b'{"%s": %s}' % (listed.encode(), HUNDRED_THOUSAND), JSON
    yield "a top-level list of 100,000 items", HUNDRED_THOUSAND, JSON
    yield "invalid UTF-8", b'{"' + name.encode() + b'": "\xff\xfe\xc3\x28"}', JSON
    yield "JSON sent as text/plain", json.dumps({name: "x"}).encode(), "text/plain"
    yield "JSON sent as XML", json.dumps({name: "x"}).encode(), "application/xml"
    yield "not JSON", b"name=x&zone=1", JSON
    yield "XML", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>", JSON
    yield "an empty body", b"", JSON
    yield "a key twice", f'{{"{name}": "a", "{name}": "b"}}'.encode(), JSON
    yield "NaN", f'{{"{number}": NaN}}'.encode(), JSON
    yield "Infinity", f'{{"{number}": -Infinity}}'.encode(), JSON
    yield "1e400", f'{{"{number}": 1e400}}'.encode(), JSON
    yield "a 400-digit integer", f'{{"{number}": {10**400}}}'.encode(), JSON
    yield "a 5,000-digit integer", f'{{"{number}": {"9" * 5000}}}'.encode(), JSON
    yield "a NUL character", json.dumps({text: "项目\x00"}).encode(), JSON
    yield "a NUL character in a key", json.dumps({"\x00": 1}).encode(), JSON
    yield "UTF-16 sent as UTF-8", json.dumps({name: "x"}).encode("utf-16"), JSON
    yield "a compressing charset", json.dumps({name: "x"}).encode(), f"{JSON}; charset=zlib_codec"
    yield "a bare string", b'"x"', JSON
    yield "null", b"null", JSON
    yield "an unknown field", json.dumps({"no_such_field_名": 1}).encode(), JSON
    yield "20,000 unknown fields", UNKNOWN_FIELDS, JSON


def form_bodies() -> Iterator[tuple[str, dict | bytes, str]]:
    yield (
        "2,000 form fields",
        "&".join(f"f{i}=1" for i in range(2000)).encode(),
        ("application/x-www-form-urlencoded"),
    )
    yield "a 3 MB form", b"name=" + b"x" * 3_000_000, "application/x-www-form-urlencoded"
    boundary = "hostile"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="a.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = part + b"\0" * 3_000_000 + f"\r\n--{boundary}--\r\n".encode()
    yield "a 3 MB file nobody asked for", body, f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize(("method", "path", "operation"), WRITES)
def test_hostile_bodies_are_refused_in_shape_and_write_nothing(api, user, method, path, operation):
    url = url_for(path, operation, user, write=True)
    fields = request_fields(operation)
    before = row_counts()
    for what, body, content_type in [*hostile_bodies(fields), *form_bodies()]:
        with CaptureQueriesContext(connection) as queries:
            response = send(api, method, url, body, content_type)
        assert_refused_in_shape(response, f"{method.upper()} {url}: {what}")
        # Refused work is bounded: 100,000 ids must not be 100,000 lookups.
        assert len(queries) <= MAX_QUERIES_OF_A_REFUSAL, (what, len(queries))
    assert row_counts() == before


@pytest.mark.parametrize(("method", "path", "operation"), JSON_WRITES)
def test_every_field_refuses_wrong_types_and_odd_values_by_name(api, user, method, path, operation):
    """All fields wrong at once, five times over: DRF validates every field of a body, so each
    answer must name each field; one that takes "१२३" for 123 or 20220101 for a date is not
    named and fails this test."""
    url = url_for(path, operation, user, write=True)
    fields = {name: kind_of(field) for name, field in request_fields(operation).items()}
    before = row_counts()
    for variant in range(VARIANTS):
        body = {name: WRONG[kind][variant % len(WRONG[kind])] for name, kind in fields.items()}
        response = send(api, method, url, json.dumps(body).encode())
        what = f"{method.upper()} {url} with {body}"
        if response.status_code in (403, 404):  # refused before reading: the editor, reference data
            assert_refused_in_shape(response, what)
            continue
        answer = assert_refused_in_shape(response, what)
        assert response.status_code == 400, what
        named = {(error["field"] or "").split(".")[0] for error in answer["errors"]}
        assert named >= set(fields), (what, sorted(set(fields) - named), answer["errors"])
    assert row_counts() == before


HOSTILE_QUERY_VALUES = {
    "huge": "9" * 20_000,
    "nested": "[" * 5_000 + "]" * 5_000,
    "non-ASCII digits": "१२३",
    "full-width digits": "１２３",
    "a NUL byte": "1\x00",
}
# Sent as they are, not encoded again: bytes that are no UTF-8, a surrogate, an encoded NUL.
RAW_QUERY_VALUES = {"invalid UTF-8": "%FF%FE", "a surrogate": "%ED%A0%80", "an encoded NUL": "%00"}


@pytest.mark.parametrize(("method", "path", "operation"), READS)
def test_hostile_query_parameters_are_a_4xx_or_fine(api, user, method, path, operation):
    url = url_for(path, operation, user, write=False)
    names = [p["name"] for p in operation["parameters"] if p["in"] == "query"]
    before = row_counts()
    for name in names:
        for what, value in HOSTILE_QUERY_VALUES.items():
            # One row a page, so that a fine answer is quick; page_size itself is walked too.
            query = {"page_size": "1", name: value} if name != "page_size" else {name: value}
            response = api.get(url, query, HTTP_ACCEPT=JSON)
            if response.status_code < 300:
                continue
            assert_refused_in_shape(response, f"GET {url}?{name}= {what}")
        for what, raw in RAW_QUERY_VALUES.items():
            response = api.get(f"{url}?page_size=1&{name}={raw}", HTTP_ACCEPT=JSON)
            if response.status_code >= 300:
                assert_refused_in_shape(response, f"GET {url}?{name}= {what}")
        response = api.get(url, {name: ["1", "2", "3"] * 100}, HTTP_ACCEPT=JSON)  # repeated
        if response.status_code >= 300:
            assert_refused_in_shape(response, f"GET {url}?{name} 300 times")
    assert row_counts() == before
