"""Cells and tables of a report's documents, and how a figure reads in one: 58.33亿元, 70.12%, +28.45.

A table (`Table`, rows of `Value`s and text) is built once (`tables.py`) for all three formats: the
HTML page and the PDF show each value's text, the workbook stores its number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext

from . import charts
from .render import amount_display

YI = 100_000_000
MISSING = "—"
# vocabulary: the units of amounts and counts as the sources write them after a figure (58.33亿元, 23个)
YI_YUAN, YI_USD, COUNT_UNIT = "亿元", "亿美元", "个"

type Data = Mapping[str, Any]

# ---------------------------------------------------------------------------------------------
# Cells and tables


@dataclass(frozen=True)
class Value:
    """A number in a table: what the workbook stores, and the text a reader sees."""

    number: float | int | None
    text: str


type Cell = str | Value


class HtmlCell(NamedTuple):
    text: str
    css: str  # num: right-aligned figures; short: a name kept on one line


@dataclass(frozen=True)
class Column:
    header: str
    unit: str = ""  # named in the workbook's header: 完成投资(亿元); the HTML text carries its own
    html: bool = True
    xlsx: bool = True
    number_format: str = "0.00"
    short: bool = False  # a few characters (a zone's name): kept on one line in HTML

    @property
    def xlsx_header(self) -> str:
        return (
            gettext("{header}({unit})").format(header=self.header, unit=self.unit)
            if self.unit
            else self.header
        )


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = field(default_factory=lambda: gettext("无"))  # said instead of an empty table
    placeholder: list[Cell] | None = None  # the workbook's row for an empty table (a checkpoint)
    note: str = ""  # said under the table: how many rows a long list left out

    @property
    def html_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.html]

    @property
    def html_rows(self) -> list[list[HtmlCell]]:
        shown = [(i, c) for i, c in enumerate(self.columns) if c.html]
        return [[_html_cell(row[i], c) for i, c in shown] for row in self.rows]

    @property
    def xlsx_columns(self) -> list[Column]:
        return [c for c in self.columns if c.xlsx]

    def xlsx_rows(self) -> list[list[Cell]]:
        kept = [i for i, c in enumerate(self.columns) if c.xlsx]
        rows = self.rows or ([self.placeholder] if self.placeholder else [])
        return [[row[i] for i in kept] for row in rows]


def _html_cell(cell: Cell, column: Column) -> HtmlCell:
    if isinstance(cell, Value):
        return HtmlCell(cell.text or MISSING, "num")
    return HtmlCell(cell or MISSING, "short" if column.short else "")


def fixed(value: float, places: int = 2) -> str:
    return f"{value:.{places}f}"


def amount_text(value: float | int) -> str:
    """An amount in 元 as staff write it (58.33亿元, 274.82万元), the tracker's own formatting."""
    return amount_display(Decimal(str(value)))


def amount(value: float | int | None, display: str = "") -> Value:
    """An amount in 元, stored in 亿元."""
    if value is None:
        return Value(None, display or MISSING)
    return Value(round(value / YI, 6), display or amount_text(value))


def percent(value: float | int | None) -> Value:
    return Value(value, MISSING if value is None else f"{fixed(value)}%")


def points(value: float | int | None) -> Value:
    """Percentage points, signed: +28.45 ahead of schedule, -3.20 behind."""
    return Value(value, MISSING if value is None else f"{value:+.2f}")


def count(value: float | int | None, display: str = "") -> Value:
    return Value(value, display or (MISSING if value is None else charts.num(value)))


def quantity(value: float | int | None, unit_kind: str, unit: str, display: str = "") -> tuple[Value, str]:
    """A value of a metric and the unit its number is in: amounts in 亿元, others as stated."""
    if unit_kind == "amount":
        return amount(value, display), _amount_unit(display)
    text = display or (MISSING if value is None else f"{charts.num(value)}{unit}")
    return Value(value, text), unit


def _amount_unit(display: str) -> str:
    """The unit an amount's number is stored in: 亿美元 for an amount stated in dollars, else 亿元."""
    return YI_USD if "美元" in display else YI_YUAN  # vocabulary: the dollar amounts' unit (美元)


def scope_text(scope: Data) -> str:
    """What a report covers, as its header says: 区域:赣县区."""
    return gettext("{kind}:{name}").format(kind=scope.get("kind_label", ""), name=scope.get("name", ""))


def period_text(period: Data | None) -> str:
    return (period or {}).get("display", "")


def schedule_verdict(ahead: float | None) -> str:
    """The sentence a leader reads first: ahead of or behind the time progress, by how much."""
    if ahead is None:
        return gettext("缺少计划或完成数据,无法判断序时进度")
    if ahead > 0:
        return gettext("超序时进度{points}个百分点").format(points=fixed(ahead))
    if ahead < 0:
        return gettext("落后序时进度{points}个百分点").format(points=fixed(-ahead))
    return gettext("与序时进度持平")


def _measured(text: str) -> str:
    """The unit of a measured figure's display: "23个" → "个", "8.5%" → "%"."""
    match = re.match(r"^[^\d-]*-?[\d.,]+(.*)$", text)
    return match.group(1).strip() if match else ""


def figure_value(figure: Data) -> tuple[Value, str]:
    """A snapshot figure (one recorded statement) as a number in its unit."""
    display = figure.get("display") or ""
    if figure.get("value") is None:
        yoy = figure.get("yoy_growth")
        growth = gettext("同比增长{percent}%").format(percent=charts.num(yoy)) if yoy is not None else MISSING
        return Value(None, growth), ""
    if display.endswith("元"):  # vocabulary: an amount's display ends in its unit (58.33亿元)
        return amount(figure["value"], display), _amount_unit(display)
    return Value(figure["value"], display or charts.num(figure["value"])), _measured(display)


def figure_label(figure: Data) -> str:
    period = period_text(figure.get("period"))
    return f"{figure['subject']} {figure['metric_name']}({period}{figure.get('kind_label', '')})"


def trend_chart_title(trend: Data) -> str:
    """A portfolio's trend chart as a document names it: 赣县区 重点项目 完成投资月度走势."""
    return gettext("{name} 完成投资月度走势").format(name=f"{trend.get('zone', '')} {trend['portfolio']}")


def datetime_text(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return gettext("{year}年{month}月{day}日 {time}").format(
        year=moment.year, month=moment.month, day=moment.day, time=f"{moment:%H:%M}"
    )
