"""/healthz: what nginx, a load balancer or a monitor asks before sending users to an app server."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ASK = """
import json
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/healthz")
login = Client(HTTP_HOST="localhost").get("/admin/login/")
print(json.dumps({"status": response.status_code, "retry": response.get("Retry-After"),
                  "body": json.loads(response.content), "login": login.status_code}))
"""


def ask_in_a_process(database_url: str, **environment: str) -> dict:
    env = {**os.environ, "DEBUG": "true", "SECRET_KEY": "x", "DATABASE_URL": database_url, **environment}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ASK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_healthy_with_its_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_needs_no_login_and_answers_only_reads(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_unavailable_when_the_database_cannot_be_reached(tmp_path):
    # A real server that is not there: nothing listens on port 1 of this machine.
    answer = ask_in_a_process("postgres://postgres@127.0.0.1:1/nothing?connect_timeout=2")
    assert answer["status"] == 503
    assert answer["retry"] == "5"
    assert answer["body"]["database"] == "unreachable"


def test_healthy_on_a_reachable_database_in_a_process(tmp_path):
    answer = ask_in_a_process(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert answer == {
        "status": 200,
        "retry": None,
        "body": {"status": "ok", "database": "ok"},
        "login": 200,
    }


def test_answers_plain_http_in_production_where_pages_redirect_to_https(tmp_path):
    production = {"DEBUG": "false", "SECRET_KEY": "a-production-like-key-" * 3, "ALLOWED_HOSTS": "localhost"}
    answer = ask_in_a_process(f"sqlite:///{tmp_path / 'empty.sqlite3'}", **production)
    assert (answer["status"], answer["login"]) == (200, 301)
