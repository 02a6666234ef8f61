"""Who may read and change what: zone roles (区域权限), one place for every path.

Every queryset a user reaches comes through `restrict(queryset, user, action)` ("view", "change"
or "delete"), which the models' querysets offer as `Project.objects.restrict(user, "change")`:
the API's lists, objects and every related field a client writes (RestrictedRelations in
projects/api/serializers/base.py, RestrictedFilterSet in projects/api/filters.py), the admin's lists,
dropdowns, autocompletes and inline rows, the 月报 service, the workbook imports and templates,
text entry, reports, report runs and their files. A related row the user may not read is refused
exactly as one that does not exist (the same 400, the same admin message): no path tells another
zone's rows from missing ones. Whether a write is allowed (edit_refusal, zone_edit_refusal,
reopen_refusal) is asked here too, before the write is validated (prospective_refusal) and again
after it is saved, in the same transaction (check_can_edit).

A user belongs to zones with a role (ZoneMembership): an editor (编辑) changes the data of the
zone and of every zone below it, a viewer (只读) reads them. Superusers read and change everything.
Django's model permissions are not consulted for the tracker's models: the zone role decides.

Whose data a row is ("zone paths"), known here only:
- Zone: the zone itself; its place in the tree belongs to its parent, so creating a zone or moving
  it needs an editor of the new parent, and a top-level zone is for superusers only;
- Enterprise, Project, Portfolio, ZoneAlias: their zone; Milestone: its project's zone;
  PortfolioEntry: its portfolio's zone (a portfolio is its zone's list, whatever the project);
- IndicatorValue: its subject's zone (the zone, or the zone of its portfolio, project or enterprise);
- Campaign: all its zones; readable with any of them, editable with every one of them.
- ReportSchedule, ReportRun: the zone the report is about (ReportScope.owner_zone_id);
  ReportFile: its run's.
Rows without a zone (a project or enterprise whose source names no zone, a campaign without
zones) are readable by every authenticated user and editable by superusers only.
Reference data: sources and citations are written by any user with an editor role somewhere
and deleted by superusers; metrics, industries and project categories by superusers only.
Source documents may have a zone (a text a zone's office entered for extraction): such a document
is that zone's data, read by the zone's members (and those of zones above it) and written by its
editors; a document without a zone stays reference data. Its citations and extracted facts follow
it (a citation quotes the text). Documents and citations are deleted by superusers only, with or
without a zone.
Anonymous users read everything when settings.API_READ_PUBLIC is on, nothing otherwise.
A zone's months are reopened (EntryReopening) by editors of a zone above it and superusers, never
by the zone's own office. Users, as the rows a record points at (who uploaded, who reviewed), are
read by superusers, and each user reads themself; an import batch by the readers of its zone and
by its uploader.

The user's zones are computed once (one query: the zone tree with the user's roles) and kept on
the user object, which lives for one request; `forget(user)` drops them after a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import FilteredRelation, Model, Q, QuerySet

from .models import (
    Campaign,
    Citation,
    Enterprise,
    EntryReopening,
    ExtractedFact,
    ImportBatch,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    ProjectCategory,
    ReportFile,
    ReportRun,
    ReportSchedule,
    SourceDocument,
    Zone,
    ZoneAlias,
    ZoneMembership,
    ZoneRole,
)

# ---------------------------------------------------------------------------------------------
# Whose data a row is


@dataclass(frozen=True)
class ZonePath:
    """A lookup from a row to the zone its data belongs to."""

    lookup: str  # "project__zone": the zone id is row.project.zone_id
    subject: str | None = None  # the path applies only when this foreign key is set
    zoneless: bool = False  # the zone may be empty


ZONE_PATHS: dict[type[Model], tuple[ZonePath, ...]] = {
    Zone: (ZonePath("pk"),),
    ZoneAlias: (ZonePath("zone"),),
    Enterprise: (ZonePath("zone", zoneless=True),),
    Project: (ZonePath("zone", zoneless=True),),
    Milestone: (ZonePath("project__zone", zoneless=True),),
    Portfolio: (ZonePath("zone"),),
    PortfolioEntry: (ZonePath("portfolio__zone"),),
    IndicatorValue: (
        ZonePath("zone", subject="zone"),
        ZonePath("portfolio__zone", subject="portfolio"),
        ZonePath("project__zone", subject="project", zoneless=True),
        ZonePath("enterprise__zone", subject="enterprise", zoneless=True),
    ),
    # A report's zone is the zone it is about (see ReportScope); a campaign report whose zones
    # share no ancestor has none and is for superusers only.
    ReportSchedule: (ZonePath("zone"),),
    ReportRun: (ZonePath("zone"),),
    ReportFile: (ZonePath("run__zone"),),
    # A reopening is read with its zone; it is made by those above the zone (reopen_refusal).
    EntryReopening: (ZonePath("zone"),),
}

# Reference data has no zone: (who writes it, English name for messages).
EDITORS_WRITE = {SourceDocument: "source documents", Citation: "citations", ExtractedFact: "extracted facts"}
SUPERUSERS_WRITE = {
    Metric: "metrics",
    Industry: "industries",
    ProjectCategory: "project categories",
    ZoneMembership: "zone roles",
}
REFERENCE_MODELS = (*EDITORS_WRITE, Metric, Industry, ProjectCategory)

# Source documents that have a zone are its data, and their citations and extracted facts with
# them; those without one are reference data (the lookup to the zone).
DOCUMENT_ZONES: dict[type[Model], str] = {
    SourceDocument: "zone",
    Citation: "document__zone",
    ExtractedFact: "document__zone",
}

# The field that puts a row in a zone, where it may be left empty (only superusers may).
ZONE_FIELDS: dict[type[Model], str] = {Project: "zone", Enterprise: "zone"}

# Foreign keys that only point at a row (the row is not changed): readable targets suffice.
# Every other foreign key to zoned data offers only rows the user may edit.
REFERENCE_FIELDS: dict[type[Model], frozenset[str]] = {
    Project: frozenset({"enterprise"}),
    Enterprise: frozenset({"parent"}),
    PortfolioEntry: frozenset({"project"}),
}


# ---------------------------------------------------------------------------------------------
# The user's zones


@dataclass(frozen=True)
class ZoneAccess:
    """A user's zones: ids readable and editable (sub-zones included), the tree, the names."""

    readable: frozenset[int]
    editable: frozenset[int]
    viewer_of: frozenset[int]  # readable through a viewer role only
    editor_roots: frozenset[int]  # zones with an editor membership
    parents: dict[int, int | None]
    names: dict[int, str]

    @property
    def is_member(self) -> bool:
        return bool(self.readable)

    @property
    def is_editor(self) -> bool:
        return bool(self.editor_roots)


def _descendants(roots: Iterable[int], children: dict[int, list[int]]) -> set[int]:
    found, stack = set(), list(roots)
    while stack:
        zone = stack.pop()
        if zone not in found:
            found.add(zone)
            stack.extend(children.get(zone, ()))
    return found


def _load(user) -> ZoneAccess:
    """One query: every zone with its parent, its name and the user's role in it."""
    rows = (
        Zone.objects.order_by()
        .annotate(mine=FilteredRelation("memberships", condition=Q(memberships__user=user.pk)))
        .values_list("pk", "parent_id", "name", "mine__role")
    )
    parents, names, children, roles = {}, {}, {}, {}
    for pk, parent, name, role in rows:
        parents[pk], names[pk] = parent, name
        children.setdefault(parent, []).append(pk)
        if role:
            roles[pk] = role
    editor_roots = {pk for pk, role in roles.items() if role == ZoneRole.EDITOR}
    readable = _descendants(roles, children)
    editable = _descendants(editor_roots, children)
    return ZoneAccess(
        readable=frozenset(readable),
        editable=frozenset(editable),
        viewer_of=frozenset(readable - editable),
        editor_roots=frozenset(editor_roots),
        parents=parents,
        names=names,
    )


def zone_access(user) -> ZoneAccess:
    """The user's zones, computed once per user object (that is, per request)."""
    cached = getattr(user, "_zone_access", None)
    if cached is None:
        cached = _load(user) if user.is_authenticated else _load_nothing()
        user._zone_access = cached
    return cached


def _load_nothing() -> ZoneAccess:
    empty: frozenset[int] = frozenset()
    return ZoneAccess(empty, empty, empty, empty, {}, {})


def forget(user) -> None:
    """Drop the zones kept on the user object (after granting or revoking a role)."""
    if hasattr(user, "_zone_access"):
        del user._zone_access


def _zone_known(user, zone_id: int) -> ZoneAccess:
    """The user's zones, reloaded once if `zone_id` was created after they were computed."""
    access = zone_access(user)
    if zone_id not in access.parents:
        forget(user)
        access = zone_access(user)
    return access


def is_member(user) -> bool:
    """The user has a role (editor or viewer) in at least one zone."""
    return user.is_authenticated and zone_access(user).is_member


def is_editor(user) -> bool:
    """The user has an editor role in at least one zone."""
    return user.is_authenticated and zone_access(user).is_editor


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


# ---------------------------------------------------------------------------------------------
# Changing

SUPERUSERS_ONLY = "只有超级管理员可以修改或删除 / Only superusers may change or delete this"
TOP_LEVEL_REFUSAL = (
    "只有超级管理员可以新建、移动或删除顶级区域 / Only superusers may create, move or delete a top-level zone"
)


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


def _zone_refusal(user, zone_id: int | None, *, top_level: bool = False, name: str = "") -> str:
    if zone_id is None and top_level:
        return TOP_LEVEL_REFUSAL
    if zone_id is None:
        return "未注明区域的数据只有超级管理员可以修改 / Only superusers may change data without a zone"
    access = zone_access(user)
    name = name or access.names.get(zone_id, str(zone_id))
    if zone_id in access.viewer_of:
        return f"您对“{name}”只有只读权限 / You have read-only access to zone {name}"
    return f"您没有修改“{name}”数据的权限 / You may not change data of zone {name}"


def _own_zone_refusal(user, zone: Zone, before: set[int | None] | None) -> str | None:
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


def _reference_refusal(user, model: type[Model], *, delete: bool) -> str | None:
    label = model._meta.verbose_name
    if model in SUPERUSERS_WRITE:
        english = SUPERUSERS_WRITE[model]
        return f"只有超级管理员可以修改{label} / Only superusers may change {english}"
    english = EDITORS_WRITE[model]
    if delete:
        return f"只有超级管理员可以删除{label} / Only superusers may delete {english}"
    if not is_editor(user):
        return (
            f"至少在一个区域拥有编辑权限才能修改{label} / "
            f"Only users with an editor role in some zone may change {english}"
        )
    return None


def edit_refusal(
    user,
    instance: Model,
    *,
    before: set[int | None] | None = None,
    delete: bool = False,
    stored: bool = False,
) -> str | None:
    """Why the user may not save (or delete) `instance` as it now is, or None when they may.

    `before` is zones_of(instance) taken before the change; without it the instance's old state
    must have been checked already, and a zone counts as newly placed under its parent.
    `stored=True` asks about a row as it is stored, before any change (the API's
    has_object_permission, the admin's has_change_permission): may the user change it at all.
    A zone is deleted by those who could create it (editors of its parent).
    """
    if not user.is_authenticated:
        return "请先登录 / Authentication required"
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
) -> str | None:
    """Why the user may not save `row` as it would be saved, asked before the row is validated or
    saved (so that a refused write learns nothing from the validation: not that a name is taken in
    another zone). `related`: the many-to-many values the write gives (a campaign's zones, which
    decide whose data it is). The check after the save (check_can_edit) stays: it sees the rows
    as they are."""
    if isinstance(row, Campaign) and related is not None and "zones" in related:
        if not user.is_authenticated:
            return "请先登录 / Authentication required"
        if user.is_superuser:
            return None
        zones: set[int | None] = {zone.pk for zone in related["zones"]} or {None}
        for zone_id in _ordered(zones | (before or set())):
            if zone_id is None or not _zone_editable(user, zone_id):
                return _zone_refusal(user, zone_id)
        return None
    return edit_refusal(user, row, before=before)


def zone_edit_refusal(user, zone: Zone | int | None) -> str | None:
    """Why the user may not change the data of `zone` (its projects, figures, months), or None:
    editors of the zone or of a zone above it, and superusers, may."""
    if not user.is_authenticated:
        return "请先登录 / Authentication required"
    if user.is_superuser:
        return None
    zone_id = zone.pk if isinstance(zone, Zone) else zone
    if zone_id is not None and _zone_editable(user, zone_id):
        return None
    return _zone_refusal(user, zone_id)


def can_edit_zone(user, zone: Zone | int | None) -> bool:
    return zone_edit_refusal(user, zone) is None


def supervised_zones(user) -> set[int]:
    """Zones strictly below a zone the user is an editor of (those whose months they may reopen)."""
    if not user.is_authenticated:
        return set()
    zones = zone_access(user)
    found = set()
    for pk in zones.parents:
        ancestor, seen = zones.parents.get(pk), {pk}
        while ancestor is not None and ancestor not in seen:
            if ancestor in zones.editor_roots:
                found.add(pk)
                break
            seen.add(ancestor)
            ancestor = zones.parents.get(ancestor)
    return found


REOPEN_REFUSAL = (
    "只有上级区域的编辑或超级管理员可以重新开放填报 / "
    "Only editors of a zone above, or superusers, may reopen a month"
)


def reopen_refusal(user, zone: Zone | int) -> str | None:
    """Why the user may not reopen a locked month of `zone`, or None: superusers and editors of a
    zone above it may; a zone's own office cannot unlock its months."""
    if not user.is_authenticated:
        return "请先登录 / Authentication required"
    zone_id = zone.pk if isinstance(zone, Zone) else zone
    if user.is_superuser or zone_id in supervised_zones(user):
        return None
    return REOPEN_REFUSAL


def can_reopen(user, zone: Zone | int) -> bool:
    return reopen_refusal(user, zone) is None


def reopenable_zones(zones: QuerySet, user) -> QuerySet:
    """The zones of `zones` whose months `user` may reopen."""
    if user.is_authenticated and user.is_superuser:
        return zones
    return zones.filter(pk__in=sorted(supervised_zones(user)))


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


def write_refusal(user, model: type[Model] | None, *, delete: bool = False) -> str | None:
    """Why the user may not write rows of `model` at all (before looking at any row), or None."""
    if not user.is_authenticated:
        return "请先登录 / Authentication required"
    if user.is_superuser:
        return None
    if model in EDITORS_WRITE or model in SUPERUSERS_WRITE:
        return _reference_refusal(user, model, delete=delete)
    if not is_editor(user):
        return "您没有任何区域的编辑权限,只能查看 / You have no editor role in any zone: read-only access"
    return None


def can_write(user, model: type[Model] | None, *, delete: bool = False) -> bool:
    """The user may create (or, with delete=True, delete) rows of `model` in some zone."""
    return write_refusal(user, model, delete=delete) is None


def read_refusal(user, instance: Model) -> str | None:
    """Why the user may not read `instance`, or None when they may."""
    if can_read(user, instance):
        return None
    zones = {instance.pk} if type(instance) is Zone else zones_of(instance) - {None}
    names = zone_access(user).names
    name = "、".join(sorted(names.get(zone, str(zone)) for zone in zones))
    return f"您没有查看“{name}”数据的权限 / You may not view data of zone {name}"


# ---------------------------------------------------------------------------------------------
# Granting roles


def let_into_admin(user) -> None:
    """A zone role is what lets a user work in the admin: Django's is_staff must be on too."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def zone_membership_grant(*, user, zone: Zone, role: str) -> tuple[ZoneMembership, bool]:
    """Give `user` the role in `zone` (replacing their previous role there) and let them log in to
    the admin. Returns the membership and whether it is new."""
    membership, created = ZoneMembership.objects.get_or_create(user=user, zone=zone, defaults={"role": role})
    if membership.role != role:
        membership.role = role
    membership.full_clean()
    membership.save()
    let_into_admin(user)
    forget(user)
    return membership, created


def zone_membership_revoke(*, user, zone: Zone) -> str | None:
    """Remove `user`'s role in `zone`; returns the role they had, or None when they had none."""
    membership = ZoneMembership.objects.filter(user=user, zone=zone).first()
    if membership is None:
        return None
    membership.delete()
    forget(user)
    return membership.role
