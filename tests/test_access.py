"""Zone roles (projects.access): who reads and who changes which rows, on the seed data.

Seed zones: 江西省 > 上饶市 > 上饶经开区 > 综合园; 赣州市 > 赣县区; 南昌经开区 (top level).
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from projects import access
from projects.i18n import bilingual
from projects.models import (
    Campaign,
    Citation,
    Enterprise,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    ProjectCategory,
    SourceDocument,
    Zone,
    ZoneAlias,
    ZoneRole,
)
from tests.factories import (
    CampaignFactory,
    EnterpriseFactory,
    IndicatorValueFactory,
    MetricFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

ZONED_MODELS = [Zone, ZoneAlias, Enterprise, Project, Milestone, Portfolio, PortfolioEntry, IndicatorValue]
REFERENCE_MODELS = [Metric, SourceDocument, Citation, Industry, ProjectCategory]


def zone(name: str) -> Zone:
    return Zone.objects.get(name=name)


def member(role: str = ZoneRole.EDITOR, *zone_names: str):
    user = UserFactory()
    for name in zone_names:
        ZoneMembershipFactory(user=user, zone=zone(name), role=role)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True)


@pytest.fixture
def park(seeded):
    """A project of 综合园 (below 上饶经开区), with a milestone and an indicator value."""
    project = ProjectFactory(zone=zone("综合园"), name="综合园测试项目")
    MilestoneFactory(project=project)
    IndicatorValueFactory(zone=None, project=project)
    return project


def zone_names_of(queryset) -> set[str]:
    return {z.name for z in queryset}


# ---------------------------------------------------------------------------------------------
# Reading


def test_editor_of_a_city_reads_its_zones_and_sub_zones_only(seeded):
    user = member(ZoneRole.EDITOR, "上饶市")
    assert zone_names_of(access.readable(Zone.objects.all(), user)) == {"上饶市", "上饶经开区", "综合园"}


def test_viewer_reads_the_same_rows_as_an_editor(seeded):
    editor, viewer = member(ZoneRole.EDITOR, "上饶市"), member(ZoneRole.VIEWER, "上饶市")
    for model in [*ZONED_MODELS, Campaign]:
        rows = set(access.readable(model.objects.all(), editor).values_list("pk", flat=True))
        assert rows == set(access.readable(model.objects.all(), viewer).values_list("pk", flat=True))


def test_projects_read_are_those_of_the_zones_and_those_without_a_zone(seeded, park):
    user = member(ZoneRole.VIEWER, "上饶市")
    projects = access.readable(Project.objects.all(), user)
    expected = Project.objects.filter(zone__name__in=["上饶经开区", "综合园"]) | Project.objects.filter(
        zone__isnull=True
    )
    assert set(projects) == set(expected)
    assert park in projects
    assert not projects.filter(zone__name__in=["赣县区", "南昌经开区"]).exists()
    assert projects.filter(zone__isnull=True).count() == 1  # the seed project whose zone is not stated


def test_each_zoned_model_is_read_through_its_zone(seeded, park):
    user = member(ZoneRole.VIEWER, "赣县区")
    ganxian = zone("赣县区")
    assert set(access.readable(Milestone.objects.all(), user)) == set(
        Milestone.objects.filter(project__zone=ganxian) | Milestone.objects.filter(project__zone__isnull=True)
    )
    assert set(access.readable(Portfolio.objects.all(), user)) == set(Portfolio.objects.filter(zone=ganxian))
    assert access.readable(Portfolio.objects.all(), user).count() == 3
    assert set(access.readable(PortfolioEntry.objects.all(), user)) == set(
        PortfolioEntry.objects.filter(portfolio__zone=ganxian)
    )
    assert set(access.readable(Enterprise.objects.all(), user)) == set(
        Enterprise.objects.filter(zone=ganxian) | Enterprise.objects.filter(zone__isnull=True)
    )
    assert list(access.readable(ZoneAlias.objects.all(), user)) == []  # only 南昌经开区 has an alias


def test_indicator_values_are_read_through_their_subject(seeded, park):
    user = member(ZoneRole.VIEWER, "上饶经开区")
    values = access.readable(IndicatorValue.objects.all(), user)
    for value in IndicatorValue.objects.select_related("portfolio", "project", "enterprise"):
        subject_zone = {
            "zone": value.zone_id,
            "portfolio": value.portfolio and value.portfolio.zone_id,
            "project": value.project and value.project.zone_id,
            "enterprise": value.enterprise and value.enterprise.zone_id,
        }[value.subject_field]
        visible = subject_zone is None or subject_zone in {zone("上饶经开区").pk, zone("综合园").pk}
        assert values.filter(pk=value.pk).exists() == visible, value
    assert values.filter(project=park).count() == 1
    assert values.filter(zone__name="赣县区").count() == 0
    assert values.filter(zone__name="上饶经开区").count() > 0


def test_campaigns_are_read_with_any_of_their_zones(seeded):
    user = member(ZoneRole.VIEWER, "赣县区")
    names = set(access.readable(Campaign.objects.all(), user).values_list("name", flat=True))
    assert names == {"强攻二季度、确保双过半", "半年红"}


def test_campaign_without_zones_is_read_by_everyone(seeded):
    CampaignFactory(name="全省攻坚")
    user = member(ZoneRole.VIEWER, "南昌经开区")
    assert list(access.readable(Campaign.objects.all(), user).values_list("name", flat=True)) == ["全省攻坚"]


def test_reference_data_is_read_unchanged(seeded):
    user = member(ZoneRole.VIEWER, "赣县区")
    for model in REFERENCE_MODELS:
        queryset = model.objects.all()
        if model in access.DOCUMENT_ZONES:
            # Sources may belong to a zone now; the seeds' do not, so the viewer reads them all.
            assert list(access.readable(queryset, user)) == list(queryset)
            assert queryset.exists()
        else:
            assert access.readable(queryset, user) is queryset


def test_superuser_reads_everything(seeded, superuser):
    for model in [*ZONED_MODELS, Campaign]:
        assert access.readable(model.objects.all(), superuser).count() == model.objects.count()


def test_user_without_a_role_reads_only_rows_without_a_zone(seeded):
    user = UserFactory()
    assert access.readable(Zone.objects.all(), user).count() == 0
    assert list(access.readable(Project.objects.all(), user)) == list(
        Project.objects.filter(zone__isnull=True)
    )


def test_anonymous_reads_everything_only_when_reads_are_public(seeded, settings):
    settings.API_READ_PUBLIC = False
    assert access.readable(Project.objects.all(), AnonymousUser()).count() == 0
    settings.API_READ_PUBLIC = True
    assert access.readable(Project.objects.all(), AnonymousUser()).count() == Project.objects.count()


def test_the_users_zones_cost_one_query_per_request(seeded, django_assert_num_queries):
    user = member(ZoneRole.EDITOR, "上饶市")
    with django_assert_num_queries(2):  # the zone tree with the user's roles, then the projects
        first = list(access.readable(Project.objects.all(), user))
    with django_assert_num_queries(1):
        second = list(access.readable(Project.objects.all(), user))
    assert first == second and len(first) == 31


def test_a_role_granted_later_counts_after_forget(seeded):
    user = member(ZoneRole.VIEWER, "赣县区")
    assert not access.readable(Zone.objects.filter(name="南昌经开区"), user).exists()
    ZoneMembershipFactory(user=user, zone=zone("南昌经开区"), role=ZoneRole.VIEWER)
    access.forget(user)
    assert access.readable(Zone.objects.filter(name="南昌经开区"), user).exists()


# ---------------------------------------------------------------------------------------------
# Changing


def test_editor_of_a_city_edits_its_sub_zones_data(seeded, park):
    user = member(ZoneRole.EDITOR, "上饶市")
    rows = [
        Project.objects.filter(zone__name="上饶经开区").first(),
        park,
        park.milestones.get(),
        park.indicator_values.get(),
        Portfolio.objects.filter(zone__name="上饶经开区").first(),
        PortfolioEntry.objects.filter(portfolio__zone__name="上饶经开区").first(),
        IndicatorValue.objects.filter(zone__name="上饶经开区").first(),
        Enterprise.objects.filter(zone__name="上饶经开区").first(),
        zone("上饶经开区"),
        zone("综合园"),
    ]
    for row in rows:
        assert access.can_edit(user, row), row


def test_editor_of_a_city_does_not_edit_another_citys_data(seeded):
    user = member(ZoneRole.EDITOR, "上饶市")
    project = Project.objects.filter(zone__name="赣县区").first()
    assert not access.can_edit(user, project)
    with pytest.raises(PermissionDenied) as refused:
        access.check_can_edit(user, project)
    assert (
        bilingual(refused.value.args[0])
        == "您没有修改“赣县区”数据的权限 / You may not change data of zone 赣县区"
    )


def test_viewer_reads_but_cannot_edit(seeded):
    user = member(ZoneRole.VIEWER, "上饶经开区")
    project = Project.objects.filter(zone__name="上饶经开区").first()
    assert access.can_read(user, project)
    assert not access.can_edit(user, project)
    assert not access.can_delete(user, project)
    assert not access.can_write(user, Project)
    with pytest.raises(PermissionDenied) as refused:
        access.check_can_edit(user, project)
    assert (
        bilingual(refused.value.args[0])
        == "您对“上饶经开区”只有只读权限 / You have read-only access to zone 上饶经开区"
    )


def test_sub_zone_editor_cannot_edit_the_parent_zones_data(seeded, park):
    user = member(ZoneRole.EDITOR, "综合园")
    assert access.can_edit(user, park)
    assert not access.can_edit(user, Project.objects.filter(zone__name="上饶经开区").first())
    assert not access.can_edit(user, zone("上饶经开区"))
    assert not access.can_read(user, zone("上饶经开区"))


def test_editor_with_a_viewer_role_above_edits_only_below(seeded, park):
    user = member(ZoneRole.VIEWER, "上饶市")
    ZoneMembershipFactory(user=user, zone=zone("综合园"), role=ZoneRole.EDITOR)
    assert access.can_edit(user, park)
    assert not access.can_edit(user, Project.objects.filter(zone__name="上饶经开区").first())


def test_superuser_edits_and_deletes_everything(seeded, superuser):
    for model in [*ZONED_MODELS, Campaign, *REFERENCE_MODELS]:
        row = model.objects.first()
        assert access.can_edit(superuser, row) and access.can_delete(superuser, row), model


def test_moving_a_project_needs_both_zones(seeded):
    user = member(ZoneRole.EDITOR, "上饶经开区")
    project = Project.objects.filter(zone__name="上饶经开区").first()
    before = access.zones_of(project)
    project.zone = zone("赣县区")
    assert not access.can_edit(user, project, before=before)
    project.zone = zone("综合园")
    assert access.can_edit(user, project, before=before)
    other = Project.objects.filter(zone__name="赣县区").first()
    before = access.zones_of(other)
    other.zone = zone("上饶经开区")
    assert not access.can_edit(user, other, before=before)


def test_rows_without_a_zone_are_edited_by_superusers_only(seeded):
    user = member(ZoneRole.EDITOR, "江西省")
    project = Project.objects.get(zone__isnull=True)
    assert access.can_read(user, project)
    assert access.zones_of(project) == {None}
    with pytest.raises(PermissionDenied) as refused:
        access.check_can_edit(user, project)
    assert bilingual(refused.value.args[0]) == (
        "未注明区域的数据只有超级管理员可以修改 / Only superusers may change data without a zone"
    )
    assert not access.can_edit(user, Enterprise.objects.filter(zone__isnull=True).first())


def test_indicator_value_belongs_to_its_subjects_zone(seeded):
    user = member(ZoneRole.EDITOR, "上饶经开区")
    ours = zone("上饶经开区")
    portfolio = PortfolioFactory(zone=ours)
    enterprise = EnterpriseFactory(zone=ours)
    for subject in ({"zone": ours}, {"portfolio": portfolio}, {"enterprise": enterprise}):
        value = IndicatorValueFactory.build(**{"zone": None, **subject})
        assert access.zones_of(value) == {ours.pk}
        assert access.can_edit(user, value)
    theirs = IndicatorValueFactory.build(
        zone=None, portfolio=Portfolio.objects.filter(zone__name="赣县区")[0]
    )
    assert not access.can_edit(user, theirs)


def test_portfolio_entry_belongs_to_its_portfolios_zone(seeded):
    user = member(ZoneRole.EDITOR, "赣县区")
    theirs = PortfolioEntryFactory.build(
        portfolio=PortfolioFactory(zone=zone("上饶经开区")),
        project=Project.objects.filter(zone__name="赣县区")[0],
    )
    assert access.zones_of(theirs) == {zone("上饶经开区").pk}
    assert not access.can_edit(user, theirs)


def test_campaign_needs_every_one_of_its_zones(seeded):
    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    assert access.zones_of(campaign) == {zone("上饶经开区").pk, zone("赣县区").pk}
    assert not access.can_edit(member(ZoneRole.EDITOR, "上饶市"), campaign)
    both = member(ZoneRole.EDITOR, "上饶市", "赣州市")
    assert access.can_edit(both, campaign)
    assert set(access.editable(Campaign.objects.all(), both).values_list("name", flat=True)) == {
        "强攻二季度、确保双过半",
        "一季度开门红",
        "打好收官战、决战全年胜",
        "半年红",
    }
    assert list(access.editable(Campaign.objects.all(), member(ZoneRole.EDITOR, "赣县区"))) == [
        Campaign.objects.get(name="半年红")
    ]
    assert not access.can_edit(both, CampaignFactory(name="没有区域的行动"))


def test_sub_zone_may_be_created_under_an_editable_zone_only(seeded):
    user = member(ZoneRole.EDITOR, "上饶市")
    assert access.can_edit(user, Zone(name="新园区", kind="park", parent=zone("上饶经开区")))
    assert not access.can_edit(user, Zone(name="新园区", kind="park", parent=zone("赣县区")))
    top = Zone(name="新省", kind="province")
    with pytest.raises(PermissionDenied) as refused:
        access.check_can_edit(user, top)
    assert "只有超级管理员可以新建、移动或删除顶级区域" in str(refused.value)


def test_a_zone_created_in_this_request_is_known(seeded):
    user = member(ZoneRole.EDITOR, "上饶市")
    access.zone_access(user)  # computed before the zone exists
    created = ZoneFactory(parent=zone("上饶经开区"))
    assert access.can_edit(user, created, before={created.parent_id})
    assert access.can_edit(user, ProjectFactory.build(zone=created))


def test_editor_of_a_zone_edits_it_but_may_not_move_it(seeded):
    user = member(ZoneRole.EDITOR, "上饶经开区")
    own = zone("上饶经开区")
    before = access.zones_of(own)
    assert before == {own.pk, zone("上饶市").pk}
    own.description = "国家级经开区"
    assert access.can_edit(user, own, before=before)
    own.parent = zone("赣州市")
    assert not access.can_edit(user, own, before=before)
    own.parent = None
    assert not access.can_edit(user, own, before=before)


def test_editor_of_a_top_level_zone_edits_it(seeded):
    user = member(ZoneRole.EDITOR, "南昌经开区")
    own = zone("南昌经开区")
    assert access.can_edit(user, own, before=access.zones_of(own))
    own.parent = zone("江西省")
    assert not access.can_edit(user, own, before={own.pk, None})


def test_editor_of_a_parent_may_not_take_in_another_zone(seeded):
    user = member(ZoneRole.EDITOR, "上饶市")
    other = zone("赣县区")
    before = access.zones_of(other)
    other.parent = zone("上饶市")
    assert not access.can_edit(user, other, before=before)


def test_sources_and_citations_are_written_by_editors_and_deleted_by_superusers(seeded):
    editor, viewer = member(ZoneRole.EDITOR, "赣县区"), member(ZoneRole.VIEWER, "赣县区")
    document = SourceDocument.objects.first()
    citation = Citation.objects.first()
    assert access.can_edit(editor, document) and access.can_edit(editor, citation)
    assert access.can_write(editor, SourceDocument) and access.can_write(editor, Citation)
    assert not access.can_delete(editor, citation)
    assert not access.can_edit(viewer, document)
    assert bilingual(access.edit_refusal(editor, document, delete=True)) == (
        "只有超级管理员可以删除来源文档 / Only superusers may delete records of “Source document”"
    )


def test_metrics_industries_and_categories_are_written_by_superusers_only(seeded):
    editor = member(ZoneRole.EDITOR, "江西省")
    for model in (Metric, Industry, ProjectCategory):
        assert not access.can_edit(editor, model.objects.first()), model
        assert not access.can_write(editor, model), model
    assert (
        bilingual(access.edit_refusal(editor, MetricFactory()))
        == "只有超级管理员可以修改指标 / Only superusers may change records of “Indicator”"
    )


def test_editable_offers_only_rows_the_user_may_change(seeded, park):
    user = member(ZoneRole.EDITOR, "上饶经开区")
    assert zone_names_of(access.editable(Zone.objects.all(), user)) == {"上饶经开区", "综合园"}
    projects = access.editable(Project.objects.all(), user)
    assert set(projects) == set(Project.objects.filter(zone__name__in=["上饶经开区", "综合园"]))
    assert set(access.field_choices(Enterprise.objects.all(), user, Project, "enterprise")) == set(
        access.readable(Enterprise.objects.all(), user)
    )
    assert (
        access.field_choices(Enterprise.objects.all(), user, IndicatorValue, "enterprise")
        .filter(zone__isnull=True)
        .count()
        == 0
    )


def test_users_without_an_editor_role_write_nothing(seeded):
    viewer = member(ZoneRole.VIEWER, "江西省")
    assert bilingual(access.write_refusal(viewer, Project)) == (
        "您没有任何区域的编辑权限,只能查看 / You have no editor role in any zone: read-only access"
    )
    assert access.editable(Project.objects.all(), viewer).count() == 0
    assert bilingual(access.write_refusal(AnonymousUser(), Project)) == "请先登录 / Authentication required"


def test_a_zone_is_deleted_by_those_who_could_create_it(seeded):
    own_top = member(ZoneRole.EDITOR, "南昌经开区")
    assert access.can_edit(own_top, zone("南昌经开区"), stored=True)
    assert access.edit_refusal(own_top, zone("南昌经开区"), delete=True) == access.TOP_LEVEL_REFUSAL
    city = member(ZoneRole.EDITOR, "上饶市")
    assert access.can_delete(city, zone("综合园"))
    assert not access.can_delete(member(ZoneRole.EDITOR, "综合园"), zone("综合园"))
