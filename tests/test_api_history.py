"""GET /api/<resource>/<id>/history/: every change of a record, newest first, with who, when,
why, and each field before and after; readable by those who may read the record, in a constant
number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.models import Project, ZoneRole
from tests.factories import (
    IndicatorValueFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    ReportScheduleFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db


def client_of(zone, name: str, role: str = ZoneRole.EDITOR) -> APIClient:
    user = UserFactory(username=name)
    ZoneMembershipFactory(user=user, zone=zone, role=role)
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def zone():
    return ZoneFactory(name="赣县区")


@pytest.fixture
def project(zone):
    """A project created and changed twice through the API by an editor of 赣县区."""
    wang = client_of(zone, "wang")
    created = wang.post(
        "/api/projects/",
        {"zone": zone.pk, "name": "年产10万吨新材料项目", "change_reason": "5月新签约"},
        format="json",
    )
    assert created.status_code == 201, created.content
    address = f"/api/projects/{created.json()['id']}/"
    first = wang.patch(address, {"total_investment": "1000000000", "capacity": "年产10万吨"}, format="json")
    assert first.status_code == 200, first.content
    second = wang.patch(
        address, {"total_investment": "1200000000", "change_reason": "追加二期投资"}, format="json"
    )
    assert second.status_code == 200, second.content
    return Project.objects.get(pk=created.json()["id"])


def history(client: APIClient, project: Project, **params) -> dict:
    response = client.get(f"/api/projects/{project.pk}/history/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_history_lists_every_change_newest_first_with_who_when_and_why(zone, project):
    body = history(client_of(zone, "viewer", ZoneRole.VIEWER), project)
    assert body["count"] == 3
    entries = body["results"]
    assert [(e["type"], e["type_display"], e["version"]) for e in entries] == [
        ("changed", "修改", 3),
        ("changed", "修改", 2),
        ("created", "新增", 1),
    ]
    assert [e["user"] for e in entries] == ["wang", "wang", "wang"]
    assert [e["reason"] for e in entries] == ["追加二期投资", "", "5月新签约"]
    assert entries[0]["date"] >= entries[1]["date"] >= entries[2]["date"]
    assert entries[0]["history_id"] > entries[1]["history_id"] > entries[2]["history_id"]


def test_each_change_gives_the_fields_before_and_after(zone, project):
    latest, middle, created = history(client_of(zone, "viewer", ZoneRole.VIEWER), project)["results"]
    assert latest["changes"] == [
        {
            "field": "total_investment",
            "label": "总投资(元)",
            "before": "1000000000.00",
            "after": "1200000000.00",
        }
    ]
    assert [(c["field"], c["before"], c["after"]) for c in middle["changes"]] == [
        ("total_investment", None, "1000000000.00"),
        ("capacity", "", "年产10万吨"),
    ]
    created_fields = {c["field"]: (c["before"], c["after"]) for c in created["changes"]}
    assert created_fields["name"] == (None, "年产10万吨新材料项目")
    assert created_fields["zone"] == (None, zone.pk)  # related rows by id
    assert "capacity" not in created_fields  # left empty on creation
    assert "version" not in created_fields  # bookkeeping, not data


def test_the_last_entry_of_a_page_is_compared_with_the_entry_on_the_next_page(zone, project):
    viewer = client_of(zone, "viewer", ZoneRole.VIEWER)
    first_page = history(viewer, project, page_size=1)
    assert first_page["next"]
    assert [c["field"] for c in first_page["results"][0]["changes"]] == ["total_investment"]
    second_page = history(viewer, project, page_size=1, page=2)
    assert [c["field"] for c in second_page["results"][0]["changes"]] == ["total_investment", "capacity"]


def test_the_history_is_read_in_the_same_number_of_queries_however_long_it_is(zone, project):
    viewer = client_of(zone, "viewer", ZoneRole.VIEWER)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            history(viewer, project, page_size=100)
        return len(captured)

    short = queries()
    for number in range(12):
        project.capacity = f"年产{number}万吨"
        project.save()
    assert history(viewer, project)["count"] == 15
    assert queries() == short


def test_the_history_of_a_record_the_user_may_not_read_is_not_found(project):
    stranger = client_of(ZoneFactory(name="上饶经开区"), "stranger")
    response = stranger.get(f"/api/projects/{project.pk}/history/")
    assert response.status_code == 404
    assert "Not found" in response.json()["detail"]


def test_a_change_made_outside_the_api_has_no_user(zone):
    row = IndicatorValueFactory(zone=zone, value=Decimal("100000000"))
    row._change_reason = "统计局反馈更正"
    row.value = Decimal("120000000")
    row.save()
    viewer = client_of(zone, "viewer", ZoneRole.VIEWER)
    entries = viewer.get(f"/api/indicator-values/{row.pk}/history/").json()["results"]
    assert entries[0]["user"] is None
    assert entries[0]["reason"] == "统计局反馈更正"
    assert entries[0]["changes"] == [
        {"field": "value", "label": "数值", "before": "100000000.0000", "after": "120000000.0000"}
    ]


@pytest.mark.parametrize(
    "make, path",
    [
        (lambda zone: zone, "zones"),
        (lambda zone: MilestoneFactory(project__zone=zone), "milestones"),
        (lambda zone: PortfolioEntryFactory(portfolio__zone=zone).portfolio, "portfolios"),
        (lambda zone: PortfolioEntryFactory(portfolio__zone=zone), "portfolio-entries"),
        (lambda zone: IndicatorValueFactory(zone=zone), "indicator-values"),
        (lambda zone: ReportScheduleFactory(zone=zone), "report-schedules"),
    ],
)
def test_every_resource_with_a_history_answers_it(zone, make, path):
    row = make(zone)
    editor = client_of(zone, "wang")
    changed = editor.patch(f"/api/{path}/{row.pk}/", {"change_reason": "核对后修改"}, format="json")
    assert changed.status_code == 200, changed.content
    entries = editor.get(f"/api/{path}/{row.pk}/history/").json()["results"]
    assert [(e["type"], e["reason"], e["user"]) for e in entries] == [
        ("changed", "核对后修改", "wang"),
        ("created", "", None),
    ]
