"""The resource API: create, read, update and delete each resource; filters (zones with their
sub-zones, stage, amounts, periods …), search, ordering, pagination; the seed projects with their
milestones and citations; token authentication and public reading."""

import re
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from projects.models import (
    Campaign,
    Citation,
    IndicatorValue,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    SourceDocument,
    Zone,
    ZoneMembership,
    ZoneRole,
)
from projects.tokens import api_token_create
from tests.factories import (
    CitationFactory,
    EnterpriseFactory,
    IndicatorValueFactory,
    IndustryFactory,
    MetricFactory,
    MilestoneFactory,
    ProjectCategoryFactory,
    ProjectFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def zone_id(name: str) -> int:
    return Zone.objects.get(name=name).pk


# ---------------------------------------------------------------------------------------------
# Create, read, update, delete


def test_project_is_created_read_updated_and_deleted(api_client):
    zone = ZoneFactory(name="测试经开区")
    industry, category = IndustryFactory(), ProjectCategoryFactory()
    citation = CitationFactory()
    created = api_client.post(
        "/api/projects/",
        {
            "zone": "测试经开区",
            "name": "年产10万吨锂电池材料项目",
            "industries": [industry.pk],
            "categories": [category.pk],
            "total_investment": "10600000000",
            "total_investment_scale": 100000000,
            "total_investment_qualifier": "about",
            "stage": "signed",
            "planned_start": "2022-07-01",
            "planned_start_precision": "half",
            "planned_finish": "2023-10-01",
            "planned_finish_precision": "quarter",
            "citation_ids": [citation.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["zone"] == zone.pk
    assert body["zone_name"] == "测试经开区"
    assert body["total_investment"] == "10600000000.00"
    assert body["total_investment_display"] == "约106亿元"
    assert body["planned_start_display"] == "2022年下半年"
    assert body["planned_finish_display"] == "2023年四季度"
    assert body["stage_display"] == "签约落户"
    assert body["industry_names"] == [industry.name]
    assert body["category_names"] == [category.name]
    assert [c["quote"] for c in body["citations"]] == [citation.quote]

    url = f"/api/projects/{body['id']}/"
    assert api_client.get(url).json()["name"] == "年产10万吨锂电池材料项目"

    changed = api_client.patch(url, {"stage": "construction"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert Project.objects.get(pk=body["id"]).stage == "construction"

    replaced = api_client.put(url, {"name": "年产20万吨锂电池材料项目", "zone": zone.pk}, format="json")
    assert replaced.status_code == 200, replaced.json()
    project = Project.objects.get(pk=body["id"])
    assert project.name == "年产20万吨锂电池材料项目"
    assert project.total_investment_scale == 100000000  # the model's default on a full update

    assert api_client.delete(url).status_code == 204
    assert not Project.objects.filter(pk=body["id"]).exists()


def test_zone_is_created_under_a_parent_named_and_listed_among_its_children(api_client):
    parent = ZoneFactory(name="测试市", kind="city")
    created = api_client.post(
        "/api/zones/", {"name": "测试高新区", "kind": "national_high_tech", "parent": "测试市"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["parent"] == parent.pk
    assert created.json()["kind_display"] == "国家级高新技术产业开发区"
    assert api_client.get(f"/api/zones/{parent.pk}/").json()["children"] == [created.json()["id"]]

    renamed = api_client.patch(f"/api/zones/{created.json()['id']}/", {"full_name": "测试高新技术产业开发区"})
    assert renamed.status_code == 200
    assert api_client.delete(f"/api/zones/{created.json()['id']}/").status_code == 204
    assert list(Zone.objects.values_list("name", flat=True)) == ["测试市"]


def test_zone_still_referred_to_is_not_deleted(api_client):
    project = ProjectFactory()
    response = api_client.delete(f"/api/zones/{project.zone_id}/")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("该记录仍被其他记录引用")
    assert f"项目:{project.name}" in response.json()["referenced_by"]
    assert Zone.objects.filter(pk=project.zone_id).exists()


def test_milestone_is_created_with_its_status_and_deleted(api_client):
    project = ProjectFactory()
    created = api_client.post(
        "/api/milestones/",
        {
            "project": project.pk,
            "kind": "start",
            "phase": "一期",
            "planned_date": "2022-03-01",
            "planned_precision": "month",
            "actual_date": "2022-03-18",
            "actual_precision": "day",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["status_display"]) == ("done", "已完成")
    assert (body["planned_display"], body["actual_display"]) == ("2022年3月", "2022年3月18日")
    assert body["project_name"] == project.name
    assert body["zone"] == project.zone_id

    url = f"/api/milestones/{body['id']}/"
    cleared = api_client.patch(url, {"actual_date": None, "actual_precision": ""}, format="json")
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["status"] == "late"  # March 2022 is over
    assert api_client.get(url).json()["status"] == "late"
    assert api_client.delete(url).status_code == 204
    assert not Milestone.objects.exists()


def test_portfolio_lists_its_projects_with_their_planned_investment(api_client):
    zone = ZoneFactory()
    project = ProjectFactory(zone=zone, name="华能二期")
    created = api_client.post(
        "/api/portfolios/", {"zone": zone.name, "name": "市级重点调度项目", "year": 2022}, format="json"
    )
    assert created.status_code == 201, created.json()
    portfolio_id = created.json()["id"]
    entry = api_client.post(
        "/api/portfolio-entries/",
        {"portfolio": portfolio_id, "project": project.pk, "planned_investment": "300000000"},
        format="json",
    )
    assert entry.status_code == 201, entry.json()
    assert entry.json()["planned_investment_display"] == "3亿元"

    entries = api_client.get(f"/api/portfolios/{portfolio_id}/").json()["entries"]
    assert entries == [
        {
            "id": entry.json()["id"],
            "project": project.pk,
            "project_name": "华能二期",
            "stage": "construction",
            "planned_investment": "300000000.00",
            "planned_investment_scale": 100000000,
            "planned_investment_display": "3亿元",
        }
    ]
    assert api_client.delete(f"/api/portfolio-entries/{entry.json()['id']}/").status_code == 204
    assert api_client.delete(f"/api/portfolios/{portfolio_id}/").status_code == 204
    assert not Portfolio.objects.exists()
    assert not PortfolioEntry.objects.exists()


def test_metric_is_created_and_changed_by_a_superuser(api_client):
    created = api_client.post(
        "/api/metrics/",
        {"code": "rd_spending", "name": "研发投入", "unit_kind": "amount", "flow_or_stock": "flow"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["unit_kind_display"] == "金额"
    url = f"/api/metrics/{created.json()['id']}/"
    assert api_client.patch(url, {"description": "研发经费支出"}).status_code == 200
    assert Metric.objects.get(code="rd_spending").description == "研发经费支出"
    assert api_client.delete(url).status_code == 204


def test_indicator_value_takes_its_period_as_text(api_client):
    zone = ZoneFactory(name="赣县")
    metric = MetricFactory(code="operating_revenue", name="营业收入")
    created = api_client.post(
        "/api/indicator-values/",
        {
            "zone": "赣县",
            "metric": "operating_revenue",
            "period": "2022年1-5月",
            "value": "15756000000",
            "scale": 100000000,
            "currency": "CNY",
            "yoy_growth": "22.5",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["year"], body["start_month"], body["end_month"]) == (2022, 1, 5)
    assert body["period_display"] == "2022年1-5月"
    assert body["value_display"] == "157.56亿元"
    assert (body["subject_type"], body["subject_name"]) == ("zone", "赣县")
    assert body["metric_name"] == "营业收入"
    assert "period" not in body

    stock = MetricFactory(code="enterprises", unit_kind="count", unit="家", flow_or_stock="stock")
    point = api_client.post(
        "/api/indicator-values/",
        {"zone": zone.pk, "metric": stock.code, "year": 2022, "period": "截至5月底", "value": "142"},
        format="json",
    )
    assert point.status_code == 201, point.json()
    assert (point.json()["start_month"], point.json()["end_month"]) == (None, 5)
    assert point.json()["period_display"] == "2022年5月末"
    assert point.json()["value_display"] == "142家"

    url = f"/api/indicator-values/{body['id']}/"
    moved = api_client.patch(url, {"period": "一季度"}, format="json")
    assert moved.status_code == 200, moved.json()
    value = IndicatorValue.objects.get(pk=body["id"])
    assert (value.year, value.start_month, value.end_month) == (2022, 1, 3)
    assert value.metric == metric
    assert api_client.delete(url).status_code == 204


def test_campaign_takes_its_zones_by_name(api_client):
    ZoneFactory(name="赣县"), ZoneFactory(name="上饶")
    created = api_client.post(
        "/api/campaigns/",
        {
            "name": "强攻二季度、确保双过半",
            "year": 2022,
            "zones": ["赣县", "上饶"],
            "start_month": 4,
            "end_month": 6,
            "checkpoint": "2022-06-30",
            "required_share": "50",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert sorted(created.json()["zone_names"]) == ["上饶", "赣县"]
    assert created.json()["period_display"] == "2022年二季度"
    url = f"/api/campaigns/{created.json()['id']}/"
    assert api_client.patch(url, {"zones": ["上饶"]}, format="json").json()["zone_names"] == ["上饶"]
    assert api_client.delete(url).status_code == 204
    assert not Campaign.objects.exists()


def test_citation_finds_its_offset_and_its_document_lists_it(api_client):
    text = "全区列入市级重点调度项目23个。1月至5月已开工22个,开工率达95.65%。"
    source = api_client.post(
        "/api/sources/", {"key": "report-2022-05", "title": "5月调度通报", "text": text}, format="json"
    )
    assert source.status_code == 201, source.json()
    assert source.json()["text"] == text
    document_id = source.json()["id"]

    citation = api_client.post(
        "/api/citations/", {"document": document_id, "quote": "1月至5月已开工22个"}, format="json"
    )
    assert citation.status_code == 201, citation.json()
    assert (citation.json()["start"], citation.json()["end"]) == (16, 27)
    assert citation.json()["document_key"] == "report-2022-05"

    listed = api_client.get("/api/sources/").json()["results"]
    assert "text" not in listed[0]
    assert listed[0]["citations"] == [
        {"id": citation.json()["id"], "quote": "1月至5月已开工22个", "start": 16, "end": 27}
    ]
    assert api_client.get(f"/api/sources/{document_id}/").json()["text"] == text

    assert api_client.delete(f"/api/citations/{citation.json()['id']}/").status_code == 204
    assert api_client.delete(f"/api/sources/{document_id}/").status_code == 204
    assert not SourceDocument.objects.exists()
    assert not Citation.objects.exists()


@pytest.mark.parametrize(
    ("url", "payload", "change"),
    [
        ("/api/industries/", {"name": "稀土新材料及应用"}, {"description": "稀土产业链"}),
        ("/api/categories/", {"name": "省大中型项目"}, {"description": "总投资5亿元以上"}),
        ("/api/enterprises/", {"name": "赣州腾远钴业新材料股份有限公司"}, {"short_name": "腾远钴业"}),
    ],
)
def test_reference_resources_are_created_changed_and_deleted(api_client, url, payload, change):
    created = api_client.post(url, payload, format="json")
    assert created.status_code == 201, created.json()
    detail = f"{url}{created.json()['id']}/"
    changed = api_client.patch(detail, change, format="json")
    assert changed.status_code == 200
    assert changed.json() | change == changed.json()
    assert api_client.delete(detail).status_code == 204
    assert api_client.get(detail).status_code == 404


# ---------------------------------------------------------------------------------------------
# The seed data, nested


def test_seed_project_carries_its_milestones_and_cited_sentences(seeded, api_client):
    project = Project.objects.get(zone__name="上饶经开区", name="彩虹光伏玻璃项目")
    for response in (
        api_client.get(f"/api/projects/{project.pk}/"),
        api_client.get("/api/projects/", {"search": "彩虹光伏玻璃"}),
    ):
        assert response.status_code == 200
        body = response.json() if "results" not in response.json() else response.json()["results"][0]
        assert body["name"] == "彩虹光伏玻璃项目"
        assert body["zone_name"] == "上饶经开区"
        assert body["enterprise_name"] == "彩虹集团"
        assert body["total_investment"] == "10600000000.00"
        assert body["total_investment_display"] == "106亿元"
        assert body["capacity"] == "年产3.7亿平方米光伏玻璃成品"
        assert body["stage"] == "production"
        assert {(m["kind"], m["phase"], m["status"]) for m in body["milestones"]} == {
            ("full_capacity", "1号窑炉", "unscheduled"),
            ("trial", "2号窑炉", "unscheduled"),
        }
        cited = {(c["document_key"], c["quote"]) for c in body["citations"]}
        assert ("seed-000", "中电彩虹玻璃项目施工现场") in cited
        assert ("seed-003", "规划总投资106亿元的江西彩虹光伏有限公司超薄高透光伏玻璃生产线") in cited
        assert len(cited) == 4
        seed_003 = next(c for c in body["citations"] if c["document_key"] == "seed-003")
        assert seed_003["document_title"].startswith("打好收官战 决战全年胜")
        document = SourceDocument.objects.get(key=seed_003["document_key"])
        assert document.text[seed_003["start"] : seed_003["end"]] == seed_003["quote"]


# ---------------------------------------------------------------------------------------------
# Filters, search, ordering, pagination


def test_zone_filter_includes_the_sub_zones_by_name_or_id(seeded, api_client):
    park_project = ProjectFactory(zone=Zone.objects.get(name="综合园"), name="综合园光电项目")
    city = set(names(api_client.get("/api/projects/", {"zone": "上饶市", "page_size": 200})))
    assert {"彩虹光伏玻璃项目", "综合园光电项目"} <= city
    assert city == set(
        Project.objects.filter(zone__name__in=["上饶市", "上饶经开区", "综合园"]).values_list(
            "name", flat=True
        )
    )
    assert "粤磁稀土" not in city  # 赣县区
    by_id = names(api_client.get("/api/projects/", {"zone": zone_id("上饶市"), "page_size": 200}))
    assert set(by_id) == city
    assert names(api_client.get("/api/projects/", {"zone": "综合园"})) == [park_project.name]


def test_zone_filter_accepts_an_alias(seeded, api_client):
    alias = Zone.objects.get(name="南昌经开区").aliases.get().alias
    by_alias = names(api_client.get("/api/projects/", {"zone": alias, "page_size": 200}))
    assert "欣旺达南昌动力电池项目" in by_alias
    assert set(by_alias) == set(
        Project.objects.filter(zone__name="南昌经开区").values_list("name", flat=True)
    )


def test_zones_filtered_by_zone_are_the_subtree(seeded, api_client):
    assert names(api_client.get("/api/zones/", {"zone": "上饶市"})) == ["上饶市", "上饶经开区", "综合园"]
    assert names(api_client.get("/api/zones/", {"parent": "上饶市"})) == ["上饶经开区", "综合园"]


def test_milestones_are_filtered_by_their_project_zone_and_status(api_client):
    county, other = ZoneFactory(name="赣县"), ZoneFactory(name="上饶")
    park = ZoneFactory(name="赣县园区", parent=county)
    late = MilestoneFactory(project__zone=park)
    done = MilestoneFactory(
        project__zone=county, kind="production", actual_date=date(2022, 5, 1), actual_precision="month"
    )
    MilestoneFactory(project__zone=other)
    rows = api_client.get("/api/milestones/", {"zone": "赣县"}).json()["results"]
    assert {row["id"] for row in rows} == {late.pk, done.pk}
    rows = api_client.get("/api/milestones/", {"zone": "赣县", "status": "late"}).json()["results"]
    assert [row["id"] for row in rows] == [late.pk]


def test_projects_are_filtered_by_stage_and_investment_range(seeded, api_client):
    in_production = names(api_client.get("/api/projects/", {"stage": "production", "page_size": 200}))
    assert "彩虹光伏玻璃项目" in in_production
    assert set(in_production) == set(
        Project.objects.filter(stage="production").values_list("name", flat=True)
    )

    response = api_client.get(
        "/api/projects/", {"total_investment_min": "10500000000", "total_investment_max": "12500000000"}
    )
    assert sorted(names(response)) == sorted(["彩虹光伏玻璃项目", "蜂巢能源上饶基地"])


def test_projects_are_filtered_by_industry_and_category(api_client):
    industry, category = IndustryFactory(name="光伏新能源"), ProjectCategoryFactory(name="省大中型项目")
    solar, listed = ProjectFactory(), ProjectFactory()
    ProjectFactory()
    solar.industries.add(industry)
    listed.categories.add(category)
    assert names(api_client.get("/api/projects/", {"industry": "光伏新能源"})) == [solar.name]
    assert names(api_client.get("/api/projects/", {"industry": industry.pk})) == [solar.name]
    assert names(api_client.get("/api/projects/", {"category": "省大中型项目"})) == [listed.name]


def test_indicator_values_are_filtered_by_zone_period_metric_and_kind(seeded, api_client):
    rows = api_client.get(
        "/api/indicator-values/",
        {"zone": "赣县区", "period": "2022年1-5月", "kind": "actual", "page_size": 200},
    ).json()["results"]
    values = {row["metric"]: row["value_display"] for row in rows}
    # The portfolio's figures count for its zone, as the zone's own do.
    assert values["completed_investment"] == "58.33亿元"
    assert values["operating_revenue"] == "157.56亿元"
    assert all(row["period_display"] == "2022年1-5月" for row in rows)

    point = api_client.get(
        "/api/indicator-values/", {"zone": "赣县区", "period": "截至5月底", "year": 2022, "page_size": 200}
    ).json()["results"]
    assert {row["metric"]: row["value_display"] for row in point} == {
        "above_size_enterprises": "142家",
        "project_count": "23个",
        "started_projects": "22个",
        "start_rate": "95.65%",
        "total_investment": "299.92亿元",
    }

    revenue = api_client.get(
        "/api/indicator-values/", {"metric": "operating_revenue", "year": 2022, "zone": "赣县区"}
    ).json()["results"]
    assert ("2022年1-5月", "15756000000.0000") in {(row["period_display"], row["value"]) for row in revenue}
    assert {row["metric"] for row in revenue} == {"operating_revenue"}


def test_indicator_values_are_filtered_by_kind(api_client):
    IndicatorValueFactory(kind="actual")
    IndicatorValueFactory(kind="forecast")
    target = IndicatorValueFactory(kind="target", start_month=1, end_month=12)
    rows = api_client.get("/api/indicator-values/", {"kind": "target"}).json()["results"]
    assert [row["id"] for row in rows] == [target.pk]
    rows = api_client.get("/api/indicator-values/", {"kind": ["target", "forecast"]}).json()["results"]
    assert len(rows) == 2


def test_search_finds_projects_by_name_and_enterprise(seeded, api_client):
    assert names(api_client.get("/api/projects/", {"search": "彩虹"})) == ["彩虹光伏玻璃项目"]
    enterprise = EnterpriseFactory(name="测试光电股份有限公司")
    ProjectFactory(name="显示模组项目", enterprise=enterprise, zone=enterprise.zone)
    assert names(api_client.get("/api/projects/", {"search": "测试光电"})) == ["显示模组项目"]


def test_ordering_by_investment(seeded, api_client):
    rows = api_client.get(
        "/api/projects/", {"ordering": "-total_investment", "total_investment_min": 0, "page_size": 200}
    ).json()["results"]
    amounts = [Decimal(row["total_investment"]) for row in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert rows[0]["name"] == "蜂巢能源上饶基地"
    ascending = api_client.get("/api/projects/", {"ordering": "total_investment", "total_investment_min": 0})
    assert Decimal(ascending.json()["results"][0]["total_investment"]) == min(amounts)


def test_pages_have_the_requested_size_within_the_bound(api_client, settings):
    Metric.objects.bulk_create(
        Metric(code=f"m{n:03}", name=f"指标{n:03}", unit_kind="count", flow_or_stock="flow")
        for n in range(205)
    )
    first = api_client.get("/api/metrics/", {"page_size": 2}).json()
    assert first["count"] == 205
    assert [row["code"] for row in first["results"]] == ["m000", "m001"]
    assert first["previous"] is None
    second = api_client.get(first["next"]).json()
    assert [row["code"] for row in second["results"]] == ["m002", "m003"]

    assert len(api_client.get("/api/metrics/", {"page_size": 1000}).json()["results"]) == 200
    assert len(api_client.get("/api/metrics/").json()["results"]) == 50
    settings.API_MAX_PAGE_SIZE = 20
    assert len(api_client.get("/api/metrics/", {"page_size": 1000}).json()["results"]) == 20


# ---------------------------------------------------------------------------------------------
# Authentication


def test_token_authentication(seeded, django_user_model):
    user = django_user_model.objects.create_superuser("dashboard", password="pw-for-tests-only")
    key = api_token_create(user=user)[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/zones/")
    assert response.status_code == 200
    assert "上饶经开区" in names(response)

    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/zones/").status_code in (401, 403)


def test_reading_needs_a_user_unless_reading_is_public(seeded, settings):
    anonymous = APIClient()
    settings.API_READ_PUBLIC = False
    refused = anonymous.get("/api/projects/")
    assert refused.status_code in (401, 403)
    assert "Authentication credentials were not provided" in refused.json()["detail"]

    settings.API_READ_PUBLIC = True
    response = anonymous.get("/api/projects/", {"search": "彩虹"})
    assert names(response) == ["彩虹光伏玻璃项目"]
    assert anonymous.post("/api/zones/", {"name": "新区", "kind": "county"}).status_code in (401, 403)
    assert not Zone.objects.filter(name="新区").exists()


def test_zone_roles_limit_reading_and_a_refused_write_leaves_nothing(seeded, django_user_model):
    user = django_user_model.objects.create_user("ganxian", password="pw-for-tests-only")
    ZoneMembership.objects.create(user=user, zone=Zone.objects.get(name="赣县区"), role=ZoneRole.EDITOR)
    client = APIClient()
    client.force_authenticate(user)

    zones = {row["zone_name"] for row in client.get("/api/projects/", {"page_size": 200}).json()["results"]}
    assert zones <= {"赣县区", None}
    assert "赣县区" in zones

    before = Project.objects.count()
    refused = client.post("/api/projects/", {"name": "越权项目", "zone": "上饶经开区"}, format="json")
    missing = client.post("/api/projects/", {"name": "越权项目", "zone": "无此开发区"}, format="json")
    # A zone the user may not read is named as one that does not exist (nothing learnt of it).
    assert refused.status_code == missing.status_code == 400
    assert [e["code"] for e in refused.json()["errors"]] == ["unknown_zone"]
    assert Project.objects.count() == before

    own = Project.objects.get(zone__name="赣县区", name="粤磁稀土")
    moved = client.patch(f"/api/projects/{own.pk}/", {"zone": "上饶经开区"}, format="json")
    assert moved.status_code == 400
    own.refresh_from_db()
    assert own.zone.name == "赣县区"

    allowed = client.post("/api/projects/", {"name": "新签约项目", "zone": "赣县区"}, format="json")
    assert allowed.status_code == 201, allowed.json()


def test_not_found_and_refusals_are_explained_in_both_languages(seeded, api_client, django_user_model):
    assert api_client.get("/api/projects/987654/").json() == {"detail": "未找到。 / Not found."}
    assert api_client.get("/api/projects/", {"page": 99}).json() == {"detail": "无效页面。 / Invalid page."}

    viewer = django_user_model.objects.create_user("viewer", password="pw-for-tests-only")
    ZoneMembership.objects.create(user=viewer, zone=Zone.objects.get(name="赣县区"), role=ZoneRole.VIEWER)
    client = APIClient()
    client.force_authenticate(viewer)
    project = Project.objects.get(zone__name="赣县区", name="粤磁稀土")
    refused = client.patch(f"/api/projects/{project.pk}/", {"stage": "production"}, format="json")
    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert " / " in detail
    assert re.search(r"[\u4e00-\u9fff]", detail.split(" / ")[0])
    assert re.search(r"[A-Za-z]{3,}", detail.split(" / ")[1])
    project.refresh_from_db()
    assert project.stage == "construction"


@pytest.mark.parametrize(
    "url",
    ["/api/", "/api/projects/", "/api/zones/", "/api/indicator-values/", "/api/sources/", "/api/campaigns/"],
)
def test_browsable_api_pages_render_for_a_logged_in_user(seeded, staff_client, url):
    response = staff_client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content
