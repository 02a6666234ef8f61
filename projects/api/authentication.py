"""`Authorization: Token <key>`: django-rest-knox's tokens (projects/tokens.py), of which only a
digest is stored and each expires.

A token that is unknown, revoked or expired is a 401 with `WWW-Authenticate: Token` and a code that
says which (`token_invalid`, `token_expired`, `user_inactive`); an expired token is deleted when it
is shown. Requests without any credentials stay 403 (the session comes first in
DEFAULT_AUTHENTICATION_CLASSES and names no scheme).

DRF imports this module while it defines APIView (DEFAULT_AUTHENTICATION_CLASSES): it must not
import rest_framework.views, nor anything that does (the views are in projects/api/auth.py).
"""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions, status
from rest_framework.request import Request

from ..i18n import Text, bilingual
from ..models import ApiToken
from ..tokens import api_token_revoke

KEYWORD = "Token"


class TokenRefused(exceptions.APIException):
    """A token that does not authenticate: 401 with `WWW-Authenticate: Token`. Not DRF's
    AuthenticationFailed, which becomes a 403 when the first authenticator (the session) names no
    scheme: a client must be able to tell a bad token from a missing permission."""

    status_code = status.HTTP_401_UNAUTHORIZED
    auth_header = KEYWORD  # DRF's handler sends it as WWW-Authenticate

    def __init__(self, message: Text, code: str) -> None:
        super().__init__({"detail": bilingual(message), "code": code})


def _invalid_token() -> TokenRefused:
    return TokenRefused(_("令牌无效或已撤销"), "token_invalid")


class ApiTokenAuthentication(TokenAuthentication):
    """knox's `Authorization: Token <key>`, with messages in both languages, a clear answer for an
    expired token, and no 500 for a key that is not UTF-8."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:  # knox's: a header without a key, or with spaces
            raise _invalid_token() from None

    def authenticate_credentials(self, token: bytes) -> tuple[Any, ApiToken]:
        try:
            key = token.decode("utf-8")
        except UnicodeDecodeError:
            raise _invalid_token() from None
        digest = hash_token(key)
        key_start = key[: CONSTANTS.TOKEN_KEY_LENGTH]  # named so that error reports hide it
        for row in ApiToken.objects.filter(token_key=key_start).select_related("user"):
            if not compare_digest(digest, row.digest):
                continue
            if row.expiry is None or row.expiry <= timezone.now():  # every token expires
                api_token_revoke(token=row)
                raise TokenRefused(_("令牌已过期,请重新获取"), "token_expired")
            if not row.user.is_active:
                raise TokenRefused(_("用户已停用"), "user_inactive")
            return row.user, row
        raise _invalid_token()
