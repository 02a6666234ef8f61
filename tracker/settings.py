"""Settings of the tracker, read from the environment (see .env.example)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is neither true nor false")


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envint(name: str, default: int, minimum: int = 1) -> int:
    """A whole number of at least `minimum` (a mistyped or too small value is an error)."""
    value = os.environ.get(name, str(default)).strip()
    if not value.isascii() or not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number of at least {minimum}")
    return int(value)


def envrate(name: str, default: str) -> str | None:
    """An API throttle rate such as "600/minute" (DRF's format); "none" or empty: no limit."""
    value = os.environ.get(name, default).strip()
    if value.lower() in {"", "none"}:
        return None
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 600/minute (or none)")
    return value


DEBUG = envbool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=true for development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens stored as SHA-512 digests, with an expiry (projects/api/auth.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "projects.apps.TasksDatabaseConfig",  # django_tasks_db, named in Chinese in the admin
    "simple_history",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # A lost database connection (PostgreSQL restarting) is a 503 with Retry-After, not a 500.
    "projects.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Change history (django-simple-history): reasons can be longer than a line.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A government office's passwords (等级保护, GB/T 22239: of some length and complexity): at least
# PASSWORD_MIN_LENGTH characters of three of the four kinds (lower and upper case, digits, others).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "projects.security.CharacterKindsValidator"},
]

# A session ends SESSION_COOKIE_AGE seconds after the login (default 8 hours, a working day) and
# when the browser closes: an office's shared computer is not logged in tomorrow.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", "true")

# Every password check goes through one backend that counts failures in the cache (CACHES below:
# Redis with REDIS_URL, shared by every app server): after LOGIN_FAILURES_PER_ACCOUNT failures of
# one account, or LOGIN_FAILURES_PER_ADDRESS from one client address (the last X-Forwarded-For
# entry, API_NUM_PROXIES), within LOGIN_LOCKOUT_MINUTES, logins of that account or from that
# address are refused, the right password too, for LOGIN_LOCKOUT_MINUTES (projects/logins.py).
AUTHENTICATION_BACKENDS = ["projects.logins.ThrottledModelBackend"]
LOGIN_FAILURES_PER_ACCOUNT = envint("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)

# API tokens (django-rest-knox): only a SHA-512 digest of each token is stored, and each expires
# API_TOKEN_TTL_DAYS after it was made (projects/api/auth.py, README "The REST API").
API_TOKEN_TTL_DAYS = envint("API_TOKEN_TTL_DAYS", 90)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",  # `Authorization: Token <key>`, as with DRF's tokens before
    "TOKEN_PREFIX": "zt_",  # makes a leaked token recognisable to secret scanners
    "USER_SERIALIZER": None,
}

LANGUAGE_CODE = "zh-hans"
# Chinese is the language of the tracker and of its messages; English is the API's second
# language (each error in both) and the schema's (`/api/schema/?lang=en`).
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# The tracker's own catalogues, first in line: they supply what Django and the packages leave
# untranslated in Chinese. `make messages` compiles them (run and test do it first).
LOCALE_PATHS = [BASE_DIR / "projects" / "locale"]
USE_TZ = True

# The report pages (/reports/runs/<id>/) send visitors who are not logged in to the admin's login.
LOGIN_URL = "admin:login"

STATIC_URL = "static/"
# Where collectstatic puts the files nginx serves at /static/ (deploy/nginx.conf).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")

# The seed documents' facts: `python manage.py loaddata seeds` finds fixtures/seeds.yaml here.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Where the seed articles live; source documents store their path relative to BASE_DIR.
SEEDS_DIR = BASE_DIR / "seeds"

# Reads need a logged-in user unless API_READ_PUBLIC=true makes them public; writes always need
# an editor of the zone (projects.access).
API_READ_PUBLIC = envbool("API_READ_PUBLIC", "False")
API_MAX_PAGE_SIZE = 200

# Request bodies: at most this many bytes of JSON or form data (Django's default, stated: DRF
# reads JSON through request.body, which applies it; an extraction text of 200,000 characters is
# 0.6 MB in UTF-8, 1.2 MB \u-escaped), and of any multipart body but an import's workbook
# (projects/api/parsers.py); at most this many form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "projects.api.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Bounded parsers: depth, size, duplicate keys, NaN (projects/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "projects.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "projects.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "projects.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "projects.api.exceptions.exception_handler",
    # Per-user limits, counted in the shared cache (CACHES below); see projects/api/throttling.py.
    "DEFAULT_THROTTLE_CLASSES": [
        "projects.api.throttling.AnonRateThrottle",
        "projects.api.throttling.UserRateThrottle",
        "projects.api.throttling.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": envrate("API_THROTTLE_USER", "600/minute"),
        "write": envrate("API_THROTTLE_WRITE", "300/minute"),
        "anon": envrate("API_THROTTLE_ANON", "120/minute"),
    },
    # Anonymous clients are told apart by address: the last X-Forwarded-For entry, the one nginx
    # saw (0: REMOTE_ADDR, when clients reach gunicorn directly).
    "NUM_PROXIES": int(os.environ.get("API_NUM_PROXIES", "1")),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "开发区招商引资项目调度台账 API / Development zone investment project tracker API",
    "DESCRIPTION": (
        "区域、项目、节点、调度清单、指标与进度报告。金额以元为单位存储;百分比为百分数(70.12 即 70.12%)。\n\n"
        "Zones, projects, milestones, portfolios, indicators and progress reports. Amounts are stored "
        "in base units (yuan); percentages are numbers in percent (70.12 means 70.12%)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set, whichever fields use it (several models have a `kind`).
    "ENUM_NAME_OVERRIDES": {
        "ZoneKindEnum": "projects.models.ZoneKind",
        "StageEnum": "projects.models.Stage",
        "MilestoneKindEnum": "projects.models.MilestoneKind",
        "MilestoneStatusEnum": "projects.periods.MilestoneStatus",
        "ValueKindEnum": "projects.models.ValueKind",
        "DatePrecisionEnum": "projects.periods.DatePrecision",
        "AmountScaleEnum": "projects.money.AmountScale",
        "CurrencyEnum": "projects.money.Currency",
        "QualifierEnum": "projects.money.Qualifier",
        "ReportFormatEnum": "projects.models.ReportFormat",
    },
}

# Background work (report generation and delivery) is a task of Django's tasks framework.
# TASK_BACKEND=immediate runs it in the process that asks for it: nothing else to start.
# TASK_BACKEND=database queues it in the database for `manage.py db_worker` processes on any machine.
TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_task_backend = os.environ.get("TASK_BACKEND", "immediate")
if _task_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND={_task_backend!r} is not one of {', '.join(TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_task_backend]}}

# Scheduled reports: a failed report or delivery is tried again on each scheduler pass up to
# REPORT_MAX_ATTEMPTS times; a run a worker took and did not finish within
# REPORT_STALLED_MINUTES (the worker died) is queued again.
REPORT_MAX_ATTEMPTS = int(os.environ.get("REPORT_MAX_ATTEMPTS", "5"))
REPORT_STALLED_MINUTES = int(os.environ.get("REPORT_STALLED_MINUTES", "30"))
# Uploaded workbooks (Excel导入, projects/uploads.py): a batch's file is kept until it is committed
# or for IMPORT_PENDING_HOURS after its upload, and for IMPORT_UPLOAD_RETENTION_DAYS after its
# commit, then deleted (the batch with its findings stays); each user keeps at most
# IMPORT_UPLOAD_QUOTA_MB of uploaded files. run_scheduled_reports (and purge_uploads) deletes them.
IMPORT_UPLOAD_RETENTION_DAYS = envint("IMPORT_UPLOAD_RETENTION_DAYS", 90)
IMPORT_PENDING_HOURS = envint("IMPORT_PENDING_HOURS", 24)
IMPORT_UPLOAD_QUOTA_MB = envint("IMPORT_UPLOAD_QUOTA_MB", 200)
# Links in report e-mails point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Mail (Django's MAILERS): printed to the console unless EMAIL_HOST names an SMTP server.
_email_host = os.environ.get("EMAIL_HOST", "")
_smtp = "django.core.mail.backends.smtp.EmailBackend"
_email_backend = os.environ.get(
    "EMAIL_BACKEND", _smtp if _email_host else "django.core.mail.backends.console.EmailBackend"
)
_email_options = {}
if _email_backend == _smtp:
    _email_options = {
        "host": _email_host or "localhost",
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", "False"),
        "use_ssl": envbool("EMAIL_USE_SSL", "False"),
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")

# Unhandled errors are e-mailed to ADMINS (Django's mail_admins, with DEBUG off).
ADMINS = envlist("ADMINS")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Security. Production runs behind nginx, which terminates TLS and sets X-Forwarded-Proto
# (deploy/nginx.conf); Django trusts that header to know a request came over HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
# /healthz answers load balancers and monitors that ask over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from the tracker itself (the admin, and the Swagger UI of drf-spectacular-sidecar
# with its start script as a file: SpectacularSwaggerSplitView), or inline with the request's nonce.
# Styles may be inline: report pages are stored HTML files with a <style> block, and status
# colours are style attributes. Swagger UI's icons are data: images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The cache holds the API throttling counts (and nothing that must survive): Redis, shared by
# every app process on every machine, when REDIS_URL is set; otherwise this process's memory,
# enough for development and one process (`check --deploy` warns: projects/security.py).
_redis_url = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Error reports (the e-mail to ADMINS) hide passwords inside URLs, and POST parameters and local
# variables named like a secret, besides what Django hides by itself.
DEFAULT_EXCEPTION_REPORTER_FILTER = "projects.security.SecretsReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step of a PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
