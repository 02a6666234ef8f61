"""Restatements (更正) through the API: a figure of a locked month is never changed in place; the
correction is a new value that `restates` the old one, with its reason. Lists show the current
values unless asked for the replaced ones too; a replaced value stays readable by its id."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from projects.models import IndicatorValue
from projects.money import AmountScale
from tests.factories import IndicatorValueFactory, MetricFactory, ZoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_june_2022():
    """May 2022 was locked on 10 June."""
    with time_machine.travel(date(2022, 6, 15), tick=False):
        yield


@pytest.fixture
def reported():
    """赣县区's industrial revenue of January to May, entered before the month was locked."""
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10)
    metric = MetricFactory(code="industrial_revenue", name="工业营收")
    return IndicatorValueFactory(
        zone=zone, metric=metric, year=2022, start_month=1, end_month=5, value=Decimal("15756000000")
    )


def restate(api_client, original: IndicatorValue, **fields):
    payload = {
        "restates": original.pk,
        "value": "15800000000",
        "restatement_reason": "统计局反馈更正",
        **fields,
    }
    return api_client.post("/api/indicator-values/", payload, format="json")


def test_a_locked_figure_is_not_changed_in_place(api_client, reported):
    response = api_client.patch(
        f"/api/indicator-values/{reported.pk}/", {"value": "15800000000"}, format="json"
    )
    assert response.status_code == 400
    assert [error["code"] for error in response.json()["errors"]] == ["locked_month"]
    reported.refresh_from_db()
    assert reported.value == Decimal("15756000000")


def test_a_restatement_takes_the_original_figure_and_names_it(api_client, reported):
    response = restate(api_client, reported)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["restates"] == reported.pk
    assert body["restatement_reason"] == "统计局反馈更正"
    assert body["restated_by"] is None
    assert (body["zone"], body["metric"], body["period_display"], body["kind"]) == (
        reported.zone_id,
        "industrial_revenue",
        "2022年1-5月",
        "actual",
    )
    assert (body["scale"], body["currency"], body["value_display"]) == (AmountScale.YI, "CNY", "158亿元")

    replaced = api_client.get(f"/api/indicator-values/{reported.pk}/")
    assert replaced.status_code == 200  # still readable by its id
    assert replaced.json()["restated_by"] == body["id"]
    assert replaced.json()["value"] == "15756000000.0000"


def test_lists_show_the_current_values_unless_the_replaced_ones_are_asked_for(api_client, reported):
    correction = restate(api_client, reported).json()["id"]
    current = api_client.get("/api/indicator-values/", {"zone": "赣县区"}).json()
    assert [row["id"] for row in current["results"]] == [correction]

    everything = api_client.get("/api/indicator-values/", {"zone": "赣县区", "include_restated": 1}).json()
    assert {row["id"]: row["restated_by"] for row in everything["results"]} == {
        reported.pk: correction,
        correction: None,
    }


def test_a_restatement_of_another_figure_is_refused(api_client, reported):
    response = restate(api_client, reported, period="2022年1-4月")
    assert response.status_code == 400
    errors = {error["field"]: error for error in response.json()["errors"]}
    assert errors["end_month"]["code"] == "restatement_mismatch"
    assert errors["end_month"]["message"] == "更正数值的主体、指标、时段和数值类型须与原数值一致"
    assert errors["end_month"]["message_en"].startswith("A restatement has the subject, metric, period")

    other_zone = restate(api_client, reported, zone=ZoneFactory().pk)
    assert {error["code"] for error in other_zone.json()["errors"]} == {"restatement_mismatch"}
    assert IndicatorValue.objects.count() == 1


def test_a_figure_is_restated_once_then_its_restatement_is_restated(api_client, reported):
    first = restate(api_client, reported).json()["id"]
    again = restate(api_client, reported, value="15900000000")
    assert again.status_code == 400
    assert [error["field"] for error in again.json()["errors"]] == ["restates"]

    second = restate(api_client, IndicatorValue.objects.get(pk=first), value="15900000000")
    assert second.status_code == 201, second.content
    assert list(IndicatorValue.objects.current().values_list("value", flat=True)) == [Decimal("15900000000")]
