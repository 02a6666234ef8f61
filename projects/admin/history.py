"""A record's change history (django-simple-history) as staff read it: when, who, what kind of
change, the reason given, and each changed field's value before and after, shown the way the
admin shows them (choices by their label, amounts in their unit, related rows by name).

The admin's history page and its Excel export use the same entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import without_unit
from ..money import Currency, format_amount, plain

HISTORY_TYPES = {"+": _("新增"), "~": _("修改"), "-": _("删除")}
EXPORT_HEADERS = (_("时间"), _("操作人"), _("类型"), _("原因"), _("字段"), _("原值"), _("新值"))

# Amounts are stored in base units (元) beside the scale they were entered in.
AMOUNT_SCALES = {
    "total_investment": "total_investment_scale",
    "planned_investment": "planned_investment_scale",
    "value": "scale",
    "value_upper": "scale",
}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the field's label
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    user: str
    kind: str  # 新增, 修改, 删除
    reason: str
    changes: tuple[FieldChange, ...]


def tracks_history(model: type[Model]) -> bool:
    """django-simple-history keeps the changes of `model`."""
    return hasattr(model._meta, "simple_history_manager_attribute")


def history_records(model: type[Model], pk: object):
    """The historical rows of one record, newest first, with their users and related rows."""
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    return (
        manager.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        ._select_related_history_tracked_objs()
    )


def field_text(record: Model, field: Field) -> str:
    """The value of `field` in the historical `record`, as the admin would show it ("" when empty)."""
    if field.many_to_one or field.one_to_one:
        related_id = getattr(record, field.attname)
        if related_id is None:
            return ""
        try:
            related = getattr(record, field.name)
        except ObjectDoesNotExist:
            related = None
        if related is None:
            return gettext("已删除的{model}(编号{id})").format(
                model=field.related_model._meta.verbose_name, id=related_id
            )
        return str(related)
    value = getattr(record, field.attname)
    if value is None or value == "" or value == [] or value == {}:
        return ""
    scale_field = AMOUNT_SCALES.get(field.name)
    if scale_field and isinstance(value, Decimal) and (scale := getattr(record, scale_field, None)):
        return format_amount(value, scale, getattr(record, "currency", "") or Currency.CNY)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    return value_text(value)


def value_text(value: object) -> str:
    """A stored value as text: 是/否, plain decimals, local times, lists joined by 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, Decimal):
        return f"{plain(value)}"
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else f"{value}"
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _tracked_fields(record: Model) -> list[Field]:
    return [field for field in record.tracked_fields if field.editable and not field.many_to_many]


def field_label(field: Field) -> str:
    """The field's label; an amount's without “(元)”, since it is shown in its own unit."""
    return without_unit(field.verbose_name) if field.name in AMOUNT_SCALES else str(field.verbose_name)


def _changes(record: Model, older: Model | None) -> tuple[FieldChange, ...]:
    """The fields `record` changed: against `older`, or every field it set when it was created."""
    fields = [field for field in record.tracked_fields if field.editable and not field.many_to_many]
    if record.history_type == "+":
        texts = ((field, field_text(record, field)) for field in fields)
        return tuple(FieldChange(field_label(field), "", text) for field, text in texts if text)
    if record.history_type == "-" or older is None:
        return ()
    changed = set(record.diff_against(older).changed_fields)
    return tuple(
        FieldChange(field_label(field), field_text(older, field), field_text(record, field))
        for field in fields
        if field.name in changed
    )


def user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def history_entries(records: Sequence[Model], older: Model | None = None) -> list[HistoryEntry]:
    """Entries for historical records given newest first, each compared with the next one;
    the last with `older` (the record before it, when the list is one page of a longer history)."""
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else older
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=user_name(record.history_user),
                kind=str(HISTORY_TYPES.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=_changes(record, previous),
            )
        )
    return entries


def export_rows(entries: Sequence[HistoryEntry]) -> Iterator[tuple[str, ...]]:
    """One row per changed field (时间, 操作人, 类型, 原因, 字段, 原值, 新值); a change that
    changed no field (a deletion, a save without changes) is one row without a field."""
    for entry in entries:
        when = timezone.localtime(entry.when).strftime("%Y-%m-%d %H:%M:%S")
        head = (when, entry.user, entry.kind, entry.reason)
        if not entry.changes:
            yield (*head, "", "", "")
        for change in entry.changes:
            yield (*head, change.field, change.old, change.new)
