"""While the database cannot be reached, the tracker answers 503 with Retry-After instead of a 500.

A real gunicorn serves the tracker with DATABASE_URL naming a port where nothing listens (the test
holds the port bound, without listening, so that connecting is refused): every request that needs
the database meets a real connection error from psycopg. Recovery once the database is back is
proved by the load test with a PostgreSQL restart (tests/test_loadtest.py)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The tracker under gunicorn, its database on a closed port; yields the base URL."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound and not listening: connections to it are refused
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed.getsockname()[1]}/tracker?connect_timeout=3",
        "DEBUG": "false",
        "SECRET_KEY": "database-unavailable-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tracker.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{process.communicate()[0]}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        log = process.communicate(timeout=30)[0]
        closed.close()
    assert "Traceback" not in log, log


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_api_answers_503_with_retry_after_and_a_bilingual_reason(server):
    status, headers, body = fetch(f"{server}/api/projects/", {"Authorization": "Token " + "0" * 40})

    assert status == 503
    assert headers["Retry-After"] == "5"
    assert headers["Content-Type"] == "application/json"
    answer = json.loads(body)
    assert answer["code"] == "database_unavailable"
    chinese, english = answer["detail"].split(" / ")
    assert "数据库" in chinese
    assert "database" in english


def test_admin_page_answers_503_with_a_chinese_page(server):
    status, headers, body = fetch(f"{server}/admin/", {"Cookie": "sessionid=" + "a" * 32})

    assert status == 503
    assert headers["Retry-After"] == "5"
    assert headers["Content-Type"].startswith("text/html")
    assert "数据库暂时无法连接" in body


def test_a_request_that_needs_no_database_is_served(server):
    """The middleware answers for the database only: the login form, which reads nothing, is there."""
    status, _, body = fetch(f"{server}/admin/login/", {})

    assert status == 200
    assert 'name="password"' in body
