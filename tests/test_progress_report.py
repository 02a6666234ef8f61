"""The progress report (调度通报): figures, checkpoints, lagging projects, conflicts, query counts."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Campaign, Metric, MilestoneKind, Portfolio, Stage, ValueKind, Zone
from projects.money import AmountScale
from projects.periods import DatePrecision
from projects.reports.measures import Basis
from projects.reports.progress import ReportError, campaign_report, progress_report, resolve_zone
from projects.reports.render import campaign_json, report_json, report_text

from .factories import (
    CampaignFactory,
    CitationFactory,
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    ZoneFactory,
)

YI = Decimal(100_000_000)


def report(zone, as_of=(2022, 5), basis=Basis.MONTH) -> dict:
    return report_json(progress_report(zone, *as_of, basis))


def completed_metric() -> Metric:
    return Metric.objects.get_or_create(
        code="completed_investment",
        defaults={"name": "完成投资", "unit_kind": "amount", "flow_or_stock": "flow"},
    )[0]


def tracked_zone(projects: int, *, zone: Zone | None = None, done_yi: str = "1") -> Zone:
    """A zone with a 2022 portfolio of `projects` projects, each planned 3亿元 for the year, with
    `done_yi`亿元 completed in 1-5月, a 开工 milestone planned for March 2022 not yet reached and
    a 投产 milestone planned for June 2022."""
    zone = zone or ZoneFactory()
    portfolio = PortfolioFactory(zone=zone, year=2022, name="重点调度项目")
    for _ in range(projects):
        entry = PortfolioEntryFactory(portfolio=portfolio, planned_investment=3 * YI)
        IndicatorValueFactory(
            zone=None,
            project=entry.project,
            metric=completed_metric(),
            year=2022,
            start_month=1,
            end_month=5,
            value=Decimal(done_yi) * YI,
        )
        MilestoneFactory(project=entry.project, kind=MilestoneKind.START, planned_date=date(2022, 3, 1))
        MilestoneFactory(project=entry.project, kind=MilestoneKind.PRODUCTION, planned_date=date(2022, 6, 1))
    return zone


def portfolio_named(data: dict, name: str) -> dict:
    return next(p for p in data["portfolios"] if p["name"] == name)


# ---------------------------------------------------------------------------------------------
# The reference case: seed 004, 赣县区, January to May 2022


@pytest.fixture
def ganxian(seeded) -> dict:
    return report(Zone.objects.get(name="赣县区"))


def test_reference_time_progress_at_the_end_of_may(ganxian):
    assert ganxian["time_progress"] == {"code": "month", "convention": Basis.MONTH.label, "value": 41.67}
    assert ganxian["period"]["display"] == "2022年1-5月"


def test_reference_portfolio_figures_are_computed_from_the_stated_totals(ganxian):
    p = portfolio_named(ganxian, "市级工业倍增升级重点调度项目")
    figures = p["figures"]
    assert figures["project_count"]["value"] == 23
    assert figures["started_projects"]["value"] == 22
    assert figures["total_investment"]["display"] == "299.92亿元"
    assert figures["planned_investment"]["display"] == "83.19亿元"
    assert figures["completed_investment"]["value"] == 5833000000
    assert figures["completed_investment"]["origin"] == "stated"
    assert figures["completed_investment"]["stated"]["sources"] == ["seed-004"]
    assert (p["completion"], p["ahead_of_schedule"], p["start_rate"]) == (70.12, 28.45, 95.65)
    assert p["time_progress"] == 41.67


def test_reference_stated_figures_beside_the_computed_ones(ganxian):
    checks = {
        c["measure"]: c
        for c in portfolio_named(ganxian, "市级工业倍增升级重点调度项目")["stated_vs_computed"]
    }
    assert checks["completion_rate"]["stated"] == 70.11
    assert checks["completion_rate"]["computed"] == 70.12
    assert checks["completion_rate"]["agrees"] is True
    assert checks["completion_rate"]["verdict"] == "在舍入误差内"
    assert (checks["ahead_of_schedule"]["stated"], checks["ahead_of_schedule"]["computed"]) == (28.44, 28.45)
    assert checks["ahead_of_schedule"]["agrees"] is True
    assert checks["start_rate"]["stated"] == checks["start_rate"]["computed"] == 95.65
    assert checks["start_rate"]["verdict"] == "一致"


def test_reference_run_rate_and_projection(ganxian):
    p = portfolio_named(ganxian, "市级工业倍增升级重点调度项目")
    # (83.19 - 58.33)亿元 over the 7 months left; 58.33亿元 / 5 × 12 at the current pace.
    assert p["required_monthly"] == 355142857.14  # yuan, to the fen
    assert p["required_monthly_display"] == "3.55亿元"
    assert p["projection"] == 13999200000
    assert p["projected_completion"] == 168.28


def test_reference_double_half_is_already_reached_in_may(ganxian):
    double_half = next(c for c in ganxian["checkpoints"] if c["name"] == "双过半")
    item = next(i for i in double_half["items"] if i["kind"] == "portfolio")
    assert (item["completion"], item["required"], item["gap"], item["status"]) == (70.12, 50, 20.12, "met")
    campaigns = {c["name"] for c in ganxian["checkpoints"]}
    assert {"强攻二季度、确保双过半", "半年红"} <= campaigns


def test_reference_indicators_show_actuals_targets_and_growth(ganxian):
    rows = {i["metric"]: i for i in ganxian["indicators"]}
    revenue = rows["operating_revenue"]
    assert revenue["actual"]["display"] == "157.56亿元"
    assert revenue["yoy_growth"]["stated"] == 12.24
    assert revenue["target"] is None and revenue["completion"] is None
    target_only = rows["industrial_revenue"]
    assert target_only["actual"] is None
    assert target_only["target"]["display"] == "500亿元"
    # June figures are after the report's month and stay out of it.
    assert all(
        (i["actual"] or {"period": {"end_month": 5}})["period"]["end_month"] <= 5 for i in rows.values()
    )


def test_day_basis_names_its_convention(seeded):
    data = report(Zone.objects.get(name="赣县区"), basis=Basis.DAY)
    assert data["time_progress"]["code"] == "day"
    assert data["time_progress"]["value"] == 41.37  # 151 of 365 days
    assert portfolio_named(data, "市级工业倍增升级重点调度项目")["ahead_of_schedule"] == 28.75


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024])
def test_every_zone_and_month_of_the_seeds_gets_a_complete_report(seeded, year):
    for zone in Zone.objects.all():
        for month in (3, 6, 9, 12):
            data = report(zone, (year, month))
            json.dumps(data)  # plain JSON, nothing left as Decimal or date
            assert data["zone"]["name"] == zone.name
            assert data["time_progress"]["value"] == round(month / 12 * 100, 2)
            assert "双过半" in {c["name"] for c in data["checkpoints"]}
            for key in ("portfolios", "indicators", "lagging_projects", "milestones_due", "conflicts"):
                assert isinstance(data[key], list)


def test_a_report_covers_the_sub_zones(seeded):
    data = report(Zone.objects.get(name="上饶市"), (2023, 12))
    assert data["zones"] == ["上饶市", "上饶经开区", "综合园"]
    assert {i["zone"] for i in data["indicators"]} == {"上饶经开区", "综合园"}


def test_zone_is_found_by_id_name_or_alias(seeded):
    nanchang = Zone.objects.get(name="南昌经开区")
    assert resolve_zone(str(nanchang.pk)) == nanchang
    assert resolve_zone("赣江新区经开组团") == nanchang
    with pytest.raises(ReportError, match="未找到区域“火星开发区”"):
        resolve_zone("火星开发区")
    with pytest.raises(ReportError, match="不存在"):
        resolve_zone("999999")


# ---------------------------------------------------------------------------------------------
# Portfolios with projects on them


@pytest.mark.django_db
def test_portfolio_totals_are_summed_from_its_projects():
    zone = tracked_zone(4)
    data = report(zone)
    p = data["portfolios"][0]
    figures = p["figures"]
    assert figures["project_count"]["value"] == 4
    assert figures["planned_investment"]["value"] == 1200000000
    assert figures["total_investment"]["display"] == "40亿元"
    assert figures["completed_investment"]["value"] == 400000000
    assert figures["completed_investment"]["origin"] == "computed"
    assert figures["completed_investment"]["reporting_projects"] == 4
    assert (p["completion"], p["ahead_of_schedule"]) == (33.33, -8.33)


@pytest.mark.django_db
def test_start_rate_counts_stages_and_reached_start_milestones():
    zone = ZoneFactory()
    portfolio = PortfolioFactory(zone=zone, year=2022)
    PortfolioEntryFactory(portfolio=portfolio, project__stage=Stage.CONSTRUCTION)
    signed = PortfolioEntryFactory(portfolio=portfolio, project__stage=Stage.SIGNED).project
    MilestoneFactory(
        project=signed,
        kind=MilestoneKind.START,
        actual_date=date(2022, 4, 8),
        actual_precision=DatePrecision.DAY,
    )
    PortfolioEntryFactory(portfolio=portfolio, project__stage=Stage.SIGNED)
    PortfolioEntryFactory(portfolio=portfolio, project__stage=Stage.NEGOTIATING)
    p = report(zone)["portfolios"][0]
    assert p["figures"]["started_projects"]["value"] == 2
    assert p["start_rate"] == 50


@pytest.mark.django_db
def test_stated_total_that_disagrees_with_the_projects_is_flagged():
    zone = tracked_zone(3)
    portfolio = Portfolio.objects.get(zone=zone)
    IndicatorValueFactory(
        zone=None,
        portfolio=portfolio,
        metric=MetricFactory(code="project_count", unit_kind="count"),
        year=2022,
        start_month=None,
        end_month=5,
        value=Decimal(5),
        scale=None,
        currency="",
    )
    check = next(
        c for c in report(zone)["portfolios"][0]["stated_vs_computed"] if c["measure"] == "project_count"
    )
    assert (check["stated"], check["computed"], check["agrees"], check["verdict"]) == (5, 3, False, "不一致")


@pytest.mark.django_db
def test_lagging_projects_and_milestones_due():
    zone = tracked_zone(2)
    ProjectFactory(zone=zone, name="按期项目")  # no milestones, no plan: not lagging
    data = report(zone)
    lagging = data["lagging_projects"]
    assert len(lagging) == 2
    assert all(p["reasons"] == ["late_milestones", "behind_plan"] for p in lagging)
    assert lagging[0]["late_milestones"] == [
        {"kind": "start", "kind_label": "开工", "phase": "", "planned": "2022年3月"}
    ]
    assert lagging[0]["ahead_of_schedule"] == -8.33
    due = data["milestones_due"]
    assert [(m["kind_label"], m["due_by"]) for m in due] == [("投产", "2022-06-30")] * 2


@pytest.mark.django_db
def test_a_project_ahead_of_plan_with_no_late_milestone_is_not_lagging():
    zone = tracked_zone(1, done_yi="2")  # 2 of 3亿元 = 66.67% in May
    MilestoneFactory._meta.model.objects.filter(kind=MilestoneKind.START).update(
        actual_date=date(2022, 3, 15), actual_precision=DatePrecision.DAY
    )
    assert report(zone)["lagging_projects"] == []


# ---------------------------------------------------------------------------------------------
# Indicators, growth and conflicts


@pytest.mark.django_db
def test_indicator_completion_growth_and_projection():
    zone = ZoneFactory()
    revenue = MetricFactory(code="industrial_revenue", name="工业营收")
    IndicatorValueFactory(
        zone=zone,
        metric=revenue,
        year=2022,
        start_month=1,
        end_month=12,
        kind=ValueKind.TARGET,
        value=500 * YI,
    )
    IndicatorValueFactory(zone=zone, metric=revenue, year=2021, start_month=1, end_month=5, value=200 * YI)
    IndicatorValueFactory(
        zone=zone,
        metric=revenue,
        year=2022,
        start_month=1,
        end_month=5,
        value=224 * YI,
        yoy_growth=Decimal("12.5"),
    )
    row = report(zone)["indicators"][0]
    assert row["completion"] == 44.8
    assert row["ahead_of_schedule"] == 3.13
    assert row["yoy_growth"] == {
        "stated": 12.5,
        "computed": 12,
        "check": {
            "stated": 12.5,
            "computed": 12,
            "difference": -0.5,
            "tolerance": 0.1,
            "agrees": False,
            "verdict": "不一致",
        },
    }
    assert row["required_monthly_display"] == "39.43亿元"  # (500 - 224) / 7
    assert row["projection_display"] == "537.6亿元"


@pytest.mark.django_db
def test_an_actual_without_a_target_and_a_stock_are_reported_without_completion():
    zone = ZoneFactory()
    firms = MetricFactory(
        code="above_size_enterprises", name="规上企业数", unit_kind="count", unit="家", flow_or_stock="stock"
    )
    IndicatorValueFactory(
        zone=zone, metric=firms, start_month=None, end_month=4, value=Decimal(142), scale=None, currency=""
    )
    row = report(zone)["indicators"][0]
    assert row["actual"]["display"] == "142家"
    assert row["actual"]["period"]["display"] == "2022年4月末"
    assert (row["target"], row["completion"], row["ahead_of_schedule"]) == (None, None, None)


@pytest.mark.django_db
def test_two_sources_stating_different_figures_are_a_conflict():
    zone = ZoneFactory()
    metric = MetricFactory(name="固定资产投资")
    first = IndicatorValueFactory(zone=zone, metric=metric, value=160 * YI, citations=[CitationFactory()])
    second = IndicatorValueFactory(zone=zone, metric=metric, value=162 * YI, citations=[CitationFactory()])
    conflicts = report(zone)["conflicts"]
    assert len(conflicts) == 1
    assert conflicts[0]["metric"] == "固定资产投资"
    assert conflicts[0]["field"] == "value"
    assert {s["id"] for s in conflicts[0]["statements"]} == {first.pk, second.pk}
    assert all(len(s["sources"]) == 1 for s in conflicts[0]["statements"])


@pytest.mark.django_db
def test_the_same_figure_stated_twice_is_no_conflict():
    zone = ZoneFactory()
    metric = MetricFactory()
    IndicatorValueFactory(zone=zone, metric=metric, value=160 * YI)
    IndicatorValueFactory(zone=zone, metric=metric, value=160 * YI)
    assert report(zone)["conflicts"] == []


# ---------------------------------------------------------------------------------------------
# Checkpoints and campaigns


def stated_portfolio(zone: Zone, *, planned_yi: int, done_yi: str, month: int) -> Portfolio:
    portfolio = PortfolioFactory(zone=zone, year=2022)
    amount = dict(
        zone=None, portfolio=portfolio, scale=AmountScale.YI, currency="CNY", year=2022, start_month=1
    )
    IndicatorValueFactory(
        **amount,
        metric=Metric.objects.get_or_create(
            code="planned_investment",
            defaults={"name": "年度计划投资", "unit_kind": "amount", "flow_or_stock": "flow"},
        )[0],
        end_month=12,
        kind=ValueKind.PLAN,
        value=planned_yi * YI,
    )
    IndicatorValueFactory(**amount, metric=completed_metric(), end_month=month, value=Decimal(done_yi) * YI)
    return portfolio


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("as_of", "done", "status"),
    [((2022, 5), "30", "pending"), ((2022, 7), "40", "missed"), ((2022, 7), "55", "met")],
)
def test_double_half_verdict(as_of, done, status):
    zone = ZoneFactory()
    stated_portfolio(zone, planned_yi=100, done_yi=done, month=min(as_of[1], 6))
    double_half = report(zone, as_of)["checkpoints"][0]
    assert double_half["name"] == "双过半"
    assert double_half["status"] == status
    assert double_half["items"][0]["status"] == status


@pytest.mark.django_db
def test_campaign_ranks_its_zones_at_the_checkpoint():
    ahead, behind, silent = ZoneFactory(name="甲区"), ZoneFactory(name="乙区"), ZoneFactory(name="丙区")
    stated_portfolio(ahead, planned_yi=100, done_yi="70", month=6)
    stated_portfolio(behind, planned_yi=100, done_yi="45", month=6)
    campaign = CampaignFactory(zones=[silent, behind, ahead])
    data = campaign_json(campaign_report(campaign))
    assert data["as_of"] == "2022-06"
    ranked = [(z["rank"], z["zone"]["name"], z["mean_gap"]) for z in data["zones"]]
    assert ranked == [(1, "甲区", 20), (2, "乙区", -5), (None, "丙区", None)]
    assert data["zones"][1]["items"][0]["status"] == "missed"


@pytest.mark.django_db
def test_campaign_as_of_before_the_checkpoint_is_pending():
    zone = ZoneFactory()
    stated_portfolio(zone, planned_yi=100, done_yi="30", month=4)
    data = campaign_json(campaign_report(CampaignFactory(zones=[zone]), 2022, 4))
    assert data["as_of"] == "2022-04"
    assert data["zones"][0]["items"][0]["status"] == "pending"
    with pytest.raises(ReportError):
        campaign_report(Campaign.objects.get(), 2021, 4)


@pytest.mark.django_db
def test_q1_campaign_measures_the_q1_target_of_its_own():
    zone = ZoneFactory()
    revenue = MetricFactory(name="工业营收")
    IndicatorValueFactory(
        zone=zone,
        metric=revenue,
        year=2024,
        start_month=1,
        end_month=3,
        kind=ValueKind.TARGET,
        value=590 * YI,
    )
    IndicatorValueFactory(zone=zone, metric=revenue, year=2024, start_month=1, end_month=3, value=600 * YI)
    campaign = CampaignFactory(
        zones=[zone], year=2024, start_month=1, end_month=3, checkpoint=date(2024, 3, 31), required_share=None
    )
    item = campaign_json(campaign_report(campaign))["zones"][0]["items"][0]
    assert (item["completion"], item["required"], item["status"]) == (101.69, 100, "met")


# ---------------------------------------------------------------------------------------------
# A bounded number of queries, whatever the number of projects


def queries_for(zone: Zone) -> int:
    with CaptureQueriesContext(connection) as captured:
        progress_report(zone, 2022, 5)
    return len(captured)


@pytest.mark.django_db
def test_report_query_count_does_not_grow_with_projects():
    small, large = tracked_zone(2), tracked_zone(20)
    assert queries_for(small) == queries_for(large)
    assert len(report(large)["lagging_projects"]) == 20


@pytest.mark.django_db
def test_campaign_query_count_does_not_grow_with_zones():
    def queries(zones: int) -> int:
        campaign = CampaignFactory(zones=[tracked_zone(3) for _ in range(zones)])
        with CaptureQueriesContext(connection) as captured:
            campaign_report(campaign)
        return len(captured)

    assert queries(2) == queries(6)


# ---------------------------------------------------------------------------------------------
# The command


def test_command_prints_the_reference_report_as_a_chinese_table(seeded, capsys):
    call_command("progress_report", "--zone", "赣县区", "--as-of", "2022-05")
    out = capsys.readouterr().out
    assert "时间进度:41.67%" in out
    assert "市级工业倍增升级重点调度项目" in out
    assert "70.12%" in out and "28.45个百分点" in out and "95.65%" in out
    assert "在舍入误差内" in out


def test_command_json_is_the_api_report(seeded, capsys):
    call_command("progress_report", "--zone", "赣县区", "--as-of", "2022-05", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data == report(Zone.objects.get(name="赣县区"))


def test_command_prints_a_campaign_ranking(seeded, capsys):
    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    call_command("progress_report", "--campaign", str(campaign.pk))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2022年强攻二季度、确保双过半")
    assert any(line.startswith("1") and "赣县区" in line for line in out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--zone", "火星开发区", "--as-of", "2022-05"], "未找到区域"),
        (["--zone", "赣县区", "--as-of", "2022-13"], "2022-13"),
        (["--zone", "赣县区"], "--as-of"),
        (["--campaign", "999999"], "不存在"),
    ],
)
def test_command_refuses_bad_input_in_chinese(seeded, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("progress_report", *args)


def test_text_report_of_a_zone_without_data_says_so(db):
    text = report_text(progress_report(ZoneFactory(name="新区"), 2022, 5))
    assert "(无本年度调度清单)" in text
    assert "(无指标数据)" in text
    assert "双过半(2022-06-30,应完成50.00%):无数据" in text


@pytest.mark.django_db
@pytest.mark.parametrize(("stated_yi", "agrees"), [("29.99", True), ("30", True), ("29.5", False)])
def test_stated_amount_is_reconciled_at_the_precision_it_was_written(stated_yi, agrees):
    zone = tracked_zone(3)  # 3 projects of 10亿元: 30亿元
    IndicatorValueFactory(
        zone=None,
        portfolio=Portfolio.objects.get(zone=zone),
        metric=MetricFactory(code="total_investment"),
        start_month=None,
        value=Decimal(stated_yi) * YI,
    )
    checks = report(zone)["portfolios"][0]["stated_vs_computed"]
    check = next(c for c in checks if c["measure"] == "total_investment")
    assert check["agrees"] is agrees
