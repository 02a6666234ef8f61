"""The change history of a record as the API answers it: GET /api/<resource>/<id>/history/.

django-simple-history keeps one historical row per save (who, when, the reason given, the whole
record as it was). Each entry here is one such row with the fields it changed, before and after,
newest first; the oldest row of a page is compared with the row before it, fetched in one more
query, so a page costs the same number of queries however long the history is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .serializers import Described

# history_type of django-simple-history: (code in the API, Chinese label)
HISTORY_TYPES: dict[str, tuple[str, Promise]] = {
    "+": ("created", _("新增")),
    "~": ("changed", _("修改")),
    "-": ("deleted", _("删除")),
}
NEWEST_FIRST = ("-history_date", "-history_id")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    history_id: int
    date: datetime
    user: str | None
    type: str
    type_display: str
    version: int | None
    reason: str
    changes: list[FieldChange]


def plain(value: Any) -> Any:
    """A field's value as JSON carries it: amounts as decimal strings (as the resources give
    them), dates in ISO 8601, related rows by id."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def field_changes(record: Model, previous: Model | None) -> list[FieldChange]:
    """What `record` changed against the record before it (None: it created the row), in the
    order of the model's fields."""
    fields = [field for field in record.tracked_fields if field.editable]
    if previous is None:
        changed = {
            field.name: (None, field.value_from_object(record))
            for field in fields
            if field.value_from_object(record) not in (None, "")
        }
    else:
        delta = record.diff_against(previous)
        changed = {change.field: (change.old, change.new) for change in delta.changes}
    return [
        FieldChange(field.name, str(field.verbose_name), plain(before), plain(after))
        for field in fields
        if field.name in changed
        for before, after in [changed[field.name]]
    ]


def record_before(records: QuerySet, record: Model) -> Model | None:
    """The historical row just older than `record` among `records`."""
    older = Q(history_date__lt=record.history_date) | Q(
        history_date=record.history_date, history_id__lt=record.history_id
    )
    return records.filter(older).order_by(*NEWEST_FIRST).first()


def history_entries(page: list[Model], older: Model | None) -> list[HistoryEntry]:
    """The entries of a page of historical rows (newest first); `older` is the row before the
    page's last one."""
    entries = []
    for index, record in enumerate(page):
        previous = page[index + 1] if index + 1 < len(page) else older
        code, label = HISTORY_TYPES[record.history_type]
        user = record.history_user
        entries.append(
            HistoryEntry(
                history_id=record.history_id,
                date=record.history_date,
                user=user.get_username() if user is not None else None,
                type=code,
                type_display=str(label),
                version=getattr(record, "version", None),
                reason=record.history_change_reason or "",
                changes=field_changes(record, previous) if record.history_type != "-" else [],
            )
        )
    return entries


# ---------------------------------------------------------------------------------------------
# Serializers


class FieldChangeSerializer(Described, serializers.Serializer):
    """One field changed by one save: its value before and after."""

    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    help_texts = {
        "field": _("字段名"),
        "label": _("字段中文名"),
        "before": _("修改前的值,与资源字段的写法相同(关联记录为ID);新增时为空"),
        "after": _("修改后的值"),
    }


class HistoryEntrySerializer(Described, serializers.Serializer):
    """One save of the record: who, when, why, what changed."""

    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=list(HISTORY_TYPES.values()))
    type_display = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    changes = FieldChangeSerializer(many=True)

    help_texts = {
        "history_id": _("历史记录ID"),
        "date": _("修改时间"),
        "user": _("修改人(用户名);系统导入等为空"),
        "type": _("类型:created 新增、changed 修改、deleted 删除"),
        "type_display": _("类型(中文):新增、修改、删除"),
        "version": _("修改后的版本号;不分版本的记录为空"),
        "reason": _("变更原因"),
        "changes": _("逐字段的修改前后值"),
    }
