"""Settings come from the environment; production refuses to start without a secret key."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.environment import TRACKER_VARIABLES

ROOT = Path(__file__).resolve().parent.parent


def settings_in(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in TRACKER_VARIABLES}
    code = f"import tracker.settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_secret_key():
    result = settings_in({"DEBUG": "false"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_has_a_default_secret_key():
    result = settings_in({"DEBUG": "true"}, "s.SECRET_KEY.startswith('django-insecure')")
    assert result.stdout.strip() == "True"


def test_default_database_is_a_sqlite_file_in_the_project():
    result = settings_in(
        {"DEBUG": "true"}, "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']"
    )
    assert "django.db.backends.sqlite3" in result.stdout
    assert str(ROOT / "db.sqlite3") in result.stdout


def test_postgres_url_selects_postgresql():
    url = "postgres://tracker:pw@db.example:5433/tracker"
    result = settings_in({"DEBUG": "true", "DATABASE_URL": url}, "s.DATABASES['default']")
    assert "django.db.backends.postgresql" in result.stdout
    assert "'HOST': 'db.example'" in result.stdout and "'PORT': 5433" in result.stdout


def test_allowed_hosts_and_debug_are_read_from_the_environment():
    result = settings_in(
        {"DEBUG": "no", "SECRET_KEY": "k", "ALLOWED_HOSTS": "a.example, b.example"},
        "s.DEBUG, s.ALLOWED_HOSTS",
    )
    assert result.stdout.strip() == "False ['a.example', 'b.example']"


def test_a_mistyped_boolean_is_an_error_not_false():
    result = settings_in({"DEBUG": "ture"}, "s.DEBUG")
    assert result.returncode != 0
    assert "DEBUG='ture'" in result.stderr


def test_chinese_locale_and_time_zone():
    result = settings_in({"DEBUG": "true"}, "s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ")
    assert result.stdout.strip() == "zh-hans Asia/Shanghai True"


def test_every_setting_read_from_the_environment_is_in_env_example():
    settings_source = (ROOT / "tracker" / "settings.py").read_text()
    example = (ROOT / ".env.example").read_text()

    names = set(re.findall(r'env(?:bool|list|rate)?\("([A-Z_]+)"', settings_source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_source))
    assert names, "no settings found: the pattern is wrong"
    missing = {name for name in names if f"{name}=" not in example}
    assert not missing
