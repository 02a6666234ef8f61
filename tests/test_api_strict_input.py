"""What a write may carry, one rule at a time: only the fields it can write (an unknown or
read-only one is a 400 that names it, also when a client sends back what it read), a body that is
JSON within bounds (size, depth, no key twice, finite numbers, no NUL), a media type the endpoint
reads. tests/test_api_hostile_input.py walks every operation of the schema with the same inputs."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.api.parsers import MAX_JSON_DEPTH
from projects.extraction import MAX_TEXT_LENGTH
from projects.models import ImportBatch, Project, Zone
from tests.factories import ProjectFactory, ZoneFactory, ZoneMembershipFactory

pytestmark = pytest.mark.django_db


def errors_by_field(response) -> dict[str | None, dict]:
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["detail"] == "请求数据有误 / Invalid request data"
    return {error["field"]: error for error in body["errors"]}


def post_json(client, url: str, body: bytes | str, method: str = "post"):
    data = body.encode() if isinstance(body, str) else body
    return getattr(client, method)(url, data, content_type="application/json")


# ---------------------------------------------------------------------------------------------
# Fields a write may not carry


def test_a_field_the_api_does_not_have_is_named_not_ignored(api_client):
    zone = ZoneFactory(entry_deadline_day=5)
    history = Zone.history.count()
    response = api_client.patch(f"/api/zones/{zone.pk}/", {"entry_deadline_day": 10}, format="json")
    error = errors_by_field(response)["entry_deadline_day"]
    assert error["code"] == "unknown_field"
    assert error["message"] == "未知字段,请从请求中去掉"
    assert error["message_en"] == "Unknown field: leave it out of the request."
    zone.refresh_from_db()
    assert zone.entry_deadline_day == 5
    assert Zone.history.count() == history


def test_sending_back_what_was_read_names_each_read_only_field(api_client):
    """The issue's rule: a read-only field in a write is refused, also unchanged; the client
    leaves out what it cannot write."""
    project = ProjectFactory()
    url = f"/api/projects/{project.pk}/"
    read = api_client.get(url).json()
    errors = errors_by_field(api_client.put(url, read, format="json"))
    read_only = {"id", "zone_name", "enterprise_name", "industry_names", "category_names", "milestones"}
    assert read_only <= set(errors)
    assert {errors[name]["code"] for name in read_only} == {"read_only_field"}
    assert errors["id"]["message_en"] == "Read-only field: it cannot be written; leave it out of the request."
    writable = {name: value for name, value in read.items() if name not in errors}
    assert api_client.put(url, writable, format="json").status_code == 200


def test_many_unexpected_fields_are_named_up_to_twenty_and_counted(api_client):
    body = {f"field_{i}": i for i in range(1000)}
    errors = errors_by_field(api_client.post("/api/projects/", body, format="json"))
    assert len(errors) == 21
    assert errors[None]["message_en"] == "980 more unknown or read-only fields."
    assert not Project.objects.exists()


def test_confirm_warnings_may_come_in_the_body_where_the_resource_takes_it_or_in_the_query(api_client):
    zone = ZoneFactory()
    body = {"zone": zone.pk, "name": "项目", "confirm_warnings": True}
    assert api_client.post("/api/projects/", body, format="json").status_code == 201
    query = api_client.post(
        "/api/projects/?confirm_warnings=1&anything=else", {"zone": zone.pk, "name": "项目二"}, format="json"
    )
    assert query.status_code == 201  # query parameters are not body fields
    zones = api_client.post(
        "/api/zones/", {"name": "区", "kind": "county", "confirm_warnings": True}, format="json"
    )
    assert errors_by_field(zones)["confirm_warnings"]["code"] == "unknown_field"


def test_a_form_from_the_browsable_api_keeps_its_csrf_token(api_client):
    zone = ZoneFactory()
    response = api_client.post(
        "/api/projects/", {"zone": zone.pk, "name": "项目", "csrfmiddlewaretoken": "x"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    unknown = api_client.post(
        "/api/projects/", {"zone": zone.pk, "name": "项目二", "colour": "red"}, format="multipart"
    )
    assert errors_by_field(unknown)["colour"]["code"] == "unknown_field"


def test_an_empty_body_is_no_write_and_saves_nothing(api_client):
    project = ProjectFactory()
    version, history = project.version, Project.history.count()
    response = api_client.patch(f"/api/projects/{project.pk}/", b"", content_type="application/json")
    assert errors_by_field(response)[None]["code"] == "empty_body"
    project.refresh_from_db()
    assert (project.version, Project.history.count()) == (version, history)


# ---------------------------------------------------------------------------------------------
# The JSON body


def nested(depth: int) -> str:
    """{"name": [[…]]}: the object and depth - 1 lists."""
    return '{"name": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_json_nested_deeper_than_the_limit_is_refused_before_it_is_parsed(api_client):
    at_limit = errors_by_field(post_json(api_client, "/api/projects/", nested(MAX_JSON_DEPTH)))
    assert at_limit["name"]["code"] == "invalid"  # parsed, and refused as no string
    for depth in (MAX_JSON_DEPTH + 1, 10_000, 1_000_000):
        error = errors_by_field(post_json(api_client, "/api/extract/", nested(depth)))[None]
        assert error["code"] == "too_deep", depth
        assert error["message_en"] == f"The JSON is nested too deeply: at most {MAX_JSON_DEPTH} levels."


def test_brackets_inside_strings_are_not_nesting(api_client):
    zone = ZoneFactory()
    name = "[" * 100 + '\\"{' * 50
    response = post_json(api_client, "/api/projects/", f'{{"zone": {zone.pk}, "name": "{name}"}}')
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "[" * 100 + '"{' * 50


def test_a_key_twice_is_refused_naming_it(api_client):
    error = errors_by_field(post_json(api_client, "/api/projects/", '{"name": "甲", "name": "乙"}'))[None]
    assert error["code"] == "duplicate_key"
    assert error["message"] == "JSON 对象中的键“name”出现了两次"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_numbers_a_float_cannot_hold_are_refused(api_client, number):
    error = errors_by_field(post_json(api_client, "/api/projects/", f'{{"total_investment": {number}}}'))[
        None
    ]
    assert error["code"] == "number_out_of_range"


def test_a_nul_character_is_refused_but_an_escaped_backslash_before_u0000_is_text(api_client):
    for body in ('{"name": "项目\\u0000"}', '{"name\\u0000": 1}', '{"name": "\\\\\\u0000"}'):
        assert (
            errors_by_field(post_json(api_client, "/api/projects/", body))[None]["code"] == "null_character"
        )
    zone = ZoneFactory()
    response = post_json(api_client, "/api/projects/", f'{{"zone": {zone.pk}, "name": "C:\\\\u0000"}}')
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "C:\\u0000"


def test_invalid_utf8_is_a_400_naming_the_encoding(api_client):
    error = errors_by_field(post_json(api_client, "/api/projects/", b'{"name": "\xff"}'))[None]
    assert error["code"] == "invalid_encoding"


def test_a_body_over_the_limit_is_a_413_before_it_is_read(api_client):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"name": "x" * size}).encode()
    response = post_json(api_client, "/api/projects/", body)
    assert response.status_code == 413
    assert response.json() == {
        "detail": (
            "请求内容过大:最多 2.5 MB,请拆分后提交 / The request body is too large: at most 2.5 MB; split it"
        ),
        "code": "too_large",
    }
    assert not Project.objects.exists()


def test_the_longest_extraction_text_fits_the_body_limit_even_escaped(api_client):
    """200,000 Chinese characters, \\u-escaped as json.dumps does by default (6 bytes each), reach
    the text's own length check: the body limit is not what refuses them."""
    body = json.dumps({"text": "亿" * (MAX_TEXT_LENGTH + 1)}).encode()
    assert len(body) > 6 * MAX_TEXT_LENGTH
    error = errors_by_field(post_json(api_client, "/api/extract/", body))["text"]
    assert error["code"] == "max_length"


def test_json_sent_as_another_media_type_is_a_415_in_both_languages(api_client):
    response = api_client.post("/api/projects/", b'{"name": "x"}', content_type="text/plain")
    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert (
        body["detail"].startswith("不支持的请求内容类型“text/plain”")
        and "Unsupported media type" in body["detail"]
    )


# ---------------------------------------------------------------------------------------------
# The import's form


@pytest.fixture
def importer(api_client):
    zone = ZoneFactory()
    ZoneMembershipFactory(zone=zone, role="editor")
    return api_client


def test_an_import_option_in_the_body_is_refused_not_ignored(importer):
    """dry_run is a query parameter: in the body it was ignored, and the workbook committed."""
    upload = SimpleUploadedFile("月报.xlsx", b"not a workbook")
    response = importer.post("/api/imports/monthly/", {"file": upload, "dry_run": "1"}, format="multipart")
    error = errors_by_field(response)["dry_run"]
    assert error["code"] == "unknown_field"
    assert not ImportBatch.objects.exists()


def test_an_import_body_over_its_limit_is_a_413_before_it_is_read(importer):
    boundary = "b"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'.encode()
        + b"\0" * (22 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = importer.post(
        "/api/imports/monthly/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "21.0 MB" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_a_file_on_an_endpoint_that_takes_none_is_refused_by_size_first(api_client):
    upload = SimpleUploadedFile("a.bin", b"\0" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = api_client.post("/api/projects/", {"name": "项目", "attachment": upload}, format="multipart")
    assert response.status_code == 413
    small = SimpleUploadedFile("a.bin", b"\0")
    response = api_client.post("/api/projects/", {"name": "项目", "attachment": small}, format="multipart")
    assert errors_by_field(response)["attachment"]["code"] == "unknown_field"
    assert not Project.objects.exists()


def test_errors_nested_deeper_than_the_stack_are_rendered():
    """Rendering walks the error detail without recursion: no depth of it can exhaust the stack."""
    from rest_framework.exceptions import ErrorDetail

    from projects.api.exceptions import FieldError, flatten

    detail: object = [ErrorDetail("无效", code="invalid")]
    for _ in range(10_000):
        detail = {"a": detail}
    assert flatten(detail) == [FieldError(".".join(["a"] * 10_000), "invalid", "无效")]


def test_the_token_endpoint_takes_only_its_fields_in_ascii_digits(client, django_user_model):
    django_user_model.objects.create_user("wang", password="pw-for-tests-only")
    login = {"username": "wang", "password": "pw-for-tests-only"}
    odd = client.post("/api/auth/token/", {**login, "days": "१२"}, content_type="application/json")
    assert errors_by_field(odd)["days"]["code"] == "invalid"
    extra = client.post("/api/auth/token/", {**login, "remember_me": True}, content_type="application/json")
    assert errors_by_field(extra)["remember_me"]["code"] == "unknown_field"
    fine = client.post("/api/auth/token/", {**login, "days": 12}, content_type="application/json")
    assert fine.status_code == 201
