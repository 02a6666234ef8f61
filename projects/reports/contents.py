"""What a progress report holds: the figure codes, the report's dataclasses, and the zone tree and
fetched rows the computation works on. Plain values only: nothing here queries the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from ..models import Campaign, Metric
from ..money import from_base
from ..periods import Period, period_end
from .measures import Basis, CheckpointVerdict, Reconciliation, reconcile, stated_precision

DUE_WITHIN = timedelta(days=30)
# A report lists at most this many lagging projects and milestones due, the most important first,
# and says how many there are in all: a province's report would otherwise list tens of thousands.
REPORT_LIST_LIMIT = 200
DOUBLE_HALF = _("双过半")

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


def month_end(year: int, month: int) -> date:
    return period_end(date(year, month, 1), "month")


# ---------------------------------------------------------------------------------------------
# What the queries hand the computation


@dataclass
class ZoneTree:
    names: dict[int, str]
    children: dict[int | None, list[int]]

    def subtree(self, root: int) -> list[int]:
        """The root first, then its descendants breadth first."""
        ids, level = [root], [root]
        while level:
            level = [child for pk in level for child in self.children.get(pk, []) if child not in ids]
            ids.extend(level)
        return ids

    def scope(self, roots: Iterable[int]) -> set[int]:
        """The roots and every zone under them."""
        return {pk for root in roots for pk in self.subtree(root)}

    def ancestors(self, pk: int) -> set[int]:
        parents = {child: parent for parent, kids in self.children.items() for child in kids}
        found = set()
        while parents.get(pk) is not None:
            pk = parents[pk]
            found.add(pk)
        return found


@dataclass
class Fetched:
    """The rows the queries return for a set of zones (queries.fetch); the computation reads only these."""

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
