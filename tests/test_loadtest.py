"""The load test itself, short: loadtest/run.py with a few users for 15 seconds against gunicorn,
on a private PostgreSQL cluster that it stops and starts in the middle of the run.

What `make loadtest` promises is held here on a small scale: no server error but the 503s of the
outage, the application back without a manual step, and every write the client was told about in
the database exactly once (loadtest/run.py counts them). It needs PostgreSQL's server programs
(initdb, pg_ctl) but none of the suite's databases, so it runs the same in both passes."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_load_with_a_database_restart_loses_and_duplicates_no_write(tmp_path):
    summary_file = tmp_path / "summary.json"
    options = {
        "--duration": "15s",
        "--users": "6",
        "--restart-pause": "3",
        "--zones": "3",
        "--synthetic": "--zones 6 --projects 120 --months 6 --seed 1",
        "--summary": str(summary_file),
    }
    arguments = [part for pair in options.items() for part in pair]
    command = [sys.executable, "loadtest/run.py", "--restart-db", *arguments]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "LOAD_DURATION": "", "LOAD_USERS": "", "LOAD_RESTART_DB": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    summary = json.loads(summary_file.read_text(encoding="utf-8"))

    assert summary["failures"] == []
    total = summary["requests"]["TOTAL"]
    statuses = {int(status): count for status, count in total["statuses"].items()}
    assert statuses.get(200, 0) > 0 and statuses.get(201, 0) > 0
    assert not {status for status in statuses if status >= 500} - {503}
    outage = summary["outage"]
    assert outage["failures_by_status"].get("503", 0) > 0, "the restart was not noticed"
    assert set(outage["failures_by_status"]) == {"503"}
    assert outage["late_failures"] == 0
    assert outage["first_success_after_database_back_s"] is not None
    writes = summary["writes"]
    assert writes["problems"] == []
    assert writes["acknowledged"] > 0
    assert writes["acknowledged_found"] == writes["acknowledged"]
    assert set(writes["by_kind"]) <= {"project", "milestone", "indicator", "update"}
    for kind, counts in writes["by_kind"].items():
        assert counts.get("ack_found", 0) == counts.get("ack", 0), kind
        assert counts.get("refused_found", 0) == 0, kind
