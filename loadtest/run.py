"""The load test: staff of several zones reading and writing through the API of a real gunicorn.

    python loadtest/run.py [--duration 3m] [--users 24] [--restart-db] [--data synthetic|seeds]

(`make loadtest` runs it; LOAD_DURATION, LOAD_USERS and LOAD_RESTART_DB=1 set the options.)

1. A PostgreSQL database of its own: a new database on the server of LOADTEST_DATABASE_URL
   (default postgres://postgres@127.0.0.1:5432), or with --restart-db a private PostgreSQL cluster
   (initdb in a temporary folder), so that it can be stopped and started without disturbing anyone.
2. Migrated and filled: `generate_synthetic --zones 20 --projects 2000 --months 12 --seed 1`, or
   the seed fixture (--data seeds).
3. Users of the busiest zones (two editors and one viewer each) with API tokens.
4. gunicorn (4 workers) on loopback with the production settings, then locust, headless, for the
   duration: reads of each user's zone, and editors' writes, each with a unique marker
   (loadtest/locustfile.py). With --restart-db the cluster is stopped in the middle of the run
   and started again a few seconds later; nothing else is done to recover.
5. Afterwards: throughput, p50/p99 latency and errors by status per request, and every write
   counted in the database: acknowledged ones exactly once (with the acknowledged id), refused ones
   absent, none without an answer more than once, no row whose marker the client never sent.

Exits 1 on a 5xx (with --restart-db: a 5xx other than 503, or a 503 outside the outage and its
recovery), a request without an answer, or a lost or duplicated write. --summary writes the
figures as JSON (tests/test_loadtest.py reads it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tracker's settings and apps, however this file is started
PYTHON = sys.executable
SYNTHETIC = "--zones 20 --projects 2000 --months 12 --seed 1"
# Seconds after the database is back within which the last 503s of the outage may still come.
RECOVERY_GRACE = 30.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def duration_seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*([smh]?)", text.strip())
    if not match:
        raise SystemExit(f"无法识别的时长“{text}”:请写成 180、180s、3m 或 1h")
    return int(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match[2]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                raise SystemExit(f"端口 {port} 上的服务没有启动") from None
            time.sleep(0.2)


def manage(*arguments: str) -> None:
    """A management command, in this process (the run's environment is set before Django starts)."""
    import io

    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    log(" ".join(arguments))
    started = time.monotonic()
    call_command(*arguments, stdout=io.StringIO())
    log(f"  done in {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------------------------------------
# The database


def postgres_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise SystemExit(f"找不到 PostgreSQL 的 {name}:请安装 PostgreSQL 服务器(apt-get install postgresql)")
    return str(candidates[-1])


class PrivateCluster:
    """A PostgreSQL cluster of this run only, in a temporary folder, which the run may restart."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="loadtest-pg-"))
        self.data = self.folder / "data"
        # initdb and postgres refuse to run as root: as root, the cluster belongs to `postgres`.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, postgres_bin("pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
        )

    def create(self) -> None:
        log(f"private PostgreSQL cluster in {self.folder}, port {self.port}")
        subprocess.run(
            [*self.as_user, postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-l", str(self.folder / "postgres.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def server_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"


def admin_connection(server_url: str):
    import psycopg

    return psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=10)


@contextlib.contextmanager
def database(server_url: str, name: str, keep: bool) -> Iterator[str]:
    with admin_connection(server_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        # connect_timeout: while the server is down, no request waits long for a connection.
        yield f"{server_url}/{name}?connect_timeout=5"
    finally:
        if not keep:
            with admin_connection(server_url) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------
# Users and the plan for locust


def production_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no TLS in front, so no secure-only cookies and no redirect.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CONN_MAX_AGE": "60",
        # The load of a few users is far above a person's rate: throttling is not what is measured.
        "API_THROTTLE_USER": "none",
        "API_THROTTLE_ANON": "none",
        "API_THROTTLE_WRITE": "none",
        "TASK_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
    }


def prepare_plan(marker_prefix: str, zones_used: int) -> dict[str, Any]:
    """Users (two editors and a viewer for each of the busiest zones) with tokens, and what they
    will ask about. Runs in this process on the run's database."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Max

    from projects.access import zone_membership_grant
    from projects.models import IndicatorValue, Metric, Project, UnitKind, Zone
    from projects.tokens import api_token_create

    zones = list(Zone.objects.annotate(n=Count("projects")).filter(n__gt=0).order_by("-n", "pk")[:zones_used])
    if not zones:
        raise SystemExit("数据库中没有带项目的区域")
    # A flow figure no validation rule watches over time (completed investment has its own rules).
    metric = (
        Metric.objects.filter(unit_kind__in=[UnitKind.AMOUNT, UnitKind.COUNT], flow_or_stock="flow")
        .exclude(code="completed_investment")
        .order_by("-code")
        .first()
    )
    if metric is None:
        raise SystemExit("指标目录中没有可用的流量型金额或数量指标")
    latest = IndicatorValue.objects.filter(start_month__isnull=False).aggregate(Max("year"))["year__max"]
    year = latest or time.localtime().tm_year
    as_of_month = (
        IndicatorValue.objects.filter(year=year, start_month__isnull=False).aggregate(Max("end_month"))[
            "end_month__max"
        ]
        or 12
    )
    users = get_user_model().objects
    accounts = []
    for index, zone in enumerate(zones, start=1):
        projects = list(Project.objects.filter(zone=zone).order_by("pk").values_list("pk", flat=True)[:50])
        for role, number in (("editor", 1), ("editor", 2), ("viewer", 1)):
            user = users.create_user(f"load-{role}-{index}-{number}")  # no password: a token only
            zone_membership_grant(user=user, zone=zone, role=role)
            accounts.append(
                {
                    "username": user.username,
                    "token": api_token_create(user=user)[1],
                    "role": role,
                    "zone_id": zone.pk,
                    "zone": zone.name,
                    "projects": projects,
                    # The editors of a zone update the same few projects: some updates race.
                    "contended": projects[:5],
                }
            )
    return {
        "accounts": accounts,
        "year": year,
        "as_of": f"{year}-{as_of_month:02d}",
        "metric": metric.code,
        "metric_is_amount": metric.unit_kind == UnitKind.AMOUNT,
        "marker_prefix": marker_prefix,
    }


def warm_up(port: int, token: str, workers: int) -> None:
    """A few requests to every worker before the clock starts: the first request of a worker
    imports the views and builds the URL resolver, which is start-up, not load."""
    import urllib.request

    def fetch() -> None:
        for path in ("/api/zones/", "/api/projects/?page_size=5", "/api/milestones/?page_size=5"):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"}
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()

    threads = [threading.Thread(target=fetch) for _ in range(workers * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# ---------------------------------------------------------------------------------------------
# What happened


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def expected(entry: dict) -> bool:
    """A stale update refused with 409 or 412 is a correct answer."""
    return 200 <= entry["status"] < 300 or (entry["method"] == "PATCH" and entry["status"] in (409, 412))


def request_table(entries: list[dict], seconds: float) -> dict[str, dict[str, Any]]:
    by_name: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        by_name[entry["name"]].append(entry)
    by_name["TOTAL"] = entries
    table = {}
    for name, rows in by_name.items():
        times = [row["ms"] for row in rows]
        table[name] = {
            "requests": len(rows),
            "per_second": round(len(rows) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(times, 0.50), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "max_ms": round(max(times, default=0.0), 1),
            "statuses": dict(sorted(Counter(str(row["status"]) for row in rows).items())),
            "errors": sum(not expected(row) for row in rows),
        }
    return table


@dataclass
class Writes:
    outcome: dict[str, dict] = field(default_factory=dict)  # marker -> last log line

    @classmethod
    def read(cls, path: Path) -> Writes:
        writes = cls()
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            # The outcome line completes the "sent" line (which names the updated project).
            writes.outcome[entry["marker"]] = {**writes.outcome.get(entry["marker"], {}), **entry}
        return writes


def count_writes(writes: Writes, marker_prefix: str) -> dict[str, Any]:
    """Each write's marker counted in the database, against what the client was told."""
    from django.db import connections

    from projects.models import IndicatorValue, Milestone, Project

    connections.close_all()  # the connection of the set-up did not survive a restart
    found: dict[str, Counter] = {
        "project": Counter(),
        "milestone": Counter(),
        "indicator": Counter(),
        "update": Counter(),
    }
    ids: dict[str, set[int]] = defaultdict(set)
    rows = [
        ("project", Project._base_manager.filter(name__startswith=marker_prefix).values_list("name", "pk")),
        (
            "milestone",
            Milestone._base_manager.filter(phase__startswith=marker_prefix).values_list("phase", "pk"),
        ),
        (
            "indicator",
            IndicatorValue._base_manager.filter(note__startswith=marker_prefix).values_list("note", "pk"),
        ),
        (
            "update",
            Project.history.filter(
                history_type="~", history_change_reason__startswith=marker_prefix
            ).values_list("history_change_reason", "id"),
        ),
    ]
    for kind, query in rows:
        for marker, pk in query:
            found[kind][marker] += 1
            ids[marker].add(pk)
    problems: list[str] = []
    tally: dict[str, Counter] = defaultdict(Counter)
    for marker, entry in writes.outcome.items():
        kind, state = entry["kind"], entry["state"]
        state = "uncertain" if state == "sent" else state  # the run ended before an answer came
        count = found[kind].pop(marker, 0)
        tally[kind][state] += 1
        tally[kind]["retried"] += len(entry.get("statuses", [])) > 1
        tally[kind][f"{state}_found"] += count
        if state == "ack" and (count != 1 or entry["id"] not in ids[marker]):
            problems.append(f"{kind} {marker}: acknowledged as id {entry['id']}, found {count} time(s)")
        elif state == "refused" and count:
            problems.append(f"{kind} {marker}: refused with {entry['statuses']}, found {count} time(s)")
        elif state == "uncertain" and count > 1:
            problems.append(f"{kind} {marker}: no answer, found {count} times")
    for kind, rest in found.items():
        for marker, count in rest.items():
            problems.append(f"{kind} {marker}: in the database {count} time(s), never sent by the client")
    # Each updated project ends with the capacity of an update it acknowledged or may have made.
    updated = {
        marker: entry["project"]
        for marker, entry in writes.outcome.items()
        if entry["kind"] == "update" and entry["state"] in ("ack", "uncertain", "sent")
    }
    finals = dict(Project._base_manager.filter(pk__in=set(updated.values())).values_list("pk", "capacity"))
    for project, capacity in finals.items():
        if capacity.startswith(marker_prefix) and updated.get(capacity) != project:
            problems.append(f"project {project}: capacity {capacity} comes from no acknowledged update")
    return {
        "by_kind": {kind: dict(sorted(counts.items())) for kind, counts in sorted(tally.items())},
        "acknowledged": sum(counts["ack"] for counts in tally.values()),
        "acknowledged_found": sum(counts["ack_found"] for counts in tally.values()),
        "problems": problems,
    }


def answered(entry: dict) -> float:
    return entry["t"] + entry["ms"] / 1000


def outage_report(entries: list[dict], stopped: float, started: float) -> dict[str, Any]:
    """The requests answered from the moment the database stopped: what they got, and how long the
    errors lasted once it was back."""
    window = [e for e in entries if answered(e) >= stopped - 1]
    failing = [e for e in window if not expected(e)]
    last_failure = max((answered(e) for e in failing), default=None)
    after = [e for e in entries if e["t"] >= started and expected(e)]
    return {
        "database_down_s": round(started - stopped, 1),
        "statuses_while_down": dict(
            sorted(Counter(str(e["status"]) for e in window if answered(e) <= started).items())
        ),
        "failures_by_status": dict(sorted(Counter(str(e["status"]) for e in failing).items())),
        "errors_after_database_back_s": round(max(0.0, last_failure - started), 1) if last_failure else 0.0,
        "first_success_after_database_back_s": (
            round(min(answered(e) for e in after) - started, 2) if after else None
        ),
        "late_failures": sum(e["t"] > started + RECOVERY_GRACE for e in failing),
        "max_ms": round(max((e["ms"] for e in window), default=0.0), 1),
    }


def verdict(summary: dict[str, Any], restart: bool) -> list[str]:
    failures = []
    entries = summary["_entries"]
    server_errors = [e for e in entries if e["status"] >= 500]
    unanswered = [e for e in entries if e["status"] == 0]
    if restart:
        outage = summary["outage"]
        other = [e for e in server_errors if e["status"] != 503]
        if other:
            failures.append(f"{len(other)} 5xx other than 503: {Counter(e['status'] for e in other)}")
        if outage["late_failures"]:
            late = outage["late_failures"]
            failures.append(f"{late} errors more than {RECOVERY_GRACE:.0f} s after the database was back")
        if outage["first_success_after_database_back_s"] is None:
            failures.append("no request succeeded after the database came back")
        outside = [e for e in entries if not expected(e) and answered(e) < outage["stopped"] - 1]
        if outside:
            failures.append(f"{len(outside)} errors before the database was stopped")
    else:
        if server_errors:
            failures.append(f"{len(server_errors)} 5xx: {Counter(e['status'] for e in server_errors)}")
        if unanswered:
            failures.append(f"{len(unanswered)} requests without an answer")
    if not entries:
        failures.append("no requests were made")
    if summary["writes"]["acknowledged"] == 0:
        failures.append("no write was acknowledged")
    failures.extend(summary["writes"]["problems"])
    return failures


def print_summary(summary: dict[str, Any]) -> None:
    table = summary["requests"]
    print()
    print(f"{'request':<42} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses")
    for name, row in sorted(table.items(), key=lambda item: (item[0] == "TOTAL", item[0])):
        statuses = " ".join(f"{status}:{count}" for status, count in row["statuses"].items())
        print(
            f"{name:<42} {row['requests']:>7} {row['per_second']:>7} {row['p50_ms']:>8} "
            f"{row['p99_ms']:>8} {row['max_ms']:>8}  {statuses}"
        )
    print(
        f"\nduration {summary['seconds']:.0f} s, {summary['users']} locust users, data: {summary['data']}; "
        f"load average {summary['load_average']} on {summary['cpus']} CPUs"
    )
    writes = summary["writes"]
    print(f"acknowledged writes {writes['acknowledged']}, in the database {writes['acknowledged_found']}")
    for kind, counts in writes["by_kind"].items():
        print(f"  {kind:<10} " + " ".join(f"{key}={value}" for key, value in counts.items()))
    if "outage" in summary:
        print("database restart: " + json.dumps(summary["outage"], ensure_ascii=False))


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="负载测试:多个区域的用户经 gunicorn 并发读写 API")
    parser.add_argument("--duration", default=os.environ.get("LOAD_DURATION") or "3m", help="如 3m、90s")
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS") or 24))
    parser.add_argument("--restart-db", action="store_true", default=os.environ.get("LOAD_RESTART_DB") == "1")
    parser.add_argument("--restart-pause", type=float, default=5.0, help="数据库停止的秒数")
    parser.add_argument("--data", choices=["synthetic", "seeds"], default=None)
    parser.add_argument("--synthetic", default=os.environ.get("LOAD_SYNTHETIC") or SYNTHETIC)
    parser.add_argument("--zones", type=int, default=4, help="参与的区域数(每区两名编辑、一名只读用户)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn 进程数")
    parser.add_argument("--db-name", default=None, help="数据库名(默认 loadtest_<进程号>)")
    parser.add_argument("--keep", action="store_true", help="结束后保留数据库与日志")
    parser.add_argument("--summary", type=Path, help="把结果写成 JSON")
    args = parser.parse_args()
    args.keep_logs = False
    seconds = duration_seconds(args.duration)
    if args.users < 1:
        raise SystemExit("用户数须为正整数")
    synthetic_ready = (ROOT / "projects/management/commands/generate_synthetic.py").exists()
    data = args.data or ("synthetic" if synthetic_ready else "seeds")
    name = args.db_name or f"{os.environ.get('LOADTEST_DB_PREFIX', 'loadtest')}_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    cluster = PrivateCluster(free_port()) if args.restart_db else None
    processes: list[subprocess.Popen] = []
    try:
        if cluster is not None:
            cluster.create()
        server_url = (
            cluster.server_url
            if cluster
            else os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        )
        with database(server_url, name, args.keep) as database_url:
            env = production_env(database_url)
            os.environ.update(env)  # prepare_plan and count_writes use Django in this process
            manage("migrate", "--no-input")
            manage("createcachetable")
            if data == "synthetic":
                manage("generate_synthetic", *args.synthetic.split())
            else:
                manage("loaddata", "seeds")
            marker_prefix = f"LT{os.getpid()}-"
            plan = prepare_plan(marker_prefix, args.zones)
            (work / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
            zones = sorted({account["zone"] for account in plan["accounts"]})
            log(f"{len(plan['accounts'])} accounts in {len(zones)} zones: {', '.join(zones)}")

            port = free_port()
            server_log = open(work / "django.log", "w")
            gunicorn = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "tracker.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                 "--timeout", "60", "--preload", "--error-logfile", str(work / "gunicorn.log")],
                cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(gunicorn)
            wait_for_port(port, gunicorn)
            warm_up(port, plan["accounts"][0]["token"], args.workers)
            log(f"gunicorn ({args.workers} workers) on 127.0.0.1:{port}")

            locust_env = {
                **env,
                "LOADTEST_PLAN": str(work / "plan.json"),
                "LOADTEST_REQUESTS": str(work / "requests.jsonl"),
                "LOADTEST_WRITES": str(work / "writes.jsonl"),
            }
            (work / "requests.jsonl").touch()
            (work / "writes.jsonl").touch()
            log(f"locust: {args.users} users for {seconds} s{' with a database restart' if cluster else ''}")
            began = time.time()
            locust_log = open(work / "locust.log", "w")
            locust = subprocess.Popen(
                [PYTHON, "-m", "locust", "-f", str(ROOT / "loadtest/locustfile.py"), "--headless",
                 "-u", str(args.users), "-r", str(args.users), "--run-time", f"{seconds}s",
                 "--stop-timeout", "40", "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "locust"),
                 "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
                cwd=ROOT, env=locust_env, stdout=locust_log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            processes.append(locust)
            restart: dict[str, float] = {}
            if cluster is not None:

                def restart_database() -> None:
                    time.sleep(seconds * 0.4)
                    restart["stopped"] = time.time()
                    log("stopping PostgreSQL")
                    cluster.stop()
                    time.sleep(args.restart_pause)
                    log("starting PostgreSQL")
                    cluster.start()
                    restart["started"] = time.time()
                    log(f"PostgreSQL is back after {restart['started'] - restart['stopped']:.1f} s")

                restarter = threading.Thread(target=restart_database, daemon=True)
                restarter.start()
            locust.wait()
            ended = time.time()
            locust_log.close()
            if locust.returncode != 0:
                sys.stderr.write((work / "locust.log").read_text(encoding="utf-8", errors="replace")[-5000:])
                raise SystemExit(f"locust 异常退出(退出码 {locust.returncode})")
            if cluster is not None:
                restarter.join()
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=60)

            entries = [
                json.loads(line)
                for line in (work / "requests.jsonl").read_text(encoding="utf-8").splitlines()
            ]
            summary: dict[str, Any] = {
                "seconds": round(ended - began, 1),
                "users": args.users,
                "data": data if data == "seeds" else f"generate_synthetic {args.synthetic}",
                # Timings depend on what else the machine runs: say how busy it was.
                "cpus": os.cpu_count(),
                "load_average": round(os.getloadavg()[0], 1),
                "requests": request_table(entries, ended - began),
                "writes": count_writes(Writes.read(work / "writes.jsonl"), marker_prefix),
                "_entries": entries,
            }
            if restart:
                summary["outage"] = {
                    **outage_report(entries, restart["stopped"], restart["started"]),
                    "stopped": restart["stopped"],
                }
            failures = verdict(summary, bool(cluster))
            print_summary(summary)
            server_log.close()
            gunicorn_log = "".join(
                (work / log_name).read_text(encoding="utf-8", errors="replace")
                for log_name in ("gunicorn.log", "django.log")
            )
            tracebacks = gunicorn_log.count("Traceback")
            summary["gunicorn_tracebacks"] = tracebacks
            if tracebacks and not cluster:
                failures.append(f"{tracebacks} tracebacks in the server's log")
            summary["failures"] = failures
            if args.summary:
                public = {key: value for key, value in summary.items() if not key.startswith("_")}
                args.summary.write_text(json.dumps(public, ensure_ascii=False, indent=2), encoding="utf-8")
            if failures:
                print("\nFAILED:\n  " + "\n  ".join(failures[:50]))
                args.keep_logs = True
                return 1
            print("\nOK: no server error outside the outage; each acknowledged write is in the database once")
            return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if cluster is not None and not args.keep:
            cluster.remove()
        if args.keep or args.keep_logs:
            log(f"logs kept in {work}: requests.jsonl, writes.jsonl, gunicorn.log, django.log, locust.log")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
