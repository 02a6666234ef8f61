"""Logins refused after repeated failures (projects/logins.py): per account (5 in 15 minutes) and
per client address (20), in the admin's login, its password change and the API's token endpoint,
the right password refused too until the cool-off has passed; counts shared by app servers through
Redis. Addresses come as nginx passes them: the last X-Forwarded-For entry."""

import logging
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from projects.logins import unlock
from projects.models import ApiToken

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"  # the machine's Redis (CI's too)
RIGHT = "Right-pw-for-tests-only"
NEW = "New-pw-for-tests-only-7"
OFFICE, ATTACKER, ELSEWHERE = "198.51.100.7", "203.0.113.66", "192.0.2.10"
START = "2026-03-02 09:00 +0800"
LOCKED = "登录失败次数过多"
TOKEN = "/api/auth/token/"

pytestmark = pytest.mark.django_db


def admin_login(client: Client, username: str, password: str, address: str = OFFICE, spoof: str = "") -> str:
    """ "in", "wrong" or "locked": how the admin answers a login from `address` behind nginx
    (REMOTE_ADDR is nginx's; X-Forwarded-For ends with the address nginx saw, after whatever the
    client wrote itself)."""
    forwarded = f"{spoof}, {address}" if spoof else address
    response = client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    if response.status_code == 302:
        return "in"
    text = response.content.decode()
    assert response.status_code == 200 and 'class="errornote"' in text
    return "locked" if LOCKED in text else "wrong"


def token_request(username: str, password: str, address: str = OFFICE):
    return APIClient().post(
        TOKEN,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def chief(django_user_model):
    return django_user_model.objects.create_superuser("chief", password=RIGHT)


def test_sixty_wrong_admin_passwords_lock_the_account_and_the_right_one_waits_out_the_cool_off(chief):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        answers = [admin_login(client, "chief", f"wrong-{n}") for n in range(60)]
        # The fifth failure locks, and says so; every later try is refused unread.
        assert answers == ["wrong"] * 4 + ["locked"] * 56
        locked = client.post(
            "/admin/login/", {"username": "chief", "password": RIGHT}, HTTP_X_FORWARDED_FOR=OFFICE
        )
        assert "请 15 分钟后再试" in locked.content.decode()
        assert "_auth_user_id" not in client.session

        clock.shift(timedelta(minutes=15) - timedelta(seconds=1))
        assert admin_login(client, "chief", RIGHT) == "locked"
        clock.shift(timedelta(seconds=2))
        assert admin_login(client, "chief", RIGHT) == "in"
        assert client.get("/admin/").status_code == 200


def test_a_locked_account_is_locked_from_every_address(chief):
    assert [admin_login(Client(), "chief", "wrong", address=ATTACKER) for _ in range(5)][-1] == "locked"
    assert admin_login(Client(), "chief", RIGHT, address=OFFICE) == "locked"


def test_every_password_check_goes_through_the_lockout(chief):
    """Not only the admin's form and the token endpoint: anything calling authenticate() (here the
    test client's login) is refused by the backend itself."""
    assert [admin_login(Client(), "chief", "wrong") for _ in range(5)][-1] == "locked"
    assert Client().login(username="chief", password=RIGHT) is False


def test_a_successful_login_clears_the_accounts_count(chief):
    client = Client()
    assert [admin_login(client, "chief", "wrong") for _ in range(4)] == ["wrong"] * 4
    assert admin_login(Client(), "chief", RIGHT) == "in"
    assert [admin_login(client, "chief", "wrong") for _ in range(4)] == ["wrong"] * 4
    assert admin_login(client, "chief", "wrong") == "locked"


def test_twenty_failures_from_one_address_lock_it_for_every_account(chief):
    """One failure for each of twenty accounts: none reaches its limit, the address does, however
    the client fills in X-Forwarded-For before nginx's entry."""
    client = Client()
    answers = [
        admin_login(client, f"guess-{n}", "wrong", address=ATTACKER, spoof=f"10.{n}.0.1") for n in range(20)
    ]
    assert answers == ["wrong"] * 19 + ["locked"]
    assert admin_login(client, "chief", RIGHT, address=ATTACKER) == "locked"
    assert admin_login(Client(), "chief", RIGHT, address=ELSEWHERE) == "in"


def test_logging_in_to_ones_own_account_does_not_clear_the_address(chief, django_user_model):
    django_user_model.objects.create_user("insider", password=RIGHT, is_staff=True)
    client = Client()
    assert [admin_login(client, f"guess-{n}", "wrong", address=ATTACKER) for n in range(19)] == ["wrong"] * 19
    assert admin_login(Client(), "insider", RIGHT, address=ATTACKER) == "in"
    assert admin_login(client, "chief", "wrong", address=ATTACKER) == "locked"


def test_the_token_endpoint_answers_429_with_retry_after_the_right_password_too(chief):
    with time_machine.travel(START, tick=False) as clock:
        answers = [token_request("chief", f"wrong-{n}") for n in range(60)]
        assert [a.status_code for a in answers] == [400] * 4 + [429] * 56
        wrong = answers[0].json()
        assert wrong["detail"] == "请求数据有误 / Invalid request data"
        assert wrong["errors"] == [
            {
                "field": None,
                "code": "invalid_credentials",
                "message": "用户名或密码错误",
                "message_en": "The username or the password is wrong.",
            }
        ]

        refused = token_request("chief", RIGHT)
        assert refused.status_code == 429 and refused["Retry-After"] == "900"
        assert refused.json() == {
            "detail": "登录失败次数过多,该账号或本机地址已被暂时锁定,请 900 秒后再试 / "
            "Too many failed logins for this account or address; try again in 900 seconds",
            "code": "login_locked",
        }
        clock.shift(899)
        assert token_request("chief", RIGHT)["Retry-After"] == "1"
        clock.shift(2)
        assert token_request("chief", RIGHT).status_code == 201
    assert ApiToken.objects.count() == 1  # made by the last request only


def test_the_token_endpoint_locks_an_address_across_accounts(chief):
    statuses = [token_request(f"guess-{n}", "wrong", address=ATTACKER).status_code for n in range(20)]
    assert statuses == [400] * 19 + [429]
    assert token_request("chief", RIGHT, address=ATTACKER).status_code == 429
    assert token_request("chief", RIGHT, address=ELSEWHERE).status_code == 201


def test_the_admin_and_the_token_endpoint_share_the_count(chief):
    assert [admin_login(Client(), "chief", "wrong") for _ in range(3)] == ["wrong"] * 3
    assert [token_request("chief", "wrong").status_code for _ in range(2)] == [400, 429]
    assert admin_login(Client(), "chief", RIGHT) == "locked"


def test_wrong_old_passwords_in_the_password_change_count_against_the_account(chief):
    """A stolen session is no way to try passwords unthrottled."""
    client = Client()
    client.force_login(chief)

    def change(old: str) -> str:
        form = {"old_password": old, "new_password1": NEW, "new_password2": NEW}
        text = client.post("/admin/password_change/", form).content.decode()
        return "locked" if LOCKED in text else "incorrect" if "旧密码不正确" in text else text

    assert [change(f"wrong-{n}") for n in range(6)] == ["incorrect"] * 5 + ["locked"]
    assert change(RIGHT) == "locked"
    chief.refresh_from_db()
    assert chief.check_password(RIGHT)
    assert admin_login(Client(), "chief", RIGHT) == "locked"


def test_app_servers_share_the_counts_through_redis(chief, settings):
    prefix = f"login-test-{uuid.uuid4().hex}"  # the test's own keys in a Redis others use
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    assert [admin_login(Client(), "chief", "wrong") for _ in range(2)] == ["wrong"] * 2

    # Another process, as another gunicorn app server would: same Redis, same SECRET_KEY.
    other_process = f"""
import django
django.setup()
from django.test import override_settings
from projects.logins import locked_for, record_failure

with override_settings(CACHES={settings.CACHES!r}):
    record_failure("chief", "{OFFICE}")
    record_failure("chief", "{OFFICE}")
    print(locked_for("chief", "{OFFICE}"))
"""
    env = {"DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": settings.SECRET_KEY, "PATH": ""}
    served = subprocess.run(
        [sys.executable, "-c", other_process], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip() == "0"  # 4 failures: not yet locked

    assert admin_login(Client(), "chief", "wrong") == "locked"  # 2 here + 2 there + this one
    assert admin_login(Client(), "chief", RIGHT) == "locked"
    unlock(username="chief", address=OFFICE)
    assert admin_login(Client(), "chief", RIGHT) == "in"


def test_unlock_login_lifts_a_lockout_before_its_time(chief):
    assert [admin_login(Client(), f"guess-{n}", "wrong", address=ATTACKER) for n in range(20)][-1] == "locked"
    assert [admin_login(Client(), "chief", "wrong") for _ in range(5)][-1] == "locked"

    call_command("unlock_login", user="chief")
    assert admin_login(Client(), "chief", RIGHT) == "in"
    assert admin_login(Client(), "chief", RIGHT, address=ATTACKER) == "locked"
    call_command("unlock_login", address=ATTACKER)
    assert admin_login(Client(), "chief", RIGHT, address=ATTACKER) == "in"


def test_a_lockout_is_logged_naming_known_accounts_only(chief, caplog):
    """What is typed as a username may be a password: an account that does not exist is not named."""
    typed = "Correct-Horse-typed-into-the-username-field"
    caplog.set_level(logging.WARNING, logger="projects.logins")
    for _ in range(5):
        admin_login(Client(), "chief", "wrong")
        admin_login(Client(), typed, "wrong", address=ELSEWHERE)
    locks = [record.getMessage() for record in caplog.records if "Login locked" in record.getMessage()]
    assert locks == [
        "Login locked for 15 minutes: account chief after 5 failures",
        "Login locked for 15 minutes: account (unknown) after 5 failures",
    ]
    assert typed not in caplog.text


def test_there_is_no_unthrottled_side_door(client):
    """No password reset and no browsable-API login are routed: the admin's login and password
    change and the token endpoint are the only forms that check a password."""
    for name in ("admin_password_reset", "password_reset", "rest_framework:login"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert "password_reset" not in client.get("/admin/login/").content.decode()


@pytest.mark.parametrize("value", ["0", "five", "-1"])
def test_a_limit_that_is_not_a_positive_number_stops_the_tracker(value):
    env = {"DJANGO_SETTINGS_MODULE": "tracker.settings", "SECRET_KEY": "x", "PATH": ""}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "LOGIN_FAILURES_PER_ACCOUNT": value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert f"LOGIN_FAILURES_PER_ACCOUNT='{value}' is not a whole number of at least 1" in started.stderr
