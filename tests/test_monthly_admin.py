"""The 月报填报 screen in the admin, through the test client: 赣县区's editor fills May 2022, rule
messages appear in their cells, viewers only read, other zones' editors are refused, locked months
take restatements, administrators reopen them, stale rows are refused."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from projects.models import (
    STALE_MESSAGE,
    EntryBasis,
    EntryReopening,
    IndicatorValue,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    Zone,
    ZoneRole,
)
from projects.money import AmountScale
from tests.factories import ZoneFactory, ZoneMembershipFactory

PROJECTS = ("赣州寒锐新能源科技有限公司项目", "粤磁稀土", "华能二期")
OPEN = "2022-06-05 10:00 +08:00"  # May 2022 is open until 10 June
LOCKED = "2022-06-20 10:00 +08:00"


@pytest.fixture
def ganxian(seeded):
    """赣县区 with three of its projects on its 2022 portfolio, entered by year-to-date figures
    until the 10th of the next month."""
    zone = Zone.objects.get(name="赣县区")
    zone.entry_basis = EntryBasis.YEAR_TO_DATE
    zone.entry_deadline_day = 10
    zone.save()
    portfolio = Portfolio.objects.get(zone=zone, name="市级工业倍增升级重点调度项目", year=2022)
    for name in PROJECTS:
        PortfolioEntry.objects.create(
            portfolio=portfolio, project=Project.objects.get(zone=zone, name=name), planned_investment=None
        )
    return zone


def login(client, zone: Zone, role: str = ZoneRole.EDITOR, username: str = "ganxian"):
    user = ZoneMembershipFactory(zone=zone, role=role, user__username=username).user
    client.force_login(user)
    return user


def sheet_url(zone: Zone, year: int = 2022, month: int = 5) -> str:
    return reverse("admin:projects_zone_monthly_sheet", args=[zone.pk, year, month])


def form_data(response, changes: dict[str, dict[str, str]], **extra: str) -> dict[str, str]:
    """What the browser posts: every input of the page as shown, with `changes` by project name."""
    formset = response.context["formset"]
    management = formset.management_form
    data = {management[name].html_name: management[name].value() for name in management.fields}
    names = {row.project_id: row.name for row in response.context["rows"]}
    for form in formset.forms:
        values = {name: form[name].field.prepare_value(form[name].value()) for name in form.fields}
        values.update(changes.get(names[values["project"]], {}))
        data.update(
            {form.add_prefix(name): "" if value is None else str(value) for name, value in values.items()}
        )
    data.update(extra)
    return data


def ytd_values(project_name: str, month: int = 5) -> list[Decimal]:
    return list(
        IndicatorValue.objects.current()
        .filter(project__name=project_name, year=2022, end_month=month, metric__code="completed_investment")
        .values_list("value", flat=True)
    )


def cell_messages(response, project_name: str) -> list[tuple[str, str]]:
    """(column, rule id) of every message shown in the project's row."""
    row = next(r for r in response.context["rows"] if r.name == project_name)
    found = [(column, m.rule_id) for column, cell in row.cells.items() for m in cell.messages]
    return found + [("project", m.rule_id) for m in row.row_messages]


@pytest.mark.django_db
@time_machine.travel(OPEN)
def test_editor_fills_ganxian_may_2022(client, ganxian):
    editor = login(client, ganxian)
    page = client.get(sheet_url(ganxian))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2022年5月 填报截止2022年6月10日(可填报)" in html
    for name in PROJECTS:
        assert name in html
    assert "2022年1-5月累计完成投资" in html  # the entered column, per the zone's basis
    assert "更正原因" not in html  # an open month takes no restatements

    data = form_data(
        page,
        {
            "赣州寒锐新能源科技有限公司项目": {"amount": "12.5亿元", "milestone_start": "3月18日"},
            "粤磁稀土": {"amount": "5000", "scale": str(AmountScale.WAN), "remark": "含设备购置"},
            "华能二期": {"milestone_production": "2022年5月"},
        },
    )
    response = client.post(sheet_url(ganxian), data, follow=True)
    assert response.redirect_chain == [(sheet_url(ganxian), 302)]
    assert "已保存赣县区2022年5月月报:新增2条、修改0条、更正0条、节点2个" in response.content.decode()

    assert ytd_values("赣州寒锐新能源科技有限公司项目") == [Decimal("1250000000")]
    value = IndicatorValue.objects.get(project__name="粤磁稀土", end_month=5)
    assert (value.value, value.scale, value.note) == (Decimal("50000000"), AmountScale.WAN, "含设备购置")
    assert value.history.get().history_user == editor
    start = Milestone.objects.get(project__name="赣州寒锐新能源科技有限公司项目", kind="start", phase="")
    assert (start.actual_date, start.actual_precision) == (date(2022, 3, 18), "day")
    production = Milestone.objects.get(project__name="华能二期", kind="production", phase="")
    assert (production.actual_date, production.actual_precision) == (date(2022, 5, 1), "month")

    # The page shows back what was saved, in the unit it was entered in.
    again = client.get(sheet_url(ganxian)).content.decode()
    assert 'value="12.5"' in again
    assert "2022年3月18日" in again


@pytest.mark.django_db
@time_machine.travel(OPEN)
def test_mistakes_are_shown_in_their_cells_and_nothing_is_written(client, ganxian):
    login(client, ganxian)
    page = client.get(sheet_url(ganxian))
    data = form_data(
        page,
        {
            "赣州寒锐新能源科技有限公司项目": {"amount": "120亿元"},  # over the 100亿元 total
            "粤磁稀土": {"amount": "五千万", "milestone_start": "3月18日"},
            "华能二期": {"amount": "3000", "milestone_completion": "7月1日"},  # not yet happened
        },
    )
    response = client.post(sheet_url(ganxian), data)
    assert response.status_code == 200
    assert cell_messages(response, "赣州寒锐新能源科技有限公司项目") == [("amount", "investment_over_total")]
    assert cell_messages(response, "粤磁稀土") == [("amount", "parse")]
    assert cell_messages(response, "华能二期") == [("milestone:completion", "actual_date_in_future")]
    html = response.content.decode()
    assert "有3处错误,未保存任何数据" in html
    assert "[investment_over_total] 赣州寒锐新能源科技有限公司项目2022年1-5月累计完成投资" in html
    assert "请用阿拉伯数字填写" in html
    assert "[actual_date_in_future] 实际日期2022年7月1日晚于今天" in html
    # What was typed stays in the inputs, to be corrected.
    assert 'value="五千万"' in html
    assert not IndicatorValue.objects.filter(year=2022, end_month=5, project__zone=ganxian).exists()
    assert not Milestone.objects.filter(project__name="粤磁稀土", kind="start").exists()


@pytest.mark.django_db
@time_machine.travel(OPEN)
def test_warnings_are_saved_only_once_confirmed(client, ganxian):
    login(client, ganxian)
    project = Project.objects.get(name="粤磁稀土")
    metric = Metric.objects.get(code="completed_investment")
    for month in (1, 2, 3, 4):
        IndicatorValue.objects.create(
            project=project,
            metric=metric,
            year=2022,
            start_month=1,
            end_month=month,
            value=Decimal(1_000_000 * month),
            scale=AmountScale.WAN,
            currency="CNY",
        )
    page = client.get(sheet_url(ganxian))
    data = form_data(page, {"粤磁稀土": {"amount": "9000"}})  # 9000万元 after 400万元: an outlier
    response = client.post(sheet_url(ganxian), data)
    assert cell_messages(response, "粤磁稀土") == [("amount", "outlier")]
    html = response.content.decode()
    assert "确认以上警告并保存" in html
    assert ytd_values("粤磁稀土") == []

    response = client.post(sheet_url(ganxian), {**data, "confirm_warnings": "on"})
    assert response.status_code == 302
    assert ytd_values("粤磁稀土") == [Decimal("90000000")]


@pytest.mark.django_db
@time_machine.travel(OPEN)
def test_viewer_reads_the_sheet_without_inputs(client, ganxian):
    login(client, ganxian, ZoneRole.VIEWER)
    page = client.get(sheet_url(ganxian))
    assert page.status_code == 200
    html = page.content.decode()
    assert "您对赣县区只有只读权限" in html
    assert "粤磁稀土" in html
    assert 'name="form-0-amount"' not in html
    assert "保存本月全部数据" not in html
    refused = client.post(sheet_url(ganxian), {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
    assert refused.status_code == 403
    assert "只读" in refused.content.decode()


@pytest.mark.django_db
@time_machine.travel(OPEN)
def test_other_zones_editor_is_refused(client, ganxian):
    login(client, ZoneFactory(name="南康区"), username="nankang")
    # A zone they may not read: as one that does not exist.
    assert client.get(sheet_url(ganxian)).status_code == 404
    assert client.get(reverse("admin:projects_zone_monthly", args=[ganxian.pk])).status_code == 404
    refused = client.post(sheet_url(ganxian), {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
    assert refused.status_code == 404
    # A zone they read but may not change: refused, with the reason.
    login(client, ganxian, role=ZoneRole.VIEWER, username="viewer")
    assert client.get(sheet_url(ganxian)).status_code == 200
    refused = client.post(sheet_url(ganxian), {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
    assert refused.status_code == 403
    assert "只读" in refused.content.decode()


@pytest.mark.django_db
@time_machine.travel(OPEN)
def test_zone_editor_finds_the_screen(client, ganxian):
    login(client, ganxian)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:projects_zone_monthly_zones") in index
    assert ">月报填报<" in index
    # One zone to report for: straight to its months.
    zones = client.get(reverse("admin:projects_zone_monthly_zones"))
    assert zones.url == reverse("admin:projects_zone_monthly", args=[ganxian.pk])
    months = client.get(zones.url)
    assert months.context["default"] == "2022-05"  # last month, still open on 5 June
    assert "2022年5月 填报截止2022年6月10日(可填报)" in months.content.decode()
    assert len(months.context["states"]) == 12
    picked = client.get(zones.url, {"month": "2022年4月"})
    assert picked.url == sheet_url(ganxian, 2022, 4)
    change = client.get(reverse("admin:projects_zone_change", args=[ganxian.pk])).content.decode()
    assert reverse("admin:projects_zone_monthly", args=[ganxian.pk]) in change


@pytest.mark.django_db
def test_locked_month_takes_restatements_and_is_reopened_by_the_city(client, ganxian):
    editor = login(client, ganxian)
    with time_machine.travel(OPEN):
        data = form_data(client.get(sheet_url(ganxian)), {"粤磁稀土": {"amount": "5000"}})
        assert client.post(sheet_url(ganxian), data).status_code == 302

    with time_machine.travel(LOCKED):
        page = client.get(sheet_url(ganxian))
        html = page.content.decode()
        assert "已锁定" in html and "更正原因" in html
        assert 'class="reopen-link"' not in html  # the county's own editor cannot unlock its month

        data = form_data(page, {"粤磁稀土": {"amount": "5200"}})
        refused = client.post(sheet_url(ganxian), data)
        assert cell_messages(refused, "粤磁稀土") == [("reason", "restatement_without_reason")]
        data = form_data(page, {"粤磁稀土": {"amount": "5200", "reason": "统计局核定"}})
        saved = client.post(sheet_url(ganxian), data, follow=True)
        assert "更正1条" in saved.content.decode()
        assert ytd_values("粤磁稀土") == [Decimal("52000000")]
        original = IndicatorValue.objects.get(
            project__name="粤磁稀土", end_month=5, restated_by__isnull=False
        )
        assert original.value == Decimal("50000000")

        # A late first figure is refused in a locked month, until the city reopens it.
        data = form_data(page, {"华能二期": {"amount": "3000"}})
        assert cell_messages(client.post(sheet_url(ganxian), data), "华能二期") == [
            ("amount", "locked_month")
        ]

        city = login(client, Zone.objects.get(name="赣州市"), username="ganzhou")
        page = client.get(sheet_url(ganxian)).content.decode()
        assert 'class="reopen-link"' in page
        add = reverse("admin:projects_entryreopening_add")
        response = client.post(
            add,
            {"zone": ganxian.pk, "year": 2022, "month": 5, "until": "2022-06-25", "reason": "补报华能二期"},
        )
        assert response.url == sheet_url(ganxian)
        reopening = EntryReopening.objects.get()
        assert (reopening.reopened_by, reopening.until) == (city, date(2022, 6, 25))

        client.force_login(editor)  # the county's editor again
        page = client.get(sheet_url(ganxian))
        assert "已重新开放至6月25日" in page.content.decode()
        data = form_data(page, {"华能二期": {"amount": "3000"}})
        assert client.post(sheet_url(ganxian), data).status_code == 302
        assert ytd_values("华能二期") == [Decimal("30000000")]


@pytest.mark.django_db
@time_machine.travel(LOCKED)
def test_county_editor_cannot_reopen_its_own_month(client, ganxian):
    login(client, ganxian)
    add = reverse("admin:projects_entryreopening_add")
    response = client.post(
        add, {"zone": ganxian.pk, "year": 2022, "month": 5, "until": "2022-06-25", "reason": "x"}
    )
    assert response.status_code == 403
    assert not EntryReopening.objects.exists()


@pytest.mark.django_db
@time_machine.travel(OPEN)
def test_stale_row_refuses_the_save(client, django_user_model, ganxian):
    login(client, ganxian)
    first = client.get(sheet_url(ganxian))  # the first editor opens the sheet …
    other = client_class_login(django_user_model, ganxian)
    page = other.get(sheet_url(ganxian))  # … so does a colleague, who saves first
    assert (
        other.post(sheet_url(ganxian), form_data(page, {"粤磁稀土": {"amount": "5000"}})).status_code == 302
    )

    data = form_data(first, {"粤磁稀土": {"amount": "6000"}, "华能二期": {"amount": "3000"}})
    response = client.post(sheet_url(ganxian), data)
    assert response.status_code == 200
    assert cell_messages(response, "粤磁稀土") == [("amount", "stale")]
    assert str(STALE_MESSAGE) in response.content.decode()
    assert ytd_values("粤磁稀土") == [Decimal("50000000")]
    assert ytd_values("华能二期") == []


def client_class_login(django_user_model, zone: Zone):
    from django.test import Client

    other = Client()
    user = ZoneMembershipFactory(zone=zone, role=ZoneRole.EDITOR, user__username="colleague").user
    other.force_login(user)
    return other
