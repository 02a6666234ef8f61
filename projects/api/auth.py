"""The token endpoint: get a token with a username and password, and revoke tokens.

    POST   /api/auth/token/   username + password → a new token, shown once, and its expiry
    DELETE /api/auth/token/   revoke the token this request carries
    DELETE /api/auth/tokens/  revoke every token of the caller

POST /api/auth/token/ is a login: it counts failures per account and per address like the admin's
(projects/logins.py) and, once locked, answers 429 with Retry-After, the right password too.
Tokens themselves: projects/tokens.py (made, revoked), projects/api/authentication.py (checked).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..i18n import bilingual
from ..logins import client_address, locked_for
from ..tokens import api_token_create, api_token_revoke, api_tokens_revoke
from .authentication import ApiTokenAuthentication
from .exceptions import Message, invalid
from .serializers import BilingualErrors, Described, StrictInput, StrictIntegerField
from .views import ValidationErrorSerializer

# Lazy, rendered in the schema's language: drf-spectacular's types say str.
TAG = cast(str, _("认证"))


# ---------------------------------------------------------------------------------------------
# The token scheme in the schema


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "projects.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": gettext(
                "请求头 `Authorization: Token <令牌>`;令牌由 POST /api/auth/token/ 获取,"
                "有效期最长 {days} 天。"
            ).format(days=settings.API_TOKEN_TTL_DAYS),
        }


# ---------------------------------------------------------------------------------------------
# Requests and answers


class LoginLocked(exceptions.APIException):
    """Too many failed logins of the account or from the address: 429 with Retry-After."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, wait: int) -> None:
        self.wait = wait  # DRF's handler sends it as Retry-After
        super().__init__(
            {
                "detail": bilingual(
                    format_lazy(
                        _("登录失败次数过多,该账号或本机地址已被暂时锁定,请 {wait} 秒后再试"), wait=wait
                    )
                ),
                "code": "login_locked",
            }
        )


INVALID_CREDENTIALS = _("用户名或密码错误")


class TokenRequestSerializer(StrictInput, BilingualErrors, Described, serializers.Serializer):
    """用户名和密码 / A username and a password."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False, write_only=True)
    days = StrictIntegerField(required=False, min_value=1)

    help_texts = {
        "username": _("用户名"),
        "password": _("密码"),
        "days": _("有效天数,默认且至多为 API_TOKEN_TTL_DAYS(90)"),
    }

    def validate_days(self, days: int) -> int:
        if days > settings.API_TOKEN_TTL_DAYS:
            raise serializers.ValidationError(
                gettext("有效天数至多为{days}天").format(days=settings.API_TOKEN_TTL_DAYS), code="max_value"
            )
        return days


class TokenCreatedSerializer(Described, serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()
    username = serializers.CharField()

    help_texts = {
        "token": _("令牌,只显示这一次,请妥善保存"),
        "expiry": _("到期时间"),
        "username": _("令牌所属用户"),
    }


class CodedErrorSerializer(Described, serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)

    help_texts = {
        "detail": _("原因,中文和英文各一遍,以“ / ”分隔"),
        "code": _("错误代码:token_invalid、token_expired、user_inactive、login_locked、throttled"),
    }


BAD_CREDENTIALS = OpenApiResponse(
    ValidationErrorSerializer,
    description=_("请求数据有误,或用户名、密码错误"),
)
UNAUTHORIZED = OpenApiResponse(
    CodedErrorSerializer,
    description=_("令牌无效、已撤销或已过期"),
)
NOT_AUTHENTICATED = OpenApiResponse(CodedErrorSerializer, description=_("未登录(未带令牌或会话)"))
LOCKED = OpenApiResponse(
    CodedErrorSerializer,
    description=_("登录失败次数过多(login_locked)或请求过于频繁(throttled),见 Retry-After"),
)


# ---------------------------------------------------------------------------------------------
# Views


class TokenView(APIView):
    """获取或撤销令牌 / Get or revoke a token"""

    # JSON only: the browsable API's page would carry the token into a template context, which
    # Django logs at DEBUG when a variable is missing.
    renderer_classes = [JSONRenderer]

    def get_authenticators(self) -> list[BaseAuthentication]:
        # A login reads its credentials from the body: a stale token or a session in the same request
        # must neither get in its way nor stand in for the password.
        if getattr(self.request, "method", None) == "POST":  # None: the schema generator asks
            return []
        return [ApiTokenAuthentication()]

    def get_permissions(self) -> list:
        return [AllowAny()] if getattr(self.request, "method", None) == "POST" else [IsAuthenticated()]

    @extend_schema(
        operation_id="auth_token_create",
        tags=[TAG],
        summary=_("用用户名和密码获取令牌"),
        description=_(
            "返回新令牌及其到期时间;令牌只显示这一次,数据库只保存其摘要。"
            "同一账号连续失败 LOGIN_FAILURES_PER_ACCOUNT(5)次,"
            "或同一地址失败 LOGIN_FAILURES_PER_ADDRESS(20)次,即锁定 LOGIN_LOCKOUT_MINUTES(15)分钟:"
            "其间即使密码正确也答 429,Retry-After 为剩余秒数。"
        ),
        auth=[],
        request=TokenRequestSerializer,
        responses={
            201: TokenCreatedSerializer,
            400: BAD_CREDENTIALS,
            429: LOCKED,
        },
    )
    def post(self, request: Request) -> Response:
        params = TokenRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        username = params.validated_data["username"]
        # A locked account or address fails in the backend (projects/logins.py), the password unread.
        user = authenticate(request, username=username, password=params.validated_data["password"])
        if user is None:
            if wait := locked_for(username, client_address(request)):  # locked before, or just now
                raise LoginLocked(wait)
            raise invalid(None, Message("invalid_credentials", INVALID_CREDENTIALS))
        token, key = api_token_create(user=user, days=params.validated_data.get("days"))
        user_logged_in.send(sender=type(user), request=request, user=user)  # last_login
        # Locals named so that an error report hides them (projects/security.py).
        token_answer = {"token": key, "expiry": token.expiry, "username": user.get_username()}
        token_response = Response(TokenCreatedSerializer(token_answer).data, status=status.HTTP_201_CREATED)
        token_response["Cache-Control"] = "no-store"  # the token must not stay in any cache
        return token_response

    @extend_schema(
        operation_id="auth_token_revoke",
        tags=[TAG],
        summary=_("撤销本次请求所用的令牌"),
        description=_("轮换令牌时,先取得并换上新令牌,再用旧令牌发出此请求将其撤销。"),
        request=None,
        responses={204: None, 401: UNAUTHORIZED},
    )
    def delete(self, request: Request) -> Response:
        api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AllTokensView(APIView):
    """本人的全部令牌 / Every token of the caller"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_tokens_revoke_all",
        tags=[TAG],
        summary=_("撤销本人的全部令牌"),
        description=_("令牌可能泄露而不知是哪一个时使用;之后须重新获取令牌。"),
        request=None,
        responses={204: None, 401: UNAUTHORIZED, 403: NOT_AUTHENTICATED},
    )
    def delete(self, request: Request) -> Response:
        api_tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
