"""Reading: the querysets a user may read, change or delete (`readable`, `editable`, `deletable`),
`restrict` that every path goes through, and the choices offered for a related field."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from ..models import (
    Campaign,
    EntryReopening,
    ImportBatch,
    ZoneMembership,
)
from .paths import (
    DOCUMENT_ZONES,
    EDITORS_WRITE,
    REFERENCE_FIELDS,
    REFERENCE_MODELS,
    SUPERUSERS_WRITE,
    ZONE_PATHS,
    ZonePath,
)
from .reopening import supervised_zones
from .zones import is_editor, zone_access

# ---------------------------------------------------------------------------------------------
# Reading


def _zone_q(paths: tuple[ZonePath, ...], zone_ids: Iterable[int], *, zoneless: bool) -> Q:
    ids = sorted(zone_ids)
    condition = Q()
    for path in paths:
        inside = Q(**{f"{path.lookup}__in": ids})
        if zoneless and path.zoneless:
            empty = Q(**{f"{path.lookup}__isnull": True})
            if path.subject:
                empty &= Q(**{f"{path.subject}__isnull": False})
            inside |= empty
        condition |= inside
    return condition


def _campaign_q(zone_ids: Iterable[int], *, zoneless: bool) -> Q:
    through = Campaign.zones.through.objects
    condition = Q(pk__in=through.filter(zone_id__in=sorted(zone_ids)).values("campaign_id"))
    if zoneless:
        condition |= ~Q(pk__in=through.values("campaign_id"))
    return condition


def _scoped(queryset: QuerySet, zone_ids: frozenset[int], *, zoneless: bool) -> QuerySet:
    model = queryset.model
    if model is Campaign:
        return queryset.filter(_campaign_q(zone_ids, zoneless=zoneless))
    if model in ZONE_PATHS:
        return queryset.filter(_zone_q(ZONE_PATHS[model], zone_ids, zoneless=zoneless))
    raise TypeError(f"projects.access does not know whose data {model.__name__} is")


def _documents(queryset: QuerySet, user, *, editable: bool) -> QuerySet:
    """Source documents (or their citations or facts): those without a zone, as reference data,
    and those of the user's zones, readable ones or (editable=True) editable ones."""
    lookup = DOCUMENT_ZONES[queryset.model]
    zoneless = Q(**{f"{lookup}__isnull": True})
    if user.is_authenticated and user.is_superuser:
        return queryset
    if not user.is_authenticated:
        if editable:
            return queryset.none()
        return queryset if settings.API_READ_PUBLIC else queryset.filter(zoneless)
    access = zone_access(user)
    condition = Q(**{f"{lookup}__in": sorted(access.editable if editable else access.readable)})
    if access.is_editor or not editable:
        condition |= zoneless
    return queryset.filter(condition)


def readable(queryset: QuerySet, user) -> QuerySet:
    """The rows of `queryset` the user may read: those of their zones and sub-zones (either role)
    and rows without a zone. Reference data (metrics, industries, project categories) is returned
    unchanged; source documents, their citations and extracted facts are read by all without a
    zone and like other zone rows with one. Users (as a related row: who uploaded, who reviewed)
    are read by superusers, and each user reads themself; an import batch by those who read its
    zone and by its uploader."""
    model = queryset.model
    if model in DOCUMENT_ZONES:
        return _documents(queryset, user, editable=False)
    if model in REFERENCE_MODELS:
        return queryset
    if model is get_user_model():
        if user.is_authenticated and user.is_superuser:
            return queryset
        return queryset.filter(pk=user.pk) if user.is_authenticated else queryset.none()
    if not user.is_authenticated:
        return queryset if settings.API_READ_PUBLIC and model is not ImportBatch else queryset.none()
    if user.is_superuser:
        return queryset
    if model is ZoneMembership:
        return queryset.filter(user=user)
    if model is ImportBatch:
        return queryset.filter(Q(zone__in=sorted(zone_access(user).readable)) | Q(uploaded_by=user.pk))
    return _scoped(queryset, zone_access(user).readable, zoneless=True)


def editable(queryset: QuerySet, user) -> QuerySet:
    """The rows of `queryset` the user may change (and so choose as the zone, project or
    portfolio a row of theirs belongs to)."""
    model = queryset.model
    if user.is_authenticated and user.is_superuser:
        return queryset
    if model in DOCUMENT_ZONES:
        return _documents(queryset, user, editable=True)
    if model in EDITORS_WRITE:
        return queryset if is_editor(user) else queryset.none()
    if model in SUPERUSERS_WRITE or not user.is_authenticated:
        return queryset.none()
    if model in (get_user_model(), ImportBatch):  # users, and uploads kept as made
        return queryset.none()
    if model is EntryReopening:
        return queryset.filter(zone__in=sorted(supervised_zones(user)))
    access = zone_access(user)
    if model is Campaign:
        through = Campaign.zones.through.objects
        others = through.exclude(zone_id__in=sorted(access.editable))
        return queryset.filter(pk__in=through.values("campaign_id")).exclude(
            pk__in=others.values("campaign_id")
        )
    return _scoped(queryset, access.editable, zoneless=False)


def deletable(queryset: QuerySet, user) -> QuerySet:
    """The rows of `queryset` the user may delete: editable ones; reference data, source
    documents and citations (with or without a zone) by superusers only."""
    model = queryset.model
    if user.is_authenticated and user.is_superuser:
        return queryset
    if model in EDITORS_WRITE or model in SUPERUSERS_WRITE:
        return queryset.none()
    return editable(queryset, user)


ACTIONS = {"view": readable, "change": editable, "delete": deletable}


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """The rows of `queryset` the user may "view", "change" or "delete": the one path by which
    every queryset a user reaches is narrowed (QuerySet.restrict calls it). A model these rules do
    not know is an error, never everything."""
    try:
        narrow = ACTIONS[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}") from None
    return narrow(queryset, user)


def field_choices(queryset: QuerySet, user, model: type[Model], field_name: str) -> QuerySet:
    """The rows a user may pick for `model.field_name` (a form's dropdown or autocomplete):
    readable rows for a mere reference (a project's enterprise), editable rows otherwise."""
    if queryset.model in REFERENCE_MODELS or field_name in REFERENCE_FIELDS.get(model, ()):
        return readable(queryset, user)
    return editable(queryset, user)
