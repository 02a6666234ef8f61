"""Two people editing the same record through the API: the second write, made on a version that
is no longer current, is refused with a clear message in both languages (If-Match → 412, a
`version` in the body → 409) and leaves the first person's change in place."""

import re

import pytest
from django.db import connection
from rest_framework.test import APIClient

from projects.api.exceptions import exception_handler
from projects.models import STALE_MESSAGE, Project, StaleVersion, ZoneRole
from tests.factories import (
    IndicatorValueFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    ProjectFactory,
    ReportScheduleFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def editor_of(zone, name: str) -> APIClient:
    user = UserFactory(username=name)
    ZoneMembershipFactory(user=user, zone=zone, role=ZoneRole.EDITOR)
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def project():
    return ProjectFactory(zone=ZoneFactory(name="赣县区"), name="年产10万吨新材料项目")


@pytest.fixture
def clients(project):
    return editor_of(project.zone, "wang"), editor_of(project.zone, "li")


def url(project: Project) -> str:
    return f"/api/projects/{project.pk}/"


def assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    chinese, english = body["detail"].split(" / ", 1)
    assert CJK.search(chinese) and not CJK.search(english), body


def test_the_second_of_two_edits_made_on_the_same_version_is_refused_with_412(project, clients):
    wang, li = clients
    read_by_wang, read_by_li = wang.get(url(project)), li.get(url(project))
    assert read_by_wang["ETag"] == read_by_li["ETag"] == '"1"'

    first = wang.patch(
        url(project), {"capacity": "年产12万吨"}, format="json", HTTP_IF_MATCH=read_by_wang["ETag"]
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] == '"2"'
    assert first.json()["version"] == 2

    second = li.patch(
        url(project), {"capacity": "年产8万吨"}, format="json", HTTP_IF_MATCH=read_by_li["ETag"]
    )
    assert_refused(second, 412, "precondition_failed")
    project.refresh_from_db()
    assert (project.capacity, project.version) == ("年产12万吨", 2)
    assert project.history.count() == 2  # created, and wang's change: nothing of li's


def test_a_stale_version_in_the_body_is_refused_with_409_and_the_stale_message(project, clients):
    wang, li = clients
    seen_by_li = li.get(url(project)).json()["version"]
    assert wang.patch(url(project), {"capacity": "年产12万吨"}, format="json").status_code == 200

    second = li.patch(url(project), {"capacity": "年产8万吨", "version": seen_by_li}, format="json")
    assert_refused(second, 409, "stale_version")
    assert second.json()["detail"].startswith(str(STALE_MESSAGE))
    project.refresh_from_db()
    assert (project.capacity, project.version) == ("年产12万吨", 2)


def test_the_current_version_in_the_body_or_if_match_lets_the_write_through(project, clients):
    wang, _li = clients
    by_version = wang.put(
        url(project), {"name": project.name, "capacity": "年产11万吨", "version": 1}, format="json"
    )
    assert by_version.status_code == 200, by_version.content
    by_etag = wang.patch(url(project), {"capacity": "年产13万吨"}, format="json", HTTP_IF_MATCH='"0", "2"')
    assert by_etag.status_code == 200, by_etag.content
    project.refresh_from_db()
    assert (project.capacity, project.version) == ("年产13万吨", 3)


def test_if_match_star_matches_any_version(project, clients):
    wang, _li = clients
    project.capacity = "年产9万吨"
    project.save()  # someone else's save: version 2

    response = wang.patch(url(project), {"capacity": "年产12万吨"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"3"'


def test_a_weak_etag_never_matches(project, clients):
    wang, _li = clients
    response = wang.patch(url(project), {"capacity": "年产12万吨"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert_refused(response, 412, "precondition_failed")


def test_a_write_without_if_match_or_version_goes_ahead_on_the_version_it_read(project, clients):
    wang, _li = clients
    project.capacity = "年产9万吨"
    project.save()

    response = wang.patch(url(project), {"capacity": "年产12万吨"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 3


def test_the_etag_follows_the_version_on_reads_creates_and_writes(project, clients):
    wang, _li = clients
    created = wang.post(
        "/api/milestones/", {"project": project.pk, "kind": "start", "phase": "一期"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    milestone = f"/api/milestones/{created.json()['id']}/"
    wang.patch(milestone, {"note": "已完成摘地"}, format="json")
    read = wang.get(milestone)
    assert read["ETag"] == '"2"'
    assert read.json()["version"] == 2
    assert "ETag" not in wang.get("/api/milestones/")  # a list has no single version


def test_a_delete_with_a_stale_if_match_is_refused_and_deletes_nothing(project, clients):
    wang, li = clients
    etag = li.get(url(project))["ETag"]
    assert wang.patch(url(project), {"capacity": "年产12万吨"}, format="json").status_code == 200

    refused = li.delete(url(project), HTTP_IF_MATCH=etag)
    assert_refused(refused, 412, "precondition_failed")
    assert Project.objects.filter(pk=project.pk).exists()

    deleted = li.delete(url(project), HTTP_IF_MATCH='"2"')
    assert deleted.status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()


def test_a_save_that_loses_the_race_with_another_save_is_refused_with_409(project, clients):
    """Both read version 1; the other save lands between this request's read and its save.

    The other save runs on the test's one connection, inside the request's transaction, so the
    refusal rolls it back with the request: what counts is that this request saved nothing."""
    wang, _li = clients
    landed = []

    def another_save_lands_first(execute, sql, params, many, context):
        if not landed and sql.startswith("UPDATE") and "version" in sql:
            landed.append(True)
            other = Project.objects.get(pk=project.pk)
            other.capacity = "年产9万吨"
            other.save()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(another_save_lands_first):
        response = wang.patch(url(project), {"capacity": "年产12万吨"}, format="json", HTTP_IF_MATCH='"1"')
    assert landed
    assert_refused(response, 409, "stale_version")
    project.refresh_from_db()
    assert project.capacity != "年产12万吨"


def test_the_stale_version_exception_is_a_bilingual_409():
    response = exception_handler(StaleVersion(Project(name="项目")), {})
    assert response.status_code == 409
    assert response.data == {
        "detail": response.data["detail"],
        "code": "stale_version",
    }
    assert response.data["detail"].startswith(str(STALE_MESSAGE) + " / Someone else has changed")


@pytest.mark.parametrize(
    "make, path",
    [
        (lambda zone: MilestoneFactory(project__zone=zone), "milestones"),
        (lambda zone: PortfolioEntryFactory(portfolio__zone=zone).portfolio, "portfolios"),
        (lambda zone: PortfolioEntryFactory(portfolio__zone=zone), "portfolio-entries"),
        (lambda zone: IndicatorValueFactory(zone=zone), "indicator-values"),
        (lambda zone: ReportScheduleFactory(zone=zone), "report-schedules"),
    ],
)
def test_every_versioned_resource_honours_if_match(make, path):
    zone = ZoneFactory()
    row = make(zone)
    wang, li = editor_of(zone, "wang"), editor_of(zone, "li")
    address = f"/api/{path}/{row.pk}/"
    etag = li.get(address)["ETag"]
    assert etag == f'"{row.version}"'
    assert wang.patch(address, {}, format="json").status_code == 200  # a save: one more version

    refused = li.patch(address, {}, format="json", HTTP_IF_MATCH=etag)
    assert_refused(refused, 412, "precondition_failed")
    assert type(row).objects.get(pk=row.pk).version == row.version + 1


def test_the_headers_and_the_refusals_are_documented(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/projects/{id}/", "/api/report-schedules/{id}/"):
        patch = schema["paths"][path]["patch"]
        assert "If-Match" in {p["name"] for p in patch["parameters"] if p["in"] == "header"}
        assert {"409", "412"} <= set(patch["responses"])
        assert "ETag" in patch["responses"]["200"]["headers"]
        assert "ETag" in schema["paths"][path]["get"]["responses"]["200"]["headers"]
        assert "412" in schema["paths"][path]["delete"]["responses"]
    zone = schema["paths"]["/api/zones/{id}/"]["patch"]  # not versioned: no If-Match
    assert "If-Match" not in {p["name"] for p in zone["parameters"]}
