"""No N+1 in the API: every list runs the same number of queries for 10 and for 100 rows, and a
single row the same number whatever the size of its nested lists (milestones, citations …)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.models import Zone, ZoneMembership, ZoneRole
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
    SourceDocumentFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/zones/",
    "/api/industries/",
    "/api/categories/",
    "/api/enterprises/",
    "/api/projects/",
    "/api/milestones/",
    "/api/portfolios/",
    "/api/portfolio-entries/",
    "/api/metrics/",
    "/api/indicator-values/",
    "/api/campaigns/",
    "/api/sources/",
    "/api/citations/",
]


def populate(n: int, province: Zone) -> None:
    """n complete sets of related rows below `province`, each fact cited."""
    for _ in range(n):
        document = SourceDocumentFactory()
        citation = CitationFactory(document=document)
        city = ZoneFactory(kind="city", parent=province)
        zone = ZoneFactory(parent=city, citations=[citation])
        zone.aliases.create(alias=f"{zone.name}别名")
        industry = IndustryFactory(citations=[citation])
        zone.industries.add(industry)
        enterprise = EnterpriseFactory(zone=zone, parent=EnterpriseFactory(zone=zone), citations=[citation])
        enterprise.industries.add(industry)
        project = ProjectFactory(zone=zone, enterprise=enterprise, citations=[citation])
        project.industries.add(industry)
        project.categories.add(ProjectCategoryFactory())
        MilestoneFactory(project=project, citations=[citation])
        MilestoneFactory(
            project=project, kind="production", actual_date=date(2022, 5, 1), actual_precision="month"
        )
        entry = PortfolioEntryFactory(project=project, portfolio__zone=zone, citations=[citation])
        metric = MetricFactory()
        IndicatorValueFactory(zone=zone, metric=metric, citations=[citation], rank=2, rank_scope="全市")
        IndicatorValueFactory(zone=None, portfolio=entry.portfolio, metric=metric, citations=[citation])
        IndicatorValueFactory(zone=None, project=project, metric=metric, citations=[citation])
        IndicatorValueFactory(zone=None, enterprise=enterprise, metric=metric, citations=[citation])
        CampaignFactory(zones=[zone, city], citations=[citation])


def list_queries(client: APIClient, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, (url, response.json())
    return len(queries), len(response.json()["results"])


@pytest.fixture
def viewer(django_user_model):
    """A user who reads everything through a viewer role in the province (access.readable)."""
    user = django_user_model.objects.create_user("viewer", password="pw-for-tests-only")
    return user


def test_lists_run_the_same_queries_for_10_and_100_rows(api_client, viewer):
    province = ZoneFactory(name="测试省", kind="province")
    ZoneMembership.objects.create(user=viewer, zone=province, role=ZoneRole.VIEWER)
    viewer_client = APIClient()
    viewer_client.force_authenticate(viewer)
    clients = {"superuser": api_client, "viewer": viewer_client}

    populate(10, province)
    small = {(who, url): list_queries(client, url) for who, client in clients.items() for url in LISTS}
    populate(90, province)
    large = {(who, url): list_queries(client, url) for who, client in clients.items() for url in LISTS}

    for key, (queries, rows) in small.items():
        large_queries, large_rows = large[key]
        assert rows >= 10, (key, rows)
        assert large_rows >= 100, (key, large_rows)
        assert large_queries == queries, (
            f"{key}: {queries} queries for {rows} rows, {large_queries} for {large_rows}"
        )


def detail_queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.json())
    return len(queries)


def test_a_single_row_runs_the_same_queries_whatever_its_nested_lists(api_client):
    def rows(size: int) -> dict[str, str]:
        sentences = [f"第{i}句。" for i in range(size)]
        document = SourceDocumentFactory(text="".join(sentences))
        cited = [
            CitationFactory(document=document, start=document.text.index(quote), quote=quote)
            for quote in sentences
        ]
        zone = ZoneFactory(citations=cited)
        for _ in range(size):
            ZoneFactory(parent=zone)
            zone.industries.add(IndustryFactory())
        project = ProjectFactory(zone=zone, citations=cited)
        portfolio = PortfolioFactory(zone=zone, citations=cited)
        for number in range(size):
            MilestoneFactory(project=project, phase=f"{number}期", citations=cited)
            project.industries.add(IndustryFactory())
            PortfolioEntryFactory(portfolio=portfolio, project=ProjectFactory(zone=zone))
        campaign = CampaignFactory(zones=[zone, *zone.children.all()], citations=cited)
        value = IndicatorValueFactory(zone=zone, citations=cited)
        return {
            "zone": f"/api/zones/{zone.pk}/",
            "project": f"/api/projects/{project.pk}/",
            "milestone": f"/api/milestones/{project.milestones.first().pk}/",
            "portfolio": f"/api/portfolios/{portfolio.pk}/",
            "indicator value": f"/api/indicator-values/{value.pk}/",
            "campaign": f"/api/campaigns/{campaign.pk}/",
            "source": f"/api/sources/{document.pk}/",
            "citation": f"/api/citations/{cited[0].pk}/",
        }

    one, many = rows(1), rows(12)
    for name in one:
        assert detail_queries(api_client, one[name]) == detail_queries(api_client, many[name]), name
