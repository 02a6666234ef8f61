"""API tokens: made, revoked and purged.

A token is django-rest-knox's: 64 random hex digits after the prefix `zt_`, of which only a SHA-512
digest and the first 15 characters (to find the row; 12 random digits, 48 of the 256 bits) are
stored. The token itself is shown once, to whoever made it, and cannot be read back. Each expires
after at most API_TOKEN_TTL_DAYS days. The admin, the API's token endpoint and the management
commands all make and revoke tokens here.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .i18n import bilingual
from .models import ApiToken

# Who got or lost a token, for the audit trail; never the token, nor its first characters.
logger = logging.getLogger(__name__)


class TokenLifetimeError(ValueError):
    """A lifetime outside 1 … API_TOKEN_TTL_DAYS days."""

    def __init__(self, days: int) -> None:
        self.days = days
        self.message = format_lazy(_("有效天数须在1至{most}天之间"), most=settings.API_TOKEN_TTL_DAYS)
        # str(error) stays "中文 / English": create_api_token prints it as it is.
        super().__init__(bilingual(self.message))


def api_token_create(*, user: AbstractBaseUser, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token of `user` lasting `days` (default and most: API_TOKEN_TTL_DAYS): the row, which
    keeps the digest, and the token itself, to be shown once."""
    days = settings.API_TOKEN_TTL_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_TTL_DAYS:
        raise TokenLifetimeError(days)
    token, key = ApiToken.objects.create(user=user, expiry=timedelta(days=days))
    logger.info("API token made for %s, expires %s", user, token.expiry)
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke one token: it is refused from now on."""
    token.delete()
    logger.info("API token of %s revoked", token.user)


def api_tokens_revoke(*, user: AbstractBaseUser) -> int:
    """Revoke every token of `user` (someone who left, a leaked token of unknown origin): the number
    revoked."""
    revoked, _ = ApiToken.objects.filter(user=user).delete()
    logger.info("All API tokens of %s revoked: %d", user, revoked)
    return revoked


def api_tokens_purge_expired() -> int:
    """Delete the expired tokens (and any without an expiry, which this tracker never makes):
    the number deleted. Expired tokens are refused anyway; this only clears them away."""
    purged, _ = ApiToken.objects.filter(Q(expiry__lte=timezone.now()) | Q(expiry__isnull=True)).delete()
    logger.info("Expired API tokens deleted: %d", purged)
    return purged
