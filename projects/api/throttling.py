"""Limits on API requests: per user, per anonymous client address, and a stricter one for writes.

The rates are settings (`API_THROTTLE_USER`, `API_THROTTLE_ANON`, `API_THROTTLE_WRITE` in the
environment); the counts live in Django's default cache, which is Redis in production (REDIS_URL) so
that every app process on every machine counts the same requests. A rate of None means no limit.
A refused request is a 429 with Retry-After (projects/api/exceptions.py words it in both languages).
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings


class RateFromSettings:
    """DRF binds the rates when it is imported; read them for each request instead, so that the
    settings in force (and overrides in tests) apply."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonRateThrottle(RateFromSettings, throttling.AnonRateThrottle):
    """Requests without a logged-in user, counted per client address (the last proxy's
    X-Forwarded-For entry: settings NUM_PROXIES)."""


class UserRateThrottle(RateFromSettings, throttling.UserRateThrottle):
    """Requests of a logged-in user, counted per user whatever address they come from."""


class WriteRateThrottle(RateFromSettings, throttling.UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) of a user, counted apart and limited more strictly."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
