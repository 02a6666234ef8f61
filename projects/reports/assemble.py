"""The progress report computed from what the queries fetched: pure work on plain values.

Figures come from two places. A portfolio with projects on it has its counts and sums computed
from those projects; a portfolio known only from what a source stated (seed 004's 23 projects,
83.19亿元 planned, 58.33亿元 completed) uses the stated totals. Where both exist, or where a source
also stated a derived figure (完成率, 开工率, 超序进度, 同比), the report shows the stated value beside
the computed one and says whether rounding explains the difference. The measures themselves
(time progress, completion, run rates) are `measures.py`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Campaign, FlowOrStock, UnitKind, ValueKind
from ..periods import Period, period_end
from .contents import (
    AHEAD_OF_SCHEDULE,
    COMPLETED_INVESTMENT,
    COMPLETION_RATE,
    DOUBLE_HALF,
    PLANNED_INVESTMENT,
    PORTFOLIO_CODES,
    PROJECT_COUNT,
    REPORT_LIST_LIMIT,
    START_RATE,
    STARTED_PROJECTS,
    TOTAL_INVESTMENT,
    CampaignStanding,
    Checkpoint,
    CheckpointItem,
    Conflict,
    DueMilestone,
    Fetched,
    Figure,
    IndicatorProgress,
    LaggingProject,
    LateMilestone,
    PortfolioProgress,
    ProgressReport,
    StatedCheck,
    Statement,
    ZoneTree,
    month_end,
)
from .measures import (
    Basis,
    CheckpointVerdict,
    ahead_of_schedule,
    checkpoint_verdict,
    completion,
    projection_at_pace,
    reconcile,
    required_monthly_run_rate,
    start_rate,
    time_progress,
    yoy_change,
)


def assemble(
    tree: ZoneTree,
    root: int,
    data: Fetched,
    year: int,
    month: int,
    basis: Basis,
    campaigns: list[tuple[Campaign, list[int]]] | None = None,
) -> ProgressReport:
    zones = tree.subtree(root)
    as_of = month_end(year, month)
    progress = time_progress(as_of, basis)
    portfolios = [
        portfolio_progress(p, data, year, month, basis) for p in data.portfolios if p["zone_id"] in set(zones)
    ]
    indicators = [
        indicator
        for zone in zones
        for indicator in indicator_progress(tree.names[zone], zone, data, year, month, basis)
    ]
    lagging = _lagging(data, year, month, basis)
    limit = REPORT_LIST_LIMIT
    report = ProgressReport(
        zone_id=root,
        zone=tree.names[root],
        zones=[tree.names[z] for z in zones],
        as_of=as_of,
        basis=basis,
        time_progress=progress,
        portfolios=portfolios,
        indicators=indicators,
        checkpoints=[],
        lagging_projects=lagging[:limit],
        milestones_due=[
            DueMilestone(
                project_id=m["project_id"],
                project=m["project__name"],
                zone=m["project__zone__name"] or "",
                kind=m["kind"],
                phase=m["phase"],
                planned=m["planned_date"],
                planned_precision=m["planned_precision"],
                due_by=period_end(m["planned_date"], m["planned_precision"]),
            )
            for m in data.due[:limit]
        ],
        conflicts=_conflicts(tree, data, zones, portfolios, year),
        lagging_total=len(lagging),
        late_milestones_total=len(data.late),
        milestones_due_total=len(data.due),
    )
    report.checkpoints = _checkpoints(report, data.campaigns if campaigns is None else campaigns, year, month)
    return report


def _latest(
    statements: list[Statement], kinds: Iterable[str], *, year: int, month: int, cumulative: bool | None
) -> Statement | None:
    """The statement for the latest period ending by `month`: cumulative from January (flows),
    a point in time (stocks), or either. A statement with a value wins over one without."""
    kinds = set(kinds)
    candidates = [
        s
        for s in statements
        if s.kind in kinds
        and s.period.year == year
        and s.period.end_month <= month
        and (
            cumulative is None
            or (cumulative and s.period.start_month == 1)
            or (not cumulative and s.period.is_point)
        )
    ]
    candidates.sort(key=lambda s: (s.period.end_month, s.value is not None, s.period.start_month or 0))
    return candidates[-1] if candidates else None


def _annual(statements: list[Statement], kinds: Iterable[str], year: int) -> Statement | None:
    kinds = set(kinds)
    found = [
        s
        for s in statements
        if s.kind in kinds
        and s.period.year == year
        and s.period.start_month == 1
        and s.period.end_month == 12
        and s.value is not None
    ]
    return found[-1] if found else None


# The figures of a portfolio, in the order a report shows them: label and unit kind.
PORTFOLIO_FIGURES = {
    PROJECT_COUNT: (_("项目数"), UnitKind.COUNT),
    TOTAL_INVESTMENT: (_("总投资"), UnitKind.AMOUNT),
    PLANNED_INVESTMENT: (_("年度计划投资"), UnitKind.AMOUNT),
    STARTED_PROJECTS: (_("已开工项目数"), UnitKind.COUNT),
    COMPLETED_INVESTMENT: (_("完成投资"), UnitKind.AMOUNT),
}


def portfolio_progress(p: dict, data: Fetched, year: int, month: int, basis: Basis) -> PortfolioProgress:
    stated = {code: data.statements.get(("portfolio", p["pk"], code), []) for code in PORTFOLIO_CODES}
    sums = data.entry_sums.get(p["pk"])
    project_sum = data.project_sums.get(p["pk"])
    targets = (ValueKind.PLAN, ValueKind.TARGET)

    def stated_actual(code: str, cumulative: bool | None = None) -> Statement | None:
        return _latest(stated[code], [ValueKind.ACTUAL], year=year, month=month, cumulative=cumulative)

    has_projects = bool(sums and sums["projects"])
    # Each figure as computed from the projects on the portfolio (None without them), and as stated.
    computed = {
        PROJECT_COUNT: Decimal(sums["projects"]) if has_projects else None,
        TOTAL_INVESTMENT: sums["total"] if has_projects else None,
        PLANNED_INVESTMENT: sums["planned"] if has_projects and sums["planned_count"] else None,
        STARTED_PROJECTS: Decimal(sums["started_count"]) if has_projects else None,
        COMPLETED_INVESTMENT: project_sum["total"] if project_sum else None,
    }
    statements = {
        PROJECT_COUNT: stated_actual(PROJECT_COUNT),
        TOTAL_INVESTMENT: stated_actual(TOTAL_INVESTMENT),
        PLANNED_INVESTMENT: _annual(stated[PLANNED_INVESTMENT], targets, year),
        STARTED_PROJECTS: stated_actual(STARTED_PROJECTS),
        COMPLETED_INVESTMENT: stated_actual(COMPLETED_INVESTMENT, cumulative=True),
    }
    figures: dict[str, Figure] = {}
    for code, (name, unit_kind) in PORTFOLIO_FIGURES.items():
        value, statement = computed[code], statements[code]
        # A stated figure is of the period its source stated; a computed one has none here (the
        # completed investment's is set below).
        period = statement.period if statement and value is None else None
        figures[code] = Figure(code, str(name), unit_kind, value, statement, period)
    figures[COMPLETED_INVESTMENT].reporting = project_sum["reporting"] if project_sum else None
    done = figures[COMPLETED_INVESTMENT]
    if done.computed is not None:
        done.period = Period.year_to_date(year, month)
    data_period = done.period
    progress = time_progress(data_period.end_date, basis) if data_period else None
    planned = figures[PLANNED_INVESTMENT].value
    completion_pct = completion(done.value, planned)
    ahead = ahead_of_schedule(completion_pct, progress) if progress is not None else None
    rate = start_rate(figures[STARTED_PROJECTS].value, figures[PROJECT_COUNT].value)
    months = data_period.end_month if data_period else None

    checks = []
    for code, label, computed in (
        (COMPLETION_RATE, gettext("完成率"), completion_pct),
        (START_RATE, gettext("开工率"), rate),
        (AHEAD_OF_SCHEDULE, gettext("超序进度"), ahead),
    ):
        statement = _latest(stated[code], [ValueKind.ACTUAL], year=year, month=month, cumulative=None)
        if statement and statement.value is not None:
            checks.append(StatedCheck(code, label, reconcile(statement.value, computed), statement.sources))
    for fig in figures.values():
        if fig.reconciliation is not None:
            checks.append(StatedCheck(fig.code, fig.label, fig.reconciliation, fig.statement.sources))

    projection = projection_at_pace(done.value, months) if months else None
    return PortfolioProgress(
        id=p["pk"],
        name=p["name"],
        zone=p["zone__name"],
        year=p["year"],
        category=p["category__name"] or "",
        figures=figures,
        data_period=data_period,
        time_progress=progress,
        completion=completion_pct,
        ahead=ahead,
        start_rate=rate,
        checks=checks,
        required_monthly=(
            required_monthly_run_rate(planned, done.value, months) if months and planned else None
        ),
        projection=projection,
        projected_completion=completion(projection, planned),
        excluded_foreign=sums["foreign"] if sums else 0,
    )


def indicator_progress(
    zone_name: str, zone: int, data: Fetched, year: int, month: int, basis: Basis
) -> list[IndicatorProgress]:
    found = []
    codes = sorted(data.codes.get(("zone", zone), []))
    for code in codes:
        metric = data.metrics[code]
        statements = data.statements[("zone", zone, code)]
        flow = metric.flow_or_stock == FlowOrStock.FLOW
        actual = _latest(statements, [ValueKind.ACTUAL], year=year, month=month, cumulative=flow)
        target = _annual(statements, [ValueKind.TARGET, ValueKind.PLAN], year)
        forecast = _annual(statements, [ValueKind.FORECAST], year)
        if actual is None and target is None and forecast is None:
            continue
        comparable = (
            actual is not None
            and actual.value is not None
            and target is not None
            and metric.unit_kind not in (UnitKind.PERCENT, UnitKind.SCORE)
            and (not target.currency or target.currency == actual.currency)
        )
        months = actual.period.end_month if actual else None
        progress = time_progress(actual.period.end_date, basis) if actual else None
        completion_pct = completion(actual.value, target.value) if comparable else None
        ahead = ahead_of_schedule(completion_pct, progress) if flow and completion_pct is not None else None
        previous = None
        if actual is not None:
            last_year = actual.period.previous_year()
            previous = next(
                (
                    s
                    for s in statements
                    if s.kind == ValueKind.ACTUAL and s.period == last_year and s.value is not None
                ),
                None,
            )
        yoy_computed = (
            yoy_change(actual.value, previous.value)
            if previous is not None and actual.value is not None
            else None
        )
        yoy_stated = actual.yoy_growth if actual else None
        projection = (
            projection_at_pace(actual.value, months) if flow and actual and actual.value is not None else None
        )
        found.append(
            IndicatorProgress(
                zone=zone_name,
                metric_code=code,
                metric=metric.name,
                unit_kind=metric.unit_kind,
                unit=metric.unit,
                flow=flow,
                actual=actual,
                target=target,
                forecast=forecast,
                period_targets=[
                    s
                    for s in statements
                    if s.kind in (ValueKind.TARGET, ValueKind.PLAN)
                    and s.period.year == year
                    and s.period.start_month == 1
                    and s.period.end_month < 12
                    and s.value is not None
                ],
                time_progress=progress if flow else None,
                completion=completion_pct,
                ahead=ahead,
                yoy_stated=yoy_stated,
                yoy_computed=yoy_computed,
                yoy_check=(
                    reconcile(yoy_stated, yoy_computed)
                    if yoy_stated is not None and yoy_computed is not None
                    else None
                ),
                required_monthly=(
                    required_monthly_run_rate(target.value, actual.value, months)
                    if comparable and flow
                    else None
                ),
                projection=projection,
                projected_completion=completion(projection, target.value) if comparable and flow else None,
            )
        )
    return found


def _status(verdict: CheckpointVerdict, data_month: int | None, checkpoint_month: int) -> str:
    if verdict.met is None:
        return "no_data"
    if verdict.met:
        return "met"
    return "missed" if data_month is not None and data_month >= checkpoint_month else "pending"


def checkpoint_items(
    portfolios: Iterable[PortfolioProgress],
    indicators: Iterable[IndicatorProgress],
    checkpoint: date,
    required: Decimal | None,
    year: int,
    month: int,
) -> list[CheckpointItem]:
    """Each portfolio and indicator with a target, measured against the checkpoint's requirement:
    a share of the annual target (双过半: 50%), or, without a share (一季度开门红), the whole of the
    target set for the checkpoint's own period."""
    items = []
    for p in portfolios:
        planned = p.figures[PLANNED_INVESTMENT].value
        if planned is None or required is None:
            continue  # a portfolio has only an annual plan: nothing to hold a Q1 target against
        done = p.figures[COMPLETED_INVESTMENT]
        items.append(
            _item(
                f"{p.zone} {p.name}",
                "portfolio",
                p.completion,
                required,
                p.data_period,
                planned,
                done.value,
                checkpoint,
            )
        )
    for i in indicators:
        if not i.flow:
            continue
        actual = i.actual.value if i.actual else None
        period = i.actual.period if i.actual else None
        if required is not None and i.target is not None:
            pct = completion(actual, i.target.value) if i.completion is None else i.completion
            items.append(
                _item(
                    f"{i.zone} {i.metric}",
                    "indicator",
                    pct,
                    required,
                    period,
                    i.target.value,
                    actual,
                    checkpoint,
                )
            )
        elif required is None:
            target = next((t for t in i.period_targets if t.period.end_month == checkpoint.month), None)
            if target is None:
                continue
            # Only a figure for the checkpoint's own period can meet a target set for that period.
            same = actual if period is not None and period.end_month == checkpoint.month else None
            items.append(
                _item(
                    f"{i.zone} {i.metric}({target.period})",
                    "indicator",
                    completion(same, target.value),
                    Decimal(100),
                    period,
                    target.value,
                    actual,
                    checkpoint,
                )
            )
    return items


def _item(
    subject: str,
    kind: str,
    completion_pct: Decimal | None,
    required: Decimal,
    period: Period | None,
    target: Decimal,
    actual: Decimal | None,
    checkpoint: date,
) -> CheckpointItem:
    verdict = checkpoint_verdict(completion_pct, required)
    data_month = period.end_month if period else None
    return CheckpointItem(
        subject=subject,
        kind=kind,
        data_period=period,
        verdict=verdict,
        status=_status(verdict, data_month, checkpoint.month),
        required_monthly=_required_for(target, required, actual, period, checkpoint.month),
    )


def _required_for(
    target: Decimal | None, share: Decimal, actual: Decimal | None, period: Period | None, until: int
) -> Decimal | None:
    if target is None:
        return None
    done_month = period.end_month if period else 0
    return required_monthly_run_rate(target * share / 100, actual or Decimal(0), done_month, until)


def _checkpoints(
    report: ProgressReport, campaigns: list[tuple[Campaign, list[int]]], year: int, month: int
) -> list[Checkpoint]:
    """双过半 at the end of June always; each campaign of the zone at its own checkpoint."""
    checkpoints = [
        Checkpoint(
            name=str(DOUBLE_HALF),
            campaign_id=None,
            date=date(year, 6, 30),
            required_pct=Decimal(50),
            items=checkpoint_items(
                report.portfolios, report.indicators, date(year, 6, 30), Decimal(50), year, month
            ),
        )
    ]
    for campaign, _zones in campaigns:
        checkpoints.append(
            Checkpoint(
                name=campaign.name,
                campaign_id=campaign.pk,
                date=campaign.checkpoint,
                required_pct=campaign.required_share,
                items=checkpoint_items(
                    report.portfolios,
                    report.indicators,
                    campaign.checkpoint,
                    campaign.required_share,
                    year,
                    month,
                ),
            )
        )
    return checkpoints


def _lagging(data: Fetched, year: int, month: int, basis: Basis) -> list[LaggingProject]:
    projects: dict[int, LaggingProject] = {}
    for m in data.late:
        project = projects.setdefault(
            m["project_id"],
            LaggingProject(m["project_id"], m["project__name"], m["project__zone__name"] or ""),
        )
        project.late_milestones.append(
            LateMilestone(m["kind"], m["phase"], m["planned_date"], m["planned_precision"])
        )
    for row in data.projects:
        if row["completed"] is None:
            continue
        period = Period.year_to_date(year, row["completed_month"])
        pct = completion(row["completed"], row["planned_investment"])
        ahead = ahead_of_schedule(pct, time_progress(period.end_date, basis))
        if ahead is None or ahead >= 0:
            continue
        project = projects.setdefault(
            row["project_id"],
            LaggingProject(row["project_id"], row["project__name"], row["project__zone__name"] or ""),
        )
        project.planned_investment = row["planned_investment"]
        project.completed_investment = row["completed"]
        project.data_period = period
        project.completion = pct
        project.ahead = ahead
    # Furthest behind plan first (a project only late on milestones counts as on plan), then the
    # longest overdue milestone first, then by name.
    return sorted(
        projects.values(),
        key=lambda p: (
            p.ahead if p.ahead is not None else Decimal(0),
            min((m.planned for m in p.late_milestones), default=date.max),
            p.name,
            p.id,
        ),
    )


def _conflicts(
    tree: ZoneTree, data: Fetched, zones: list[int], portfolios: list[PortfolioProgress], year: int
) -> list[Conflict]:
    """Two statements of the same fact (subject, metric, period, kind) that disagree."""
    subjects = [("zone", z, tree.names[z]) for z in zones] + [
        ("portfolio", p.id, f"{p.zone} {p.name}") for p in portfolios
    ]
    conflicts = []
    for subject, pk, label in subjects:
        for code in data.codes.get((subject, pk), []):
            statements = data.statements[(subject, pk, code)]
            groups: dict[tuple, list[Statement]] = defaultdict(list)
            for s in statements:
                groups[(s.period, s.kind)].append(s)
            for (period, kind), group in groups.items():
                if len(group) < 2:
                    continue
                for attr in ("value", "yoy_growth"):
                    stated = [s for s in group if getattr(s, attr) is not None]
                    if len({getattr(s, attr) for s in stated}) > 1:
                        conflicts.append(
                            Conflict(label, data.metrics[code].name, period, kind, attr, tuple(stated))
                        )
    return conflicts


def campaign_standings(
    tree: ZoneTree,
    roots: list[int],
    data: Fetched,
    checkpoint: date,
    share: Decimal | None,
    year: int,
    month: int,
    basis: Basis,
) -> list[CampaignStanding]:
    """Every root zone of a campaign at its checkpoint, ranked."""
    # Each portfolio and each zone's indicators are measured once, then gathered into every root
    # whose tree holds them: building each root's report would measure a zone once per ancestor
    # (a province's tree holds every zone), and compute conflicts and checkpoints no standing shows.
    portfolio_items = {
        p["pk"]: checkpoint_items(
            [portfolio_progress(p, data, year, month, basis)], [], checkpoint, share, year, month
        )
        for p in data.portfolios
    }
    indicator_items = {
        zone: checkpoint_items(
            [],
            indicator_progress(tree.names[zone], zone, data, year, month, basis),
            checkpoint,
            share,
            year,
            month,
        )
        for zone in tree.scope(roots)
    }
    standings = []
    for root in roots:
        zones = tree.subtree(root)
        inside = set(zones)
        # In the order of the root's report: its portfolios as fetched, then its zones' indicators.
        items = [item for p in data.portfolios if p["zone_id"] in inside for item in portfolio_items[p["pk"]]]
        items += [item for zone in zones for item in indicator_items[zone]]
        measured = [i for i in items if i.verdict.gap_pct is not None]
        mean_gap = sum(i.verdict.gap_pct for i in measured) / len(measured) if measured else None
        standings.append(
            CampaignStanding(
                rank=None,
                zone_id=root,
                zone=tree.names[root],
                items=items,
                met=sum(i.status == "met" for i in items),
                measured=len(measured),
                mean_gap=mean_gap,
            )
        )
    # Zones with figures first, by how far they are past the checkpoint's requirement.
    standings.sort(key=lambda s: (s.mean_gap is None, -(s.mean_gap or 0), -s.met, s.zone))
    for rank, standing in enumerate((s for s in standings if s.mean_gap is not None), start=1):
        standing.rank = rank
    return standings
