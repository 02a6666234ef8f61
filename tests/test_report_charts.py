"""The report's SVG charts: each mark carries its figure, text is escaped, no data draws nothing."""

import xml.etree.ElementTree as ET

import pytest

from projects.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str | None) -> ET.Element:
    assert svg is not None, "the chart should have been drawn"
    return ET.fromstring(svg)


def marks(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if cls in e.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text")]


def portfolio(name: str, completion, ahead, zone="赣县区") -> dict:
    return {"zone": zone, "name": name, "completion": completion, "ahead_of_schedule": ahead}


def indicator(name: str, completion, ahead, zone="赣县区") -> dict:
    return {"zone": zone, "metric_name": name, "completion": completion, "ahead_of_schedule": ahead}


REPORT = {
    "zone": {"id": 6, "name": "赣县区"},
    "period": {"display": "2022年1-5月"},
    "time_progress": {"code": "month", "convention": "按月计算(已过月数÷12)", "value": 41.67},
    "portfolios": [
        portfolio("市级工业倍增升级重点调度项目", 70.12, 28.45),
        portfolio("工业倍增升级在建项目", None, None),
        portfolio("重点跟踪在谈项目", 30, -11.67),
    ],
    "indicators": [indicator("工业营收", 55.5, 13.83), indicator("工业总产值", None, None)],
}


def test_completion_chart_draws_a_bar_per_measured_item_against_the_time_progress_line():
    root = parse(charts.completion_chart(REPORT))

    bars = {b.get("data-label"): b for b in marks(root, "rect", "bar")}
    assert {label: b.get("data-value") for label, b in bars.items()} == {
        "赣县区 市级工业倍增升级重点调度项目": "70.12",
        "赣县区 重点跟踪在谈项目": "30",
        "赣县区 工业营收": "55.5",
    }
    ahead, behind = bars["赣县区 市级工业倍增升级重点调度项目"], bars["赣县区 重点跟踪在谈项目"]
    assert (ahead.get("data-status"), behind.get("data-status")) == ("ahead", "behind")
    assert ahead.get("fill") != behind.get("fill")
    [line] = marks(root, "line", "reference")
    assert (line.get("data-label"), line.get("data-value")) == ("时间进度", "41.67")
    shown = texts(root)
    assert "完成率(%)" in shown
    assert "70.12%(超序28.45个百分点)" in shown
    assert "30.00%(落后11.67个百分点)" in shown


def test_a_longer_bar_is_a_longer_rect_and_the_line_sits_at_its_value():
    root = parse(charts.completion_chart(REPORT))
    bars = {b.get("data-value"): b for b in marks(root, "rect", "bar")}
    width = {value: float(b.get("width")) for value, b in bars.items()}
    assert width["70.12"] / width["30"] == pytest.approx(70.12 / 30, rel=0.01)
    [line] = marks(root, "line", "reference")
    left = float(bars["30"].get("x"))
    assert (float(line.get("x1")) - left) / width["30"] == pytest.approx(41.67 / 30, rel=0.01)


def test_chart_opens_with_a_title_and_names_the_cjk_font_stack():
    root = parse(charts.completion_chart(REPORT))
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "赣县区 2022年1-5月 完成率与时间进度"
    assert root.get("font-family").startswith("'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC'")
    assert root.get("font-family").endswith("'Microsoft YaHei', 'PingFang SC', sans-serif")


def test_completion_axis_runs_to_a_full_year_and_beyond_when_a_rate_exceeds_it():
    root = parse(charts.completion_chart(REPORT))
    assert "100" in texts(root)
    over = {**REPORT, "portfolios": [portfolio("超额清单", 168.28, 126.61)], "indicators": []}
    ticks = [
        float(t.text) for t in parse(charts.completion_chart(over)).iter(f"{SVG}text") if t.text.isdigit()
    ]
    assert 168.28 < max(ticks) <= 200


def test_report_without_any_completion_has_no_completion_chart():
    empty = {**REPORT, "portfolios": [portfolio("工业倍增升级在建项目", None, None)], "indicators": []}
    assert charts.completion_chart(empty) is None
    assert charts.completion_chart({**REPORT, "portfolios": [], "indicators": []}) is None


CHECKPOINT = {
    "name": "双过半",
    "date": "2022-06-30",
    "required_share": 50,
    "status": "missed",
    "status_label": "未达标",
    "items": [
        {
            "subject": "赣县区 市级工业倍增升级重点调度项目",
            "kind": "portfolio",
            "required": 50,
            "completion": 70.12,
            "gap": 20.12,
            "met": True,
            "label": "已过半",
        },
        {
            "subject": "赣县区 工业营收",
            "kind": "indicator",
            "required": 50,
            "completion": 38.2,
            "gap": -11.8,
            "met": False,
            "label": "未过半",
        },
        {
            "subject": "赣县区 工业税收",
            "kind": "indicator",
            "required": 50,
            "completion": None,
            "gap": None,
            "met": None,
            "label": "无数据",
        },
    ],
}


def test_checkpoint_chart_marks_each_item_against_the_required_share():
    root = parse(charts.checkpoint_chart(CHECKPOINT))
    bars = marks(root, "rect", "bar")
    assert [(b.get("data-label"), b.get("data-value"), b.get("data-status")) for b in bars] == [
        ("赣县区 市级工业倍增升级重点调度项目", "70.12", "ahead"),
        ("赣县区 工业营收", "38.2", "behind"),
    ]
    [line] = marks(root, "line", "reference")
    assert (line.get("data-label"), line.get("data-value")) == ("考核要求", "50")
    assert "双过半 节点考核(应完成全年目标50%)" == root[0].text
    assert "完成全年目标(%)" in texts(root)


def test_checkpoint_without_measured_items_draws_nothing():
    assert charts.checkpoint_chart({**CHECKPOINT, "items": CHECKPOINT["items"][2:]}) is None
    assert charts.checkpoint_chart({"name": "半年红", "required_share": None, "items": []}) is None


TREND = {
    "portfolio_id": 3,
    "portfolio": "市级工业倍增升级重点调度项目",
    "zone": "赣县区",
    "planned": 8319000000,
    "planned_display": "83.19亿元",
    "points": [
        {"month": 1, "completed": 1200000000, "plan": 693250000},
        {"month": 2, "completed": None, "plan": 1386500000},
        {"month": 3, "completed": 2500000000, "plan": 2079750000},
        {"month": 4, "completed": 4100000000, "plan": 2773000000},
        {"month": 5, "completed": 5833000000, "plan": 3466250000},
    ],
}


def test_trend_chart_plots_cumulative_completion_in_yi_yuan_against_the_plan_line():
    root = parse(charts.trend_chart(TREND))
    assert root.get("data-unit") == "亿元"
    completed = {p.get("data-month"): p.get("data-value") for p in marks(root, "circle", "completed")}
    assert completed == {"1": "12", "3": "25", "4": "41", "5": "58.33"}
    plan = {p.get("data-month"): p.get("data-value") for p in marks(root, "circle", "plan")}
    # planned × month ÷ 12, carried on to the year's plan in December
    assert plan == {"1": "6.9325", "2": "13.865", "3": "20.7975", "4": "27.73", "5": "34.6625", "12": "83.19"}
    assert "累计完成投资(亿元)" in texts(root)
    assert "月份" in texts(root)
    assert "12月" in texts(root)


def test_a_month_without_a_figure_breaks_the_completed_line():
    root = parse(charts.trend_chart(TREND))
    lines = marks(root, "polyline", "completed")
    # January stands alone; March to May is one run
    assert len(lines) == 1
    assert len(lines[0].get("points").split()) == 3
    higher = {p.get("data-month"): float(p.get("cy")) for p in marks(root, "circle", "completed")}
    assert higher["5"] < higher["4"] < higher["3"]  # SVG y grows downwards


def test_small_amounts_are_charted_in_wan_yuan():
    small = {
        **TREND,
        "planned": 5_000_000,
        "planned_display": "500万元",
        "points": [{"month": 1, "completed": 420_000, "plan": 416_666.67}],
    }
    root = parse(charts.trend_chart(small))
    assert root.get("data-unit") == "万元"
    assert [p.get("data-value") for p in marks(root, "circle", "completed")] == ["42"]


def test_trend_without_a_completed_figure_draws_nothing():
    plan_only = {**TREND, "points": [{**p, "completed": None} for p in TREND["points"]]}
    assert charts.trend_chart(plan_only) is None
    assert charts.trend_chart({**TREND, "points": []}) is None


RANKING = [
    {"rank": 1, "zone": "赣县区", "value": 20.12},
    {"rank": 2, "zone": "南康区", "value": -3.2},
    {"rank": None, "zone": "上饶经开区", "value": None},
]


def test_ranking_chart_orders_zones_and_draws_negative_values_left_of_zero():
    root = parse(charts.ranking_chart(RANKING, "平均超序进度(个百分点)"))
    bars = marks(root, "rect", "bar")
    assert [(b.get("data-label"), b.get("data-value")) for b in bars] == [
        ("第1名 赣县区", "20.12"),
        ("第2名 南康区", "-3.2"),
    ]
    first, second = bars
    assert float(second.get("x")) + float(second.get("width")) == pytest.approx(
        float(first.get("x")), abs=0.2
    )
    assert [t.get("data-label") for t in root.iter(f"{SVG}text") if t.get("class") == "no-data"] == [
        "上饶经开区"
    ]
    assert "平均超序进度(个百分点)" in texts(root)


def test_ranking_needs_two_zones_and_a_value():
    assert charts.ranking_chart(RANKING[:1], "平均超序进度") is None
    assert charts.ranking_chart([{**r, "value": None} for r in RANKING], "平均超序进度") is None


def test_hostile_text_is_escaped_and_reads_back_unchanged():
    hostile = '<script>alert("x")</script> & 甲'
    svg = charts.completion_chart({**REPORT, "portfolios": [portfolio(hostile, 50, 8.33)], "indicators": []})
    assert "<script" not in svg
    root = parse(svg)
    [bar] = marks(root, "rect", "bar")
    assert bar.get("data-label") == f"赣县区 {hostile}"
    assert bar.find(f"{SVG}title").text.startswith(f"赣县区 {hostile}:")


def test_long_labels_wrap_at_the_space_between_zone_and_name():
    assert charts.wrap("赣县区 市级工业倍增升级重点调度项目", 190) == [
        "赣县区",
        "市级工业倍增升级重点调度项目",
    ]
    assert charts.wrap("赣县区 工业营收", 190) == ["赣县区 工业营收"]
    lines = charts.wrap("很" * 40, 190)
    assert len(lines) == 2
    assert lines[1].endswith("…")


@pytest.mark.parametrize(
    ("values", "expected"),
    [([70.12, 41.67, 100], (0, 100)), ([20.12, -3.2], (-5, 25)), ([0.4], (0, 0.4)), ([0], (0, 1))],
)
def test_axis_range_holds_zero_and_every_value_in_round_steps(values, expected):
    low, high, ticks = charts.nice_range(values)
    assert (low, high) == pytest.approx(expected)
    assert ticks[0] == low
    assert ticks[-1] == pytest.approx(high)
    assert 3 <= len(ticks) <= 11
