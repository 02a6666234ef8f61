"""The HTML page of a 调度通报 and its PDF, WeasyPrint's print of the same page (so the two never
disagree): charts inline as SVG, everything worked out here so the template only lays it out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from . import charts
from .formatting import MISSING, Data, datetime_text, fixed, scope_text, trend_chart_title
from .tables import (
    changes_note,
    changes_table,
    milestone_table,
    ranking_table,
    report_view,
    restatement_table,
    source_views,
)

TEMPLATE = "projects/reports/report.html"


@dataclass
class ChartView:
    title: str
    svg: SafeString | None


@dataclass
class ChartGroup:
    heading: str
    charts: list[ChartView]


def _chart(title: str, svg: str | None) -> ChartView:
    # The chart functions escape every text they draw.
    return ChartView(title, mark_safe(svg) if svg else None)


def chart_groups(snapshot: Data) -> list[ChartGroup]:
    reports = snapshot.get("reports", [])
    many = len(reports) > 1

    def named(title: str, report: Data) -> str:
        return f"{(report.get('zone') or {}).get('name', '')}:{title}" if many else title

    completion_title, checkpoint_title = gettext("完成率与时间进度"), gettext("节点考核")
    trend_title = gettext("完成投资月度走势")
    completion = [_chart(named(completion_title, r), charts.completion_chart(r)) for r in reports]
    checkpoints = [
        _chart(named(gettext("{name} 节点考核").format(name=c["name"]), r), charts.checkpoint_chart(c))
        for r in reports
        for c in r.get("checkpoints", [])
    ]
    trends = [_chart(trend_chart_title(t), charts.trend_chart(t)) for t in snapshot.get("trend", [])]
    groups = [
        ChartGroup(gettext("(一)完成率与时间进度"), completion or [_chart(completion_title, None)]),
        ChartGroup(gettext("(二)节点考核"), checkpoints or [_chart(checkpoint_title, None)]),
        ChartGroup(
            gettext("(三)完成投资月度走势"), [c for c in trends if c.svg] or [_chart(trend_title, None)]
        ),
    ]
    if snapshot.get("ranking") or snapshot.get("campaign"):
        ranking = charts.ranking_chart(snapshot.get("ranking", []), snapshot.get("ranking_measure", ""))
        groups.append(ChartGroup(gettext("(四)区域排名"), [_chart(gettext("区域排名"), ranking)]))
    return groups


def _campaign_text(campaign: Data | None) -> str:
    if not campaign:
        return ""
    name = (campaign.get("campaign") or {}).get("name", "")
    required = campaign.get("required_share")
    need = (
        gettext(",应完成全年目标{share}%").format(share=charts.num(required)) if required is not None else ""
    )
    return gettext("{name}:考核时点{checkpoint}{requirement}。排名方法:{ranking}").format(
        name=name,
        checkpoint=campaign.get("checkpoint", ""),
        requirement=need,
        ranking=campaign.get("ranking", ""),
    )


def context(snapshot: Data) -> dict[str, Any]:
    """Everything the HTML template shows, worked out here so the template only lays it out."""
    scope, period, basis = snapshot.get("scope", {}), snapshot.get("period", {}), snapshot.get("basis", {})
    tp = snapshot.get("time_progress")
    tp_text = f"{fixed(tp)}%" if tp is not None else MISSING
    sources = source_views(snapshot)
    changes = snapshot.get("changes")
    return {
        "title": snapshot.get("title", gettext("投资项目调度通报")),
        "meta": [
            (gettext("报告范围"), scope_text(scope)),
            (gettext("报告期"), f"{period.get('display', '')} {period.get('cadence_label', '')}".strip()),
            (gettext("生成时间"), datetime_text(snapshot.get("generated_at")) or MISSING),
            (gettext("时间进度"), f"{tp_text}({basis.get('convention', '')})"),
            (gettext("数据指纹"), (snapshot.get("fingerprint") or "")[:12] or MISSING),
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
        "no_data": str(charts.NO_DATA),
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
# The page and its print


def render_html(snapshot: dict) -> str:
    """A standalone page: CSS and SVG inline, no script, nothing fetched; prints to A4."""
    return render_to_string(TEMPLATE, context(snapshot))


def render_pdf(snapshot: dict) -> bytes:
    """The HTML page printed by WeasyPrint; the CJK font the CSS names is embedded."""
    from weasyprint import HTML  # loads pango: only when a PDF is made

    return HTML(string=render_html(snapshot)).write_pdf()
