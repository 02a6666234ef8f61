"""The files of a 调度通报, rendered from its frozen snapshot: an HTML page, a PDF and a workbook.

The snapshot (`snapshot.py`) is plain JSON; nothing here reads the database. The three formats show
the same tables, built once (`Table`, rows of `Value`s): the HTML page and the PDF show each
value's text (58.33亿元, 70.12%), the workbook stores its number (58.33 in a column headed
完成投资(亿元)), so a spreadsheet can add and chart it. The PDF is WeasyPrint's print of the same
HTML, so the two never disagree.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..models import ReportFormat, ValueKind
from ..workbooks.cells import Workbook
from . import charts
from .render import amount_display, left_out

YI = 100_000_000
MISSING = "—"
TEMPLATE = "projects/reports/report.html"
AMOUNT_FIGURES = {"total_investment", "planned_investment", "completed_investment"}
KIND_LABELS = {"portfolio": "调度清单", "indicator": "指标"}
PERCENT_CHECKS = {"completion_rate": "%", "start_rate": "%", "ahead_of_schedule": "个百分点"}

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
        return f"{self.header}({self.unit})" if self.unit else self.header


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = "无"  # said instead of an empty table
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
        return amount(value, display), "亿美元" if "美元" in display else "亿元"
    text = display or (MISSING if value is None else f"{charts.num(value)}{unit}")
    return Value(value, text), unit


def period_text(period: Data | None) -> str:
    return (period or {}).get("display", "")


def schedule_verdict(ahead: float | None) -> str:
    """The sentence a leader reads first: ahead of or behind the time progress, by how much."""
    if ahead is None:
        return "缺少计划或完成数据,无法判断序时进度"
    if ahead > 0:
        return f"超序时进度{fixed(ahead)}个百分点"
    if ahead < 0:
        return f"落后序时进度{fixed(-ahead)}个百分点"
    return "与序时进度持平"


def _measured(text: str) -> str:
    """The unit of a measured figure's display: "23个" → "个", "8.5%" → "%"."""
    match = re.match(r"^[^\d-]*-?[\d.,]+(.*)$", text)
    return match.group(1).strip() if match else ""


def figure_value(figure: Data) -> tuple[Value, str]:
    """A snapshot figure (one recorded statement) as a number in its unit."""
    display = figure.get("display") or ""
    if figure.get("value") is None:
        yoy = figure.get("yoy_growth")
        return Value(None, f"同比增长{charts.num(yoy)}%" if yoy is not None else MISSING), ""
    if display.endswith("元"):
        return amount(figure["value"], display), "亿美元" if "美元" in display else "亿元"
    return Value(figure["value"], display or charts.num(figure["value"])), _measured(display)


def figure_label(figure: Data) -> str:
    period = period_text(figure.get("period"))
    return f"{figure['subject']} {figure['metric_name']}({period}{figure.get('kind_label', '')})"


# ---------------------------------------------------------------------------------------------
# The tables of one progress report (report_json shape)


def portfolio_summary_table(report: Data) -> Table:
    columns = [
        Column("调度清单"),
        Column("年度计划投资", "亿元"),
        Column("完成投资", "亿元"),
        Column("完成率", "%"),
        Column("超序进度(个百分点)"),
        Column("开工率", "%"),
        Column("结论"),
    ]
    rows = []
    for p in report.get("portfolios", []):
        f = p["figures"]
        rows.append(
            [
                f"{p['zone']} {p['name']}",
                amount(f["planned_investment"]["value"], f["planned_investment"]["display"]),
                amount(f["completed_investment"]["value"], f["completed_investment"]["display"]),
                percent(p["completion"]),
                points(p["ahead_of_schedule"]),
                percent(p["start_rate"]),
                schedule_verdict(p["ahead_of_schedule"]),
            ]
        )
    return Table(columns, rows, "本期无调度清单")


def portfolio_table(report: Data) -> Table:
    columns = [
        Column("区域", short=True),
        Column("调度清单"),
        Column("类别", html=False),
        Column("项目数", "个", number_format="0"),
        Column("总投资", "亿元"),
        Column("年度计划投资", "亿元"),
        Column("完成投资", "亿元"),
        Column("数据时段"),
        Column("完成率", "%"),
        Column("时间进度", "%", html=False),
        Column("超序进度(个百分点)"),
        Column("开工率", "%"),
        Column("月均需完成", "亿元"),
        Column("全年预计完成", "亿元"),
        Column("预计全年完成率", "%", html=False),
    ]
    rows = []
    for p in report.get("portfolios", []):
        f = p["figures"]
        rows.append(
            [
                p["zone"],
                p["name"],
                p.get("category", ""),
                count(f["project_count"]["value"], f["project_count"]["display"]),
                amount(f["total_investment"]["value"], f["total_investment"]["display"]),
                amount(f["planned_investment"]["value"], f["planned_investment"]["display"]),
                amount(f["completed_investment"]["value"], f["completed_investment"]["display"]),
                period_text(p.get("data_period")),
                percent(p["completion"]),
                percent(p.get("time_progress")),
                points(p["ahead_of_schedule"]),
                percent(p["start_rate"]),
                amount(p.get("required_monthly"), p.get("required_monthly_display", "")),
                amount(p.get("projection"), p.get("projection_display", "")),
                percent(p.get("projected_completion")),
            ]
        )
    return Table(columns, rows, "本期无调度清单")


def indicator_table(report: Data) -> Table:
    columns = [
        Column("区域", short=True),
        Column("指标"),
        Column("单位", html=False),
        Column("实际"),
        Column("时段"),
        Column("全年目标"),
        Column("完成率", "%"),
        Column("时间进度", "%", html=False),
        Column("超序进度(个百分点)"),
        Column("同比增长", "%"),
        Column("全年预计"),
        Column("来源", html=False),
    ]
    rows = []
    for i in report.get("indicators", []):
        actual, target = i.get("actual") or {}, i.get("target") or {}
        kind, unit = i["unit_kind"], i.get("unit", "")
        actual_value, actual_unit = quantity(actual.get("value"), kind, unit, actual.get("display", ""))
        target_value, target_unit = quantity(target.get("value"), kind, unit, target.get("display", ""))
        projection, _ = quantity(i.get("projection"), kind, unit, i.get("projection_display", ""))
        sources = [*actual.get("sources", []), *target.get("sources", [])]
        rows.append(
            [
                i["zone"],
                i["metric_name"],
                actual_unit or target_unit,
                actual_value,
                period_text(actual.get("period")),
                target_value,
                percent(i.get("completion")),
                percent(i.get("time_progress")),
                points(i.get("ahead_of_schedule")),
                percent((i.get("yoy_growth") or {}).get("stated")),
                projection,
                "、".join(dict.fromkeys(sources)),
            ]
        )
    return Table(columns, rows, "本期无经济指标数据")


def _indicator_units(report: Data) -> dict[str, tuple[str, str]]:
    """Unit kind and unit of each indicator, by the subject a checkpoint item names it with."""
    return {
        f"{i['zone']} {i['metric_name']}": (i["unit_kind"], i.get("unit", ""))
        for i in report.get("indicators", [])
    }


@dataclass
class CheckpointView:
    heading: str
    status: str  # met, missed, pending, no_data
    status_label: str
    table: Table


def checkpoint_view(checkpoint: Data, report: Data) -> CheckpointView:
    units = _indicator_units(report)
    required = checkpoint.get("required_share")
    requirement = f"应完成全年目标{charts.num(required)}%" if required is not None else "按该时段目标考核"
    columns = [
        Column("考核节点", html=False),
        Column("考核时点", html=False),
        Column("考核要求", "%", html=False),
        Column("节点结论", html=False),
        Column("考核对象"),
        Column("类别"),
        Column("数据时段"),
        Column("完成率", "%"),
        Column("要求", "%"),
        Column("差距(个百分点)"),
        Column("结论"),
        Column("状态"),
        Column("月均需完成"),
        Column("单位", html=False),
    ]
    head: list[Cell] = [
        checkpoint["name"],
        checkpoint.get("date", ""),
        percent(required),
        checkpoint["status_label"],
    ]
    rows = []
    for item in checkpoint.get("items", []):
        unit_kind, unit = (
            ("amount", "") if item["kind"] == "portfolio" else units.get(item["subject"], ("", ""))
        )
        monthly, monthly_unit = quantity(item.get("required_monthly"), unit_kind, unit)
        rows.append(
            [
                *head,
                item["subject"],
                KIND_LABELS.get(item["kind"], item["kind"]),
                period_text(item.get("data_period")),
                percent(item.get("completion")),
                percent(item.get("required")),
                points(item.get("gap")),
                item.get("label", ""),
                item.get("status_label", ""),
                monthly,
                monthly_unit,
            ]
        )
    placeholder = [*head, *[""] * (len(columns) - len(head))]
    return CheckpointView(
        f"{checkpoint['name']}(考核时点{checkpoint.get('date', '')},{requirement})",
        checkpoint.get("status", ""),
        checkpoint["status_label"],
        Table(columns, rows, "无考核项目", placeholder),
    )


def lagging_table(report: Data) -> Table:
    columns = [
        Column("项目"),
        Column("区域", short=True),
        Column("原因"),
        Column("逾期节点"),
        Column("年度计划投资", "亿元"),
        Column("完成投资", "亿元"),
        Column("数据时段"),
        Column("完成率", "%"),
        Column("超序进度(个百分点)"),
    ]
    rows = [
        [
            p["name"],
            p["zone"],
            "、".join(p.get("reason_labels", [])),
            ";".join(
                f"{m['phase']}{m['kind_label']}(计划{m['planned']})" for m in p.get("late_milestones", [])
            ),
            amount(p.get("planned_investment")),
            amount(p.get("completed_investment")),
            period_text(p.get("data_period")),
            percent(p.get("completion")),
            points(p.get("ahead_of_schedule")),
        ]
        for p in report.get("lagging_projects", [])
    ]
    note = left_out(len(rows), report.get("lagging_projects_total"), "个项目")
    return Table(columns, rows, "无滞后项目", note=note)


def due_table(report: Data) -> Table:
    columns = [
        Column("项目"),
        Column("区域", short=True),
        Column("节点"),
        Column("计划"),
        Column("最迟完成日期"),
    ]
    rows = [
        [m["project"], m["zone"], f"{m['phase']}{m['kind_label']}", m["planned"], m["due_by"]]
        for m in report.get("milestones_due", [])
    ]
    note = left_out(len(rows), report.get("milestones_due_total"), "个节点")
    return Table(columns, rows, "近期无到期节点", note=note)


def check_table(report: Data) -> Table:
    """Figures a source stated beside the same figures computed from their parts."""
    columns = [
        Column("对象"),
        Column("指标"),
        Column("单位", html=False),
        Column("来源所述"),
        Column("核算"),
        Column("差异"),
        Column("容差"),
        Column("结论"),
        Column("来源"),
    ]
    rows: list[list[Cell]] = []

    def add(subject: str, label: str, check: Data, unit: str, scale: float, sources: Iterable[str]) -> None:
        def cell(value: float | None) -> Value:
            if value is None:
                return Value(None, MISSING)
            shown = round(value / scale, 6)
            return Value(shown, f"{charts.num(shown)}{unit}")

        rows.append(
            [
                subject,
                label,
                unit,
                cell(check.get("stated")),
                cell(check.get("computed")),
                cell(check.get("difference")),
                cell(check.get("tolerance")),
                check.get("verdict", ""),
                "、".join(sources),
            ]
        )

    for p in report.get("portfolios", []):
        subject = f"{p['zone']} {p['name']}"
        for c in p.get("stated_vs_computed", []):
            add(subject, c["label"], c, PERCENT_CHECKS.get(c["measure"], ""), 1, c.get("sources", []))
        for code, f in p["figures"].items():
            if f.get("check"):
                unit, scale = ("亿元", YI) if code in AMOUNT_FIGURES else ("个", 1)
                add(subject, f["label"], f["check"], unit, scale, (f.get("stated") or {}).get("sources", []))
    for i in report.get("indicators", []):
        check = (i.get("yoy_growth") or {}).get("check")
        if check:
            sources = (i.get("actual") or {}).get("sources", [])
            add(f"{i['zone']} {i['metric_name']}", "同比增长", check, "%", 1, sources)
    return Table(columns, rows, "无可核对的来源数据")


def conflict_table(report: Data) -> Table:
    units = {name.split(" ", 1)[-1]: unit for name, unit in _indicator_units(report).items()}
    columns = [
        Column("对象"),
        Column("指标"),
        Column("时段"),
        Column("类型"),
        Column("字段"),
        Column("各方说法"),
    ]
    rows = []
    for c in report.get("conflicts", []):
        unit_kind, unit = units.get(c["metric"], ("", ""))
        if c["field"] == "yoy_growth":
            unit_kind, unit = "percent", "%"
        said = []
        for s in c.get("statements", []):
            shown = MISSING if s["value"] is None else quantity(s["value"], unit_kind, unit)[0].text
            said.append(f"{shown}({'、'.join(s.get('sources', []))})")
        kind = c.get("kind", "")
        rows.append(
            [
                c["subject"],
                c["metric"],
                period_text(c.get("period")),
                ValueKind(kind).label if kind in ValueKind.values else kind,
                c.get("field_label", ""),
                ";".join(said),
            ]
        )
    return Table(columns, rows, "无相互矛盾的数据")


# ---------------------------------------------------------------------------------------------
# The tables of the whole snapshot


def milestone_table(milestones: Sequence[Data]) -> Table:
    columns = [
        Column("项目"),
        Column("区域", short=True),
        Column("节点"),
        Column("计划"),
        Column("实际"),
        Column("状态"),
    ]
    rows = [
        [
            m["project"],
            m.get("zone", ""),
            f"{m.get('phase', '')}{m['kind_label']}",
            m["planned"],
            m.get("actual", ""),
            m["status_label"],
        ]
        for m in milestones
    ]
    return Table(columns, rows, "范围内无项目节点")


def changes_table(changes: Data) -> Table:
    columns = [
        Column("类别"),
        Column("对象"),
        Column("事项"),
        Column("上期"),
        Column("本期"),
        Column("上期数值", html=False),
        Column("本期数值", html=False),
        Column("单位", html=False),
    ]
    rows: list[list[Cell]] = []
    for m in changes.get("milestones_reached", []):
        node = f"{m.get('phase', '')}{m['kind_label']}(计划{m['planned']})"
        rows.append(
            ["新完成节点", m["project"], node, "未完成", f"已完成 {m.get('actual', '')}".strip(), "", "", ""]
        )
    for m in changes.get("milestones_late", []):
        node = f"{m.get('phase', '')}{m['kind_label']}(计划{m['planned']})"
        rows.append(["新逾期节点", m["project"], node, "未逾期", m["status_label"], "", "", ""])
    for f in changes.get("figures_added", []):
        value, unit = figure_value(f)
        rows.append(
            ["新增数据", f["subject"], _figure_item(f), MISSING, value.text, Value(None, ""), value, unit]
        )
    for pair in changes.get("figures_restated", []):
        (before, unit), (after, _) = figure_value(pair["before"]), figure_value(pair["after"])
        rows.append(
            [
                "数据更正",
                pair["after"]["subject"],
                _figure_item(pair["after"]),
                before.text,
                after.text,
                before,
                after,
                unit,
            ]
        )
    for s in changes.get("sign_changes", []):
        kind = KIND_LABELS.get(s["kind"], s["kind"])
        rows.append(
            [
                f"超序进度{s['direction']}",
                s["subject"],
                f"{kind}超序进度",
                points(s["before"]).text,
                points(s["after"]).text,
                points(s["before"]),
                points(s["after"]),
                "个百分点",
            ]
        )
    return Table(columns, rows, "数据无变化")


def restatement_table(restatements: Sequence[Data]) -> Table:
    """数据更正: each correction of a figure of a locked month, with the value it replaced."""
    columns = [
        Column("项目/指标"),
        Column("时段", short=True),
        Column("原值"),
        Column("更正值"),
        Column("原值数值", html=False, number_format="0.00##"),
        Column("更正值数值", html=False, number_format="0.00##"),
        Column("原因"),
        Column("更正人", short=True),
        Column("时间", short=True),
    ]
    rows: list[list[Cell]] = [
        [
            f"{r['subject']}·{r['metric_name']}",
            period_text(r.get("period")),
            r.get("before_display", ""),
            r.get("after_display", ""),
            Value(r.get("before"), r.get("before_display", "")),
            Value(r.get("after"), r.get("after_display", "")),
            r.get("reason", ""),
            r.get("by", ""),
            _datetime_text(r.get("at")),
        ]
        for r in restatements
    ]
    return Table(columns, rows, "报告期内无数据更正")


def _figure_item(figure: Data) -> str:
    return f"{figure['metric_name']}({period_text(figure.get('period'))}{figure.get('kind_label', '')})"


def changes_note(changes: Data | None) -> str:
    """What the 与上期相比 section says before (or instead of) its table."""
    if changes is None:
        return "本报告未与上期比较"
    previous = changes.get("previous")
    if previous is None:
        return "首期报告,无上期可比"
    made = _datetime_text(previous.get("generated_at"))
    against = f"与上期({previous.get('period_display', '')}{',生成于' + made if made else ''})相比"
    return f"{against}:数据无变化" if changes.get("unchanged") else f"{against}:"


@dataclass
class QuoteView:
    quote: str
    figures: list[str]


@dataclass
class SourceView:
    key: str
    title: str
    publisher: str
    published_on: str
    quotes: list[QuoteView]


def source_views(snapshot: Data) -> list[SourceView]:
    """Each source document with the sentences quoted from it and the figures each states."""
    views = []
    for source in snapshot.get("sources", []):
        by_quote: dict[str, list[str]] = {}
        for figure in snapshot.get("figures", []):
            value, _ = figure_value(figure)
            for cited in figure.get("quotes", []):
                if cited["source"] == source["key"]:
                    by_quote.setdefault(cited["quote"], []).append(f"{figure_label(figure)}:{value.text}")
        views.append(
            SourceView(
                source["key"],
                source.get("title", ""),
                source.get("publisher", ""),
                source.get("published_on") or "",
                [QuoteView(q, figures) for q, figures in by_quote.items()],
            )
        )
    return views


def source_table(views: Sequence[SourceView]) -> Table:
    columns = [
        Column("来源编号"),
        Column("标题"),
        Column("发布单位"),
        Column("发布日期"),
        Column("引文"),
        Column("所引数据"),
    ]
    rows = []
    for v in views:
        for q in v.quotes or [QuoteView("", [])]:
            rows.append([v.key, v.title, v.publisher, v.published_on, q.quote, ";".join(q.figures)])
    return Table(columns, rows, "无数据来源")


def trend_table(trend: Sequence[Data]) -> Table:
    columns = [
        Column("区域", short=True),
        Column("调度清单"),
        Column("月份", number_format="0"),
        Column("累计完成投资", "亿元"),
        Column("计划线", "亿元"),
        Column("全年计划投资", "亿元"),
    ]
    rows = [
        [
            t.get("zone", ""),
            t["portfolio"],
            Value(p["month"], f"{p['month']}月"),
            amount(p.get("completed")),
            amount(p.get("plan")),
            amount(t.get("planned"), t.get("planned_display", "")),
        ]
        for t in trend
        for p in t.get("points", [])
    ]
    return Table(columns, rows, "无月度数据")


def ranking_table(snapshot: Data) -> Table:
    measure = snapshot.get("ranking_measure") or "排名指标"
    standings = {z["zone"]["name"]: z for z in (snapshot.get("campaign") or {}).get("zones", [])}
    columns = [
        Column("名次", number_format="0"),
        Column("区域", short=True),
        Column(measure, "" if "百分点" in measure else "个百分点"),
    ]
    if standings:
        columns += [Column("达标项", number_format="0"), Column("有数据项", number_format="0")]
    rows = []
    for r in snapshot.get("ranking", []):
        row: list[Cell] = [count(r.get("rank")), r["zone"], points(r.get("value"))]
        if standings:
            s = standings.get(r["zone"], {})
            row += [count(s.get("met")), count(s.get("measured"))]
        rows.append(row)
    return Table(columns, rows, "不足两个区域,不作排名")


def completion_table(snapshot: Data) -> Table:
    """The numbers of chart 1: each item's 完成率 beside the time progress."""
    columns = [
        Column("对象"),
        Column("类别"),
        Column("完成率", "%"),
        Column("时间进度", "%"),
        Column("超序进度(个百分点)"),
    ]
    rows = []
    for report in snapshot.get("reports", []):
        items = [(f"{p['zone']} {p['name']}", "portfolio", p) for p in report.get("portfolios", [])]
        items += [(f"{i['zone']} {i['metric_name']}", "indicator", i) for i in report.get("indicators", [])]
        for label, kind, item in items:
            if item.get("completion") is None:
                continue
            rows.append(
                [
                    label,
                    KIND_LABELS[kind],
                    percent(item["completion"]),
                    percent(item.get("time_progress") or snapshot.get("time_progress")),
                    points(item.get("ahead_of_schedule")),
                ]
            )
    return Table(columns, rows, charts.NO_DATA)


# ---------------------------------------------------------------------------------------------
# The document


@dataclass
class ChartView:
    title: str
    svg: SafeString | None


@dataclass
class ChartGroup:
    heading: str
    charts: list[ChartView]


class Verdict(NamedTuple):
    text: str
    status: str  # ahead | behind | unknown: colours the sentence


def verdict(portfolio: Data) -> Verdict:
    """One portfolio in a sentence: its plan, what was done, the rates, ahead or behind."""
    p, f = portfolio, portfolio["figures"]
    name = f"{p['zone']} {p['name']}"
    if p.get("completion") is None:
        return Verdict(f"{name}:暂无完成投资或年度计划数据。", "unknown")
    parts = [
        f"年度计划投资{f['planned_investment']['display'] or MISSING}",
        f"{period_text(p.get('data_period'))}完成投资{f['completed_investment']['display'] or MISSING}",
        f"完成率{fixed(p['completion'])}%",
    ]
    if p.get("start_rate") is not None:
        parts.append(f"开工率{fixed(p['start_rate'])}%")
    ahead = p.get("ahead_of_schedule")
    status = "unknown" if ahead is None else ("behind" if ahead < 0 else "ahead")
    return Verdict(f"{name}:{','.join(parts)},{schedule_verdict(ahead)}。", status)


@dataclass
class ReportView:
    zone: str
    as_of: str
    time_progress: str
    summary: Table
    verdicts: list[Verdict]
    portfolios: Table
    indicators: Table
    checkpoints: list[CheckpointView]
    lagging: Table
    due: Table
    checks: Table
    conflicts: Table


def _chart(title: str, svg: str | None) -> ChartView:
    # The chart functions escape every text they draw.
    return ChartView(title, mark_safe(svg) if svg else None)


def report_view(report: Data) -> ReportView:
    tp = report.get("time_progress") or {}
    verdicts = [verdict(p) for p in report.get("portfolios", [])]
    return ReportView(
        zone=(report.get("zone") or {}).get("name", ""),
        as_of=period_text(report.get("period")),
        time_progress=f"{fixed(tp['value'])}%" if tp.get("value") is not None else MISSING,
        summary=portfolio_summary_table(report),
        verdicts=verdicts,
        portfolios=portfolio_table(report),
        indicators=indicator_table(report),
        checkpoints=[checkpoint_view(c, report) for c in report.get("checkpoints", [])],
        lagging=lagging_table(report),
        due=due_table(report),
        checks=check_table(report),
        conflicts=conflict_table(report),
    )


def chart_groups(snapshot: Data) -> list[ChartGroup]:
    reports = snapshot.get("reports", [])
    many = len(reports) > 1

    def named(title: str, report: Data) -> str:
        return f"{(report.get('zone') or {}).get('name', '')}:{title}" if many else title

    completion = [_chart(named("完成率与时间进度", r), charts.completion_chart(r)) for r in reports]
    checkpoints = [
        _chart(named(f"{c['name']} 节点考核", r), charts.checkpoint_chart(c))
        for r in reports
        for c in r.get("checkpoints", [])
    ]
    trends = [
        _chart(f"{t.get('zone', '')} {t['portfolio']} 完成投资月度走势", charts.trend_chart(t))
        for t in snapshot.get("trend", [])
    ]
    groups = [
        ChartGroup("(一)完成率与时间进度", completion or [_chart("完成率与时间进度", None)]),
        ChartGroup("(二)节点考核", checkpoints or [_chart("节点考核", None)]),
        ChartGroup(
            "(三)完成投资月度走势", [c for c in trends if c.svg] or [_chart("完成投资月度走势", None)]
        ),
    ]
    if snapshot.get("ranking") or snapshot.get("campaign"):
        ranking = charts.ranking_chart(snapshot.get("ranking", []), snapshot.get("ranking_measure", ""))
        groups.append(ChartGroup("(四)区域排名", [_chart("区域排名", ranking)]))
    return groups


def _datetime_text(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _campaign_text(campaign: Data | None) -> str:
    if not campaign:
        return ""
    name = (campaign.get("campaign") or {}).get("name", "")
    required = campaign.get("required_share")
    need = f",应完成全年目标{charts.num(required)}%" if required is not None else ""
    return f"{name}:考核时点{campaign.get('checkpoint', '')}{need}。排名方法:{campaign.get('ranking', '')}"


def context(snapshot: Data) -> dict[str, Any]:
    """Everything the HTML template shows, worked out here so the template only lays it out."""
    scope, period, basis = snapshot.get("scope", {}), snapshot.get("period", {}), snapshot.get("basis", {})
    tp = snapshot.get("time_progress")
    tp_text = f"{fixed(tp)}%" if tp is not None else MISSING
    sources = source_views(snapshot)
    changes = snapshot.get("changes")
    return {
        "title": snapshot.get("title", "投资项目调度通报"),
        "meta": [
            ("报告范围", f"{scope.get('kind_label', '')}:{scope.get('name', '')}"),
            ("报告期", f"{period.get('display', '')} {period.get('cadence_label', '')}".strip()),
            ("生成时间", _datetime_text(snapshot.get("generated_at")) or MISSING),
            ("时间进度", f"{tp_text}({basis.get('convention', '')})"),
            ("数据指纹", (snapshot.get("fingerprint") or "")[:12] or MISSING),
        ],
        "time_progress": tp_text,
        "convention": basis.get("convention", ""),
        "period_display": period.get("display", ""),
        "many": len(snapshot.get("reports", [])) > 1,
        "reports": [report_view(r) for r in snapshot.get("reports", [])],
        "campaign": _campaign_text(snapshot.get("campaign")),
        "ranking": ranking_table(snapshot) if snapshot.get("ranking") or snapshot.get("campaign") else None,
        "ranking_measure": snapshot.get("ranking_measure", ""),
        "chart_groups": chart_groups(snapshot),
        "no_data": charts.NO_DATA,
        "milestones": milestone_table(snapshot.get("milestones", [])),
        "changes_note": changes_note(changes),
        "changes": changes_table(changes)
        if changes and changes.get("previous") and not changes.get("unchanged")
        else None,
        "sources": sources,
        "restatements": restatement_table(snapshot.get("restatements", [])),
        "font_family": charts.FONT_FAMILY,
    }


# ---------------------------------------------------------------------------------------------
# The three formats


def render_html(snapshot: dict) -> str:
    """A standalone page: CSS and SVG inline, no script, nothing fetched; prints to A4."""
    return render_to_string(TEMPLATE, context(snapshot))


def render_pdf(snapshot: dict) -> bytes:
    """The HTML page printed by WeasyPrint; the CJK font the CSS names is embedded."""
    from weasyprint import HTML  # loads pango: only when a PDF is made

    return HTML(string=render_html(snapshot)).write_pdf()


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_WIDTH = 60


def _display_width(value: object) -> int:
    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_sheet(workbook: Workbook, title: str, tables: Sequence[Table]) -> Worksheet:
    """One table (the same table of every report, one after another) on a sheet of its own:
    a bold, frozen header row; numbers as numbers; columns wide enough for Chinese text."""
    sheet = workbook.create_sheet(title[:31])
    columns = tables[0].xlsx_columns
    sheet.append([c.xlsx_header for c in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [_display_width(c.xlsx_header) for c in columns]
    for table in tables:
        for row in table.xlsx_rows():
            sheet.append([cell.number if isinstance(cell, Value) else (cell or None) for cell in row])
            for i, (cell, column) in enumerate(zip(row, columns, strict=True)):
                target = sheet.cell(sheet.max_row, i + 1)
                if isinstance(cell, Value):
                    target.number_format = column.number_format
                    if cell.number is not None:
                        widths[i] = max(widths[i], len(charts.num(cell.number)) + 2)
                else:
                    widths[i] = max(widths[i], _display_width(cell))
                    if _display_width(cell) > MAX_WIDTH:
                        target.alignment = WRAP
        if table.note:
            sheet.append([table.note])
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), MAX_WIDTH + 2)
    sheet.freeze_panes = "A2"
    return sheet


def _show_axes(chart: BarChart | LineChart) -> None:
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then draws no scale.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _bar_chart(
    sheet: Worksheet, title: str, axis_title: str, data_columns: tuple[int, int], rows: int, anchor: str
) -> None:
    chart = BarChart()
    chart.type = "bar"  # horizontal: long Chinese names read along the category axis
    chart.title = title
    chart.y_axis.title = axis_title
    chart.add_data(
        Reference(sheet, min_col=data_columns[0], max_col=data_columns[1], min_row=1, max_row=rows + 1),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.height = max(7.5, 1.2 * rows + 3)
    chart.width = 18
    _show_axes(chart)
    sheet.add_chart(chart, anchor)


def _trend_charts(sheet: Worksheet, trend: Sequence[Data]) -> None:
    """One line chart per portfolio with any completed figure, beside its rows."""
    row, placed = 2, 0
    for t in trend:
        n = len(t.get("points", []))
        if any(p.get("completed") is not None for p in t.get("points", [])):
            chart = LineChart()
            chart.title = f"{t.get('zone', '')} {t['portfolio']} 完成投资月度走势"
            chart.y_axis.title = "亿元"
            chart.x_axis.title = "月份"
            for col in (4, 5):  # 累计完成投资, 计划线
                values = Reference(sheet, min_col=col, min_row=row, max_row=row + n - 1)
                chart.series.append(Series(values, title=sheet.cell(1, col).value))
            chart.set_categories(Reference(sheet, min_col=3, min_row=row, max_row=row + n - 1))
            chart.display_blanks = "gap"
            chart.width, chart.height = 18, 8
            _show_axes(chart)
            sheet.add_chart(chart, f"H{2 + placed * 17}")
            placed += 1
        row += n


def overview_rows(snapshot: Data) -> list[tuple[str, object]]:
    """The overview sheet: the page's header, with numbers as numbers, and the verdicts."""
    scope, period, basis = snapshot.get("scope", {}), snapshot.get("period", {}), snapshot.get("basis", {})
    rows: list[tuple[str, object]] = [
        ("标题", snapshot.get("title", "")),
        ("报告范围", f"{scope.get('kind_label', '')}:{scope.get('name', '')}"),
        ("报告期", f"{period.get('display', '')} {period.get('cadence_label', '')}".strip()),
        ("统计起止", f"{period.get('start', '')} 至 {period.get('end', '')}"),
        ("生成时间", _datetime_text(snapshot.get("generated_at"))),
        ("时间进度(%)", snapshot.get("time_progress")),
        ("时间进度口径", basis.get("convention", "")),
        ("数据指纹", snapshot.get("fingerprint", "")),
    ]
    for report in snapshot.get("reports", []):
        rows += [("总体情况", verdict(p).text) for p in report.get("portfolios", [])]
    return rows


def _overview_sheet(workbook: Workbook, snapshot: Data) -> None:
    sheet = workbook.active
    sheet.title = "概况"
    sheet.append(["项目", "内容"])
    for row in overview_rows(snapshot):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    sheet.freeze_panes = "A2"


def render_xlsx(snapshot: dict) -> bytes:
    """The workbook: one sheet per table, numbers in 亿元 and percent, native charts."""
    workbook = Workbook()
    _overview_sheet(workbook, snapshot)

    completion = completion_table(snapshot)
    sheet = write_sheet(workbook, "完成率", [completion])
    if completion.rows:
        _bar_chart(sheet, "完成率与时间进度", "%", (3, 4), len(completion.rows), "G2")

    # Each report's table, one after another; an empty report's tables give the headers.
    views = [report_view(r) for r in snapshot.get("reports", [])] or [report_view({})]
    write_sheet(workbook, "调度清单", [v.portfolios for v in views])
    write_sheet(workbook, "经济指标", [v.indicators for v in views])
    no_checkpoint = checkpoint_view({"name": "", "status_label": ""}, {}).table
    write_sheet(workbook, "节点考核", [c.table for v in views for c in v.checkpoints] or [no_checkpoint])
    write_sheet(workbook, "滞后项目", [v.lagging for v in views])
    write_sheet(workbook, "到期节点", [v.due for v in views])
    write_sheet(workbook, "项目节点", [milestone_table(snapshot.get("milestones", []))])
    write_sheet(workbook, "变化", [changes_table(snapshot.get("changes") or {})])
    write_sheet(workbook, "数据核对", [v.checks for v in views])
    write_sheet(workbook, "数据冲突", [v.conflicts for v in views])
    if restatements := snapshot.get("restatements"):
        write_sheet(workbook, "数据更正", [restatement_table(restatements)])
    write_sheet(workbook, "数据来源", [source_table(source_views(snapshot))])
    trend = snapshot.get("trend", [])
    _trend_charts(write_sheet(workbook, "趋势", [trend_table(trend)]), trend)
    if snapshot.get("ranking"):
        ranking = ranking_table(snapshot)
        sheet = write_sheet(workbook, "排名", [ranking])
        if len(ranking.rows) >= 2 and any(r.get("value") is not None for r in snapshot["ranking"]):
            measure = snapshot.get("ranking_measure", "")
            _bar_chart(sheet, "区域排名", measure, (3, 3), len(ranking.rows), "G2")

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class ReportFormatSpec(NamedTuple):
    label: str
    content_type: str
    extension: str
    render: Callable[[dict], str | bytes]


FORMATS: dict[str, ReportFormatSpec] = {
    "html": ReportFormatSpec(ReportFormat.HTML.label, "text/html; charset=utf-8", "html", render_html),
    "xlsx": ReportFormatSpec(
        ReportFormat.XLSX.label,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        render_xlsx,
    ),
    "pdf": ReportFormatSpec(ReportFormat.PDF.label, "application/pdf", "pdf", render_pdf),
}
