"""Reopening a zone's locked months: by editors of a zone above it and superusers only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..i18n import Text
from ..models import (
    Zone,
)
from .zones import zone_access


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


AUTHENTICATION_REQUIRED = _("请先登录")
REOPEN_REFUSAL = _("只有上级区域的编辑或超级管理员可以重新开放填报")


def reopen_refusal(user, zone: Zone | int) -> Text | None:
    """Why the user may not reopen a locked month of `zone`, or None: superusers and editors of a
    zone above it may; a zone's own office cannot unlock its months."""
    if not user.is_authenticated:
        return AUTHENTICATION_REQUIRED
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
