"""The plan: every row of a synthetic province as a tuple, ids included; plain arithmetic on
`random.Random(seed)`, no database."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..models import (
    EntryBasis,
    MilestoneKind,
    Stage,
    ValueKind,
    ZoneKind,
)
from ..money import Currency
from ..periods import DatePrecision
from .spec import (
    CITIES,
    COMPANY_FORMS,
    FACILITIES,
    GAPS,
    INVESTMENT_SEASON,
    KIND_WEIGHT,
    LATE_SHARE,
    ORDINALS,
    PLACE_CHARS,
    PORTFOLIO_NAME,
    PRODUCTS,
    SEASON_TOTAL,
    STAGE_REACHED,
    STAGE_WEIGHTS,
    SYLLABLES,
    SYNTHETIC_NOTE,
    SYNTHETIC_PREFIX,
    TRADES,
    WAN,
    YI,
    ZONE_METRICS,
    SyntheticSpec,
    month_date,
    month_index,
    quarter_start,
)

# ---------------------------------------------------------------------------------------------
# The plan: every row as a tuple, ids included


@dataclass
class _ProjectTimeline:
    pk: int
    zone_id: int
    total: int
    late: bool
    signed: int | None  # month reached
    start: int | None
    finished: int | None  # month production or completion was reached
    milestones: list[tuple] = field(default_factory=list)


def _activity(t: _ProjectTimeline, index: int) -> float:
    """How much of its pace a project invests in a month: nothing before the signing, a little
    before construction starts (design, land, site work) and after production began."""
    if t.signed is None or index < t.signed:
        return 0.0
    if t.start is None or index < t.start:
        return 0.3
    if t.finished is not None and index > t.finished:
        return 0.1
    return 1.0


@dataclass
class _Plan:
    spec: SyntheticSpec
    ids: dict[str, int]  # first free id per table label
    rng: random.Random = field(init=False)
    zones: list[tuple] = field(default_factory=list)
    zone_weight: dict[int, float] = field(default_factory=dict)
    zone_parent: dict[int, int | None] = field(default_factory=dict)
    enterprises: list[tuple] = field(default_factory=list)
    zone_trades: dict[int, list[str]] = field(default_factory=dict)  # zone id -> leading chains
    trade_of: dict[int, str] = field(default_factory=dict)  # enterprise or project id -> chain
    projects: list[tuple] = field(default_factory=list)
    timelines: list[_ProjectTimeline] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.spec.seed)
        self.end = month_index(self.spec.end)
        self.first = self.end - self.spec.months + 1
        self.years = list(range(self.first // 12, self.end // 12 + 1))

    def take_ids(self, label: str, count: int) -> int:
        first = self.ids[label]
        self.ids[label] = first + count
        return first

    # -- zones ---------------------------------------------------------------------------------

    def make_zones(self) -> None:
        """One province, up to 11 cities, the rest counties and development zones of the cities."""
        rng, n = self.rng, self.spec.zones
        pk = self.take_ids("zones", n)
        root = pk
        self.zones.append(
            (root, f"{SYNTHETIC_PREFIX}省", "", ZoneKind.PROVINCE, None, None, None, EntryBasis.MONTH)
        )
        cities = max(1, min(len(CITIES), (n - 1) // 12))
        city_ids = []
        for i in range(cities):
            pk += 1
            city_ids.append(pk)
            self.zones.append(
                (
                    pk,
                    f"{SYNTHETIC_PREFIX}{CITIES[i]}市",
                    "",
                    ZoneKind.CITY,
                    root,
                    None,
                    None,
                    EntryBasis.MONTH,
                )
            )
        used = set()
        kinds = (
            ZoneKind.COUNTY,
            ZoneKind.PROVINCIAL_ZONE,
            ZoneKind.NATIONAL_ETDZ,
            ZoneKind.NATIONAL_HIGH_TECH,
        )
        for i in range(n - 1 - cities):
            pk += 1
            city = city_ids[i % cities]
            kind = rng.choices(kinds, weights=(50, 38, 6, 6))[0]
            place = self._place(used)
            name, full_name = {
                ZoneKind.COUNTY: (f"{place}县", ""),
                ZoneKind.PROVINCIAL_ZONE: (f"{place}工业园区", f"{place}工业园区(省级开发区)"),
                ZoneKind.NATIONAL_ETDZ: (f"{place}经开区", f"{place}经济技术开发区"),
                ZoneKind.NATIONAL_HIGH_TECH: (f"{place}高新区", f"{place}高新技术产业开发区"),
            }[kind]
            area = Decimal(rng.randint(1500, 60000)) / 100 if kind != ZoneKind.COUNTY else None
            deadline = rng.choice((None, None, 5, 10))
            basis = EntryBasis.YEAR_TO_DATE if rng.random() < 0.3 else EntryBasis.MONTH
            full = f"{SYNTHETIC_PREFIX}{full_name}" if full_name else ""
            self.zones.append((pk, f"{SYNTHETIC_PREFIX}{name}", full, kind, city, area, deadline, basis))
        for row in self.zones:
            self.zone_parent[row[0]] = row[4]
            if row[4] is not None:
                # Pareto: a few zones carry most of the projects, as in a real province.
                weight = min(rng.paretovariate(1.3), 30.0)
                self.zone_weight[row[0]] = weight * KIND_WEIGHT[row[3]]
                self.zone_trades[row[0]] = rng.sample(TRADES, 3)  # 主导产业链

    def _place(self, used: set[str]) -> str:
        while True:
            name = "".join(self.rng.sample(PLACE_CHARS, 2))
            if len(used) > len(PLACE_CHARS) ** 2 // 2:
                name += str(len(used))
            if name not in used:
                used.add(name)
                return name

    # -- enterprises and projects --------------------------------------------------------------

    def make_enterprises(self) -> None:
        rng = self.rng
        count = max(1, self.spec.projects // 15)
        pk = self.take_ids("enterprises", count)
        zone_ids = list(self.zone_weight)
        zones = rng.choices(zone_ids, weights=[self.zone_weight[z] for z in zone_ids], k=count)
        used: set[str] = set()
        for i in range(count):
            for attempt in range(100):
                stem = rng.choice(SYLLABLES) + rng.choice(SYLLABLES)[0]
                trade = self._trade(zones[i])
                name = f"{SYNTHETIC_PREFIX}{stem}{trade}{rng.choice(COMPANY_FORMS)}"
                if attempt == 99:
                    name = f"{SYNTHETIC_PREFIX}{stem}{trade}{len(used)}{rng.choice(COMPANY_FORMS)}"
                if name not in used:
                    break
            used.add(name)
            self.enterprises.append((pk + i, name, stem + trade, zones[i]))
            self.trade_of[pk + i] = trade

    def make_projects(self) -> None:
        rng, n = self.rng, self.spec.projects
        first_pk = self.take_ids("projects", n)
        zone_ids = list(self.zone_weight)
        zone_of = rng.choices(zone_ids, weights=[self.zone_weight[z] for z in zone_ids], k=n)
        stages, weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
        names_in_zone: dict[int, set[str]] = {}
        milestone_pk = self.ids["milestones"]
        for i in range(n):
            pk, zone = first_pk + i, zone_of[i]
            stage = rng.choices(stages, weights)[0]
            enterprise = rng.choice(self.enterprises) if rng.random() < 0.7 else None
            stem = enterprise[2][:2] if enterprise else rng.choice(SYLLABLES)
            trade = self.trade_of[enterprise[0]] if enterprise else self._trade(zone)
            self.trade_of[pk] = trade
            name, capacity = self._project_name(stem, trade, names_in_zone.setdefault(zone, set()))
            # Log-normal around 3亿元, from 5000万元 to 100亿元.
            total = math.exp(rng.gauss(math.log(3 * YI), 1.0))
            total = min(max(total, 5000 * WAN), 100 * YI)
            if total >= YI:
                total, scale = round(total / 10**6) * 10**6, YI  # to 0.01亿元
            else:
                total, scale = round(total / (10 * WAN)) * 10 * WAN, WAN
            timeline = self._timeline(pk, zone, int(total), stage, milestone_pk)
            milestone_pk += len(timeline.milestones)
            by_kind = {m[2]: m for m in timeline.milestones}
            start = by_kind.get(MilestoneKind.START)
            finish = by_kind.get(MilestoneKind.PRODUCTION) or by_kind.get(MilestoneKind.COMPLETION)
            self.projects.append(
                (
                    pk,
                    zone,
                    name,
                    enterprise[0] if enterprise else None,
                    total,
                    scale,
                    Currency.CNY,
                    capacity,
                    stage,
                    start[3] if start else None,
                    start[4] if start else "",
                    finish[3] if finish else None,
                    finish[4] if finish else "",
                )
            )
            self.timelines.append(timeline)
        self.ids["milestones"] = milestone_pk

    def _trade(self, zone: int) -> str:
        """Mostly one of the zone's leading chains."""
        return self.rng.choice(self.zone_trades[zone] if self.rng.random() < 0.7 else TRADES)

    def industry_links(self, industries: dict[str, int]) -> dict[str, list[tuple]]:
        """(id, owner id, industry id) rows of zones', enterprises' and projects' industrial chains."""
        owners = {
            "zone_industries": [(pk, trade) for pk, trades in self.zone_trades.items() for trade in trades],
            "enterprise_industries": [(row[0], self.trade_of[row[0]]) for row in self.enterprises],
            "project_industries": [(row[0], self.trade_of[row[0]]) for row in self.projects],
        }
        links = {}
        for label, pairs in owners.items():
            first = self.take_ids(label, len(pairs))
            links[label] = [(first + i, pk, industries[trade]) for i, (pk, trade) in enumerate(pairs)]
        return links

    def _project_name(self, stem: str, trade: str, used: set[str]) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.75:
            product, unit, low, high = rng.choice(PRODUCTS[trade])
            capacity = f"年产{rng.randint(low, high)}{unit}{product}"
            name = f"{stem}{capacity}项目"
        else:
            capacity = ""
            name = f"{stem}{trade}{rng.choice(FACILITIES)}项目"
        if name in used:
            base = name.removesuffix("项目")
            for ordinal in ORDINALS:
                name = f"{base}({ordinal}期)项目"
                if name not in used:
                    break
            while name in used:
                name = f"{base}({len(used)})项目"
        used.add(name)
        return name, capacity

    def _timeline(self, pk: int, zone: int, total: int, stage: str, first_milestone: int) -> _ProjectTimeline:
        """Milestones in order, planned from the signing on; reached ones (per the stage) with
        actual dates by the end month; the next one sometimes already overdue."""
        rng, end = self.rng, self.end
        chain = self._chain(stage)
        reached_kind = STAGE_REACHED[Stage(stage)]
        if stage == Stage.PREPARATION and MilestoneKind.LAND not in chain:
            reached_kind = MilestoneKind.SIGNED
        reached = chain.index(reached_kind) + 1 if reached_kind else 0
        offsets, total_gap = [], 0
        for kind in chain:
            low, high = GAPS[kind]
            total_gap += rng.randint(max(low, 1), max(high, 1)) if offsets else 0
            offsets.append(total_gap)
        late = False
        if reached < len(chain):
            late = rng.random() < LATE_SHARE
            upcoming = end - rng.randint(1, 8) if late else end + rng.randint(0, 6)
            first = upcoming - offsets[reached]
        else:
            first = end - rng.randint(0, 24) - offsets[-1]
        planned = [first + o for o in offsets]
        actual: list[int | None] = []
        previous = -1
        for i in range(len(chain)):
            if i < reached:
                month = min(max(planned[i] + rng.choice((-1, 0, 0, 0, 1, 1, 2, 3)), previous), end)
                actual.append(month)
                previous = month
            else:
                actual.append(None)
        milestones = []
        last_planned = last_actual = None
        for i, kind in enumerate(chain):
            p_date, p_precision = self._planned_date(planned[i], last_planned)
            last_planned = p_date
            a_date = a_precision = None
            if actual[i] is not None:
                if last_actual and actual[i] == actual[i - 1]:
                    a_date, a_precision = last_actual  # reached in the same month: never before it
                elif rng.random() < 0.7:
                    a_date, a_precision = month_date(actual[i], rng.randint(1, 28)), DatePrecision.DAY
                else:
                    a_date, a_precision = month_date(actual[i]), DatePrecision.MONTH
                last_actual = (a_date, a_precision)
            milestones.append((first_milestone + i, pk, kind, p_date, p_precision, a_date, a_precision or ""))
        done = dict(zip(chain, actual, strict=True))
        finished = done.get(MilestoneKind.PRODUCTION) or done.get(MilestoneKind.COMPLETION)
        return _ProjectTimeline(
            pk,
            zone,
            total,
            late,
            done.get(MilestoneKind.SIGNED),
            done.get(MilestoneKind.START),
            finished,
            milestones,
        )

    def _chain(self, stage: str) -> list[str]:
        rng = self.rng
        build_only = stage == Stage.COMPLETED or (
            stage in (Stage.SIGNED, Stage.LAND, Stage.PREPARATION, Stage.CONSTRUCTION, Stage.TOPPED_OUT)
            and rng.random() < 0.12
        )
        if build_only:  # a building, a park: 竣工验收 and 交付使用 instead of 投产
            return [
                MilestoneKind.SIGNED,
                MilestoneKind.LAND,
                MilestoneKind.START,
                MilestoneKind.TOPPED_OUT,
                MilestoneKind.COMPLETION,
                MilestoneKind.DELIVERY,
            ]
        chain = [MilestoneKind.SIGNED]
        if stage in (Stage.LAND, Stage.PREPARATION) or rng.random() < 0.8:
            chain.append(MilestoneKind.LAND)  # the others rent standard factory buildings
        chain += [MilestoneKind.START, MilestoneKind.TOPPED_OUT, MilestoneKind.EQUIPMENT]
        if stage == Stage.TRIAL or rng.random() < 0.2:
            chain.append(MilestoneKind.TRIAL)
        chain.append(MilestoneKind.PRODUCTION)
        if stage == Stage.FULL_CAPACITY:
            chain.append(MilestoneKind.FULL_CAPACITY)
        return chain

    def _planned_date(self, month: int, previous: date | None) -> tuple[date, str]:
        draw = self.rng.random()
        if draw < 0.1:
            quarter = month_date(quarter_start(month))
            if previous is None or quarter > previous:
                return quarter, DatePrecision.QUARTER
        if draw < 0.25:
            return month_date(month, self.rng.randint(1, 28)), DatePrecision.DAY
        return month_date(month), DatePrecision.MONTH

    # -- portfolios, plans and completed investment --------------------------------------------

    def portfolio_plan(self) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """(portfolios, entries, work) for every zone and year with projects under way: signed by
        the year's end and not in production before it began. `work` holds, per entry, what the
        monthly figures need: (timeline, year, monthly pace, scale)."""
        rng = self.rng
        active: dict[tuple[int, int], list[_ProjectTimeline]] = {}
        for t in self.timelines:
            if t.signed is None:
                continue
            for year in self.years:
                if t.signed // 12 <= year and (t.finished is None or t.finished // 12 >= year):
                    active.setdefault((t.zone_id, year), []).append(t)
        portfolios, entries, work = [], [], []
        pk = self.take_ids("portfolios", len(active))
        entry_pk = self.ids["portfolio_entries"]
        for i, (zone, year) in enumerate(sorted(active, key=lambda k: (k[1], k[0]))):
            portfolios.append(
                (pk + i, zone, PORTFOLIO_NAME, year, f"{year}年{PORTFOLIO_NAME}。{SYNTHETIC_NOTE}")
            )
            for t in active[(zone, year)]:
                # The annual plan is what the project would invest at an even pace of 15-45% of
                # its total a year, counting the months it is signed, building or finished.
                pace = t.total * rng.uniform(0.15, 0.45) / SEASON_TOTAL
                plan = sum(
                    pace * weight * _activity(t, year * 12 + m) for m, weight in enumerate(INVESTMENT_SEASON)
                )
                scale = YI if plan >= YI else WAN
                plan = max(round(plan / 10**6) * 10**6 if scale == YI else round(plan / WAN) * WAN, 10 * WAN)
                entries.append((entry_pk, pk + i, t.pk, plan, scale))
                work.append((t, year, pace, scale))
                entry_pk += 1
        self.ids["portfolio_entries"] = entry_pk
        return portfolios, entries, work

    def investment_rows(self, work: list[tuple], metric: int) -> Iterator[tuple]:
        """Year-to-date completed investment of each portfolio project for each month of its year
        (0 before the signing): it rises through the year, some projects ahead of their annual plan,
        some behind, late ones more often behind."""
        rng = self.rng
        pk = self.ids["completed_investment"]
        actual, cny = ValueKind.ACTUAL, Currency.CNY
        for t, year, pace, scale in work:
            months = self._months_of(year)
            if not months:
                continue
            pace *= min(max(rng.gauss(0.85 if t.late else 1.1, 0.25), 0.15), 1.7)
            ytd, first = 0, months[0]
            for month in range(1, months[-1] + 1):
                activity = _activity(t, year * 12 + month - 1)
                if activity:
                    step = round(pace * INVESTMENT_SEASON[month - 1] * activity * rng.uniform(0.6, 1.4) / WAN)
                    ytd = min(ytd + step * WAN, t.total)  # never more than the project costs
                if month >= first:
                    yield (pk, t.pk, metric, year, 1, month, actual, ytd, scale, cny)
                    pk += 1
        self.ids["completed_investment"] = pk

    def investment_count(self, work: list[tuple]) -> int:
        return sum(len(self._months_of(year)) for _t, year, _pace, _scale in work)

    def _months_of(self, year: int) -> list[int]:
        """The months of `year` the simulation covers."""
        low, high = max(self.first, year * 12), min(self.end, year * 12 + 11)
        return [index % 12 + 1 for index in range(low, high + 1)]

    # -- zone indicators ------------------------------------------------------------------------

    def indicator_rows(self, metrics: dict[str, int]) -> list[tuple]:
        """Annual targets and monthly year-to-date actuals with 同比 for each zone, metric and year;
        a city's and the province's figures are the sums of the zones below them."""
        rng = self.rng
        mean_weight = sum(self.zone_weight.values()) / len(self.zone_weight)
        leaves = [pk for pk in self.zone_weight if not any(p == pk for p in self.zone_parent.values())]
        years = [self.years[0] - 1, *self.years]
        # (zone, code, year) -> [12 ytd values], and -> annual target
        ytd: dict[tuple[int, str, int], list[int]] = {}
        target: dict[tuple[int, str, int], int] = {}
        for zone in leaves:
            size = 0.3 + 0.7 * self.zone_weight[zone] / mean_weight
            for code, (annual, season) in ZONE_METRICS.items():
                level = annual * size * rng.uniform(0.6, 1.4)
                for year in years:
                    # Targets ask for 2-10% more than last year; about half the zones do better.
                    growth = rng.gauss(0.08, 0.07)
                    target[(zone, code, year)] = round(level * (1 + rng.uniform(0.02, 0.10)) / WAN) * WAN
                    level *= 1 + growth
                    total, running = sum(season), 0
                    path = []
                    for month in range(12):
                        running += round(level * season[month] / total * rng.uniform(0.85, 1.15) / WAN) * WAN
                        path.append(running)
                    ytd[(zone, code, year)] = path
        # Cities and the province: sums over their children, deepest first.
        depth = {pk: self._depth(pk) for pk in self.zone_parent}
        for zone in sorted((pk for pk in self.zone_parent if pk not in leaves), key=lambda pk: -depth[pk]):
            children = [pk for pk, parent in self.zone_parent.items() if parent == zone]
            for code in ZONE_METRICS:
                for year in years:
                    target[(zone, code, year)] = sum(target.get((c, code, year), 0) for c in children)
                    ytd[(zone, code, year)] = [
                        sum(ytd.get((c, code, year), [0] * 12)[m] for c in children) for m in range(12)
                    ]
        rows = []
        pk = self.ids["zone_indicators"]
        for zone in self.zone_parent:
            for code in ZONE_METRICS:
                metric = metrics[code]
                for year in self.years:
                    value = target[(zone, code, year)]
                    rows.append(
                        (pk, zone, metric, year, 1, 12, ValueKind.TARGET, value, YI, Currency.CNY, None)
                    )
                    pk += 1
                    current, before = ytd[(zone, code, year)], ytd[(zone, code, year - 1)]
                    for month in self._months_of(year):
                        growth = (
                            Decimal(current[month - 1] * 100 / before[month - 1] - 100).quantize(
                                Decimal("0.1")
                            )
                            if before[month - 1]
                            else None
                        )
                        value = current[month - 1]
                        rows.append(
                            (
                                pk,
                                zone,
                                metric,
                                year,
                                1,
                                month,
                                ValueKind.ACTUAL,
                                value,
                                YI,
                                Currency.CNY,
                                growth,
                            )
                        )
                        pk += 1
        self.ids["zone_indicators"] = pk
        return rows

    def _depth(self, pk: int) -> int:
        depth = 0
        while self.zone_parent[pk] is not None:
            pk, depth = self.zone_parent[pk], depth + 1
        return depth
