"""The OpenAPI schema speaks one language at a time: Chinese by default, English at
/api/schema/?lang=en (drf-spectacular's `lang`, among settings.LANGUAGES). Each description is
written once, in Chinese, through gettext; its English comes from the catalogue."""

import re

import pytest

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")


def fetch(client, **query):
    response = client.get("/api/schema/", {"format": "json", **query})
    assert response.status_code == 200
    return response.json()


def known_descriptions(schema) -> dict[str, str]:
    """A few descriptions of the API's own, from the parameters, fields, operations and answers."""
    projects = schema["paths"]["/api/projects/"]["get"]
    parameters = {p["name"]: p["description"] for p in projects["parameters"]}
    token = schema["paths"]["/api/auth/token/"]["post"]
    delete = schema["paths"]["/api/projects/{id}/"]["delete"]
    fields = schema["components"]["schemas"]["FieldError"]["properties"]
    return {
        "zone": parameters["zone"],
        "page": parameters["page"],
        "detail": schema["components"]["schemas"]["ValidationError"]["properties"]["detail"]["description"],
        "message_en": fields["message_en"]["description"],
        "token": token["summary"],
        "tag": token["tags"][0],
        "conflict": delete["responses"]["409"]["description"],
    }


def test_the_schema_is_in_chinese_by_default(client):
    described = known_descriptions(fetch(client))
    assert described["zone"] == "区域ID或名称(简称、全称、别名),含其下级区域"
    assert described["page"] == "页码"
    assert described["detail"] == "请求数据有误"
    assert described["message_en"] == "英文说明"
    assert described["token"] == "用用户名和密码获取令牌"
    assert described["tag"] == "认证"
    assert described["conflict"].startswith("仍被其他记录引用,不能删除;或")
    for name, text in described.items():
        assert " / " not in text, (name, text)  # no English beside the Chinese


def test_the_schema_is_in_english_with_lang_en(client):
    described = known_descriptions(fetch(client, lang="en"))
    assert described["zone"] == "Zone id or name (short, full or alias), sub-zones included"
    assert described["page"] == "Page number"
    assert described["detail"] == "Invalid request data"
    assert described["message_en"] == "Message in English"
    assert described["token"] == "Get a token with a username and password"
    assert described["tag"] == "Authentication"
    assert described["conflict"].startswith("Still referred to by other rows; or")
    assert "locked_month" in described["conflict"]
    for name, text in described.items():
        assert not CJK.search(text), (name, text)


def test_the_english_schema_leaves_the_next_request_in_chinese(client):
    fetch(client, lang="en")
    assert known_descriptions(fetch(client))["detail"] == "请求数据有误"
    assert known_descriptions(fetch(client, lang="zh-hans"))["detail"] == "请求数据有误"
