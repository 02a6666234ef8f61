"""从文本提取 done by a zone's editor in a real browser (headless Chromium, driven by Playwright,
against the admin on the live server): the editor pastes an article the extractor was never
developed on, accepts the revenue figure under the metric it belongs to, the project and then
its construction start, rejects a figure that is no indicator, and finds each record cited to
its sentence.

Rows are found by their fact (the database says which fact a quote became); each field the test
relies on is typed in, so that the test follows the clerk, not the extractor's current reading."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from projects.access import zone_membership_grant
from projects.models import (
    ExtractedFact,
    FactStatus,
    IndicatorValue,
    Metric,
    Milestone,
    Project,
    SourceDocument,
    UnitKind,
    Zone,
    ZoneKind,
    ZoneRole,
)
from tests.browser import log_in

EDITOR, PASSWORD = "jian-editor", "jian-password-1"
PROJECT = "年产10万吨锂电池正极材料项目"
ARTICLE = """吉安高新区前三季度经济运行持续向好
今年以来,吉安高新区坚持项目为王、企业为本,全力以赴稳增长、促发展,主要经济指标保持较快增长。
前三季度,吉安高新区实现营业收入386.4亿元,同比增长12.7%;完成固定资产投资72.3亿元,同比增长9.6%;实际利用外资1.26亿美元。
重大项目建设提速。年产10万吨锂电池正极材料项目总投资45亿元,于4月12日正式开工,目前一期厂房主体已完成七成,计划明年6月建成投产。高端印制电路板扩产项目总投资18亿元,二期厂房已于8月底封顶。
营商环境持续优化。园区开展“企业服务日”活动26场,帮助企业解决用工、融资等问题140余个,新增市场主体312户。园区还联合高校举办专场招聘会,提供就业岗位2600余个,吸引求职者4000余人次。
创新动能不断增强。园区新认定高新技术企业21家,新增省级工程技术研究中心3个,规上工业企业研发投入同比增长18.5%。
下一步,吉安高新区将紧盯全年目标任务,力争全年营业收入突破520亿元,确保固定资产投资增长10%以上,以优异成绩完成全年各项任务。
"""


@pytest.fixture
def jian(transactional_db) -> Zone:
    """吉安高新区 with the metrics the article names, and its editor."""
    zone = Zone.objects.create(
        name="吉安高新区", full_name="吉安高新技术产业开发区", kind=ZoneKind.NATIONAL_HIGH_TECH
    )
    for code, name in (
        ("operating_revenue", "营业收入"),
        ("industrial_revenue", "工业营收"),
        ("fixed_asset_investment", "固定资产投资"),
    ):
        Metric.objects.create(code=code, name=name, unit_kind=UnitKind.AMOUNT, flow_or_stock="flow")
    return zone


@pytest.fixture
def page(browser_page: Page, jian: Zone, django_user_model) -> Page:
    user = django_user_model.objects.create_user(EDITOR, password=PASSWORD)
    zone_membership_grant(user=user, zone=jian, role=ZoneRole.EDITOR)
    log_in(browser_page, EDITOR, PASSWORD)
    return browser_page


def fact(quote: str, kind: str) -> ExtractedFact:
    return ExtractedFact.objects.get(quote=quote, kind=kind)


def row(page: Page, found: ExtractedFact):
    return page.locator(f"#fact-{found.pk}")


def field(page: Page, found: ExtractedFact, name: str):
    return page.locator(f"[name='f{found.pk}-{name}']")


def accept(page: Page, found: ExtractedFact) -> None:
    row(page, found).get_by_role("button", name="采纳").click()
    expect(page.locator(".messagelist .success")).to_contain_text(f"已采纳“{found.quote}”")


def sentence_with(text: str) -> str:
    """The sentence of ARTICLE holding `text` (up to 。;or a line end)."""
    start = ARTICLE.index(text)
    begin = max(ARTICLE.rfind(mark, 0, start) for mark in "。\n;") + 1
    end = min(i for i in (ARTICLE.find(mark, start) for mark in "。\n;") if i >= 0)
    return ARTICLE[begin : end + (ARTICLE[end] != "\n")]


def test_editor_turns_an_unseen_article_into_cited_records(page: Page, jian: Zone):
    page.goto("/admin/projects/sourcedocument/")
    page.get_by_role("link", name="从文本提取").click()
    expect(page.locator("#id_zone")).to_have_value(str(jian.pk))  # the editor's only zone
    page.fill("#id_title", "吉安高新区前三季度经济运行持续向好")
    page.fill("#id_subject_year", "2023")
    page.fill("#id_text", ARTICLE)
    page.get_by_role("button", name="提取").click()
    expect(page.locator(".messagelist .success")).to_contain_text("识别出")
    document = SourceDocument.objects.get()
    assert (document.zone, document.subject_year, document.text) == (jian, 2023, ARTICLE)
    expect(page.locator("#source-text mark")).not_to_have_count(0)

    # The revenue, recorded as 工业营收 (the zone's name for it) for January to September.
    revenue = fact("386.4亿元", "amount")
    expect(row(page, revenue)).to_contain_text("386.4亿元")
    field(page, revenue, "metric").select_option(label="工业营收")
    field(page, revenue, "period").fill("2023年前三季度")
    field(page, revenue, "value_kind").select_option(label="实际")
    field(page, revenue, "measure").select_option(label="数值")
    accept(page, revenue)

    # The project with its total investment, then its construction start.
    project = fact(PROJECT, "project")
    expect(field(page, project, "name")).to_have_value(PROJECT)
    field(page, project, "investment").fill("45亿元")
    field(page, project, "stage").select_option(label="在建")
    accept(page, project)
    start = ExtractedFact.objects.get(kind="milestone", reading__event="start")
    field(page, start, "project").select_option(label=PROJECT)
    field(page, start, "event").select_option(label="开工")
    field(page, start, "date").fill("4月12日")
    field(page, start, "value_kind").select_option(label="实际")
    accept(page, start)

    # 26场 is a count of events, no indicator of the zone.
    noise = fact("26场", "count")
    field(page, noise, "reason").fill("活动场次,不是考核指标")
    row(page, noise).get_by_role("button", name="驳回").click()
    expect(page.locator(".messagelist .success")).to_contain_text("已驳回“26场”")
    expect(row(page, noise)).to_have_count(0)  # gone from the pending list

    value = IndicatorValue.objects.get()
    assert (value.zone, value.metric.name, value.year, value.start_month, value.end_month, value.kind) == (
        jian, "工业营收", 2023, 1, 9, "actual",
    )  # fmt: skip
    assert (value.value, value.scale, value.currency) == (Decimal("386.4") * 10**8, 10**8, "CNY")
    assert [c.quote for c in value.citations.all()] == [sentence_with("386.4亿元")]
    built = Project.objects.get()
    assert (built.zone, built.name, built.total_investment, built.stage) == (
        jian,
        PROJECT,
        45 * 10**8,
        "construction",
    )
    assert [c.quote for c in built.citations.all()] == [sentence_with(PROJECT)]
    milestone = Milestone.objects.get()
    assert (milestone.project, milestone.kind) == (built, "start")
    assert (milestone.actual_date, milestone.actual_precision) == (date(2023, 4, 12), "day")
    assert [c.quote for c in milestone.citations.all()] == [sentence_with("4月12日")]
    for citation in (*value.citations.all(), *built.citations.all(), *milestone.citations.all()):
        assert ARTICLE[citation.start : citation.end] == citation.quote
    revenue.refresh_from_db()
    assert revenue.status == FactStatus.ACCEPTED and "指标: 营业收入 → 工业营收" in revenue.note
    noise.refresh_from_db()
    assert (noise.status, noise.note) == (FactStatus.REJECTED, "活动场次,不是考核指标")

    page.locator("a.status-filter[data-status=all]").click()
    for accepted in (revenue, project, start):
        expect(row(page, accepted).locator(".fact-status")).to_have_text("已采纳")
        expect(row(page, accepted).locator(".record-link")).to_be_visible()
    expect(row(page, noise).locator(".fact-status")).to_have_text("已驳回")
    expect(row(page, noise)).to_contain_text("活动场次,不是考核指标")
    expect(page.locator(".fact-counts .count-accepted")).to_have_text("3")
    expect(page.locator(".fact-counts .count-rejected")).to_have_text("1")
    row(page, revenue).locator(".record-link").click()
    expect(page).to_have_url(re.compile(rf"/admin/projects/indicatorvalue/{value.pk}/change/$"))
