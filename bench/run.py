"""`python -m bench.run` (what `make bench` runs): the tracker's operations on the synthetic
province, each timed against its floor in the same run, interleaved, median of repeated runs.

Prints a table and writes bench/results.json: a list of {"name", "median_s", "floor_s", "ratio",
"target", "met", "extra"}. A missed target is reported, not a failure: the exit status is non-zero
only when the benchmark itself cannot run. PostgreSQL only (the floors are PostgreSQL SQL).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"
MARKER_TABLE = "bench_dataset"  # which synthetic set the database holds (kept outside the app's tables)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Timing


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def interleaved(
    label: str, repeat: int, work: Callable[[], object], floor: Callable[[], object]
) -> tuple[float, float]:
    """Medians of `repeat` runs of the work and of its floor, alternating, after one warm-up each."""
    work()
    floor()
    works, floors = [], []
    for i in range(repeat):
        works.append(timed(work))
        floors.append(timed(floor))
        log(f"  {label}: {i + 1}/{repeat}  {works[-1]:.4f}s vs floor {floors[-1]:.4f}s")
    return statistics.median(works), statistics.median(floors)


def result(name: str, median_s: float, floor_s: float | None, target: str, met: bool | None, **extra) -> dict:
    ratio = round(median_s / floor_s, 2) if floor_s else None
    return {
        "name": name,
        # Microseconds: a tiny floor (under a millisecond in tests/test_bench.py) rounded to 0.1 ms
        # would no longer give the ratio written beside it.
        "median_s": round(median_s, 6),
        "floor_s": round(floor_s, 6) if floor_s is not None else None,
        "ratio": ratio,
        "target": target,
        "met": met,
        "extra": extra,
    }


def floor_query(sql: str, params: dict) -> Callable[[], list]:
    from django.db import connection

    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


# ---------------------------------------------------------------------------------------------
# The data set


@dataclasses.dataclass
class Sizes:
    zones: int = 200
    projects: int = 50_000
    months: int = 36
    seed: int = 1
    end: str = ""

    def args(self) -> list[str]:
        args = ["--zones", str(self.zones), "--projects", str(self.projects), "--months", str(self.months)]
        args += ["--seed", str(self.seed)]
        return args + (["--end", self.end] if self.end else [])


def manage(*args: str, env: dict | None = None, quiet: bool = False) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env or os.environ.copy(),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def ensure_dataset(url: str, sizes: Sizes, env: dict | None = None) -> None:
    """Migrate, and generate the synthetic set unless the database already holds exactly it
    (`env`: the environment of the manage.py commands, for a database other than the bench's)."""
    import psycopg

    wanted = " ".join(sizes.args())
    manage("migrate", "--no-input", "-v0", env=env)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (args text NOT NULL)")
        held = conn.execute(f"SELECT args FROM {MARKER_TABLE}").fetchone()
        projects = conn.execute("SELECT count(*) FROM projects_project").fetchone()[0]
    if held and held[0] == wanted:
        log(f"数据库已有合成数据({wanted}),不再重新生成")
        return
    if projects:
        raise SystemExit(
            f"基准数据库已有 {projects} 个项目,但不是本次要求的合成数据集({wanted});"
            "请删除该数据库(dropdb)或用 BENCH_DATABASE_URL 指定一个空库"
        )
    log(f"生成合成数据:generate_synthetic {wanted}")
    manage("generate_synthetic", *sizes.args(), env=env, quiet=env is not None)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {MARKER_TABLE}")
        conn.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s)", [wanted])
        conn.execute("VACUUM ANALYZE")


# ---------------------------------------------------------------------------------------------
# The operations


@dataclasses.dataclass
class Context:
    repeat: int
    import_rows: int
    import_repeat: int
    pass_formats: list[str]
    pass_repeat: int = 1
    memory_formats: list[str] = dataclasses.field(default_factory=lambda: ["html", "xlsx", "pdf"])
    year: int = 0
    month: int = 0
    url: str = ""  # the bench database's

    def load(self) -> None:
        from projects.models import IndicatorValue

        latest = (
            IndicatorValue.objects.filter(metric__code="completed_investment", project__isnull=False)
            .order_by("-year", "-end_month")
            .values_list("year", "end_month")
            .first()
        )
        if latest is None:
            raise SystemExit("数据库中没有项目的完成投资数据,无法运行基准测试")
        self.year, self.month = latest


def biggest_zone() -> int:
    """The zone with the most projects on its own portfolios: a large zone's report."""
    from django.db.models import Count

    from projects.models import Zone

    return (
        Zone.objects.annotate(n=Count("portfolios__entries"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)[0]
    )


def bench_progress_report(ctx: Context) -> dict:
    from django.db import connection

    from bench import floors
    from projects.models import Zone
    from projects.reports.progress import progress_report

    zone = Zone.objects.get(pk=biggest_zone())
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        progress_report(zone, ctx.year, ctx.month)
    count = len(queries)  # now: each request of the test client empties the log
    params = floors.report_params([zone.pk], ctx.year, ctx.month)
    median, floor = interleaved(
        "progress_report",
        ctx.repeat,
        lambda: progress_report(zone, ctx.year, ctx.month),
        floor_query(floors.PROGRESS_REPORT, params),
    )
    return result(
        "progress_report",
        median,
        floor,
        "≤ 1.5×",
        median <= 1.5 * floor,
        zone=zone.name,
        period=f"{ctx.year}-{ctx.month:02d}",
        queries=count,
    )


def province_campaign(year: int):
    """A 双过半 campaign of every zone (made for the benchmark inside a transaction rolled back)."""
    from projects.models import Campaign, Zone

    campaign = Campaign.objects.create(
        name="基准测试:全省双过半",
        year=year,
        start_month=1,
        end_month=6,
        checkpoint=date(year, 6, 30),
        required_share=50,
    )
    campaign.zones.set(Zone.objects.all())
    return campaign


def bench_campaign_report(ctx: Context) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench import floors
    from projects.reports.progress import campaign_report

    with transaction.atomic():
        campaign = province_campaign(ctx.year)
        month = min(ctx.month, campaign.checkpoint.month)
        roots = list(campaign.zones.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as queries:
            report = campaign_report(campaign, ctx.year, month)
        count = len(queries)
        params = floors.report_params(roots, ctx.year, month)
        median, floor = interleaved(
            "campaign_report",
            ctx.repeat,
            lambda: campaign_report(campaign, ctx.year, month),
            floor_query(floors.CAMPAIGN_REPORT, params),
        )
        transaction.set_rollback(True)
    return result(
        "campaign_report",
        median,
        floor,
        "≤ 2×",
        median <= 2 * floor,
        zones=len(report.standings),
        queries=count,
    )


def bench_user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def api_case() -> tuple[int, str, int]:
    """A city-level zone (a child of the root) and the stage with most of its projects: a
    filtered list with several pages; the second page when there is one."""
    from django.db.models import Count

    from projects.models import Project, Zone

    root = Zone.objects.filter(parent__isnull=True).annotate(n=Count("children")).order_by("-n").first()
    city = Zone.objects.filter(parent=root).order_by("pk").first() or root
    ids = Zone.objects.subtree_ids(city)
    stage, count = (
        Project.objects.filter(zone__in=ids)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .order_by("-n", "stage")
        .first()
    )
    return city.pk, stage, 2 if count > 50 else 1


def bench_project_api(ctx: Context) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import floors

    client = Client()
    client.force_login(bench_user())
    zone, stage, page = api_case()
    url = f"/api/projects/?zone={zone}&stage={stage}&page={page}&page_size=50"

    def get() -> None:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")

    with CaptureQueriesContext(connection) as queries:
        get()
    count = len(queries)  # now: each request of the test client empties the log
    params = floors.project_page_params(zone, [stage], page)
    median, floor = interleaved("project_api", ctx.repeat, get, floor_query(floors.PROJECT_PAGE, params))
    return result("project_list_api", median, floor, "≤ 3×", median <= 3 * floor, url=url, queries=count)


def plans(captured: list[dict], options: str = "") -> list[tuple[str, list[tuple]]]:
    """Each captured SELECT with the rows of its EXPLAIN (estimated plan; `options` such as
    "(FORMAT JSON)")."""
    from django.db import connection

    found = []
    for query in captured:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {options} {sql}")
            found.append((sql, cursor.fetchall()))
    return found


def plan_texts(captured: list[dict]) -> list[tuple[str, str]]:
    return [(sql, "\n".join(row[0] for row in rows)) for sql, rows in plans(captured)]


def full_count_scans(captured: list[dict]) -> list[str]:
    """The captured queries that count the projects by reading the whole table."""
    return [
        sql[:200]
        for sql, plan in plan_texts(captured)
        if sql.lstrip().upper().startswith("SELECT COUNT(") and "Seq Scan on projects_project" in plan
    ]


def full_scans(captured: list[dict]) -> list[str]:
    """Any captured query that reads the whole projects table (a sort of every row for a page …)."""
    return [sql[:200] for sql, plan in plan_texts(captured) if "Seq Scan on projects_project " in plan + " "]


SMALL = Sizes(zones=2, projects=50, months=12, seed=1)  # the same changelist at 50 rows
SCANNED = ("projects_project", "projects_milestone")


def small_database(url: str) -> str:
    """`<bench database>_small`, created, migrated and holding SMALL (reused when present)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    small = f"{base}/{name}_small"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [f"{name}_small"]).fetchone():
            log(f"  admin_changelist: 创建小数据库 {name}_small")
            conn.execute(f'CREATE DATABASE "{name}_small"')
    ensure_dataset(small, SMALL, env={**os.environ, "DATABASE_URL": small})
    return small


def admin_urls() -> dict[str, str]:
    """The project changelist unfiltered, and filtered to the zone whose project count is nearest 50."""
    from django.db.models import Count

    from projects.models import Zone

    zone = (
        Zone.objects.annotate(n=Count("projects"))
        .filter(n__gte=1)
        .order_by(models_abs_distance(50), "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return {"all": "/admin/projects/project/", "zone": f"/admin/projects/project/?zone__id__exact={zone}"}


def admin_client():
    from django.test import Client

    client = Client()
    client.force_login(bench_user())
    return client


def get_page(client, url: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")

    return run


def admin_queries() -> dict[str, dict]:
    """Each changelist of admin_urls() with the queries it runs (after one warm-up request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.models import Project

    client = admin_client()
    found = {"rows": Project.objects.count()}
    for key, url in admin_urls().items():
        get_page(client, url)()
        with CaptureQueriesContext(connection) as queries:
            get_page(client, url)()
        found[key] = {"url": url, "queries": queries.captured_queries}
    return found


def small_admin_queries(url: str) -> dict:
    """admin_queries() on the small database, in a process of its own (its own connection)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--database-url", small_database(url), "--admin-queries"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def aggregated_scans(captured: list[dict]) -> list[str]:
    """The captured queries whose plan reads a whole large table (projects, milestones) under an
    Aggregate: a GROUP BY or a count over every row (a scan under a Limit stops early, and is not)."""

    def scans(node: dict, aggregated: bool) -> bool:
        if node["Node Type"] == "Limit":
            return False
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in SCANNED and aggregated:
            return True
        aggregated = aggregated or node["Node Type"] in ("Aggregate", "Group", "WindowAgg")
        return any(scans(child, aggregated) for child in node.get("Plans", []))

    found = []
    for sql, rows in plans(captured, "(FORMAT JSON)"):
        plan = rows[0][0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        if scans(plan[0]["Plan"], False):
            found.append(sql[:200])
    return found


def bench_admin_changelist(ctx: Context) -> dict:
    """GET /admin/projects/project/ at 50,000 rows: the same query count as at 50 rows (the small
    database), unfiltered and filtered to a zone, and no whole-table scan under an aggregate."""
    from bench import floors

    large = admin_queries()
    small = small_admin_queries(ctx.url)
    counts = {key: len(large[key]["queries"]) for key in ("all", "zone")}
    small_counts = {key: len(small[key]["queries"]) for key in ("all", "zone")}
    captured = large["all"]["queries"] + large["zone"]["queries"]
    aggregated = aggregated_scans(captured)
    client = admin_client()
    page = get_page(client, large["all"]["url"])
    median, floor = interleaved("admin_changelist", ctx.repeat, page, floor_query(floors.ADMIN_PAGE, {}))
    same = counts == small_counts
    return result(
        "admin_changelist",
        median,
        floor,
        "查询数与50行时相同,聚合中无大表全表扫描 / same query count as at 50 rows, no whole-table scan"
        " under an aggregate",
        same and not aggregated,
        rows=large["rows"],
        queries=counts["all"],
        queries_small=small_counts["all"],
        small_rows=small["rows"],
        queries_zone=counts["zone"],
        queries_zone_small=small_counts["zone"],
        zone_url=large["zone"]["url"],
        aggregate_scans=aggregated,
        full_count_scans=full_count_scans(captured),
        full_scans=full_scans(large["all"]["queries"]),
    )


def models_abs_distance(n: int):
    from django.db.models import F
    from django.db.models.functions import Abs

    return Abs(F("n") - n).asc()


# -- 5. the import of monthly figures from xlsx


@dataclasses.dataclass
class ImportCase:
    sheets: list[tuple[int, int, bytes]]  # (zone id, month, workbook) in the order they are imported
    value_ids: list[int]  # the stored figures the workbooks hold: deleted before each import
    rows: list[dict]  # those figures as stored, for the COPY floor
    figures: int
    today: date


def import_case(ctx: Context, target_rows: int) -> ImportCase:
    """Workbooks holding `target_rows` stored figures of the latest months, made as staff would
    download them before entering those months (the figures deleted, then written in)."""
    from django.db import transaction

    from projects.models import IndicatorValue, Zone
    from projects.monthly_entry import monthly_sheet
    from projects.workbooks.template import monthly_workbook

    months = []
    year, month = ctx.year, ctx.month
    while month >= 1 and len(months) < 12:
        months.insert(0, month)
        month -= 1
    zones = list(Zone.objects.order_by("pk").values_list("pk", flat=True))
    chosen: list[tuple[int, int]] = []
    taken: dict[int, set[int]] = {}
    originals = {}
    count = 0
    today = date(year, ctx.month, 28) + timedelta(days=4)
    today = today.replace(day=1)
    for m in reversed(months):
        for zone_id in zones:
            if count >= target_rows:
                break
            sheet = monthly_sheet(Zone.objects.get(pk=zone_id), year, m, today=today)
            ids = {row.project.pk for row in sheet.rows if row.ytd is not None}
            if not ids or ids & taken.setdefault(m, set()):
                continue  # a project on two zones' lists is entered once a month
            taken[m] |= ids
            chosen.append((zone_id, m))
            originals[(zone_id, m)] = sheet
            count += len(ids)
        if count >= target_rows:
            break
    chosen.sort(key=lambda c: (c[1], c[0]))
    values = IndicatorValue.objects.completed_investment(year).filter(
        project__in={pid for m in taken for pid in taken[m]}, end_month__in=set(taken)
    )
    rows = [r for r in values.values() if r["project_id"] in taken.get(r["end_month"], ())]
    value_ids = [r["id"] for r in rows]
    sheets = []
    with transaction.atomic():
        delete_values(value_ids)
        for zone_id, m in chosen:
            before = {row.project.pk: row for row in originals[(zone_id, m)].rows}
            sheet = monthly_sheet(Zone.objects.get(pk=zone_id), year, m, today=today)
            sheet.rows = [
                dataclasses.replace(
                    row,
                    ytd=before[row.project.pk].ytd,
                    month_amount=before[row.project.pk].month_amount,
                    scale=before[row.project.pk].scale,
                )
                if row.project.pk in before
                else row
                for row in sheet.rows
            ]
            sheets.append((zone_id, m, monthly_workbook(sheet)))
        transaction.set_rollback(True)
    return ImportCase(sheets, value_ids, rows, len(rows), today)


def delete_values(ids: list[int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_indicatorvalue WHERE id = ANY(%s)", [ids])


def import_workbooks(case: ImportCase, user) -> int:
    from projects.models import ImportKind, Zone
    from projects.workbooks.imports import check_import, commit_import

    created = 0
    for zone_id, _month, content in case.sheets:
        checked = check_import(
            ImportKind.MONTHLY,
            content,
            user=user,
            zone=Zone.objects.get(pk=zone_id),
            today=case.today,
            confirm_warnings=True,
        )
        summary = commit_import(checked, user=user)
        created += sum(v for k, v in summary.items() if k != "unchanged")
    return created


def read_workbooks(case: ImportCase) -> None:
    from projects.models import ImportKind
    from projects.workbooks.imports import COLUMNS
    from projects.workbooks.reader import read_sheet

    for _zone, _month, content in case.sheets:
        read_sheet(content, COLUMNS[ImportKind.MONTHLY], kind=ImportKind.MONTHLY)


def copy_rows(case: ImportCase, user) -> None:
    """The floor: COPY the same figures, and their history rows, into their tables."""
    from django.db import connection
    from django.utils import timezone

    from projects.models import IndicatorValue

    fields = [f for f in IndicatorValue._meta.concrete_fields if f.column != "id"]
    history = IndicatorValue.history.model
    history_fields = [f for f in history._meta.concrete_fields if f.column != "history_id"]
    now = timezone.now()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        columns = ", ".join(f.column for f in fields)
        with raw.copy(f"COPY projects_indicatorvalue ({columns}) FROM STDIN") as copy:
            for row in case.rows:
                copy.write_row([row[f.attname] for f in fields])
        extra = {
            "history_date": now,
            "history_change_reason": "月报填报",
            "history_type": "+",
            "history_user_id": user.pk,
        }
        columns = ", ".join(f.column for f in history_fields)
        with raw.copy(f"COPY {history._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in case.rows:
                values = {**row, **extra}
                copy.write_row([values.get(f.attname, values.get(f.column)) for f in history_fields])


def bench_import(ctx: Context) -> dict:
    from django.db import transaction

    user = bench_user()
    log(f"  import: 准备 {ctx.import_rows} 个月报数值的工作簿(不计时)")
    case = import_case(ctx, ctx.import_rows)
    log(f"  import: {len(case.sheets)} 个工作簿,{case.figures} 个数值")
    imports, copies, reads, written = [], [], [], []
    for i in range(ctx.import_repeat):
        reads.append(timed(lambda: read_workbooks(case)))
        with transaction.atomic():
            delete_values(case.value_ids)
            imports.append(timed(lambda: written.append(import_workbooks(case, user))))
            transaction.set_rollback(True)
        with transaction.atomic():
            delete_values(case.value_ids)
            copies.append(timed(lambda: copy_rows(case, user)))
            transaction.set_rollback(True)
        log(
            f"  import: {i + 1}/{ctx.import_repeat}  {imports[-1]:.2f}s"
            f" (读取 {reads[-1]:.2f}s) vs COPY {copies[-1]:.2f}s"
        )
    import_s, read_s, copy_s = (statistics.median(x) for x in (imports, reads, copies))
    ratio = (import_s - read_s) / copy_s
    entry = result("monthly_import", import_s, copy_s, "(导入 − 读取) / COPY ≤ 3×", ratio <= 3)
    entry["ratio"] = round(ratio, 2)
    entry["extra"] = {
        "figures": case.figures,
        "written": written[0] if written else None,
        "workbooks": len(case.sheets),
        "read_s": round(read_s, 6),
        "ratio_is": "(median_s - read_s) / floor_s",
    }
    return entry


# -- 6. a scheduled pass with two db_worker processes


def worker_log():
    """The workers' own log (one line per task) goes to a file, not into the table's output."""
    return open(os.environ.get("BENCH_WORKER_LOG", "/tmp/bench-workers.log"), "a")


def worker_env() -> dict:
    return {**os.environ, "TASK_BACKEND": "database"}


def due_date(schedule, year: int, month: int) -> date:
    """The first day on which the schedule's report of the month is due."""
    day = date(year, month, 28)
    for _ in range(60):
        day += timedelta(days=1)
        period = schedule.latest_due_period(day)
        if (period.start.year, period.start.month) == (year, month):
            return day
    raise RuntimeError(f"{schedule} 在 {year}-{month} 之后60天内没有到期")


def clear_runs(schedule_ids: list[int]) -> None:
    from django_tasks_db.models import DBTaskResult

    from projects.models import ReportRun

    ReportRun.objects.filter(schedule__in=schedule_ids).delete()
    DBTaskResult.objects.all().delete()


def bench_scheduled_pass(ctx: Context) -> dict:
    from django.db.models import Count

    from bench import floors
    from projects.models import ReportRun, ReportSchedule, RunStatus, Zone

    zones = list(Zone.objects.order_by("pk"))
    schedules = [
        ReportSchedule.objects.create(zone=z, name=f"基准测试月报 {z.pk}", formats=ctx.pass_formats)
        for z in zones
    ]
    ids = [s.pk for s in schedules]
    now = due_date(schedules[0], ctx.year, ctx.month)
    passes, floor_sums, statuses = [], [], {}
    try:
        for i in range(ctx.pass_repeat):
            clear_runs(ids)
            start = time.perf_counter()
            manage("run_scheduled_reports", "--now", now.isoformat(), env=worker_env(), quiet=True)
            workers = [
                subprocess.Popen(
                    [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-startup-delay"],
                    cwd=ROOT,
                    env=worker_env(),
                    stdout=subprocess.DEVNULL,
                    stderr=worker_log(),
                )
                for _ in range(2)
            ]
            codes = [w.wait() for w in workers]
            passes.append(time.perf_counter() - start)
            if any(codes):
                raise RuntimeError(f"db_worker 退出码 {codes}")
            statuses = dict(
                ReportRun.objects.filter(schedule__in=ids).values_list("status").annotate(n=Count("pk"))
            )
            total = 0.0
            for z in zones:
                total += timed(
                    floor_query(floors.PROGRESS_REPORT, floors.report_params([z.pk], ctx.year, ctx.month))
                )
            floor_sums.append(total)
            log(f"  scheduled_pass: {i + 1}  {passes[-1]:.1f}s vs floor {total:.2f}s  {statuses}")
    finally:
        clear_runs(ids)
        ReportSchedule.objects.filter(pk__in=ids).delete()
    median, floor = statistics.median(passes), statistics.median(floor_sums)
    done = statuses.get(RunStatus.DONE, 0)
    return result(
        "scheduled_pass",
        median,
        floor,
        "记录 / record (floor: the zones' progress-report floors summed)",
        done == len(zones),
        zones=len(zones),
        runs_done=done,
        formats=ctx.pass_formats,
        workers=2,
        per_report_s=round(median / len(zones), 3),
    )


# -- 7. memory of a worker making the largest export


def bench_worker_memory(ctx: Context) -> dict:
    from projects.models import ReportRun, RunStatus, Zone
    from projects.report_runs import request_run

    root = Zone.objects.filter(parent__isnull=True).order_by("pk").first()
    run = request_run(zone=root, year=ctx.year, month=ctx.month, formats=ctx.memory_formats)
    try:
        start = time.perf_counter()
        worker = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-startup-delay"],
            cwd=ROOT,
            env=worker_env(),
            stdout=subprocess.DEVNULL,
            stderr=worker_log(),
        )
        _pid, status, usage = os.wait4(worker.pid, 0)
        worker.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        run.refresh_from_db()
        sizes = dict(run.files.values_list("format", "size"))
    finally:
        ReportRun.objects.filter(pk=run.pk).delete()
    peak_mib = usage.ru_maxrss / 1024  # kilobytes on Linux
    log(f"  worker_memory: {peak_mib:.0f} MiB, {elapsed:.1f}s, {run.status}")
    entry = result(
        "worker_peak_memory",
        elapsed,
        None,
        "记录 / record",
        run.status == RunStatus.DONE,
        peak_rss_mib=round(peak_mib, 1),
        zone=root.name,
        formats=ctx.memory_formats,
        status=run.status,
        file_bytes=sizes,
    )
    return entry


def verify_floors(ctx: Context) -> dict:
    """Each floor against the Django code it is timed with, on this data: a floor that returns
    other numbers than the code would make its ratio meaningless, so a difference stops the run."""
    from django.test import Client

    from bench import checks
    from projects.models import Zone

    zones = {
        "biggest": biggest_zone(),
        "root": Zone.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True)[0],
        "leaf": Zone.objects.filter(children__isnull=True).order_by("-pk").values_list("pk", flat=True)[0],
    }
    found = {}
    for label, zone in zones.items():
        for month in sorted({ctx.month, max(1, ctx.month - 1), min(ctx.month, 6)}):
            found[f"progress_report {label} {ctx.year}-{month:02d}"] = checks.compare_progress_report(
                zone, ctx.year, month
            )
    month = min(ctx.month, 6)
    roots = list(Zone.objects.values_list("pk", flat=True))
    found[f"campaign_report {ctx.year}-{month:02d}"] = checks.compare_campaign_report(roots, ctx.year, month)
    client = Client()
    client.force_login(bench_user())
    zone, stage, page = api_case()
    response = client.get(f"/api/projects/?zone={zone}&stage={stage}&page={page}&page_size=50", secure=True)
    found["project_list_api"] = checks.compare_project_page(response.json(), zone, [stage], page)
    return found


OPERATIONS = {
    "progress_report": bench_progress_report,
    "campaign_report": bench_campaign_report,
    "project_list_api": bench_project_api,
    "admin_changelist": bench_admin_changelist,
    "monthly_import": bench_import,
    "scheduled_pass": bench_scheduled_pass,
    "worker_peak_memory": bench_worker_memory,
}


def run_all(ctx: Context, only: list[str], out: Path) -> list[dict]:
    """Every operation in turn; the JSON is rewritten after each, so a long run shows what it has."""
    results = []
    names = [n for n in OPERATIONS if not only or n in only]
    for index, name in enumerate(names, start=1):
        log(f"[{index}/{len(names)}] {name}")
        results.append(OPERATIONS[name](ctx))
        out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return results


def table(results: list[dict]) -> str:
    lines = [f"{'operation':<20} {'median_s':>10} {'floor_s':>10} {'ratio':>7}  met  target"]
    for r in results:
        floor = f"{r['floor_s']:.4f}" if r["floor_s"] is not None else "—"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        met = {True: "yes", False: "NO", None: "—"}[r["met"]]
        lines.append(f"{r['name']:<20} {r['median_s']:>10.4f} {floor:>10} {ratio:>7}  {met:<4} {r['target']}")
    return "\n".join(lines)


def configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory: not what production times
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ["TASK_BACKEND"] = "database"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="基准测试:各操作与 PostgreSQL 下限对比")
    parser.add_argument("--repeat", type=int, default=int(env("BENCH_REPEAT", "7")))
    parser.add_argument("--zones", type=int, default=int(env("BENCH_ZONES", "200")))
    parser.add_argument("--projects", type=int, default=int(env("BENCH_PROJECTS", "50000")))
    parser.add_argument("--months", type=int, default=int(env("BENCH_MONTHS", "36")))
    parser.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "1")))
    parser.add_argument("--end", default=env("BENCH_END", ""), help="合成数据的最后一个月 YYYY-MM")
    parser.add_argument("--import-rows", type=int, default=int(env("BENCH_IMPORT_ROWS", "100000")))
    parser.add_argument("--import-repeat", type=int, default=int(env("BENCH_IMPORT_REPEAT", "3")))
    parser.add_argument("--pass-formats", default=env("BENCH_PASS_FORMATS", "html,xlsx,pdf"))
    parser.add_argument("--pass-repeat", type=int, default=int(env("BENCH_PASS_REPEAT", "1")))
    parser.add_argument("--memory-formats", default=env("BENCH_MEMORY_FORMATS", "html,xlsx,pdf"))
    parser.add_argument("--only", default=env("BENCH_ONLY", ""), help="逗号分隔的操作名,默认全部")
    parser.add_argument("--out", default=env("BENCH_OUT", str(ROOT / "bench" / "results.json")))
    parser.add_argument("--database-url", default=env("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--use-existing", action="store_true", help="不生成合成数据,直接用数据库中已有的数据(如种子数据)"
    )
    parser.add_argument("--checks-out", default="", help="把下限与 Django 代码的核对结果写入这个 JSON 文件")
    # Only the admin changelist's queries, as JSON (small_admin_queries runs it on the small database).
    parser.add_argument("--admin-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        raise SystemExit("基准测试只在 PostgreSQL 上运行:BENCH_DATABASE_URL 须为 postgres://…")
    only = [n for n in args.only.split(",") if n]
    unknown = set(only) - set(OPERATIONS)
    if unknown:
        raise SystemExit(f"未知的操作:{', '.join(sorted(unknown))};可选:{', '.join(OPERATIONS)}")

    configure(args.database_url)
    if args.admin_queries:
        import django

        django.setup()
        print(json.dumps(admin_queries()))
        return 0
    if args.use_existing:
        manage("migrate", "--no-input", "-v0")
    else:
        ensure_dataset(args.database_url, Sizes(args.zones, args.projects, args.months, args.seed, args.end))
    import django

    django.setup()
    ctx = Context(
        args.repeat,
        args.import_rows,
        args.import_repeat,
        args.pass_formats.split(","),
        args.pass_repeat,
        args.memory_formats.split(","),
        url=args.database_url,
    )
    ctx.load()
    log("核对各下限查询与 Django 代码返回的数字是否相同")
    found = verify_floors(ctx)
    if args.checks_out:
        Path(args.checks_out).write_text(json.dumps(found, ensure_ascii=False, indent=2, default=str) + "\n")
    wrong = {name: f["differences"] for name, f in found.items() if f["differences"]}
    if wrong:
        log(json.dumps(wrong, ensure_ascii=False, indent=2, default=str)[:5000])
        raise SystemExit("下限查询与 Django 代码的结果不一致,基准测试无意义,已停止")
    results = run_all(ctx, only, Path(args.out))
    print(table(results))
    log(f"结果已写入 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
