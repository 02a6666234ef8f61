"""The validation rules (projects/rules/) in API writes: each finding is an ordinary bilingual
400 whose code is the rule id, with its severity; a warning blocks the write until the client
confirms it, and a target changed after its year began needs a reason, which the history keeps.

Every rule of the registry is tried here, one case each (the list is checked against RULES)."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from projects.models import IndicatorValue, Milestone, PortfolioEntry, Project
from projects.money import AmountScale
from projects.rules import RULES
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    ProjectFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def mid_june_2022():
    """May 2022 is being reported; the year's targets are set."""
    with time_machine.travel(date(2022, 6, 15), tick=False):
        yield


def finding(response, rule_id: str) -> dict:
    """The one error of a 400 that carries the rule's finding, checked for its shape."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"] == "请求数据有误 / Invalid request data"
    found = [error for error in body["errors"] if error["code"] == rule_id]
    assert len(found) == 1, body
    error = found[0]
    assert set(error) == {"field", "code", "message", "message_en", "severity"}
    assert error["severity"] == RULES[rule_id].severity.value
    assert CJK.search(error["message"]), error
    assert re.search(r"[A-Za-z]{3,}", error["message_en"]), error
    return error


def completed_investment():
    return MetricFactory(code="completed_investment", name="完成投资", unit_kind="amount")


def ytd(project: Project, end_month: int, yi: str, **fields) -> dict:
    """A year-to-date completed investment of the project, as a request body."""
    return {
        "project": project.pk,
        "metric": "completed_investment",
        "period": f"2022年1-{end_month}月",
        "value": str(Decimal(yi) * AmountScale.YI),
        "scale": AmountScale.YI,
        "currency": "CNY",
        **fields,
    }


# ---------------------------------------------------------------------------------------------
# One case per rule: the request that breaks it, and the error expected


def investment_decreases(api_client):
    project = ProjectFactory(total_investment=Decimal("5000000000"))
    completed_investment()
    assert api_client.post("/api/indicator-values/", ytd(project, 4, "2"), format="json").status_code == 201
    response = api_client.post("/api/indicator-values/", ytd(project, 5, "1.5"), format="json")
    assert IndicatorValue.objects.count() == 1
    return response, {
        "field": "value",
        "message": "2022年1-5月累计完成投资1.5亿元少于2022年1-4月已报的2亿元:同一年度内的累计值不能减少",
        "message_en": (
            "Completed investment of 2022年1-5月 (1.5亿元) is less than the 2亿元 already reported for "
            "2022年1-4月: a year-to-date figure never decreases within a year."
        ),
    }


def investment_over_total(api_client):
    project = ProjectFactory(name="光伏玻璃项目", total_investment=Decimal("1000000000"))
    completed_investment()
    response = api_client.post("/api/indicator-values/", ytd(project, 5, "12"), format="json")
    assert not IndicatorValue.objects.exists()
    return response, {
        "field": "value",
        "message": "光伏玻璃项目2022年1-5月累计完成投资12亿元超过项目总投资10亿元",
        "message_en": (
            "Completed investment of 光伏玻璃项目 for 2022年1-5月 (12亿元) exceeds the project's total "
            "investment (10亿元)."
        ),
    }


def unit_mismatch(api_client):
    metric = MetricFactory(name="工业营收", unit_kind="amount")
    payload = {"zone": ZoneFactory().pk, "metric": metric.code, "period": "2022年1-5月", "value": "1000"}
    response = api_client.post("/api/indicator-values/", payload, format="json")
    assert not IndicatorValue.objects.exists()
    return response, {
        "field": "scale",
        "message": "指标“工业营收”以金额计,不能不选金额单位(元、万元、亿元)",
        "message_en": (
            "The metric “工业营收” is an amount; the value cannot be given without a unit of money "
            "(yuan, 10,000 yuan or 100 million yuan)."
        ),
    }


def outlier(api_client):
    zone = ZoneFactory(name="赣县区")
    metric = MetricFactory(name="工业营收", unit_kind="amount")
    for month in (1, 2, 3):
        IndicatorValueFactory(zone=zone, metric=metric, start_month=1, end_month=month, value=month * 10**8)
    payload = {
        "zone": zone.pk,
        "metric": metric.code,
        "period": "2022年1-4月",
        "value": str(400 * 10**8),
        "scale": AmountScale.YI,
        "currency": "CNY",
    }
    response = api_client.post("/api/indicator-values/", payload, format="json")
    assert IndicatorValue.objects.count() == 3
    return response, {
        "field": "value",
        "message": "赣县区工业营收2022年1-4月为400亿元,按月折算为历史中位数的100倍,请核对单位和数值",
        "message_en": (
            "工业营收 of 赣县区 for 2022年1-4月 is 400亿元: per month, 100 times the median of its "
            "history. Check the unit and the figure."
        ),
    }


def target_change_without_reason(api_client):
    target = IndicatorValueFactory(kind="target", start_month=1, end_month=12, value=Decimal("20000000000"))
    response = api_client.patch(
        f"/api/indicator-values/{target.pk}/", {"value": "25000000000"}, format="json"
    )
    target.refresh_from_db()
    assert target.value == Decimal("20000000000")
    return response, {
        "field": "value",
        "message": "2022年已开始,修改目标值(原为200亿元)须填写变更原因",
        "message_en": (
            "2022 has begun: changing the Target value (was 200亿元) needs a reason for the change."
        ),
    }


def locked_month(api_client):
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10)
    metric = MetricFactory(unit_kind="amount")
    payload = {
        "zone": zone.pk,
        "metric": metric.code,
        "period": "2022年1-5月",
        "value": "100000000",
        "scale": AmountScale.YI,
        "currency": "CNY",
    }
    response = api_client.post("/api/indicator-values/", payload, format="json")
    assert not IndicatorValue.objects.exists()
    return response, {
        "field": "value",
        "message": (
            "赣县区2022年5月的数据已于2022年6月10日截止锁定,不能直接补报;请新增更正数值并填写更正原因,"
            "或请管理员重新开放"
        ),
        "message_en": (
            "赣县区's figures for 2022-5 were locked after 2022-6-10: they cannot be added in place. "
            "Add a restatement with its reason, or ask an administrator to reopen the month."
        ),
    }


def restatement_without_reason(api_client):
    original = IndicatorValueFactory()
    response = api_client.post(
        "/api/indicator-values/", {"restates": original.pk, "value": "15800000000"}, format="json"
    )
    assert IndicatorValue.objects.count() == 1
    return response, {
        "field": "restatement_reason",
        "message": "更正2022年1-5月的数值须填写更正原因",
        "message_en": "A restatement of the figure for 2022年1-5月 needs its reason.",
    }


def finish_before_start(api_client):
    payload = {
        "zone": ZoneFactory().pk,
        "name": "年产10万吨新材料项目",
        "planned_start": "2022-07-01",
        "planned_start_precision": "half",
        "planned_finish": "2022-03-01",
        "planned_finish_precision": "month",
    }
    response = api_client.post("/api/projects/", payload, format="json")
    assert not Project.objects.exists()
    return response, {
        "field": "planned_finish",
        "message": "计划竣工/投产(2022年3月)早于计划开工(2022年下半年)",
        "message_en": "The planned finish (2022年3月) is before the planned start (2022年下半年).",
    }


def actual_date_in_future(api_client):
    payload = {
        "project": ProjectFactory().pk,
        "kind": "production",
        "actual_date": "2022-07-01",
        "actual_precision": "day",
    }
    response = api_client.post("/api/milestones/", payload, format="json")
    assert not Milestone.objects.exists()
    return response, {
        "field": "actual_date",
        "message": "实际日期2022年7月1日晚于今天(2022-06-15);尚未发生的节点请填计划日期",
        "message_en": (
            "The actual date 2022年7月1日 is after today (2022-06-15); give a milestone not yet reached "
            "a planned date."
        ),
    }


def production_before_start(api_client):
    project = ProjectFactory(name="光伏玻璃项目")
    MilestoneFactory(project=project, kind="start", actual_date=date(2022, 5, 1), actual_precision="month")
    payload = {
        "project": project.pk,
        "kind": "production",
        "actual_date": "2022-03-01",
        "actual_precision": "month",
    }
    response = api_client.post("/api/milestones/", payload, format="json")
    assert Milestone.objects.count() == 1
    return response, {
        "field": "actual_date",
        "message": "光伏玻璃项目投产(2022年3月)早于开工(2022年5月)",
        "message_en": "光伏玻璃项目: production (2022年3月) is before the start of construction (2022年5月).",
    }


CASES = {
    "investment_decreases": investment_decreases,
    "investment_over_total": investment_over_total,
    "unit_mismatch": unit_mismatch,
    "outlier": outlier,
    "target_change_without_reason": target_change_without_reason,
    "locked_month": locked_month,
    "restatement_without_reason": restatement_without_reason,
    "finish_before_start": finish_before_start,
    "actual_date_in_future": actual_date_in_future,
    "production_before_start": production_before_start,
}


def test_every_rule_has_its_case_here():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule_id", list(CASES))
def test_a_rule_finding_is_a_400_with_the_rule_id_severity_and_both_languages(api_client, rule_id):
    response, expected = CASES[rule_id](api_client)
    error = finding(response, rule_id)
    assert {key: error[key] for key in expected} == expected


# ---------------------------------------------------------------------------------------------
# Warnings and reasons


def test_an_outlier_is_saved_once_the_warning_is_confirmed_in_the_query(api_client):
    outlier(api_client)
    payload = {
        "zone": IndicatorValue.objects.first().zone_id,
        "metric": IndicatorValue.objects.first().metric.code,
        "period": "2022年1-4月",
        "value": str(400 * 10**8),
        "scale": AmountScale.YI,
        "currency": "CNY",
    }
    response = api_client.post("/api/indicator-values/?confirm_warnings=1", payload, format="json")
    assert response.status_code == 201, response.content
    assert IndicatorValue.objects.filter(value=Decimal(400 * 10**8)).count() == 1


def test_an_outlier_is_saved_once_the_warning_is_confirmed_in_the_body(api_client):
    outlier(api_client)
    value = IndicatorValue.objects.first()
    payload = {
        "zone": value.zone_id,
        "metric": value.metric.code,
        "period": "2022年1-4月",
        "value": str(400 * 10**8),
        "scale": AmountScale.YI,
        "currency": "CNY",
        "confirm_warnings": True,
    }
    response = api_client.post("/api/indicator-values/", payload, format="json")
    assert response.status_code == 201, response.content
    assert "confirm_warnings" not in response.json()  # write only


def test_confirming_warnings_does_not_let_an_error_through(api_client):
    investment_over_total(api_client)
    project = Project.objects.get()
    confirmed = api_client.post(
        "/api/indicator-values/?confirm_warnings=1", ytd(project, 5, "12"), format="json"
    )
    finding(confirmed, "investment_over_total")


def test_an_unreadable_confirmation_is_a_400(api_client):
    project = ProjectFactory()
    response = api_client.patch(f"/api/projects/{project.pk}/?confirm_warnings=maybe", {}, format="json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["confirm_warnings"]


def test_a_target_changed_with_a_reason_is_saved_and_the_history_keeps_the_reason(api_client):
    target = IndicatorValueFactory(kind="target", start_month=1, end_month=12, value=Decimal("20000000000"))
    response = api_client.patch(
        f"/api/indicator-values/{target.pk}/",
        {"value": "25000000000", "change_reason": "市里下达的年度目标调整为250亿元"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert "change_reason" not in response.json()  # write only
    target.refresh_from_db()
    assert target.value == Decimal("25000000000")
    latest = target.history.latest()
    assert latest.history_change_reason == "市里下达的年度目标调整为250亿元"
    assert latest.history_user.username == "api-admin"


@time_machine.travel(date(2021, 12, 20), tick=False)
def test_a_target_changed_before_its_year_needs_no_reason(api_client):
    target = IndicatorValueFactory(kind="target", start_month=1, end_month=12, value=Decimal("20000000000"))
    response = api_client.patch(
        f"/api/indicator-values/{target.pk}/", {"value": "25000000000"}, format="json"
    )
    assert response.status_code == 200, response.content


def test_a_planned_investment_changed_during_its_year_needs_a_reason(api_client):
    entry = PortfolioEntryFactory(planned_investment=Decimal("300000000"))
    address = f"/api/portfolio-entries/{entry.pk}/"
    error = finding(
        api_client.patch(address, {"planned_investment": "500000000"}, format="json"),
        "target_change_without_reason",
    )
    assert error["field"] == "planned_investment"
    assert PortfolioEntry.objects.get().planned_investment == Decimal("300000000")

    changed = api_client.patch(
        address, {"planned_investment": "500000000", "change_reason": "项目追加投资"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert entry.history.latest().history_change_reason == "项目追加投资"


def test_a_reason_given_on_creation_is_kept(api_client):
    zone = ZoneFactory()
    response = api_client.post(
        "/api/projects/", {"zone": zone.pk, "name": "新签约项目", "change_reason": "6月新签约"}, format="json"
    )
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert project.history.get().history_change_reason == "6月新签约"
