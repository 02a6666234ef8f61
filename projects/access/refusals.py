"""Changing: why a user may not change or delete a row or write a model (the refusals), and the
checks made before a write is validated and after it is saved."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..i18n import Text
from ..models import (
    Campaign,
    EntryReopening,
    ImportBatch,
    Zone,
    ZoneMembership,
)
from .paths import DOCUMENT_ZONES, EDITORS_WRITE, REFERENCE_MODELS, SUPERUSERS_WRITE, ZONE_PATHS
from .reopening import AUTHENTICATION_REQUIRED, reopen_refusal
from .zones import _zone_known, is_editor, zone_access

# ---------------------------------------------------------------------------------------------
# Changing

# A refusal is a message (a gettext proxy, or format_lazy of one): the admin shows it in Chinese,
# the API in both languages (projects.i18n.bilingual).
type Refusal = Text

SUPERUSERS_ONLY = _("只有超级管理员可以修改或删除")
TOP_LEVEL_REFUSAL = _("只有超级管理员可以新建、移动或删除顶级区域")


def _follow(instance: Model, lookup: str) -> int | None:
    *relations, last = lookup.split("__")
    obj = instance
    for relation in relations:
        obj = getattr(obj, relation)
        if obj is None:
            return None
    return obj.pk if last == "pk" else getattr(obj, f"{last}_id")


def zones_of(instance: Model) -> set[int | None]:
    """The zones whose data `instance` is; None stands for "no zone" (superusers only).

    A zone belongs to itself and, for its place in the tree, to its parent (None at the top).
    A campaign belongs to all its zones (read after its zones are saved). Reference data has no
    zone, nor a source document without one (or its citations and facts): an empty set.
    """
    model = type(instance)
    if model in DOCUMENT_ZONES:
        zone_id = _follow(instance, DOCUMENT_ZONES[model])
        return set() if zone_id is None else {zone_id}
    if model is Zone:
        return {instance.parent_id} if instance.pk is None else {instance.pk, instance.parent_id}
    if model is Campaign:
        zones = {zone.pk for zone in instance.zones.all()} if instance.pk else set()
        return zones or {None}
    if model in ZONE_PATHS:
        zones = set()
        for path in ZONE_PATHS[model]:
            if path.subject and getattr(instance, f"{path.subject}_id") is None:
                continue
            zones.add(_follow(instance, path.lookup))
        return zones or {None}
    return set()


def _zone_editable(user, zone_id: int) -> bool:
    return zone_id in _zone_known(user, zone_id).editable


def _zone_refusal(user, zone_id: int | None, *, top_level: bool = False, name: str = "") -> Refusal:
    if zone_id is None and top_level:
        return TOP_LEVEL_REFUSAL
    if zone_id is None:
        return _("未注明区域的数据只有超级管理员可以修改")
    access = zone_access(user)
    name = name or access.names.get(zone_id, str(zone_id))
    if zone_id in access.viewer_of:
        return format_lazy(_("您对“{name}”只有只读权限"), name=name)
    return format_lazy(_("您没有修改“{name}”数据的权限"), name=name)


def _own_zone_refusal(user, zone: Zone, before: set[int | None] | None) -> Refusal | None:
    """A zone itself: an editor of it or of an ancestor may change it; its place in the tree
    belongs to its parent, so a new parent (creating, moving) must be editable, and the top level
    is for superusers. `before` = {its id, its former parent}."""

    def through(parent: int | None) -> bool:
        return parent is not None and _zone_editable(user, parent)

    if before is None or zone.parent_id not in before:
        if zone.parent_id is None:
            return _zone_refusal(user, None, top_level=True)
        if not through(zone.parent_id):
            return _zone_refusal(user, zone.parent_id)
    if zone.pk is None:
        return None
    own = zone.pk in zone_access(user).editor_roots
    was = own or before is None or any(through(parent) for parent in before - {zone.pk})
    if not (own or through(zone.parent_id)) or not was:
        return _zone_refusal(user, zone.pk, name=zone.name)
    return None


def _reference_refusal(user, model: type[Model], *, delete: bool) -> Refusal | None:
    label = model._meta.verbose_name
    if model in SUPERUSERS_WRITE:
        return format_lazy(_("只有超级管理员可以修改{label}"), label=label)
    if delete:
        return format_lazy(_("只有超级管理员可以删除{label}"), label=label)
    if not is_editor(user):
        return format_lazy(_("至少在一个区域拥有编辑权限才能修改{label}"), label=label)
    return None


def edit_refusal(
    user,
    instance: Model,
    *,
    before: set[int | None] | None = None,
    delete: bool = False,
    stored: bool = False,
) -> Refusal | None:
    """Why the user may not save (or delete) `instance` as it now is, or None when they may.

    `before` is zones_of(instance) taken before the change; without it the instance's old state
    must have been checked already, and a zone counts as newly placed under its parent.
    `stored=True` asks about a row as it is stored, before any change (the API's
    has_object_permission, the admin's has_change_permission): may the user change it at all.
    A zone is deleted by those who could create it (editors of its parent).
    """
    if not user.is_authenticated:
        return AUTHENTICATION_REQUIRED
    if user.is_superuser:
        return None
    if stored and not delete:
        before = zones_of(instance)
    model = type(instance)
    if model is EntryReopening:
        return reopen_refusal(user, instance.zone_id) if not delete else SUPERUSERS_ONLY
    if model in (get_user_model(), ImportBatch):
        return SUPERUSERS_ONLY
    if model in DOCUMENT_ZONES and not delete:
        zones = zones_of(instance) | (before or set())
        for zone_id in sorted(zone for zone in zones if zone is not None):
            if not _zone_editable(user, zone_id):
                return _zone_refusal(user, zone_id)
        if zones:
            return None
    if model in EDITORS_WRITE or model in SUPERUSERS_WRITE:
        return _reference_refusal(user, model, delete=delete)
    if model is Zone:
        return _own_zone_refusal(user, instance, before)
    for zone_id in _ordered(zones_of(instance) | (before or set())):
        if zone_id is None or not _zone_editable(user, zone_id):
            return _zone_refusal(user, zone_id)
    return None


def _ordered(zones: Iterable[int | None]) -> list[int | None]:
    return sorted(zones, key=lambda zone: (zone is not None, zone or 0))


def prospective_refusal(
    user,
    row: Model,
    *,
    before: set[int | None] | None = None,
    related: dict[str, Iterable[Model]] | None = None,
) -> Refusal | None:
    """Why the user may not save `row` as it would be saved, asked before the row is validated or
    saved (so that a refused write learns nothing from the validation: not that a name is taken in
    another zone). `related`: the many-to-many values the write gives (a campaign's zones, which
    decide whose data it is). The check after the save (check_can_edit) stays: it sees the rows
    as they are."""
    if isinstance(row, Campaign) and related is not None and "zones" in related:
        if not user.is_authenticated:
            return AUTHENTICATION_REQUIRED
        if user.is_superuser:
            return None
        zones: set[int | None] = {zone.pk for zone in related["zones"]} or {None}
        for zone_id in _ordered(zones | (before or set())):
            if zone_id is None or not _zone_editable(user, zone_id):
                return _zone_refusal(user, zone_id)
        return None
    return edit_refusal(user, row, before=before)


def zone_edit_refusal(user, zone: Zone | int | None) -> Refusal | None:
    """Why the user may not change the data of `zone` (its projects, figures, months), or None:
    editors of the zone or of a zone above it, and superusers, may."""
    if not user.is_authenticated:
        return AUTHENTICATION_REQUIRED
    if user.is_superuser:
        return None
    zone_id = zone.pk if isinstance(zone, Zone) else zone
    if zone_id is not None and _zone_editable(user, zone_id):
        return None
    return _zone_refusal(user, zone_id)


def can_edit_zone(user, zone: Zone | int | None) -> bool:
    return zone_edit_refusal(user, zone) is None


def can_edit(user, instance: Model, *, before: set[int | None] | None = None, stored: bool = False) -> bool:
    """The user may save `instance` in its present state (and, with `before`, its former one);
    with stored=True: the user may change the stored row."""
    return edit_refusal(user, instance, before=before, stored=stored) is None


def can_delete(user, instance: Model) -> bool:
    return edit_refusal(user, instance, delete=True) is None


def check_can_edit(user, instance: Model, *, before: set[int | None] | None = None) -> None:
    """Raise PermissionDenied (403) with a bilingual message unless the user may save `instance`.

    Call it after saving inside transaction.atomic() (so that many-to-many zones are known and a
    refusal rolls everything back), with `before=zones_of(instance)` taken before the change.
    """
    refusal = edit_refusal(user, instance, before=before)
    if refusal:
        raise PermissionDenied(refusal)


def check_can_delete(user, instance: Model) -> None:
    refusal = edit_refusal(user, instance, delete=True)
    if refusal:
        raise PermissionDenied(refusal)


def can_read(user, instance: Model) -> bool:
    """The user may read `instance` (the row-level form of `readable`)."""
    model = type(instance)
    if model in DOCUMENT_ZONES and not (user.is_authenticated and user.is_superuser):
        zones = zones_of(instance)  # none: reference data, read by all
        if zones and not user.is_authenticated:
            return bool(settings.API_READ_PUBLIC)
        if zones:
            return zones <= zone_access(user).readable
    if model in REFERENCE_MODELS or (user.is_authenticated and user.is_superuser):
        return True
    if not user.is_authenticated:
        return bool(settings.API_READ_PUBLIC)
    if model is ZoneMembership:
        return instance.user_id == user.pk
    zones = zones_of(instance) if model is not Zone else {instance.pk}
    access = zone_access(user)
    if model is Campaign:
        return zones == {None} or bool(zones & access.readable)
    return all(zone is None or zone in access.readable for zone in zones)


def write_refusal(user, model: type[Model] | None, *, delete: bool = False) -> Refusal | None:
    """Why the user may not write rows of `model` at all (before looking at any row), or None."""
    if not user.is_authenticated:
        return AUTHENTICATION_REQUIRED
    if user.is_superuser:
        return None
    if model in EDITORS_WRITE or model in SUPERUSERS_WRITE:
        return _reference_refusal(user, model, delete=delete)
    if not is_editor(user):
        return _("您没有任何区域的编辑权限,只能查看")
    return None


def can_write(user, model: type[Model] | None, *, delete: bool = False) -> bool:
    """The user may create (or, with delete=True, delete) rows of `model` in some zone."""
    return write_refusal(user, model, delete=delete) is None


def read_refusal(user, instance: Model) -> Refusal | None:
    """Why the user may not read `instance`, or None when they may."""
    if can_read(user, instance):
        return None
    zones = {instance.pk} if type(instance) is Zone else zones_of(instance) - {None}
    names = zone_access(user).names
    name = "、".join(sorted(names.get(zone, str(zone)) for zone in zones))
    return format_lazy(_("您没有查看“{name}”数据的权限"), name=name)
