"""The progress report (调度通报): is a zone on schedule for the year, and which projects lag?

Queries fetch, the measures in `measures.py` compute. The report of one zone and of every zone of
a campaign is built from the same fixed set of queries, whatever the number of projects or zones:
sums and counts happen in the database, and the rows that come back are per portfolio, per
indicator figure or per lagging project, never one query per row.

Figures come from two places. A portfolio with projects on it has its counts and sums computed
from those projects; a portfolio known only from what a source stated (seed 004's 23 projects,
83.19亿元 planned, 58.33亿元 completed) uses the stated totals. Where both exist, or where a source
also stated a derived figure (完成率, 开工率, 超序进度, 同比), the report shows the stated value beside
the computed one and says whether rounding explains the difference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from ..models import (
    Campaign,
    Currency,
    FlowOrStock,
    IndicatorValue,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    UnitKind,
    ValueKind,
    Zone,
    late_condition,
    started_condition,
)
from ..money import from_base
from ..periods import Period, period_end
from .measures import (
    Basis,
    CheckpointVerdict,
    Reconciliation,
    ahead_of_schedule,
    checkpoint_verdict,
    completion,
    projection_at_pace,
    reconcile,
    required_monthly_run_rate,
    start_rate,
    stated_precision,
    time_progress,
    yoy_change,
)

DUE_WITHIN = timedelta(days=30)
# A report lists at most this many lagging projects and milestones due, the most important first,
# and says how many there are in all: a province's report would otherwise list tens of thousands.
REPORT_LIST_LIMIT = 200
DOUBLE_HALF = "双过半"

# The portfolio totals a report needs, by the metric code a source's statement of them is filed under.
PROJECT_COUNT = "project_count"
TOTAL_INVESTMENT = "total_investment"
PLANNED_INVESTMENT = "planned_investment"
STARTED_PROJECTS = "started_projects"
COMPLETED_INVESTMENT = "completed_investment"
# Derived figures a source may state beside the totals; the report recomputes them.
COMPLETION_RATE = "completion_rate"
START_RATE = "start_rate"
AHEAD_OF_SCHEDULE = "ahead_of_schedule"
PORTFOLIO_CODES = (
    PROJECT_COUNT,
    TOTAL_INVESTMENT,
    PLANNED_INVESTMENT,
    STARTED_PROJECTS,
    COMPLETED_INVESTMENT,
    COMPLETION_RATE,
    START_RATE,
    AHEAD_OF_SCHEDULE,
)


class ReportError(ValueError):
    """A report cannot be made for what was asked; the message says why, in Chinese."""

    def __init__(self, message: str, field: str = "zone") -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------------------------------
# What the report holds


@dataclass(frozen=True)
class Statement:
    """A figure as a source stated it (one IndicatorValue row)."""

    id: int
    value: Decimal | None
    period: Period
    kind: str
    scale: int | None
    currency: str
    qualifier: str
    yoy_growth: Decimal | None
    sources: tuple[str, ...]


@dataclass
class Figure:
    """One quantity: computed from the projects where possible, else as stated."""

    code: str
    label: str
    unit_kind: str
    computed: Decimal | None = None
    statement: Statement | None = None
    period: Period | None = None
    reporting: int | None = None  # projects that reported the figure, for sums over projects

    @property
    def stated(self) -> Decimal | None:
        return self.statement.value if self.statement else None

    @property
    def value(self) -> Decimal | None:
        return self.computed if self.computed is not None else self.stated

    @property
    def origin(self) -> str:
        if self.computed is not None:
            return "computed"
        return "stated" if self.statement else "missing"

    @property
    def reconciliation(self) -> Reconciliation | None:
        if self.computed is None or self.stated is None:
            return None
        scale = self.statement.scale
        if scale:  # 299.92亿元 is stated to 0.01亿元, not to the yuan it is stored in
            precision = stated_precision(from_base(self.stated, scale)) * scale
            return reconcile(self.stated, self.computed, precision=precision)
        return reconcile(self.stated, self.computed)


@dataclass(frozen=True)
class StatedCheck:
    """A derived figure a source stated, beside the same figure computed from the inputs."""

    code: str
    label: str
    reconciliation: Reconciliation
    sources: tuple[str, ...]


@dataclass
class PortfolioProgress:
    id: int
    name: str
    zone: str
    year: int
    category: str
    figures: dict[str, Figure]
    data_period: Period | None
    time_progress: Decimal | None
    completion: Decimal | None
    ahead: Decimal | None
    start_rate: Decimal | None
    checks: list[StatedCheck]
    required_monthly: Decimal | None
    projection: Decimal | None
    projected_completion: Decimal | None
    excluded_foreign: int = 0  # projects in another currency, left out of the yuan totals


@dataclass
class IndicatorProgress:
    zone: str
    metric_code: str
    metric: str
    unit_kind: str
    unit: str
    flow: bool
    actual: Statement | None
    target: Statement | None
    forecast: Statement | None
    period_targets: list[Statement]  # targets for part of the year: a Q1 target (一季度开门红) …
    time_progress: Decimal | None
    completion: Decimal | None
    ahead: Decimal | None
    yoy_stated: Decimal | None
    yoy_computed: Decimal | None
    yoy_check: Reconciliation | None
    required_monthly: Decimal | None
    projection: Decimal | None
    projected_completion: Decimal | None


@dataclass(frozen=True)
class CheckpointItem:
    subject: str
    kind: str  # portfolio | indicator
    data_period: Period | None
    verdict: CheckpointVerdict
    status: str  # met | missed | pending | no_data
    required_monthly: Decimal | None


@dataclass
class Checkpoint:
    name: str
    campaign_id: int | None
    date: date
    required_pct: Decimal | None  # None: the checkpoint period has a target of its own
    items: list[CheckpointItem]

    @property
    def status(self) -> str:
        statuses = {item.status for item in self.items}
        if not statuses or statuses == {"no_data"}:
            return "no_data"
        for status in ("missed", "pending", "met"):
            if status in statuses:
                return status
        return "no_data"


@dataclass(frozen=True)
class LateMilestone:
    kind: str
    phase: str
    planned: date
    planned_precision: str


@dataclass
class LaggingProject:
    id: int
    name: str
    zone: str
    late_milestones: list[LateMilestone] = field(default_factory=list)
    planned_investment: Decimal | None = None
    completed_investment: Decimal | None = None
    data_period: Period | None = None
    completion: Decimal | None = None
    ahead: Decimal | None = None

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.late_milestones:
            reasons.append("late_milestones")
        if self.ahead is not None and self.ahead < 0:
            reasons.append("behind_plan")
        return reasons


@dataclass(frozen=True)
class DueMilestone:
    project_id: int
    project: str
    zone: str
    kind: str
    phase: str
    planned: date
    planned_precision: str
    due_by: date


@dataclass(frozen=True)
class Conflict:
    subject: str
    metric: str
    period: Period
    kind: str
    field: str
    statements: tuple[Statement, ...]


@dataclass
class ProgressReport:
    zone_id: int
    zone: str
    zones: list[str]
    as_of: date
    basis: Basis
    time_progress: Decimal
    portfolios: list[PortfolioProgress]
    indicators: list[IndicatorProgress]
    checkpoints: list[Checkpoint]
    lagging_projects: list[LaggingProject]
    milestones_due: list[DueMilestone]
    conflicts: list[Conflict]
    # How many there are in all; the lists above hold at most REPORT_LIST_LIMIT of them.
    lagging_total: int = 0
    late_milestones_total: int = 0
    milestones_due_total: int = 0

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def month(self) -> int:
        return self.as_of.month

    @property
    def period(self) -> Period:
        return Period.year_to_date(self.year, self.month)


@dataclass
class CampaignStanding:
    rank: int | None
    zone_id: int
    zone: str
    items: list[CheckpointItem]
    met: int
    measured: int
    mean_gap: Decimal | None


@dataclass
class CampaignReport:
    campaign_id: int
    name: str
    year: int
    checkpoint: date
    as_of: date
    required_pct: Decimal | None
    basis: Basis
    time_progress: Decimal
    standings: list[CampaignStanding]


# ---------------------------------------------------------------------------------------------
# Entry points


def resolve_zone(value: str | int, zones: QuerySet | None = None) -> Zone:
    """A zone by id, name, full name or alias among `zones` (by default all; a request's, those the
    user may read); ReportError when none or several match."""
    zones = Zone.objects.all() if zones is None else zones
    text = str(value).strip()
    if not text:
        raise ReportError("请指定区域(区域编号或名称)")
    if text.isdecimal():
        zone = zones.filter(pk=int(text)).first()
        if zone is None:
            raise ReportError(f"区域编号 {text} 不存在")
        return zone
    found = list(zones.matching(text)[:2])
    if not found:
        raise ReportError(f"未找到区域“{text}”")
    if len(found) > 1:
        raise ReportError(f"区域名称“{text}”对应多个区域,请改用区域编号")
    return found[0]


def month_end(year: int, month: int) -> date:
    return period_end(date(year, month, 1), "month")


def progress_report(
    zone: Zone, year: int, month: int, basis: Basis = Basis.MONTH, projects: set[int] | None = None
) -> ProgressReport:
    """The progress report of `zone` and its sub-zones as of the end of `month` of `year`;
    with `projects`, its lagging projects and milestones due are of those projects only."""
    tree = ZoneTree.load()
    data = _fetch(tree, {zone.pk}, year, month, detail=True, projects=projects)
    return _assemble(tree, zone.pk, data, year, month, Basis(basis))


def campaign_report(
    campaign: Campaign, year: int | None = None, month: int | None = None, basis: Basis = Basis.MONTH
) -> CampaignReport:
    """Every zone of the campaign at its checkpoint (or earlier, as of `month`), ranked."""
    checkpoint_month = campaign.checkpoint.month
    if year is None or month is None or (year, month) > (campaign.year, checkpoint_month):
        year, month = campaign.year, checkpoint_month
    if year != campaign.year:
        raise ReportError(f"统计截止月须在{campaign.year}年内", field="as_of")
    basis = Basis(basis)
    tree = ZoneTree.load()
    roots = [z.pk for z in campaign.zones.all()]
    data = _fetch(tree, set(roots), year, month, detail=False)
    # Each portfolio and each zone's indicators are measured once, then gathered into every root
    # whose tree holds them: building each root's report would measure a zone once per ancestor
    # (a province's tree holds every zone), and compute conflicts and checkpoints no standing shows.
    checkpoint, share = campaign.checkpoint, campaign.required_share
    portfolio_items = {
        p["pk"]: _checkpoint_items(
            [_portfolio(p, data, year, month, basis)], [], checkpoint, share, year, month
        )
        for p in data.portfolios
    }
    indicator_items = {
        zone: _checkpoint_items(
            [], _indicators(tree.names[zone], zone, data, year, month, basis), checkpoint, share, year, month
        )
        for zone in _scope(tree, roots)
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
    as_of = month_end(year, month)
    return CampaignReport(
        campaign_id=campaign.pk,
        name=campaign.name,
        year=campaign.year,
        checkpoint=campaign.checkpoint,
        as_of=as_of,
        required_pct=campaign.required_share,
        basis=basis,
        time_progress=time_progress(as_of, basis),
        standings=standings,
    )


# ---------------------------------------------------------------------------------------------
# Fetching: a fixed number of queries for any set of zones


@dataclass
class ZoneTree:
    names: dict[int, str]
    children: dict[int | None, list[int]]

    @classmethod
    def load(cls) -> ZoneTree:
        names, children = {}, defaultdict(list)
        for pk, parent, name in Zone.objects.order_by("name").values_list("pk", "parent_id", "name"):
            names[pk] = name
            children[parent].append(pk)
        return cls(names, children)

    def subtree(self, root: int) -> list[int]:
        """The root first, then its descendants breadth first."""
        ids, level = [root], [root]
        while level:
            level = [child for pk in level for child in self.children.get(pk, []) if child not in ids]
            ids.extend(level)
        return ids


@dataclass
class _Data:
    portfolios: list[dict]
    entry_sums: dict[int, dict]
    project_sums: dict[int, dict]
    statements: dict[tuple[str, int, str], list[Statement]]  # (subject, id, metric code)
    metrics: dict[str, Metric]
    projects: list[dict]
    late: list[dict]
    due: list[dict]
    campaigns: list[tuple[Campaign, list[int]]]

    @cached_property
    def codes(self) -> dict[tuple[str, int], list[str]]:
        """The metric codes stated about each subject, in the order of `statements`: looked up
        per zone and portfolio, where scanning every statement would grow with zones squared."""
        found: dict[tuple[str, int], list[str]] = defaultdict(list)
        for subject, pk, code in self.statements:
            found[(subject, pk)].append(code)
        return found


def _scope(tree: ZoneTree, roots: Iterable[int]) -> set[int]:
    return {pk for root in roots for pk in tree.subtree(root)}


def _fetch(
    tree: ZoneTree, roots: set[int], year: int, month: int, *, detail: bool, projects: set[int] | None = None
) -> _Data:
    zones = _scope(tree, roots)
    as_of = month_end(year, month)
    portfolios = list(
        Portfolio.objects.filter(zone__in=zones, year=year)
        .order_by("zone__name", "name")
        .values("pk", "name", "zone_id", "zone__name", "year", "category__name")
    )
    portfolio_ids = [p["pk"] for p in portfolios]

    yuan = Q(project__currency=Currency.CNY)
    entry_sums = {
        row["portfolio"]: row
        for row in PortfolioEntry.objects.filter(portfolio__in=portfolio_ids)
        .values("portfolio")
        .order_by("portfolio")
        .annotate(
            projects=Count("pk"),
            total=Sum("project__total_investment", filter=yuan),
            planned=Sum("planned_investment", filter=yuan),
            planned_count=Count("planned_investment", filter=yuan),
            started_count=Count("pk", filter=started_condition("project__", by=as_of)),
            foreign=Count("pk", filter=~yuan),
        )
    }

    # Completed investment the projects reported for January to the report's month.
    completed = IndicatorValue.objects.completed_investment(year).filter(end_month=month)
    project_sums = {
        row["project__portfolio_entries__portfolio"]: row
        for row in completed.filter(project__portfolio_entries__portfolio__in=portfolio_ids)
        .values("project__portfolio_entries__portfolio")
        .order_by("project__portfolio_entries__portfolio")
        .annotate(total=Sum("value"), reporting=Count("project", distinct=True))
    }

    # Every current statement (a restated one is replaced) of the year, and the year before for 同比,
    # about the zones and portfolios.
    # The zones' and the portfolios' statements are two index scans joined by UNION ALL (a value
    # has one subject); an OR of the two would read the whole table, millions of project figures.
    about = (
        IndicatorValue.objects.current()
        .filter(year__in=[year - 1, year])
        .filter(
            Q(end_month__lte=month)
            | Q(year=year - 1)
            | Q(kind__in=[ValueKind.TARGET, ValueKind.PLAN, ValueKind.FORECAST])
        )
        .order_by()
    )
    fields = (
        "pk",
        "zone_id",
        "portfolio_id",
        "metric__code",
        "year",
        "start_month",
        "end_month",
        "kind",
        "value",
        "scale",
        "currency",
        "qualifier",
        "yoy_growth",
    )
    values = list(
        about.filter(zone__in=zones)
        .values(*fields)
        .union(about.filter(portfolio__in=portfolio_ids).values(*fields), all=True)
        .order_by("pk")
    )
    sources = _sources(
        Q(indicatorvalue__zone__in=zones) | Q(indicatorvalue__portfolio__in=portfolio_ids),
        Q(indicatorvalue__year__in=[year - 1, year]),
    )
    statements: dict[tuple[str, int, str], list[Statement]] = defaultdict(list)
    for v in values:
        subject = ("zone", v["zone_id"]) if v["zone_id"] else ("portfolio", v["portfolio_id"])
        statements[(*subject, v["metric__code"])].append(_statement(v, sources))
    codes = {v["metric__code"] for v in values}
    metrics = {m.code: m for m in Metric.objects.filter(code__in=codes)}

    project_ids, projects, late, due = projects, [], [], []
    if detail:
        of_projects = Q() if project_ids is None else Q(project__in=project_ids)
        projects = list(_project_progress(portfolio_ids, year, month).filter(of_projects))
        milestones = Milestone.objects.filter(of_projects, project__zone__in=zones).values(
            "pk",
            "project_id",
            "project__name",
            "project__zone__name",
            "kind",
            "phase",
            "planned_date",
            "planned_precision",
        )
        late = list(
            milestones.filter(late_condition(as_of)).order_by(
                "project__name", "project_id", "planned_date", "pk"
            )
        )
        # Planned in a period that ends within 30 days: a quarter planned for Q2 is due by 30 June.
        window = milestones.filter(
            actual_date__isnull=True,
            planned_date__isnull=False,
            planned_date__lte=as_of + DUE_WITHIN,
            planned_date__gt=as_of - timedelta(days=366),
        ).exclude(late_condition(as_of))
        due = [
            m
            for m in window.order_by("planned_date", "project__name", "pk")
            if as_of < period_end(m["planned_date"], m["planned_precision"]) <= as_of + DUE_WITHIN
        ]
        # Soonest due first: the day the planned period ends, then the planned date.
        due.sort(key=lambda m: period_end(m["planned_date"], m["planned_precision"]))

    campaigns = []
    if detail:
        ancestors = _ancestors(tree, next(iter(roots)))
        for campaign in (
            Campaign.objects.filter(year=year, zones__in=zones | ancestors)
            .distinct()
            .prefetch_related("zones")
            .order_by("checkpoint", "name")
        ):
            campaigns.append((campaign, [z.pk for z in campaign.zones.all()]))

    return _Data(portfolios, entry_sums, project_sums, statements, metrics, projects, late, due, campaigns)


def _ancestors(tree: ZoneTree, pk: int) -> set[int]:
    parents = {child: parent for parent, kids in tree.children.items() for child in kids}
    found = set()
    while parents.get(pk) is not None:
        pk = parents[pk]
        found.add(pk)
    return found


def _sources(*conditions: Q) -> dict[int, tuple[str, ...]]:
    """The source documents cited by each indicator value the conditions select, in one query.
    Selected from the citations' side: few values are cited, and a list of every value's id
    (tens of thousands at province scale) would cost more to send than the answer."""
    through = IndicatorValue.citations.through
    found: dict[int, list[str]] = defaultdict(list)
    for value_id, key in (
        through.objects.filter(*conditions)
        .order_by("citation__document__key")
        .values_list("indicatorvalue_id", "citation__document__key")
    ):
        if key not in found[value_id]:
            found[value_id].append(key)
    return {k: tuple(v) for k, v in found.items()}


def _statement(row: dict, sources: dict[int, tuple[str, ...]]) -> Statement:
    return Statement(
        id=row["pk"],
        value=row["value"],
        period=Period(row["year"], row["start_month"], row["end_month"]),
        kind=row["kind"],
        scale=row["scale"],
        currency=row["currency"],
        qualifier=row["qualifier"],
        yoy_growth=row["yoy_growth"],
        sources=sources.get(row["pk"], ()),
    )


def _project_progress(portfolio_ids: list[int], year: int, month: int) -> Iterable[dict]:
    """Each project on the portfolios with its plan and the latest completed investment it reported."""
    latest = (
        IndicatorValue.objects.current()
        .filter(
            project=OuterRef("project"),
            metric__code=COMPLETED_INVESTMENT,
            kind=ValueKind.ACTUAL,
            year=year,
            start_month=1,
            end_month__lte=month,
            value__isnull=False,
        )
        .order_by("-end_month", "-pk")
    )
    return (
        PortfolioEntry.objects.filter(portfolio__in=portfolio_ids, planned_investment__gt=0)
        .annotate(
            completed=Subquery(latest.values("value")[:1]),
            completed_month=Subquery(latest.values("end_month")[:1]),
        )
        .values(
            "project_id",
            "project__name",
            "project__zone__name",
            "planned_investment",
            "completed",
            "completed_month",
        )
        .order_by("project__name")
    )


# ---------------------------------------------------------------------------------------------
# Assembling: pure work on what was fetched


def _assemble(
    tree: ZoneTree,
    root: int,
    data: _Data,
    year: int,
    month: int,
    basis: Basis,
    campaigns: list[tuple[Campaign, list[int]]] | None = None,
) -> ProgressReport:
    zones = tree.subtree(root)
    as_of = month_end(year, month)
    progress = time_progress(as_of, basis)
    portfolios = [
        _portfolio(p, data, year, month, basis) for p in data.portfolios if p["zone_id"] in set(zones)
    ]
    indicators = [
        indicator
        for zone in zones
        for indicator in _indicators(tree.names[zone], zone, data, year, month, basis)
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


def _portfolio(p: dict, data: _Data, year: int, month: int, basis: Basis) -> PortfolioProgress:
    stated = {code: data.statements.get(("portfolio", p["pk"], code), []) for code in PORTFOLIO_CODES}
    sums = data.entry_sums.get(p["pk"])
    project_sum = data.project_sums.get(p["pk"])
    targets = (ValueKind.PLAN, ValueKind.TARGET)

    def figure(code: str, label: str, unit_kind: str, computed, statement, reporting=None) -> Figure:
        period = statement.period if statement and computed is None else None
        return Figure(code, label, unit_kind, computed, statement, period, reporting)

    has_projects = bool(sums and sums["projects"])
    figures = {
        PROJECT_COUNT: figure(
            PROJECT_COUNT,
            "项目数",
            UnitKind.COUNT,
            Decimal(sums["projects"]) if has_projects else None,
            _latest(stated[PROJECT_COUNT], [ValueKind.ACTUAL], year=year, month=month, cumulative=None),
        ),
        TOTAL_INVESTMENT: figure(
            TOTAL_INVESTMENT,
            "总投资",
            UnitKind.AMOUNT,
            sums["total"] if has_projects else None,
            _latest(stated[TOTAL_INVESTMENT], [ValueKind.ACTUAL], year=year, month=month, cumulative=None),
        ),
        PLANNED_INVESTMENT: figure(
            PLANNED_INVESTMENT,
            "年度计划投资",
            UnitKind.AMOUNT,
            sums["planned"] if has_projects and sums["planned_count"] else None,
            _annual(stated[PLANNED_INVESTMENT], targets, year),
        ),
        STARTED_PROJECTS: figure(
            STARTED_PROJECTS,
            "已开工项目数",
            UnitKind.COUNT,
            Decimal(sums["started_count"]) if has_projects else None,
            _latest(stated[STARTED_PROJECTS], [ValueKind.ACTUAL], year=year, month=month, cumulative=None),
        ),
        COMPLETED_INVESTMENT: figure(
            COMPLETED_INVESTMENT,
            "完成投资",
            UnitKind.AMOUNT,
            project_sum["total"] if project_sum else None,
            _latest(
                stated[COMPLETED_INVESTMENT], [ValueKind.ACTUAL], year=year, month=month, cumulative=True
            ),
            project_sum["reporting"] if project_sum else None,
        ),
    }
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
        (COMPLETION_RATE, "完成率", completion_pct),
        (START_RATE, "开工率", rate),
        (AHEAD_OF_SCHEDULE, "超序进度", ahead),
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


def _indicators(
    zone_name: str, zone: int, data: _Data, year: int, month: int, basis: Basis
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


def _checkpoint_items(
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
            name=DOUBLE_HALF,
            campaign_id=None,
            date=date(year, 6, 30),
            required_pct=Decimal(50),
            items=_checkpoint_items(
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
                items=_checkpoint_items(
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


def _lagging(data: _Data, year: int, month: int, basis: Basis) -> list[LaggingProject]:
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
    tree: ZoneTree, data: _Data, zones: list[int], portfolios: list[PortfolioProgress], year: int
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
