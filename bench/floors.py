"""The floors: the fastest way PostgreSQL itself does the work of each benchmarked operation.

Each is one hand-written query (PostgreSQL only) that returns the same numbers as the Django code
it is compared with; tests/test_bench.py checks that they do, which is what keeps a floor honest.
Parameters are plain values a caller computes once (the zone ids, the month, the thresholds of
lateness for the report's date).
"""

from __future__ import annotations

from datetime import timedelta

from projects.models import Currency, Metric, Stage, ValueKind
from projects.periods import late_thresholds
from projects.reports.contents import COMPLETED_INVESTMENT, DUE_WITHIN, month_end

# The zones below the roots (the roots included), the roots' portfolios of the year and the
# per-portfolio figures: what projects/reports/queries.py's fetch computes for both reports.
_PORTFOLIO_FIGURES = """
WITH RECURSIVE tree(id) AS (
    SELECT id FROM projects_zone WHERE id = ANY(%(roots)s)
    UNION
    SELECT z.id FROM projects_zone z JOIN tree t ON z.parent_id = t.id
),
completed_metric AS (SELECT %(completed_metric)s::bigint AS id),
pf AS (
    SELECT p.id, p.zone_id FROM projects_portfolio p
    WHERE p.zone_id IN (SELECT id FROM tree) AND p.year = %(year)s
),
entry_sums AS (
    SELECT e.portfolio_id,
           count(*) AS projects,
           sum(pr.total_investment) FILTER (WHERE pr.currency = %(cny)s) AS total,
           sum(e.planned_investment) FILTER (WHERE pr.currency = %(cny)s) AS planned,
           count(e.planned_investment) FILTER (WHERE pr.currency = %(cny)s) AS planned_count,
           count(*) FILTER (
               WHERE pr.stage = ANY(%(started_stages)s)
               OR EXISTS (SELECT 1 FROM projects_milestone m
                          WHERE m.project_id = pr.id AND m.kind = 'start'
                            AND m.actual_date IS NOT NULL AND m.actual_date <= %(as_of)s)
           ) AS started_count,
           count(*) FILTER (WHERE pr.currency <> %(cny)s) AS foreign_count
    FROM projects_portfolioentry e JOIN projects_project pr ON pr.id = e.project_id
    WHERE e.portfolio_id IN (SELECT id FROM pf)
    GROUP BY e.portfolio_id
),
completed AS (
    SELECT e.portfolio_id, sum(v.value) AS total, count(DISTINCT v.project_id) AS reporting
    FROM projects_indicatorvalue v JOIN projects_portfolioentry e ON e.project_id = v.project_id
    WHERE e.portfolio_id IN (SELECT id FROM pf)
      AND v.metric_id = (SELECT id FROM completed_metric) AND v.kind = %(actual)s
      AND v.year = %(year)s AND v.start_month = 1 AND v.end_month = %(month)s
      AND v.currency = %(cny)s AND v.value IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM projects_indicatorvalue r WHERE r.restates_id = v.id)
    GROUP BY e.portfolio_id
),
about AS (
    SELECT * FROM projects_indicatorvalue WHERE zone_id IN (SELECT id FROM tree)
    UNION ALL
    SELECT * FROM projects_indicatorvalue WHERE portfolio_id IN (SELECT id FROM pf)
),
statements AS (
    SELECT v.id, v.zone_id, v.portfolio_id, m.code, v.year, v.start_month, v.end_month, v.kind,
           v.value, v.yoy_growth,
           ARRAY(SELECT DISTINCT d.key FROM projects_indicatorvalue_citations c
                 JOIN projects_citation ci ON ci.id = c.citation_id
                 JOIN projects_sourcedocument d ON d.id = ci.document_id
                 WHERE c.indicatorvalue_id = v.id ORDER BY d.key) AS sources
    FROM about v JOIN projects_metric m ON m.id = v.metric_id
    WHERE v.year IN (%(year)s - 1, %(year)s)
      AND (v.end_month <= %(month)s OR v.year = %(year)s - 1 OR v.kind = ANY(%(target_kinds)s))
      AND NOT EXISTS (SELECT 1 FROM projects_indicatorvalue r WHERE r.restates_id = v.id)
)
"""

_PORTFOLIOS_JSON = """
    'portfolios', (SELECT coalesce(json_agg(json_build_object(
        'id', pf.id, 'zone_id', pf.zone_id, 'projects', s.projects, 'total', s.total,
        'planned', s.planned, 'planned_count', s.planned_count, 'started', s.started_count,
        'foreign', s.foreign_count, 'completed', c.total, 'reporting', c.reporting) ORDER BY pf.id), '[]')
        FROM pf LEFT JOIN entry_sums s ON s.portfolio_id = pf.id
        LEFT JOIN completed c ON c.portfolio_id = pf.id),
    'statements', (SELECT coalesce(json_agg(json_build_object(
        'id', id, 'zone_id', zone_id, 'portfolio_id', portfolio_id, 'code', code, 'value', value,
        'sources', sources) ORDER BY id), '[]') FROM statements)
"""

# 1. progress_report(zone, year, month): the portfolio figures and statements above, plus each
# project's latest completed investment (for the lagging list), the late milestones and the
# milestones planned in the window before the 30-day look-ahead.
PROGRESS_REPORT = (
    _PORTFOLIO_FIGURES
    + """,
latest AS (
    SELECT DISTINCT ON (e.id) e.project_id, e.planned_investment, v.value, v.end_month
    FROM projects_portfolioentry e
    LEFT JOIN projects_indicatorvalue v
      ON v.project_id = e.project_id AND v.metric_id = (SELECT id FROM completed_metric)
     AND v.kind = %(actual)s AND v.year = %(year)s AND v.start_month = 1
     AND v.end_month <= %(month)s AND v.value IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM projects_indicatorvalue r WHERE r.restates_id = v.id)
    WHERE e.portfolio_id IN (SELECT id FROM pf) AND e.planned_investment > 0
    ORDER BY e.id, v.end_month DESC NULLS LAST, v.id DESC
),
thresholds(precision, first_not_late) AS (
    SELECT * FROM unnest(%(precisions)s::text[], %(thresholds)s::date[])
),
zone_milestones AS (
    SELECT m.id, m.project_id, m.planned_date, m.planned_precision, m.actual_date,
           (m.actual_date IS NULL AND m.planned_date < t.first_not_late) AS late
    FROM projects_milestone m JOIN projects_project pr ON pr.id = m.project_id
    LEFT JOIN thresholds t ON t.precision = m.planned_precision
    WHERE pr.zone_id IN (SELECT id FROM tree)
)
SELECT json_build_object("""
    + _PORTFOLIOS_JSON
    + """,
    'projects', (SELECT coalesce(json_agg(json_build_object(
        'project_id', project_id, 'planned', planned_investment, 'completed', value,
        'completed_month', end_month) ORDER BY project_id), '[]') FROM latest),
    'late', (SELECT coalesce(json_agg(json_build_object(
        'project_id', project_id, 'planned', planned_date, 'precision', planned_precision) ORDER BY id), '[]')
        FROM zone_milestones WHERE late),
    'due_window', (SELECT coalesce(json_agg(json_build_object(
        'project_id', project_id, 'planned', planned_date, 'precision', planned_precision) ORDER BY id), '[]')
        FROM zone_milestones
        WHERE actual_date IS NULL AND planned_date IS NOT NULL AND NOT coalesce(late, false)
          AND planned_date <= %(due_until)s AND planned_date > %(due_after)s)
)
"""
)

# 2. campaign_report: the same figures for every zone of the campaign, in one query.
CAMPAIGN_REPORT = _PORTFOLIO_FIGURES + "SELECT json_build_object(" + _PORTFOLIOS_JSON + ")"

# 3. GET /api/projects/?zone=…&stage=…&page=…: the page's rows with everything the serializer
# shows (zone, enterprise, industries, categories, milestones, citations), and the total count.
PROJECT_PAGE = """
WITH RECURSIVE tree(id) AS (
    SELECT %(zone)s::bigint
    UNION
    SELECT z.id FROM projects_zone z JOIN tree t ON z.parent_id = t.id
),
page AS (
    SELECT p.*, count(*) OVER () AS total_count
    FROM projects_project p LEFT JOIN projects_zone z ON z.id = p.zone_id
    WHERE p.zone_id IN (SELECT id FROM tree) AND p.stage = ANY(%(stages)s)
    ORDER BY z.name, p.name, p.id
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT p.id, p.name, p.total_count, z.name AS zone_name, e.name AS enterprise_name,
       p.total_investment, p.stage, p.planned_start, p.planned_finish, p.version,
       ARRAY(SELECT i.name FROM projects_project_industries pi
             JOIN projects_industry i ON i.id = pi.industry_id WHERE pi.project_id = p.id) AS industries,
       ARRAY(SELECT c.name FROM projects_project_categories pc
             JOIN projects_projectcategory c ON c.id = pc.projectcategory_id
             WHERE pc.project_id = p.id) AS categories,
       (SELECT json_agg(json_build_object('id', m.id, 'kind', m.kind, 'phase', m.phase,
                'planned', m.planned_date, 'actual', m.actual_date) ORDER BY m.planned_date, m.id)
        FROM projects_milestone m WHERE m.project_id = p.id) AS milestones,
       (SELECT json_agg(c.citation_id) FROM projects_project_citations c
        WHERE c.project_id = p.id) AS citations
FROM page p
LEFT JOIN projects_zone z ON z.id = p.zone_id
LEFT JOIN projects_enterprise e ON e.id = p.enterprise_id
ORDER BY z.name, p.name, p.id
"""

# 4. The admin changelist's first page (100 rows, the default ordering), for scale.
ADMIN_PAGE = """
SELECT p.id, p.name, p.stage, p.total_investment, z.name, e.name
FROM projects_project p
LEFT JOIN projects_zone z ON z.id = p.zone_id
LEFT JOIN projects_enterprise e ON e.id = p.enterprise_id
ORDER BY z.name, p.name, p.id DESC
LIMIT 100
"""


def report_params(roots: list[int], year: int, month: int) -> dict:
    """The parameters of PROGRESS_REPORT and CAMPAIGN_REPORT for the report as of `month`."""
    as_of = month_end(year, month)
    thresholds = late_thresholds(as_of)
    return {
        "roots": roots,
        "year": year,
        "month": month,
        "as_of": as_of,
        "cny": Currency.CNY.value,
        "actual": ValueKind.ACTUAL.value,
        "completed_metric": Metric.objects.filter(code=COMPLETED_INVESTMENT)
        .values_list("pk", flat=True)
        .first(),
        "started_stages": list(Stage.started()),
        "target_kinds": [ValueKind.TARGET.value, ValueKind.PLAN.value, ValueKind.FORECAST.value],
        "precisions": list(thresholds),
        "thresholds": list(thresholds.values()),
        "due_until": as_of + DUE_WITHIN,
        "due_after": as_of - timedelta(days=366),
    }


def project_page_params(zone: int, stages: list[str], page: int, size: int = 50) -> dict:
    return {"zone": zone, "stages": stages, "limit": size, "offset": (page - 1) * size}
