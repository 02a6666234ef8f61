"""Synthetic data at province scale: one province's zones, projects, milestones, portfolios, monthly
completed investment and zone indicators, made up but shaped like the seeds, for benchmarks and
load tests (`manage.py generate_synthetic`).

Deterministic: everything is drawn from `random.Random(seed)` and dated relative to `spec.end` (the
last month of data), never to today. The same spec on an empty database gives the same rows.

Two halves, as elsewhere: the row-making is plain arithmetic on tuples (`_Plan`); `generate` writes
the tuples in one transaction, with COPY on PostgreSQL and bulk_create in batches elsewhere. Rows
carry explicit ids (taken after the largest id present, with the tables locked on PostgreSQL), so
projects can point at zones and figures at projects without reading anything back. Large tables
are loaded without their secondary indexes and foreign keys, made again at the end (PostgreSQL).

Every synthetic zone and enterprise name starts with SYNTHETIC_PREFIX, so synthetic data never
collides with the seeds and is easy to recognise. No citations and no history rows are made.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models, transaction

from .models import (
    Campaign,
    Enterprise,
    EntryBasis,
    FlowOrStock,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    MilestoneKind,
    Portfolio,
    PortfolioEntry,
    Project,
    Stage,
    UnitKind,
    ValueKind,
    Zone,
    ZoneKind,
)
from .money import AmountScale, Currency
from .periods import DatePrecision

SYNTHETIC_PREFIX = "样本"
SYNTHETIC_NOTE = "样本数据:由 manage.py generate_synthetic 生成,不是真实数据"
PORTFOLIO_NAME = "重点项目调度清单"
CAMPAIGN_NAME = "强攻二季度、确保双过半"
DEFAULT_END = date(2026, 10, 1)
MAX_MONTHS = 120

Progress = Callable[[str, int, int], None]

WAN, YI = int(AmountScale.WAN), int(AmountScale.YI)

# Metric catalogue entries the generator writes, as fixtures/seeds.yaml defines them.
METRICS: dict[str, tuple[str, str, str, str]] = {
    "completed_investment": ("完成投资", UnitKind.AMOUNT, "", FlowOrStock.FLOW),
    "industrial_revenue": ("工业营收", UnitKind.AMOUNT, "", FlowOrStock.FLOW),
    "fixed_asset_investment": ("固定资产投资", UnitKind.AMOUNT, "", FlowOrStock.FLOW),
    "industrial_value_added": ("规上工业增加值", UnitKind.AMOUNT, "", FlowOrStock.FLOW),
    "actual_funds": ("实际进资", UnitKind.AMOUNT, "", FlowOrStock.FLOW),
    "signed_investment": ("签约资金", UnitKind.AMOUNT, "", FlowOrStock.FLOW),
}
# Zone indicators: annual size of an average zone (元) and the monthly pattern of the year.
ZONE_METRICS: dict[str, tuple[int, tuple[int, ...]]] = {
    "industrial_revenue": (300 * YI, (7, 7, 8, 8, 8, 10, 8, 8, 9, 9, 9, 9)),
    "industrial_value_added": (70 * YI, (7, 7, 8, 8, 8, 10, 8, 8, 9, 9, 9, 9)),
    "fixed_asset_investment": (60 * YI, (5, 5, 8, 9, 9, 12, 8, 8, 9, 9, 9, 9)),
    "actual_funds": (40 * YI, (5, 6, 8, 8, 9, 12, 8, 8, 9, 9, 9, 9)),
    "signed_investment": (150 * YI, (3, 5, 9, 8, 8, 15, 7, 8, 10, 8, 8, 11)),
}
# Completed investment through the year: slow in winter (春节), fast before the half and year end.
INVESTMENT_SEASON = (5, 5, 8, 9, 9, 12, 8, 8, 9, 9, 9, 9)
SEASON_TOTAL = sum(INVESTMENT_SEASON)

# Stages weighted like a zone's register: the seeds are mostly 在建 and 签约, with some 投产/竣工.
STAGE_WEIGHTS = {
    Stage.RESERVE: 3,
    Stage.NEGOTIATING: 4,
    Stage.SIGNED: 13,
    Stage.LAND: 5,
    Stage.PREPARATION: 7,
    Stage.CONSTRUCTION: 30,
    Stage.TOPPED_OUT: 8,
    Stage.EQUIPMENT: 6,
    Stage.TRIAL: 4,
    Stage.PRODUCTION: 12,
    Stage.FULL_CAPACITY: 4,
    Stage.COMPLETED: 4,
}
# The milestone a stage has reached last (None: not yet signed).
STAGE_REACHED = {
    Stage.RESERVE: None,
    Stage.NEGOTIATING: None,
    Stage.SIGNED: MilestoneKind.SIGNED,
    Stage.LAND: MilestoneKind.LAND,
    Stage.PREPARATION: MilestoneKind.LAND,
    Stage.CONSTRUCTION: MilestoneKind.START,
    Stage.TOPPED_OUT: MilestoneKind.TOPPED_OUT,
    Stage.EQUIPMENT: MilestoneKind.EQUIPMENT,
    Stage.TRIAL: MilestoneKind.TRIAL,
    Stage.PRODUCTION: MilestoneKind.PRODUCTION,
    Stage.FULL_CAPACITY: MilestoneKind.FULL_CAPACITY,
    Stage.COMPLETED: MilestoneKind.COMPLETION,
}
# Planned months from the previous milestone (least, most).
GAPS = {
    MilestoneKind.SIGNED: (0, 0),
    MilestoneKind.LAND: (2, 6),
    MilestoneKind.START: (2, 6),
    MilestoneKind.TOPPED_OUT: (6, 14),
    MilestoneKind.EQUIPMENT: (2, 6),
    MilestoneKind.TRIAL: (2, 4),
    MilestoneKind.PRODUCTION: (2, 5),
    MilestoneKind.FULL_CAPACITY: (6, 12),
    MilestoneKind.COMPLETION: (6, 14),
    MilestoneKind.DELIVERY: (1, 3),
}
KIND_ORDER = {kind: i for i, kind in enumerate(MilestoneKind.values)}
LATE_SHARE = 0.22  # of projects whose next milestone's planned month has passed

CITIES = ("东湖", "西岭", "南屏", "北川", "临江", "安平", "永丰", "清源", "凤阳", "金溪", "云台")
SYLLABLES = (
    "华晟 瑞丰 恒信 中联 鼎盛 宏达 永泰 金源 天合 博远 正邦 汇通 新宇 安和 德润 长青 明阳 信达 "
    "思源 国瑞 海川 星辰 凯越 聚力 同创 远景 东方 嘉禾 润泽 和顺 盛世 智达 启明 万象 锦程 融通 "
    "丰泽 青云 泰和 科瑞"
).split()
PLACE_CHARS = "龙凤安平兴旺泰和丰宁昌盛永清湖山河川江溪石桥林峰台阳岭源新华康乐德庆崇仁宜春章贡瑞金"
# Industrial chains and what their projects make: (product, unit, least, most a year).
PRODUCTS: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    "新能源": (("光伏组件", "GW", 2, 20), ("光伏电池片", "GW", 2, 30)),
    "光电": (("光学镜头", "万套", 100, 3000), ("显示模组", "万片", 50, 2000)),
    "新材料": (("稀土永磁材料", "吨", 1000, 20000), ("铜基新材料", "万吨", 1, 30)),
    "电子": (("高端电子元器件", "亿只", 1, 50), ("印制电路板", "万平方米", 10, 300)),
    "智能装备": (("智能装备", "台(套)", 100, 5000), ("工业机器人", "台", 500, 10000)),
    "生物医药": (("医疗器械", "万台", 1, 50), ("原料药", "吨", 50, 2000)),
    "锂电": (("锂电池", "GWh", 5, 40), ("锂电池正极材料", "万吨", 1, 20)),
    "汽车零部件": (("新能源汽车零部件", "万套", 10, 200), ("汽车线束", "万套", 20, 500)),
    "食品": (("功能性食品", "万吨", 1, 20), ("预制菜", "万吨", 1, 10)),
    "纺织": (("高档面料", "万米", 500, 10000), ("服装", "万件", 100, 3000)),
}
TRADES = tuple(PRODUCTS)
# The industry (产业链) each chain is recorded as; most are names the seeds use.
INDUSTRIES = {
    "新能源": "光伏新能源",
    "光电": "光电",
    "新材料": "新材料",
    "电子": "电子信息",
    "智能装备": "智能装备制造",
    "生物医药": "生物医药",
    "锂电": "新能源锂电",
    "汽车零部件": "新能源汽车及动力电池",
    "食品": "绿色食品",
    "纺织": "纺织服装",
}
COMPANY_FORMS = ("科技有限公司", "股份有限公司", "有限公司", "实业有限公司")
FACILITIES = ("标准厂房", "产业园", "研发中心", "仓储物流中心", "智能制造基地")
ORDINALS = "二三四五六七八九"
# How many projects a kind of zone tends to carry: national zones most, a city's own list few.
KIND_WEIGHT = {
    ZoneKind.CITY: 0.3,
    ZoneKind.COUNTY: 0.8,
    ZoneKind.PROVINCIAL_ZONE: 1.0,
    ZoneKind.NATIONAL_HIGH_TECH: 1.8,
    ZoneKind.NATIONAL_ETDZ: 2.0,
}


@dataclass(frozen=True)
class SyntheticSpec:
    zones: int
    projects: int
    months: int
    seed: int
    end: date = DEFAULT_END  # the first day of the last month of data

    def errors(self) -> list[str]:
        """What makes no sense in the spec, in Chinese (empty when it is fine)."""
        found = []
        if self.zones < 2:
            found.append("区域数至少为2(一个省和至少一个下级区域)")
        if self.projects < 1:
            found.append("项目数至少为1")
        if not 1 <= self.months <= MAX_MONTHS:
            found.append(f"月数应在1到{MAX_MONTHS}之间")
        if self.end.day != 1:
            found.append("截止月应为某月第一天")
        return found


class SyntheticError(Exception):
    """The spec or the database does not allow generating (message in Chinese)."""


# ---------------------------------------------------------------------------------------------
# Months as integers: year * 12 + month - 1


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_date(index: int, day: int = 1) -> date:
    return date(index // 12, index % 12 + 1, day)


def quarter_start(index: int) -> int:
    return index - index % 3


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


# ---------------------------------------------------------------------------------------------
# Writing


ZONE_FIELDS = (
    "id",
    "name",
    "full_name",
    "kind",
    "parent_id",
    "area_km2",
    "entry_deadline_day",
    "entry_basis",
)
ENTERPRISE_FIELDS = ("id", "name", "short_name", "zone_id")
PROJECT_FIELDS = (
    "id",
    "zone_id",
    "name",
    "enterprise_id",
    "total_investment",
    "total_investment_scale",
    "currency",
    "capacity",
    "stage",
    "planned_start",
    "planned_start_precision",
    "planned_finish",
    "planned_finish_precision",
)
MILESTONE_FIELDS = (
    "id",
    "project_id",
    "kind",
    "planned_date",
    "planned_precision",
    "actual_date",
    "actual_precision",
)
PORTFOLIO_FIELDS = ("id", "zone_id", "name", "year", "description")
ENTRY_FIELDS = ("id", "portfolio_id", "project_id", "planned_investment", "planned_investment_scale")
INVESTMENT_FIELDS = (
    "id",
    "project_id",
    "metric_id",
    "year",
    "start_month",
    "end_month",
    "kind",
    "value",
    "scale",
    "currency",
)
ZONE_INDICATOR_FIELDS = (
    "id",
    "zone_id",
    "metric_id",
    "year",
    "start_month",
    "end_month",
    "kind",
    "value",
    "scale",
    "currency",
    "yoy_growth",
)
# Table label -> model, in the order they are written.
TABLES: dict[str, type[models.Model]] = {
    "zones": Zone,
    "enterprises": Enterprise,
    "projects": Project,
    "milestones": Milestone,
    "portfolios": Portfolio,
    "portfolio_entries": PortfolioEntry,
    "completed_investment": IndicatorValue,
    "zone_indicators": IndicatorValue,
    "campaign_zones": Campaign.zones.through,
    "zone_industries": Zone.industries.through,
    "enterprise_industries": Enterprise.industries.through,
    "project_industries": Project.industries.through,
}
BATCH = 2000
BULK_LOAD_ROWS = 50_000  # from this many new rows a table's indexes are rebuilt rather than kept up


class _Writer:
    """Writes tuples of the named fields (attnames), the model's defaults filling the others."""

    def __init__(self, progress: Progress | None) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.progress = progress or (lambda label, done, total: None)

    def write(
        self,
        label: str,
        model: type[models.Model],
        names: Sequence[str],
        rows: Iterable[tuple],
        total: int | None = None,
    ) -> int:
        if total is None:
            total = len(rows)  # type: ignore[arg-type]
        fields = [model._meta.get_field(name.removesuffix("_id")) for name in names]
        others = [f for f in model._meta.concrete_fields if f not in fields]
        defaults = tuple(f.get_default() for f in others)
        self.progress(label, 0, total)
        if self.postgres:
            done = self._copy(label, model, [*fields, *others], rows, defaults, total)
        else:
            done = self._bulk_create(
                label, model, [f.attname for f in fields + others], rows, defaults, total
            )
        self.progress(label, done, total)
        return done

    def _copy(self, label, model, fields, rows, defaults, total) -> int:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        done = 0
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + defaults)
                    done += 1
                    if done % 100_000 == 0:
                        self.progress(label, done, total)
        return done

    def _bulk_create(self, label, model, attnames, rows, defaults, total) -> int:
        done, batch = 0, []
        for row in rows:
            batch.append(model(**dict(zip(attnames, row + defaults, strict=True))))
            if len(batch) == BATCH:
                model.objects.bulk_create(batch)
                done += len(batch)
                batch = []
                self.progress(label, done, total)
        model.objects.bulk_create(batch)
        return done + len(batch)


def _first_ids() -> dict[str, int]:
    """The first id after the largest present, per table label (figures share IndicatorValue)."""
    ids = {}
    for label, model in TABLES.items():
        largest = model.objects.aggregate(largest=models.Max("pk"))["largest"] or 0
        ids[label] = largest + 1
    return ids


def _metrics() -> dict[str, int]:
    """Ids of the metrics the generator writes, creating those the catalogue lacks as the seeds
    define them."""
    found = dict(Metric.objects.filter(code__in=METRICS).values_list("code", "pk"))
    for code, (name, unit_kind, unit, flow_or_stock) in METRICS.items():
        if code not in found:
            found[code] = Metric.objects.create(
                code=code, name=name, unit_kind=unit_kind, unit=unit, flow_or_stock=flow_or_stock
            ).pk
    return found


def _industries() -> dict[str, int]:
    """Industry ids per chain the generator uses: the seeds' industries where they have one of that
    name, created otherwise."""
    found = dict(Industry.objects.filter(name__in=INDUSTRIES.values()).values_list("name", "pk"))
    for name in INDUSTRIES.values():
        if name not in found:
            found[name] = Industry.objects.create(name=name).pk
    return {trade: found[name] for trade, name in INDUSTRIES.items()}


def existing_synthetic_zones() -> int:
    return Zone.objects.filter(name__startswith=SYNTHETIC_PREFIX).count()


def generate(spec: SyntheticSpec, progress: Progress | None = None) -> dict[str, int]:
    """Fill the database with the synthetic province of `spec`, all in one transaction; returns the
    number of rows written per table label. Refuses a database that has synthetic data already.

    `progress(label, rows written, rows in all)` is called as each table starts (0 written), every
    100,000 rows and when it is done."""
    if errors := spec.errors():
        raise SyntheticError(";".join(errors))
    writer = _Writer(progress)
    with transaction.atomic():
        if writer.postgres:
            tables = sorted({m._meta.db_table for m in TABLES.values()} | {Campaign._meta.db_table})
            with connection.cursor() as cursor:
                # Explicit ids: nobody else may insert into these tables until we commit.
                quote = connection.ops.quote_name
                cursor.execute(f"LOCK TABLE {', '.join(map(quote, tables))} IN SHARE ROW EXCLUSIVE MODE")
        if found := existing_synthetic_zones():
            raise SyntheticError(
                f"数据库中已有样本数据(名称以“{SYNTHETIC_PREFIX}”开头的区域{found}个),未生成任何数据。"
                "如需重新生成,请换一个空数据库,或删除并重建当前数据库后执行 manage.py migrate"
                "(PostgreSQL:dropdb、createdb;SQLite:删除数据库文件),再运行本命令"
            )
        metrics = _metrics()
        plan = _Plan(spec, _first_ids())
        writer.progress("plan", 0, spec.projects)
        plan.make_zones()
        plan.make_enterprises()
        plan.make_projects()
        portfolios, entries, work = plan.portfolio_plan()
        investment_count = plan.investment_count(work)
        plan.ids["zone_indicators"] = plan.ids["completed_investment"] + investment_count
        indicators = plan.indicator_rows(metrics)
        campaign = _campaign(spec.end.year)
        first = plan.take_ids("campaign_zones", len(plan.zones))
        links = {"campaign_zones": [(first + i, campaign.pk, row[0]) for i, row in enumerate(plan.zones)]}
        milestone_count = sum(len(t.milestones) for t in plan.timelines)
        links.update(plan.industry_links(_industries()))
        writer.progress("plan", spec.projects, spec.projects)

        sizes = {
            Project: len(plan.projects),
            Milestone: milestone_count,
            PortfolioEntry: len(entries),
            IndicatorValue: investment_count + len(indicators),
            Project.industries.through: len(links["project_industries"]),
        }
        rebuilt = [m for m, n in sizes.items() if n >= BULK_LOAD_ROWS] if writer.postgres else []
        counts: dict[str, int] = {}
        with _indexes_rebuilt_after(rebuilt, writer.progress):
            counts["zones"] = writer.write("zones", Zone, ZONE_FIELDS, plan.zones)
            counts["enterprises"] = writer.write(
                "enterprises", Enterprise, ENTERPRISE_FIELDS, plan.enterprises
            )
            counts["projects"] = writer.write("projects", Project, PROJECT_FIELDS, plan.projects)
            counts["milestones"] = writer.write(
                "milestones",
                Milestone,
                MILESTONE_FIELDS,
                (m for t in plan.timelines for m in t.milestones),
                milestone_count,
            )
            counts["portfolios"] = writer.write("portfolios", Portfolio, PORTFOLIO_FIELDS, portfolios)
            counts["portfolio_entries"] = writer.write(
                "portfolio_entries", PortfolioEntry, ENTRY_FIELDS, entries
            )
            counts["completed_investment"] = writer.write(
                "completed_investment",
                IndicatorValue,
                INVESTMENT_FIELDS,
                plan.investment_rows(work, metrics["completed_investment"]),
                investment_count,
            )
            counts["zone_indicators"] = writer.write(
                "zone_indicators", IndicatorValue, ZONE_INDICATOR_FIELDS, indicators
            )
            counts["campaigns"] = 1
            for label, rows in links.items():
                through = TABLES[label]
                owner, industry = (f.attname for f in through._meta.concrete_fields if f.is_relation)
                counts[label] = writer.write(label, through, ("id", owner, industry), rows)

        if writer.postgres:
            filled = list(dict.fromkeys([*TABLES.values(), Campaign]))
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), filled):
                    cursor.execute(statement)
                writer.progress("analyze", 0, len(filled))
                for model in filled:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
                writer.progress("analyze", len(filled), len(filled))
    return counts


@contextmanager
def _indexes_rebuilt_after(tables: list[type[models.Model]], progress: Progress) -> Iterator[None]:
    """PostgreSQL's advice for loading much data ("Populating a Database"): drop the tables'
    secondary indexes, unique and foreign-key constraints, load, then make them again: one sort
    per index and one join per foreign key instead of an index entry and a check per row.

    Inside the caller's transaction: if anything fails, the old definitions come back with the
    rollback. Primary keys and CHECK constraints stay."""
    quote = connection.ops.quote_name
    restore: list[str] = []
    if not tables:
        yield
        return
    with connection.cursor() as cursor:
        # Rows written so far (metrics, industries, the campaign) wait for their deferred foreign-key
        # checks; PostgreSQL alters no table with checks pending, so run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in tables:
            table = quote(model._meta.db_table)
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                restore.append(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                " WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid) ORDER BY 1",
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                restore.insert(0, definition)  # indexes first: the foreign-key checks can use them
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        progress("indexes", 0, len(restore))
        for done, statement in enumerate(restore, start=1):
            cursor.execute(statement)
            if done % 10 == 0 and done < len(restore):
                progress("indexes", done, len(restore))
        progress("indexes", len(restore), len(restore))


def _campaign(year: int) -> Campaign:
    """强攻二季度、确保双过半 for the last year (the name gets the prefix if the seeds have one that year)."""
    name = CAMPAIGN_NAME
    if Campaign.objects.filter(name=name, year=year).exists():
        name = f"{SYNTHETIC_PREFIX}{CAMPAIGN_NAME}"
    return Campaign.objects.create(
        name=name,
        year=year,
        start_month=4,
        end_month=6,
        checkpoint=date(year, 6, 30),
        required_share=Decimal(50),
        description=f"二季度攻坚,6月30日前完成全年目标的一半。{SYNTHETIC_NOTE}",
    )
