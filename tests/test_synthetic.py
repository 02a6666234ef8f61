"""generate_synthetic: realistic, deterministic synthetic data at province scale (small sizes here)."""

import hashlib
from collections import defaultdict
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from projects import rules, synthetic
from projects.models import (
    Campaign,
    Enterprise,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    MilestoneKind,
    Portfolio,
    PortfolioEntry,
    Project,
    Stage,
    ValueKind,
    Zone,
    ZoneKind,
)
from projects.reports.progress import campaign_report, progress_report
from projects.synthetic import SYNTHETIC_PREFIX, SyntheticError, SyntheticSpec, generate

SMALL = SyntheticSpec(zones=6, projects=60, months=14, seed=1)
KIND_ORDER = {kind: i for i, kind in enumerate(MilestoneKind.values)}


@pytest.fixture
def generated(db):
    return generate(SMALL)


def synthetic_zones():
    return Zone.objects.filter(name__startswith=SYNTHETIC_PREFIX)


def digest() -> str:
    """A digest of the generated rows by their names and values (ids depend on what was there)."""
    parts = [
        list(synthetic_zones().order_by("name").values_list("name", "full_name", "kind", "parent__name")),
        list(
            Project.objects.filter(zone__in=synthetic_zones())
            .order_by("zone__name", "name")
            .values_list(
                "zone__name", "name", "total_investment", "stage", "planned_start", "enterprise__name"
            )
        ),
        list(
            Milestone.objects.filter(project__zone__in=synthetic_zones())
            .order_by("project__zone__name", "project__name", "kind")
            .values_list("project__name", "kind", "planned_date", "planned_precision", "actual_date")
        ),
        list(
            PortfolioEntry.objects.filter(portfolio__zone__in=synthetic_zones())
            .order_by("portfolio__zone__name", "portfolio__year", "project__name")
            .values_list("portfolio__year", "project__name", "planned_investment")
        ),
        list(
            IndicatorValue.objects.filter(project__zone__in=synthetic_zones())
            .order_by("project__zone__name", "project__name", "year", "end_month")
            .values_list("project__name", "year", "end_month", "value")
        ),
        list(
            IndicatorValue.objects.filter(zone__in=synthetic_zones())
            .order_by("zone__name", "metric__code", "year", "kind", "end_month")
            .values_list("zone__name", "metric__code", "year", "kind", "end_month", "value", "yoy_growth")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def digest_of(spec: SyntheticSpec) -> str:
    """Generate, take the digest, and roll the rows back."""
    with transaction.atomic():
        generate(spec)
        found = digest()
        transaction.set_rollback(True)
    return found


def test_counts_are_as_asked_and_match_the_database(generated):
    assert synthetic_zones().count() == generated["zones"] == SMALL.zones
    assert (
        Project.objects.filter(zone__in=synthetic_zones()).count() == generated["projects"] == SMALL.projects
    )
    assert Enterprise.objects.filter(name__startswith=SYNTHETIC_PREFIX).count() == generated["enterprises"]
    assert Milestone.objects.count() == generated["milestones"]
    assert 4 * SMALL.projects <= generated["milestones"] <= 8 * SMALL.projects  # about 6 a project
    assert Portfolio.objects.count() == generated["portfolios"] > 0
    assert PortfolioEntry.objects.count() == generated["portfolio_entries"] > 0
    investment = IndicatorValue.objects.filter(metric__code="completed_investment", project__isnull=False)
    assert investment.count() == generated["completed_investment"] > 0
    assert IndicatorValue.objects.filter(zone__isnull=False).count() == generated["zone_indicators"] > 0
    assert Project.industries.through.objects.count() == generated["project_industries"] == SMALL.projects
    assert Zone.industries.through.objects.count() == generated["zone_industries"] == 3 * (SMALL.zones - 1)


def test_zones_form_one_province_tree(generated):
    zones = list(synthetic_zones())
    roots = [z for z in zones if z.parent_id is None]
    assert [z.kind for z in roots] == [ZoneKind.PROVINCE]
    cities = [z for z in zones if z.parent_id == roots[0].pk]
    assert cities and {z.kind for z in cities} == {ZoneKind.CITY}
    others = [z for z in zones if z not in roots and z not in cities]
    assert others and all(z.parent_id in {c.pk for c in cities} for z in others)
    assert all(z.kind != ZoneKind.PROVINCE for z in others)


def test_projects_are_in_the_zones_below_the_province(generated):
    root = synthetic_zones().get(parent__isnull=True)
    projects = Project.objects.filter(zone__in=synthetic_zones())
    assert not projects.filter(zone=root).exists()
    assert projects.filter(total_investment__gte=10**8, total_investment_scale=10**8).exists()  # 亿元
    assert not projects.filter(total_investment__lt=5 * 10**7).exists()  # from 5000万元 on


def test_same_seed_gives_the_same_rows_and_another_seed_others(db):
    first = digest_of(SMALL)
    assert digest_of(SMALL) == first
    assert digest_of(SyntheticSpec(zones=6, projects=60, months=14, seed=2)) != first


def test_year_to_date_investment_never_decreases_within_a_year(generated):
    series = defaultdict(list)
    for project, year, month, value in (
        IndicatorValue.objects.filter(metric__code="completed_investment", kind=ValueKind.ACTUAL)
        .order_by("project", "year", "end_month")
        .values_list("project", "year", "end_month", "value")
    ):
        series[(project, year)].append((month, value))
    assert series
    for points in series.values():
        months = [m for m, _ in points]
        assert months == list(range(months[0], months[-1] + 1))
        values = [v for _, v in points]
        assert values == sorted(values)


def test_milestones_come_in_kind_order_with_ascending_dates(generated):
    by_project = defaultdict(list)
    for m in Milestone.objects.order_by("project", "planned_date"):
        by_project[m.project_id].append(m)
    last_day = date(SMALL.end.year, SMALL.end.month, 28)
    for milestones in by_project.values():
        kinds = [KIND_ORDER[m.kind] for m in milestones]
        assert kinds == sorted(kinds)
        planned = [m.planned_date for m in milestones]
        assert planned == sorted(set(planned))  # strictly ascending
        reached = [m.actual_date for m in milestones if m.actual_date]
        assert reached == sorted(reached) and all(d <= last_day for d in reached)
        # Reached milestones come first: nothing is reached after a milestone that is not.
        flags = [m.actual_date is not None for m in milestones]
        assert flags == sorted(flags, reverse=True)


def test_stage_agrees_with_the_milestones_reached(generated):
    for project in Project.objects.prefetch_related("milestones"):
        reached = {m.kind for m in project.milestones.all() if m.actual_date}
        assert (MilestoneKind.START in reached) == (project.stage in Stage.started())
        assert (MilestoneKind.SIGNED in reached) == (project.stage not in (Stage.RESERVE, Stage.NEGOTIATING))


def test_some_milestones_are_late_and_some_projects_behind_plan(generated):
    late = Milestone.objects.late(date(SMALL.end.year, SMALL.end.month, 28))
    assert 0 < late.count() < Milestone.objects.filter(actual_date__isnull=True).count()


def test_generated_rows_break_no_data_entry_rule(generated):
    today = date(SMALL.end.year, SMALL.end.month + 1, 15)
    objects = [
        *Project.objects.all(),
        *Milestone.objects.all(),
        *PortfolioEntry.objects.all(),
        *IndicatorValue.objects.select_related("metric"),
    ]
    assert len(objects) > 1000
    errors = []
    for start in range(0, len(objects), 200):  # in batches, as monthly entry checks them
        errors += [f for f in rules.check(objects[start : start + 200], today=today) if f.is_error]
    assert errors == []


def test_progress_report_and_campaign_report_run_on_the_data(generated):
    root = synthetic_zones().get(parent__isnull=True)
    year = SMALL.end.year
    report = progress_report(root, year, 6)
    assert report.portfolios
    assert any(p.figures["completed_investment"].value for p in report.portfolios)
    assert report.indicators
    campaign = Campaign.objects.get(year=year, zones=root)
    ranking = campaign_report(campaign)
    assert len(ranking.standings) == SMALL.zones
    assert [s.rank for s in ranking.standings if s.rank] == list(range(1, SMALL.zones + 1))


def test_a_second_run_is_refused_and_writes_nothing(generated):
    before = Project.objects.count(), IndicatorValue.objects.count(), Campaign.objects.count()
    with pytest.raises(CommandError, match="已有样本数据"):
        call_command(
            "generate_synthetic", "--zones", "6", "--projects", "60", "--months", "14", stdout=StringIO()
        )
    assert (Project.objects.count(), IndicatorValue.objects.count(), Campaign.objects.count()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--zones", "1", "--projects", "10", "--months", "12"], "区域数至少为2"),
        (["--zones", "5", "--projects", "0", "--months", "12"], "项目数至少为1"),
        (["--zones", "5", "--projects", "10", "--months", "0"], "月数应在1到120之间"),
        (["--zones", "5", "--projects", "10", "--months", "121"], "月数应在1到120之间"),
        (["--zones", "5", "--projects", "10", "--months", "12", "--end", "2026-13"], "--end"),
    ],
)
def test_nonsense_sizes_are_refused(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_synthetic", *args, stdout=StringIO())
    assert not synthetic_zones().exists()


def test_command_prints_progress_per_table_and_a_summary(db):
    out = StringIO()
    call_command(
        "generate_synthetic", "--zones", "4", "--projects", "30", "--months", "3", "--seed", "7", stdout=out
    )
    text = out.getvalue()
    assert "项目节点:" in text and "秒" in text
    assert f"项目:{Project.objects.count()}" in text
    assert "完成,共" in text
    assert Campaign.objects.get().checkpoint == date(2026, 6, 30)


def schema() -> dict[str, dict]:
    """Every constraint and index of the tables the generator fills, as the database reports them."""
    models = [Project, Milestone, PortfolioEntry, IndicatorValue]
    with connection.cursor() as cursor:
        return {
            m._meta.db_table: connection.introspection.get_constraints(cursor, m._meta.db_table)
            for m in models
        }


def test_bulk_load_leaves_every_index_and_constraint_as_it_was(db, monkeypatch):
    """On PostgreSQL large tables are loaded without their indexes and foreign keys, which are made
    again afterwards; here every table counts as large."""
    before = schema()
    monkeypatch.setattr(synthetic.writing, "BULK_LOAD_ROWS", 1)
    generate(SMALL)
    assert schema() == before
    assert Project.objects.filter(zone__in=synthetic_zones()).count() == SMALL.projects


def test_a_failure_half_way_leaves_nothing_written(db, monkeypatch):
    def broken(self, work, metric):
        yield from list(original(self, work, metric))[:5]
        raise RuntimeError("disk full")

    original = synthetic._Plan.investment_rows
    monkeypatch.setattr(synthetic._Plan, "investment_rows", broken)
    monkeypatch.setattr(synthetic.writing, "BULK_LOAD_ROWS", 1)
    before = schema()
    with pytest.raises(RuntimeError, match="disk full"):
        generate(SMALL)
    assert not synthetic_zones().exists()
    assert not Project.objects.exists() and not IndicatorValue.objects.exists()
    assert schema() == before


def test_seeds_and_synthetic_data_coexist(seeded):
    """The seeds' metrics and industries are used, not duplicated; a campaign of the same name and
    year as a seed's gets the prefix."""
    metrics, industries = Metric.objects.count(), set(Industry.objects.values_list("name", flat=True))
    generate(SyntheticSpec(zones=5, projects=20, months=6, seed=3, end=date(2022, 10, 1)))
    assert Metric.objects.count() == metrics  # every metric used is in the seeds' catalogue
    used = set(Industry.objects.filter(projects__zone__in=synthetic_zones()).values_list("name", flat=True))
    assert used & industries  # 光伏新能源, 光电 … are the seeds' rows
    assert Campaign.objects.filter(name=f"{SYNTHETIC_PREFIX}强攻二季度、确保双过半", year=2022).exists()
    assert Campaign.objects.filter(name="强攻二季度、确保双过半", year=2022).count() == 1


def test_spec_errors_are_plain_chinese(db):
    with pytest.raises(SyntheticError, match="区域数至少为2"):
        generate(SyntheticSpec(zones=1, projects=1, months=1, seed=1))
