"""The admin's large tables page without counting the whole table (projects/admin/paging.py).

The bound of the count is lowered to 5 here, so that a dozen rows stand for a province's 50,000:
below the bound the count is exact; above it an unfiltered list on PostgreSQL shows the planner's
estimate ("约 N 条"), a filtered one (or any on SQLite) "5 条以上". The same queries run at both
sizes, and no query counts the rows without a LIMIT.
"""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.admin.paging import LargeTablePaginator
from projects.models import ZoneRole
from tests.factories import (
    CitationFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db

BOUND = 5
LARGE_TABLES = ["project", "milestone", "indicatorvalue", "portfolioentry"]


@pytest.fixture(autouse=True)
def small_bound(monkeypatch):
    monkeypatch.setattr(LargeTablePaginator, "bound", BOUND)
    monkeypatch.setattr("projects.admin.projects.ProjectAdmin.list_per_page", 2)


def grow(zone, n: int) -> None:
    """n rows in each large table, in `zone`."""
    for _ in range(n):
        project = ProjectFactory(zone=zone)
        MilestoneFactory(project=project)
        PortfolioEntryFactory(project=project, portfolio__zone=zone)
        IndicatorValueFactory(zone=zone)


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum does on a live database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("projects_project", "projects_milestone"):
                cursor.execute(f"ANALYZE {table}")


def get_changelist(client, model_name: str, params: dict | None = None):
    url = reverse(f"admin:projects_{model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, (model_name, response.status_code)
    return response, [q["sql"] for q in queries]


def whole_counts(statements: list[str]) -> list[str]:
    """Counting queries without a LIMIT: they read every matching row."""
    return [sql for sql in statements if sql.startswith("SELECT COUNT(") and " LIMIT " not in sql]


@pytest.fixture
def editor_client(client):
    """A zone editor: their lists are always filtered (access.readable)."""
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=ZoneFactory(name="某市", kind="city"), role=ZoneRole.EDITOR)
    client.force_login(user)
    return client


# A search term each large table's rows of grow() match.
SEARCHES = {"project": "项目", "milestone": "项目", "indicatorvalue": "工业营收", "portfolioentry": "项目"}


@pytest.mark.parametrize("model_name", LARGE_TABLES)
@pytest.mark.parametrize("searched", [False, True], ids=["unfiltered", "searched"])
def test_changelist_runs_the_same_queries_below_and_above_the_bound(staff_client, model_name, searched):
    params = {"q": SEARCHES[model_name]} if searched else {}
    zone = ZoneFactory()
    grow(zone, 2)
    analyze()
    small, small_queries = get_changelist(staff_client, model_name, params)
    grow(zone, 10)
    analyze()
    large, large_queries = get_changelist(staff_client, model_name, params)

    assert small.context["cl"].result_count == 2
    assert large.context["cl"].result_count >= BOUND
    assert not large.context["cl"].paginator.exact
    assert len(large_queries) == len(small_queries), "\n".join(large_queries)
    assert whole_counts(small_queries + large_queries) == []


def test_an_editors_list_runs_the_same_queries_below_and_above_the_bound(editor_client):
    from projects.models import Zone

    city = Zone.objects.get(name="某市")
    grow(ZoneFactory(parent=city), 2)
    small, small_queries = get_changelist(editor_client, "project")
    grow(ZoneFactory(parent=city), 10)
    grow(ZoneFactory(), 3)  # another zone's rows, not shown
    large, large_queries = get_changelist(editor_client, "project")

    assert small.context["cl"].result_count == 2
    assert large.context["cl"].result_count == BOUND  # counted up to the bound only
    assert len(large_queries) == len(small_queries)
    assert whole_counts(small_queries + large_queries) == []
    assert f"{BOUND:,} 条以上" in large.text


def test_a_list_within_the_bound_is_counted_exactly(staff_client):
    grow(ZoneFactory(), 3)
    response, queries = get_changelist(staff_client, "project")
    paginator = response.context["cl"].paginator
    assert (response.context["cl"].result_count, paginator.exact, paginator.count_label) == (3, True, "")
    assert "3 项目" in re.sub(r"\s+", " ", response.text)
    assert response.context["cl"].full_result_count is None  # no second count of the whole table
    assert whole_counts(queries) == []


def test_a_large_unfiltered_list_shows_the_estimate_on_postgresql(staff_client):
    grow(ZoneFactory(), 12)
    analyze()
    response, queries = get_changelist(staff_client, "project", {"p": 3})
    cl = response.context["cl"]
    assert [p.pk for p in cl.result_list]  # a page beyond the first is there
    if connection.vendor == "postgresql":
        # The planner's estimate, from pg_class, and said to be one.
        assert any("pg_class" in sql for sql in queries)
        assert cl.paginator.estimated
        assert cl.result_count == 12
        assert "约 12 条" in response.text
    else:
        # SQLite keeps no estimate: the first pages of the bounded count.
        assert not any("pg_class" in sql for sql in queries)
        assert not cl.paginator.estimated
        assert cl.result_count == BOUND
        assert f"{BOUND:,} 条以上" in response.text
    assert not cl.paginator.exact


def test_a_filtered_list_beyond_the_bound_is_not_estimated(staff_client):
    grow(ZoneFactory(), 12)
    analyze()
    response, queries = get_changelist(staff_client, "project", {"stage__exact": "construction"})
    cl = response.context["cl"]
    assert not cl.paginator.estimated
    assert cl.result_count == BOUND
    assert not any("pg_class" in sql for sql in queries)
    assert f"{BOUND:,} 条以上" in response.text


# The page's counts are correlated subqueries (computed for the page's rows), the count query
# reads keys only, and the zone filter lists the readable zones, not DISTINCT over the projects.


def page_query(statements: list[str]) -> str:
    return next(sql for sql in statements if sql.startswith('SELECT "projects_project"."id"'))


@time_machine.travel(date(2023, 6, 1))
def test_project_counts_are_subqueries_and_still_sort_and_filter(staff_client, monkeypatch):
    monkeypatch.setattr("projects.admin.projects.ProjectAdmin.list_per_page", 100)
    zone = ZoneFactory()
    ProjectFactory(zone=zone, name="甲", citations=[CitationFactory(), CitationFactory()])
    late = ProjectFactory(zone=zone, name="乙")
    MilestoneFactory(project=late, kind="trial", planned_date=date(2023, 3, 1))
    MilestoneFactory(project=late, kind="production", planned_date=date(2023, 1, 1))
    MilestoneFactory(project=late, kind="start", planned_date=date(2024, 1, 1))  # not late
    ProjectFactory(zone=zone, name="丙")
    response, queries = get_changelist(staff_client, "project")
    rows = {p.name: (p.late_milestones, p.citation_count) for p in response.context["cl"].result_list}
    assert rows == {"甲": (0, 2), "乙": (2, 0), "丙": (0, 0)}
    assert 'GROUP BY "projects_project"."id"' not in page_query(queries)  # not grouped over the joins
    count = next(sql for sql in queries if sql.startswith("SELECT COUNT("))
    assert "projects_milestone" not in count and "citations" not in count

    columns = list(response.context["cl"].list_display)
    for field, first in (("late_count", "乙"), ("citation_count", "甲")):
        ordered, _ = get_changelist(staff_client, "project", {"o": f"-{columns.index(field)}"})
        assert ordered.context["cl"].result_list[0].name == first, field
    for value, names in (("yes", ["乙"]), ("no", ["丙", "甲"])):
        filtered, _ = get_changelist(staff_client, "project", {"late": value})
        assert sorted(p.name for p in filtered.context["cl"].result_list) == names, value


def test_zone_filter_lists_the_readable_zones_without_reading_the_projects(editor_client):
    from projects.models import Zone

    city = Zone.objects.get(name="某市")
    district = ZoneFactory(name="某区", parent=city)
    ZoneFactory(name="无项目的区", parent=city)
    ZoneFactory(name="别市")  # not the editor's
    grow(district, 2)
    response, queries = get_changelist(editor_client, "project")
    zone_filter = next(f for f in response.context["cl"].filter_specs if f.field_path == "zone")
    assert sorted(name for _pk, name in zone_filter.lookup_choices) == ["无项目的区", "某区", "某市"]
    assert not any("DISTINCT" in sql for sql in queries)
