"""The seed fixture for tests: loaded by loaddata once per test process, then inserted again from
the rows it made, about thirty times faster, for the `seeded` fixture (tests/conftest.py) and for
the tests on the live server (whose database is emptied after each test)."""

from collections import defaultdict

from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save

_seed_rows: list[dict] = []  # the seed fixture's rows by primary key, once it has been loaded


def load_seeds() -> None:
    """The seed fixture, as `manage.py loaddata seeds` loads it. The first load in a process is
    loaddata's, which resolves the fixture's natural keys, a query per reference, and takes seconds;
    later loads insert the same rows by primary key, in a tenth of a second
    (tests/test_seed_fixtures.py holds that both give the same rows)."""
    if not _seed_rows:
        loaded = []

        def collect(sender, instance, raw: bool, **kwargs) -> None:
            if raw:
                loaded.append(instance)

        post_save.connect(collect, weak=False, dispatch_uid="tests.browser.load_seeds")
        try:
            call_command("loaddata", "seeds", verbosity=0)
        finally:
            post_save.disconnect(dispatch_uid="tests.browser.load_seeds")
        _seed_rows.extend(serializers.serialize("python", loaded))
        return
    # A row saved twice while loading is loaded once, in its last state.
    rows = {(type(row.object), row.object.pk): row for row in serializers.deserialize("python", _seed_rows)}
    tables: dict[type[Model], list[Model]] = defaultdict(list)
    for (model, pk), row in rows.items():
        tables[model].append(row.object)
        for name, targets in (row.m2m_data or {}).items():
            field = model._meta.get_field(name)
            link = field.remote_field.through
            source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
            tables[link] += [link(**{source: pk, target: target_pk}) for target_pk in targets]
    with transaction.atomic():  # foreign keys are checked at the commit: any order will do
        for model, objects in tables.items():
            model._base_manager.bulk_create(objects)
        # As loaddata does: the next row made gets a primary key after the loaded ones.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(tables)):
                cursor.execute(statement)
