"""Does each floor return the same numbers as the Django code it is compared with?

Each function runs a floor query and the Django code on the same database and returns the
differences (an empty list when the floor is honest). tests/test_bench.py and `make bench`
(before timing) use them.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import connection
from psycopg.types.json import set_json_loads

from projects.periods import period_end
from projects.reports import contents, queries

from . import floors


def run_floor(sql: str, params: dict):
    """The floor's single JSON value, with exact decimals."""
    with connection.cursor() as cursor:
        set_json_loads(partial(json.loads, parse_float=Decimal), cursor.cursor)
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _num(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _differences(label: str, django: object, floor: object) -> list[str]:
    return [] if django == floor else [f"{label}: Django {django!r} ≠ floor {floor!r}"]


def _outcome(differences: list[str], **compared: int) -> dict:
    """The differences found, and how many rows of each kind were compared (a check of nothing
    proves nothing: the tests ask for some of each)."""
    return {"differences": differences, "compared": compared}


def _portfolio_figures(data: contents.Fetched) -> dict[int, dict]:
    figures = {}
    for p in data.portfolios:
        sums = data.entry_sums.get(p["pk"]) or {}
        done = data.project_sums.get(p["pk"]) or {}
        figures[p["pk"]] = {
            "projects": sums.get("projects"),
            "total": _num(sums.get("total")),
            "planned": _num(sums.get("planned")) if sums.get("planned_count") else None,
            "started": sums.get("started_count"),
            "foreign": sums.get("foreign") or 0,
            "completed": _num(done.get("total")),
            "reporting": done.get("reporting"),
        }
    return figures


def _floor_portfolios(rows: list[dict]) -> dict[int, dict]:
    return {
        r["id"]: {
            "projects": r["projects"],
            "total": _num(r["total"]),
            "planned": _num(r["planned"]) if r["planned_count"] else None,
            "started": r["started"],
            "foreign": r["foreign"] or 0,
            "completed": _num(r["completed"]),
            "reporting": r["reporting"],
        }
        for r in rows
    }


def _statements(data: contents.Fetched) -> dict[int, tuple]:
    return {s.id: (s.value, s.sources) for statements in data.statements.values() for s in statements}


def _floor_statements(rows: list[dict]) -> dict[int, tuple]:
    return {r["id"]: (_num(r["value"]), tuple(r["sources"])) for r in rows}


def compare_progress_report(zone_id: int, year: int, month: int) -> dict:
    """The floor of progress_report(zone, year, month) against what the report fetches."""
    tree = queries.zone_tree()
    data = queries.fetch(tree, {zone_id}, year, month, detail=True)
    floor = run_floor(floors.PROGRESS_REPORT, floors.report_params([zone_id], year, month))
    as_of = contents.month_end(year, month)
    due = [
        m
        for m in floor["due_window"]
        if as_of < period_end(date.fromisoformat(m["planned"]), m["precision"]) <= as_of + contents.DUE_WITHIN
    ]
    differences = [
        *_differences("portfolios", _portfolio_figures(data), _floor_portfolios(floor["portfolios"])),
        *_differences("statements", _statements(data), _floor_statements(floor["statements"])),
        *_differences(
            "projects",
            sorted(
                (r["project_id"], _num(r["planned_investment"]), _num(r["completed"]), r["completed_month"])
                for r in data.projects
            ),
            sorted(
                (r["project_id"], _num(r["planned"]), _num(r["completed"]), r["completed_month"])
                for r in floor["projects"]
            ),
        ),
        *_differences(
            "late milestones",
            sorted(
                (m["project_id"], m["planned_date"].isoformat(), m["planned_precision"]) for m in data.late
            ),
            sorted((m["project_id"], m["planned"], m["precision"]) for m in floor["late"]),
        ),
        *_differences(
            "due milestones",
            sorted(
                (m["project_id"], m["planned_date"].isoformat(), m["planned_precision"]) for m in data.due
            ),
            sorted((m["project_id"], m["planned"], m["precision"]) for m in due),
        ),
    ]
    return _outcome(
        differences,
        portfolios=len(data.portfolios),
        statements=len(_statements(data)),
        projects=len(data.projects),
        reporting=sum(r["completed"] is not None for r in data.projects),
        late=len(data.late),
        due=len(data.due),
    )


def compare_campaign_report(roots: list[int], year: int, month: int) -> dict:
    """The floor of a campaign report over `roots` against what campaign_report fetches."""
    tree = queries.zone_tree()
    data = queries.fetch(tree, set(roots), year, month, detail=False)
    floor = run_floor(floors.CAMPAIGN_REPORT, floors.report_params(roots, year, month))
    differences = [
        *_differences("portfolios", _portfolio_figures(data), _floor_portfolios(floor["portfolios"])),
        *_differences("statements", _statements(data), _floor_statements(floor["statements"])),
    ]
    return _outcome(
        differences,
        portfolios=len(data.portfolios),
        statements=len(_statements(data)),
        reporting=sum((s.get("reporting") or 0) for s in data.project_sums.values()),
    )


def compare_project_page(
    api_json: dict, zone: int, stages: list[str], page: int, size: int = 50
) -> list[str]:
    """The floor's rows of a project list page against the API's response."""
    with connection.cursor() as cursor:
        cursor.execute(floors.PROJECT_PAGE, floors.project_page_params(zone, stages, page, size))
        rows = cursor.fetchall()
    count = rows[0][2] if rows else 0
    differences = [
        *_differences("ids", [r["id"] for r in api_json["results"]], [r[0] for r in rows]),
        *_differences("count", api_json["count"], count),
        *_differences(
            "milestones",
            [len(r["milestones"]) for r in api_json["results"]],
            [len(r[12] or []) for r in rows],
        ),
    ]
    return _outcome(differences, rows=len(rows), count=count)
