"""`make bench` at a tiny size: the floors return the same numbers as the Django code they are
timed against, and bench/results.json has its schema.

The floors are PostgreSQL SQL, so the benchmark runs on a PostgreSQL database of its own
(h8b_test_<uuid> on the machine's server, BENCH_TEST_PG overrides the server) in both the SQLite
and the PostgreSQL pass of the suite, as `python -m bench.run` in a subprocess: it migrates,
generates a tiny synthetic province, checks every floor against the Django code, times each
operation and writes the JSON.
"""

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from bench import checks
from bench.run import OPERATIONS, main
from projects.reports import contents

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_TEST_PG", "postgres://postgres@127.0.0.1:5432")
KEYS = {"name", "median_s", "floor_s", "ratio", "target"}


@pytest.fixture(scope="module")
def bench_database():
    name = f"h8b_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{SERVER}/{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_small" WITH (FORCE)')  # admin_changelist's


def bench(url: str, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["BENCH_WORKER_LOG"] = str(out.parent / "workers.log")
    return subprocess.run(
        [sys.executable, "-m", "bench.run", "--database-url", url, "--out", str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


TINY = ["--zones", "6", "--projects", "150", "--months", "12", "--seed", "3"]


@pytest.fixture(scope="module")
def tiny_run(bench_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    out, found = folder / "results.json", folder / "checks.json"
    done = bench(
        bench_database,
        out,
        *TINY,
        *["--repeat", "1", "--import-rows", "60", "--import-repeat", "1"],
        *["--pass-formats", "html", "--memory-formats", "html", "--checks-out", str(found)],
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done, json.loads(out.read_text()), json.loads(found.read_text())


def test_every_floor_returns_the_same_numbers_as_the_django_code(tiny_run):
    _done, _results, found = tiny_run
    assert {name.split()[0] for name in found} == {"progress_report", "campaign_report", "project_list_api"}
    for name, outcome in found.items():
        assert outcome["differences"] == [], name
    # Checks of nothing prove nothing: the compared data has some of everything.
    latest = [o["compared"] for name, o in found.items() if name.startswith("progress_report root")]
    for kind in ("portfolios", "statements", "projects", "reporting", "late"):
        assert max(c[kind] for c in latest) > 0, kind
    assert found["project_list_api"]["compared"]["rows"] > 0


def test_results_json_lists_every_operation_with_its_ratio_to_the_floor(tiny_run):
    done, results, _found = tiny_run
    assert [r["name"] for r in results] == list(OPERATIONS)
    for r in results:
        assert KEYS <= set(r), r["name"]
        assert r["median_s"] > 0 and isinstance(r["target"], str) and r["target"]
        assert r["name"] in done.stdout  # the table
    timed = {r["name"]: r for r in results if r["floor_s"] is not None}
    assert set(timed) == set(OPERATIONS) - {"worker_peak_memory"}
    for name, r in timed.items():
        assert r["floor_s"] > 0
        if name == "monthly_import":  # on top of reading the workbooks
            expected = (r["median_s"] - r["extra"]["read_s"]) / r["floor_s"]
        else:
            expected = r["median_s"] / r["floor_s"]
        assert r["ratio"] == pytest.approx(expected, rel=0.02, abs=0.02), name


def test_each_operation_did_its_work(tiny_run):
    _done, results, _found = tiny_run
    by_name = {r["name"]: r["extra"] for r in results}
    assert by_name["monthly_import"]["figures"] >= 60
    assert by_name["monthly_import"]["written"] >= by_name["monthly_import"]["figures"]
    assert by_name["scheduled_pass"]["runs_done"] == by_name["scheduled_pass"]["zones"] == 6
    assert by_name["worker_peak_memory"]["status"] == "done"
    assert by_name["worker_peak_memory"]["peak_rss_mib"] > 10
    assert by_name["admin_changelist"]["queries"] > 0
    assert by_name["project_list_api"]["queries"] > 0


def test_the_synthetic_set_is_not_generated_again(tiny_run, bench_database, tmp_path):
    again = bench(bench_database, tmp_path / "r.json", *TINY, "--repeat", "1", "--only", "progress_report")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "不再重新生成" in again.stderr
    assert [r["name"] for r in json.loads((tmp_path / "r.json").read_text())] == ["progress_report"]


def test_a_floor_that_returns_other_numbers_is_caught():
    data = contents.Fetched(
        portfolios=[{"pk": 1}],
        entry_sums={
            1: {
                "projects": 2,
                "total": Decimal("10"),
                "planned": Decimal("4"),
                "planned_count": 2,
                "started_count": 1,
                "foreign": 0,
            }
        },
        project_sums={1: {"total": Decimal("3"), "reporting": 2}},
        statements={},
        metrics={},
        projects=[],
        late=[],
        due=[],
        campaigns=[],
    )
    floor = [
        {
            "id": 1,
            "projects": 2,
            "total": "10",
            "planned": "4",
            "planned_count": 2,
            "started": 1,
            "foreign": 0,
            "completed": "3",
            "reporting": 2,
        }
    ]
    assert checks._portfolio_figures(data) == checks._floor_portfolios(floor)
    floor[0]["completed"] = "3.01"
    assert checks._differences("portfolios", checks._portfolio_figures(data), checks._floor_portfolios(floor))


def test_bench_refuses_a_database_other_than_postgresql():
    with pytest.raises(SystemExit, match="PostgreSQL"):
        main(["--database-url", "sqlite:///bench.sqlite3"])


def test_bench_refuses_an_unknown_operation():
    with pytest.raises(SystemExit, match="未知的操作"):
        main(["--only", "nothing"])
