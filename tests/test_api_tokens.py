"""API tokens (django-rest-knox, projects/tokens.py): made by the token endpoint, the admin and a
command, shown once, stored only as a digest, refused with a 401 once expired or revoked, and DRF's
old tokens in clear hashed by a migration that leaves none behind."""

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from projects.models import ApiToken
from projects.tokens import api_token_create
from tests.factories import UserFactory

PASSWORD = "Right-pw-for-tests-only"
TOKEN, TOKENS = "/api/auth/token/", "/api/auth/tokens/"
START = "2026-03-02 09:00 +0800"

pytestmark = pytest.mark.django_db


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def get_token(username: str = "dashboard", password: str = PASSWORD, **more) -> dict:
    response = APIClient().post(TOKEN, {"username": username, "password": password, **more}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def dashboard(django_user_model):
    return django_user_model.objects.create_user("dashboard", password=PASSWORD)


def text_columns_containing(*needles: str) -> list[str]:
    """Every table and column of the database whose text contains one of `needles`, every column
    read as text, and every session whose decoded data does (sessions are stored signed and
    encoded)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                text = f"CAST({connection.ops.quote_name(column.name)} AS TEXT)"
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE "
                    + " OR ".join([f"{text} LIKE %s"] * len(needles)),
                    [f"%{needle}%" for needle in needles],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    for session in Session.objects.all():
        if any(needle in str(session.get_decoded()) for needle in needles):
            found.append(f"session {session.pk}")
    return found


def secret_parts(key: str) -> list[str]:
    """The key, and 16-character pieces of what follows the 15 characters stored to find its row,
    every 8 characters: any copy of 23 or more characters of the secret part contains one."""
    return [key, *(key[i : i + 16] for i in range(15, len(key) - 16, 8)), key[-16:]]


# ---------------------------------------------------------------------------------------------
# The token endpoint


def test_the_token_endpoint_gives_a_token_once_with_its_expiry(dashboard):
    with time_machine.travel(START, tick=False):
        response = APIClient().post(TOKEN, {"username": "dashboard", "password": PASSWORD}, format="json")
        assert response.status_code == 201
        assert response["Cache-Control"] == "no-store"
        body = response.json()
        assert body["username"] == "dashboard"
        assert re.fullmatch(r"zt_[0-9a-f]{64}", body["token"])
        assert body["expiry"] == "2026-05-31T09:00:00+08:00"  # 90 days (API_TOKEN_TTL_DAYS)
        assert with_token(body["token"]).get("/api/zones/").status_code == 200

    dashboard.refresh_from_db()
    assert dashboard.last_login is not None


def test_a_shorter_lifetime_may_be_asked_for_not_a_longer_one(dashboard):
    with time_machine.travel(START, tick=False):
        assert get_token(days=7)["expiry"] == "2026-03-09T09:00:00+08:00"
    for days, code in ((91, "max_value"), (0, "min_value"), ("x", "invalid")):
        response = APIClient().post(
            TOKEN, {"username": "dashboard", "password": PASSWORD, "days": days}, format="json"
        )
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert (error["field"], error["code"]) == ("days", code)
        assert re.search(r"[\u4e00-\u9fff]", error["message"]) and error["message_en"].isascii()
    assert ApiToken.objects.count() == 1  # the 7-day one


def test_bad_requests_to_the_token_endpoint_are_400s_that_write_nothing(dashboard):
    client = APIClient()
    assert (
        client.post(TOKEN, {"username": "dashboard"}, format="json").json()["errors"][0]["field"]
        == "password"
    )
    assert client.post(TOKEN, "{not json", content_type="application/json").status_code == 400
    wrong = client.post(TOKEN, {"username": "dashboard", "password": "wrong"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "invalid_credentials"
    dashboard.is_active = False
    dashboard.save()
    inactive = client.post(TOKEN, {"username": "dashboard", "password": PASSWORD}, format="json")
    assert inactive.status_code == 400 and inactive.json()["errors"][0]["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_a_stale_token_or_a_session_does_not_stand_in_for_the_password(dashboard):
    client = Client()
    client.force_login(dashboard)
    stale = {"HTTP_AUTHORIZATION": "Token zt_" + "0" * 64}
    refused = client.post(TOKEN, {"username": "dashboard"}, content_type="application/json", **stale)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "password"
    made = client.post(
        TOKEN, {"username": "dashboard", "password": PASSWORD}, content_type="application/json"
    )
    assert made.status_code == 201  # and no CSRF token needed: the body's password is the credential


# ---------------------------------------------------------------------------------------------
# Using, expiring and revoking tokens


def test_a_token_expires_and_is_then_refused_with_401_and_deleted(dashboard):
    with time_machine.travel(START, tick=False) as clock:
        key = get_token()["token"]
        clock.shift(timedelta(days=90) - timedelta(seconds=1))
        assert with_token(key).get("/api/zones/").status_code == 200
        clock.shift(timedelta(seconds=1))
        refused = with_token(key).get("/api/zones/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert refused.json() == {
        "detail": "令牌已过期,请重新获取 / The token has expired; get a new one",
        "code": "token_expired",
    }
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused_and_the_users_other_tokens_are_not(dashboard):
    old, new = get_token()["token"], get_token()["token"]
    assert with_token(old).delete(TOKEN).status_code == 204
    refused = with_token(old).get("/api/zones/")
    assert refused.status_code == 401
    assert refused.json() == {
        "detail": "令牌无效或已撤销 / Invalid or revoked token",
        "code": "token_invalid",
    }
    assert with_token(new).get("/api/zones/").status_code == 200


def test_revoking_all_leaves_the_user_no_token_and_others_theirs(dashboard):
    keys = [get_token()["token"] for _ in range(3)]
    other = api_token_create(user=UserFactory())[1]
    assert with_token(keys[0]).delete(TOKENS).status_code == 204
    assert [with_token(key).get("/api/zones/").status_code for key in keys] == [401] * 3
    assert with_token(other).get("/api/zones/").status_code == 200


def test_refusals_tell_a_bad_token_from_no_credentials(dashboard):
    assert APIClient().get("/api/zones/").status_code == 403  # no credentials: as before
    for header in ("Token", "Token a b", "Token zt_nothing", "Token \xff\xfe"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        refused = client.get("/api/zones/")
        assert refused.status_code == 401, header
        assert refused.json()["code"] == "token_invalid"
    assert APIClient().delete(TOKEN).status_code == 401  # revoking needs the token itself
    key = get_token()["token"]
    dashboard.is_active = False
    dashboard.save()
    refused = with_token(key).get("/api/zones/")
    assert refused.status_code == 401 and refused.json()["code"] == "user_inactive"


def test_keys_of_drf_tokens_keep_working_after_they_are_hashed(dashboard):
    """A key as DRF made them (40 hex digits, no prefix), stored as knox stores the migrated ones."""
    from knox.crypto import hash_token

    key = "0123456789abcdef0123456789abcdef01234567"
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                digest=hash_token(key),
                token_key=key[:15],
                user=dashboard,
                expiry=timezone.now() + timedelta(days=1),
            )
        ]
    )
    assert with_token(key).get("/api/zones/").status_code == 200
    assert with_token(key[:-1] + "8").get("/api/zones/").status_code == 401


# ---------------------------------------------------------------------------------------------
# Stored hashed


def test_no_token_is_anywhere_in_the_database(dashboard, django_user_model):
    chief = django_user_model.objects.create_superuser("chief", password=PASSWORD)
    admin = Client()
    admin.force_login(chief)
    made_in_admin = admin.post("/admin/projects/apitoken/add/", {"user": dashboard.pk, "days": 30})
    from_admin = re.search(r'id="api-token"[^>]*>([^<]+)<', made_in_admin.content.decode()).group(1)
    out = StringIO()
    call_command("create_api_token", "dashboard", stdout=out, stderr=StringIO())
    from_command = out.getvalue().strip()
    from_endpoint = get_token()["token"]

    keys = [from_admin, from_command, from_endpoint]
    assert [with_token(key).get("/api/zones/").status_code for key in keys] == [200] * 3
    assert ApiToken.objects.count() == 3
    for key in keys:
        assert text_columns_containing(*secret_parts(key)) == []
    # The search does find what is there: a digest, and the 15 characters kept in clear.
    token = ApiToken.objects.first()
    assert "knox_authtoken.digest" in text_columns_containing(token.digest[40:56])
    assert "knox_authtoken.token_key" in text_columns_containing(token.token_key)


def test_drf_tokens_in_clear_are_hashed_and_their_table_dropped(transactional_db, dashboard, settings):
    """The migration on a database of the tracker before: authtoken_token with a key in clear."""
    settings.API_TOKEN_TTL_DAYS = 30
    executor = MigrationExecutor(connection)
    executor.migrate([("projects", "0010_api_token")])
    key = "f" * 8 + "0123456789abcdef0123456789abcdef"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created timestamp, user_id integer)'
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, timezone.now(), dashboard.pk])
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', %s)",
            [timezone.now()],
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert "authtoken_token" not in connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone()[0] == 0
    assert text_columns_containing(*secret_parts(key)) == []
    [token] = ApiToken.objects.all()
    assert token.user == dashboard
    assert timedelta(days=29) < token.expiry - timezone.now() <= timedelta(days=30)
    assert with_token(key).get("/api/zones/").status_code == 200


# ---------------------------------------------------------------------------------------------
# The admin and the commands


def test_the_admin_shows_a_new_token_once_and_revokes_by_deleting(dashboard, django_user_model):
    chief = django_user_model.objects.create_superuser("chief", password=PASSWORD)
    admin = Client()
    admin.force_login(chief)
    page = admin.post("/admin/projects/apitoken/add/", {"user": dashboard.pk, "days": 30})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    key = re.search(r'id="api-token"[^>]*>([^<]+)<', page.content.decode()).group(1)
    assert "令牌只显示这一次" in page.content.decode()
    token = ApiToken.objects.get()
    assert timedelta(days=29) < token.expiry - timezone.now() <= timedelta(days=30)

    listing = admin.get("/admin/projects/apitoken/").content.decode()
    assert key[:15] in listing and key not in listing
    detail = admin.get(f"/admin/projects/apitoken/{token.pk}/change/")
    assert (
        detail.status_code == 200
        and key not in detail.content.decode()
        and 'name="_save"' not in detail.content.decode()
    )
    assert admin.post("/admin/projects/apitoken/add/", {"user": dashboard.pk, "days": 91}).status_code == 200
    assert ApiToken.objects.count() == 1  # the 91 days were refused

    admin.post(f"/admin/projects/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert with_token(key).get("/api/zones/").status_code == 401


def test_only_superusers_manage_tokens_in_the_admin(dashboard):
    editor = Client()
    editor.force_login(UserFactory())  # staff, as zone roles make them
    assert editor.get("/admin/projects/apitoken/").status_code == 403
    assert editor.post("/admin/projects/apitoken/add/", {"user": dashboard.pk, "days": 30}).status_code == 403
    assert not ApiToken.objects.exists()


def test_create_api_token_prints_the_token_once(dashboard):
    out, err = StringIO(), StringIO()
    with time_machine.travel(START, tick=False):
        call_command("create_api_token", "dashboard", "--days", "10", stdout=out, stderr=err)
        key = out.getvalue().strip()
        assert re.fullmatch(r"zt_[0-9a-f]{64}", key)
        assert "2026-03-12 09:00 到期" in err.getvalue() and key not in err.getvalue()
        assert with_token(key).get("/api/zones/").status_code == 200
    for argv, message in (
        (["nobody"], "用户“nobody”不存在"),
        (["dashboard", "--days", "91"], "有效天数须在1至90天之间"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("create_api_token", *argv, stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.count() == 1


def test_revoke_api_tokens_revokes_a_users_tokens_and_purges_expired_ones(dashboard):
    leaver, stayer = UserFactory(), UserFactory()
    leaver_keys = [api_token_create(user=leaver)[1] for _ in range(2)]
    stayer_key = api_token_create(user=stayer)[1]
    short = api_token_create(user=stayer, days=1)[1]
    out = StringIO()
    call_command("revoke_api_tokens", leaver.username, stdout=out)
    assert f"已撤销用户 {leaver.username} 的 2 个令牌" in out.getvalue()
    assert [with_token(key).get("/api/zones/").status_code for key in leaver_keys] == [401, 401]

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        call_command("revoke_api_tokens", "--expired", stdout=out)
    assert "已删除 1 个过期令牌" in out.getvalue()
    assert with_token(stayer_key).get("/api/zones/").status_code == 200
    assert with_token(short).get("/api/zones/").status_code == 401
    with pytest.raises(CommandError, match="用户不存在:nobody"):
        call_command("revoke_api_tokens", "nobody", stdout=out)
