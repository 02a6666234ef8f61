"""The validation rules in admin forms: each message shows its rule id, an error blocks the save,
a warning asks for confirmation (“确认以上警告并保存”), and a target changed after its year
began needs the page's 变更原因, which the history keeps."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from projects.models import IndicatorValue, Milestone, PortfolioEntry, Project
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    PortfolioEntryFactory,
    ProjectFactory,
    ZoneFactory,
)
from tests.test_admin_permissions import change_form_data

pytestmark = pytest.mark.django_db

YI = "100000000"
CHECKBOX = '<input type="checkbox" name="confirm_warnings"'


def add_url(model_name: str) -> str:
    return reverse(f"admin:projects_{model_name}_add")


def change_url(obj) -> str:
    return reverse(f"admin:projects_{obj._meta.model_name}_change", args=[obj.pk])


def page_data(client, url: str) -> dict:
    """The POST data of the form as the page shows it."""
    return change_form_data(client.get(url))


def errors_of(response) -> list[str]:
    form = response.context["adminform"].form
    return [message for messages in form.errors.values() for message in messages]


def test_an_error_shows_its_rule_id_and_nothing_is_saved(staff_client):
    project = ProjectFactory()
    response = staff_client.post(
        add_url("milestone"),
        {"project": project.pk, "kind": "start", "actual_date": "2999-01-01", "actual_precision": "day"},
    )
    assert response.status_code == 200
    assert any(
        message.startswith("[actual_date_in_future] 实际日期2999年1月1日晚于今天")
        for message in errors_of(response)
    )
    assert CHECKBOX not in response.content.decode()  # an error is not confirmed, it is corrected
    assert not Milestone.objects.exists()


def test_an_error_cannot_be_confirmed_away(staff_client):
    project = ProjectFactory()
    data = {
        "project": project.pk,
        "kind": "start",
        "actual_date": "2999-01-01",
        "actual_precision": "day",
        "confirm_warnings": "on",
    }
    response = staff_client.post(add_url("milestone"), data)
    assert response.status_code == 200
    assert "[actual_date_in_future]" in response.content.decode()
    assert not Milestone.objects.exists()


def test_project_dates_in_the_wrong_order_name_their_rule(staff_client):
    data = page_data(staff_client, add_url("project"))
    data.update(
        {
            "zone": ZoneFactory().pk,
            "name": "计划颠倒的项目",
            "stage": "construction",
            "planned_start": "2023-06-01",
            "planned_start_precision": "month",
            "planned_finish": "2023-01-01",
            "planned_finish_precision": "month",
        }
    )
    response = staff_client.post(add_url("project"), data)
    assert response.status_code == 200
    assert "[finish_before_start] 计划竣工/投产(2023年1月)早于计划开工(2023年6月)" in errors_of(response)
    assert not Project.objects.filter(name="计划颠倒的项目").exists()


@pytest.fixture
def revenue_history():
    """A zone's revenue of 12亿元 a year for 2019–2021: about 1亿元 a month."""
    zone = ZoneFactory(name="南康区")
    metric = MetricFactory(name="工业营收")
    for year in (2019, 2020, 2021):
        IndicatorValueFactory(
            zone=zone, metric=metric, year=year, start_month=1, end_month=12, value=Decimal("1200000000")
        )
    return zone, metric


def outlier_data(client, zone, metric) -> dict:
    data = page_data(client, add_url("indicatorvalue"))
    data.update(
        {
            "zone": zone.pk,
            "metric": metric.pk,
            "year": "2022",
            "start_month": "1",
            "end_month": "5",
            "kind": "actual",
            "value": "500",
            "scale": YI,
            "currency": "CNY",
        }
    )
    return data


@time_machine.travel(date(2022, 6, 5))  # May is still open for entry
def test_a_warning_asks_for_confirmation_then_saves(staff_client, revenue_history):
    zone, metric = revenue_history
    data = outlier_data(staff_client, zone, metric)

    response = staff_client.post(add_url("indicatorvalue"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "[outlier] 警告:南康区工业营收2022年1-5月为500亿元,按月折算为历史中位数的100倍" in page
    assert CHECKBOX in page
    assert "确认以上警告并保存" in page
    assert not IndicatorValue.objects.filter(year=2022).exists()

    data["confirm_warnings"] = "on"
    response = staff_client.post(add_url("indicatorvalue"), data)
    assert response.status_code == 302
    assert IndicatorValue.objects.get(year=2022).value == Decimal("50000000000")


@time_machine.travel(date(2022, 6, 5))
def test_without_a_warning_there_is_nothing_to_confirm(staff_client, revenue_history):
    zone, metric = revenue_history
    data = outlier_data(staff_client, zone, metric)
    data["value"] = "5.2"
    page = staff_client.get(add_url("indicatorvalue")).content.decode()
    assert CHECKBOX not in page
    assert staff_client.post(add_url("indicatorvalue"), data).status_code == 302


@time_machine.travel(date(2022, 6, 5))
def test_a_warning_of_an_inline_row_is_confirmed_by_the_page(staff_client):
    project = ProjectFactory(total_investment=Decimal("100000000000"))
    metric = MetricFactory(name="完成投资额")
    for year in (2019, 2020, 2021):
        IndicatorValueFactory(
            zone=None, project=project, metric=metric, year=year, end_month=12, value=Decimal("1200000000")
        )
    data = page_data(staff_client, change_url(project))
    index = int(data["indicator_values-TOTAL_FORMS"])
    data["indicator_values-TOTAL_FORMS"] = str(index + 1)
    row = {"metric": metric.pk, "year": "2022", "start_month": "1", "end_month": "5", "kind": "actual"}
    row |= {"value": "500", "scale": YI, "currency": "CNY"}
    data.update({f"indicator_values-{index}-{name}": value for name, value in row.items()})

    response = staff_client.post(change_url(project), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "[outlier] 警告:" in page
    assert CHECKBOX in page  # on the project's form: one confirmation for the whole page
    assert not project.indicator_values.filter(year=2022).exists()

    data["confirm_warnings"] = "on"
    assert staff_client.post(change_url(project), data).status_code == 302
    assert project.indicator_values.get(year=2022).value == Decimal("50000000000")


@time_machine.travel(date(2022, 3, 1))
def test_a_target_changed_after_its_year_began_needs_a_reason_kept_in_the_history(staff_client):
    target = IndicatorValueFactory(
        kind="target", year=2022, start_month=1, end_month=12, value=Decimal(10**10)
    )
    data = page_data(staff_client, change_url(target))
    data["value"] = "120"

    response = staff_client.post(change_url(target), data)
    assert response.status_code == 200
    assert "[target_change_without_reason] 2022年已开始,修改目标值(原为100亿元)须填写变更原因" in errors_of(
        response
    )
    target.refresh_from_db()
    assert target.value == Decimal(10**10)

    data["change_reason"] = "市里下达的任务调增"
    assert staff_client.post(change_url(target), data).status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal("12000000000")
    assert target.history.first().history_change_reason == "市里下达的任务调增"


@time_machine.travel(date(2022, 3, 1))
def test_the_pages_reason_reaches_its_inline_rows(staff_client):
    entry = PortfolioEntryFactory(planned_investment=Decimal("300000000"))
    portfolio = entry.portfolio
    data = page_data(staff_client, change_url(portfolio))
    prefix = next(key for key, value in data.items() if key.endswith("-id") and value == str(entry.pk))
    prefix = prefix.removesuffix("-id")
    data[f"{prefix}-planned_investment"] = "4"

    response = staff_client.post(change_url(portfolio), data)
    assert response.status_code == 200
    assert "[target_change_without_reason] 2022年已开始,修改年度计划投资(原为3亿元)须填写变更原因" in (
        response.content.decode()
    )

    data["change_reason"] = "项目调整为二期同步建设"
    assert staff_client.post(change_url(portfolio), data).status_code == 302
    entry = PortfolioEntry.objects.get(pk=entry.pk)
    assert entry.planned_investment == Decimal("400000000")
    assert entry.history.first().history_change_reason == "项目调整为二期同步建设"
    assert portfolio.history.first().history_change_reason == "项目调整为二期同步建设"
