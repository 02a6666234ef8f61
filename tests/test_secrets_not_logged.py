"""Passwords, API tokens, the secret key and the mail and database passwords never reach a log: not
the log records (root, django.request, django.security), not the error report mailed to ADMINS
(its text and HTML, with settings, request headers, POST data and local variables), not gunicorn's
access log in the format of deploy/gunicorn.conf.py. Requests that log are made on purpose: a
failed and a successful login, a token that hits 400, 403, 404 and 500, a password posted to a
view that fails."""

import logging
import runpy
import secrets
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils.log import AdminEmailHandler
from django.views import debug
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger

from projects.api.views import ZoneViewSet
from projects.models import ApiToken
from projects.tokens import api_token_create
from tests.factories import UserFactory, ZoneFactory

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Correct-Horse-" + secrets.token_hex(8)
MAIL_PASSWORD = "smtp-" + secrets.token_hex(8)
DB_PASSWORD = "db-" + secrets.token_hex(8)
REDIS_PASSWORD = "redis-" + secrets.token_hex(8)
LOGGERS = ["", "django", "django.request", "django.security", "django.server", "gunicorn.access"]


class Capture(logging.Handler):
    """Every record as a log file would have it: the message with its arguments and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs(settings):
    """All that is logged, and the error reports mailed to ADMINS (text and HTML), as text."""
    settings.SECRET_KEY = "production-" + secrets.token_urlsafe(50)
    settings.ADMINS = ["ops@example.gov.cn"]
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},  # mail.outbox
        # Never sent through: only its password, as production's SMTP mailer has it, is in the dump.
        "smtp": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "smtp.example.gov.cn", "username": "tracker", "password": MAIL_PASSWORD},
        },
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Never connected to: only its LOCATION, a URL with a password, is in the settings dump.
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://:{REDIS_PASSWORD}@redis.example:6379/0",
        },
    }
    capture = Capture()
    mailer = AdminEmailHandler(include_html=True)
    mailer.setLevel(logging.ERROR)
    levels = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(capture)
    logging.getLogger("django.request").addHandler(mailer)
    captured = SimpleNamespace(capture=capture, secrets=[PASSWORD, settings.SECRET_KEY, MAIL_PASSWORD])
    captured.secrets += [DB_PASSWORD, REDIS_PASSWORD]
    yield captured
    logging.getLogger("django.request").removeHandler(mailer)
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(capture)
        logging.getLogger(name).setLevel(levels[name])


def everything(logs) -> str:
    reports = [
        "\n".join([message.subject, message.body, *(content for content, _ in message.alternatives)])
        for message in mail.outbox
    ]
    return "\n".join([*logs.capture.lines, *reports])


def error_report():
    """The error report with its HTML page (Django's own mail_admins sends the text alone)."""
    [report] = [message for message in mail.outbox if message.alternatives]
    return report


def assert_no_secret(logs) -> None:
    text = everything(logs)
    leaked = [secret for secret in logs.secrets if secret in text]
    assert not leaked, f"{len(leaked)} secret(s) in the logs"


def token_client(user, **defaults) -> tuple[Client, str]:
    key = api_token_create(user=user)[1]
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}", **defaults), key


def failing(*args, **kwargs):
    raise RuntimeError("the view failed")


def test_logins_that_fail_and_succeed_log_no_password(logs, db, django_user_model):
    django_user_model.objects.create_superuser("chief", password=PASSWORD)
    client = Client()
    refused = client.post("/admin/login/", {"username": "chief", "password": PASSWORD + "x"})
    assert refused.status_code == 200 and 'class="errornote"' in refused.content.decode()
    assert client.post("/admin/login/", {"username": "chief", "password": PASSWORD}).status_code == 302
    # Without a CSRF token the login is refused and django.security logs it: not the password.
    csrf_checked = Client(enforce_csrf_checks=True)
    assert csrf_checked.post("/admin/login/", {"username": "chief", "password": PASSWORD}).status_code == 403
    assert any("django.security.csrf" in line for line in logs.capture.lines)
    assert_no_secret(logs)


def test_a_token_that_meets_400_403_404_and_500_is_not_logged(logs, db, monkeypatch):
    viewer, key = token_client(UserFactory())
    logs.secrets.append(key)
    zone = ZoneFactory()
    assert viewer.get("/api/projects/999999/").status_code == 404
    assert viewer.post("/api/zones/", {"name": ""}, content_type="application/json").status_code == 403
    assert viewer.get("/api/projects/?page=x").status_code == 404
    assert viewer.get("/api/zones/", {"parent": "not-a-number"}).status_code == 400
    monkeypatch.setattr(ZoneViewSet, "retrieve", failing)
    assert viewer.get(f"/api/zones/{zone.pk}/").status_code == 500

    text = everything(logs)
    assert "Not Found: /api/projects/999999/" in text and "Internal Server Error" in text
    assert "HTTP_AUTHORIZATION" in error_report().body  # the header is in the report, hidden
    assert_no_secret(logs)


def test_tokens_made_used_expired_and_revoked_are_not_logged(logs, db, django_user_model):
    """The token endpoint (its password too), the admin's token page, and a token that expires and
    one that is revoked: the audit log names the user, never the token nor its first characters."""
    django_user_model.objects.create_user("dashboard", password=PASSWORD)
    chief = django_user_model.objects.create_superuser("chief", password="pw-for-tests-only")
    api = Client(raise_request_exception=False)
    made = api.post("/api/auth/token/", {"username": "dashboard", "password": PASSWORD})
    key = made.json()["token"]
    admin = Client()
    admin.force_login(chief)
    page = admin.post("/admin/projects/apitoken/add/", {"user": chief.pk, "days": 1}).content.decode()
    from_admin = page.split('id="api-token"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    logs.secrets += [key, key[:15], from_admin, from_admin[:15]]

    assert Client(HTTP_AUTHORIZATION=f"Token {key}").delete("/api/auth/token/").status_code == 204
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/zones/").status_code == 401
    with time_machine.travel(timedelta(days=2)):
        assert Client(HTTP_AUTHORIZATION=f"Token {from_admin}").get("/api/zones/").status_code == 401
    assert "API token made for dashboard" in everything(logs)
    assert "API token of chief revoked" in everything(logs)  # the expired one, deleted when shown
    assert_no_secret(logs)


class BrokenTokens:
    """The token table failing while a token is looked up: the key is a local variable of the
    frame that fails (authenticate_credentials), shown in the error report."""

    @staticmethod
    def filter(*args, **kwargs):
        raise RuntimeError("the token table failed")


def test_a_token_in_a_failing_frame_is_hidden_in_the_error_report(logs, db, monkeypatch):
    client, key = token_client(UserFactory())
    logs.secrets.append(key)
    monkeypatch.setattr(ApiToken, "objects", BrokenTokens)
    assert client.get("/api/zones/").status_code == 500
    report = error_report()
    assert "authenticate_credentials" in report.body and "the token table failed" in report.body
    assert_no_secret(logs)


def test_django_alone_would_show_that_token(logs, db, monkeypatch):
    """Why the project has its own filter (projects/security.py): Django's shows the local."""
    # The filter of settings.DEFAULT_EXCEPTION_REPORTER_FILTER is made once per process.
    monkeypatch.setattr(debug, "get_default_exception_reporter_filter", debug.SafeExceptionReporterFilter)
    client, key = token_client(UserFactory())
    monkeypatch.setattr(ApiToken, "objects", BrokenTokens)
    assert client.get("/api/zones/").status_code == 500
    assert key in everything(logs)


def test_a_password_posted_to_a_failing_view_is_hidden(logs, db, monkeypatch, django_user_model):
    client = Client(raise_request_exception=False)
    client.force_login(django_user_model.objects.create_superuser("chief", password="pw-for-tests-only"))
    monkeypatch.setattr(ZoneViewSet, "create", failing)
    form = {"name": "赣州经开区", "password": PASSWORD, "api_token": MAIL_PASSWORD}
    assert client.post("/api/zones/", form).status_code == 500
    report = error_report()
    assert "赣州经开区" in report.body  # the POST data is in the report, the secrets are not
    assert_no_secret(logs)


def test_passwords_in_urls_of_the_environment_are_hidden(logs, db, monkeypatch, django_user_model):
    """A development server copies the process environment into every request's META."""
    url = f"postgres://tracker:{DB_PASSWORD}@db.example:5432/tracker"
    redis = f"redis://:{REDIS_PASSWORD}@redis.example:6379/0"
    client = Client(raise_request_exception=False, DATABASE_URL=url, REDIS_URL=redis)
    client.force_login(django_user_model.objects.create_superuser("chief", password="pw-for-tests-only"))
    monkeypatch.setattr(ZoneViewSet, "list", failing)
    assert client.get("/api/zones/").status_code == 500
    report = error_report()
    assert "postgres://tracker:********************@db.example" in report.body
    assert_no_secret(logs)


def test_gunicorn_access_log_has_no_token_cookie_or_query(logs):
    """The access log format of deploy/gunicorn.conf.py, rendered by gunicorn's own logger."""
    key = secrets.token_hex(20)
    session = secrets.token_hex(16)
    logs.secrets += [key, session]
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", conf["access_log_format"])
    headers = [
        ("AUTHORIZATION", f"Token {key}"),
        ("COOKIE", f"sessionid={session}"),
        ("X-FORWARDED-FOR", "203.0.113.5"),
        ("USER-AGENT", "tracker-dashboard/1.0"),
    ]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/zones/?token={key}&password={PASSWORD}",
        "PATH_INFO": "/api/zones/",
        "QUERY_STRING": f"token={key}&password={PASSWORD}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {key}",
        "HTTP_COOKIE": f"sessionid={session}",
        "HTTP_REFERER": f"https://tracker.example.gov.cn/admin/?password={PASSWORD}",
        "HTTP_USER_AGENT": "tracker-dashboard/1.0",
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[("Content-Type", "application/json")])
    GunicornLogger(config).access(
        response, SimpleNamespace(headers=headers), environ, timedelta(seconds=0.05)
    )
    [line] = [line for line in logs.capture.lines if line.startswith("gunicorn.access")]
    assert "GET /api/zones/ HTTP/1.1" in line and "203.0.113.5" in line
    assert_no_secret(logs)
