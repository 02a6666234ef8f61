"""Production security: `check --deploy` is clean, responses carry the security headers and the
Content-Security-Policy, plain HTTP is redirected to HTTPS unless nginx says the request was HTTPS,
and the admin and Swagger UI still work in a real browser under that policy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests.environment import TRACKER_VARIABLES, settings_from

ROOT = Path(__file__).resolve().parent.parent

# What an operator sets in production (see .env.example), with a fresh secret key.
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "tracker.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.gov.cn",
    "DATABASE_URL": "postgres://tracker:db-password@db.example:5432/tracker",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.example.gov.cn",
    "EMAIL_PORT": "465",
    "EMAIL_USE_SSL": "true",
}


def check_deploy(**changes: str) -> tuple[int, set[str], str]:
    """`manage.py check --deploy --fail-level WARNING` in a fresh process with the production
    environment (none of the tracker's variables inherited from this one): (exit code, ids, output)."""
    tracker_variables = {*TRACKER_VARIABLES, "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set while the browser tests run
    inherited = {k: v for k, v in os.environ.items() if k not in tracker_variables}
    env = {**inherited, **PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), **changes}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    return result.returncode, set(re.findall(r"\(([a-z_]+\.[A-Z]\d{3})\)", output)), output


def test_check_deploy_is_clean_in_production():
    code, ids, output = check_deploy()
    assert (code, ids) == (0, set()), output
    assert "no issues" in output


def test_plain_http_for_local_runs_lists_only_the_missing_redirect():
    code, ids, output = check_deploy(SECURE_SSL_REDIRECT="false")
    assert code != 0
    assert ids == {"security.W008"}, output


def test_without_redis_the_per_process_throttle_cache_is_flagged():
    code, ids, output = check_deploy(REDIS_URL="")
    assert code != 0
    assert ids == {"projects.W001"}, output
    assert "REDIS_URL" in output


def test_a_weak_secret_key_is_flagged():
    _, ids, output = check_deploy(SECRET_KEY="short")
    assert ids == {"security.W009"}, output


# ---------------------------------------------------------------------------------------------
# Headers of real responses


# The settings that the production environment sets apart from the test run's own (which database,
# which cache, which hosts and mail: the test environment's).
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]


@pytest.fixture
def production(settings):
    """The security settings that tracker/settings.py makes of the production environment (HTTPS
    redirect on, which the test settings turn off for plain-HTTP test clients: tests/conftest.py),
    whatever the shell that started the tests exported."""
    made = settings_from({**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)})
    for name in SECURITY_SETTINGS:
        setattr(settings, name, made[name])
    assert settings.DEBUG is False and settings.SECURE_SSL_REDIRECT is True
    return settings


HTTPS = {"x-forwarded-proto": "https"}  # as nginx says it after terminating TLS


def assert_security_headers(response) -> None:
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    # The request's nonce is named when the page used it for an inline script.
    assert re.search(r"script-src 'self'( 'nonce-[\w-]+')?;", policy), policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_admin_login_page_has_the_security_headers_and_secure_cookies(production, client):
    response = client.get("/admin/login/", headers=HTTPS)
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.cookies["csrftoken"]["secure"] is True


def test_session_cookie_is_secure_and_http_only(production, client, django_user_model):
    django_user_model.objects.create_superuser("chief", password="pw-for-tests-only")
    login = client.get("/admin/login/", headers=HTTPS)
    form = {"username": "chief", "password": "pw-for-tests-only"}
    token = login.cookies["csrftoken"].value
    response = client.post("/admin/login/", {**form, "csrfmiddlewaretoken": token}, headers=HTTPS)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"]) == (True, True)


def test_api_response_has_the_security_headers(production, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chief", password="pw-for-tests-only"))
    response = client.get("/api/projects/", headers=HTTPS)
    assert response.status_code == 200
    assert_security_headers(response)


def test_report_page_has_the_security_headers(production, seeded, client, superuser_api, django_user_model):
    made = superuser_api.post(
        "/api/report-runs/",
        {"zone": "赣县区", "as_of": "2022-05", "formats": ["html"]},
        format="json",
        secure=True,
    )
    assert made.status_code == 201, made.json()
    client.force_login(django_user_model.objects.get(username="chief"))
    response = client.get(f"/reports/runs/{made.json()['id']}/", headers=HTTPS)
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert_security_headers(response)


def test_plain_http_is_redirected_to_https(production, client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/?next=/admin/"
    assert "Strict-Transport-Security" not in response  # HSTS is only sent over HTTPS


def test_https_through_nginx_is_not_redirected(production, client):
    assert client.get("/admin/login/", headers=HTTPS).status_code == 200
    assert client.get("/admin/login/", headers={"x-forwarded-proto": "http"}).status_code == 301


def test_swagger_ui_has_no_inline_script(production, client, django_user_model):
    """The policy allows no inline script without a nonce: Swagger UI's start script is a file."""
    client.force_login(django_user_model.objects.create_superuser("chief", password="pw-for-tests-only"))
    page = client.get("/api/docs/", headers=HTTPS).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)
    start = re.findall(r'<script src="([^"]*script=[^"]*)"', page)
    assert len(start) == 1
    script = client.get(start[0].replace("&amp;", "&"), headers=HTTPS)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# ---------------------------------------------------------------------------------------------
# In a real browser: nothing the admin or Swagger UI needs is blocked by the policy


@pytest.fixture
def csp_violations(browser_page):
    """Console messages of the browser page that report something the policy blocked."""
    found: list[str] = []
    browser_page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return found


def test_admin_and_swagger_ui_work_under_the_policy(
    browser_page, csp_violations, transactional_db, django_user_model
):
    django_user_model.objects.create_superuser("clerk", password="clerk-password-1")
    page = browser_page
    log_in(page, "clerk", "clerk-password-1")
    page.goto("/admin/projects/project/add/")
    page.click("#milestones-group .add-row a")  # inline rows are added by the admin's JavaScript
    expect(page.locator("#id_milestones-0-kind")).to_be_visible()
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    assert csp_violations == []
