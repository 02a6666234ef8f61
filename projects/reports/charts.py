"""The charts of a 调度通报 as standalone SVG: hand-written, no JavaScript, printable by WeasyPrint.

Four charts, each drawn from a part of the report snapshot:

1. `completion_chart` — 完成率 of each portfolio and indicator against the 时间进度 line;
2. `checkpoint_chart` — each item of a checkpoint (双过半 …) against the share it requires;
3. `trend_chart` — a portfolio's cumulative 完成投资 month by month against its 计划线;
4. `ranking_chart` — the zones of a campaign or a report by their ranking measure.

Each returns the SVG text, or None when there is nothing to draw, so that a document says
"无可绘制的数据" instead of showing an empty frame. Every mark carries its numbers as `data-*`
attributes (`data-label`, `data-value`, `data-status`) so that tests and scripts can read the
figures back; every text is escaped. Percentages are numbers in percent (70.12 = 70.12%).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from math import ceil, floor, log10
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
)
NO_DATA = _("无可绘制的数据")

COLOURS = {
    "ahead": "#2e7d32",  # 超序时进度, 达到要求
    "behind": "#c62828",  # 落后序时进度, 未达要求
    "neutral": "#607d8b",
    "reference": "#e65100",
    "actual": "#1565c0",
    "plan": "#9e9e9e",
    "grid": "#e0e0e0",
    "axis": "#424242",
    "text": "#212121",
}

WIDTH = 680
LABEL_WIDTH = 210  # the category labels left of horizontal bars
VALUE_ROOM = 150  # right of the plot: the value and its note
ROW_HEIGHT = 26
BAR_HEIGHT = 16
FONT_SIZE = 12

YI = 100_000_000
WAN = 10_000

type Data = Mapping[str, Any]


# ---------------------------------------------------------------------------------------------
# Text and numbers


def esc(text: object) -> str:
    """Text safe inside an SVG (XML) element or a double-quoted attribute."""
    return escape(str(text), quote=True)


def num(value: float) -> str:
    """A number for a `data-value` attribute: at most four places, no trailing zeros (70.12, 50)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fixed(value: float, places: int = 2) -> str:
    return f"{value:.{places}f}"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Rough rendered width: CJK characters are one em wide, others a little over half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.58 for ch in text)


def clip(text: str, width: float, size: float = FONT_SIZE) -> str:
    """`text` cut to fit `width`, ending in "…" when cut; the full text goes in the mark's title."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def wrap(text: str, width: float, max_lines: int = 2, size: float = FONT_SIZE) -> list[str]:
    """`text` in at most `max_lines` lines of `width`: at its spaces when the parts fit ("赣县区",
    "市级工业倍增升级重点调度项目"), else character by character; the last line clipped."""
    words = text.split(" ")
    if len(words) <= max_lines and all(text_width(w, size) <= width for w in words):
        return words if text_width(text, size) > width else [text]
    lines, current = [], ""
    for ch in text:
        if current and text_width(current + ch, size) > width:
            lines.append(current)
            current = ""
        current += ch
    lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], clip("".join(lines[max_lines - 1 :]), width, size)]
    return [line.strip() for line in lines]


def _attrs(attrs: Mapping[str, object]) -> str:
    return "".join(f' {key}="{esc(value)}"' for key, value in attrs.items() if value is not None)


def element(tag: str, attrs: Mapping[str, object], content: str = "") -> str:
    """One SVG element; `content` is markup (already escaped)."""
    if content:
        return f"<{tag}{_attrs(attrs)}>{content}</{tag}>"
    return f"<{tag}{_attrs(attrs)}/>"


def _names(attrs: Mapping[str, object]) -> dict[str, object]:
    """Python keywords as SVG attribute names: font_size → font-size, class_ → class."""
    return {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}


def text(x: float, y: float, content: str, **attrs: object) -> str:
    return element("text", {"x": fixed(x, 1), "y": fixed(y, 1), **_names(attrs)}, esc(content))


def line(x1: float, y1: float, x2: float, y2: float, **attrs: object) -> str:
    coords = {"x1": fixed(x1, 1), "y1": fixed(y1, 1), "x2": fixed(x2, 1), "y2": fixed(y2, 1)}
    return element("line", {**coords, **_names(attrs)})


def svg(title: str, width: float, height: float, body: Sequence[str], **data: object) -> str:
    """The outer <svg>: its <title> first (read out and shown as a tooltip), then the marks."""
    attrs = {
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": f"0 0 {fixed(width, 0)} {fixed(height, 0)}",
        "width": fixed(width, 0),
        "height": fixed(height, 0),
        "role": "img",
        "class": "chart",
        "font-family": FONT_FAMILY,
        "font-size": FONT_SIZE,
        "fill": COLOURS["text"],
        **{f"data-{key}": value for key, value in _names(data).items()},
    }
    heading = text(12, 22, title, font_size=15, font_weight="bold", class_="chart-title")
    return element("svg", attrs, element("title", {}, esc(title)) + heading + "".join(body))


# ---------------------------------------------------------------------------------------------
# Geometry


@dataclass(frozen=True)
class Scale:
    """A linear map from the data range [low, high] to the pixel range [start, end]."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return self.start
        return self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low)


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts `span` into about `count` parts."""
    if span <= 0:
        return 1.0
    raw = span / count
    magnitude = 10 ** floor(log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def nice_range(values: Sequence[float], count: int = 5) -> tuple[float, float, list[float]]:
    """An axis that holds every value and 0: its low and high ends and the ticks between."""
    low, high = min(0.0, *values), max(0.0, *values)
    if low == high:
        high = 1.0
    step = nice_step(high - low, count)
    low, high = floor(low / step) * step, ceil(high / step) * step
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    return low, high, ticks


def tick_label(value: float) -> str:
    return num(round(value, 2))


# ---------------------------------------------------------------------------------------------
# Generic charts


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: listed with "无数据", no bar
    status: str = "neutral"  # a key of COLOURS: ahead, behind, neutral
    note: str = ""  # shown after the value: "超序28.45个百分点"


@dataclass(frozen=True)
class Reference:
    """A marked vertical line across the bars: 时间进度 41.67%, 考核要求 50%."""

    value: float
    label: str


@dataclass(frozen=True)
class Legend:
    label: str
    colour: str
    dashed: bool = False


def legend(entries: Sequence[Legend], y: float) -> str:
    parts, x = [], 12.0
    for entry in entries:
        if entry.dashed:
            parts.append(
                line(x, y - 4, x + 18, y - 4, stroke=entry.colour, stroke_width=2, stroke_dasharray="5 3")
            )
        else:
            parts.append(
                element(
                    "rect",
                    {
                        "x": fixed(x, 1),
                        "y": fixed(y - 10, 1),
                        "width": 18,
                        "height": 10,
                        "fill": entry.colour,
                    },
                )
            )
        parts.append(text(x + 24, y, entry.label, font_size=11))
        x += 24 + text_width(entry.label, 11) + 18
    return element("g", {"class": "legend"}, "".join(parts))


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    axis_label: str,
    unit: str = "%",
    reference: Reference | None = None,
    legends: Sequence[Legend] = (),
    extent: Sequence[float] = (),
    kind: str = "bars",
) -> str | None:
    """Horizontal bars, one per item, with an optional reference line; None without any value.

    The axis holds 0, every value, the reference and `extent` (100 for a rate of the year's target)."""
    values = [b.value for b in bars if b.value is not None]
    if not values:
        return None
    low, high, ticks = nice_range([*values, *([reference.value] if reference else []), *extent])
    top = 40 + (22 if legends else 0) + (18 if reference else 0)
    labels = [wrap(b.label, LABEL_WIDTH - 20) for b in bars]
    row_height = ROW_HEIGHT if all(len(lines) == 1 for lines in labels) else ROW_HEIGHT + 10
    plot_height = row_height * len(bars)
    bottom = top + plot_height
    height = bottom + 48
    x = Scale(low, high, LABEL_WIDTH, WIDTH - VALUE_ROOM)
    zero = x(0)

    body = [legend(legends, 52)] if legends else []
    grid = []
    for tick in ticks:
        grid.append(line(x(tick), top, x(tick), bottom, stroke=COLOURS["grid"]))
        grid.append(text(x(tick), bottom + 16, tick_label(tick), text_anchor="middle", font_size=11))
    body.append(element("g", {"class": "axis"}, "".join(grid)))
    body.append(line(zero, top, zero, bottom, stroke=COLOURS["axis"]))
    centre = (LABEL_WIDTH + WIDTH - VALUE_ROOM) / 2
    body.append(text(centre, bottom + 36, axis_label, text_anchor="middle", class_="axis-label"))

    for i, (bar, lines) in enumerate(zip(bars, labels, strict=True)):
        y = top + i * row_height + (row_height - BAR_HEIGHT) / 2
        baseline = y + BAR_HEIGHT / 2 + 4
        for k, label_line in enumerate(lines):
            label_y = baseline + (k - (len(lines) - 1) / 2) * 13
            body.append(text(LABEL_WIDTH - 8, label_y, label_line, text_anchor="end", class_="category"))
        if bar.value is None:
            body.append(
                text(
                    zero + 4,
                    baseline,
                    gettext("无数据"),
                    fill=COLOURS["neutral"],
                    class_="no-data",
                    data_label=bar.label,
                )
            )
            continue
        left, right = sorted((zero, x(bar.value)))
        shown = f"{fixed(bar.value)}{unit}" + (f"({bar.note})" if bar.note else "")
        body.append(
            element(
                "rect",
                {
                    "class": f"bar {bar.status}",
                    "x": fixed(left, 1),
                    "y": fixed(y, 1),
                    "width": fixed(max(right - left, 0.5), 1),
                    "height": BAR_HEIGHT,
                    "fill": COLOURS.get(bar.status, COLOURS["neutral"]),
                    "data-label": bar.label,
                    "data-value": num(bar.value),
                    "data-status": bar.status,
                },
                element("title", {}, esc(f"{bar.label}:{shown}")),
            )
        )
        body.append(text(max(right, zero) + 4, baseline, shown, font_size=11, class_="value"))

    if reference:
        rx = x(reference.value)
        body.append(
            line(
                rx,
                top - 6,
                rx,
                bottom,
                stroke=COLOURS["reference"],
                stroke_width=2,
                stroke_dasharray="6 3",
                class_="reference",
                data_label=reference.label,
                data_value=num(reference.value),
            )
        )
        body.append(
            text(
                rx,
                top - 12,
                f"{reference.label} {fixed(reference.value)}{unit}",
                text_anchor="middle",
                fill=COLOURS["reference"],
                font_size=11,
            )
        )
    return svg(title, WIDTH, height, body, kind=kind, unit=unit)


@dataclass(frozen=True)
class Series:
    """A line over months: (month, value) with None for a month without a figure (a gap)."""

    key: str  # data-series of its marks
    label: str
    points: tuple[tuple[int, float | None], ...]
    colour: str
    dashed: bool = False


def month_line_chart(
    title: str, series: Sequence[Series], *, axis_label: str, unit: str, kind: str = "trend"
) -> str | None:
    """Lines over the twelve months of a year; None when no series has a value."""
    values = [v for s in series for _, v in s.points if v is not None]
    if not values:
        return None
    low, high, ticks = nice_range(values)
    left, right, top, bottom = 70.0, WIDTH - 20.0, 70.0, 290.0
    x = Scale(1, 12, left + 10, right - 10)
    y = Scale(low, high, bottom, top)

    body = [legend([Legend(s.label, s.colour, s.dashed) for s in series], 52)]
    grid = []
    for tick in ticks:
        grid.append(line(left, y(tick), right, y(tick), stroke=COLOURS["grid"]))
        grid.append(text(left - 6, y(tick) + 4, tick_label(tick), text_anchor="end", font_size=11))
    for month in range(1, 13):
        label = gettext("{month}月").format(month=month)
        grid.append(text(x(month), bottom + 16, label, text_anchor="middle", font_size=11))
    body.append(element("g", {"class": "axis"}, "".join(grid)))
    body.append(line(left, bottom, right, bottom, stroke=COLOURS["axis"]))
    body.append(line(left, top, left, bottom, stroke=COLOURS["axis"]))
    body.append(
        text((left + right) / 2, bottom + 36, gettext("月份"), text_anchor="middle", class_="axis-label")
    )
    body.append(
        text(
            16,
            (top + bottom) / 2,
            axis_label,
            text_anchor="middle",
            class_="axis-label",
            transform=f"rotate(-90 16 {fixed((top + bottom) / 2, 1)})",
        )
    )

    for s in series:
        runs: list[list[tuple[int, float]]] = [[]]
        for month, value in s.points:
            if value is None:
                runs.append([])
            else:
                runs[-1].append((month, value))
        dash = "6 4" if s.dashed else None
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{fixed(x(m), 1)},{fixed(y(v), 1)}" for m, v in run)
                body.append(
                    element(
                        "polyline",
                        {
                            "points": points,
                            "fill": "none",
                            "stroke": s.colour,
                            "stroke-width": 2,
                            "stroke-dasharray": dash,
                            "class": f"line {s.key}",
                        },
                    )
                )
        for month, value in s.points:
            if value is None:
                continue
            shown = gettext("{series} {month}月:{value}").format(
                series=s.label, month=month, value=f"{fixed(value)}{unit}"
            )
            body.append(
                element(
                    "circle",
                    {
                        "class": f"point {s.key}",
                        "cx": fixed(x(month), 1),
                        "cy": fixed(y(value), 1),
                        "r": 4 if not s.dashed else 3,
                        "fill": s.colour,
                        "data-series": s.key,
                        "data-label": s.label,
                        "data-month": month,
                        "data-value": num(value),
                    },
                    element("title", {}, esc(shown)),
                )
            )
        last = [(m, v) for m, v in s.points if v is not None][-1:]
        if last and not s.dashed:
            m, v = last[0]
            body.append(
                text(x(m) + 6, y(v) - 8, f"{fixed(v)}{unit}", font_size=11, fill=s.colour, class_="value")
            )
    return svg(title, WIDTH, bottom + 48, body, kind=kind, unit=unit)


# ---------------------------------------------------------------------------------------------
# The report's charts


def points_text(value: float) -> str:
    """超序/落后 as a phrase: "超序28.45个百分点", "落后3.20个百分点", "与序时持平"."""
    if value > 0:
        return gettext("超序{points}个百分点").format(points=fixed(value))
    if value < 0:
        return gettext("落后{points}个百分点").format(points=fixed(-value))
    return gettext("与序时持平")


def completion_chart(report: Data, time_progress: float | None = None) -> str | None:
    """完成率 of the report's portfolios and indicators against its 时间进度 (report_json shape)."""
    if time_progress is None:
        time_progress = (report.get("time_progress") or {}).get("value")
    bars = []
    items = [(f"{p['zone']} {p['name']}", p) for p in report.get("portfolios", [])]
    items += [(f"{i['zone']} {i['metric_name']}", i) for i in report.get("indicators", [])]
    for label, item in items:
        if item.get("completion") is None:
            continue
        ahead = item.get("ahead_of_schedule")
        if ahead is None and time_progress is not None:
            ahead = item["completion"] - time_progress
        status = "neutral" if ahead is None else ("ahead" if ahead >= 0 else "behind")
        bars.append(Bar(label, item["completion"], status, points_text(ahead) if ahead is not None else ""))
    zone = (report.get("zone") or {}).get("name", "")
    period = (report.get("period") or {}).get("display", "")
    return bar_chart(
        gettext("{zone} {period} 完成率与时间进度").format(zone=zone, period=period).strip(),
        bars,
        axis_label=gettext("完成率(%)"),
        reference=Reference(time_progress, gettext("时间进度")) if time_progress is not None else None,
        extent=[100],
        legends=[
            Legend(gettext("超序时进度"), COLOURS["ahead"]),
            Legend(gettext("落后序时进度"), COLOURS["behind"]),
            Legend(gettext("时间进度"), COLOURS["reference"], dashed=True),
        ],
        kind="completion",
    )


def checkpoint_chart(checkpoint: Data) -> str | None:
    """Each item of a checkpoint (双过半 …) against the share of the annual target it requires."""
    required = checkpoint.get("required_share")
    bars = []
    for item in checkpoint.get("items", []):
        if item.get("completion") is None:
            continue
        need = item.get("required", required)
        met = item.get("met")
        if met is None and need is not None:
            met = item["completion"] >= need
        status = "neutral" if met is None else ("ahead" if met else "behind")
        note = item.get("label", "")
        bars.append(Bar(item["subject"], item["completion"], status, note))
    name = checkpoint.get("name", "")
    suffix = gettext("(应完成全年目标{share}%)").format(share=num(required)) if required is not None else ""
    return bar_chart(
        gettext("{name} 节点考核{requirement}").format(name=name, requirement=suffix),
        bars,
        axis_label=gettext("完成全年目标(%)"),
        reference=Reference(required, gettext("考核要求")) if required is not None else None,
        extent=[100],
        legends=[
            Legend(gettext("达到要求"), COLOURS["ahead"]),
            Legend(gettext("未达要求"), COLOURS["behind"]),
            Legend(gettext("考核要求"), COLOURS["reference"], dashed=True),
        ],
        kind="checkpoint",
    )


def amount_unit(values: Sequence[float]) -> tuple[int, str]:
    """The unit amounts are charted in: 亿元 from 1亿 up, 万元 from 1万, else 元."""
    largest = max((abs(v) for v in values), default=0)
    if largest >= YI:
        return YI, "亿元"  # vocabulary: the units of amounts as the sources write them
    return (WAN, "万元") if largest >= WAN else (1, "元")  # vocabulary: as above


def trend_chart(trend: Data) -> str | None:
    """A portfolio's cumulative 完成投资 by month against its 计划线 (planned × month ÷ 12).

    None unless some month has a completed figure: a plan line alone says nothing of progress."""
    points = trend.get("points", [])
    if not any(p.get("completed") is not None for p in points):
        return None
    planned = trend.get("planned")
    plan = [(p["month"], p.get("plan")) for p in points]
    last = max((m for m, v in plan if v is not None), default=0)
    if planned is not None and last < 12:
        plan.append((12, planned))  # the plan line runs on to the year's plan
    amounts = [v for _, v in plan if v is not None] + [p["completed"] for p in points if p.get("completed")]
    scale, unit = amount_unit(amounts)

    def scaled(value: float | None) -> float | None:
        return None if value is None else round(value / scale, 6)

    series = [
        Series(
            "completed",
            gettext("累计完成投资"),
            tuple((p["month"], scaled(p.get("completed"))) for p in points),
            COLOURS["actual"],
        ),
        Series(
            "plan", gettext("计划线"), tuple((m, scaled(v)) for m, v in plan), COLOURS["plan"], dashed=True
        ),
    ]
    name = f"{trend.get('zone', '')} {trend.get('portfolio', '')}".strip()
    planned = trend.get("planned_display")
    planned_text = gettext("(全年计划{amount})").format(amount=planned) if planned else ""
    return month_line_chart(
        gettext("{name} 完成投资月度走势{plan}").format(name=name, plan=planned_text),
        series,
        axis_label=gettext("累计完成投资({unit})").format(unit=unit),
        unit=unit,
    )


def ranking_chart(ranking: Sequence[Data], measure: str) -> str | None:
    """Zones by the ranking measure, best first; None for fewer than two zones or no values."""
    if len(ranking) < 2:
        return None
    bars = []
    for row in ranking:
        value = row.get("value")
        rank = row.get("rank")
        label = gettext("第{rank}名 {zone}").format(rank=rank, zone=row["zone"]) if rank else row["zone"]
        status = "neutral" if value is None else ("ahead" if value >= 0 else "behind")
        bars.append(Bar(label, value, status))
    unit = gettext("个百分点") if gettext("百分点") in measure else ""
    title = gettext("区域排名:{measure}").format(measure=measure)
    return bar_chart(title, bars, axis_label=measure, unit=unit, kind="ranking")
