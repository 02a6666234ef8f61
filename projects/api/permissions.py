"""Zone roles in the API: the rules of projects.access, with bilingual refusals (403)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .. import access
from ..i18n import bilingual

DENIED = _("您没有执行该操作的权限")


def _view_model(view) -> type[Model] | None:
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    return getattr(view, "model", None)


class ZoneRolePermission(BasePermission):
    """Reads: an authenticated user, or anyone when settings.API_READ_PUBLIC is on; the view's
    queryset (access.readable) decides which rows. Writes: a superuser, or a user with an
    editor role (for reference data, the rules of projects.access); each row changed or deleted
    must be editable by the user (access.can_edit / can_delete)."""

    def __init__(self) -> None:
        self.message = bilingual(DENIED)  # the 403 detail when no refusal says more

    def has_permission(self, request, view) -> bool:
        user = request.user
        # A user object lives for one request, but a forced test client user does not.
        access.forget(user)
        if request.method in SAFE_METHODS:
            return bool(settings.API_READ_PUBLIC or user.is_authenticated)
        if not user.is_authenticated:
            return False  # DRF answers "not authenticated"
        refusal = access.write_refusal(user, _view_model(view), delete=request.method == "DELETE")
        if refusal:
            self.message = bilingual(refusal)
            return False
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        user = request.user
        if request.method in SAFE_METHODS:
            return access.can_read(user, obj)
        refusal = access.edit_refusal(user, obj, delete=request.method == "DELETE", stored=True)
        if refusal:
            self.message = bilingual(refusal)
            return False
        return True
