"""The user's zones: the zone tree with the user's roles, loaded once and kept on the user
(`zone_access`, `forget`), and whether the user is a member or an editor anywhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q

from ..models import (
    Zone,
    ZoneRole,
)

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
