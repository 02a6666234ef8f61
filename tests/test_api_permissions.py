"""The API's permissions matrix: role × zone × method on projects, milestones and indicator values.

Zones: 上级市 > 本区 > 下级园, and 他区 elsewhere. Roles are relative to 本区. A refused write
answers 403 with a bilingual reason, 404 when the row is not even readable, and 400 when it names
a zone or project the user may not read (exactly as one that does not exist); it writes nothing.
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from projects.models import IndicatorValue, Milestone, Project, SourceDocument, Zone, ZoneRole
from projects.tokens import api_token_create
from tests.factories import (
    CampaignFactory,
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db

ZONES = ("own", "sub", "other")
ROLES = ("superuser", "editor", "parent_editor", "other_editor", "viewer", "nobody", "anonymous")
READS = {
    "superuser": {"own", "sub", "other"},
    "editor": {"own", "sub"},
    "parent_editor": {"own", "sub"},
    "other_editor": {"other"},
    "viewer": {"own", "sub"},
    "nobody": set(),
}
EDITS = {**READS, "viewer": set(), "nobody": set()}
NOT_AUTHENTICATED = "身份认证信息未提供。 / Authentication credentials were not provided."
TOP_LEVEL = (
    "只有超级管理员可以新建、移动或删除顶级区域 / Only superusers may create, move or delete a top-level zone"
)
NO_EDITOR_ROLE = "您没有任何区域的编辑权限,只能查看 / You have no editor role in any zone: read-only access"
RESOURCES = ("projects", "milestones", "indicator-values")
MODELS = {"projects": Project, "milestones": Milestone, "indicator-values": IndicatorValue}


@pytest.fixture
def world(db):
    city = ZoneFactory(name="上级市", kind="city")
    own = ZoneFactory(name="本区", parent=city)
    zones = {
        "own": own,
        "sub": ZoneFactory(name="下级园", parent=own, kind="park"),
        "other": ZoneFactory(name="他区"),
    }
    metric = MetricFactory(code="industrial_revenue", name="工业营收")
    rows = {}
    for key, zone in zones.items():
        project = ProjectFactory(zone=zone, name=f"{zone.name}项目", description="原简介")
        rows[key] = {
            "projects": project,
            "milestones": MilestoneFactory(project=project, note="原备注"),
            "indicator-values": IndicatorValueFactory(zone=zone, metric=metric, note="原备注"),
        }
    return {"zones": {**zones, "city": city}, "rows": rows, "metric": metric}


def client_for(role: str, world) -> APIClient:
    client = APIClient()
    if role == "anonymous":
        return client
    user = UserFactory(is_superuser=role == "superuser")
    member_of = {
        "editor": ("own", ZoneRole.EDITOR),
        "parent_editor": ("city", ZoneRole.EDITOR),
        "other_editor": ("other", ZoneRole.EDITOR),
        "viewer": ("own", ZoneRole.VIEWER),
    }
    if role in member_of:
        key, zone_role = member_of[role]
        ZoneMembershipFactory(user=user, zone=world["zones"][key], role=zone_role)
    client.force_login(user)
    return client


def new_row(resource: str, target: str, world) -> dict:
    zone = world["zones"][target]
    if resource == "projects":
        return {"zone": zone.pk, "name": "新建项目", "stage": "construction"}
    if resource == "milestones":
        project = world["rows"][target]["projects"]
        return {
            "project": project.pk,
            "kind": "production",
            "planned_date": "2023-01-01",
            "planned_precision": "month",
        }
    return {
        "zone": zone.pk,
        "metric": world["metric"].code,
        "year": 2022,
        "start_month": 1,
        "end_month": 6,
        "kind": "actual",
        "value": "200000000.00",
        "scale": 100000000,
        "currency": "CNY",
    }


CHANGE = {
    "projects": ("description", "原简介"),
    "milestones": ("note", "原备注"),
    "indicator-values": ("note", "原备注"),
}


def zone_refusal(name: str) -> str:
    return f"您没有修改“{name}”数据的权限 / You may not change data of zone {name}"


def expected_refusal(role: str, target: str, method: str, world) -> tuple[int, str | None] | None:
    """None when the write is allowed, else (status, the reason in detail or None)."""
    if role == "anonymous":
        return 403, NOT_AUTHENTICATED
    if role in ("viewer", "nobody"):
        return 403, NO_EDITOR_ROLE
    if target in EDITS[role]:
        return None
    if target not in READS[role]:  # the row is not readable; a new row names what is not
        return (404, None) if method != "POST" else (400, UNKNOWN)
    return 403, zone_refusal(world["zones"][target].name)


UNKNOWN = "请求数据有误 / Invalid request data"


def assert_unknown(response, field: str, missing) -> None:
    """A 400 on `field`, the same as the answer to `missing` (a request naming a row that does
    not exist): the user learns nothing of the row they may not read."""
    assert response.status_code == 400, response.content.decode()
    errors = {error["field"]: error["code"] for error in response.json()["errors"]}
    expected = {error["field"]: error["code"] for error in missing.json()["errors"]}
    assert errors == expected
    assert field in errors


def snapshot(model) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields]
    return list(model.objects.order_by("pk").values_list(*fields))


def assert_refused(response, expected: tuple[int, str | None]) -> None:
    status, message = expected
    assert response.status_code == status, response.content.decode()
    detail = response.json()["detail"]
    if message:
        assert detail == message
    else:
        assert detail


# ---------------------------------------------------------------------------------------------
# Reads


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_readable_zones(world, role, resource):
    response = client_for(role, world).get(f"/api/{resource}/", {"page_size": 100})
    if role == "anonymous":
        assert_refused(response, (403, NOT_AUTHENTICATED))
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world["rows"][zone][resource].pk for zone in READS[role]}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("target", ZONES)
@pytest.mark.parametrize("role", ROLES)
def test_retrieve_answers_404_outside_the_readable_zones(world, role, target, resource):
    row = world["rows"][target][resource]
    response = client_for(role, world).get(f"/api/{resource}/{row.pk}/")
    if role == "anonymous":
        assert_refused(response, (403, NOT_AUTHENTICATED))
    elif target in READS[role]:
        assert response.status_code == 200
        assert response.json()["id"] == row.pk
    else:
        assert response.status_code == 404


def test_anonymous_reads_everything_when_reads_are_public(world, settings):
    settings.API_READ_PUBLIC = True
    response = APIClient().get("/api/projects/")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {"本区项目", "下级园项目", "他区项目"}
    refused = APIClient().post("/api/projects/", new_row("projects", "own", world), format="json")
    assert refused.status_code == 403
    assert Project.objects.count() == 3


# ---------------------------------------------------------------------------------------------
# Writes


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("target", ZONES)
@pytest.mark.parametrize("role", ROLES)
def test_create(world, role, target, resource):
    model = MODELS[resource]
    before = snapshot(model)
    response = client_for(role, world).post(
        f"/api/{resource}/", new_row(resource, target, world), format="json"
    )
    refusal = expected_refusal(role, target, "POST", world)
    if refusal is None:
        assert response.status_code == 201, response.content.decode()
        assert model.objects.count() == len(before) + 1
    else:
        assert_refused(response, refusal)
        assert snapshot(model) == before


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("target", ZONES)
@pytest.mark.parametrize("role", ROLES)
def test_update(world, role, target, resource):
    model, row = MODELS[resource], world["rows"][target][resource]
    field, old = CHANGE[resource]
    before = snapshot(model)
    response = client_for(role, world).patch(f"/api/{resource}/{row.pk}/", {field: "改过"}, format="json")
    refusal = expected_refusal(role, target, "PATCH", world)
    if refusal is None:
        assert response.status_code == 200, response.content.decode()
        assert getattr(model.objects.get(pk=row.pk), field) == "改过"
    else:
        assert_refused(response, refusal)
        assert getattr(model.objects.get(pk=row.pk), field) == old
        assert snapshot(model) == before


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("target", ZONES)
@pytest.mark.parametrize("role", ROLES)
def test_delete(world, role, target, resource):
    model, row = MODELS[resource], world["rows"][target][resource]
    before = snapshot(model)
    response = client_for(role, world).delete(f"/api/{resource}/{row.pk}/")
    refusal = expected_refusal(role, target, "DELETE", world)
    if refusal is None:
        assert response.status_code == 204, response.content.decode()
        assert not model.objects.filter(pk=row.pk).exists()
    else:
        assert_refused(response, refusal)
        assert snapshot(model) == before


# ---------------------------------------------------------------------------------------------
# Particular refusals


def test_editor_cannot_move_a_project_to_another_zone(world):
    project = world["rows"]["own"]["projects"]
    client = client_for("editor", world)
    response = client.patch(
        f"/api/projects/{project.pk}/",
        {"zone": world["zones"]["other"].pk, "description": "搬走"},
        format="json",
    )
    missing = client.patch(
        f"/api/projects/{project.pk}/", {"zone": 99999, "description": "搬走"}, format="json"
    )
    assert_unknown(response, "zone", missing)
    up = client.patch(f"/api/projects/{project.pk}/", {"zone": world["zones"]["city"].pk}, format="json")
    assert_unknown(up, "zone", missing)  # the city above is not the editor's to read either
    project.refresh_from_db()
    assert (project.zone.name, project.description) == ("本区", "原简介")


def test_editor_of_a_sub_zone_cannot_pull_a_project_down_from_the_parent(world):
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=world["zones"]["sub"], role=ZoneRole.EDITOR)
    client = APIClient()
    client.force_login(user)
    project = world["rows"]["own"]["projects"]
    response = client.patch(f"/api/projects/{project.pk}/", {"zone": world["zones"]["sub"].pk}, format="json")
    assert response.status_code == 404  # the parent zone's rows are not even readable
    project.refresh_from_db()
    assert project.zone.name == "本区"


def test_viewer_who_edits_elsewhere_is_told_the_zone_is_read_only(world):
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=world["zones"]["own"], role=ZoneRole.VIEWER)
    ZoneMembershipFactory(user=user, zone=world["zones"]["other"], role=ZoneRole.EDITOR)
    client = APIClient()
    client.force_login(user)
    value = world["rows"]["own"]["indicator-values"]
    response = client.patch(f"/api/indicator-values/{value.pk}/", {"value": "1.00"}, format="json")
    assert_refused(response, (403, "您对“本区”只有只读权限 / You have read-only access to zone 本区"))
    value.refresh_from_db()
    assert value.value == Decimal("15756000000")


def test_milestone_cannot_be_added_to_another_zones_project(world):
    client = client_for("other_editor", world)
    response = client.post("/api/milestones/", new_row("milestones", "own", world), format="json")
    missing = client.post(
        "/api/milestones/", {**new_row("milestones", "own", world), "project": 99999}, format="json"
    )
    assert_unknown(response, "project", missing)
    assert Milestone.objects.filter(kind="production").count() == 0


def test_project_without_a_zone_is_created_by_superusers_only(world):
    response = client_for("editor", world).post("/api/projects/", {"name": "未注明区域的项目"}, format="json")
    assert_refused(
        response,
        (403, "未注明区域的数据只有超级管理员可以修改 / Only superusers may change data without a zone"),
    )
    assert not Project.objects.filter(name="未注明区域的项目").exists()
    created = client_for("superuser", world).post(
        "/api/projects/", {"name": "未注明区域的项目"}, format="json"
    )
    assert created.status_code == 201


def test_token_holders_have_their_zone_roles(world):
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=world["zones"]["other"], role=ZoneRole.EDITOR)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    project = world["rows"]["own"]["projects"]
    assert client.get(f"/api/projects/{project.pk}/").status_code == 404
    assert_refused(
        client.post("/api/projects/", new_row("projects", "own", world), format="json"), (400, UNKNOWN)
    )
    assert (
        client.patch(
            f"/api/projects/{world['rows']['other']['projects'].pk}/", {"stage": "production"}
        ).status_code
        == 200
    )


def test_metrics_are_written_by_superusers_only(world):
    payload = {"code": "tax", "name": "工业税收", "unit_kind": "amount", "flow_or_stock": "flow"}
    response = client_for("editor", world).post("/api/metrics/", payload, format="json")
    refusal = "只有超级管理员可以修改指标 / Only superusers may change records of “Indicator”"
    assert_refused(response, (403, refusal))
    assert client_for("superuser", world).post("/api/metrics/", payload, format="json").status_code == 201


def test_editor_creates_a_sub_zone_but_not_a_top_level_zone(world):
    client = client_for("editor", world)
    created = client.post(
        "/api/zones/", {"name": "新片区", "kind": "cluster", "parent": world["zones"]["own"].pk}
    )
    assert created.status_code == 201, created.content.decode()
    top = client.post("/api/zones/", {"name": "新顶级区", "kind": "county"}, format="json")
    assert_refused(
        top,
        (403, TOP_LEVEL),
    )
    assert sorted(Zone.objects.values_list("name", flat=True)) == [
        "上级市",
        "下级园",
        "他区",
        "新片区",
        "本区",
    ]


def test_editor_edits_their_zone_but_cannot_move_it(world):
    client = client_for("editor", world)
    own = world["zones"]["own"]
    assert (
        client.patch(f"/api/zones/{own.pk}/", {"description": "改了说明"}, format="json").status_code == 200
    )
    moved = client.patch(f"/api/zones/{own.pk}/", {"parent": world["zones"]["other"].pk}, format="json")
    missing = client.patch(f"/api/zones/{own.pk}/", {"parent": 99999}, format="json")
    assert_unknown(moved, "parent", missing)
    own.refresh_from_db()
    assert (own.parent.name, own.description) == ("上级市", "改了说明")


def test_campaign_is_changed_only_by_editors_of_all_its_zones(world):
    campaign = CampaignFactory(name="强攻二季度、确保双过半", zones=[world["zones"]["own"]])
    client = client_for("editor", world)
    assert (
        client.patch(f"/api/campaigns/{campaign.pk}/", {"description": "本区冲刺"}, format="json").status_code
        == 200
    )
    widened = client.patch(
        f"/api/campaigns/{campaign.pk}/",
        {"zones": [world["zones"]["own"].pk, world["zones"]["other"].pk]},
        format="json",
    )
    missing = client.patch(
        f"/api/campaigns/{campaign.pk}/", {"zones": [world["zones"]["own"].pk, 99999]}, format="json"
    )
    assert_unknown(widened, "zones", missing)
    assert list(campaign.zones.values_list("name", flat=True)) == ["本区"]
    downward = client.patch(
        f"/api/campaigns/{campaign.pk}/",
        {"zones": [world["zones"]["own"].pk, world["zones"]["sub"].pk]},
        format="json",
    )
    assert downward.status_code == 200  # a zone below is the editor's too
    assert sorted(campaign.zones.values_list("name", flat=True)) == ["下级园", "本区"]


def test_sources_are_added_by_editors_and_deleted_by_superusers(world):
    payload = {"key": "county-report", "title": "县区月报", "text": "1-5月完成投资58.33亿元。"}
    client = client_for("editor", world)
    created = client.post("/api/sources/", payload, format="json")
    assert created.status_code == 201, created.content.decode()
    refused = client.delete(f"/api/sources/{created.json()['id']}/")
    assert_refused(
        refused,
        (403, "只有超级管理员可以删除来源文档 / Only superusers may delete records of “Source document”"),
    )
    assert SourceDocument.objects.filter(key="county-report").exists()
    viewer = client_for("viewer", world).post("/api/sources/", {**payload, "key": "other"}, format="json")
    assert_refused(
        viewer,
        (
            403,
            "至少在一个区域拥有编辑权限才能修改来源文档 / "
            "Only users with an editor role in some zone may change records of “Source document”",
        ),
    )
