"""The queries of the progress report: a fixed number of them for any set of zones.

Sums and counts happen in the database, and the rows that come back are per portfolio, per
indicator figure or per lagging project, never one query per row. What they return (`Fetched`)
is computed into a report by `assemble.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from ..indicator_fields import PERIOD_FIELDS
from ..models import (
    Campaign,
    Currency,
    IndicatorValue,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    ValueKind,
    Zone,
    late_condition,
    started_condition,
)
from ..periods import Period, period_end
from .contents import COMPLETED_INVESTMENT, DUE_WITHIN, Fetched, Statement, ZoneTree, month_end


def zone_tree() -> ZoneTree:
    """Every zone's name and children, in one query."""
    names, children = {}, defaultdict(list)
    for pk, parent, name in Zone.objects.order_by("name").values_list("pk", "parent_id", "name"):
        names[pk] = name
        children[parent].append(pk)
    return ZoneTree(names, children)


def fetch(
    tree: ZoneTree, roots: set[int], year: int, month: int, *, detail: bool, projects: set[int] | None = None
) -> Fetched:
    """What the report of the zones under `roots` as of the end of `month` needs; with `detail`
    (a zone's report, not a campaign's ranking) also its projects, milestones and campaigns."""
    zones = tree.scope(roots)
    as_of = month_end(year, month)
    portfolios = list(
        Portfolio.objects.filter(zone__in=zones, year=year)
        .order_by("zone__name", "name")
        .values("pk", "name", "zone_id", "zone__name", "year", "category__name")
    )
    portfolio_ids = [p["pk"] for p in portfolios]

    yuan = Q(project__currency=Currency.CNY)
    entry_sums = {
        row["portfolio"]: row
        for row in PortfolioEntry.objects.filter(portfolio__in=portfolio_ids)
        .values("portfolio")
        .order_by("portfolio")
        .annotate(
            projects=Count("pk"),
            total=Sum("project__total_investment", filter=yuan),
            planned=Sum("planned_investment", filter=yuan),
            planned_count=Count("planned_investment", filter=yuan),
            started_count=Count("pk", filter=started_condition("project__", by=as_of)),
            foreign=Count("pk", filter=~yuan),
        )
    }

    # Completed investment the projects reported for January to the report's month.
    completed = IndicatorValue.objects.completed_investment(year).filter(end_month=month)
    project_sums = {
        row["project__portfolio_entries__portfolio"]: row
        for row in completed.filter(project__portfolio_entries__portfolio__in=portfolio_ids)
        .values("project__portfolio_entries__portfolio")
        .order_by("project__portfolio_entries__portfolio")
        .annotate(total=Sum("value"), reporting=Count("project", distinct=True))
    }

    # Every current statement (a restated one is replaced) of the year, and the year before for 同比,
    # about the zones and portfolios.
    # The zones' and the portfolios' statements are two index scans joined by UNION ALL (a value
    # has one subject); an OR of the two would read the whole table, millions of project figures.
    about = (
        IndicatorValue.objects.current()
        .filter(year__in=[year - 1, year])
        .filter(
            Q(end_month__lte=month)
            | Q(year=year - 1)
            | Q(kind__in=[ValueKind.TARGET, ValueKind.PLAN, ValueKind.FORECAST])
        )
        .order_by()
    )
    fields = (
        "pk",
        "zone_id",
        "portfolio_id",
        "metric__code",
        *PERIOD_FIELDS,
        "kind",
        "value",
        "scale",
        "currency",
        "qualifier",
        "yoy_growth",
    )
    values = list(
        about.filter(zone__in=zones)
        .values(*fields)
        .union(about.filter(portfolio__in=portfolio_ids).values(*fields), all=True)
        .order_by("pk")
    )
    sources = _sources(
        Q(indicatorvalue__zone__in=zones) | Q(indicatorvalue__portfolio__in=portfolio_ids),
        Q(indicatorvalue__year__in=[year - 1, year]),
    )
    statements: dict[tuple[str, int, str], list[Statement]] = defaultdict(list)
    for v in values:
        subject = ("zone", v["zone_id"]) if v["zone_id"] else ("portfolio", v["portfolio_id"])
        statements[(*subject, v["metric__code"])].append(_statement(v, sources))
    codes = {v["metric__code"] for v in values}
    metrics = {m.code: m for m in Metric.objects.filter(code__in=codes)}

    project_ids, projects, late, due = projects, [], [], []
    if detail:
        of_projects = Q() if project_ids is None else Q(project__in=project_ids)
        projects = list(_project_progress(portfolio_ids, year, month).filter(of_projects))
        milestones = Milestone.objects.filter(of_projects, project__zone__in=zones).values(
            "pk",
            "project_id",
            "project__name",
            "project__zone__name",
            "kind",
            "phase",
            "planned_date",
            "planned_precision",
        )
        late = list(
            milestones.filter(late_condition(as_of)).order_by(
                "project__name", "project_id", "planned_date", "pk"
            )
        )
        # Planned in a period that ends within 30 days: a quarter planned for Q2 is due by 30 June.
        window = milestones.filter(
            actual_date__isnull=True,
            planned_date__isnull=False,
            planned_date__lte=as_of + DUE_WITHIN,
            planned_date__gt=as_of - timedelta(days=366),
        ).exclude(late_condition(as_of))
        due = [
            m
            for m in window.order_by("planned_date", "project__name", "pk")
            if as_of < period_end(m["planned_date"], m["planned_precision"]) <= as_of + DUE_WITHIN
        ]
        # Soonest due first: the day the planned period ends, then the planned date.
        due.sort(key=lambda m: period_end(m["planned_date"], m["planned_precision"]))

    campaigns = []
    if detail:
        ancestors = tree.ancestors(next(iter(roots)))
        for campaign in (
            Campaign.objects.filter(year=year, zones__in=zones | ancestors)
            .distinct()
            .prefetch_related("zones")
            .order_by("checkpoint", "name")
        ):
            campaigns.append((campaign, [z.pk for z in campaign.zones.all()]))

    return Fetched(portfolios, entry_sums, project_sums, statements, metrics, projects, late, due, campaigns)


def _sources(*conditions: Q) -> dict[int, tuple[str, ...]]:
    """The source documents cited by each indicator value the conditions select, in one query.
    Selected from the citations' side: few values are cited, and a list of every value's id
    (tens of thousands at province scale) would cost more to send than the answer."""
    through = IndicatorValue.citations.through
    found: dict[int, list[str]] = defaultdict(list)
    for value_id, key in (
        through.objects.filter(*conditions)
        .order_by("citation__document__key")
        .values_list("indicatorvalue_id", "citation__document__key")
    ):
        if key not in found[value_id]:
            found[value_id].append(key)
    return {k: tuple(v) for k, v in found.items()}


def _statement(row: dict, sources: dict[int, tuple[str, ...]]) -> Statement:
    return Statement(
        id=row["pk"],
        value=row["value"],
        period=Period(row["year"], row["start_month"], row["end_month"]),
        kind=row["kind"],
        scale=row["scale"],
        currency=row["currency"],
        qualifier=row["qualifier"],
        yoy_growth=row["yoy_growth"],
        sources=sources.get(row["pk"], ()),
    )


def _project_progress(portfolio_ids: list[int], year: int, month: int) -> Iterable[dict]:
    """Each project on the portfolios with its plan and the latest completed investment it reported."""
    latest = (
        IndicatorValue.objects.current()
        .filter(
            project=OuterRef("project"),
            metric__code=COMPLETED_INVESTMENT,
            kind=ValueKind.ACTUAL,
            year=year,
            start_month=1,
            end_month__lte=month,
            value__isnull=False,
        )
        .order_by("-end_month", "-pk")
    )
    return (
        PortfolioEntry.objects.filter(portfolio__in=portfolio_ids, planned_investment__gt=0)
        .annotate(
            completed=Subquery(latest.values("value")[:1]),
            completed_month=Subquery(latest.values("end_month")[:1]),
        )
        .values(
            "project_id",
            "project__name",
            "project__zone__name",
            "planned_investment",
            "completed",
            "completed_month",
        )
        .order_by("project__name")
    )
