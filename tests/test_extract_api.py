"""POST /api/extract/: the extractor's candidates for a posted text, exact quotes at their
offsets, for authenticated users only, nothing written, Chinese and English validation errors,
a fixed number of queries, and documented field by field in the schema."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openapi_schema_validator import OAS30Validator
from rest_framework.test import APIClient

from projects.extraction import MAX_TEXT_LENGTH, Candidate, extract
from projects.models import ZoneRole
from projects.text_entry import lexicon_from_db
from projects.tokens import api_token_create
from tests.factories import UserFactory, ZoneFactory, ZoneMembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/extract/"
CJK = re.compile(r"[\u4e00-\u9fff]")
SEED_FILES = sorted(Path(settings.SEEDS_DIR).glob("*.txt"))
CORPUS_FILES = sorted((Path(__file__).parent / "extraction_corpus").rglob("*.json"))
SHORT = "1至5月,全区实现营业收入157.56亿元,同比增长12.24%。"


def texts() -> list:
    """(name, text, year) of the five seed articles and the annotated texts."""
    found = [pytest.param(f.read_text(encoding="utf-8"), 2022, id=f.name) for f in SEED_FILES]
    for path in CORPUS_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(pytest.param(data["text"], data.get("year"), id=path.name))
    return found


def post(client, body: dict):
    return client.post(URL, body, format="json")


def errors_of(response) -> dict:
    """The errors of a 400 by field, after checking the shape and both languages."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "请求数据有误 / Invalid request data"
    for error in body["errors"]:
        assert CJK.search(error["message"]), error
        assert re.search(r"[A-Za-z]{3,}", error["message_en"]), error
    return {error["field"]: error for error in body["errors"]}


# ---------------------------------------------------------------------------------------------
# Candidates


def test_the_corpora_are_there():
    assert len(SEED_FILES) == 5
    assert len(CORPUS_FILES) >= 10


@pytest.mark.parametrize(("text", "year"), texts())
def test_every_quote_is_the_text_at_its_offsets(api_client, text, year):
    response = post(api_client, {"text": text, "year": year})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["candidates"]) > 10
    for candidate in body["candidates"]:
        assert text[candidate["start"] : candidate["end"]] == candidate["quote"], candidate
        assert (
            candidate["sentence_start"] <= candidate["start"] < candidate["end"] <= candidate["sentence_end"]
        )
    assert [c["start"] for c in body["candidates"]] == sorted(c["start"] for c in body["candidates"])


def test_the_api_gives_the_extractors_candidates_with_the_catalogue(seeded, api_client):
    text = SEED_FILES[4].read_text(encoding="utf-8")
    response = post(api_client, {"text": text, "year": 2022, "zone": "赣县区"})
    assert response.status_code == 200
    expected = extract(text, year=2022, lexicon=lexicon_from_db(), zone="赣县区")
    assert response.json()["candidates"] == json.loads(json.dumps([c.to_dict() for c in expected]))
    assert response.json()["count"] == len(expected)
    # The catalogue's metric codes come through (the seeds record 营业收入 as operating_revenue).
    assert "operating_revenue" in {c["metric_code"] for c in response.json()["candidates"]}


def test_the_zone_is_the_subject_of_figures_naming_no_other(seeded, api_client):
    from projects.models import Zone

    gan = Zone.objects.get(name="赣县区")
    for zone in ("赣县区", gan.pk, str(gan.pk)):
        response = post(api_client, {"text": SHORT, "year": 2022, "zone": zone})
        assert response.status_code == 200, response.content
        amount = next(c for c in response.json()["candidates"] if c["kind"] == "amount")
        assert (amount["quote"], amount["value"], amount["unit"]) == ("157.56亿元", "157.56", "亿元")
        assert (amount["subject"], amount["subject_kind"]) == ("赣县区", "zone")
        assert amount["period"] == {"year": 2022, "start_month": 1, "end_month": 5, "text": "1至5月"}


def test_offsets_count_the_text_exactly_as_sent(api_client):
    text = "  \r\n\u3000" + SHORT + "\r\n"
    response = post(api_client, {"text": text})
    assert response.status_code == 200
    amount = next(c for c in response.json()["candidates"] if c["kind"] == "amount")
    assert amount["start"] == text.index("157.56亿元")
    assert text[amount["start"] : amount["end"]] == amount["quote"] == "157.56亿元"


def test_a_text_of_the_maximum_length_is_read(api_client):
    sentence = "全区实现营业收入157.56亿元。"
    text = (sentence * (MAX_TEXT_LENGTH // len(sentence) + 1))[:MAX_TEXT_LENGTH]
    response = post(api_client, {"text": text})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= MAX_TEXT_LENGTH // len(sentence)
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in body["candidates"])


def test_nothing_is_written(seeded, api_client):
    with CaptureQueriesContext(connection) as queries:
        response = post(api_client, {"text": SEED_FILES[0].read_text(encoding="utf-8"), "zone": "上饶经开区"})
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.IGNORECASE)]
    assert writes == []


# ---------------------------------------------------------------------------------------------
# Who may


def test_anonymous_users_are_refused():
    response = APIClient().post(URL, {"text": SHORT}, format="json")
    assert response.status_code in (401, 403)
    assert "candidates" not in response.json()


def test_anonymous_users_are_refused_even_when_reads_are_public(settings):
    settings.API_READ_PUBLIC = True
    assert APIClient().post(URL, {"text": SHORT}, format="json").status_code in (401, 403)


def test_token_and_session_users_may_extract(client):
    user = UserFactory()
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    assert post(token, {"text": SHORT}).json()["count"] >= 2

    client.force_login(user)
    response = client.post(URL, {"text": SHORT}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["count"] >= 2


def test_a_zone_the_user_may_not_read_is_refused_as_one_that_does_not_exist():
    own, other = ZoneFactory(name="本区"), ZoneFactory(name="他区")
    member = ZoneMembershipFactory(zone=own, role=ZoneRole.VIEWER).user
    client = APIClient()
    client.force_authenticate(member)
    assert post(client, {"text": SHORT, "zone": "本区"}).status_code == 200
    hidden = post(client, {"text": SHORT, "zone": other.pk})
    missing = post(client, {"text": SHORT, "zone": other.pk + 1000})
    assert hidden.status_code == missing.status_code == 400
    assert errors_of(hidden)["zone"]["code"] == errors_of(missing)["zone"]["code"] == "unknown_zone"
    assert errors_of(post(client, {"text": SHORT, "zone": "他区"}))["zone"]["code"] == "unknown_zone"


# ---------------------------------------------------------------------------------------------
# Bad input


def test_the_text_is_required_and_not_blank(api_client):
    assert errors_of(post(api_client, {}))["text"]["code"] == "required"
    assert errors_of(post(api_client, {"text": None}))["text"]["code"] == "null"
    for blank in ("", "   \n\t\u3000 "):
        error = errors_of(post(api_client, {"text": blank}))["text"]
        assert error["code"] == "blank"
        assert error["message"] == "正文不能为空"
        assert error["message_en"] == "The text may not be empty."


def test_a_text_over_the_maximum_length_is_refused(api_client):
    error = errors_of(post(api_client, {"text": "数" * (MAX_TEXT_LENGTH + 1)}))["text"]
    assert error["code"] == "max_length"
    assert str(MAX_TEXT_LENGTH) in error["message"]
    assert "at most" in error["message_en"]


@pytest.mark.parametrize("year", [1948, 2201, -5])
def test_a_year_out_of_range_is_refused(api_client, year):
    error = errors_of(post(api_client, {"text": SHORT, "year": year}))["year"]
    assert error["code"] in ("min_value", "max_value")
    assert error["message"] == "年份须在1949至2200之间"
    assert error["message_en"] == "The year must be between 1949 and 2200."


def test_a_year_that_is_no_number_is_refused(api_client):
    error = errors_of(post(api_client, {"text": SHORT, "year": "去年"}))["year"]
    assert error["code"] == "invalid"
    assert error["message"] == "年份须为整数,如 2022"


def test_an_unknown_zone_is_refused(api_client):
    error = errors_of(post(api_client, {"text": SHORT, "zone": "火星经开区"}))["zone"]
    assert error["code"] == "unknown_zone"
    assert "火星经开区" in error["message"]
    assert errors_of(post(api_client, {"text": SHORT, "zone": 987654}))["zone"]["code"] == "unknown_zone"


def test_several_errors_come_together(api_client):
    errors = errors_of(post(api_client, {"text": "", "year": 3000, "zone": "火星经开区"}))
    assert set(errors) == {"text", "year", "zone"}


# ---------------------------------------------------------------------------------------------
# Queries


def test_queries_do_not_grow_with_the_text(seeded):
    from projects.models import Zone

    member = ZoneMembershipFactory(zone=Zone.objects.get(name="赣县区"), role=ZoneRole.VIEWER).user
    client = APIClient()
    client.force_authenticate(member)
    long = "\n".join(f.read_text(encoding="utf-8") for f in SEED_FILES) * 3
    counts = []
    for text in (SHORT, long):
        with CaptureQueriesContext(connection) as queries:
            response = post(client, {"text": text, "year": 2022, "zone": "赣县区"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.json()["count"] > 500
    assert counts[0] == counts[1] <= 12


# ---------------------------------------------------------------------------------------------
# Schema


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_documents_every_candidate_field(schema):
    operation = schema["paths"]["/api/extract/"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "403"}
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][request]["properties"]) == {"text", "year", "zone"}
    assert schema["components"]["schemas"][request]["properties"]["text"]["maxLength"] == MAX_TEXT_LENGTH
    one = Candidate(kind="amount", quote="1亿元", start=0, end=4, sentence_start=0, sentence_end=5)
    documented = schema["components"]["schemas"]["Candidate"]["properties"]
    assert set(documented) == set(one.to_dict())
    assert set(schema["components"]["schemas"]["ExtractResponse"]["properties"]) == {"candidates", "count"}


def test_the_answer_is_as_documented(seeded, schema, api_client):
    content = schema["paths"]["/api/extract/"]["post"]["responses"]["200"]["content"]["application/json"]
    validator = OAS30Validator({**content["schema"], "components": schema["components"]})
    kinds = set()
    for path in SEED_FILES:
        response = post(api_client, {"text": path.read_text(encoding="utf-8"), "year": 2022})
        validator.validate(response.json())
        kinds |= {c["kind"] for c in response.json()["candidates"]}
    # Every shape was checked: figures, periods, dates, projects (investment) and milestones.
    assert {"amount", "percent", "count", "period", "date", "project", "milestone"} <= kinds
    error = schema["paths"]["/api/extract/"]["post"]["responses"]["400"]["content"]["application/json"]
    OAS30Validator({**error["schema"], "components": schema["components"]}).validate(
        post(api_client, {"text": ""}).json()
    )


def test_an_alias_of_a_zone_the_user_cannot_read_names_no_subject(db):
    own = ZoneFactory(name="本县")
    hidden = ZoneFactory(name="邻县开发区")
    hidden.aliases.create(alias="东湖片")
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=own, role=ZoneRole.VIEWER)
    client = APIClient()
    client.force_authenticate(user)
    text = "东湖片实现营业收入10亿元。"
    response = post(client, {"text": text, "year": 2023})
    (amount,) = [c for c in response.json()["candidates"] if c["kind"] == "amount"]
    assert amount["subject"] == ""
    # The same text read with the whole catalogue names the zone behind the alias.
    (seen,) = [c for c in extract(text, year=2023, lexicon=lexicon_from_db()) if c.kind == "amount"]
    assert seen.subject == "邻县开发区"
