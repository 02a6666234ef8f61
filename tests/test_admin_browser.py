"""Staff work in a real browser: Debian's headless Chromium, driven by Playwright, against the
admin served by a live server. Covers what needs JavaScript: autocomplete and inline rows."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects.models import Milestone, Project
from tests.browser import choose_autocomplete, log_in
from tests.factories import MilestoneFactory, ZoneFactory


@pytest.fixture
def page(browser_page, django_user_model):
    """The browser, logged in as a superuser."""
    django_user_model.objects.create_superuser("clerk", password="clerk-password-1")
    log_in(browser_page, "clerk", "clerk-password-1")
    return browser_page


def test_clerk_registers_a_project_with_a_milestone_in_the_browser(page, transactional_db):
    ZoneFactory(name="上饶经开区", full_name="上饶经济技术开发区")
    ZoneFactory(name="赣县区")
    page.goto("/admin/projects/project/add/")
    choose_autocomplete(page, "zone", "上饶经济", "上饶经开区")
    page.fill("#id_name", "年产3.7亿平方米光伏玻璃成品项目")
    page.fill("#id_total_investment", "106")
    page.select_option("#id_total_investment_scale", label="亿元")
    page.select_option("#id_stage", label="在建")
    page.click("#milestones-group .add-row a")
    page.select_option("#id_milestones-0-kind", label="开工")
    page.fill("#id_milestones-0-actual_date", "2022-05-01")
    page.select_option("#id_milestones-0-actual_precision", label="月")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    project = Project.objects.get(name="年产3.7亿平方米光伏玻璃成品项目")
    assert project.zone.name == "上饶经开区"
    assert project.total_investment == Decimal("10600000000")
    assert project.milestones.get().actual_date == date(2022, 5, 1)
    row = page.locator("#result_list tbody tr", has_text="光伏玻璃")
    expect(row).to_contain_text("106亿元")
    expect(row).to_contain_text("在建")


def test_late_milestones_are_red_and_can_be_filtered(page, transactional_db):
    MilestoneFactory(kind="trial", planned_date=date(2023, 3, 1), planned_precision="month")
    MilestoneFactory(kind="production", actual_date=date(2022, 5, 1), actual_precision="month")
    page.goto("/admin/projects/milestone/")
    late = page.locator(".status-late")
    expect(late).to_have_text("逾期")
    expect(late).to_have_css("color", "rgb(198, 40, 40)")
    page.click("#changelist-filter a:has-text('逾期')")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    assert Milestone.objects.count() == 2
