"""The frozen content of a report run: every figure it shows, as plain JSON.

A run stores its snapshot and renders its files from it, so later edits to the data never change
a past report, and the next run of the same schedule can say what changed (`changes.py`). The
fingerprint is the SHA-256 of the snapshot's data: two runs made from the same data have the same
fingerprint.

Besides the progress report(s) of the scope, the snapshot holds what the documents chart (the
monthly trend of completed investment against the plan line, a ranking of zones) and what the
changes are computed from (every figure and milestone of the scope, with their sources).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    IndicatorValue,
    Milestone,
    MilestoneKind,
    PortfolioEntry,
    ScopeKind,
    SourceDocument,
    ValueKind,
    Zone,
)
from ..periods import MilestoneStatus, format_date, format_period, milestone_status
from .cadence import ReportPeriod
from .contents import ProgressReport
from .measures import Basis, round_percent
from .progress import campaign_report, progress_report
from .render import amount_display, campaign_json, number, pct, report_json, value_display

SNAPSHOT_VERSION = 1
SCOPE_LABELS = {
    ScopeKind.ZONE: _("区域"),
    ScopeKind.PORTFOLIO: _("调度清单"),
    ScopeKind.CAMPAIGN: _("攻坚行动"),
}
ZONE_RANKING = _("各区域调度清单和指标的平均超序进度(个百分点)")
CAMPAIGN_RANKING = _("各项完成率超出考核要求的平均百分点")
# What the documents' "what changed" compares; the rest of the snapshot is presentation.
DATA_KEYS = (
    "scope",
    "period",
    "basis",
    "reports",
    "campaign",
    "trend",
    "figures",
    "milestones",
    "restatements",
)


def build_snapshot(scope, period: ReportPeriod) -> dict:
    """The snapshot of `scope` (a ReportRun or ReportSchedule: zone, portfolio or campaign) for
    `period`, without `generated_at`, `changes` and `fingerprint`, which the run adds."""
    basis = Basis(scope.basis)
    year, month = period.year, period.month
    kind = scope.scope_kind
    campaign = None
    if kind == ScopeKind.CAMPAIGN:
        zones = list(scope.campaign.zones.order_by("name"))
        reports = [progress_report(zone, year, month, basis) for zone in zones]
        campaign = campaign_report(scope.campaign, year, month, basis)
        zone_ids = {pk for zone in zones for pk in Zone.objects.subtree_ids(zone)}
        project_ids = None
        subject_id = scope.campaign_id
    elif kind == ScopeKind.PORTFOLIO:
        portfolio = scope.portfolio
        project_ids = set(
            PortfolioEntry.objects.filter(portfolio=portfolio).values_list("project", flat=True)
        )
        reports = [
            _only_portfolio(
                progress_report(portfolio.zone, year, month, basis, projects=project_ids),
                portfolio,
                project_ids,
            )
        ]
        zone_ids = set()
        subject_id = portfolio.pk
    else:
        reports = [progress_report(scope.zone, year, month, basis)]
        zone_ids = set(Zone.objects.subtree_ids(scope.zone))
        project_ids = None
        subject_id = scope.zone_id

    portfolio_ids = [p.id for report in reports for p in report.portfolios]
    subjects = _subjects(zone_ids, portfolio_ids, project_ids)
    figures = _figures(subjects, year, month)
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "title": gettext("{scope} {period} 投资项目调度通报").format(
            scope=scope.scope_name, period=period.display
        ),
        "scope": {
            "kind": kind,
            "kind_label": str(SCOPE_LABELS[kind]),
            "id": subject_id,
            "name": scope.scope_name,
        },
        "period": {
            "cadence": period.cadence,
            "cadence_label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "display": period.display,
            "as_of": period.as_of,
        },
        "basis": {"code": basis.value, "convention": str(basis.label)},
        "time_progress": pct(reports[0].time_progress) if reports else None,
        "reports": [report_json(report) for report in reports],
        "campaign": campaign_json(campaign) if campaign else None,
        "trend": _trend(reports, year, month),
        "figures": figures,
        "milestones": _milestones(zone_ids, project_ids, reports[0].as_of if reports else period.end),
        "restatements": _restatements(subjects, year, month),
    }
    if campaign:
        snapshot["ranking"] = [
            {"rank": s.rank, "zone": s.zone, "value": pct(s.mean_gap)} for s in campaign.standings
        ]
        snapshot["ranking_measure"] = str(CAMPAIGN_RANKING)
    else:
        snapshot["ranking"] = _zone_ranking(reports)
        snapshot["ranking_measure"] = str(ZONE_RANKING)
    snapshot["sources"] = _sources(snapshot)
    return snapshot


def fingerprint(snapshot: dict) -> str:
    """SHA-256 of the snapshot's data, in a canonical JSON form."""
    data = {key: snapshot.get(key) for key in DATA_KEYS}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Parts


def _only_portfolio(report: ProgressReport, portfolio, project_ids: set[int]) -> ProgressReport:
    """The zone's report cut down to one portfolio: its figures, its checkpoint items, its projects."""
    checkpoints = []
    for checkpoint in report.checkpoints:
        items = [i for i in checkpoint.items if i.kind == "portfolio" and i.subject == portfolio.name]
        checkpoints.append(replace(checkpoint, items=items))
    return replace(
        report,
        portfolios=[p for p in report.portfolios if p.id == portfolio.pk],
        indicators=[],
        checkpoints=checkpoints,
        lagging_projects=[p for p in report.lagging_projects if p.id in project_ids],
        milestones_due=[m for m in report.milestones_due if m.project_id in project_ids],
        conflicts=[c for c in report.conflicts if c.subject == portfolio.name],
    )


def _trend(reports: list[ProgressReport], year: int, month: int) -> list[dict]:
    """Cumulative completed investment of each portfolio, month by month, against the plan line
    (the annual plan spread evenly: planned × month ÷ 12). Summed from the projects' monthly
    figures where they reported any, else as the portfolio's figures were stated."""
    portfolios = [p for report in reports for p in report.portfolios]
    ids = [p.id for p in portfolios]
    cumulative = IndicatorValue.objects.completed_investment(year).filter(end_month__lte=month)
    from_projects: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in (
        cumulative.filter(project__portfolio_entries__portfolio__in=ids)
        .values("project__portfolio_entries__portfolio", "end_month")
        .order_by("project__portfolio_entries__portfolio", "end_month")
        .annotate(total=Sum("value"), reporting=Count("project", distinct=True))
    ):
        from_projects[row["project__portfolio_entries__portfolio"]][row["end_month"]] = row["total"]
    stated: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in (
        cumulative.filter(portfolio__in=ids)
        .values("portfolio", "end_month", "value")
        .order_by("portfolio", "end_month", "pk")
    ):
        stated[row["portfolio"]][row["end_month"]] = row["value"]

    trend = []
    for p in portfolios:
        by_month = from_projects.get(p.id) or stated.get(p.id) or {}
        planned = p.figures["planned_investment"].value
        if not by_month and planned is None:
            continue
        trend.append(
            {
                "portfolio_id": p.id,
                "portfolio": p.name,
                "zone": p.zone,
                "planned": number(planned),
                "planned_display": amount_display(planned),
                "points": [
                    {
                        "month": m,
                        "completed": number(by_month.get(m)),
                        "plan": number(planned * m / 12) if planned is not None else None,
                    }
                    for m in range(1, month + 1)
                ],
            }
        )
    return trend


def _subjects(zone_ids: set[int], portfolio_ids: list[int], project_ids: set[int] | None) -> Q:
    """The figures of the scope: of its portfolios, and of its zones and their projects (or of the
    portfolio's projects)."""
    subjects = Q(portfolio__in=portfolio_ids)
    if project_ids is None:
        return subjects | Q(zone__in=zone_ids) | Q(project__zone__in=zone_ids)
    return subjects | Q(project__in=project_ids)


def _subject(v: IndicatorValue) -> tuple[str, int, str] | None:
    """(kind, id, name) of a figure's subject; None for an enterprise's (not in reports)."""
    if v.zone_id:
        return "zone", v.zone_id, v.zone.name
    if v.portfolio_id:
        return "portfolio", v.portfolio_id, f"{v.portfolio.zone.name}·{v.portfolio.name}"
    if v.project_id:
        return "project", v.project_id, v.project.name
    return None


def _figures(subjects: Q, year: int, month: int) -> list[dict]:
    """Every current figure (restated ones are replaced) recorded for the scope's zones, portfolios
    and projects in the report's year, up to its month (targets, plans and forecasts whatever their
    period)."""
    values = list(
        IndicatorValue.objects.current()
        .filter(subjects, year=year)
        .filter(Q(end_month__lte=month) | Q(kind__in=[ValueKind.TARGET, ValueKind.PLAN, ValueKind.FORECAST]))
        .select_related("zone", "portfolio__zone", "project", "metric")
        .order_by("pk")
    )
    quotes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    through = IndicatorValue.citations.through
    for value_id, key, quote in (
        through.objects.filter(indicatorvalue_id__in=[v.pk for v in values])
        .order_by("citation__document__key", "citation__start")
        .values_list("indicatorvalue_id", "citation__document__key", "citation__quote")
    ):
        quotes[value_id].append((key, quote))

    figures = []
    for v in values:
        if (found := _subject(v)) is None:
            continue
        kind, subject_id, subject = found
        period = (v.year, v.start_month, v.end_month)
        months = f"{v.start_month or ''}-{v.end_month}"
        cited = quotes.get(v.pk, [])
        figures.append(
            {
                "key": f"{kind}:{subject_id}:{v.metric.code}:{v.year}:{months}:{v.kind}",
                "id": v.pk,
                "subject": subject,
                "subject_kind": kind,
                "metric": v.metric.code,
                "metric_name": v.metric.name,
                "period": {
                    "year": v.year,
                    "start_month": v.start_month,
                    "end_month": v.end_month,
                    "display": format_period(*period),
                },
                "kind": v.kind,
                "kind_label": str(ValueKind(v.kind).label),
                "value": number(v.value, 4),
                "display": value_display(
                    v.value, v.metric.unit_kind, v.metric.unit, v.scale, v.currency, v.qualifier
                ),
                "yoy_growth": number(v.yoy_growth, 4),
                "sources": list(dict.fromkeys(key for key, _ in cited)),
                "quotes": [{"source": key, "quote": quote} for key, quote in cited],
            }
        )
    return figures


def _restatements(subjects: Q, year: int, month: int) -> list[dict]:
    """Corrections (更正) of the scope's figures of the report's year up to its month: the replaced
    value, the value that replaced it, the reason, and who made it when (from the change history)."""
    values = list(
        IndicatorValue.objects.restatements()
        .filter(subjects, year=year, end_month__lte=month)
        .select_related("zone", "portfolio__zone", "project", "metric", "restates")
        .order_by("pk")
    )
    made: dict[int, tuple[str, str]] = {}
    for pk, when, username, last_name, first_name in (
        IndicatorValue.history.filter(id__in=[v.pk for v in values], history_type="+")
        .order_by("history_date")
        .values_list(
            "id",
            "history_date",
            "history_user__username",
            "history_user__last_name",
            "history_user__first_name",
        )
    ):
        who = f"{last_name or ''}{first_name or ''}" or username or ""
        made.setdefault(pk, (who, timezone.localtime(when).isoformat(timespec="seconds")))
    restatements = []
    for v in values:
        if (found := _subject(v)) is None:
            continue
        kind, subject_id, subject = found
        before, metric = v.restates, v.metric
        by, at = made.get(v.pk, ("", None))
        restatements.append(
            {
                "id": v.pk,
                "restates": before.pk,
                "subject": subject,
                "subject_kind": kind,
                "subject_id": subject_id,
                "metric": metric.code,
                "metric_name": metric.name,
                "period": {
                    "year": v.year,
                    "start_month": v.start_month,
                    "end_month": v.end_month,
                    "display": format_period(v.year, v.start_month, v.end_month),
                },
                "kind_label": str(ValueKind(v.kind).label),
                "before": number(before.value, 4),
                "before_display": value_display(
                    before.value,
                    metric.unit_kind,
                    metric.unit,
                    before.scale,
                    before.currency,
                    before.qualifier,
                ),
                "after": number(v.value, 4),
                "after_display": value_display(
                    v.value, metric.unit_kind, metric.unit, v.scale, v.currency, v.qualifier
                ),
                "reason": v.restatement_reason,
                "by": by,
                "at": at,
            }
        )
    return restatements


def _milestones(zone_ids: set[int], project_ids: set[int] | None, as_of: date) -> list[dict]:
    """Every milestone of the scope's projects, with its status as it stood at the report's date:
    a milestone reached after that date is not yet reached in this report."""
    subjects = Q(project__zone__in=zone_ids) if project_ids is None else Q(project__in=project_ids)
    rows = (
        Milestone.objects.filter(subjects)
        .values(
            "pk",
            "project_id",
            "project__name",
            "project__zone__name",
            "kind",
            "phase",
            "planned_date",
            "planned_precision",
            "actual_date",
            "actual_precision",
        )
        .order_by("project__name", "planned_date", "kind", "pk")
    )
    milestones = []
    for m in rows:
        actual = m["actual_date"] if m["actual_date"] and m["actual_date"] <= as_of else None
        status = milestone_status(m["planned_date"], m["planned_precision"], actual, as_of)
        milestones.append(
            {
                "id": m["pk"],
                "project_id": m["project_id"],
                "project": m["project__name"],
                "zone": m["project__zone__name"] or "",
                "kind": m["kind"],
                "kind_label": str(MilestoneKind(m["kind"]).label),
                "phase": m["phase"],
                "planned": format_date(m["planned_date"], m["planned_precision"]),
                "actual": format_date(actual, m["actual_precision"]) if actual else "",
                "status": status.value,
                "status_label": str(MilestoneStatus(status).label),
            }
        )
    return milestones


def _zone_ranking(reports: list[ProgressReport]) -> list[dict]:
    """Zones of the scope by their mean 超序进度 over portfolios and indicators; [] for one zone."""
    gaps: dict[str, list[Decimal]] = defaultdict(list)
    for report in reports:
        for item in [*report.portfolios, *report.indicators]:
            if item.ahead is not None:
                gaps[item.zone].append(item.ahead)
    if len(gaps) < 2:
        return []
    means = sorted(((sum(v) / len(v), zone) for zone, v in gaps.items()), key=lambda x: (-x[0], x[1]))
    return [
        {"rank": rank, "zone": zone, "value": number(round_percent(mean))}
        for rank, (mean, zone) in enumerate(means, start=1)
    ]


def _sources(snapshot: dict) -> list[dict]:
    """The source documents behind any figure of the snapshot, with the quotes that cite them."""
    keys: dict[str, None] = {}
    for figure in snapshot["figures"]:
        keys.update(dict.fromkeys(figure["sources"]))
    _collect_sources(snapshot["reports"], keys)
    documents = SourceDocument.objects.filter(key__in=list(keys)).order_by("published_on", "key")
    return [
        {
            "key": d.key,
            "title": d.title,
            "publisher": d.publisher,
            "published_on": d.published_on.isoformat() if d.published_on else None,
        }
        for d in documents
    ]


def _collect_sources(node, keys: dict[str, None]) -> None:
    """Source keys named anywhere in the report dicts (stated figures carry theirs)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                keys.update(dict.fromkeys(v for v in value if isinstance(v, str)))
            else:
                _collect_sources(value, keys)
    elif isinstance(node, list):
        for item in node:
            _collect_sources(item, keys)
