"""Locks cover deletes: a figure of a locked month is not deleted on any path — the API's DELETE,
the admin's delete page, its bulk action, inline rows ticked 删除 — neither by itself nor by the
cascade of a delete above it (a project, a portfolio, an enterprise, a zone), by superusers and
zone editors alike. The same deletes in an open month, or after the month is reopened, go through.

The models whose delete reaches a figure are found from the model graph, not listed by hand, and
each is given a figure below it with the factories of tests/factories.py: a cascade added next
year is tested here without an edit (or the test says which factory it lacks)."""

import ast
import inspect
import textwrap
from datetime import date
from pathlib import Path

import factory
import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.db.models import CASCADE, DB_CASCADE, ForeignKey, Model
from django.forms.models import _get_foreign_key
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from projects import rules
from projects.api.urls import router
from projects.i18n import in_english
from projects.models import SUBJECTS, EntryReopening, IndicatorValue, Versioned, Zone, ZoneRole
from tests import factories
from tests.test_admin_permissions import change_form_data

pytestmark = pytest.mark.django_db

TODAY = date(2022, 6, 15)  # May 2022 was locked on 10 June; June is open until 10 July
LOCKED, OPEN = 5, 6
MESSAGE = (
    "赣县区2022年5月的数据已于2022年6月10日截止锁定,不能直接删除;请新增更正数值并填写更正原因,"
    "或请管理员重新开放"
)
MESSAGE_EN = (
    "赣县区's figures for 2022-5 were locked after 2022-6-10: they cannot be deleted in place. "
    "Add a restatement with its reason, or ask an administrator to reopen the month."
)


# ---------------------------------------------------------------------------------------------
# The model graph


def cascade_paths(target: type[Model]) -> dict[type[Model], tuple[ForeignKey, ...]]:
    """Every model whose delete deletes rows of `target`, with the foreign keys that lead from a
    `target` row up to it (the shortest chain): the graph walked upwards from `target` along
    every foreign key that cascades."""
    paths: dict[type[Model], tuple[ForeignKey, ...]] = {target: ()}
    queue = [target]
    while queue:
        model = queue.pop(0)
        for field in model._meta.concrete_fields:
            if field.is_relation and field.remote_field.on_delete in (CASCADE, DB_CASCADE):
                above = field.related_model._meta.concrete_model
                if above not in paths:
                    paths[above] = (*paths[model], field)
                    queue.append(above)
    return paths


PATHS = cascade_paths(IndicatorValue)
REACHING = sorted(PATHS, key=lambda model: model._meta.label)
FACTORIES = {
    f._meta.model: f
    for f in vars(factories).values()
    if isinstance(f, type) and issubclass(f, factory.django.DjangoModelFactory) and f._meta.model
}
API_ROUTES = {viewset.queryset.model: prefix for prefix, viewset, _ in router.registry}


def test_the_graph_finds_the_cascades_of_today():
    """A check of the walk itself: what the models say today (it grows by itself later)."""
    assert {"projects.Zone", "projects.Portfolio", "projects.Project", "projects.Enterprise"} <= {
        model._meta.label for model in PATHS
    }
    assert all(rules.deletes_reach(model, IndicatorValue) for model in PATHS)


# ---------------------------------------------------------------------------------------------
# The world: 赣州市 > 赣县区 (deadline day 10), an editor of 赣州市, a superuser


@pytest.fixture(autouse=True)
def mid_june_2022():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def zone(db) -> Zone:
    city = factories.ZoneFactory(name="赣州市", kind="city")
    return factories.ZoneFactory(name="赣县区", parent=city, entry_deadline_day=10)


@pytest.fixture
def users(zone, django_user_model) -> dict:
    editor = factories.UserFactory(username="editor")
    factories.ZoneMembershipFactory(user=editor, zone=zone.parent, role=ZoneRole.EDITOR)
    return {
        "superuser": django_user_model.objects.create_superuser("chief", password="pw-for-tests-only"),
        "editor": editor,
    }


def make(model: type[Model], zone: Zone, month: int, /, **given) -> Model:
    """A row of `model` (in `zone` where it has one), with the factory of tests/factories.py."""
    assert model in FACTORIES, f"tests/factories.py has no factory for {model._meta.label}: add one"
    if model is IndicatorValue:  # an actual figure of 2022 (Jan to `month`), of the subject given
        given = {
            **{subject: None for subject in SUBJECTS},
            "year": 2022,
            "start_month": 1,
            "end_month": month,
            "kind": "actual",
            **given,
        }
        if not any(given[subject] for subject in SUBJECTS):  # a figure of its own: the zone's
            given["zone"] = zone
    elif "zone" not in given and any(f.name == "zone" for f in model._meta.concrete_fields):
        given["zone"] = zone
    return FACTORIES[model](**given)


def with_figure(model: type[Model], zone: Zone, month: int, /, **given) -> tuple[Model, IndicatorValue]:
    """A row of `model` with an actual figure of (2022, `month`) of `zone` below it, built down the
    chain of foreign keys the graph found. A zone is the zone itself."""
    top = zone if model is Zone and not given else make(model, zone, month, **given)
    row = top
    for field in reversed(PATHS[model]):
        row = make(field.model, zone, month, **{field.name: row})
    return top, row


def row_counts() -> dict[str, int]:
    """Rows of every table of the projects app: records, history, many-to-many links."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_app_config("projects").get_models(include_auto_created=True)
    }


def api_delete(user, obj: Model):
    client = APIClient()
    client.force_authenticate(user)
    if_match = {"HTTP_IF_MATCH": f'"{obj.version}"'} if isinstance(obj, Versioned) else {}
    return client.delete(f"/api/{API_ROUTES[type(obj)]}/{obj.pk}/", **if_match)


def admin_view_delete(client, obj: Model):
    url = reverse(f"admin:projects_{obj._meta.model_name}_delete", args=[obj.pk])
    return client.post(url, {"post": "yes"})


def admin_bulk_delete(client, obj: Model):
    return client.post(
        reverse(f"admin:projects_{obj._meta.model_name}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )


DELETES = {
    "api": lambda client, user, obj: api_delete(user, obj),
    "admin_view": lambda client, user, obj: admin_view_delete(client, obj),
    "admin_bulk": lambda client, user, obj: admin_bulk_delete(client, obj),
}
CASES = [
    pytest.param(model, path, id=f"{model.__name__}-{path}")
    for model in REACHING
    for path in DELETES
    if (path == "api" and model in API_ROUTES) or (path != "api" and admin.site.is_registered(model))
]


def assert_refused(path: str, response) -> None:
    if path == "api":
        assert response.status_code == 409, response.content
        body = response.json()
        assert (body["code"], body["detail"]) == (
            "locked_month",
            "删除会连带删除已锁定月份的指标数值,未删除任何记录 / "
            "The delete would remove figures of a locked month; nothing was deleted",
        )
        assert body["errors"] == [
            {
                "field": None,
                "code": "locked_month",
                "message": MESSAGE,
                "message_en": MESSAGE_EN,
                "severity": "error",
            }
        ]
    else:  # the confirmation page again, the figure listed as protected, no 确认 button
        assert response.status_code == 200
        page = response.content.decode()
        assert f"[locked_month] {MESSAGE}" in page
        assert 'type="submit"' not in page.split('id="content"')[1]


def assert_deleted(path: str, response, *rows: Model) -> None:
    assert response.status_code == (204 if path == "api" else 302), response.content
    for row in rows:
        assert not type(row)._base_manager.filter(pk=row.pk).exists()


# ---------------------------------------------------------------------------------------------
# Every model, every path, both roles


@pytest.mark.parametrize("role", ["superuser", "editor"])
@pytest.mark.parametrize(("model", "path"), CASES)
def test_a_delete_that_would_remove_a_locked_figure_is_refused_and_deletes_nothing(
    client, zone, users, role, model, path
):
    target, figure = with_figure(model, zone, LOCKED)
    client.force_login(users[role])
    before = row_counts()
    response = DELETES[path](client, users[role], target)
    assert_refused(path, response)
    assert row_counts() == before
    assert IndicatorValue.objects.filter(pk=figure.pk).exists()


@pytest.mark.parametrize("role", ["superuser", "editor"])
@pytest.mark.parametrize(("model", "path"), CASES)
def test_the_same_delete_in_an_open_month_goes_through(client, zone, users, role, model, path):
    target, figure = with_figure(model, zone, OPEN)
    client.force_login(users[role])
    assert_deleted(path, DELETES[path](client, users[role], target), target, figure)


@pytest.mark.parametrize("role", ["superuser", "editor"])
@pytest.mark.parametrize(("model", "path"), CASES)
def test_the_same_delete_goes_through_once_the_month_is_reopened(client, zone, users, role, model, path):
    target, figure = with_figure(model, zone, LOCKED)
    EntryReopening.objects.create(zone=zone, year=2022, month=LOCKED, until=date(2022, 6, 20), reason="补报")
    client.force_login(users[role])
    response = DELETES[path](client, users[role], target)
    if path != "api" and model in cascade_paths(EntryReopening):
        # Deleting the zone would delete the reopening too, a record the admin never deletes
        # (重新开放填报 is kept): refused for that, as before, and not for the lock.
        assert response.status_code == 403
        assert "截止锁定" not in response.content.decode()
        return
    assert_deleted(path, response, target, figure)


@pytest.mark.parametrize(
    "model", [m for m in REACHING if admin.site.is_registered(m)], ids=lambda model: model.__name__
)
def test_the_admins_delete_methods_refuse_on_their_own(rf, zone, users, model):
    """delete_model and delete_queryset check too, whoever calls them (a custom action, a view
    that skips the confirmation page)."""
    target, _ = with_figure(model, zone, LOCKED)
    request = rf.post("/")
    request.user = users["superuser"]
    model_admin = admin.site.get_model_admin(model)
    before = row_counts()
    with pytest.raises(rules.LockedDelete):
        model_admin.delete_model(request, target)
    with pytest.raises(rules.LockedDelete):
        model_admin.delete_queryset(request, model._default_manager.filter(pk=target.pk))
    assert row_counts() == before


# ---------------------------------------------------------------------------------------------
# Restatements


@pytest.fixture
def restated(zone) -> tuple[IndicatorValue, IndicatorValue]:
    """May's figure and its restatement (更正), both in the locked month."""
    original = make(IndicatorValue, zone, LOCKED, zone=zone)
    restatement = make(
        IndicatorValue,
        zone,
        LOCKED,
        zone=zone,
        metric=original.metric,
        value=original.value + 1,
        restates=original,
        restatement_reason="统计局核定",
    )
    return original, restatement


@pytest.mark.parametrize("role", ["superuser", "editor"])
@pytest.mark.parametrize("path", list(DELETES))
@pytest.mark.parametrize("which", ["restatement", "original"])
def test_a_restatement_and_the_original_it_restates_are_both_undeletable(
    client, users, restated, role, path, which
):
    original, restatement = restated
    client.force_login(users[role])
    before = row_counts()
    response = DELETES[path](client, users[role], restatement if which == "restatement" else original)
    assert_refused(path, response)
    assert row_counts() == before


def test_after_a_reopening_the_restatement_then_the_original_may_go(zone, users, restated):
    original, restatement = restated
    EntryReopening.objects.create(zone=zone, year=2022, month=LOCKED, until=date(2022, 6, 20), reason="补报")
    assert api_delete(users["editor"], original).status_code == 409  # still referred to
    assert IndicatorValue.objects.count() == 2
    assert api_delete(users["editor"], restatement).status_code == 204
    original.refresh_from_db()
    assert api_delete(users["editor"], original).status_code == 204


# ---------------------------------------------------------------------------------------------
# Inline rows ticked 删除 on a change page


def inline_cases() -> list:
    """Every inline of every admin page whose rows' delete reaches a figure."""
    return [
        pytest.param(model_admin.model, inline, id=f"{model_admin.model.__name__}-{inline.__name__}")
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if inline.model in PATHS
    ]


def post_with_row_deleted(client, parent: Model, row: Model):
    url = reverse(f"admin:projects_{parent._meta.model_name}_change", args=[parent.pk])
    data = change_form_data(client.get(url))
    prefix = next(
        key[: -len("-id")] for key, value in data.items() if key.endswith("-id") and value == str(row.pk)
    )
    data[f"{prefix}-DELETE"] = "on"
    return client.post(url, data)


@pytest.mark.parametrize("role", ["superuser", "editor"])
@pytest.mark.parametrize(("parent_model", "inline"), inline_cases())
def test_an_inline_row_of_a_locked_month_ticked_for_deletion_is_refused(
    client, zone, users, role, parent_model, inline
):
    parent = make(parent_model, zone, LOCKED)
    fk = _get_foreign_key(parent_model, inline.model, fk_name=inline.fk_name)
    row, figure = with_figure(inline.model, zone, LOCKED, **{fk.name: parent})
    client.force_login(users[role])
    before = row_counts()
    response = post_with_row_deleted(client, parent, row)
    assert response.status_code == 403
    assert escape(MESSAGE) in response.content.decode()  # the admin speaks Chinese
    assert row_counts() == before
    assert IndicatorValue.objects.filter(pk=figure.pk).exists()


@pytest.mark.parametrize(("parent_model", "inline"), inline_cases())
def test_an_inline_row_of_an_open_month_is_deleted(client, zone, users, parent_model, inline):
    parent = make(parent_model, zone, OPEN)
    fk = _get_foreign_key(parent_model, inline.model, fk_name=inline.fk_name)
    row, figure = with_figure(inline.model, zone, OPEN, **{fk.name: parent})
    client.force_login(users["editor"])
    assert post_with_row_deleted(client, parent, row).status_code == 302
    assert not IndicatorValue.objects.filter(pk=figure.pk).exists()


def test_inline_rows_of_figures_exist_to_be_tested():
    assert {param.values[0] for param in inline_cases()} >= {
        apps.get_model("projects", "Project"),
        apps.get_model("projects", "Portfolio"),
    }


# ---------------------------------------------------------------------------------------------
# The check: what it finds, what it costs


def test_the_check_names_every_locked_month_a_delete_would_remove(zone):
    project, may = with_figure(apps.get_model("projects", "Project"), zone, LOCKED)
    april = make(IndicatorValue, zone, 4, project=project, metric=may.metric)
    make(IndicatorValue, zone, OPEN, project=project, metric=may.metric)  # open: not named
    make(IndicatorValue, zone, 3, project=project, metric=may.metric, kind="target")  # targets: not locked
    findings = rules.locked_in_deletion([project])
    assert {f.obj.pk for f in findings} == {may.pk, april.pk}
    with pytest.raises(rules.LockedDelete) as refused:
        rules.check_deletable([project])
    assert [zh.split("的数据")[0] for zh, _ in refused.value.messages] == [
        "赣县区2022年4月",
        "赣县区2022年5月",
    ]
    assert str(refused.value).endswith("(另有1个已锁定月份的数值)")  # in the active language
    assert in_english(refused.value.text).endswith("(Figures of 1 more locked months too.)")


def test_the_check_reads_the_stored_figure_not_the_edited_one(zone):
    _, figure = with_figure(IndicatorValue, zone, LOCKED, zone=zone)
    figure.end_month = OPEN  # a form row may carry edited fields: the stored month decides
    assert [f.obj.pk for f in rules.locked_in_deletion([figure])] == [figure.pk]


def test_a_zone_without_a_deadline_day_never_locks_a_delete(zone):
    zone.entry_deadline_day = None
    zone.save()
    project, _ = with_figure(apps.get_model("projects", "Project"), zone, 1)
    assert rules.locked_in_deletion([project]) == []


@pytest.mark.parametrize("model", REACHING, ids=lambda model: model.__name__)
def test_the_check_costs_the_same_queries_for_3_or_30_figures(zone, model):
    def cost(figures: int) -> int:
        top, figure = with_figure(model, zone, LOCKED)
        for month in range(figures - 1):  # more figures of the same subject, other metrics
            subject = {f: getattr(figure, f) for f in SUBJECTS if getattr(figure, f"{f}_id")}
            make(IndicatorValue, zone, 1 + month % 12, **subject)
        with CaptureQueriesContext(connection) as queries:
            assert len(rules.locked_in_deletion([top])) >= 1
        return len(queries)

    assert cost(3) == cost(30)


# ---------------------------------------------------------------------------------------------
# The schema says so, for the resources whose delete can meet a locked month


def test_the_schema_documents_the_409_of_a_locked_month_where_a_delete_can_meet_one(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for prefix, viewset, _ in router.registry:
        delete = schema["paths"].get(f"/api/{prefix}/{{id}}/", {}).get("delete")
        if delete is None:
            continue
        documented = "locked_month" in delete["responses"]["409"]["description"]
        assert documented == (viewset.queryset.model in PATHS), prefix


# ---------------------------------------------------------------------------------------------
# Every delete in the code asks the check, or cannot reach a figure

PROJECTS = Path(rules.__file__).parent.parent  # projects/ (rules is a package of it)
# Deletes of rows whose delete reaches no figure: (file, function) → the model deleted.
CANNOT_REACH_A_FIGURE = {
    ("access/roles.py", "zone_membership_revoke"): "projects.ZoneMembership",
    ("report_runs.py", "generate"): "projects.ReportFile",
    ("tokens.py", "api_token_revoke"): "projects.ApiToken",
    ("tokens.py", "api_tokens_revoke"): "projects.ApiToken",
    ("tokens.py", "api_tokens_purge_expired"): "projects.ApiToken",
}


def _is_cache(receiver: ast.expr) -> bool:
    return isinstance(receiver, ast.Name) and receiver.id == "cache"


def delete_calls() -> set[tuple[str, str]]:
    """(file, function) of every `….delete(…)` call in projects/ (migrations aside)."""
    found = set()
    for path in PROJECTS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "delete"
                    and not _is_cache(node.func.value)  # Django's cache (login counts): no rows
                ):
                    found.add((str(path.relative_to(PROJECTS)), function.name))
    return found


def test_every_delete_in_the_code_asks_the_check_or_cannot_reach_a_figure():
    from projects.api.views import ResourceViewSet

    calls = delete_calls()
    assert ("api/views/base.py", "perform_destroy") in calls
    for file, function in calls - set(CANNOT_REACH_A_FIGURE):
        source = (PROJECTS / file).read_text()
        body = next(
            ast.get_source_segment(source, node)
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef) and node.name == function
        )
        assert "check_deletable" in body, f"{file}: {function} deletes without rules.check_deletable"
    for (file, function), label in CANNOT_REACH_A_FIGURE.items():
        assert (file, function) in calls, f"{file}: {function} no longer deletes: drop it from the list"
        assert apps.get_model(label) not in PATHS
    assert "check_deletable" in textwrap.dedent(inspect.getsource(ResourceViewSet.perform_destroy))
