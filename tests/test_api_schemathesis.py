"""Schemathesis against the API's own OpenAPI schema (/api/schema/): for every operation, generated
requests, valid and invalid, as a superuser and as a zone editor, on the seed data; no answer is a
server error and every answer matches the schema (status code, content type, headers, body).

The schema is fetched from /api/schema/ through the WSGI application in-process (no network), when
the module is collected, so each operation and user is its own test id:
`test_api[POST /api/projects/][editor]`. The examples are few and derandomized so that CI is
deterministic and the file stays within a few minutes.

Not covered, as not part of the schema: Swagger UI (/api/docs/, an HTML page) and the schema itself.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from projects.models import Zone, ZoneMembership, ZoneRole
from projects.tokens import api_token_create
from tests.seeds import load_seeds
from tracker.wsgi import application

EXAMPLES_PER_OPERATION = 8

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Schemathesis's WSGI client calls itself "localhost"; outside a test Django allows no host at all.
HOST = "localhost"
# Requests come as nginx passes them on (deploy/): over HTTPS, so that production's redirect to
# HTTPS, which the application's middleware fixed when it was made, leaves them alone.
HTTPS = {"X-Forwarded-Proto": "https"}

# Bounded: no coverage phase (its boundary cases are not bounded by max-examples), a fixed number of
# generated examples, valid and invalid, for each operation.
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
    }
)

with override_settings(ALLOWED_HOSTS=[HOST]):
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, config=CONFIG, headers=HTTPS
    )


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker) -> Iterator[dict[str, str]]:
    """The seed data and two users with tokens: a superuser, and an editor of 赣县区 (the seeds'
    zone with the most data). Loading the seeds takes seconds, so it is done once for the module, in
    a transaction rolled back at its end; each test runs in a savepoint of it (the `db` fixture)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    # Schemathesis calls the WSGI application itself, not Django's test client: keep Django from
    # closing the connection at each request's start and end (as the test client does), which would
    # end the tests' transaction on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        load_seeds()
        chief = users.create_superuser("fuzz-chief", password="pw-for-tests-only")
        editor = users.create_user("fuzz-editor", password="pw-for-tests-only")
        ZoneMembership.objects.create(user=editor, zone=Zone.objects.get(name="赣县区"), role=ZoneRole.EDITOR)
        yield {
            "superuser": api_token_create(user=chief)[1],
            "editor": api_token_create(user=editor)[1],
        }
        transaction.set_rollback(True)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["superuser", "editor"])
def token(request, tokens, db, settings) -> str:
    settings.ALLOWED_HOSTS = [HOST]
    return tokens[request.param]


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    # The data is rolled back after each operation, not after each example: the examples of an
    # operation share it (and see each other's writes), as a client's successive requests would.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api(case, token):
    case.call_and_validate(headers={**HTTPS, "Authorization": f"Token {token}"}, checks=CHECKS)
