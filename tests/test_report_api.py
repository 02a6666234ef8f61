"""GET /api/reports/progress/ and /api/campaigns/<id>/report/: figures, errors, access, queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.models import Campaign, Zone, ZoneMembership, ZoneRole

from .factories import CampaignFactory
from .test_progress_report import tracked_zone

PROGRESS = "/api/reports/progress/"


def member_api(django_user_model, zone_name: str, role: str = ZoneRole.VIEWER) -> APIClient:
    user = django_user_model.objects.create_user(f"{role}-{zone_name}", password="pw-for-tests-only")
    ZoneMembership.objects.create(user=user, zone=Zone.objects.get(name=zone_name), role=role)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_reference_report_over_the_api(seeded, superuser_api):
    response = superuser_api.get(PROGRESS, {"zone": "赣县区", "as_of": "2022-05"})
    assert response.status_code == 200
    data = response.json()
    assert data["time_progress"]["value"] == 41.67
    portfolio = next(p for p in data["portfolios"] if p["name"] == "市级工业倍增升级重点调度项目")
    assert (portfolio["completion"], portfolio["ahead_of_schedule"], portfolio["start_rate"]) == (
        70.12,
        28.45,
        95.65,
    )
    checks = {c["measure"]: (c["stated"], c["computed"]) for c in portfolio["stated_vs_computed"]}
    assert checks["completion_rate"] == (70.11, 70.12)
    assert checks["ahead_of_schedule"] == (28.44, 28.45)


def test_zone_by_id_and_day_basis(seeded, superuser_api):
    zone = Zone.objects.get(name="赣县区")
    data = superuser_api.get(PROGRESS, {"zone": zone.pk, "as_of": "2022-05", "basis": "day"}).json()
    assert data["zone"] == {"id": zone.pk, "name": "赣县区"}
    assert data["time_progress"]["code"] == "day"
    assert data["time_progress"]["value"] == 41.37


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"zone": "火星开发区", "as_of": "2022-05"}, "zone", "未找到区域“火星开发区”"),
        ({"zone": "999999", "as_of": "2022-05"}, "zone", "区域编号 999999 不存在"),
        ({"zone": "赣县区", "as_of": "2022-13"}, "as_of", "2022-13"),
        ({"zone": "赣县区", "as_of": "五月"}, "as_of", "五月"),
        ({"zone": "赣县区"}, "as_of", ""),
        ({"as_of": "2022-05"}, "zone", ""),
        ({"zone": "赣县区", "as_of": "2022-05", "basis": "week"}, "basis", "week"),
    ],
)
def test_bad_report_parameters_get_a_structured_400(seeded, superuser_api, params, field, message):
    response = superuser_api.get(PROGRESS, params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert message in errors[0]["message"]
    assert errors[0]["message_en"] and errors[0]["message_en"] != errors[0]["message"]


def test_reports_need_a_login_unless_reading_is_public(seeded, settings):
    anonymous = APIClient()
    params = {"zone": "赣县区", "as_of": "2022-05"}
    assert anonymous.get(PROGRESS, params).status_code in (401, 403)
    settings.API_READ_PUBLIC = True
    assert anonymous.get(PROGRESS, params).status_code == 200


def test_a_member_reads_reports_of_their_zones_only(seeded, django_user_model):
    viewer = member_api(django_user_model, "上饶市")
    assert viewer.get(PROGRESS, {"zone": "上饶经开区", "as_of": "2023-09"}).status_code == 200
    refused = viewer.get(PROGRESS, {"zone": "赣县区", "as_of": "2022-05"})
    missing = viewer.get(PROGRESS, {"zone": "无此区", "as_of": "2022-05"})
    assert refused.status_code == missing.status_code == 400  # as for a zone that does not exist
    assert [e["code"] for e in refused.json()["errors"]] == [e["code"] for e in missing.json()["errors"]]


def test_campaign_report_ranks_the_zones_at_the_checkpoint(seeded, superuser_api):
    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    response = superuser_api.get(f"/api/campaigns/{campaign.pk}/report/")
    assert response.status_code == 200
    data = response.json()
    assert data["as_of"] == "2022-06"
    assert data["required_share"] == 50
    assert [(z["rank"], z["zone"]["name"]) for z in data["zones"]] == [(1, "赣县区"), (None, "上饶经开区")]
    assert data["zones"][0]["items"][0]["completion"] == 70.12


def test_campaign_report_as_of_an_earlier_month_and_outside_its_year(seeded, superuser_api):
    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    assert (
        superuser_api.get(f"/api/campaigns/{campaign.pk}/report/", {"as_of": "2022-05"}).json()["as_of"]
        == "2022-05"
    )
    response = superuser_api.get(f"/api/campaigns/{campaign.pk}/report/", {"as_of": "2021-05"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "as_of"
    assert superuser_api.get("/api/campaigns/999999/report/").status_code == 404


def test_campaign_report_shows_a_member_only_their_zones(seeded, django_user_model):
    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    viewer = member_api(django_user_model, "赣县区")
    data = viewer.get(f"/api/campaigns/{campaign.pk}/report/").json()
    assert [z["zone"]["name"] for z in data["zones"]] == ["赣县区"]
    outsider = member_api(django_user_model, "南昌经开区")
    assert outsider.get(f"/api/campaigns/{campaign.pk}/report/").status_code == 404


@pytest.mark.django_db
def test_report_endpoint_query_count_does_not_grow_with_projects(superuser_api):
    def queries(zone: Zone) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert superuser_api.get(PROGRESS, {"zone": zone.pk, "as_of": "2022-05"}).status_code == 200
        return len(captured)

    assert queries(tracked_zone(2)) == queries(tracked_zone(25))


@pytest.mark.django_db
def test_campaign_endpoint_query_count_does_not_grow_with_zones(superuser_api):
    def queries(zones: int) -> int:
        campaign = CampaignFactory(zones=[tracked_zone(3) for _ in range(zones)])
        with CaptureQueriesContext(connection) as captured:
            assert superuser_api.get(f"/api/campaigns/{campaign.pk}/report/").status_code == 200
        return len(captured)

    assert queries(2) == queries(5)
