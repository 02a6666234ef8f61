"""The validation rules, rule by rule: each one caught with its id and Chinese message, and the
same objects without the mistake passing. Rules check batches in a constant number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import rules
from projects.i18n import in_chinese, in_english
from projects.models import (
    DatePrecision,
    EntryReopening,
    IndicatorValue,
    MilestoneKind,
    UnitKind,
    ValueKind,
)
from projects.money import AmountScale
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    ProjectFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2022, 6, 3)
WAN = Decimal(10_000)


def ids(findings) -> list[str]:
    return [finding.rule_id for finding in findings]


def ytd(project, month: int, amount_wan: str, metric, **fields) -> IndicatorValue:
    """An unsaved year-to-date completed investment of a project, January to `month` 2022."""
    return IndicatorValue(
        project=project,
        metric=metric,
        year=2022,
        start_month=1,
        end_month=month,
        kind=ValueKind.ACTUAL,
        value=Decimal(amount_wan) * WAN,
        scale=AmountScale.WAN,
        currency="CNY",
        **fields,
    )


def test_every_rule_has_an_id_severity_and_messages_in_both_languages():
    assert set(rules.RULES) >= {
        "investment_decreases",
        "investment_over_total",
        "actual_date_in_future",
        "finish_before_start",
        "production_before_start",
        "unit_mismatch",
        "outlier",
        "target_change_without_reason",
        "locked_month",
        "restatement_without_reason",
    }
    for rule_id, rule in rules.RULES.items():
        assert rule.id == rule_id
        assert rule.severity in (rules.Severity.ERROR, rules.Severity.WARNING)
        assert rule.title and rule.message and rule.fields
        assert in_english(rule.message) != in_chinese(rule.message)  # the catalogue has its English
    assert rules.RULES["outlier"].severity == rules.Severity.WARNING


def test_cumulative_investment_may_not_decrease_within_a_year(investment):
    project = ProjectFactory()
    saved = ytd(project, 4, "5000", investment)
    saved.save()
    lower = ytd(project, 5, "4000", investment)
    findings = rules.check([lower], today=TODAY)
    assert ids(findings) == ["investment_decreases"]
    assert findings[0].message == (
        "2022年1-5月累计完成投资4000万元少于2022年1-4月已报的5000万元:同一年度内的累计值不能减少"
    )
    assert "never decreases" in findings[0].message_en
    assert rules.check([ytd(project, 5, "5000", investment)], today=TODAY) == []
    # a later month already reported lower than a new earlier month is caught too
    assert ids(rules.check([ytd(project, 3, "6000", investment)], today=TODAY)) == ["investment_decreases"]
    # another year starts again from zero
    other_year = ytd(project, 1, "100", investment)
    other_year.year = 2023
    assert rules.check([other_year], today=date(2023, 2, 3)) == []


def test_the_decrease_is_found_inside_a_batch_and_an_edited_row_replaces_its_stored_value(investment):
    project = ProjectFactory()
    assert ids(
        rules.check([ytd(project, 4, "5000", investment), ytd(project, 5, "100", investment)], today=TODAY)
    )
    stored = ytd(project, 4, "5000", investment)
    stored.save()
    stored.value = Decimal(100) * WAN  # editing April down to 100万 is not a decrease against itself
    assert rules.check([stored, ytd(project, 5, "200", investment)], today=TODAY) == []


def test_completed_investment_may_not_exceed_the_total(investment):
    project = ProjectFactory(
        name="年产5万吨项目", total_investment=Decimal(1_000_000_000), total_investment_scale=AmountScale.YI
    )
    findings = rules.check([ytd(project, 5, "120000", investment)], today=TODAY)
    assert ids(findings) == ["investment_over_total"]
    assert findings[0].message == "年产5万吨项目2022年1-5月累计完成投资120000万元超过项目总投资10亿元"
    assert rules.check([ytd(project, 5, "100000", investment)], today=TODAY) == []


def test_an_actual_milestone_date_may_not_be_in_the_future():
    milestone = MilestoneFactory.build(
        project=ProjectFactory(), actual_date=date(2022, 6, 4), actual_precision=DatePrecision.DAY
    )
    findings = rules.check([milestone], today=TODAY)
    assert ids(findings) == ["actual_date_in_future"]
    assert findings[0].message == "实际日期2022年6月4日晚于今天(2022-06-03);尚未发生的节点请填计划日期"
    milestone.actual_date = TODAY
    assert rules.check([milestone], today=TODAY) == []
    # a month given as the month itself has begun
    milestone.actual_date, milestone.actual_precision = date(2022, 6, 1), DatePrecision.MONTH
    assert rules.check([milestone], today=TODAY) == []


def test_planned_finish_not_before_planned_start():
    project = ProjectFactory.build(
        zone=ZoneFactory(),
        enterprise=None,
        planned_start=date(2022, 7, 1),
        planned_start_precision=DatePrecision.MONTH,
        planned_finish=date(2022, 4, 1),
        planned_finish_precision=DatePrecision.QUARTER,
    )
    findings = rules.check([project], today=TODAY)
    assert ids(findings) == ["finish_before_start"]
    assert findings[0].message == "计划竣工/投产(2022年二季度)早于计划开工(2022年7月)"
    assert findings[0].field == "planned_finish"
    project.planned_finish, project.planned_finish_precision = date(2022, 7, 1), DatePrecision.QUARTER
    assert rules.check([project], today=TODAY) == []


def test_production_not_before_start_of_construction():
    project = ProjectFactory(name="锂电池项目")
    MilestoneFactory(
        project=project,
        kind=MilestoneKind.START,
        actual_date=date(2022, 3, 18),
        actual_precision=DatePrecision.DAY,
    )
    production = MilestoneFactory.build(
        project=project,
        kind=MilestoneKind.PRODUCTION,
        planned_date=None,
        planned_precision="",
        actual_date=date(2022, 2, 1),
        actual_precision=DatePrecision.MONTH,
    )
    findings = rules.check([production], today=TODAY)
    assert ids(findings) == ["production_before_start"]
    assert findings[0].message == "锂电池项目投产(2022年2月)早于开工(2022年3月18日)"
    production.actual_date = date(2022, 3, 1)  # March, the month construction started: not before
    assert rules.check([production], today=TODAY) == []


def test_an_indicators_unit_must_match_its_metric():
    zone = ZoneFactory()
    count = MetricFactory(name="签约项目数", unit_kind=UnitKind.COUNT, unit="个")
    amount = MetricFactory(name="工业营收")
    wrong_scale = IndicatorValueFactory.build(
        zone=zone, metric=count, value=Decimal(20), scale=AmountScale.YI
    )
    no_scale = IndicatorValueFactory.build(zone=zone, metric=amount, scale=None, currency="")
    findings = rules.check([wrong_scale, no_scale], today=TODAY)
    assert ids(findings) == ["unit_mismatch", "unit_mismatch"]
    assert findings[0].message == "指标“签约项目数”以“个”计,不能填写金额单位或币种"
    assert findings[1].message == "指标“工业营收”以金额计,不能不选金额单位(元、万元、亿元)"
    right = IndicatorValueFactory.build(zone=zone, metric=count, value=Decimal(20), scale=None, currency="")
    assert rules.check([right], today=TODAY) == []


def test_a_value_far_from_the_zones_history_is_an_outlier_warning():
    zone = ZoneFactory(name="赣县区")
    revenue = MetricFactory(name="工业营收")
    for month, amount in ((2, 20), (3, 30), (4, 40)):  # 10亿元 a month
        IndicatorValueFactory(zone=zone, metric=revenue, end_month=month, value=Decimal(amount) * 10**8)
    typo = IndicatorValueFactory.build(zone=zone, metric=revenue, end_month=5, value=Decimal(500) * 10**10)
    findings = rules.check([typo], today=TODAY)
    assert ids(findings) == ["outlier"]
    assert findings[0].severity == "warning" and not findings[0].is_error
    assert (
        findings[0].message
        == "赣县区工业营收2022年1-5月为50000亿元,按月折算为历史中位数的1000倍,请核对单位和数值"
    )
    usual = IndicatorValueFactory.build(zone=zone, metric=revenue, end_month=5, value=Decimal(50) * 10**8)
    assert rules.check([usual], today=TODAY) == []


def test_too_little_history_gives_no_outlier_warning():
    zone = ZoneFactory()
    revenue = MetricFactory()
    IndicatorValueFactory(zone=zone, metric=revenue, end_month=2, value=Decimal(10**8))
    far = IndicatorValueFactory.build(zone=zone, metric=revenue, end_month=5, value=Decimal(10**14))
    assert rules.check([far], today=TODAY) == []


def test_a_target_changed_after_its_year_began_needs_a_reason():
    zone = ZoneFactory()
    target = IndicatorValueFactory(zone=zone, kind=ValueKind.TARGET, end_month=12, value=Decimal(300) * 10**8)
    target.value = Decimal(280) * 10**8
    findings = rules.check([target], today=TODAY)
    assert ids(findings) == ["target_change_without_reason"]
    assert findings[0].message == "2022年已开始,修改目标值(原为300亿元)须填写变更原因"
    target._change_reason = "省里下调了全年目标"
    assert rules.check([target], today=TODAY) == []
    del target._change_reason
    assert rules.check([target], today=date(2021, 12, 31)) == []  # before the year, no reason needed


def test_a_planned_investment_changed_after_its_year_began_needs_a_reason():
    entry = PortfolioEntryFactory()
    entry.planned_investment = Decimal(200_000_000)
    findings = rules.check([entry], today=TODAY)
    assert ids(findings) == ["target_change_without_reason"]
    assert findings[0].field == "planned_investment"
    assert "修改年度计划投资(原为3亿元)" in findings[0].message


def test_a_locked_month_is_not_changed_in_place_or_added_to(investment):
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10)
    project = ProjectFactory(zone=zone)
    may = ytd(project, 5, "5000", investment)
    may.save()
    assert rules.check([ytd(project, 6, "6000", investment)], today=date(2022, 7, 10)) == []  # open till 7-10
    may.value = Decimal(5100) * WAN
    findings = rules.check([may], today=date(2022, 6, 11))
    assert ids(findings) == ["locked_month"]
    assert findings[0].message.startswith("赣县区2022年5月的数据已于2022年6月10日截止锁定,不能直接修改")
    assert ids(rules.check([ytd(project, 4, "4000", investment)], today=date(2022, 6, 11))) == [
        "locked_month"
    ]
    # unchanged values are not changes
    may.value = Decimal(5000) * WAN
    assert rules.check([may], today=date(2022, 6, 11)) == []
    # a restatement with its reason is how a locked month is corrected
    correction = ytd(project, 5, "5100", investment, restates=may, restatement_reason="统计局核定")
    assert rules.check([correction], today=date(2022, 6, 11)) == []
    # an administrator's reopening opens the month until the day given
    may.value = Decimal(5100) * WAN
    EntryReopening.objects.create(zone=zone, year=2022, month=5, until=date(2022, 6, 15), reason="补报")
    assert rules.check([may], today=date(2022, 6, 15)) == []
    assert ids(rules.check([may], today=date(2022, 6, 16))) == ["locked_month"]


def test_a_zone_without_a_deadline_day_never_locks(investment):
    project = ProjectFactory(zone=ZoneFactory(entry_deadline_day=None))
    assert rules.check([ytd(project, 5, "5000", investment)], today=date(2026, 11, 23)) == []


def test_a_restatement_needs_its_reason(investment):
    project = ProjectFactory()
    original = ytd(project, 5, "5000", investment)
    original.save()
    correction = ytd(project, 5, "5100", investment, restates=original, restatement_reason="  ")
    findings = rules.check([correction], today=TODAY)
    assert ids(findings) == ["restatement_without_reason"]
    assert findings[0].field == "restatement_reason"


def test_model_validation_raises_errors_and_unconfirmed_warnings_with_rule_ids():
    zone = ZoneFactory()
    revenue = MetricFactory()
    for month in (2, 3, 4):
        IndicatorValueFactory(zone=zone, metric=revenue, end_month=month, value=Decimal(month * 10**9))
    typo = IndicatorValueFactory.build(zone=zone, metric=revenue, end_month=5, value=Decimal(10**15))
    with pytest.raises(ValidationError) as raised, rules.enforced(typo, confirmed=False):
        typo.full_clean()
    assert [error.code for error in raised.value.error_dict["value"]] == ["outlier"]
    with rules.enforced(typo, confirmed=True):
        typo.full_clean()  # a confirmed warning no longer stops the save
    typo.full_clean()  # the model alone knows nothing of the rules: each write path runs them


@pytest.mark.parametrize("size", [1, 25])
def test_a_batch_is_checked_in_a_constant_number_of_queries(size, investment, django_assert_num_queries):
    zone = ZoneFactory(entry_deadline_day=10)
    projects = ProjectFactory.create_batch(size, zone=zone)
    values = [ytd(project, 5, "100", investment) for project in projects]
    milestones = [
        MilestoneFactory.build(project=project, kind=MilestoneKind.PRODUCTION, planned_date=date(2022, 9, 1))
        for project in projects
    ]
    for value in values:  # related objects are loaded by whoever builds the batch
        value.project = next(p for p in projects if p.pk == value.project_id)
    with django_assert_num_queries(6):
        rules.check([*values, *milestones], today=TODAY)


def test_a_message_with_a_percent_sign_reads_back_unchanged():
    zone = ZoneFactory(name="赣县区")
    growth = MetricFactory(name="增速", unit_kind=UnitKind.PERCENT, unit="%")
    for month in (2, 3, 4):
        IndicatorValueFactory(
            zone=zone, metric=growth, end_month=month, value=Decimal(10), scale=None, currency=""
        )
    typo = IndicatorValueFactory.build(
        zone=zone, metric=growth, end_month=5, value=Decimal(1250), scale=None, currency=""
    )
    with pytest.raises(ValidationError) as raised, rules.enforced(typo, confirmed=False):
        typo.full_clean()
    assert raised.value.messages == [
        "赣县区增速2022年1-5月为1250%,按月折算为历史中位数的125倍,请核对单位和数值"
    ]


def test_the_rules_wait_for_the_models_own_checks_and_leave_the_model_as_it_was():
    milestone = MilestoneFactory.build(
        project=ProjectFactory(),
        planned_date=date(2023, 3, 15),
        planned_precision="month",
        actual_date=timezone.localdate() + timedelta(days=400),
        actual_precision="day",
    )
    with pytest.raises(ValidationError) as raised, rules.enforced(milestone, confirmed=False):
        milestone.full_clean()
    assert set(raised.value.message_dict) == {"planned_date"}  # the future actual date is not judged yet
    assert "clean" not in vars(milestone)
    milestone.planned_date = date(2023, 3, 1)
    with pytest.raises(ValidationError) as raised, rules.enforced(milestone, confirmed=True):
        milestone.full_clean()
    assert [error.code for error in raised.value.error_dict["actual_date"]] == ["actual_date_in_future"]
