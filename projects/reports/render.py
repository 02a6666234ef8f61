"""Progress reports as JSON-ready data (API, `--format json`) and as a Chinese text table (terminal).

Percentages are numbers in percent rounded to two places (70.12 means 70.12%); amounts are numbers
in base units (元) with a display string in the unit staff use (58.33亿元).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import MilestoneKind, UnitKind, ValueKind
from ..money import AmountScale, Currency, format_amount, plain, qualify
from ..periods import Period, format_date
from .contents import (
    CampaignReport,
    Checkpoint,
    CheckpointItem,
    Conflict,
    Figure,
    IndicatorProgress,
    PortfolioProgress,
    ProgressReport,
    Statement,
)
from .measures import CheckpointVerdict, Reconciliation, round_percent

STATUS_LABELS = {"met": _("达标"), "missed": _("未达标"), "pending": _("进行中"), "no_data": _("无数据")}
REASON_LABELS = {"late_milestones": _("节点逾期"), "behind_plan": _("投资滞后")}
ORIGIN_LABELS = {"computed": _("按项目汇总"), "stated": _("来源所述"), "missing": _("无数据")}
FIELD_LABELS = {"value": _("数值"), "yoy_growth": _("同比增长")}


# ---------------------------------------------------------------------------------------------
# Numbers


def number(value: Decimal | None, places: int = 2) -> float | int | None:
    """A Decimal as a JSON number, exact in its shortest form (70.12, 23, 5833000000)."""
    if value is None:
        return None
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return int(rounded) if rounded == rounded.to_integral() else float(rounded)


def pct(value: Decimal | None) -> float | int | None:
    return number(round_percent(value))


def amount_scale(value: Decimal) -> int:
    if abs(value) >= AmountScale.YI:
        return AmountScale.YI
    return AmountScale.WAN if abs(value) >= AmountScale.WAN else AmountScale.ONE


def amount_display(
    value: Decimal | None, scale: int | None = None, currency: str = Currency.CNY, qualifier: str = ""
) -> str:
    """An amount in the scale given (or the natural one), to at most two places of that scale."""
    if value is None:
        return ""
    scale = scale or amount_scale(value)
    rounded = (value / scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * scale
    return format_amount(rounded, scale, currency or Currency.CNY, qualifier)


def value_display(value: Decimal | None, unit_kind: str, unit: str, scale=None, currency="", qualifier=""):
    if value is None:
        return ""
    if unit_kind == UnitKind.AMOUNT:
        return amount_display(value, scale, currency or Currency.CNY, qualifier)
    return qualify(f"{plain(value):f}", unit, qualifier)


# ---------------------------------------------------------------------------------------------
# JSON


def _period(period: Period | None) -> dict | None:
    if period is None:
        return None
    return {
        "year": period.year,
        "start_month": period.start_month,
        "end_month": period.end_month,
        "display": str(period),
    }


def _reconciliation(r: Reconciliation | None, percent: bool = True) -> dict | None:
    if r is None:
        return None
    show = pct if percent else number
    return {
        "stated": number(r.stated, 4),
        "computed": show(r.computed),
        "difference": number(r.difference, 4),
        "tolerance": number(r.tolerance, 4),
        "agrees": r.agrees,
        "verdict": r.label,
    }


def _statement(s: Statement | None, unit_kind: str, unit: str) -> dict | None:
    if s is None:
        return None
    return {
        "value": number(s.value, 4),
        "display": value_display(s.value, unit_kind, unit, s.scale, s.currency, s.qualifier),
        "period": _period(s.period),
        "kind": s.kind,
        "kind_label": str(ValueKind(s.kind).label),
        "qualifier": s.qualifier,
        "yoy_growth": number(s.yoy_growth, 4),
        "sources": list(s.sources),
    }


def _figure(f: Figure) -> dict:
    # vocabulary: a count's unit as the sources write it (23个)
    unit = "个" if f.unit_kind == UnitKind.COUNT else ""
    return {
        "label": f.label,
        "value": number(f.value),
        "display": value_display(f.value, f.unit_kind, unit),
        "origin": f.origin,
        "origin_label": str(ORIGIN_LABELS[f.origin]),
        "computed": number(f.computed),
        "stated": _statement(f.statement, f.unit_kind, unit),
        "period": _period(f.period),
        "reporting_projects": f.reporting,
        "check": _reconciliation(f.reconciliation, percent=False),
    }


def _portfolio(p: PortfolioProgress) -> dict:
    planned = p.figures["planned_investment"].value
    return {
        "id": p.id,
        "name": p.name,
        "zone": p.zone,
        "year": p.year,
        "category": p.category,
        "figures": {code: _figure(f) for code, f in p.figures.items()},
        "data_period": _period(p.data_period),
        "time_progress": pct(p.time_progress),
        "completion": pct(p.completion),
        "ahead_of_schedule": pct(p.ahead),
        "start_rate": pct(p.start_rate),
        "stated_vs_computed": [
            {
                "measure": c.code,
                "label": c.label,
                **_reconciliation(
                    c.reconciliation, percent=c.code in ("completion_rate", "start_rate", "ahead_of_schedule")
                ),
                "sources": list(c.sources),
            }
            for c in p.checks
        ],
        "required_monthly": number(p.required_monthly),
        "required_monthly_display": amount_display(p.required_monthly) if planned else "",
        "projection": number(p.projection),
        "projection_display": amount_display(p.projection),
        "projected_completion": pct(p.projected_completion),
        "excluded_foreign_currency_projects": p.excluded_foreign,
    }


def _indicator(i: IndicatorProgress) -> dict:
    def display(value, like: Statement | None) -> str:
        return value_display(value, i.unit_kind, i.unit, currency=like.currency if like else "")

    return {
        "zone": i.zone,
        "metric": i.metric_code,
        "metric_name": i.metric,
        "unit_kind": i.unit_kind,
        "unit": i.unit,
        "flow_or_stock": "flow" if i.flow else "stock",
        "actual": _statement(i.actual, i.unit_kind, i.unit),
        "target": _statement(i.target, i.unit_kind, i.unit),
        "forecast": _statement(i.forecast, i.unit_kind, i.unit),
        "time_progress": pct(i.time_progress),
        "completion": pct(i.completion),
        "ahead_of_schedule": pct(i.ahead),
        "yoy_growth": {
            "stated": number(i.yoy_stated, 4),
            "computed": pct(i.yoy_computed),
            "check": _reconciliation(i.yoy_check),
        },
        "required_monthly": number(i.required_monthly),
        "required_monthly_display": display(i.required_monthly, i.actual),
        "projection": number(i.projection),
        "projection_display": display(i.projection, i.actual),
        "projected_completion": pct(i.projected_completion),
    }


def _verdict(v: CheckpointVerdict) -> dict:
    return {
        "required": pct(v.required_pct),
        "completion": pct(v.completion_pct),
        "gap": pct(v.gap_pct),
        "met": v.met,
        "label": v.label,
    }


def _item(item: CheckpointItem) -> dict:
    return {
        "subject": item.subject,
        "kind": item.kind,
        "data_period": _period(item.data_period),
        "status": item.status,
        "status_label": str(STATUS_LABELS[item.status]),
        **_verdict(item.verdict),
        "required_monthly": number(item.required_monthly),
    }


def _checkpoint(c: Checkpoint) -> dict:
    return {
        "name": c.name,
        "campaign": c.campaign_id,
        "date": c.date.isoformat(),
        "required_share": pct(c.required_pct),
        "status": c.status,
        "status_label": str(STATUS_LABELS[c.status]),
        "items": [_item(i) for i in c.items],
    }


def _conflict(c: Conflict) -> dict:
    return {
        "subject": c.subject,
        "metric": c.metric,
        "period": _period(c.period),
        "kind": c.kind,
        "field": c.field,
        "field_label": str(FIELD_LABELS[c.field]),
        "statements": [
            {"value": number(getattr(s, c.field), 4), "sources": list(s.sources), "id": s.id}
            for s in c.statements
        ],
    }


def _basis(report) -> dict:
    return {"code": report.basis.value, "convention": str(report.basis.label)}


def report_json(report: ProgressReport) -> dict:
    return {
        "zone": {"id": report.zone_id, "name": report.zone},
        "zones": report.zones,
        "as_of": f"{report.year}-{report.month:02d}",
        "as_of_date": report.as_of.isoformat(),
        "period": _period(report.period),
        "time_progress": {**_basis(report), "value": pct(report.time_progress)},
        "portfolios": [_portfolio(p) for p in report.portfolios],
        "indicators": [_indicator(i) for i in report.indicators],
        "checkpoints": [_checkpoint(c) for c in report.checkpoints],
        "lagging_projects": [
            {
                "id": p.id,
                "name": p.name,
                "zone": p.zone,
                "reasons": p.reasons,
                "reason_labels": [str(REASON_LABELS[r]) for r in p.reasons],
                "late_milestones": [
                    {
                        "kind": m.kind,
                        "kind_label": str(MilestoneKind(m.kind).label),
                        "phase": m.phase,
                        "planned": format_date(m.planned, m.planned_precision),
                    }
                    for m in p.late_milestones
                ],
                "planned_investment": number(p.planned_investment),
                "completed_investment": number(p.completed_investment),
                "data_period": _period(p.data_period),
                "completion": pct(p.completion),
                "ahead_of_schedule": pct(p.ahead),
            }
            for p in report.lagging_projects
        ],
        "milestones_due": [
            {
                "project_id": m.project_id,
                "project": m.project,
                "zone": m.zone,
                "kind": m.kind,
                "kind_label": str(MilestoneKind(m.kind).label),
                "phase": m.phase,
                "planned": format_date(m.planned, m.planned_precision),
                "due_by": m.due_by.isoformat(),
            }
            for m in report.milestones_due
        ],
        # The lists above hold at most REPORT_LIST_LIMIT rows; these count every one.
        "lagging_projects_total": report.lagging_total,
        "late_milestones_total": report.late_milestones_total,
        "milestones_due_total": report.milestones_due_total,
        "conflicts": [_conflict(c) for c in report.conflicts],
    }


def campaign_json(report: CampaignReport) -> dict:
    return {
        "campaign": {"id": report.campaign_id, "name": report.name, "year": report.year},
        "checkpoint": report.checkpoint.isoformat(),
        "as_of": f"{report.as_of.year}-{report.as_of.month:02d}",
        "required_share": pct(report.required_pct),
        "time_progress": {**_basis(report), "value": pct(report.time_progress)},
        "ranking": gettext("按各项(调度清单、指标)完成率超出考核要求的平均百分点排序;无数据的区域列在最后"),
        "zones": [
            {
                "rank": s.rank,
                "zone": {"id": s.zone_id, "name": s.zone},
                "met": s.met,
                "measured": s.measured,
                "mean_gap": pct(s.mean_gap),
                "items": [_item(i) for i in s.items],
            }
            for s in report.standings
        ],
    }


# ---------------------------------------------------------------------------------------------
# Text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table aligned for Chinese characters (two columns wide in a terminal)."""
    widths = [max(_width(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _p(value: float | int | None, suffix: str = "%") -> str:
    return "—" if value is None else f"{value:.2f}{suffix}"


def left_out(shown: int, total: int | None, unit: str) -> str:
    """What a capped list says under it; nothing when it lists every row (a snapshot made before
    lists were capped has no total: its lists are complete)."""
    if total is None or total <= shown:
        return ""
    return gettext("另有 {count} {unit}未列出(共 {total} 个),详见各区域报告").format(
        count=total - shown, unit=unit, total=total
    )


def report_text(report: ProgressReport) -> str:
    data = report_json(report)
    tp = data["time_progress"]
    points = gettext("个百分点")
    none = gettext("(无)")
    out = [
        gettext("{zone} 项目调度进度报告  {period}(截至{year}年{month}月末)").format(
            zone=report.zone, period=data["period"]["display"], year=report.year, month=report.month
        ),
        gettext("统计范围:{zones}").format(zones="、".join(report.zones)),
        gettext("时间进度:{value}({convention})").format(value=_p(tp["value"]), convention=tp["convention"]),
        "",
        gettext("一、调度清单"),
    ]
    if data["portfolios"]:
        rows = []
        for p in data["portfolios"]:
            f = p["figures"]
            rows.append(
                [
                    f"{p['zone']} {p['name']}",
                    f["project_count"]["display"] or "—",
                    f["total_investment"]["display"] or "—",
                    f["planned_investment"]["display"] or "—",
                    f["completed_investment"]["display"] or "—",
                    _p(p["completion"]),
                    _p(p["ahead_of_schedule"], points),
                    _p(p["start_rate"]),
                ]
            )
        headers = [
            gettext("清单"),
            gettext("项目数"),
            gettext("总投资"),
            gettext("年度计划"),
            gettext("已完成"),
            gettext("完成率"),
            gettext("超序进度"),
            gettext("开工率"),
        ]
        out.append(table(headers, rows))
        checks = [
            [
                f"{p['name']}",
                c["label"],
                str(c["stated"]),
                str(c["computed"]),
                c["verdict"],
                "、".join(c["sources"]),
            ]
            for p in data["portfolios"]
            for c in p["stated_vs_computed"]
        ]
        if checks:
            headers = [
                gettext("清单"),
                gettext("指标"),
                gettext("来源所述"),
                gettext("核算"),
                gettext("结论"),
                gettext("来源"),
            ]
            out += ["", gettext("来源所述与核算对照:"), table(headers, checks)]
    else:
        out.append(gettext("(无本年度调度清单)"))

    out += ["", gettext("二、主要指标")]
    if data["indicators"]:
        rows = [
            [
                f"{i['zone']} {i['metric_name']}",
                (i["actual"] or {}).get("display") or "—",
                ((i["actual"] or {}).get("period") or {}).get("display", "—"),
                (i["target"] or {}).get("display") or "—",
                _p(i["completion"]),
                _p(i["ahead_of_schedule"], points),
                _p(i["yoy_growth"]["stated"]),
            ]
            for i in data["indicators"]
        ]
        headers = [
            gettext("指标"),
            gettext("实际"),
            gettext("时段"),
            gettext("全年目标"),
            gettext("完成率"),
            gettext("超序进度"),
            gettext("同比"),
        ]
        out.append(table(headers, rows))
    else:
        out.append(gettext("(无指标数据)"))

    out += ["", gettext("三、考核节点")]
    for c in data["checkpoints"]:
        out.append(
            gettext("{name}({date},应完成{share}):{status}").format(
                name=c["name"], date=c["date"], share=_p(c["required_share"]), status=c["status_label"]
            )
        )
        for item in c["items"]:
            line = gettext("{subject}:完成{completion},{status}").format(
                subject=item["subject"], completion=_p(item["completion"]), status=item["status_label"]
            )
            if item["gap"] is not None:
                line += gettext(",差距{gap}").format(gap=_p(item["gap"], points))
            out.append(f"  · {line}")

    out += ["", gettext("四、滞后项目")]
    if data["lagging_projects"]:
        rows = [
            [
                p["name"],
                p["zone"],
                "、".join(p["reason_labels"]),
                ";".join(milestone_text(m) for m in p["late_milestones"]) or "—",
                _p(p["ahead_of_schedule"], points),
            ]
            for p in data["lagging_projects"]
        ]
        headers = [
            gettext("项目"),
            gettext("区域"),
            gettext("原因"),
            gettext("逾期节点"),
            gettext("超序进度"),
        ]
        out.append(table(headers, rows))
        if note := left_out(len(rows), report.lagging_total, gettext("个项目")):
            out.append(note)
    else:
        out.append(none)

    out += ["", gettext("五、未来30天到期节点")]
    if data["milestones_due"]:
        rows = [
            [m["project"], f"{m['phase']}{m['kind_label']}", m["planned"], m["due_by"]]
            for m in data["milestones_due"]
        ]
        out.append(table([gettext("项目"), gettext("节点"), gettext("计划"), gettext("最迟")], rows))
        if note := left_out(len(rows), report.milestones_due_total, gettext("个节点")):
            out.append(note)
    else:
        out.append(none)

    out += ["", gettext("六、数据冲突")]
    if data["conflicts"]:
        for c in data["conflicts"]:
            stated = ";".join(f"{s['value']}({'、'.join(s['sources'])})" for s in c["statements"])
            out.append(f"  · {c['subject']} {c['period']['display']}{c['metric']}{c['field_label']}:{stated}")
    else:
        out.append(none)
    return "\n".join(out) + "\n"


def milestone_text(milestone: Mapping[str, Any]) -> str:
    """A late milestone as a report lists it: 开工(计划2022年3月)."""
    return gettext("{phase}{milestone}(计划{planned})").format(
        phase=milestone.get("phase", ""), milestone=milestone["kind_label"], planned=milestone["planned"]
    )


def campaign_text(report: CampaignReport) -> str:
    data = campaign_json(report)
    out = [
        gettext("{year}年{name}  考核时点{checkpoint}  截至{as_of}").format(
            year=report.year, name=report.name, checkpoint=report.checkpoint.isoformat(), as_of=data["as_of"]
        ),
        gettext("应完成全年目标:{share};时间进度:{time_progress}").format(
            share=_p(data["required_share"]), time_progress=_p(data["time_progress"]["value"])
        ),
        "",
    ]
    rows = [
        [
            str(z["rank"] or "—"),
            z["zone"]["name"],
            f"{z['met']}/{z['measured']}",
            _p(z["mean_gap"], gettext("个百分点")),
        ]
        for z in data["zones"]
    ]
    headers = [gettext("名次"), gettext("区域"), gettext("达标项/有数据项"), gettext("平均超出要求")]
    out.append(table(headers, rows))
    return "\n".join(out) + "\n"
