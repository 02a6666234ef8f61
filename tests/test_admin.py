"""The Chinese admin: every page answers, changelists do not grow their query count with rows,
amounts are entered in their unit, late milestones stand out in red."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import (
    EntryReopening,
    ExtractedFact,
    ImportBatch,
    Milestone,
    Project,
    ReportFile,
    ReportRun,
    RunStatus,
)
from projects.tokens import api_token_create
from tests.factories import (
    CampaignFactory,
    CitationFactory,
    EnterpriseFactory,
    IndicatorValueFactory,
    IndustryFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    ProjectCategoryFactory,
    ProjectFactory,
    ReportScheduleFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db

MODEL_ADMINS = sorted(
    (model._meta.model_name for model in admin.site._registry if model._meta.app_label == "projects"),
)


def populate(n: int) -> None:
    """n complete sets of related rows, each fact with a citation."""
    for _ in range(n):
        citation = CitationFactory()
        parent = ZoneFactory(kind="city")
        zone = ZoneFactory(parent=parent, citations=[citation])
        zone.aliases.create(alias=f"{zone.name}别名")
        industry = IndustryFactory(citations=[citation])
        zone.industries.add(industry)
        enterprise = EnterpriseFactory(zone=zone, parent=EnterpriseFactory(zone=zone), citations=[citation])
        project = ProjectFactory(zone=zone, enterprise=enterprise, citations=[citation])
        project.industries.add(industry)
        project.categories.add(ProjectCategoryFactory())
        MilestoneFactory(project=project, citations=[citation])
        MilestoneFactory(
            project=project, kind="production", actual_date=date(2022, 5, 1), actual_precision="month"
        )
        entry = PortfolioEntryFactory(project=project, portfolio__zone=zone, citations=[citation])
        IndicatorValueFactory(zone=zone, citations=[citation], rank=2, rank_scope="全市")
        IndicatorValueFactory(zone=None, portfolio=entry.portfolio, citations=[citation])
        IndicatorValueFactory(zone=None, project=project, citations=[citation])
        IndicatorValueFactory(zone=None, enterprise=enterprise, citations=[citation])
        CampaignFactory(zones=[zone, parent], citations=[citation])
        api_token_create(user=ZoneMembershipFactory(zone=zone).user)  # API令牌
        schedule = ReportScheduleFactory(zone=zone)
        run = ReportRun.objects.create(
            schedule=schedule,
            zone=zone,
            cadence="monthly",
            period_start=date(2022, 5, 1),
            period_end=date(2022, 5, 31),
            status=RunStatus.DONE,
        )
        ReportFile.objects.create(run=run, format="html", content=b"<html></html>", size=13, sha256="0" * 64)
        ImportBatch.objects.create(
            kind="monthly",
            zone=zone,
            file_name=f"{zone.name}月报.xlsx",
            content=b"PK",
            status="invalid",
            error_count=1,
            findings=[{"row": 3, "column": "G", "rule": "parse", "severity": "error", "message": "无数字"}],
        )
        EntryReopening.objects.create(zone=zone, year=2022, month=5, until=date(2022, 6, 25), reason="补报")
        document = citation.document
        ExtractedFact.objects.create(
            document=document,
            kind="amount",
            quote=document.text[:2],
            start=0,
            end=2,
            sentence_start=0,
            sentence_end=len(document.text),
            reading={"kind": "amount", "quote": document.text[:2]},
        )


def changelist_queries(client, model_name: str) -> tuple[int, int]:
    url = reverse(f"admin:projects_{model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, model_name
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model_name", MODEL_ADMINS)
def test_changelist_query_count_does_not_grow_with_rows(staff_client, model_name):
    populate(2)
    small, small_rows = changelist_queries(staff_client, model_name)
    populate(6)
    large, large_rows = changelist_queries(staff_client, model_name)
    assert large_rows > small_rows, f"{model_name}: the test data did not grow"
    assert large == small, f"{model_name}: {small} queries for {small_rows} rows, {large} for {large_rows}"


@pytest.mark.parametrize("model_name", MODEL_ADMINS)
def test_add_and_change_pages_answer(staff_client, model_name):
    populate(1)
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    # Report runs are made by the scheduler or the API, extracted facts by the extractor, never
    # added by hand.
    expected = 403 if model_name in ("reportrun", "extractedfact") else 200
    assert staff_client.get(reverse(f"admin:projects_{model_name}_add")).status_code == expected
    obj = model.objects.first()
    assert staff_client.get(reverse(f"admin:projects_{model_name}_change", args=[obj.pk])).status_code == 200


def test_admin_speaks_chinese(staff_client):
    populate(1)
    index = staff_client.get(reverse("admin:index")).content.decode()
    for label in ("项目", "项目节点", "调度清单", "指标数值", "攻坚行动", "来源文档", "引文", "区域", "企业"):
        assert f">{label}<" in index
    page = staff_client.get(reverse("admin:projects_project_changelist")).content.decode()
    for label in ("项目名称", "所在区域", "总投资", "项目阶段", "逾期节点", "搜索", "在建"):
        assert label in page
    assert "项目s" not in page


def test_admin_stays_chinese_whatever_the_browser_language(staff_client):
    page = staff_client.get(
        reverse("admin:projects_project_changelist"), headers={"accept-language": "en-US,en;q=0.9"}
    ).content.decode()
    assert "选择 项目 来修改" in page
    assert "Select 项目 to change" not in page


def test_project_list_shows_amounts_with_their_unit(staff_client):
    ProjectFactory(name="彩虹光伏玻璃项目", total_investment=Decimal("10600000000"))
    page = staff_client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert "106亿元" in page


@time_machine.travel(date(2023, 6, 1))
def test_late_milestone_is_red(staff_client):
    MilestoneFactory(kind="trial", planned_date=date(2023, 3, 1), planned_precision="month")
    MilestoneFactory(kind="production", planned_date=date(2023, 10, 1), planned_precision="quarter")
    page = staff_client.get(reverse("admin:projects_milestone_changelist")).content.decode()
    assert 'class="milestone-status status-late" style="color:#c62828">逾期' in page
    assert "status-due" in page
    only_late = staff_client.get(reverse("admin:projects_milestone_changelist"), {"status": "late"})
    assert only_late.context["cl"].result_count == 1


@time_machine.travel(date(2023, 6, 1))
def test_project_list_filters_projects_with_late_milestones(staff_client):
    late = MilestoneFactory(kind="trial", planned_date=date(2023, 3, 1)).project
    ProjectFactory()
    response = staff_client.get(reverse("admin:projects_project_changelist"), {"late": "yes"})
    assert list(response.context["cl"].result_list) == [late]


def test_project_search_finds_by_enterprise(staff_client):
    project = ProjectFactory(enterprise=EnterpriseFactory(name="江西彩虹光伏有限公司"))
    ProjectFactory()
    response = staff_client.get(reverse("admin:projects_project_changelist"), {"q": "彩虹光伏"})
    assert list(response.context["cl"].result_list) == [project]


def inline_management(prefix: str) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def test_staff_enter_investment_in_yi_yuan(staff_client):
    zone = ZoneFactory(name="上饶经开区")
    data = {
        "zone": zone.pk,
        "name": "年产3.7亿平方米光伏玻璃成品项目",
        "total_investment": "106",
        "total_investment_scale": "100000000",
        "currency": "CNY",
        "stage": "construction",
        **inline_management("milestones"),
        **inline_management("indicator_values"),
        **inline_management("portfolio_entries"),
    }
    response = staff_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(name="年产3.7亿平方米光伏玻璃成品项目")
    assert project.total_investment == Decimal("10600000000")
    change = staff_client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert 'name="total_investment" value="106"' in change


def test_staff_get_a_chinese_error_for_a_milestone_date_in_the_future(staff_client):
    project = ProjectFactory()
    response = staff_client.post(
        reverse("admin:projects_milestone_add"),
        {"project": project.pk, "kind": "start", "actual_date": "2999-01-01", "actual_precision": "day"},
    )
    assert response.status_code == 200
    assert "实际日期2999年1月1日晚于今天" in response.content.decode()
    assert not Milestone.objects.exists()


def test_citation_offsets_are_found_from_the_quote(staff_client):
    citation = CitationFactory()
    document = citation.document
    response = staff_client.post(
        reverse("admin:projects_citation_add"),
        {"document": document.pk, "quote": "1月至5月已开工22个。", "start": ""},
    )
    assert response.status_code == 302
    created = document.citations.get(quote="1月至5月已开工22个。")
    assert document.text[created.start : created.end] == created.quote


def test_citation_added_on_the_document_page_finds_its_offset(staff_client):
    document = CitationFactory().document
    url = reverse("admin:projects_sourcedocument_change", args=[document.pk])
    data = {
        "key": document.key,
        "title": document.title,
        "text": document.text,
        "citations-TOTAL_FORMS": "2",
        "citations-INITIAL_FORMS": "1",
        "citations-0-id": str(document.citations.get().pk),
        "citations-0-document": str(document.pk),
        "citations-0-quote": document.citations.get().quote,
        "citations-0-start": "0",
        "citations-1-document": str(document.pk),
        "citations-1-quote": "1月至5月已开工22个。",
        "citations-1-start": "",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    added = document.citations.get(quote="1月至5月已开工22个。")
    assert document.text[added.start : added.end] == added.quote


def test_citation_not_in_the_document_is_refused(staff_client):
    document = CitationFactory().document
    response = staff_client.post(
        reverse("admin:projects_citation_add"), {"document": document.pk, "quote": "总投资106亿元。"}
    )
    assert response.status_code == 200
    assert "找不到这段原文" in response.content.decode()


def test_project_page_shows_the_quoted_sentence(staff_client):
    citation = CitationFactory()
    project = ProjectFactory(citations=[citation])
    page = staff_client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert f"<q>{citation.quote}</q>" in page
