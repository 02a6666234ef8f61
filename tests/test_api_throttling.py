"""API throttling: each user has a rate of requests and a stricter one of writes, counted per user
whatever address they come from; clients without login are counted per address. Over the rate: a
429 in both languages with Retry-After. The counts live in the shared cache (Redis in production),
so a second app process sees the requests the first one served."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from projects.tokens import api_token_create
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
ZONES = "/api/zones/"
REDIS_URL = "redis://127.0.0.1:6379/0"  # the machine's Redis (CI's too)


def limit(settings, user: str, write: str, anon: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": user, "write": write, "anon": anon},
    }


@pytest.fixture
def rates(settings):
    """Small rates, an empty cache of this process: each test counts from zero."""
    limit(settings, user="3/minute", write="2/minute", anon="2/minute")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    return settings


def token_client(user, address: str = "127.0.0.1") -> APIClient:
    """A client that authenticates with the user's API token, as scripts and dashboards do."""
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    return client


def test_a_user_over_the_rate_gets_429_with_retry_after_and_another_user_does_not(rates, db):
    first, second = token_client(UserFactory()), token_client(UserFactory())
    assert [first.get(ZONES).status_code for _ in range(3)] == [200, 200, 200]

    refused = first.get(ZONES)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "throttled"
    assert body["detail"] == (
        f"请求过于频繁,请 {refused['Retry-After']} 秒后再试 / "
        f"Too many requests; try again in {refused['Retry-After']} seconds"
    )
    assert second.get(ZONES).status_code == 200


def test_the_count_is_per_user_not_per_address(rates, db):
    """One user from three addresses is one count; two users from one address are two."""
    user = UserFactory()
    token = api_token_create(user=user)[1]
    clients = []
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client = APIClient(REMOTE_ADDR=address)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        clients.append(client)
    assert [client.get(ZONES).status_code for client in clients] == [200, 200, 200]
    fourth_address = APIClient(REMOTE_ADDR="10.0.0.4", HTTP_AUTHORIZATION=f"Token {token}")
    assert fourth_address.get(ZONES).status_code == 429

    same_address = token_client(UserFactory(), address="10.0.0.1")
    assert [same_address.get(ZONES).status_code for _ in range(3)] == [200, 200, 200]


def test_anonymous_clients_are_counted_per_address_apart_from_users(rates, db):
    rates.API_READ_PUBLIC = True
    # Behind nginx (NUM_PROXIES=1) the client's address is the last X-Forwarded-For entry; what a
    # client writes before it does not make it someone else.
    anonymous = APIClient(REMOTE_ADDR="127.0.0.1")
    forwarded = [f"198.51.100.{n}, 203.0.113.5" for n in range(3)]
    statuses = [anonymous.get(ZONES, HTTP_X_FORWARDED_FOR=xff).status_code for xff in forwarded]
    assert statuses == [200, 200, 429]

    assert anonymous.get(ZONES, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200
    user = token_client(UserFactory())
    assert user.get(ZONES, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200


def test_writes_have_a_stricter_rate_of_their_own(rates, db, django_user_model):
    limit(rates, user="5/minute", write="2/minute", anon="2/minute")
    editor = token_client(django_user_model.objects.create_superuser("chief", password="pw-for-tests-only"))
    # An invalid write is refused by validation after it was counted: the limit is on requests.
    assert [editor.post(ZONES, {}, format="json").status_code for _ in range(2)] == [400, 400]
    refused = editor.post(ZONES, {}, format="json")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert editor.get(ZONES).status_code == 200  # reads: 4 of 5


def test_the_rate_applies_again_after_its_window(rates, db):
    client = token_client(UserFactory())
    with time_machine.travel("2026-01-05 09:00 +0800", tick=False) as clock:
        assert [client.get(ZONES).status_code for _ in range(4)] == [200, 200, 200, 429]
        clock.shift(30)
        assert client.get(ZONES).status_code == 429
        clock.shift(31)
        assert client.get(ZONES).status_code == 200


def test_no_rate_means_no_limit(rates, db):
    limit(rates, user=None, write=None, anon=None)
    client = token_client(UserFactory())
    assert {client.get(ZONES).status_code for _ in range(10)} == {200}


def test_another_app_process_counts_the_same_requests_through_redis(rates, db):
    """Two app processes behind nginx share the counts: what one served, the other refuses past."""
    prefix = f"h8e2-throttle-test-{uuid.uuid4().hex}"  # the test's own keys in a Redis others use
    rates.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    user = UserFactory()
    client = token_client(user)
    assert client.get(ZONES).status_code == 200

    # Another process, as another gunicorn app server would: same Redis, same throttle class.
    other_process = f"""
import django
django.setup()
from types import SimpleNamespace
from django.conf import settings
from django.test import override_settings
from projects.api.throttling import UserRateThrottle

caches = {{"default": {rates.CACHES["default"]!r}}}
rates = {{**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {{"user": "3/minute"}}}}
with override_settings(CACHES=caches, REST_FRAMEWORK=rates):
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk={user.pk}), method="GET")
    print([UserRateThrottle().allow_request(request, None) for _ in range(3)])
"""
    served = subprocess.run(
        [sys.executable, "-c", other_process],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "tracker.settings", "DEBUG": "true", "SECRET_KEY": "x", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip() == "[True, True, False]"  # 1 here + 2 there = the rate of 3
    assert client.get(ZONES).status_code == 429
    cache.delete(f"throttle_user_{user.pk}")
