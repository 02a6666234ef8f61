"""API tokens (django-rest-knox keeps only a digest of each; projects/tokens.py makes and
revokes them)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

# ---------------------------------------------------------------------------------------------
# API tokens (django-rest-knox keeps only a digest of each; projects/tokens.py makes and revokes them)


class ApiToken(AuthToken):
    """django-rest-knox's token under its Chinese name, for the admin (a proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.token_key}…"

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
