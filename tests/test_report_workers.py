"""Real processes: two schedulers started at once, then task workers (`db_worker`) of the
database backend, on a database of the test's own (PostgreSQL when the suite runs on it).

This is the production shape: `run_scheduled_reports` on one or more machines, TASK_BACKEND=database,
and `db_worker` processes doing the work. Each due report must be made exactly once."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
from projects.models import ReportSchedule, Zone
for zone in Zone.objects.order_by("pk"):
    full = zone.name == "赣县区"
    ReportSchedule.objects.create(
        zone=zone,
        cadence="monthly",
        formats=["html", "xlsx", "pdf"] if full else ["html"],
        recipients=["leader@example.com"] if full else [],
    )
print(ReportSchedule.objects.count())
"""

SUMMARY = """
import json
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from projects.models import ReportRun
runs = ReportRun.objects.select_related("zone").order_by("pk")
gx = runs.get(zone__name="赣县区")
print(json.dumps({
    "runs": runs.count(),
    "periods": sorted({str(r.period_start) for r in runs}),
    "statuses": sorted({r.status for r in runs}),
    "attempts": sorted({r.attempts for r in runs}),
    "per_schedule": max(runs.values("schedule").annotate(n=Count("pk")).values_list("n", flat=True)),
    "tasks": DBTaskResult.objects.filter(task_path="projects.tasks.generate_report").count(),
    "gx_files": sorted(gx.files.values_list("format", flat=True)),
    "gx_completion": [
        p["completion"]
        for p in gx.snapshot["reports"][0]["portfolios"]
        if p["name"] == "市级工业倍增升级重点调度项目"
    ],
    "gx_delivery": gx.delivery_status,
}))
"""


@pytest.fixture
def database_url(tmp_path):
    """A new, empty database on the suite's kind of database server."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'workers.sqlite3'}"
        return
    name = f"tracker_workers_{uuid.uuid4().hex[:10]}"
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, password=db["PASSWORD"] or None, **server) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        yield f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(
            dbname="postgres", autocommit=True, password=db["PASSWORD"] or None, **server
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: int = 600) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out


def test_two_schedulers_and_two_workers_make_each_report_once(database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASK_BACKEND": "database",
        "DEBUG": "false",
        "SECRET_KEY": "workers-test-only",
        "ALLOWED_HOSTS": "localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "loaddata", "seeds", "-v0")
    schedules = int(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    assert schedules >= 5

    # Two schedulers at once: they race for every schedule; the database lets one make each run.
    first, second = (
        start(env, "run_scheduled_reports", "--now", "2022-06-05"),
        start(env, "run_scheduled_reports", "--now", "2022-06-05"),
    )
    outputs = [finish(first), finish(second)]
    made = sum(out.count("新生成") for out in outputs)
    assert made == schedules, outputs
    # Queued, not made: with the database backend the schedulers only enqueue.
    assert all("排队中" in line for out in outputs for line in out.splitlines() if "新生成" in line)

    workers = 2 if database_url.startswith("postgres") else 1
    processes = [start(env, "db_worker", "--batch", "--no-startup-delay") for _ in range(workers)]
    for process in processes:
        finish(process)

    summary = json.loads(manage(env, "shell", "-c", SUMMARY).strip().splitlines()[-1])
    assert summary == {
        "runs": schedules,
        "periods": ["2022-05-01"],
        "statuses": ["done"],
        "attempts": [1],
        "per_schedule": 1,
        "tasks": schedules,
        "gx_files": ["html", "pdf", "xlsx"],
        "gx_completion": [70.12],
        "gx_delivery": "sent",
    }

    # A later pass the same month: nothing new.
    assert "没有到期的报告" in manage(env, "run_scheduled_reports", "--now", "2022-06-06")
