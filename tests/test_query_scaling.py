"""Every endpoint runs as many queries at a larger size of the data as at a small one.

One world of related rows is built, every endpoint is read (once to warm the per-process caches,
then measured), the world grows (more zones, more projects in the focal zone, more milestones,
citations, portfolio entries, figures, report runs and history of the focal rows, and rows of
another province), and every endpoint is measured again. Each endpoint, for a superuser and for a
zone editor (whose reads go through access filtering), is its own test: its two counts must be
equal. The API lists are read with a page size that holds every row, so a list that queries per
row shows it. Measuring happens once per module (building the world for every endpoint would take
minutes); the tests compare the counts.

The second half does the same with two sizes of a synthetic province (projects.synthetic), for the
lists, reports and admin pages a province reads most.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.models import (
    Campaign,
    EntryReopening,
    ExtractedFact,
    ImportBatch,
    ImportKind,
    Metric,
    Portfolio,
    ReportRun,
    UnitKind,
    Zone,
    ZoneRole,
)
from projects.report_runs import make_due_run
from projects.reports.cadence import month_period
from projects.synthetic import SYNTHETIC_PREFIX, SyntheticSpec, generate
from tests.factories import (
    CampaignFactory,
    CitationFactory,
    EnterpriseFactory,
    IndicatorValueFactory,
    IndustryFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectCategoryFactory,
    ProjectFactory,
    ReportScheduleFactory,
    SourceDocumentFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

SMALL, LARGE = 1, 4  # units of growth: the focal rows' lists and the tables grow 2.5× to 5×

pytestmark = pytest.mark.django_db  # so that pytest-django sets up the test database
TEXT = "".join(f"第{i}句:赣县区完成投资{i}亿元。" for i in range(40))


@dataclass
class World:
    """The rows whose pages are read; grow() adds to their lists and beside them."""

    province: object
    city: object  # the editor's zone
    zone: object  # a zone below it, with the focal project
    document: object
    citation: object
    industry: object
    category: object
    enterprise: object
    project: object
    milestone: object
    portfolio: object
    entry: object
    metric: object
    investment: object
    value: object
    campaign: object
    schedule: object
    fact: object
    batch: object
    reopening: object
    superuser: object
    editor: object
    grown: int = 0
    runs: list = field(default_factory=list)


def cite(world: World, *rows) -> None:
    """A new citation of the focal document on each row."""
    n = world.grown
    citation = CitationFactory(document=world.document, start=n * 12, quote=TEXT[n * 12 : n * 12 + 12])
    for row in rows:
        row.citations.add(citation)


def build() -> World:
    province = ZoneFactory(name="某省", kind="province")
    city = ZoneFactory(name="某市", kind="city", parent=province)
    zone = ZoneFactory(name="赣县区", parent=city)
    document = SourceDocumentFactory(text=TEXT, zone=zone)
    citation = CitationFactory(document=document, quote=TEXT[:12])
    industry = IndustryFactory()
    category = ProjectCategoryFactory()
    enterprise = EnterpriseFactory(zone=zone)
    project = ProjectFactory(zone=zone, enterprise=enterprise, citations=[citation])
    milestone = MilestoneFactory(project=project, citations=[citation])
    portfolio = PortfolioFactory(zone=zone, category=category, citations=[citation])
    entry = PortfolioEntryFactory(portfolio=portfolio, project=project, citations=[citation])
    metric = MetricFactory()
    investment = Metric.objects.get_or_create(
        code="completed_investment",
        defaults={"name": "完成投资", "unit_kind": UnitKind.AMOUNT, "flow_or_stock": "flow"},
    )[0]
    value = IndicatorValueFactory(zone=zone, metric=metric, citations=[citation])
    campaign = CampaignFactory(zones=[zone], citations=[citation])
    schedule = ReportScheduleFactory(zone=zone, formats=["html"])
    fact = ExtractedFact.objects.create(
        document=document,
        kind="amount",
        quote=TEXT[:3],
        start=0,
        end=3,
        sentence_start=0,
        sentence_end=12,
        reading={"kind": "amount", "quote": TEXT[:3]},
    )
    superuser = UserFactory(username="chief", is_superuser=True)
    editor = UserFactory(username="city-editor")
    ZoneMembershipFactory(user=editor, zone=city, role=ZoneRole.EDITOR)
    batch = ImportBatch.objects.create(
        kind=ImportKind.MONTHLY, zone=zone, file_name="月报.xlsx", content=b"", uploaded_by=editor
    )
    reopening = EntryReopening.objects.create(
        zone=zone, year=2022, month=4, until=date(2022, 6, 30), reason="补报", reopened_by=superuser
    )
    return World(**{name: value for name, value in locals().items() if name in World.__dataclass_fields__})


def grow(world: World, units: int) -> None:
    """More of everything: new zones with their own rows, and longer lists on the focal rows."""
    for _ in range(units):
        world.grown += 1
        n = world.grown
        sub = ZoneFactory(parent=world.zone if n % 2 else world.city)
        sub.aliases.create(alias=f"{sub.name}别名")
        sub.industries.add(world.industry)
        world.zone.industries.add(IndustryFactory())
        enterprise = EnterpriseFactory(zone=sub, parent=world.enterprise)
        enterprise.industries.add(world.industry)
        for zone in (sub, world.zone):
            project = ProjectFactory(zone=zone, enterprise=enterprise, stage="production")
            project.industries.add(world.industry)
            project.categories.add(world.category)
            MilestoneFactory(
                project=project, kind="production", actual_date=date(2022, 3, 1), actual_precision="month"
            )
            PortfolioEntryFactory(portfolio=world.portfolio, project=project)
            IndicatorValueFactory(
                zone=None, project=project, metric=world.investment, start_month=5, end_month=5
            )
        PortfolioEntryFactory(project__zone=sub, portfolio__zone=sub)
        world.project.industries.add(IndustryFactory())
        world.project.categories.add(ProjectCategoryFactory())
        MilestoneFactory(project=world.project, phase=f"{n}期")
        IndicatorValueFactory(zone=sub, metric=world.metric)
        IndicatorValueFactory(zone=None, portfolio=world.portfolio, metric=world.metric, start_month=n)
        IndicatorValueFactory(zone=None, enterprise=world.enterprise, metric=world.metric, start_month=n)
        world.campaign.zones.add(sub)
        CampaignFactory(zones=[sub, world.zone])
        cite(
            world,
            world.zone,
            world.project,
            world.milestone,
            world.portfolio,
            world.entry,
            world.value,
            world.campaign,
            world.enterprise,
            world.industry,
        )
        ExtractedFact.objects.create(
            document=world.document,
            kind="amount",
            quote=TEXT[n * 12 : n * 12 + 3],
            start=n * 12,
            end=n * 12 + 3,
            sentence_start=n * 12,
            sentence_end=n * 12 + 12,
            reading={"kind": "amount", "quote": TEXT[n * 12 : n * 12 + 3]},
        )
        # History of the focal rows: each save is a historical record.
        for row in (world.zone, world.project, world.milestone, world.portfolio, world.entry, world.value):
            type(row).objects.get(pk=row.pk).save()
        world.schedule.refresh_from_db()
        world.schedule.save()
        run = make_due_run(world.schedule, month_period(2021, n))
        world.runs.append(ReportRun.objects.get(pk=run.pk))
        ZoneMembershipFactory(user=UserFactory(), zone=sub, role=ZoneRole.VIEWER)
        ImportBatch.objects.create(kind=ImportKind.PROJECTS, zone=sub, file_name=f"项目{n}.xlsx", content=b"")
        EntryReopening.objects.create(
            zone=sub, year=2022, month=n, until=date(2022, 12, 31), reason="补报", reopened_by=world.superuser
        )
        # Another province's rows, which the editor does not see.
        other = ZoneFactory(parent=ZoneFactory(kind="province"))
        MilestoneFactory(project=ProjectFactory(zone=other))
        IndicatorValueFactory(zone=other)


# ---------------------------------------------------------------------------------------------
# The endpoints: a name, a request (method, path, data) built from the world, and who may ask.

Request = Callable[[World], tuple[str, str, dict]]


def get(path: str, **params) -> Request:
    return lambda w: ("get", path.format(w=w), {k: str(v).format(w=w) for k, v in params.items()})


API_RESOURCES = {
    "zones": "zone",
    "industries": "industry",
    "categories": "category",
    "enterprises": "enterprise",
    "projects": "project",
    "milestones": "milestone",
    "portfolios": "portfolio",
    "portfolio-entries": "entry",
    "metrics": "metric",
    "indicator-values": "value",
    "campaigns": "campaign",
    "sources": "document",
    "citations": "citation",
    "report-schedules": "schedule",
}
API_HISTORIES = ["zones", "projects", "milestones", "portfolios", "portfolio-entries", "indicator-values"]

TEMPLATE_KINDS = ["projects", "indicators"]  # the monthly one is the zone's monthly template
API: dict[str, Request] = {
    **{f"{r} list": get(f"/api/{r}/", page_size=200) for r in [*API_RESOURCES, "report-runs"]},
    **{f"{r} detail": get(f"/api/{r}/{{w.{attr}.pk}}/") for r, attr in API_RESOURCES.items()},
    **{f"{r} history": get(f"/api/{r}/{{w.{API_RESOURCES[r]}.pk}}/history/") for r in API_HISTORIES},
    "report-schedules history": get("/api/report-schedules/{w.schedule.pk}/history/"),
    "report-runs detail": get("/api/report-runs/{w.runs[0].pk}/"),
    "report-runs file": get("/api/report-runs/{w.runs[0].pk}/files/html/"),
    "progress report of a zone": get("/api/reports/progress/", zone="{w.zone.pk}", as_of="2022-05"),
    "progress report of a city": get("/api/reports/progress/", zone="{w.city.pk}", as_of="2022-05"),
    "campaign report": get("/api/campaigns/{w.campaign.pk}/report/", as_of="2022-06"),
    **{f"import template {k}": get(f"/api/imports/{k}/template/") for k in TEMPLATE_KINDS},
    **{
        f"import template {k} of a zone": get(f"/api/imports/{k}/template/", zone="{w.zone.pk}")
        for k in TEMPLATE_KINDS
    },
    "monthly template": get("/api/zones/{w.zone.pk}/monthly-template/", month="2022-05"),
    "extract": lambda w: ("post", "/api/extract/", {"text": TEXT[:200], "zone": w.zone.pk}),
    "report run page": get("/reports/runs/{w.runs[0].pk}/"),
}

ADMIN_MODELS = {
    "sourcedocument": "document",
    "citation": "citation",
    "zone": "zone",
    "industry": "industry",
    "enterprise": "enterprise",
    "projectcategory": "category",
    "project": "project",
    "milestone": "milestone",
    "portfolio": "portfolio",
    "portfolioentry": "entry",
    "metric": "metric",
    "indicatorvalue": "value",
    "campaign": "campaign",
    "reportschedule": "schedule",
    "reportrun": "runs[0]",
    "entryreopening": "reopening",
    "importbatch": "batch",
    "extractedfact": "fact",
}
ADMIN_HISTORIES = ["zone", "project", "milestone", "portfolio", "portfolioentry", "indicatorvalue"]
SUPERUSER_ONLY = {"zonemembership": "editor.zone_memberships.first()", "user": "editor"}

A = "/admin/projects"
ADMIN: dict[str, Request] = {
    "admin index": get("/admin/"),
    **{f"admin {m} changelist": get(f"{A}/{m}/") for m in ADMIN_MODELS},
    **{f"admin {m} change": get(f"{A}/{m}/{{w.{attr}.pk}}/change/") for m, attr in ADMIN_MODELS.items()},
    **{f"admin {m} history": get(f"{A}/{m}/{{w.{ADMIN_MODELS[m]}.pk}}/history/") for m in ADMIN_HISTORIES},
    **{
        f"admin {m} history export": get(f"{A}/{m}/{{w.{ADMIN_MODELS[m]}.pk}}/history/export/")
        for m in ADMIN_HISTORIES
    },
    **{f"admin {m} export": get(f"{A}/{m}/export/") for m in ("project", "milestone", "indicatorvalue")},
    "admin rules": get("/admin/rules/"),
    "admin monthly zones": get(f"{A}/zone/monthly/"),
    "admin monthly months": get(f"{A}/zone/{{w.zone.pk}}/monthly/"),
    "admin monthly sheet": get(f"{A}/zone/{{w.zone.pk}}/monthly/2022-5/"),
    "admin monthly sheet template": get(f"{A}/zone/{{w.zone.pk}}/monthly/2022-5/template.xlsx"),
    "admin text extract form": get(f"{A}/sourcedocument/extract/"),
    "admin text review": get(f"{A}/sourcedocument/{{w.document.pk}}/review/"),
    **{
        f"admin import template {k}": get(f"{A}/importbatch/template/{k}.xlsx", zone="{w.zone.pk}")
        for k in TEMPLATE_KINDS
    },
    "admin zone autocomplete": get(
        "/admin/autocomplete/", app_label="projects", model_name="project", field_name="zone", term=""
    ),
    "admin project autocomplete": get(
        "/admin/autocomplete/", app_label="projects", model_name="milestone", field_name="project", term=""
    ),
}
ADMIN_SUPERUSER: dict[str, Request] = {
    "admin zonemembership changelist": get(f"{A}/zonemembership/"),
    "admin zonemembership change": lambda w: (
        "get",
        f"{A}/zonemembership/{w.editor.zone_memberships.first().pk}/change/",
        {},
    ),
    "admin user changelist": get("/admin/auth/user/"),
    "admin user change": get("/admin/auth/user/{w.editor.pk}/change/"),
}

CASES = [
    *((who, name) for name in API for who in ("superuser", "editor")),
    *((who, name) for name in ADMIN for who in ("superuser", "editor")),
    *(("superuser", name) for name in ADMIN_SUPERUSER),
]
REQUESTS = {**API, **ADMIN, **ADMIN_SUPERUSER}


@dataclass
class Measured:
    status: int
    queries: list[str]


def clients(world: World) -> dict[str, object]:
    made = {}
    for who in ("superuser", "editor"):
        user = getattr(world, who)
        api = APIClient()
        api.force_authenticate(user)
        browser = Client()
        browser.force_login(user)
        made[who] = (api, browser)
    return made


def measure(world: World, made: dict) -> dict[tuple[str, str], Measured]:
    results = {}
    for who, name in CASES:
        api, browser = made[who]
        client = browser if name in ADMIN or name in ADMIN_SUPERUSER or name == "report run page" else api
        method, path, data = REQUESTS[name](world)
        send = getattr(client, method)
        kwargs = {"format": "json", "secure": True} if method == "post" else {"secure": True}
        send(path, data, **kwargs)  # warms the per-process caches (content types, lexicon, templates)
        with CaptureQueriesContext(connection) as queries:
            response = send(path, data, **kwargs)
        results[(who, name)] = Measured(response.status_code, [q["sql"] for q in queries])
    return results


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    """The queries of every endpoint at the small and at the large size (rolled back after)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            world = build()
            grow(world, SMALL)
            made = clients(world)
            small = measure(world, made)
            grow(world, LARGE - SMALL)
            large = measure(world, made)
            transaction.set_rollback(True)
    return small, large


def shapes(queries: list[str]) -> Counter:
    """The queries with their numbers and quoted values blanked: what repeats per row shows."""
    blanked = (re.sub(r"'[^']*'|\d+", "?", sql) for sql in queries)
    return Counter(re.sub(r"\?(, \?)+", "?", sql) for sql in blanked)


@pytest.mark.parametrize(("who", "name"), CASES, ids=[f"{who}: {name}" for who, name in CASES])
def test_queries_do_not_grow_with_the_data(counts, who, name):
    small, large = counts[0][(who, name)], counts[1][(who, name)]
    assert small.status == large.status == 200, (small.status, large.status)
    extra = shapes(large.queries) - shapes(small.queries)
    assert len(large.queries) == len(small.queries), (
        f"{len(small.queries)} queries at the small size, {len(large.queries)} at the large; "
        f"repeated at the large size:\n" + "\n".join(f"{n}× {sql[:400]}" for sql, n in extra.items())
    )


# ---------------------------------------------------------------------------------------------
# The same at two sizes of a synthetic province (projects.synthetic): realistic shapes rather than
# one focal row, from 16 projects to 64 (4× the projects, 2.7× the zones, 2× the months), with the
# lists read a page at a time.

SYNTHETIC_SIZES = (
    SyntheticSpec(zones=3, projects=16, months=4, seed=1, end=date(2026, 10, 1)),
    SyntheticSpec(zones=8, projects=64, months=8, seed=1, end=date(2026, 10, 1)),
)
AS_OF = "2026-10"
SYNTHETIC_CHANGELISTS = ["zone", "enterprise", "project", "milestone", "portfolio", "portfolioentry"]
SYNTHETIC_CHANGELISTS.append("indicatorvalue")


@dataclass
class Province:
    root: object
    county: object  # the zone with the most projects
    project: object  # its project with the most milestones, on a list and with figures
    portfolio: object
    campaign: object
    superuser: object
    editor: object  # an editor of the province


def province() -> Province:
    root = Zone.objects.get(name=f"{SYNTHETIC_PREFIX}省")
    county = Zone.objects.annotate(n=Count("projects")).order_by("-n", "pk").first()
    superuser = UserFactory(username="province-chief", is_superuser=True)
    editor = UserFactory(username="province-editor")
    ZoneMembershipFactory(user=editor, zone=root, role=ZoneRole.EDITOR)
    return Province(
        root=root,
        county=county,
        project=county.projects.filter(portfolio_entries__isnull=False, indicator_values__isnull=False)
        .annotate(n=Count("milestones", distinct=True))
        .order_by("-n", "pk")
        .first(),
        portfolio=Portfolio.objects.filter(zone=county).order_by("pk").first(),
        campaign=Campaign.objects.order_by("-year", "pk").first(),
        superuser=superuser,
        editor=editor,
    )


SYNTHETIC: dict[str, Callable[[Province], tuple[str, str, dict]]] = {
    **{f"{r} list": get(f"/api/{r}/") for r in ["zones", "enterprises", "projects", "milestones"]},
    **{f"{r} list": get(f"/api/{r}/") for r in ["portfolios", "portfolio-entries", "indicator-values"]},
    "projects list filtered": get("/api/projects/", zone="{w.root.pk}", stage="{w.project.stage}"),
    "zone detail": get("/api/zones/{w.county.pk}/"),
    "project detail": get("/api/projects/{w.project.pk}/"),
    "portfolio detail": get("/api/portfolios/{w.portfolio.pk}/"),
    "campaign detail": get("/api/campaigns/{w.campaign.pk}/"),
    "progress report of the province": get("/api/reports/progress/", zone="{w.root.pk}", as_of=AS_OF),
    "progress report of a county": get("/api/reports/progress/", zone="{w.county.pk}", as_of=AS_OF),
    "campaign report": get("/api/campaigns/{w.campaign.pk}/report/", as_of=f"{AS_OF[:4]}-06"),
    **{f"admin {m} changelist": get(f"{A}/{m}/") for m in SYNTHETIC_CHANGELISTS},
    "admin project changelist filtered": get(f"{A}/project/", zone__id__exact="{w.county.pk}"),
    "admin project change": get(f"{A}/project/{{w.project.pk}}/change/"),
    "admin portfolio change": get(f"{A}/portfolio/{{w.portfolio.pk}}/change/"),
    "admin monthly sheet": get(f"{A}/zone/{{w.county.pk}}/monthly/{AS_OF[:4]}-{int(AS_OF[5:])}/"),
}
SYNTHETIC_CASES = [(who, name) for name in SYNTHETIC for who in ("superuser", "editor")]


def measure_province(place: Province) -> dict[tuple[str, str], Measured]:
    results = {}
    for who, name in SYNTHETIC_CASES:
        user = getattr(place, who)
        if name.startswith("admin"):
            client = Client()
            client.force_login(user)
        else:
            client = APIClient()
            client.force_authenticate(user)
        _, path, data = SYNTHETIC[name](place)
        client.get(path, data, secure=True)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, data, secure=True)
        results[(who, name)] = Measured(response.status_code, [q["sql"] for q in queries])
    return results


@pytest.fixture(scope="module")
def synthetic_counts(django_db_setup, django_db_blocker):
    """Each size generated in a savepoint, measured and rolled back (the generator refuses to add
    a second province to one database)."""
    measured = []
    with django_db_blocker.unblock():
        with transaction.atomic():
            for spec in SYNTHETIC_SIZES:
                with transaction.atomic():
                    generate(spec)
                    measured.append(measure_province(province()))
                    transaction.set_rollback(True)
            transaction.set_rollback(True)
    return measured


@pytest.mark.parametrize(
    ("who", "name"), SYNTHETIC_CASES, ids=[f"{who}: {name}" for who, name in SYNTHETIC_CASES]
)
def test_queries_do_not_grow_with_the_province(synthetic_counts, who, name):
    small, large = synthetic_counts[0][(who, name)], synthetic_counts[1][(who, name)]
    assert small.status == large.status == 200, (small.status, large.status)
    extra = shapes(large.queries) - shapes(small.queries)
    assert len(large.queries) == len(small.queries), (
        f"{len(small.queries)} queries at the small size, {len(large.queries)} at the large; "
        f"repeated at the large size:\n" + "\n".join(f"{n}× {sql[:400]}" for sql, n in extra.items())
    )


# ---------------------------------------------------------------------------------------------
# What the fixes must keep: each inline row's autocomplete shows its own chosen row, labelled.


@pytest.mark.django_db
def test_inline_rows_show_their_chosen_rows_fetched_at_once(staff_client):
    project = ProjectFactory()
    entries = [PortfolioEntryFactory(project=project, portfolio__zone=ZoneFactory()) for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(f"/admin/projects/project/{project.pk}/change/", secure=True)
    assert response.status_code == 200
    page = response.content.decode()
    for entry in entries:
        option = f'<option value="{entry.portfolio.pk}" selected>{entry.portfolio}</option>'
        assert option in page
    fetched = [q["sql"] for q in queries if q["sql"].startswith('SELECT "projects_portfolio"."id"')]
    assert len(fetched) == 1, fetched
