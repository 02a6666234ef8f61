"""The seed fixture is honest to the five seed articles: every fact is cited to the sentence
that states it, at its offset, and states no number its sentences do not write."""

import hashlib
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import transaction

from projects import rules
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
    SourceDocument,
    Zone,
    ZoneAlias,
)
from projects.provenance import missing_numbers, quote_is_at_offset
from tests.factories import ZoneFactory
from tests.seeds import load_seeds

FACTS = [Zone, Industry, Enterprise, Project, Milestone, Portfolio, PortfolioEntry, IndicatorValue, Campaign]
ALL = [SourceDocument, Citation, Metric, ZoneAlias, *FACTS]
SEED_FILES = sorted(Path(settings.SEEDS_DIR).glob("*.txt"))

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL}


def test_there_are_five_seed_files():
    assert [f.name[:3] for f in SEED_FILES] == ["000", "001", "002", "003", "004"]


def test_fixture_loads_on_an_empty_database():
    assert all(n == 0 for n in counts().values())
    call_command("loaddata", "seeds", verbosity=0)
    loaded = counts()
    empty = [name for name, n in loaded.items() if n == 0 and name != "PortfolioEntry"]
    assert not empty, f"nothing recorded for {empty}"


def test_loading_twice_creates_no_duplicates():
    call_command("loaddata", "seeds", verbosity=0)
    first = counts()
    call_command("loaddata", "seeds", verbosity=0)
    assert counts() == first


class RolledBack(Exception):
    pass


def every_row() -> dict[str, list]:
    """Every row of every table, history included. Rows of models with a natural key are compared
    by it, as the seed fixture writes them: their primary keys are the database sequences' choice
    (on PostgreSQL a rolled-back load still moves the sequences on)."""
    rows: dict[str, list] = {}
    for model in apps.get_models():  # many-to-many links are compared within their models' rows
        objects = model._base_manager.order_by("pk")
        if not hasattr(model, "natural_key"):
            rows[model._meta.label] = list(objects.values())
            continue
        dumped = serializers.serialize(
            "python", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        rows[model._meta.label] = sorted(
            repr(
                {
                    name: sorted(value) if isinstance(value, list) else value
                    for name, value in d["fields"].items()
                }
            )
            for d in dumped
        )
    return rows


def loaded_then_rolled_back(load) -> tuple[dict[str, list], bool]:
    """The rows `load` leaves in the empty database, and whether the next zone made is numbered
    after the loaded ones."""
    try:
        with transaction.atomic():
            load()
            rows = every_row()
            loaded = max(Zone.objects.values_list("pk", flat=True))
            numbered_after = ZoneFactory().pk > loaded
            raise RolledBack
    except RolledBack:
        return rows, numbered_after


def test_the_seeded_fixture_gives_exactly_the_rows_loaddata_gives():
    """tests/seeds.py inserts the seed fixture again from the rows of its first load: the same
    rows in every table, and a new row numbered after them, as `loaddata seeds` leaves it."""
    assert not any(rows for table, rows in every_row().items() if table.startswith("projects."))
    loaded_then_rolled_back(load_seeds)  # the first load in a process is loaddata's
    (rows, numbered_after), (expected, expected_numbered_after) = (
        loaded_then_rolled_back(load_seeds),
        loaded_then_rolled_back(lambda: call_command("loaddata", "seeds", verbosity=0)),
    )
    assert [table for table in expected if rows[table] != expected[table]] == []
    assert rows == expected and numbered_after and expected_numbered_after
    assert len(rows["projects.Project"]) == 61 and len(rows["projects.Citation"]) == 127


def test_documents_hold_the_seed_files_byte_for_byte(seeded):
    documents = {Path(d.file_path).name: d for d in SourceDocument.objects.all()}
    assert sorted(documents) == [f.name for f in SEED_FILES]
    for path in SEED_FILES:
        raw = path.read_bytes()
        document = documents[path.name]
        assert document.text == raw.decode("utf-8"), path.name
        assert document.sha256 == hashlib.sha256(raw).hexdigest(), path.name
        assert document.published_on and document.published_precision and document.published_note


def test_every_quote_is_at_its_offset_in_its_seed_file(seeded):
    texts = {f"seeds/{f.name}": f.read_text(encoding="utf-8") for f in SEED_FILES}
    for citation in Citation.objects.select_related("document"):
        text = texts[citation.document.file_path]
        assert quote_is_at_offset(text, citation.quote, citation.start, citation.end), citation
        assert "\n" not in citation.quote, citation


def test_every_fact_has_a_citation(seeded):
    for model in FACTS:
        uncited = model.objects.filter(citations__isnull=True)
        assert not uncited.exists(), f"{model.__name__} without citation: {list(uncited)[:5]}"


def test_every_number_of_a_fact_appears_in_its_quotes(seeded):
    problems = []
    for model in FACTS:
        for fact in model.objects.prefetch_related("citations"):
            quotes = [c.quote for c in fact.citations.all()]
            missing = missing_numbers(fact.stated_numbers(), quotes)
            if missing:
                problems.append(f"{model.__name__} {fact}: {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_every_seed_file_has_facts(seeded):
    for document in SourceDocument.objects.all():
        cited_facts = sum(
            getattr(citation, f"{model._meta.model_name}_facts").count()
            for citation in document.citations.all()
            for model in FACTS
        )
        assert cited_facts >= 5, f"{document.key}: only {cited_facts} facts"


def test_every_record_passes_model_validation(seeded):
    for model in ALL:
        for obj in model.objects.all():
            with rules.enforced(obj, confirmed=False):
                obj.full_clean()


def test_unrelated_passages_are_not_project_data(seeded):
    # The farm-produce story, the profile of an official and the local-governance stories.
    for marker in ("马家柚", "徐浠乐", "茶话会", "井前家园", "烟叶", "甜瓜"):
        assert not Citation.objects.filter(quote__contains=marker).exists(), marker


def test_reference_case_of_seed_004_is_recorded_as_stated(seeded):
    portfolio = Portfolio.objects.get(zone__name="赣县区", year=2022, name__contains="工业倍增升级重点调度")
    stated = {
        v.metric.code: v.value
        for v in IndicatorValue.objects.filter(portfolio=portfolio).select_related("metric")
    }
    assert stated["project_count"] == 23
    assert stated["total_investment"] == Decimal("29992000000")
    assert stated["planned_investment"] == Decimal("8319000000")
    assert stated["started_projects"] == 22
    assert stated["completed_investment"] == Decimal("5833000000")
    assert stated["start_rate"] == Decimal("95.65")
    assert stated["completion_rate"] == Decimal("70.11")
    assert stated["ahead_of_schedule"] == Decimal("28.44")


def test_same_project_in_two_articles_is_one_project_with_two_sources(seeded):
    rainbow = Project.objects.filter(total_investment=Decimal("10600000000"))
    assert rainbow.count() == 1
    keys = set(rainbow.get().citations.values_list("document__key", flat=True))
    assert keys == {"seed-000", "seed-003"}


def test_forecasts_and_targets_are_not_actuals(seeded):
    target = IndicatorValue.objects.get(
        zone__name="上饶经开区", year=2024, end_month=12, value=Decimal("270000000000")
    )
    assert target.kind == "target" and target.qualifier == "breaks"


def test_approximate_values_keep_their_qualifier(seeded):
    about = IndicatorValue.objects.get(value=Decimal("12100000000"))
    assert about.qualifier == "about"
    assert about.value_display == "约121亿元"


def test_campaigns_of_the_seeds(seeded):
    double_half = Campaign.objects.get(year=2022, name__contains="双过半")
    assert double_half.required_share == 50
    assert double_half.checkpoint.isoformat() == "2022-06-30"
    assert set(double_half.zones.values_list("name", flat=True)) >= {"上饶经开区", "赣县区"}


def test_natural_keys_survive_a_dump_and_reload(seeded, tmp_path):
    before = counts()
    dump = StringIO()
    call_command(  # ApiToken is a proxy of knox's tokens, which the seeds hold none of
        "dumpdata",
        "projects",
        exclude=["projects.ApiToken"],
        natural_foreign=True,
        natural_primary=True,
        format="json",
        stdout=dump,
    )
    path = tmp_path / "dump.json"
    path.write_text(dump.getvalue(), encoding="utf-8")
    call_command("loaddata", str(path), verbosity=0)
    assert counts() == before
    call_command("flush", interactive=False, verbosity=0)
    assert sum(counts().values()) == 0
    call_command("loaddata", str(path), verbosity=0)
    assert counts() == before
