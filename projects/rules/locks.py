"""The lock on deletes: a figure of a locked month is not deleted, by any path or cascade
(`check_deletable`, `LockedDelete`, `locked_in_deletion`, `deletes_reach`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import CASCADE, DB_CASCADE, Model, ProtectedError, RestrictedError
from django.db.models.deletion import Collector, get_candidate_relations_to_delete
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..i18n import both
from .base import RULES, Context, Finding, _zone_id
from .figures import _in_locked_months

# ---------------------------------------------------------------------------------------------
# Deletes: a figure of a locked month is not deleted either
#
# Every path that deletes rows asks `check_deletable` first: the API's destroy, the admin's
# delete view, its bulk action and inline rows (projects/admin/base.py). What a delete removes is found
# as Django's delete finds it, with its deletion Collector, so a cascade added to the models later
# (a new foreign key to projects or zones, say) is covered without an edit here.


class LockedDelete(PermissionDenied):
    """A delete refused because it would remove figures of a locked month (rule locked_month).

    A PermissionDenied, so that a path that does not know it still refuses (Django's and DRF's 403)
    rather than deletes; the API answers it with a 409 (the record's state, not the user's role, is
    in the way), the admin with its refusal page. `messages` are the distinct (Chinese, English)
    of the findings; the exception's own text is the first one, and how many more months there are,
    rendered in the active language when read."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.messages = list(dict.fromkeys(both(f.text) for f in findings))
        first = findings[0].text
        if more := len(self.messages) - 1:
            first = format_lazy(_("{message}(另有{more}个已锁定月份的数值)"), message=first, more=more)
        self.text = first
        super().__init__(first)


class _Deletion(Collector):
    """What a delete would remove, collected the way Model.delete() and QuerySet.delete() collect
    it, every row loaded (no fast deletes). A row that protects another (PROTECT, RESTRICT) is
    passed over rather than ending the walk, as in the admin's NestedObjects: the lock is reported
    even where the delete would be refused for a reference too (a restated original)."""

    def __init__(self, using: str) -> None:
        super().__init__(using, force_collection=True)

    def collect(self, objs: Iterable[Model], *args: Any, **kwargs: Any) -> None:
        try:
            super().collect(objs, *args, **kwargs)
        except (ProtectedError, RestrictedError):
            pass


def deleted_values(objects: Iterable[Model]) -> list[Model]:
    """Every IndicatorValue a delete of `objects` (model instances of any models, or a QuerySet)
    would remove: themselves, and the rows it cascades to. A constant number of queries per model
    the delete reaches, however many rows."""
    from ..models import IndicatorValue

    by_model: dict[type[Model], list[Model]] = defaultdict(list)
    for obj in objects:
        if obj.pk is not None:
            by_model[type(obj)].append(obj)
    if not by_model:
        return []
    collector = _Deletion(router.db_for_write(next(iter(by_model))))
    for batch in by_model.values():
        collector.collect(batch)
    return [
        obj
        for model, instances in collector.data.items()
        if issubclass(model._meta.concrete_model, IndicatorValue)
        for obj in instances
    ]


def locked_values(values: Iterable[Model], *, today: date | None = None) -> list[Finding]:
    """The findings of rule locked_month for the stored IndicatorValues `values` if they were
    deleted: an actual figure of a month that is locked on `today` (no reopening runs), a
    restatement of it and a restated original alike (a restatement is how a locked month is
    corrected, and deleting the original would break the chain). Read as stored, whatever the
    objects in memory say (a form's row may carry edited fields): three queries for any number."""
    from ..models import IndicatorValue

    ids = {v.pk for v in values if v.pk is not None}
    if not ids:
        return []
    stored = (
        IndicatorValue._base_manager.select_related("zone", "portfolio", "project", "enterprise", "metric")
        .filter(kind="actual")
        .in_bulk(ids)
    )
    figures = sorted(stored.values(), key=lambda v: (v.year, v.end_month, v.pk))  # months in order
    zone_of = {id(v): _zone_id(v) for v in figures}
    context = Context(today or timezone.localdate())
    return [
        Finding(RULES["locked_month"], v, {**params, "action": pgettext_lazy("locked month", "删除")})
        for v, params in _in_locked_months(figures, zone_of, context)
    ]


def locked_in_deletion(objects: Iterable[Model], *, today: date | None = None) -> list[Finding]:
    """The locked figures a delete of `objects` would remove, itself or by cascade."""
    return locked_values(deleted_values(objects), today=today)


def check_deletable(objects: Iterable[Model], *, today: date | None = None) -> None:
    """Raise LockedDelete when a delete of `objects` would remove a figure of a locked month.
    Call it inside the delete's transaction, just before the delete."""
    if findings := locked_in_deletion(objects, today=today):
        raise LockedDelete(findings)


def deletes_reach(model: type[Model], target: type[Model]) -> bool:
    """Whether deleting a row of `model` can delete rows of `target` (itself, a cascade, or a
    multi-table child), from the model graph: for the API's schema."""
    seen: set[type[Model]] = set()
    todo = [model]
    while todo:
        current = todo.pop()._meta.concrete_model
        if issubclass(current, target):
            return True
        if current in seen:
            continue
        seen.add(current)
        todo.extend(current._meta.parents)  # a child's delete deletes its parent row too
        for relation in get_candidate_relations_to_delete(current._meta):
            if relation.on_delete in (CASCADE, DB_CASCADE):
                todo.append(relation.related_model)
    return False
