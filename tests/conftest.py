import os

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in almost every test; PBKDF2's deliberate slowness (about a second a user
    here) is for production, not for tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Set for the test run by Django's test environment (setup_test_environment) or by pytest-django.
TEST_ENVIRONMENT_SETTINGS = {"DEBUG", "ALLOWED_HOSTS", "MAILERS", "EMAIL_BACKEND", "DATABASES", "SECRET_KEY"}


@pytest.fixture(scope="session", autouse=True)
def settings_of_a_clean_shell():
    """The suite runs on the settings of a shell that sets none of the tracker's variables but
    DATABASE_URL and SECRET_KEY, whatever the caller exported (DEBUG=true from a developer's .env,
    TASK_BACKEND, REDIS_URL, EMAIL_*, ALLOWED_HOSTS...): the others are removed from this process's
    environment, which the servers and commands that tests start inherit, and every setting they
    changed is set back to what it is without them. Tests that need a variable set it themselves."""
    from django.conf import settings
    from django.test import override_settings

    from tests.environment import SUITE_VARIABLES, TRACKER_VARIABLES, settings_from

    exported = (TRACKER_VARIABLES - SUITE_VARIABLES) & set(os.environ)
    if not exported:
        yield
        return
    kept = {name: os.environ[name] for name in SUITE_VARIABLES & set(os.environ)}
    callers = settings_from({**kept, **{name: os.environ[name] for name in exported}})
    clean = settings_from(kept)
    changed = {
        name: value
        for name, value in clean.items()
        if name not in TEST_ENVIRONMENT_SETTINGS and value != callers.get(name)
    }
    if clean["ALLOWED_HOSTS"] != callers["ALLOWED_HOSTS"]:
        changed["ALLOWED_HOSTS"] = [*clean["ALLOWED_HOSTS"], "testserver"]
    with pytest.MonkeyPatch.context() as patch, override_settings(**changed):
        for name in exported:
            patch.delenv(name)
        assert settings.DEBUG is False  # pytest-django's, whatever DEBUG was exported
        yield


@pytest.fixture(scope="session", autouse=True)
def plain_http_without_throttling(settings_of_a_clean_shell):
    """Tests run with DEBUG off, the production defaults, but speak plain HTTP to the test client and
    the live server (whose middleware is loaded once per session): no redirect to HTTPS. API
    throttling would count one user's requests across tests, user ids repeating from test to test:
    off, and the cache is this process's memory, never a Redis that REDIS_URL may name.
    tests/test_deploy_settings.py and tests/test_api_throttling.py turn them back on."""
    from django.conf import settings
    from django.test import override_settings

    unlimited = {"user": None, "write": None, "anon": None}
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": unlimited},
    ):
        yield


@pytest.fixture(autouse=True)
def no_login_failures_yet():
    """Failed logins are counted in the cache per account and per address (projects/logins.py), and
    every test client comes from 127.0.0.1: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seeded(db):
    """The database with the seed fixture loaded, as `make run` loads it (tests/seeds.py)."""
    from tests.seeds import load_seeds

    load_seeds()


@pytest.fixture
def investment(db):
    """The completed-investment metric (完成投资) that monthly entry records, as the seeds have it."""
    from projects.models import Metric, UnitKind

    return Metric.objects.get_or_create(
        code="completed_investment",
        defaults={"name": "完成投资", "unit_kind": UnitKind.AMOUNT, "flow_or_stock": "flow"},
    )[0]


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", password="pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.fixture
def api_client(db, django_user_model):
    """A REST client authenticated as a superuser (no zone roles needed)."""
    from rest_framework.test import APIClient

    user = django_user_model.objects.create_superuser("api-admin", password="pw-for-tests-only")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def superuser_api(django_user_model):
    """A REST client authenticated as the superuser "chief"."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(
        django_user_model.objects.create_superuser("chief", password="pw-for-tests-only")
    )
    return client


@pytest.fixture(scope="session", autouse=True)
def serial_live_server_on_in_memory_sqlite():
    """On SQLite, the live server answers one request at a time (see tests/browser.py)."""
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield
        return
    from tests.browser import SerialWSGIServer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", SerialWSGIServer)
        yield


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium, shared by the browser tests of a module (see tests/browser.py)."""
    from tests.browser import launch_chromium

    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def browser_page(chromium, live_server, settings):
    """A page of headless Chromium on the live server, in a fresh context: not logged in."""
    from tests.browser import open_page

    # Cookies without an expiry date: under time_machine.travel the server would date them in
    # the travelled-to past, and the browser, on the real clock, would drop them as expired.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with open_page(chromium, live_server.url) as page:
        yield page


@pytest.fixture(scope="session")
def seed_texts() -> list[str]:
    """The five seed articles, as the repository keeps them."""
    from pathlib import Path

    seeds = Path(__file__).parent.parent / "seeds"
    return [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))]
