"""The answer while the database cannot be reached: 503 with Retry-After, not a 500 traceback.

A restart or a failover of PostgreSQL makes every query fail for a few seconds. Django then raises
OperationalError (the server refuses or drops the connection, is starting up or shutting down) or
InterfaceError (a connection kept from before the restart is closed). Neither is a fault of the
application nor of the request: the client should simply try again shortly, and says so in its
status. The API answers `{"detail": "中文 / English", "code": "database_unavailable"}` like its
other errors (projects/api/exceptions.py); other pages get a short HTML page in Chinese.

Nothing else is needed to recover: the broken connection is closed at the end of the request
(Django closes connections that had errors) and the next request opens a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .i18n import bilingual

logger = logging.getLogger(__name__)

# Long enough for PostgreSQL to restart, short enough that a dashboard comes back at once.
RETRY_AFTER_SECONDS = 5

UNAVAILABLE = _("数据库暂时无法连接,请稍后重试")


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection raised by a view into a 503 with Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # One line, no traceback: an outage fails every request, and the cause is the same.
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": bilingual(UNAVAILABLE), "code": "database_unavailable"}, status=503
            )
        else:
            # Rendered without the request: context processors would read the session, from the database.
            response = HttpResponse(
                render_to_string("projects/database_unavailable.html", {"retry_after": RETRY_AFTER_SECONDS}),
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
