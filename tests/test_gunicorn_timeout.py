"""gunicorn's timeout really ends a runaway request (issue 16: with threaded workers a request went
on burning a CPU for 7 minutes after its client gave up).

A real gunicorn started with the real deploy/gunicorn.conf.py, GUNICORN_TIMEOUT=2 and
GUNICORN_THREADS=4 (which the file ignores, saying so) serves the tracker wrapped in
tests/spinning_wsgi.py, whose /spin/ never returns. The worker serving it is killed and replaced,
its CPU stops because it is gone, the client's connection is closed, and the next request is
answered. The only clock is a generous wait for the process to go."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
TIMEOUT = 2  # seconds: GUNICORN_TIMEOUT
PATIENCE = 60  # seconds a state may take to come about on a loaded machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def until(condition, what: str):
    """Wait for `condition()` to be true, for at most PATIENCE seconds; return its value."""
    deadline = time.monotonic() + PATIENCE
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {PATIENCE} s: {what}")
        time.sleep(0.2)
    return value


def environment(tmp_path: Path, port: int, **more: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "DJANGO_"))},
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_TIMEOUT": str(TIMEOUT),
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-timeout-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SPIN_MARK": str(tmp_path / "spinning.pid"),
        **more,
    }


def start(tmp_path: Path, **more: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    with open(tmp_path / "gunicorn.log", "w") as log:  # the process keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "tests.spinning_wsgi:application"],
            cwd=ROOT,
            env=environment(tmp_path, port, **more),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, port


def answered(port: int, path: str = "/healthz") -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status
    except OSError:
        return None


def workers(master: psutil.Process) -> list[int]:
    return [child.pid for child in master.children() if child.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture
def server(tmp_path):
    """The spinning tracker under the real configuration; yields (master process, port, log file)."""
    process, port = start(tmp_path)
    try:
        until(lambda: answered(port) == 200, "gunicorn answers /healthz")
        yield psutil.Process(process.pid), port, tmp_path / "gunicorn.log"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_runaway_request_is_ended_by_the_timeout_and_the_server_answers_the_next(server, tmp_path):
    master, port, log = server
    (first,) = workers(master)
    runaway = socket.create_connection(("127.0.0.1", port), timeout=PATIENCE)
    runaway.sendall(b"GET /spin/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    mark = tmp_path / "spinning.pid"
    spinning = int(until(lambda: mark.exists() and mark.read_text(), "the request starts spinning"))
    assert spinning == first
    until(lambda: psutil.Process(spinning).cpu_times().user > 0.5, "the request burns the CPU")

    until(lambda: gone(spinning), "the worker of the runaway request is gone")

    # The request is over: gunicorn answers it 500 as the worker dies, and closes the connection.
    answer = b"".join(iter(lambda: runaway.recv(65536), b""))
    runaway.close()
    assert answer.startswith(b"HTTP/1.1 500 "), answer[:100]
    replacement = until(lambda: workers(master), "a new worker")
    assert replacement != [first]
    assert answered(port) == 200
    assert f"WORKER TIMEOUT (pid:{first})" in log.read_text()


def test_threads_are_ignored_and_said_to_be(server):
    _, _, log = server
    text = log.read_text()
    assert "GUNICORN_THREADS=4 ignored" in text
    assert "Using worker: sync" in text


def test_threads_given_on_the_command_line_are_refused(tmp_path):
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(CONFIG),
            "--threads",
            "4",
            "tests.spinning_wsgi:application",
        ],
        cwd=ROOT,
        env=environment(tmp_path, free_port()),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert process.returncode != 0
    assert "refusing to start with worker class gthread and 4 threads" in process.stdout + process.stderr
