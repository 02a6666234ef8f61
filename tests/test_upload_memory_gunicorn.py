"""Memory bombs against the real stack: a gunicorn worker (deploy/gunicorn.conf.py, one sync
worker) on a database of the test's own, fed through the API's import and the admin's forms the
hostile files of tests/bombs.py. Each is refused with a 4xx in the usual shape, nothing is written
but the ImportBatch that records a refused API upload, and the worker's peak RSS while the request
runs stays under 300 MB. A real projects workbook at the row limit is read too, as the control:
what is accepted stays under the same bound.

The peak is the kernel's: the worker's VmHWM is reset (/proc/<pid>/clear_refs, "5") before each
request and read after it; psutil polls the RSS meanwhile as well, for where the reset is not
allowed. The figures are printed (pytest -s) and docs/security.md quotes them."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import pytest
import requests
from django.conf import settings
from openpyxl import Workbook

from projects.workbooks.reader import MAX_ROWS
from tests import bombs
from tests.test_database_unavailable import free_port
from tests.test_report_workers import manage

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MB = 300
PASSWORD = "bomb-test-password-1"
TABLES = ("projects_project", "projects_indicatorvalue", "projects_sourcedocument", "projects_extractedfact")


# ---------------------------------------------------------------------------------------------
# The bombs, built in this process (a few MB each), and the requests that carry them


def _distinct_strings(count: int) -> Iterator[bytes]:
    yield bombs.DECLARATION + f'<sst xmlns="{bombs.MAIN}" count="1" uniqueCount="1">'.encode()
    for first in range(0, count, 10_000):
        yield "".join(f"<si><t>项目{n}</t></si>" for n in range(first, first + 10_000)).encode()
    yield b"</sst>"


def _distinct_paragraphs(count: int) -> Iterator[bytes]:
    """Paragraphs of one character each, told apart by Word's revision ids as Word writes them."""
    for first in range(0, count, 10_000):
        yield "".join(
            f'<w:p w:rsidR="{n:08X}"><w:r><w:t>{n % 10}</w:t></w:r></w:p>'
            for n in range(first, first + 10_000)
        ).encode()


def _projects_workbook(rows: int) -> bytes:
    """A projects workbook as staff would fill it: `rows` new projects of 赣县区."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("项目")
    sheet.append(["区域", "项目名称", "总投资", "单位", "阶段", "简介"])
    for n in range(rows):
        sheet.append(
            ["赣县区", f"新能源汽车零部件产业园建设项目{n}", 12.5, "亿元", "在建", f"建设厂房及配套设施{n}"]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHARED_STRINGS_10M = "sharedStrings 1千万条(同一条)"


def bombs_by_name() -> dict[str, Callable[[], bytes]]:
    """Name → builder: each is called when its test runs, so only one bomb is in memory at once."""
    return {
        SHARED_STRINGS_10M: lambda: bombs.workbook(
            strings=bombs.shared_strings(10_000_000, b"<si><t/></si>")
        ),
        "sharedStrings 300万条(各不相同)": lambda: bombs.workbook(strings=_distinct_strings(3_000_000)),
        "sharedStrings 1千万条,声明的大小是假的": lambda: bombs.lying_sizes(
            bombs.workbook(strings=bombs.shared_strings(10_000_000, b"<si><t/></si>")),
            "xl/sharedStrings.xml",
            1_000,
        ),
        "工作表300万行": lambda: bombs.workbook(sheet_part=bombs.sheet(bombs.rows(3_000_000))),
        "billion laughs": lambda: bombs.workbook(strings=bombs.billion_laughs("sst", bombs.MAIN)),
        "quadratic blowup": lambda: bombs.workbook(strings=bombs.quadratic_blowup("sst", bombs.MAIN)),
    }


@dataclass
class Answer:
    status: int
    body: str
    peak_mb: float
    rest_mb: float


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """gunicorn with one sync worker, and a logged-in session (the admin's login form)."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(root / "deploy/gunicorn.conf.py"), "tracker.wsgi"],
            cwd=root,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.session = requests.Session()
        deadline = time.monotonic() + 120
        while True:
            try:
                self.session.get(f"{self.url}/admin/login/", timeout=30)  # the first loads Django
                break
            except (requests.ConnectionError, requests.Timeout):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{self.stop()}") from None
                time.sleep(0.3)

    def login(self, username: str) -> None:
        page = self.session.get(f"{self.url}/admin/login/", timeout=30)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = self.session.post(
            f"{self.url}/admin/login/?next=/admin/",
            data={"csrfmiddlewaretoken": csrf, "username": username, "password": PASSWORD},
            timeout=30,
        )
        assert "sessionid" in self.session.cookies, done.text[:2000]

    def worker(self) -> psutil.Process:
        [worker] = psutil.Process(self.process.pid).children()
        return worker

    def post(self, path: str, files: dict, data: dict | None = None) -> Answer:
        """The request, with the worker's peak RSS while it ran."""
        csrf = self.session.cookies.get("csrftoken", "")
        if "csrfmiddlewaretoken" not in (data or {}) and path.startswith("/admin/"):
            data = {**(data or {}), "csrfmiddlewaretoken": self._form_token(path)}
        with measured(self.worker()) as memory:
            response = self.session.post(
                f"{self.url}{path}", files=files, data=data, headers={"X-CSRFToken": csrf}, timeout=600
            )
        return Answer(response.status_code, response.text, memory.peak_mb, memory.rest_mb)

    def _form_token(self, path: str) -> str:
        page = self.session.get(f"{self.url}{path}", timeout=30).text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def stop(self) -> str:
        self.process.terminate()
        return self.process.communicate(timeout=60)[0]


class Memory:
    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.rest_mb = process.memory_info().rss / 2**20
        self.polled = process.memory_info().rss
        self.hwm_reset = _reset_peak(process.pid)
        self.peak_mb = self.rest_mb

    def poll(self, stop: threading.Event) -> None:
        while not stop.wait(0.005):
            try:
                self.polled = max(self.polled, self.process.memory_info().rss)
            except psutil.NoSuchProcess:
                return


@contextmanager
def measured(process: psutil.Process) -> Iterator[Memory]:
    memory = Memory(process)
    stop = threading.Event()
    poller = threading.Thread(target=memory.poll, args=(stop,))
    poller.start()
    try:
        yield memory
    finally:
        stop.set()
        poller.join()
        hwm = _peak_kb(process.pid) * 1024 if memory.hwm_reset else 0
        memory.peak_mb = max(memory.polled, hwm) / 2**20


def _reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux, the process's owner or root)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def counts(url: str) -> dict[str, int]:
    """Rows of the tables a bomb could have written, straight from the database."""
    tables = (*TABLES, "projects_importbatch")
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=10)) as connection:
            return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    with psycopg.connect(url, autocommit=True) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


SETUP = f"""
from django.contrib.auth import get_user_model
get_user_model().objects.create_superuser("bomber", password="{PASSWORD}")
"""


def environment(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "false",
        "SECRET_KEY": "upload-memory-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_LOG_LEVEL": "warning",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "API_THROTTLE_USER": "none",
        "API_THROTTLE_WRITE": "none",
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[str]:
    """A new database on the suite's kind of database server (as tests/test_report_workers.py)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('bombs') / 'bombs.sqlite3'}"
        return
    name = f"tracker_bombs_{os.getpid()}"
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    password = db["PASSWORD"] or None
    with psycopg.connect(dbname="postgres", autocommit=True, password=password, **server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        secret = f":{password}" if password else ""
        yield f"postgres://{server['user']}{secret}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, password=password, **server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(database) -> Iterator[tuple[Server, str]]:
    """gunicorn on a migrated database with the seed data and a superuser, logged in."""
    env = environment(database)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "loaddata", "seeds", "-v0")
    manage(env, "shell", "-c", SETUP)
    running = Server(ROOT, env)
    try:
        running.login("bomber")
        yield running, database
    finally:
        log = running.stop()
    assert "Traceback" not in log, log
    assert "MemoryError" not in log, log


def report(name: str, answer: Answer) -> None:
    print(f"\n{name}: {answer.status}, worker {answer.rest_mb:.0f} MB at rest, peak {answer.peak_mb:.0f} MB")


# ---------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("name", list(bombs_by_name()))
def test_a_workbook_bomb_is_a_400_and_the_worker_stays_under_300_mb(server, name):
    running, database = server
    content = bombs_by_name()[name]()
    before = counts(database)

    answer = running.post("/api/imports/projects/", files={"file": ("bomb.xlsx", content)})

    report(name, answer)
    assert answer.status == 400, answer.body[:2000]
    body = json.loads(answer.body)
    [error] = body["errors"]
    assert (error["row"], error["rule"], error["code"], error["field"]) == (0, "file", "file", None)
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert body["detail"] == f"{error['message']} / {error['message_en']}"
    assert body["status"] == "invalid" and body["rows"] == 0
    after = counts(database)
    assert after.pop("projects_importbatch") == before.pop("projects_importbatch") + 1  # the record of it
    assert after == before
    assert answer.peak_mb < LIMIT_MB


def test_a_workbook_bomb_in_the_admins_excel_import_is_a_form_error(server):
    running, database = server
    before = counts(database)

    answer = running.post(
        "/admin/projects/importbatch/add/",
        files={"upload": ("bomb.xlsx", bombs_by_name()[SHARED_STRINGS_10M]())},
        data={"kind": "projects"},
    )

    report("Excel导入: " + SHARED_STRINGS_10M, answer)
    assert answer.status == 200
    assert "errorlist" in answer.body and "压缩比超过100倍" in answer.body
    assert counts(database) == before  # not even an ImportBatch
    assert answer.peak_mb < LIMIT_MB


@pytest.mark.parametrize(
    ("name", "paragraphs", "message"),
    [
        (
            "docx 150万段(同一段)",
            lambda: bombs.repeated(b"", bombs.paragraph("a"), 1_500_000, b""),
            "压缩比超过100倍",
        ),
        # Under the 2 MB upload limit, and packed as little as a real document: the count stops it.
        ("docx 40万段(各不相同)", lambda: _distinct_paragraphs(400_000), "段落数超过50,000的上限"),
    ],
)
def test_a_docx_bomb_in_text_entry_is_a_form_error(server, name, paragraphs, message):
    running, database = server
    content = bombs.document(body_part=bombs.body(paragraphs()))
    before = counts(database)

    answer = running.post(
        "/admin/projects/sourcedocument/extract/",
        files={"upload": ("报道.docx", content)},
        data={"title": "炸弹", "subject_year": "2022", "text": ""},
    )

    report(name, answer)
    assert answer.status == 200
    assert "errorlist" in answer.body and message in answer.body
    assert counts(database) == before
    assert answer.peak_mb < LIMIT_MB


def test_a_real_workbook_at_the_row_limit_is_checked_and_imported_under_300_mb(server):
    """The control: MAX_ROWS new projects, checked in a dry run (nothing written), then imported."""
    running, database = server
    content = _projects_workbook(MAX_ROWS)
    before = counts(database)

    checked = running.post("/api/imports/projects/?dry_run=1", files={"file": ("项目.xlsx", content)})

    report(f"真实工作簿 {MAX_ROWS:,}行(试导入)", checked)
    assert checked.status == 200, checked.body[:2000]
    body = json.loads(checked.body)
    assert (body["rows"], body["errors"], body["summary"]["created"]) == (MAX_ROWS, [], MAX_ROWS)
    after = counts(database)
    assert after.pop("projects_importbatch") == before.pop("projects_importbatch") + 1
    assert after == before
    assert checked.peak_mb < LIMIT_MB

    imported = running.post("/api/imports/projects/", files={"file": ("项目.xlsx", content)})

    report(f"真实工作簿 {MAX_ROWS:,}行(导入)", imported)
    assert imported.status == 201, imported.body[:2000]
    assert counts(database)["projects_project"] == before["projects_project"] + MAX_ROWS
    assert imported.peak_mb < LIMIT_MB
