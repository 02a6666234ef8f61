"""What the tracker's workbooks look like: the columns of each kind (Chinese header, the comment
that explains it, width), the hidden `_meta` sheet naming the zone and month of a monthly
template, and the units staff choose. The template writer and the reader share these, so a
template read back finds every column it wrote; the reader finds columns by their header, so
staff may reorder or drop the optional ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..i18n import Text, in_chinese
from ..money import AmountScale

META_SHEET = "_meta"
LISTS_SHEET = "_lists"
# The versions of the stored figures a monthly template was made from, by project: a figure that
# someone else changed since is refused (STALE_MESSAGE) instead of overwritten.
VERSIONS_SHEET = "_versions"
TEMPLATE_VERSION = "1"
HEADER_ROW = 2  # row 1 is the title
FIRST_ROW = HEADER_ROW + 1

# The units an amount column's 单位 may name; the label is what the dropdown shows.
# vocabulary: units of amounts as the sources write them, read back by the importer
UNITS: dict[str, int] = {"万元": AmountScale.WAN, "亿元": AmountScale.YI, "元": AmountScale.ONE}
UNIT_LABELS = {scale: label for label, scale in UNITS.items()}

# Keys of the _meta sheet (its first column), in Chinese as staff see them when they unhide it.
# vocabulary: read back by the importer (reader._meta)
META_KEYS = {
    "kind": "类型",
    "zone_id": "区域编号",
    "zone": "区域",
    "year": "年度",
    "month": "月份",
    "basis": "填报口径",
    "generated_at": "生成时间",
    "version": "模板版本",
}

AMOUNT_FORMS = _("可填数字(单位见“单位”列),或带单位的文字,如 274.82万元、1.5亿元")
DATE_FORMS = _("填写达到的实际日期,如 2022-03-18、3月18日(年份取本月报年度)、2022年3月;未达到的留空")


def labels(choices: Iterable[tuple[str, Text]]) -> dict[str, str]:
    """{label: value} of Django choices, the labels in Chinese: the templates write them so in
    their dropdowns, and the importer reads them back so, whatever the language of the request."""
    return {in_chinese(label): value for value, label in choices}


def normalise_header(text: object) -> str:
    """A header as written, without spaces, full-width forms or a required-mark star."""
    if text is None:
        return ""
    normal = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"\s+", "", normal).strip("*")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    comment: Text
    width: int = 14
    required: bool = False  # the sheet must have this column
    editable: bool = True  # staff fill it in; reference columns are grey (and locked)
    pattern: str = ""  # for a header that varies (1-5月累计完成投资): the expression it matches
    # The rows a cell names ("project", "zone" …; "subject": by the row's 主体类型): the import looks
    # them up among those the user may read, and tests/test_relations_restricted.py tries each
    # such column with another zone's row.
    refers_to: str = ""

    def matches(self, header: str) -> bool:
        if self.pattern:
            return re.fullmatch(self.pattern, header) is not None
        return header == self.header


# ---------------------------------------------------------------------------------------------
# 月报: one row per project of the zone's portfolios

# The headers of each workbook's columns: the reader finds the columns by them, so they are the
# same words whatever the language of the rest of the template.
# vocabulary: column headers, read back by the importer
MONTHLY_HEADERS = {
    "project_id": "项目编号",
    "name": "项目名称",
    "portfolio": "调度清单",
    "total_investment": "总投资",
    "planned": "年度计划投资",
    "previous_ytd": "上月累计完成",
    "month_amount": "本月完成投资",
    "ytd_amount": "1-M月累计完成投资",
    "unit": "单位",
    "start": "开工日期",
    "production": "投产日期",
    "completion": "竣工日期",
    "remark": "备注",
    "reason": "更正原因",
}
# vocabulary: the year-to-date column's header (1-5月累计完成投资), read back by the importer
YTD_PATTERN = r"1[-~–—至到]\d{1,2}月累计完成投资"

PROJECT_ID = Column(
    "project_id",
    MONTHLY_HEADERS["project_id"],
    _("台账中的项目编号,由模板生成,请勿修改或删除。新项目请先在台账中登记并加入调度清单"),
    width=10,
    required=True,
    editable=False,
    refers_to="project",
)
MONTH_AMOUNT = Column(
    "month_amount",
    MONTHLY_HEADERS["month_amount"],
    format_lazy(
        _("本月完成的投资额(当月值);1月至本月累计值由上月累计值加本月值推算。{forms}"), forms=AMOUNT_FORMS
    ),
    width=16,
)
YTD_AMOUNT = Column(
    "ytd_amount",
    MONTHLY_HEADERS["ytd_amount"],
    format_lazy(_("1月至本月累计完成的投资额(累计值);本月值由上月累计值推算。{forms}"), forms=AMOUNT_FORMS),
    width=18,
    pattern=YTD_PATTERN,
)
MILESTONE_COLUMNS = {
    "start": Column(
        "start",
        MONTHLY_HEADERS["start"],
        format_lazy(_("开工的实际日期。{forms}"), forms=DATE_FORMS),
        width=13,
    ),
    "production": Column(
        "production",
        MONTHLY_HEADERS["production"],
        format_lazy(_("投产的实际日期。{forms}"), forms=DATE_FORMS),
        width=13,
    ),
    "completion": Column(
        "completion",
        MONTHLY_HEADERS["completion"],
        format_lazy(_("竣工验收的实际日期。{forms}"), forms=DATE_FORMS),
        width=13,
    ),
}
MONTHLY_COLUMNS: tuple[Column, ...] = (
    PROJECT_ID,
    Column("name", MONTHLY_HEADERS["name"], _("仅供对照,修改无效"), width=36, editable=False),
    Column(
        "portfolio", MONTHLY_HEADERS["portfolio"], _("项目所在的调度清单,仅供对照"), width=22, editable=False
    ),
    Column("total_investment", MONTHLY_HEADERS["total_investment"], _("仅供对照"), width=12, editable=False),
    Column("planned", MONTHLY_HEADERS["planned"], _("本年度计划投资,仅供对照"), width=13, editable=False),
    Column(
        "previous_ytd",
        MONTHLY_HEADERS["previous_ytd"],
        _("1月至上月累计完成投资,仅供对照;1月为0"),
        width=13,
        editable=False,
    ),
    MONTH_AMOUNT,
    YTD_AMOUNT,
    Column(
        "unit",
        MONTHLY_HEADERS["unit"],
        _("金额列中纯数字的单位:万元(默认)、亿元或元;文字自带单位时以文字为准"),
        width=8,
    ),
    *MILESTONE_COLUMNS.values(),
    Column("remark", MONTHLY_HEADERS["remark"], _("本月完成投资的说明,随完成投资保存"), width=30),
    Column(
        "reason",
        MONTHLY_HEADERS["reason"],
        _("已锁定月份(过了填报截止日)的数值不能直接修改:修改时须填写更正原因,原数值保留为更正前的记录"),
        width=24,
    ),
)


def ytd_header(month: int) -> str:
    # vocabulary: the year-to-date column's header, read back by the importer
    return f"1-{month}月累计完成投资"


# ---------------------------------------------------------------------------------------------
# 项目: created or updated by (区域, 项目名称)

UNCHANGED_IF_BLANK = _("已有项目留空则不修改")

# vocabulary: column headers, read back by the importer
PROJECT_HEADERS = {
    "zone": "区域",
    "name": "项目名称",
    "total_investment": "总投资",
    "unit": "单位",
    "stage": "阶段",
    "planned_start": "计划开工",
    "planned_finish": "计划竣工",
    "enterprise": "企业",
    "description": "简介",
    "reason": "变更原因",
}


def _unless_blank(comment: Text) -> Text:
    return format_lazy(_("{comment};{unchanged}"), comment=comment, unchanged=UNCHANGED_IF_BLANK)


PROJECT_COLUMNS: tuple[Column, ...] = (
    Column(
        "zone",
        PROJECT_HEADERS["zone"],
        _("项目所在区域的简称、全称或别名,须有该区域的编辑权限"),
        width=14,
        required=True,
        refers_to="zone",
    ),
    Column(
        "name",
        PROJECT_HEADERS["name"],
        _("按(区域,项目名称)匹配:已有的项目更新,没有的新增"),
        width=36,
        required=True,
    ),
    Column("total_investment", PROJECT_HEADERS["total_investment"], _unless_blank(AMOUNT_FORMS), width=14),
    Column("unit", PROJECT_HEADERS["unit"], _("“总投资”为纯数字时的单位:亿元(默认)、万元或元"), width=8),
    Column("stage", PROJECT_HEADERS["stage"], _unless_blank(_("项目阶段,从下拉列表选择")), width=10),
    Column(
        "planned_start",
        PROJECT_HEADERS["planned_start"],
        _unless_blank(_("如 2022-03、2022年3月、2022年一季度")),
        width=13,
    ),
    Column(
        "planned_finish",
        PROJECT_HEADERS["planned_finish"],
        _unless_blank(_("计划竣工/投产,如 2023年6月、2023年")),
        width=13,
    ),
    Column(
        "enterprise",
        PROJECT_HEADERS["enterprise"],
        _unless_blank(_("建设主体,须为台账中已有企业的名称或简称")),
        width=24,
        refers_to="enterprise",
    ),
    Column("description", PROJECT_HEADERS["description"], _unless_blank(_("项目简介")), width=40),
    Column("reason", PROJECT_HEADERS["reason"], _("修改已有项目时的原因,记入变更记录"), width=20),
)


# ---------------------------------------------------------------------------------------------
# 指标数值: a figure of a zone, portfolio or project for a period

# vocabulary: the 主体类型 a row names (the template's dropdown), read back by the importer
SUBJECT_KINDS = {"区域": "zone", "调度清单": "portfolio", "项目": "project"}

# vocabulary: column headers, read back by the importer
INDICATOR_HEADERS = {
    "subject_kind": "主体类型",
    "subject": "主体名称",
    "subject_zone": "所在区域",
    "metric": "指标",
    "year": "年度",
    "period": "时段",
    "value_kind": "数值类型",
    "value": "数值",
    "unit": "单位",
    "yoy": "同比增长%",
    "note": "备注",
    "reason": "原因",
}

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column(
        "subject_kind", INDICATOR_HEADERS["subject_kind"], _("区域、调度清单或项目"), width=10, required=True
    ),
    Column(
        "subject",
        INDICATOR_HEADERS["subject"],
        _("区域的简称/全称/别名,调度清单或项目的名称"),
        width=30,
        required=True,
        refers_to="subject",
    ),
    Column(
        "subject_zone",
        INDICATOR_HEADERS["subject_zone"],
        _("调度清单或项目所在的区域;同名的调度清单或项目在多个区域时必填"),
        width=12,
        refers_to="zone",
    ),
    Column(
        "metric",
        INDICATOR_HEADERS["metric"],
        _("指标名称或代码,如 工业营收、fixed_asset_investment"),
        width=18,
        required=True,
        refers_to="metric",
    ),
    Column("year", INDICATOR_HEADERS["year"], _("如 2022"), width=8, required=True),
    Column(
        "period",
        INDICATOR_HEADERS["period"],
        _("1-5月、5月、一季度、上半年、前三季度、全年;时点值写“截至5月底”"),
        width=12,
        required=True,
    ),
    Column("value_kind", INDICATOR_HEADERS["value_kind"], _("实际(默认)、目标、计划或预计"), width=10),
    Column(
        "value",
        INDICATOR_HEADERS["value"],
        format_lazy(
            _("金额类指标:{forms};其他指标填数字(可带指标的单位,如 142家)。数值和同比增长都未填的行不导入"),
            forms=AMOUNT_FORMS,
        ),
        width=14,
    ),
    Column(
        "unit",
        INDICATOR_HEADERS["unit"],
        _("金额类指标的数值为纯数字时的单位:亿元(默认)、万元或元;其他指标留空"),
        width=8,
    ),
    Column("yoy", INDICATOR_HEADERS["yoy"], _("同比增长的百分数,如 12.24 或 12.24%"), width=11),
    Column("note", INDICATOR_HEADERS["note"], _("已有数值留空则不修改"), width=30),
    Column(
        "reason",
        INDICATOR_HEADERS["reason"],
        _("修改年度开始后的目标、计划须填写变更原因;更正已锁定月份的实际值须填写更正原因"),
        width=24,
    ),
)
