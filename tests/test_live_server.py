"""The live server the browser tests use answers concurrent requests without errors.

Chromium sends several requests at once (a page and its autocomplete lookups). On SQLite the test
database lives in memory on one connection, which the live server shares with the test; its threads
must not use that connection at the same time (tests/browser.py, SerialWSGIServer)."""

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection

from projects.tokens import api_token_create
from tests.browser import SerialWSGIServer
from tests.factories import ZoneFactory


def test_the_live_server_is_serial_on_in_memory_sqlite_and_threaded_elsewhere(live_server):
    expected = SerialWSGIServer if connection.vendor == "sqlite" else ThreadedWSGIServer
    assert type(live_server.thread.httpd) is expected


def test_forty_concurrent_api_reads_all_succeed(live_server, django_user_model):
    ZoneFactory.create_batch(3)
    user = django_user_model.objects.create_superuser("reader", password="pw-for-tests-only")
    key = api_token_create(user=user)[1]

    def read(_: int) -> tuple[int, int]:
        request = urllib.request.Request(
            f"{live_server.url}/api/zones/", headers={"Authorization": f"Token {key}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)["count"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(read, range(40)))
    assert answers == [(200, 3)] * 40
