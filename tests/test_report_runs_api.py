"""/api/report-schedules/, /api/report-runs/ and /reports/runs/<id>/: zone-scoped like the rest."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from projects.models import Campaign, Portfolio, ReportRun, ReportSchedule, Zone, ZoneRole

from .factories import ReportScheduleFactory
from .test_report_api import member_api

SCHEDULES = "/api/report-schedules/"
RUNS = "/api/report-runs/"


def zone_id(name: str) -> int:
    return Zone.objects.get(name=name).pk


# ---------------------------------------------------------------------------------------------
# Schedules


def test_the_issue_example_with_a_sensible_due_day(seeded, superuser_api):
    response = superuser_api.post(
        SCHEDULES,
        {
            "zone": zone_id("赣县区"),
            "cadence": "monthly",
            "formats": ["html", "xlsx", "pdf"],
            "recipients": ["leader@example.com"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["due_day"] is None and body["effective_due_day"] == 5
    assert body["scope_kind"] == "zone" and body["zone_name"] == "赣县区"
    assert body["display_name"] == "赣县区 调度通报(月报)"
    assert body["active"] is True and body["next_due"]
    schedule = ReportSchedule.objects.get()
    assert (schedule.formats, schedule.recipients) == (["html", "xlsx", "pdf"], ["leader@example.com"])


def test_formats_default_to_all_three_and_quarterly_to_the_tenth(seeded, superuser_api):
    response = superuser_api.post(SCHEDULES, {"zone": "赣县区", "cadence": "quarterly"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["formats"] == ["html", "xlsx", "pdf"]
    assert response.json()["effective_due_day"] == 10


def test_portfolio_and_campaign_scopes_take_their_zone(seeded, superuser_api):
    portfolio = Portfolio.objects.get(name="市级工业倍增升级重点调度项目")
    response = superuser_api.post(SCHEDULES, {"portfolio": portfolio.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["scope_kind"], response.json()["zone"]) == ("portfolio", portfolio.zone_id)
    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    response = superuser_api.post(SCHEDULES, {"campaign": campaign.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["scope_kind"], response.json()["zone"]) == ("campaign", None)


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({}, "zone", "scope_required"),
        ({"zone": "赣县区", "cadence": "monthly", "due_day": 31}, "due_day", "due_day_range"),
        ({"zone": "赣县区", "cadence": "weekly", "due_day": 9}, "due_day", "due_day_range"),
        ({"zone": "赣县区", "formats": ["doc"]}, "formats.0", "invalid_choice"),
        ({"zone": "赣县区", "formats": []}, "formats", "formats_required"),
        ({"zone": "赣县区", "recipients": ["not-an-address"]}, "recipients.0", "invalid"),
        ({"zone": "赣县区", "cadence": "daily"}, "cadence", "invalid_choice"),
        ({"zone": "不存在区"}, "zone", "unknown_zone"),
    ],
)
def test_bad_schedules_get_a_structured_400(seeded, superuser_api, payload, field, code):
    response = superuser_api.post(SCHEDULES, payload, format="json")
    assert response.status_code == 400, response.json()
    errors = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert (field, code) in errors, response.json()
    assert all(e["message"] and e["message_en"] for e in response.json()["errors"])
    assert not ReportSchedule.objects.exists()


def test_schedules_are_zone_scoped(seeded, django_user_model):
    ReportScheduleFactory(zone=Zone.objects.get(name="赣县区"))
    ReportScheduleFactory(zone=Zone.objects.get(name="上饶经开区"))
    editor = member_api(django_user_model, "上饶市", ZoneRole.EDITOR)
    listed = editor.get(SCHEDULES).json()["results"]
    assert [s["zone_name"] for s in listed] == ["上饶经开区"]
    refused = editor.post(SCHEDULES, {"zone": "赣县区"}, format="json")
    assert refused.status_code == 400  # a zone the editor may not read: unknown to them
    assert [e["code"] for e in refused.json()["errors"]] == ["unknown_zone"]
    assert editor.post(SCHEDULES, {"zone": "上饶经开区"}, format="json").status_code == 201
    viewer = member_api(django_user_model, "上饶市")
    assert viewer.post(SCHEDULES, {"zone": "上饶经开区"}, format="json").status_code == 403
    assert ReportSchedule.objects.count() == 3


# ---------------------------------------------------------------------------------------------
# Runs


def test_an_on_demand_run_lists_downloads_and_shows(seeded, superuser_api, client, django_user_model):
    response = superuser_api.post(RUNS, {"zone": "赣县区", "as_of": "2022-05"}, format="json")
    assert response.status_code == 201, response.json()
    run = response.json()
    assert (run["status"], run["schedule"], run["period_display"], run["as_of"]) == (
        "done",
        None,
        "2022年5月",
        "2022-05",
    )
    assert sorted(f["format"] for f in run["files"]) == ["html", "pdf", "xlsx"]
    listed = superuser_api.get(RUNS).json()
    assert [r["id"] for r in listed["results"]] == [run["id"]]

    xlsx = superuser_api.get(f"{RUNS}{run['id']}/files/xlsx/")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    book = load_workbook(BytesIO(xlsx.content))
    assert len(book.worksheets) >= 5
    pdf = superuser_api.get(f"{RUNS}{run['id']}/files/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    missing = superuser_api.get(f"{RUNS}{run['id']}/files/docx/")
    assert missing.status_code == 404
    assert (
        missing.json()["detail"] == "该报告没有docx格式的文件 / The report has no file in the format 'docx'."
    )

    # The HTML page for logged-in users with the zone; others are sent to log in or refused.
    page = f"/reports/runs/{run['id']}/"
    assert client.get(page).status_code == 302
    viewer = django_user_model.objects.create_user("gx-viewer", password="pw-for-tests-only")
    viewer.zone_memberships.create(zone=Zone.objects.get(name="赣县区"), role=ZoneRole.VIEWER)
    client.force_login(viewer)
    shown = client.get(page)
    assert shown.status_code == 200
    assert "70.12" in shown.content.decode() and "<svg" in shown.content.decode()
    stranger = django_user_model.objects.create_user("sr-viewer", password="pw-for-tests-only")
    stranger.zone_memberships.create(zone=Zone.objects.get(name="上饶市"), role=ZoneRole.VIEWER)
    client.force_login(stranger)
    assert client.get(page).status_code == 404


def test_runs_cannot_be_edited_or_deleted(seeded, superuser_api):
    run = superuser_api.post(RUNS, {"zone": "赣县区", "as_of": "2022-05", "formats": ["html"]}, format="json")
    url = f"{RUNS}{run.json()['id']}/"
    assert superuser_api.patch(url, {"status": "failed"}, format="json").status_code == 405
    assert superuser_api.delete(url).status_code == 405
    assert ReportRun.objects.get().status == "done"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"zone": "赣县区"}, "as_of"),
        ({"zone": "赣县区", "as_of": "2022-13"}, "as_of"),
        ({"as_of": "2022-05"}, "zone"),
        ({"zone": "赣县区", "as_of": "2022-05", "formats": ["doc"]}, "formats.0"),
        ({"zone": "赣县区", "as_of": "2022-05", "recipients": ["x"]}, "recipients.0"),
    ],
)
def test_bad_run_requests_get_a_structured_400(seeded, superuser_api, payload, field):
    response = superuser_api.post(RUNS, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not ReportRun.objects.exists()


def test_viewers_and_other_zones_cannot_request_runs(seeded, django_user_model):
    viewer = member_api(django_user_model, "赣县区")
    assert viewer.post(RUNS, {"zone": "赣县区", "as_of": "2022-05"}, format="json").status_code == 403
    editor = member_api(django_user_model, "上饶市", ZoneRole.EDITOR)
    assert editor.post(RUNS, {"zone": "赣县区", "as_of": "2022-05"}, format="json").status_code == 400
    assert not ReportRun.objects.exists()


def test_run_list_query_count_does_not_grow_with_runs(seeded, superuser_api):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert superuser_api.get(RUNS).status_code == 200
        return len(queries)

    superuser_api.post(RUNS, {"zone": "赣县区", "as_of": "2022-05", "formats": ["html"]}, format="json")
    one = count()
    for month in ("2022-01", "2022-02", "2022-03", "2022-04"):
        superuser_api.post(
            RUNS, {"zone": "赣县区", "as_of": month, "formats": ["html", "xlsx"]}, format="json"
        )
    assert ReportRun.objects.count() == 5
    assert count() == one
