"""Logins refused after repeated failures, per account and per client address.

Every password check goes through `ThrottledModelBackend` (settings AUTHENTICATION_BACKENDS): the
admin's login, the API's token endpoint (projects/api/auth.py), and anything else that calls
`django.contrib.auth.authenticate()`. The admin's password change checks the old password itself
and counts its failures against the account (`ThrottledPasswordChangeForm`).

A failure counts once for the account (the username as typed, whether or not it exists, so that
the answer tells nothing about which accounts exist) and once for the client's address (the last
X-Forwarded-For entry, as the API throttling reads it: settings API_NUM_PROXIES). When an account
reaches LOGIN_FAILURES_PER_ACCOUNT failures, or an address LOGIN_FAILURES_PER_ADDRESS, within
LOGIN_LOCKOUT_MINUTES of its first failure, every login of that account, or from that address, is
refused without looking at the password, the right one too, for LOGIN_LOCKOUT_MINUTES; then it
counts from zero. A successful login clears its account's count (not its address's: an attacker
must not be able to clear an address by logging in to an account of their own).

The counts live in Django's default cache: Redis when REDIS_URL is set, shared by every app process
on every machine (settings CACHES). Keys carry an HMAC of the username or address, not the text: a
password typed into the username field is not kept. The end of a lockout is stored as a time and
compared with the clock, so it does not depend on the cache's own expiry.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Counted:
    """One thing whose failures are counted: an account or an address."""

    scope: str  # ACCOUNT or ADDRESS
    value: str

    @property
    def limit(self) -> int:
        if self.scope == ACCOUNT:
            return settings.LOGIN_FAILURES_PER_ACCOUNT
        return settings.LOGIN_FAILURES_PER_ADDRESS

    def key(self, kind: str) -> str:
        text = f"{self.scope}:{self.value}"
        digest = salted_hmac("projects.logins", text, algorithm="sha256").hexdigest()[:40]
        return f"login-{kind}:{self.scope}:{digest}"


def lockout_seconds() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES * 60


def client_address(request: Any) -> str | None:
    """The client's address as the API throttling reads it (the last proxy's X-Forwarded-For
    entry, settings API_NUM_PROXIES); None without a request (a management command)."""
    if request is None or not hasattr(request, "META"):
        return None
    return BaseThrottle().get_ident(request) or None


def _counted(username: str | None, address: str | None) -> list[Counted]:
    counted = []
    if username is not None:
        counted.append(Counted(ACCOUNT, username))
    if address:
        counted.append(Counted(ADDRESS, address))
    return counted


def locked_for(username: str | None, address: str | None) -> int:
    """Seconds until a login of `username` from `address` may be tried again; 0: now."""
    keys = [counted.key("locked") for counted in _counted(username, address)]
    now = time.time()
    ends = [until for until in cache.get_many(keys).values() if until > now]
    return math.ceil(max(ends) - now) if ends else 0


def _increment(key: str, timeout: int) -> int:
    """One more in the count at `key`, which starts at the first failure and lasts `timeout`
    seconds; atomic in Redis (SET NX, then INCR), so app servers never lose a failure."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout)
        return 1


def record_failure(username: str | None, address: str | None) -> None:
    """Count a failed login; lock the account or the address that reaches its limit."""
    window = lockout_seconds()
    for counted in _counted(username, address):
        failures = _increment(counted.key("failures"), window)
        if failures >= counted.limit:
            # The end as a time: a cache whose clock or expiry differs still ends it on time.
            cache.set(counted.key("locked"), time.time() + window, window + 60)
            cache.delete(counted.key("failures"))
            logger.warning(
                "Login locked for %d minutes: %s %s after %d failures",
                settings.LOGIN_LOCKOUT_MINUTES,
                counted.scope,
                _loggable(counted),
                failures,
            )


def _loggable(counted: Counted) -> str:
    """An address, or an account's name when such an account exists: what was typed into the
    username field may be someone's password."""
    if counted.scope == ADDRESS:
        return counted.value
    users = get_user_model()._default_manager
    known = users.filter(**{users.model.USERNAME_FIELD: counted.value}).exists()
    return counted.value if known else "(unknown)"


def record_success(username: str) -> None:
    """A successful login clears its account's failures (not its address's)."""
    cache.delete(Counted(ACCOUNT, username).key("failures"))


def unlock(*, username: str | None = None, address: str | None = None) -> int:
    """Clear the failures and the lock of an account and/or an address (an operator's
    `manage.py unlock_login`); the number of cache entries removed."""
    removed = 0
    for counted in _counted(username, address):
        for kind in ("failures", "locked"):
            removed += int(cache.delete(counted.key(kind)))
    return removed


def locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return gettext("登录失败次数过多,该账号或本机地址已被暂时锁定,请 {minutes} 分钟后再试。").format(
        minutes=minutes
    )


class ThrottledModelBackend(ModelBackend):
    """Django's username-and-password backend behind the lockout: a locked account or address is
    refused before the password is looked at (PermissionDenied stops authenticate() there)."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.username_field())
        if username is None or password is None:
            return None
        address = client_address(request)
        if locked_for(username, address):
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username, address)
        else:
            record_success(username)
        return user

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        # ModelBackend's own async path would skip the counting above.
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)

    @staticmethod
    def username_field() -> str:
        return get_user_model().USERNAME_FIELD


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, which says so when the account or the address is locked."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # a locked login fails in the backend, the password unread
        except ValidationError:
            username = self.cleaned_data.get("username")
            if username is not None and (wait := locked_for(username, client_address(self.request))):
                # Locked before, or by this very failure: say so now, not on the next try.
                raise ValidationError(locked_message(wait), code="login_locked") from None
            raise


class ThrottledPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password change: a wrong old password counts against the account like a failed
    login, and a locked account cannot change its password (a stolen session must not be a way to
    try passwords unthrottled)."""

    def clean_old_password(self) -> str:
        username = self.user.get_username()
        if wait := locked_for(username, None):
            raise ValidationError(locked_message(wait), code="login_locked")
        try:
            return super().clean_old_password()
        except ValidationError:
            record_failure(username, None)
            raise
