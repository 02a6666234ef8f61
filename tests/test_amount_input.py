"""Amount inputs take what staff type (106亿元, 1.74亿美元, 约106亿元, or 106 with 亿元 chosen
beside it), store base units with the unit, currency and qualifier the text states, show the
number back in its unit, and refuse what they cannot read with the reason in Chinese."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import rules
from projects.forms import IndicatorValueForm, PortfolioEntryForm, ProjectForm
from projects.models import IndicatorValue, Project, UnitKind
from projects.money import AmountScale
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

YI, WAN = str(AmountScale.YI.value), str(AmountScale.WAN.value)


def project_form(total_investment: str, scale: str = YI, currency: str = "CNY", **data) -> ProjectForm:
    zone = ZoneFactory()
    return ProjectForm(
        data={
            "zone": zone.pk,
            "name": "年产3.7亿平方米光伏玻璃成品项目",
            "stage": "construction",
            "total_investment": total_investment,
            "total_investment_scale": scale,
            "currency": currency,
            **data,
        }
    )


def test_amount_with_its_unit_is_stored_in_yuan_at_that_scale():
    form = project_form("106亿元", scale=WAN)
    assert form.is_valid(), form.errors
    project = form.save()
    project.refresh_from_db()
    assert project.total_investment == Decimal("10600000000")
    assert project.total_investment_scale == AmountScale.YI
    assert project.currency == "CNY"


def test_stored_amount_is_shown_back_as_the_number_in_its_unit():
    project = ProjectFactory(total_investment=Decimal("10600000000"), total_investment_scale=AmountScale.YI)
    form = ProjectForm(instance=project)
    assert form["total_investment"].value() == "106"
    assert 'value="106"' in str(form["total_investment"])
    assert form["total_investment_scale"].value() == AmountScale.YI


def test_a_bare_number_is_taken_at_the_unit_chosen_beside_it():
    form = project_form("274.82", scale=WAN)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["total_investment"] == Decimal("2748200")
    assert form.cleaned_data["total_investment_scale"] == AmountScale.WAN


def test_dollars_in_the_text_set_the_projects_currency():
    form = project_form("1.74亿美元", currency="CNY")
    assert form.is_valid(), form.errors
    project = form.save()
    project.refresh_from_db()
    assert (project.total_investment, project.currency) == (Decimal("174000000"), "USD")
    assert project.total_investment_display == "1.74亿美元"


def test_a_qualifier_in_the_text_is_kept():
    form = project_form("约106亿元")
    assert form.is_valid(), form.errors
    project = form.save()
    assert project.total_investment_qualifier == "about"
    assert project.total_investment_display == "约106亿元"


def test_a_qualifier_chosen_beside_a_bare_number_is_kept():
    form = project_form("106", total_investment_qualifier="more_than")
    assert form.is_valid(), form.errors
    assert form.save().total_investment_display == "106余亿元"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("106亿港元", "无法识别的金额“106亿港元”：不支持的币种或单位“亿港元”"),
        ("一百亿", "无法识别的金额“一百亿”：请用阿拉伯数字填写"),
        ("1-2亿元", "请填写一个金额,区间请分两栏填写"),
        ("-5", "金额不能为负数"),
        ("1.001", "金额最多精确到分"),
    ],
)
def test_unreadable_amounts_are_refused_on_the_field_in_chinese(text, reason):
    form = project_form(text, scale=str(AmountScale.ONE.value))
    assert not form.is_valid()
    assert list(form.errors) == ["total_investment"]
    assert reason in form.errors["total_investment"][0]


def test_staff_type_the_unit_in_the_admin_and_see_the_number_back(staff_client):
    zone = ZoneFactory()
    data = {
        "zone": zone.pk,
        "name": "纸基新材料项目",
        "total_investment": "30478万元",
        "total_investment_scale": YI,
        "currency": "CNY",
        "stage": "construction",
    }
    for prefix in ("milestones", "indicator_values", "portfolio_entries"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = staff_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(name="纸基新材料项目")
    assert project.total_investment == Decimal("304780000")
    assert project.total_investment_scale == AmountScale.WAN
    change = staff_client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert 'name="total_investment" value="30478"' in change


def test_staff_see_the_reason_for_an_unreadable_amount_in_the_admin(staff_client):
    data = {
        "zone": ZoneFactory().pk,
        "name": "纸基新材料项目",
        "total_investment": "106亿港元",
        "total_investment_scale": YI,
        "currency": "CNY",
        "stage": "construction",
    }
    for prefix in ("milestones", "indicator_values", "portfolio_entries"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = staff_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200
    assert "不支持的币种或单位“亿港元”" in response.content.decode()
    assert not Project.objects.filter(name="纸基新材料项目").exists()


def test_an_untouched_amount_input_is_not_a_change():
    project = ProjectFactory(total_investment=Decimal("2748200"), total_investment_scale=AmountScale.WAN)
    data = {
        "zone": project.zone.pk,
        "name": project.name,
        "enterprise": project.enterprise.pk,
        "stage": project.stage,
        "total_investment": "274.82",
        "total_investment_scale": WAN,
        "currency": "CNY",
    }
    form = ProjectForm(data=data, instance=project)
    assert "total_investment" not in form.changed_data
    form = ProjectForm(data=data | {"total_investment": "275"}, instance=project)
    assert "total_investment" in form.changed_data


# Portfolio entries: in their project's currency


def entry_form(planned_investment: str, scale: str = YI, currency: str = "CNY") -> PortfolioEntryForm:
    portfolio = PortfolioFactory()
    project = ProjectFactory(zone=portfolio.zone, currency=currency)
    return PortfolioEntryForm(
        data={
            "portfolio": portfolio.pk,
            "project": project.pk,
            "planned_investment": planned_investment,
            "planned_investment_scale": scale,
        }
    )


def test_planned_investment_takes_its_unit_from_the_text():
    form = entry_form("3000万", scale=YI)
    assert form.is_valid(), form.errors
    entry = form.save()
    assert entry.planned_investment == Decimal("30000000")
    assert entry.planned_investment_scale == AmountScale.WAN
    assert entry.planned_investment_display == "3000万元"


def test_planned_investment_of_a_dollar_project_is_in_dollars():
    form = entry_form("1.5亿", currency="USD")
    assert form.is_valid(), form.errors
    assert form.save().planned_investment_display == "1.5亿美元"


def test_planned_investment_in_another_currency_than_its_project_is_refused():
    form = entry_form("3亿美元", currency="CNY")
    assert not form.is_valid()
    assert form.errors["planned_investment"] == ["币种须为人民币"]


def test_planned_investment_takes_no_qualifier():
    form = entry_form("约3亿元")
    assert not form.is_valid()
    assert form.errors["planned_investment"] == ["此栏不填限定词(约、超、余等)"]


def test_an_existing_entry_shows_its_plan_in_its_unit():
    entry = PortfolioEntryFactory(
        planned_investment=Decimal("8319000000"), planned_investment_scale=AmountScale.YI
    )
    assert PortfolioEntryForm(instance=entry)["planned_investment"].value() == "83.19"


# Indicator values: amounts, or plain numbers for counts and percentages


def indicator_form(metric=None, **data) -> IndicatorValueForm:
    zone = ZoneFactory()
    return IndicatorValueForm(
        data={
            "zone": zone.pk,
            "metric": (metric or MetricFactory()).pk,
            "year": "2022",
            "start_month": "1",
            "end_month": "5",
            "kind": "actual",
            **data,
        }
    )


def test_indicator_amount_sets_scale_currency_and_qualifier_from_the_text():
    form = indicator_form(value="约1.74亿美元")
    assert form.is_valid(), form.errors
    value = form.save()
    assert (value.value, value.scale, value.currency, value.qualifier) == (
        Decimal("174000000"),
        AmountScale.YI,
        "USD",
        "about",
    )
    assert value.value_display == "约1.74亿美元"


def test_a_range_upper_bound_takes_the_unit_of_its_lower_bound():
    form = indicator_form(value="1亿元", value_upper="2")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value_upper"] == Decimal("200000000")
    assert form.save().value_display == "1亿元至2亿元"


def test_range_ends_in_different_units_are_refused():
    form = indicator_form(value="1亿元", value_upper="20000万元")
    assert not form.is_valid()
    assert form.errors["value_upper"] == ["与“数值”的单位不一致,请用同一单位"]


def test_range_ends_in_different_currencies_are_refused():
    form = indicator_form(value="1亿元", value_upper="2亿美元")
    assert not form.is_valid()
    assert form.errors["value_upper"] == ["与“数值”的币种不一致"]


def test_a_count_is_a_plain_number_without_a_unit():
    count = MetricFactory(unit_kind=UnitKind.COUNT, unit="个", flow_or_stock="stock")
    form = indicator_form(metric=count, value="142", start_month="")
    assert form.is_valid(), form.errors
    value = form.save()
    assert (value.value, value.scale, value.currency) == (Decimal("142"), None, "")


def test_a_percentage_may_be_negative():
    percent = MetricFactory(unit_kind=UnitKind.PERCENT, unit="%")
    form = indicator_form(metric=percent, value="-3.5")
    assert form.is_valid(), form.errors
    assert form.save().value == Decimal("-3.5")


def test_an_amount_indicator_without_a_unit_is_refused():
    form = indicator_form(value="106")
    with rules.enforced(form.instance, confirmed=False):
        assert not form.is_valid()
    assert "金额单位" in form.errors["scale"][0]  # the model's rule, not the input's


def test_an_existing_percentage_is_shown_without_trailing_zeros():
    percent = MetricFactory(unit_kind=UnitKind.PERCENT, unit="%")
    value = IndicatorValueFactory(metric=percent, value=Decimal("95.6500"), scale=None, currency="")
    assert IndicatorValueForm(instance=value)["value"].value() == "95.65"


@pytest.mark.parametrize(
    ("text", "year", "start", "end"),
    [
        ("1-5月", 2022, 1, 5),
        ("一季度", 2022, 1, 3),
        ("上半年", 2022, 1, 6),
        ("前三季度", 2022, 1, 9),
        ("全年", 2022, 1, 12),
        ("2021年1-8月", 2021, 1, 8),
        ("截至5月底", 2022, None, 5),
    ],
)
def test_indicator_period_typed_as_staff_write_it(text, year, start, end):
    zone = ZoneFactory()
    metric = MetricFactory(unit_kind=UnitKind.COUNT, unit="个", flow_or_stock="stock")
    form = IndicatorValueForm(
        data={
            "zone": zone.pk,
            "metric": metric.pk,
            "year": 2022,
            "period": text,
            "kind": "actual",
            "value": "20",
        }
    )
    assert form.is_valid(), form.errors
    value = form.save()
    assert (value.year, value.start_month, value.end_month) == (year, start, end)


def test_an_unreadable_period_says_why_in_chinese():
    zone = ZoneFactory()
    metric = MetricFactory(unit_kind=UnitKind.COUNT, unit="个")
    form = IndicatorValueForm(
        data={
            "zone": zone.pk,
            "metric": metric.pk,
            "year": 2022,
            "period": "五一假期",
            "kind": "actual",
            "value": "20",
        }
    )
    assert not form.is_valid()
    assert form.errors["period"][0].startswith("无法识别的时段“五一假期”")
    assert not IndicatorValue.objects.exists()
