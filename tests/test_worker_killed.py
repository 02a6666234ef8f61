"""A task worker killed (SIGKILL, no chance to clean up) in the middle of a report, with real
processes on a database of the test's own (PostgreSQL when the suite runs on it): nothing of the
report is written, the next scheduler pass after REPORT_STALLED_MINUTES queues it again without
anyone's help, and the next worker completes it once, with all its files."""

import json
import os
import signal
import sqlite3
import time
from contextlib import closing

import psycopg

from tests.test_report_workers import database_url, manage, start  # noqa: F401 (a fixture)

# 赣县区's monthly report, made slow enough to kill honestly in the middle: 200 more projects whose
# 开工 is overdue fill the lagging-projects tables of all three formats (a PDF of many pages).
SETUP = """
from datetime import date
from decimal import Decimal
from projects.models import DatePrecision, Milestone, MilestoneKind, Project, ReportSchedule, Stage, Zone
zone = Zone.objects.get(name="赣县区")
projects = Project.objects.bulk_create(
    Project(zone=zone, name=f"进度滞后测试项目{n}", total_investment=Decimal(10**8), stage=Stage.CONSTRUCTION)
    for n in range(200)
)
Milestone.objects.bulk_create(
    Milestone(project=p, kind=MilestoneKind.START, planned_date=date(2022, 2, 1),
              planned_precision=DatePrecision.MONTH)
    for p in projects
)
ReportSchedule.objects.create(
    zone=zone, cadence="monthly", formats=["html", "xlsx", "pdf"], recipients=["leader@example.com"]
)
"""

SUMMARY = """
import hashlib, io, json
import pypdf
from django_tasks_db.models import DBTaskResult
from projects.models import ReportFile, ReportRun
run = ReportRun.objects.get()
files = ReportFile.objects.filter(run=run).order_by("format")
tasks = DBTaskResult.objects.filter(task_path="projects.tasks.generate_report")
print(json.dumps({
    "status": run.status,
    "attempts": run.attempts,
    "error": run.error,
    "has_snapshot": run.snapshot is not None,
    "fingerprint_matches": bool(run.snapshot) and run.snapshot["fingerprint"] == run.fingerprint != "",
    "finished": run.finished_at is not None,
    "files": [f.format for f in files],
    "files_intact": all(hashlib.sha256(bytes(f.content)).hexdigest() == f.sha256 for f in files),
    "pdf_pages": len(pypdf.PdfReader(io.BytesIO(bytes(files.get(format="pdf").content))).pages)
    if files else 0,
    "lagging": len(run.snapshot["reports"][0]["lagging_projects"]) if run.snapshot else 0,
    "delivery": run.delivery_status,
    "task_statuses": sorted(tasks.values_list("status", flat=True)),
}))
"""


def summary(env: dict) -> dict:
    return json.loads(manage(env, "shell", "-c", SUMMARY).strip().splitlines()[-1])


def run_status(url: str) -> str | None:
    """The report run's status, read straight from the database while the worker runs."""
    query = "SELECT status FROM projects_reportrun"
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=10)) as connection:
            row = connection.execute(query).fetchone()
    else:
        with psycopg.connect(url, autocommit=True) as connection:
            row = connection.execute(query).fetchone()
    return row[0] if row else None


def wait_for_status(url: str, status: str, process, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while run_status(url) != status:
        assert process.poll() is None, (
            f"the worker exited before the run was {status}: " + process.stderr.read()
        )
        assert time.monotonic() < deadline, f"the run was not {status} within {timeout} s"
        time.sleep(0.05)


def test_a_worker_killed_mid_report_leaves_nothing_and_the_next_pass_completes_it(database_url):  # noqa: F811
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASK_BACKEND": "database",
        "DEBUG": "false",
        "SECRET_KEY": "worker-killed-test-only",
        "ALLOWED_HOSTS": "localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "REPORT_STALLED_MINUTES": "30",
    }
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "loaddata", "seeds", "-v0")
    manage(env, "shell", "-c", SETUP)
    assert "新生成" in manage(env, "run_scheduled_reports", "--now", "2022-06-05")
    assert run_status(database_url) == "queued"

    # The worker claims the run (status 生成中) and is killed while it builds the snapshot and files.
    worker = start(env, "db_worker", "--no-startup-delay")
    wait_for_status(database_url, "running", worker)
    time.sleep(0.5)  # well inside the generation, which takes seconds
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    killed = summary(env)
    assert killed["status"] == "running", "the worker finished before it was killed: make the report slower"
    assert (killed["has_snapshot"], killed["files"], killed["finished"]) == (False, [], False)
    assert killed["attempts"] == 1
    # The task record of the dead worker stays "RUNNING": no worker takes it up again by itself.
    assert killed["task_statuses"] == ["RUNNING"]

    # Before REPORT_STALLED_MINUTES have passed the run is left alone (its worker may be slow) ...
    assert "重新排队" not in manage(env, "run_scheduled_reports", "--now", "2022-06-05")
    # ... after it, the next pass queues it again (as a second scheduler would, only once) ...
    stalled = {**env, "REPORT_STALLED_MINUTES": "0"}
    requeued = manage(stalled, "run_scheduled_reports", "--now", "2022-06-05")
    assert requeued.count("重新排队") == 1, requeued
    # ... and the next worker makes it, files and e-mail included.
    manage(env, "db_worker", "--batch", "--no-startup-delay")

    done = summary(env)
    assert done == {
        "status": "done",
        "attempts": 2,
        "error": "",
        "has_snapshot": True,
        "fingerprint_matches": True,
        "finished": True,
        "files": ["html", "pdf", "xlsx"],
        "files_intact": True,
        "pdf_pages": done["pdf_pages"],
        "lagging": done["lagging"],
        "delivery": "sent",
        "task_statuses": ["RUNNING", "SUCCESSFUL"],
    }
    assert done["lagging"] >= 200 and done["pdf_pages"] > 1

    # Completed once: later passes, however late, leave it as it is.
    assert "没有到期的报告" in manage(stalled, "run_scheduled_reports", "--now", "2022-06-05")
    manage(env, "db_worker", "--batch", "--no-startup-delay")
    assert summary(env)["attempts"] == 2
