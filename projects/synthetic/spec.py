"""What a synthetic province is made of: the spec and its limits, the names, trades and shares
the rows are drawn from, and months as integers (year * 12 + month - 1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..models import (
    FlowOrStock,
    MilestoneKind,
    Stage,
    UnitKind,
    ZoneKind,
)
from ..money import AmountScale

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
