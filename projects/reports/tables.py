"""The tables of a 调度通报, built from its snapshot (report_json shape) for every format alike:
what each section lists, in which columns, with which units."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import ValueKind
from . import charts
from .formatting import (
    COUNT_UNIT,
    MISSING,
    YI,
    YI_YUAN,
    Cell,
    Column,
    Data,
    Table,
    Value,
    amount,
    count,
    datetime_text,
    figure_label,
    figure_value,
    fixed,
    percent,
    period_text,
    points,
    quantity,
    schedule_verdict,
)
from .render import left_out, milestone_text

AMOUNT_FIGURES = {"total_investment", "planned_investment", "completed_investment"}
KIND_LABELS = {"portfolio": _("调度清单"), "indicator": _("指标")}
PERCENT_CHECKS = {"completion_rate": "%", "start_rate": "%", "ahead_of_schedule": _("个百分点")}


# ---------------------------------------------------------------------------------------------
# The tables of one progress report (report_json shape)


def portfolio_summary_table(report: Data) -> Table:
    columns = [
        Column(gettext("调度清单")),
        Column(gettext("年度计划投资"), YI_YUAN),
        Column(gettext("完成投资"), YI_YUAN),
        Column(gettext("完成率"), "%"),
        Column(gettext("超序进度(个百分点)")),
        Column(gettext("开工率"), "%"),
        Column(gettext("结论")),
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
    return Table(columns, rows, gettext("本期无调度清单"))


def portfolio_table(report: Data) -> Table:
    columns = [
        Column(gettext("区域"), short=True),
        Column(gettext("调度清单")),
        Column(gettext("类别"), html=False),
        Column(gettext("项目数"), COUNT_UNIT, number_format="0"),
        Column(gettext("总投资"), YI_YUAN),
        Column(gettext("年度计划投资"), YI_YUAN),
        Column(gettext("完成投资"), YI_YUAN),
        Column(gettext("数据时段")),
        Column(gettext("完成率"), "%"),
        Column(gettext("时间进度"), "%", html=False),
        Column(gettext("超序进度(个百分点)")),
        Column(gettext("开工率"), "%"),
        Column(gettext("月均需完成"), YI_YUAN),
        Column(gettext("全年预计完成"), YI_YUAN),
        Column(gettext("预计全年完成率"), "%", html=False),
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
    return Table(columns, rows, gettext("本期无调度清单"))


def indicator_table(report: Data) -> Table:
    columns = [
        Column(gettext("区域"), short=True),
        Column(gettext("指标")),
        Column(gettext("单位"), html=False),
        Column(gettext("实际")),
        Column(gettext("时段")),
        Column(gettext("全年目标")),
        Column(gettext("完成率"), "%"),
        Column(gettext("时间进度"), "%", html=False),
        Column(gettext("超序进度(个百分点)")),
        Column(gettext("同比增长"), "%"),
        Column(gettext("全年预计")),
        Column(gettext("来源"), html=False),
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
    return Table(columns, rows, gettext("本期无经济指标数据"))


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
    requirement = (
        gettext("应完成全年目标{share}%").format(share=charts.num(required))
        if required is not None
        else gettext("按该时段目标考核")
    )
    columns = [
        Column(gettext("考核节点"), html=False),
        Column(gettext("考核时点"), html=False),
        Column(gettext("考核要求"), "%", html=False),
        Column(gettext("节点结论"), html=False),
        Column(gettext("考核对象")),
        Column(gettext("类别")),
        Column(gettext("数据时段")),
        Column(gettext("完成率"), "%"),
        Column(gettext("要求"), "%"),
        Column(gettext("差距(个百分点)")),
        Column(gettext("结论")),
        Column(gettext("状态")),
        Column(gettext("月均需完成")),
        Column(gettext("单位"), html=False),
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
                str(KIND_LABELS.get(item["kind"], item["kind"])),
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
        gettext("{name}(考核时点{date},{requirement})").format(
            name=checkpoint["name"], date=checkpoint.get("date", ""), requirement=requirement
        ),
        checkpoint.get("status", ""),
        checkpoint["status_label"],
        Table(columns, rows, gettext("无考核项目"), placeholder),
    )


def lagging_table(report: Data) -> Table:
    columns = [
        Column(gettext("项目")),
        Column(gettext("区域"), short=True),
        Column(gettext("原因")),
        Column(gettext("逾期节点")),
        Column(gettext("年度计划投资"), YI_YUAN),
        Column(gettext("完成投资"), YI_YUAN),
        Column(gettext("数据时段")),
        Column(gettext("完成率"), "%"),
        Column(gettext("超序进度(个百分点)")),
    ]
    rows = [
        [
            p["name"],
            p["zone"],
            "、".join(p.get("reason_labels", [])),
            ";".join(milestone_text(m) for m in p.get("late_milestones", [])),
            amount(p.get("planned_investment")),
            amount(p.get("completed_investment")),
            period_text(p.get("data_period")),
            percent(p.get("completion")),
            points(p.get("ahead_of_schedule")),
        ]
        for p in report.get("lagging_projects", [])
    ]
    note = left_out(len(rows), report.get("lagging_projects_total"), gettext("个项目"))
    return Table(columns, rows, gettext("无滞后项目"), note=note)


def due_table(report: Data) -> Table:
    columns = [
        Column(gettext("项目")),
        Column(gettext("区域"), short=True),
        Column(gettext("节点")),
        Column(gettext("计划")),
        Column(gettext("最迟完成日期")),
    ]
    rows = [
        [m["project"], m["zone"], f"{m['phase']}{m['kind_label']}", m["planned"], m["due_by"]]
        for m in report.get("milestones_due", [])
    ]
    note = left_out(len(rows), report.get("milestones_due_total"), gettext("个节点"))
    return Table(columns, rows, gettext("近期无到期节点"), note=note)


def check_table(report: Data) -> Table:
    """Figures a source stated beside the same figures computed from their parts."""
    columns = [
        Column(gettext("对象")),
        Column(gettext("指标")),
        Column(gettext("单位"), html=False),
        Column(gettext("来源所述")),
        Column(gettext("核算")),
        Column(gettext("差异")),
        Column(gettext("容差")),
        Column(gettext("结论")),
        Column(gettext("来源")),
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
            add(subject, c["label"], c, str(PERCENT_CHECKS.get(c["measure"], "")), 1, c.get("sources", []))
        for code, f in p["figures"].items():
            if f.get("check"):
                unit, scale = (YI_YUAN, YI) if code in AMOUNT_FIGURES else (COUNT_UNIT, 1)
                add(subject, f["label"], f["check"], unit, scale, (f.get("stated") or {}).get("sources", []))
    for i in report.get("indicators", []):
        check = (i.get("yoy_growth") or {}).get("check")
        if check:
            sources = (i.get("actual") or {}).get("sources", [])
            add(f"{i['zone']} {i['metric_name']}", gettext("同比增长"), check, "%", 1, sources)
    return Table(columns, rows, gettext("无可核对的来源数据"))


def conflict_table(report: Data) -> Table:
    units = {name.split(" ", 1)[-1]: unit for name, unit in _indicator_units(report).items()}
    columns = [
        Column(gettext("对象")),
        Column(gettext("指标")),
        Column(gettext("时段")),
        Column(gettext("类型")),
        Column(gettext("字段")),
        Column(gettext("各方说法")),
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
                str(ValueKind(kind).label) if kind in ValueKind.values else kind,
                c.get("field_label", ""),
                ";".join(said),
            ]
        )
    return Table(columns, rows, gettext("无相互矛盾的数据"))


# ---------------------------------------------------------------------------------------------
# The tables of the whole snapshot


def milestone_table(milestones: Sequence[Data]) -> Table:
    columns = [
        Column(gettext("项目")),
        Column(gettext("区域"), short=True),
        Column(gettext("节点")),
        Column(gettext("计划")),
        Column(gettext("实际")),
        Column(gettext("状态")),
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
    return Table(columns, rows, gettext("范围内无项目节点"))


def changes_table(changes: Data) -> Table:
    columns = [
        Column(gettext("类别")),
        Column(gettext("对象")),
        Column(gettext("事项")),
        Column(gettext("上期")),
        Column(gettext("本期")),
        Column(gettext("上期数值"), html=False),
        Column(gettext("本期数值"), html=False),
        Column(gettext("单位"), html=False),
    ]
    rows: list[list[Cell]] = []
    for m in changes.get("milestones_reached", []):
        done = gettext("已完成 {date}").format(date=m.get("actual", "")).strip()
        rows.append(
            [gettext("新完成节点"), m["project"], milestone_text(m), gettext("未完成"), done, "", "", ""]
        )
    for m in changes.get("milestones_late", []):
        row = [gettext("新逾期节点"), m["project"], milestone_text(m), gettext("未逾期"), m["status_label"]]
        rows.append([*row, "", "", ""])
    for f in changes.get("figures_added", []):
        value, unit = figure_value(f)
        rows.append(
            [
                gettext("新增数据"),
                f["subject"],
                _figure_item(f),
                MISSING,
                value.text,
                Value(None, ""),
                value,
                unit,
            ]
        )
    for pair in changes.get("figures_restated", []):
        (before, unit), (after, _) = figure_value(pair["before"]), figure_value(pair["after"])
        rows.append(
            [
                gettext("数据更正"),
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
                gettext("超序进度{direction}").format(direction=s["direction"]),
                s["subject"],
                gettext("{kind}超序进度").format(kind=kind),
                points(s["before"]).text,
                points(s["after"]).text,
                points(s["before"]),
                points(s["after"]),
                gettext("个百分点"),
            ]
        )
    return Table(columns, rows, gettext("数据无变化"))


def restatement_table(restatements: Sequence[Data]) -> Table:
    """数据更正: each correction of a figure of a locked month, with the value it replaced."""
    columns = [
        Column(gettext("项目/指标")),
        Column(gettext("时段"), short=True),
        Column(gettext("原值")),
        Column(gettext("更正值")),
        Column(gettext("原值数值"), html=False, number_format="0.00##"),
        Column(gettext("更正值数值"), html=False, number_format="0.00##"),
        Column(gettext("原因")),
        Column(gettext("更正人"), short=True),
        Column(gettext("时间"), short=True),
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
            datetime_text(r.get("at")),
        ]
        for r in restatements
    ]
    return Table(columns, rows, gettext("报告期内无数据更正"))


def _figure_item(figure: Data) -> str:
    return f"{figure['metric_name']}({period_text(figure.get('period'))}{figure.get('kind_label', '')})"


def changes_note(changes: Data | None) -> str:
    """What the 与上期相比 section says before (or instead of) its table."""
    if changes is None:
        return gettext("本报告未与上期比较")
    previous = changes.get("previous")
    if previous is None:
        return gettext("首期报告,无上期可比")
    made = datetime_text(previous.get("generated_at"))
    period = previous.get("period_display", "")
    against = (
        gettext("与上期({period},生成于{made})相比").format(period=period, made=made)
        if made
        else gettext("与上期({period})相比").format(period=period)
    )
    return (
        gettext("{against}:数据无变化").format(against=against) if changes.get("unchanged") else f"{against}:"
    )


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
        Column(gettext("来源编号")),
        Column(gettext("标题")),
        Column(gettext("发布单位")),
        Column(gettext("发布日期")),
        Column(gettext("引文")),
        Column(gettext("所引数据")),
    ]
    rows = []
    for v in views:
        for q in v.quotes or [QuoteView("", [])]:
            rows.append([v.key, v.title, v.publisher, v.published_on, q.quote, ";".join(q.figures)])
    return Table(columns, rows, gettext("无数据来源"))


def trend_table(trend: Sequence[Data]) -> Table:
    columns = [
        Column(gettext("区域"), short=True),
        Column(gettext("调度清单")),
        Column(gettext("月份"), number_format="0"),
        Column(gettext("累计完成投资"), YI_YUAN),
        Column(gettext("计划线"), YI_YUAN),
        Column(gettext("全年计划投资"), YI_YUAN),
    ]
    rows = [
        [
            t.get("zone", ""),
            t["portfolio"],
            Value(p["month"], gettext("{month}月").format(month=p["month"])),
            amount(p.get("completed")),
            amount(p.get("plan")),
            amount(t.get("planned"), t.get("planned_display", "")),
        ]
        for t in trend
        for p in t.get("points", [])
    ]
    return Table(columns, rows, gettext("无月度数据"))


def ranking_table(snapshot: Data) -> Table:
    measure = snapshot.get("ranking_measure") or gettext("排名指标")
    standings = {z["zone"]["name"]: z for z in (snapshot.get("campaign") or {}).get("zones", [])}
    columns = [
        Column(gettext("名次"), number_format="0"),
        Column(gettext("区域"), short=True),
        Column(measure, "" if gettext("百分点") in measure else gettext("个百分点")),
    ]
    if standings:
        columns += [
            Column(gettext("达标项"), number_format="0"),
            Column(gettext("有数据项"), number_format="0"),
        ]
    rows = []
    for r in snapshot.get("ranking", []):
        row: list[Cell] = [count(r.get("rank")), r["zone"], points(r.get("value"))]
        if standings:
            s = standings.get(r["zone"], {})
            row += [count(s.get("met")), count(s.get("measured"))]
        rows.append(row)
    return Table(columns, rows, gettext("不足两个区域,不作排名"))


def completion_table(snapshot: Data) -> Table:
    """The numbers of chart 1: each item's 完成率 beside the time progress."""
    columns = [
        Column(gettext("对象")),
        Column(gettext("类别")),
        Column(gettext("完成率"), "%"),
        Column(gettext("时间进度"), "%"),
        Column(gettext("超序进度(个百分点)")),
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
                    str(KIND_LABELS[kind]),
                    percent(item["completion"]),
                    percent(item.get("time_progress") or snapshot.get("time_progress")),
                    points(item.get("ahead_of_schedule")),
                ]
            )
    return Table(columns, rows, str(charts.NO_DATA))


# ---------------------------------------------------------------------------------------------
# One report as the documents show it: a sentence per portfolio, then its tables


class Verdict(NamedTuple):
    text: str
    status: str  # ahead | behind | unknown: colours the sentence


def verdict(portfolio: Data) -> Verdict:
    """One portfolio in a sentence: its plan, what was done, the rates, ahead or behind."""
    p, f = portfolio, portfolio["figures"]
    name = f"{p['zone']} {p['name']}"
    if p.get("completion") is None:
        return Verdict(gettext("{name}:暂无完成投资或年度计划数据。").format(name=name), "unknown")
    parts = [
        gettext("年度计划投资{amount}").format(amount=f["planned_investment"]["display"] or MISSING),
        gettext("{period}完成投资{amount}").format(
            period=period_text(p.get("data_period")), amount=f["completed_investment"]["display"] or MISSING
        ),
        gettext("完成率{percent}%").format(percent=fixed(p["completion"])),
    ]
    if p.get("start_rate") is not None:
        parts.append(gettext("开工率{percent}%").format(percent=fixed(p["start_rate"])))
    ahead = p.get("ahead_of_schedule")
    status = "unknown" if ahead is None else ("behind" if ahead < 0 else "ahead")
    text = gettext("{name}:{figures},{verdict}。").format(
        name=name, figures=",".join(parts), verdict=schedule_verdict(ahead)
    )
    return Verdict(text, status)


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
