"""Database constraints, validation and QuerySet filters of the domain model."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects import rules
from projects.models import IndicatorValue, Milestone, Project, Stage, Zone
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioFactory,
    ProjectFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db


def violates(factory, **kwargs) -> bool:
    try:
        with transaction.atomic():
            factory(**kwargs)
    except IntegrityError:
        return True
    return False


def test_negative_investment_is_refused_by_the_database():
    assert violates(ProjectFactory, total_investment=Decimal("-1"))


def test_project_name_is_unique_within_its_zone():
    zone = ZoneFactory()
    ProjectFactory(zone=zone, name="华创新材项目")
    assert violates(ProjectFactory, zone=zone, name="华创新材项目")
    assert not violates(ProjectFactory, zone=ZoneFactory(), name="华创新材项目")


def test_project_name_is_unique_among_projects_without_zone():
    ProjectFactory(zone=None, enterprise=None, name="EVOGO换电项目")
    assert violates(ProjectFactory, zone=None, enterprise=None, name="EVOGO换电项目")


def test_planned_finish_before_start_is_refused():
    assert violates(
        ProjectFactory,
        planned_start=date(2023, 1, 1),
        planned_start_precision="month",
        planned_finish=date(2022, 1, 1),
        planned_finish_precision="month",
    )


def test_dates_need_their_precision():
    assert violates(MilestoneFactory, planned_precision="")


def test_indicator_value_month_range_is_checked():
    assert violates(IndicatorValueFactory, start_month=6, end_month=5)
    assert violates(IndicatorValueFactory, end_month=13)
    assert not violates(IndicatorValueFactory, start_month=None, end_month=5)


def test_indicator_value_has_exactly_one_subject():
    zone = ZoneFactory()
    assert violates(IndicatorValueFactory, zone=zone, portfolio=PortfolioFactory(zone=zone))
    assert violates(IndicatorValueFactory, zone=None)


def test_share_is_a_percentage():
    assert violates(IndicatorValueFactory, share=Decimal("120"), share_scope="全市")


@time_machine.travel(date(2022, 6, 15))
def test_actual_milestone_date_in_the_future_is_invalid():
    milestone = MilestoneFactory.build(
        project=ProjectFactory(), actual_date=date(2022, 6, 16), actual_precision="day"
    )
    with pytest.raises(ValidationError) as error, rules.enforced(milestone, confirmed=False):
        milestone.full_clean()
    assert "actual_date" in error.value.message_dict


def test_fuzzy_dates_are_stored_as_the_first_day_of_their_period():
    milestone = MilestoneFactory.build(
        project=ProjectFactory(), planned_date=date(2023, 3, 15), planned_precision="month"
    )
    with pytest.raises(ValidationError) as error:
        milestone.full_clean()
    assert "planned_date" in error.value.message_dict


def test_zone_cannot_be_its_own_ancestor():
    top = ZoneFactory()
    child = ZoneFactory(parent=top)
    top.parent = child
    with pytest.raises(ValidationError):
        top.full_clean()


def test_amount_indicator_needs_a_scale():
    value = IndicatorValueFactory.build(zone=ZoneFactory(), metric=MetricFactory(), scale=None)
    with pytest.raises(ValidationError) as error, rules.enforced(value, confirmed=False):
        value.full_clean()
    assert "scale" in error.value.message_dict


def test_flow_indicator_needs_a_cumulative_period():
    value = IndicatorValueFactory.build(zone=ZoneFactory(), metric=MetricFactory(), start_month=None)
    with pytest.raises(ValidationError) as error:
        value.full_clean()
    assert "start_month" in error.value.message_dict


@time_machine.travel(date(2023, 4, 2))
def test_milestone_status_is_computed_by_the_database_as_in_python():
    project = ProjectFactory()
    MilestoneFactory(project=project, kind="signed", actual_date=date(2022, 1, 1), actual_precision="month")
    MilestoneFactory(project=project, kind="trial", planned_date=date(2023, 3, 1), planned_precision="month")
    MilestoneFactory(
        project=project, kind="production", planned_date=date(2023, 4, 1), planned_precision="quarter"
    )
    MilestoneFactory(project=project, kind="other", planned_date=None, planned_precision="")
    statuses = dict(Milestone.objects.with_status().values_list("kind", "status_code"))
    assert statuses == {"signed": "done", "trial": "late", "production": "due", "other": "unscheduled"}
    for milestone in Milestone.objects.with_status():
        assert milestone.status == milestone.status_code


@time_machine.travel(date(2023, 4, 2))
def test_projects_with_late_milestones_are_found_and_counted():
    late_project, on_time = ProjectFactory(), ProjectFactory()
    MilestoneFactory(project=late_project, kind="trial", planned_date=date(2023, 3, 1))
    MilestoneFactory(project=late_project, kind="production", planned_date=date(2023, 1, 1))
    MilestoneFactory(project=on_time, kind="trial", planned_date=date(2023, 4, 1))
    assert list(Project.objects.with_late_milestones()) == [late_project]
    counts = dict(Project.objects.with_late_milestone_count().values_list("pk", "late_milestones"))
    assert counts == {late_project.pk: 2, on_time.pk: 0}
    assert Milestone.objects.late().count() == 2


def test_projects_in_a_zone_include_its_subzones():
    city = ZoneFactory(kind="city")
    county = ZoneFactory(parent=city)
    township = ZoneFactory(parent=county, kind="township")
    inside = [ProjectFactory(zone=z) for z in (city, county, township)]
    ProjectFactory()
    assert set(Project.objects.in_zone(county)) == set(inside[1:])
    assert set(Project.objects.in_zone(city)) == set(inside)
    assert list(Project.objects.in_zone(county, with_subzones=False)) == [inside[1]]


def test_started_projects_by_stage_or_start_milestone():
    by_stage = ProjectFactory(stage=Stage.PRODUCTION)
    by_milestone = ProjectFactory(stage="")
    MilestoneFactory(project=by_milestone, actual_date=date(2022, 3, 18), actual_precision="day")
    ProjectFactory(stage=Stage.SIGNED)
    assert set(Project.objects.started()) == {by_stage, by_milestone}


def test_zone_found_by_name_full_name_or_alias():
    zone = ZoneFactory(name="南昌经开区", full_name="南昌经济技术开发区")
    zone.aliases.create(alias="赣江新区经开组团")
    for name in ("南昌经开区", "南昌经济技术开发区", "赣江新区经开组团"):
        assert list(Zone.objects.matching(name)) == [zone]


def test_indicator_value_shows_value_as_stated():
    value = IndicatorValueFactory(qualifier="about", value=Decimal("12100000000"))
    assert value.value_display == "约121亿元"
    assert value.period_display == "2022年1-5月"
    count = IndicatorValueFactory(
        metric=MetricFactory(
            code="above", name="规上企业数", unit_kind="count", unit="家", flow_or_stock="stock"
        ),
        value=Decimal("142"),
        scale=None,
        currency="",
        start_month=None,
    )
    assert count.value_display == "142家"


def test_natural_keys_find_the_same_rows():
    project = ProjectFactory()
    milestone = MilestoneFactory(project=project)
    value = IndicatorValueFactory(project=project, zone=None, yoy_growth=Decimal("16.6"))
    assert Project.objects.get_by_natural_key(*project.natural_key()) == project
    assert Milestone.objects.get_by_natural_key(*milestone.natural_key()) == milestone
    assert IndicatorValue.objects.get_by_natural_key(*value.natural_key()) == value
