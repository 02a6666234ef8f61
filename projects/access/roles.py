"""Granting zone roles: a membership given or removed, and the admin login that goes with it."""

from __future__ import annotations

from ..models import (
    Zone,
    ZoneMembership,
)
from .zones import forget

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
