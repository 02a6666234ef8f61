"""No path lets a user point a row at another zone's data: generated from the code, not listed.

Every serializer of the API, every form of the admin and every workbook column that names a row
is found by walking the code (serializer classes, the admin's registry and page forms, the import
layouts' `refers_to`), and each relation in it is tried with a row of a sibling zone the user may
not read. A field added next year is tried without this file being edited.

The world: 省 > 市 > 甲区, 乙区. Each of 甲区 and 乙区 has one row of every kind of zone data (an
enterprise, a project, a milestone, a portfolio with an entry, figures, a campaign, a private
source document with its citation and a fact, a report schedule and run, an import batch). The
users are relative to 甲区: its editor, its viewer, 乙区's editor (a sibling), and a staff user
with no role. Reference data (metrics, industries, categories) is everyone's to read and skipped.
"""

from __future__ import annotations

import io
import itertools
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.test import RequestFactory
from openpyxl import load_workbook
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIClient

import projects.admin.imports
import projects.admin.monthly_entry
import projects.admin.text_entry
import projects.api.imports
import projects.api.report_runs
import projects.api.reports
import projects.api.serializers
import projects.api.text_entry
import projects.api.views
import projects.forms
from projects import access
from projects.admin.text_entry_forms import ExtractForm, FactForm
from projects.admin.tokens import ApiTokenCreateForm
from projects.api import filters
from projects.api.urls import router
from projects.models import (
    ApiToken,
    Campaign,
    Citation,
    Enterprise,
    EntryReopening,
    ExtractedFact,
    ImportBatch,
    IndicatorValue,
    Industry,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    ReportRun,
    ReportSchedule,
    SourceDocument,
    Zone,
    ZoneAlias,
    ZoneMembership,
    ZoneRole,
)
from projects.text_entry import document_facts_extract
from projects.workbooks.imports import check_import
from projects.workbooks.layout import INDICATOR_COLUMNS, PROJECT_COLUMNS
from projects.workbooks.template import indicators_template, monthly_template, projects_template
from tests.factories import (
    CampaignFactory,
    CitationFactory,
    EnterpriseFactory,
    IndicatorValueFactory,
    IndustryFactory,
    MilestoneFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    ReportScheduleFactory,
    SourceDocumentFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("editor", "viewer", "sibling_editor", "nobody")
MISSING_PK = 987_654


@dataclass
class World:
    own: dict[type[Model], Model]  # 甲区's row of each model
    foreign: dict[type[Model], Model]  # 乙区's
    users: dict[str, Model]

    def client(self, role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(self.users[role])
        return client


def _a_fact(document: SourceDocument, user) -> ExtractedFact:
    """A fact the extractor reads in the document (a figure), as 从文本提取 makes them."""
    document_facts_extract(document=document, user=user)
    return document.extracted_facts.filter(kind="amount").order_by("start").first()


def _zone_rows(zone: Zone, user) -> dict[type[Model], Model]:
    enterprise = EnterpriseFactory(zone=zone, name=f"{zone.name}企业")
    project = ProjectFactory(zone=zone, name=f"{zone.name}项目", enterprise=enterprise)
    portfolio = PortfolioFactory(zone=zone, name=f"{zone.name}重点项目", year=2022)
    document = SourceDocumentFactory(zone=zone, key=f"doc-{zone.pk}", title=f"{zone.name}内部报告")
    citation = CitationFactory(document=document)
    value = IndicatorValueFactory(zone=zone, note="原备注")
    schedule = ReportScheduleFactory(zone=zone)
    return {
        Zone: zone,
        Industry: IndustryFactory(name=f"{zone.name}的产业链"),  # the catalogue: shared, not the zone's
        ZoneAlias: ZoneAlias.objects.create(zone=zone, alias=f"{zone.name}别名"),
        Enterprise: enterprise,
        Project: project,
        Milestone: MilestoneFactory(project=project),
        Portfolio: portfolio,
        PortfolioEntry: PortfolioEntryFactory(portfolio=portfolio, project=project),
        IndicatorValue: value,
        Campaign: CampaignFactory(zones=[zone], name=f"{zone.name}攻坚"),
        SourceDocument: document,
        Citation: citation,
        ExtractedFact: _a_fact(document, user),
        ReportSchedule: schedule,
        ReportRun: ReportRun.objects.create(
            zone=zone, schedule=schedule, period_start=date(2022, 5, 1), period_end=date(2022, 5, 31)
        ),
        EntryReopening: EntryReopening.objects.create(
            zone=zone, year=2022, month=4, until=date(2022, 6, 30), reason="补报"
        ),
        ImportBatch: ImportBatch.objects.create(kind="projects", zone=zone, file_name="a.xlsx", content=b""),
        ZoneMembership: ZoneMembership.objects.get(user=user, zone=zone),
        get_user_model(): user,
    }


@pytest.fixture
def world(investment) -> World:
    province = ZoneFactory(name="省", kind="province")
    city = ZoneFactory(name="市", kind="city", parent=province)
    own_zone = ZoneFactory(name="甲区", parent=city, entry_deadline_day=10)
    foreign_zone = ZoneFactory(name="乙区", parent=city, entry_deadline_day=10)
    users = {
        "editor": ZoneMembershipFactory(zone=own_zone, role=ZoneRole.EDITOR).user,
        "viewer": ZoneMembershipFactory(zone=own_zone, role=ZoneRole.VIEWER).user,
        "sibling_editor": ZoneMembershipFactory(zone=foreign_zone, role=ZoneRole.EDITOR).user,
        "nobody": UserFactory(),
    }
    own = _zone_rows(own_zone, users["editor"])
    foreign = _zone_rows(foreign_zone, users["sibling_editor"])
    return World(own, foreign, users)


def is_reference(model: type[Model]) -> bool:
    """Rows every user may read (the catalogue): nothing to leak, nothing to try."""
    return model in access.REFERENCE_MODELS and model not in access.DOCUMENT_ZONES


def foreign_row(world: World, model: type[Model]) -> Model:
    assert model in world.foreign, (
        f"The world of this test has no {model.__name__} of another zone: add one to _zone_rows so "
        "that the relations to it are tried."
    )
    return world.foreign[model]


def every_row_count() -> dict[str, int]:
    """Rows of every model of the app, and of every history table: a refused write leaves them."""
    counts = {}
    for model in apps.get_app_config("projects").get_models():
        counts[model._meta.label] = model._base_manager.count()
    return counts


def api_request(user) -> Request:
    request = Request(RequestFactory().post("/api/"))
    request.user = user
    return request


# ---------------------------------------------------------------------------------------------
# Serializers: every class, every relation field


def serializer_classes() -> list[type[serializers.BaseSerializer]]:
    """Every serializer class the project defines (imported modules of projects.api and others)."""
    found, stack = [], [serializers.BaseSerializer]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            abstract = issubclass(sub, serializers.ModelSerializer) and not hasattr(
                getattr(sub, "Meta", None), "model"
            )  # a base class such as ResourceSerializer: its subclasses are walked
            if sub.__module__.startswith("projects.") and not abstract:
                found.append(sub)
    return sorted(set(found), key=lambda cls: (cls.__module__, cls.__name__))


def writable_relations(serializer: serializers.BaseSerializer) -> list[tuple[str, serializers.RelatedField]]:
    """(name, relation) of every writable related field, nested writable serializers included."""
    found = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.BaseSerializer):
            child = field.child if isinstance(field, serializers.ListSerializer) else field
            found += [(f"{name}.{inner}", relation) for inner, relation in writable_relations(child)]
            continue
        relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
        if isinstance(relation, serializers.RelatedField):
            found.append((name, relation))
    return found


SERIALIZERS = serializer_classes()


def test_the_walk_finds_the_serializers_of_every_module():
    modules = {cls.__module__ for cls in SERIALIZERS}
    resources = {
        f"projects.api.serializers.{m}" for m in ("sources", "zones", "projects", "portfolios", "indicators")
    }
    assert resources | {"projects.api.report_runs", "projects.api.text_entry"} <= modules
    assert len(SERIALIZERS) > 30


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda cls: cls.__name__)
def test_no_serializer_offers_a_row_the_user_may_not_read(world, serializer_class):
    for role in ROLES:
        assert_offers_only_readable_rows(world, role, serializer_class)


def assert_offers_only_readable_rows(world: World, role: str, serializer_class: type) -> None:
    user = world.users[role]
    serializer = serializer_class(context={"request": api_request(user)})
    for name, relation in writable_relations(serializer):
        choices: QuerySet = relation.get_queryset()
        model = choices.model
        if is_reference(model):
            continue
        readable = set(access.restrict(model._default_manager.all(), user).values_list("pk", flat=True))
        offered = set(choices.values_list("pk", flat=True))
        assert offered <= readable, (
            f"{serializer_class.__name__}.{name} offers {model.__name__} rows {role} may not read: "
            f"{sorted(offered - readable)}. Restrict it (RestrictedRelations, QuerySet.restrict)."
        )


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda cls: cls.__name__)
def test_without_a_request_a_serializer_offers_nothing_of_any_zone(world, serializer_class):
    serializer = serializer_class(context={})
    for name, relation in writable_relations(serializer):
        model = relation.get_queryset().model
        if not is_reference(model):
            assert not relation.get_queryset().exists(), f"{serializer_class.__name__}.{name}"


# ---------------------------------------------------------------------------------------------
# The API: every resource, every relation field, every role


def resources() -> list[tuple[str, type]]:
    return [(prefix, viewset) for prefix, viewset, _ in router.registry]


def write_serializer(viewset: type, user=None) -> serializers.BaseSerializer:
    """The serializer the resource writes with (partial_update's, as create's)."""
    view = viewset(action="partial_update", format_kwarg=None)
    view.request = api_request(user or AnonymousUser())
    return view.get_serializer_class()(context={"request": view.request})


def relation_cases() -> list[tuple[str, str]]:
    """(resource, field) for every writable relation of every resource's serializer to rows of a
    zone (not to the catalogue, which everyone reads)."""
    cases = []
    for prefix, viewset in resources():
        serializer = write_serializer(viewset)
        cases += [
            (prefix, name)
            for name, relation in writable_relations(serializer)
            if not is_reference(relation.get_queryset().model)
        ]
    return cases


RELATION_CASES = relation_cases()


def test_the_walk_finds_the_relations_that_matter():
    assert {
        ("portfolio-entries", "project"),
        ("projects", "citation_ids"),
        ("projects", "enterprise"),
        ("projects", "zone"),
        ("indicator-values", "restates"),
        ("campaigns", "zones"),
        ("report-schedules", "portfolio"),
        ("citations", "document"),
    } <= set(RELATION_CASES)


def _relation(prefix: str, name: str) -> tuple[type[Model], type, serializers.Field]:
    viewset = dict(resources())[prefix]
    field = write_serializer(viewset).fields[name]
    relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
    return viewset.queryset.model, relation.get_queryset().model, field


def _value(field: serializers.Field, pk: int) -> object:
    return [pk] if isinstance(field, serializers.ManyRelatedField) else pk


def _codes(response) -> dict[str, str]:
    return {error["field"]: error["code"] for error in response.json().get("errors", [])}


@pytest.mark.parametrize(("prefix", "name"), RELATION_CASES, ids=str)
def test_a_relation_cannot_point_at_another_zones_row(world, prefix, name):
    """PATCH the user's own row (POST a new one) with the relation pointed at a row of a zone the
    user may not read: refused exactly as a row that does not exist, and nothing written; for
    each role (甲区's editor and viewer, 乙区's editor, a user without a role)."""
    for role in ROLES:
        assert_relation_refused(world, role, prefix, name)


def assert_relation_refused(world: World, role: str, prefix: str, name: str) -> None:
    model, target, field = _relation(prefix, name)
    home, away = (world.foreign, world.own) if role == "sibling_editor" else (world.own, world.foreign)
    client = world.client(role)
    url = f"/api/{prefix}/{home[model].pk}/"
    hidden = "乙区" if home is world.own else "甲区"
    before = every_row_count()

    changed = client.patch(url, {name: _value(field, away[target].pk)}, format="json")
    created = client.post(f"/api/{prefix}/", {name: _value(field, away[target].pk)}, format="json")

    assert every_row_count() == before, f"{role} wrote through {prefix}.{name}"
    missing_changed = client.patch(url, {name: _value(field, MISSING_PK)}, format="json")
    missing_created = client.post(f"/api/{prefix}/", {name: _value(field, MISSING_PK)}, format="json")
    assert changed.status_code >= 400 and created.status_code >= 400
    # Whatever the answer, it is the one given for a row that does not exist: nothing is learnt.
    assert (changed.status_code, _codes(changed)) == (missing_changed.status_code, _codes(missing_changed))
    assert (created.status_code, _codes(created)) == (missing_created.status_code, _codes(missing_created))
    if role in ("editor", "sibling_editor") and access.can_write(world.users[role], model):
        # They may write rows of the resource: it is the field itself that is refused.
        assert name in _codes(created), created.content.decode()
        if missing_changed.status_code != 405:  # the resource is changed in place
            assert name in _codes(changed), changed.content.decode()
    for response in (changed, created):
        assert hidden not in response.content.decode()


@pytest.mark.parametrize(("prefix", "name"), RELATION_CASES, ids=str)
def test_the_editor_may_point_a_relation_at_a_row_of_their_own(world, prefix, name):
    """The other side of the refusal above: the same field with the editor's own row is not
    refused as unknown (the write may still fail for other reasons, such as required fields)."""
    _, target, field = _relation(prefix, name)
    foreign_row(world, target)  # the world has a row of the kind (else: add it)
    own_target = world.own[target]
    response = world.client("editor").post(
        f"/api/{prefix}/", {name: _value(field, own_target.pk)}, format="json"
    )
    assert name not in _codes(response), response.content.decode()


def filter_cases() -> list[tuple[str, str]]:
    """(resource, query parameter) for every filter that names a row of a zone by id or name."""
    cases = []
    for prefix, viewset in resources():
        filterset = getattr(viewset, "filterset_class", None)
        for name, filter_ in filterset.base_filters.items() if filterset else ():
            target = _filter_target(filter_)
            if target is not None and not is_reference(target):
                cases.append((prefix, name))
    return cases


def _filter_target(filter_) -> type[Model] | None:
    if isinstance(filter_, filters.ZoneFilter):
        return Zone
    if isinstance(filter_, filters.NamedFilter):
        return filter_.target
    queryset = getattr(filter_, "queryset", None)
    return queryset.model if isinstance(queryset, QuerySet) else None


FILTER_CASES = filter_cases()


def test_every_filter_set_chooses_among_readable_rows():
    for prefix, viewset in resources():
        filterset = getattr(viewset, "filterset_class", None)
        assert filterset is None or issubclass(filterset, filters.RestrictedFilterSet), prefix
    assert ("projects", "portfolio") in FILTER_CASES and ("indicator-values", "zone") in FILTER_CASES


@pytest.mark.parametrize(("prefix", "name"), FILTER_CASES, ids=str)
def test_a_filter_cannot_tell_another_zones_row_from_a_missing_one(world, prefix, name):
    filter_ = dict(resources())[prefix].filterset_class.base_filters[name]
    target = _filter_target(filter_)
    for role in ROLES:
        home, away = (world.foreign, world.own) if role == "sibling_editor" else (world.own, world.foreign)
        client = world.client(role)
        values = [(away[target].pk, MISSING_PK)]
        if isinstance(filter_, filters.ZoneFilter | filters.NamedFilter):
            values.append((str(away[target]), "无此名称"))
        for hidden, missing in values:
            answer, absent = (
                client.get(f"/api/{prefix}/", {name: hidden}),
                client.get(f"/api/{prefix}/", {name: missing}),
            )
            assert answer.status_code == absent.status_code == 400, (role, answer.content.decode())
            assert _codes(answer) == _codes(absent)
        if role != "nobody":  # the other side: a row of their own is a filter like any
            assert client.get(f"/api/{prefix}/", {name: home[target].pk}).status_code == 200


# ---------------------------------------------------------------------------------------------
# The admin: every registered admin's form and inline forms, and the tracker's own page forms


def admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def admin_forms(user, world: World) -> list[tuple[str, forms.BaseForm]]:
    """(label, form) of every form the admin builds for the user: each registered ModelAdmin's add
    and change form (on the user's own row) and each inline's row forms."""
    request = admin_request(user)
    found = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        own = world.own.get(model)
        # The row as the admin itself fetches it for its change page (with its annotations).
        stored = model_admin.get_object(request, str(own.pk)) if own is not None else None
        for obj in (None, stored):
            if obj is None and not model_admin.has_add_permission(request):
                continue
            form_class = model_admin.get_form(request, obj, change=obj is not None)
            found.append((f"{model.__name__} admin ({'change' if obj else 'add'})", form_class(instance=obj)))
            for formset, inline in model_admin.get_formsets_with_inlines(request, obj):
                formset_instance = formset(instance=obj or model())
                for form in [*formset_instance.forms, formset_instance.empty_form]:
                    found.append((f"{model.__name__} admin › {inline.model.__name__} inline", form))
    return found


def page_forms(user, world: World) -> list[tuple[str, forms.BaseForm]]:
    """The forms of the tracker's own admin pages (从文本提取, 月报填报, Excel导入, the review page):
    every Form class of the project's modules, built as its page builds it. A new form class is
    tried once it is given here; the walk below fails until it is."""
    document = world.own[SourceDocument]
    fact = world.own[ExtractedFact]
    review = projects.admin.text_entry.ReviewPage(admin_request(user), document)
    tokens = admin.site._registry[ApiToken]  # superusers only; built for anyone all the same
    builders = {
        ExtractForm: lambda: ExtractForm(user=user),
        FactForm: lambda: review.form(fact),
        ApiTokenCreateForm: lambda: tokens.get_form(admin_request(user), None)(),
    }
    return [(cls.__name__, build()) for cls, build in builders.items()]


def project_form_classes() -> set[type[forms.BaseForm]]:
    found, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            # A class a module defines (its name in the module gives it back), not one made from it
            # at run time under the same name (the admin's tracked forms, modelform_factory's).
            module = sys.modules.get(sub.__module__)
            if sub.__module__.startswith("projects.") and getattr(module, sub.__qualname__, None) is sub:
                found.add(sub)
    return found


def choice_fields(form: forms.BaseForm) -> list[tuple[str, QuerySet]]:
    return [
        (name, field.queryset)
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None
    ]


def test_every_page_form_with_a_choice_of_rows_is_tried(world):
    """A Form class of the project that offers rows (a ModelChoiceField) must be one the admin's
    registry builds or one page_forms builds: otherwise nobody tries it."""
    user = world.users["editor"]
    tried = {type(form) for _, form in admin_forms(user, world) + page_forms(user, world)}
    tried_bases = {base for cls in tried for base in cls.__mro__}
    untried = []
    for cls in project_form_classes():
        if cls in tried_bases or not any(
            isinstance(field, forms.ModelChoiceField) for field in cls.base_fields.values()
        ):
            continue
        untried.append(cls.__qualname__)
    assert not untried, f"forms that offer rows and are not tried: {untried}; add them to page_forms"


@pytest.mark.parametrize("role", ROLES)
def test_no_admin_form_offers_a_row_the_user_may_not_read(world, role):
    user = world.users[role]
    checked = 0
    for label, form in admin_forms(user, world) + page_forms(user, world):
        for name, choices in choice_fields(form):
            model = choices.model
            if is_reference(model):
                continue
            readable = set(access.restrict(model._default_manager.all(), user).values_list("pk", flat=True))
            current = _current(form, name)
            offered = set(choices.values_list("pk", flat=True)) - current
            assert offered <= readable, (
                f"{label}: {name} offers {model.__name__} {sorted(offered - readable)}"
            )
            checked += 1
    if role in ("editor", "viewer", "sibling_editor"):
        assert checked > 10


def _current(form: forms.BaseForm, name: str) -> set[int]:
    """What the row being changed points at already: offered so that it saves unchanged."""
    instance = getattr(form, "instance", None)
    if instance is None or instance.pk is None:
        return set()
    field = instance._meta.get_field(name) if name in {f.name for f in instance._meta.get_fields()} else None
    if field is None:
        return set()
    if field.many_to_many:
        return set(getattr(instance, name).values_list("pk", flat=True))
    value = getattr(instance, field.attname, None)
    return {value} if value is not None else set()


def test_a_bound_admin_form_refuses_another_zones_row(world):
    """Each relation of each of the editor's forms, bound with its row's own values and one field
    pointed at 乙区's row: invalid on that field, as with a row that does not exist."""
    user = world.users["editor"]
    tried = 0
    for label, form in admin_forms(user, world):
        for name, choices in choice_fields(form):
            model = choices.model
            if is_reference(model) or model is get_user_model() or name not in type(form).base_fields:
                continue  # an inline row's own id is the formset's, tried by the test above
            data = _bound_data(form)
            foreign = foreign_row(world, model).pk
            multiple = isinstance(form.fields[name], forms.ModelMultipleChoiceField)
            data[form.add_prefix(name)] = [foreign] if multiple else foreign
            bound = type(form)(data, instance=getattr(form, "instance", None), prefix=form.prefix)
            assert not bound.is_valid() and name in bound.errors, f"{label}: {name}"
            data[form.add_prefix(name)] = [MISSING_PK] if multiple else MISSING_PK
            missing = type(form)(data, instance=getattr(form, "instance", None), prefix=form.prefix)
            missing.is_valid()
            assert [e.code for e in bound.errors.as_data()[name]] == [
                e.code for e in missing.errors.as_data()[name]
            ], f"{label}: {name}"
            tried += 1
    assert tried > 15


def _bound_data(form: forms.BaseForm) -> dict[str, object]:
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, Model):
            value = value.pk
        data[form.add_prefix(name)] = value
    return data


def test_the_admin_change_page_saves_nothing_pointed_at_another_zone(world, client):
    """End to end through the admin's own view, the issue's attack: the editor's portfolio entry
    pointed at 乙区's project. The page answers with the form error; nothing is written."""
    client.force_login(world.users["editor"])
    entry = world.own[PortfolioEntry]
    url = f"/admin/projects/portfolioentry/{entry.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {key: value for key, value in _bound_data(form).items() if value not in ("", [])}
    data["project"] = world.foreign[Project].pk
    before = every_row_count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["project"]
    assert every_row_count() == before
    entry.refresh_from_db()
    assert entry.project == world.own[Project]
    data["project"] = world.own[Project].pk  # the same form, as it was: saved
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors


# ---------------------------------------------------------------------------------------------
# The 月报 service and the workbook imports: every column that names a row


def test_the_monthly_service_writes_nothing_on_a_project_the_user_may_not_change(world):
    """A list of 甲区 that names 乙区's project (kept from before the API refused it): the entry
    screen does not show it and the service refuses a line for it; nothing is written."""
    from projects.monthly_entry import MonthlyLine, check_month, monthly_sheet

    foreign_project = world.foreign[Project]
    PortfolioEntry.objects.create(portfolio=world.own[Portfolio], project=foreign_project)
    editor = world.users["editor"]
    zone = world.own[Zone]
    sheet = monthly_sheet(zone, 2022, 5, user=editor, today=date(2022, 6, 3))
    assert [row.project.pk for row in sheet.rows] == [world.own[Project].pk]
    line = MonthlyLine(
        project_id=foreign_project.pk,
        amount=Decimal(1_000_000),
        milestones={"start": (date(2022, 5, 1), "month")},
    )
    plan = check_month(zone, 2022, 5, [line], user=editor, today=date(2022, 6, 3))
    assert [f.rule_id for f in plan.findings] == ["unknown_project"]
    assert not plan.creates and not plan.updates


IMPORT_TEMPLATES = {"projects": projects_template, "indicators": indicators_template}


def _column_rows(world: World, kind: str, key: str, who: str) -> list[dict[str, object]]:
    """Rows of an import of `kind` in which column `key` names `who`'s ("own"/"foreign") row, and
    every other column a valid value of the editor's own."""
    rows = world.own if who == "own" else world.foreign
    zone, project, portfolio = world.own[Zone], world.own[Project], world.own[Portfolio]
    if kind == "projects":
        row = {"区域": zone.name, "项目名称": "新项目甲", "总投资": 1, "企业": world.own[Enterprise].name}
        header = {column.key: column.header for column in PROJECT_COLUMNS}[key]
        named = {"zone": rows[Zone].name, "enterprise": rows[Enterprise].name}[key]
        return [{**row, header: named}]
    subjects = {"区域": rows[Zone].name, "调度清单": rows[Portfolio].name, "项目": rows[Project].name}
    base = {"主体类型": "项目", "主体名称": project.name, "指标": "完成投资", "年度": 2022, "时段": "1-5月"}
    base["数值"] = 1
    header = {column.key: column.header for column in INDICATOR_COLUMNS}[key]
    if key == "subject":
        return [{**base, "主体类型": kind_, "主体名称": name} for kind_, name in subjects.items()]
    if key == "subject_zone":
        return [
            {**base, "主体类型": "项目", "所在区域": rows[Zone].name},
            {**base, "主体类型": "调度清单", "主体名称": portfolio.name, "所在区域": rows[Zone].name},
        ]
    return [{**base, header: {"zone": rows[Zone].name}[key]}]


def _workbook(kind: str, rows: list[dict[str, object]]) -> bytes:
    book = load_workbook(io.BytesIO(IMPORT_TEMPLATES[kind](None)))
    sheet = book.worksheets[0]
    columns = {cell.value.strip("*"): cell.column for cell in sheet[2] if cell.value}
    for offset, values in enumerate(rows):
        for header, value in values.items():
            sheet.cell(row=3 + offset, column=columns[header], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


IMPORT_COLUMNS = [
    (kind, column.key)
    for kind, columns in (("projects", PROJECT_COLUMNS), ("indicators", INDICATOR_COLUMNS))
    for column in columns
    if column.refers_to and column.refers_to != "metric"  # the catalogue: everyone's to name
]


def test_every_column_that_names_a_row_says_so():
    """A column whose key is the name of a model (or a subject) must declare refers_to, so that the
    test below tries it."""
    names = {model._meta.model_name for model in apps.get_app_config("projects").get_models()}
    for column in itertools.chain(PROJECT_COLUMNS, INDICATOR_COLUMNS):
        if column.key in names | {"subject", "subject_zone", "project_id", "zone_id"}:
            assert column.refers_to, column.key


@pytest.mark.parametrize(("kind", "key"), IMPORT_COLUMNS)
def test_an_import_column_cannot_name_another_zones_row(world, kind, key):
    editor = world.users["editor"]
    before = every_row_count()
    for foreign_row_, missing_row in zip(
        _column_rows(world, kind, key, "foreign"), _missing_rows(world, kind, key), strict=True
    ):
        result = check_import(kind, _workbook(kind, [foreign_row_]), user=editor, today=date(2022, 6, 3))
        missing = check_import(kind, _workbook(kind, [missing_row]), user=editor, today=date(2022, 6, 3))
        said = sorted((f.column, f.rule_id, _unnamed(f.message, foreign_row_)) for f in result.findings)
        assert said, f"{kind}.{key}: {foreign_row_} was accepted"
        assert said == sorted(
            (f.column, f.rule_id, _unnamed(f.message, missing_row)) for f in missing.findings
        )
    assert every_row_count() == before
    for own_row in _column_rows(world, kind, key, "own"):
        result = check_import(kind, _workbook(kind, [own_row]), user=editor, today=date(2022, 6, 3))
        assert not [f for f in result.findings if f.is_error], (own_row, result.findings)


def _unnamed(message: str, row: dict[str, object]) -> str:
    """The message without the names the row itself gave (a finding may quote the cell)."""
    for value in sorted((v for v in row.values() if isinstance(v, str) and v), key=len, reverse=True):
        message = message.replace(value, "〈名称〉")
    return message


def _missing_rows(world: World, kind: str, key: str) -> list[dict[str, object]]:
    """The same rows, naming rows that do not exist at all."""
    rows = _column_rows(world, kind, key, "foreign")
    foreign = {row.name for row in (world.foreign[Zone], world.foreign[Enterprise], world.foreign[Project])}
    foreign.add(world.foreign[Portfolio].name)
    return [
        {header: ("无此名称" if value in foreign else value) for header, value in row.items()} for row in rows
    ]


def test_a_monthly_template_of_another_zone_is_refused_as_unknown(world):
    editor = world.users["editor"]
    foreign = monthly_template(world.foreign[Zone], 2022, 5, today=date(2022, 6, 3))
    result = check_import("monthly", foreign, user=editor, today=date(2022, 6, 3))
    [finding] = result.findings
    assert (finding.rule_id, finding.message) == ("file", "模板所属的区域已不存在")
    book = load_workbook(io.BytesIO(monthly_template(world.own[Zone], 2022, 5, today=date(2022, 6, 3))))
    sheet = book.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[2] if cell.value}
    sheet.cell(row=sheet.max_row + 1, column=columns["项目编号"], value=world.foreign[Project].pk)
    out = io.BytesIO()
    book.save(out)
    own = check_import("monthly", out.getvalue(), user=editor, today=date(2022, 6, 3))
    assert [(f.column, f.rule_id) for f in own.findings if f.is_error] == [("A 项目编号", "unknown_project")]
    assert "乙区" not in " ".join(f.message for f in own.findings)
