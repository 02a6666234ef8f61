"""Errors of the API in Chinese and English.

Every 400 has one shape:

    {"detail": "请求数据有误 / Invalid request data",
     "errors": [{"field": "total_investment", "code": "min_value",
                 "message": "请确保该值大于或等于 0。",
                 "message_en": "Ensure this value is greater than or equal to 0."}]}

`field` is a dotted path for nested fields (`entries.0.project`) and null for an error of the
whole request. Django's and DRF's own messages are rendered a second time under English (the
serializers and filters of this package validate twice when, and only when, the input is bad);
every message of the project is written once through gettext (projects/i18n.py) and rendered
in each language from the catalogue; a Chinese text that reaches the handler without its English
twin is looked up in the English catalogue by its text. Model validation and database
integrity errors become 400s, a delete refused because other rows still refer to the row a 409;
other errors keep DRF's shape, with DRF's default messages given in both languages. A request over
its rate (projects/api/throttling.py) is a 429 with Retry-After and `"code": "throttled"`.

A finding of the validation rules (projects/rules/) is an ordinary error of the list whose
`code` is the rule's id, with one more key, `"severity"`: "error" blocks the write, "warning"
blocks it until the client confirms (`confirm_warnings`). A write made on a stale version of a
record is a 409 (`code` "stale_version"), a write whose If-Match names another version a 412
(`code` "precondition_failed"): `{"detail": "中文 / English", "code": …}`. A delete that would
remove figures of a locked month is a 409 with `"code": "locked_month"` and the usual `errors`
list, one entry per locked month (projects.rules.LockedDelete).

A body the API cannot read is refused in the same shapes (projects/api/parsers.py): a 400 whose
error has no field and a `code` saying why (parse_error, too_deep, duplicate_key, …), a 413
(`code` "too_large") for a body over its limit, a 415 (`code` "unsupported_media_type") for a
media type the endpoint does not read. Django's own refusals of a form (too many fields) are 400s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import BaseConstraint, ProtectedError, RestrictedError
from django.http import Http404
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from projects.i18n import CHINESE, ENGLISH, Text, bilingual, bilingual_lazy, both, in_english, in_language
from projects.models import STALE_MESSAGE, StaleVersion
from projects.rules import RULES, LockedDelete

from .parsers import PayloadTooLarge

INVALID_REQUEST = _("请求数据有误")
STILL_REFERENCED = _("该记录仍被其他记录引用,不能删除")
LOCKED_DELETE = _("删除会连带删除已锁定月份的指标数值,未删除任何记录")


class StaleVersionConflict(exceptions.APIException):
    """A write made on a version of the record that is no longer the current one (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = bilingual_lazy(STALE_MESSAGE)
    default_code = "stale_version"


class PreconditionFailed(exceptions.APIException):
    """If-Match names none of the record's current version (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = bilingual_lazy(
        _("If-Match 中的版本不是该记录的当前版本:记录已被他人修改,请重新读取后再修改")
    )
    default_code = "precondition_failed"


def unsupported_media_type(media_type: str) -> exceptions.UnsupportedMediaType:
    """DRF's 415 with its reason in both languages."""
    shown = media_type[:100]
    error = exceptions.UnsupportedMediaType(shown)
    error.detail = exceptions.ErrorDetail(
        bilingual(
            format_lazy(
                _(
                    "不支持的请求内容类型“{media_type}”:请以 application/json 发送(导入文件用 multipart/form-data)"  # noqa: E501
                ),
                media_type=shown,
            )
        ),
        code="unsupported_media_type",
    )
    return error


@dataclass(frozen=True)
class Message:
    """A message of the API's own with its error code: written once, through gettext. `english`
    only where the text is not a message of the catalogue (a pure module's reading of the input,
    in Chinese): the catalogue's message that says the same in English."""

    code: str
    text: Text
    english: Text | None = None


# A form with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (or files than ..._NUMBER_FILES).
TOO_MANY_FIELDS = Message("too_many_fields", _("请求中的字段或文件过多"))
INTEGRITY_ERROR = Message("integrity_error", _("数据与已有记录冲突或违反数据库约束"))

# Chinese for the codes of errors a library gives in English only (DRF's JSON parse error).
LIBRARY_MESSAGES: dict[str, Text] = {
    "parse_error": _("请求内容无法解析,请检查JSON格式"),
    "unsupported_media_type": _("不支持的请求内容类型"),
}


class BilingualValidationError(exceptions.ValidationError):
    """A validation error with the same errors rendered in English beside the Chinese ones."""

    def __init__(self, detail: Any, english: Any = None, code: str | None = None) -> None:
        super().__init__(detail, code)
        self.english = exceptions.ValidationError(english, code).detail if english is not None else None


def invalid(field: str | None, message: Message) -> BilingualValidationError:
    """A one-error 400 for `field` (None: the whole request)."""
    key = field or api_settings.NON_FIELD_ERRORS_KEY
    chinese, english = both(message.text)
    if message.english is not None:
        english = in_english(message.english)
    return BilingualValidationError(
        {key: [exceptions.ErrorDetail(chinese, code=message.code)]},
        {key: [exceptions.ErrorDetail(english, code=message.code)]},
    )


# ---------------------------------------------------------------------------------------------
# Model validation and constraints as DRF errors


def _detail(error: DjangoValidationError) -> exceptions.ErrorDetail:
    """One model error in the active language: its message is a gettext message (lazy), filled
    with its params the way Django fills them."""
    message = error.message % error.params if error.params else error.message
    return exceptions.ErrorDetail(str(message), code=error.code or "invalid")


def model_errors(error: DjangoValidationError) -> dict[str, list[exceptions.ErrorDetail]]:
    """A Django ValidationError (from full_clean, or a constraint's validate) as a DRF error dict,
    in the active language."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: [_detail(e) for e in error.error_list]}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
            _detail(e) for e in errors
        ]
        for field, errors in error.error_dict.items()
    }


@cache
def constraints() -> dict[str, BaseConstraint]:
    """Every constraint of the app's models, by name: each carries its code, its message and the
    field its error belongs to (projects.models.base)."""
    return {
        constraint.name: constraint
        for model in apps.get_app_config("projects").get_models()
        for constraint in model._meta.constraints
    }


def _integrity_error(error: IntegrityError) -> BilingualValidationError:
    """A database refusal that validation did not foresee (a race, a constraint without a
    validation rule): name the constraint when the database does."""
    text = str(error)
    named = [
        constraint for name, constraint in constraints().items() if re.search(rf"\b{re.escape(name)}\b", text)
    ]
    if not named:
        return invalid(None, INTEGRITY_ERROR)
    chinese: dict[str, list] = {}
    english: dict[str, list] = {}
    for constraint in named:
        key = getattr(constraint, "field", None) or api_settings.NON_FIELD_ERRORS_KEY
        code = constraint.violation_error_code or "constraint"
        zh, en = (
            in_language(constraint.get_violation_error_message, language) for language in (CHINESE, ENGLISH)
        )
        chinese.setdefault(key, []).append(exceptions.ErrorDetail(zh, code=code))
        english.setdefault(key, []).append(exceptions.ErrorDetail(en, code=code))
    return BilingualValidationError(chinese, english)


# ---------------------------------------------------------------------------------------------
# The handler


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: str
    message: str


def flatten(detail: Any, path: tuple[str, ...] = ()) -> list[FieldError]:
    """DRF's nested error detail as a flat list with dotted field paths, in order. Walked with a
    stack, not recursion: however deep the detail, rendering it cannot exhaust the stack."""
    found = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(detail, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            children = [
                (value, where if key == api_settings.NON_FIELD_ERRORS_KEY else (*where, str(key)))
                for key, value in node.items()
            ]
        elif isinstance(node, list):
            # A list of errors of one field, or a list of nested items (many=True): items are dicts.
            children = [
                (value, (*where, str(index)) if isinstance(value, dict | list) else where)
                for index, value in enumerate(node)
            ]
        else:
            code = getattr(node, "code", None) or "invalid"
            found.append(FieldError(".".join(where) or None, code, str(node)))
            continue
        stack.extend(reversed(children))
    return found


def _english(error: FieldError, twin: FieldError | None) -> str:
    """The English of an error: its twin's (the same validation run under English), else the
    catalogue's for its Chinese text (a message without values), else the request's."""
    if twin is not None and twin.field == error.field and twin.code == error.code:
        return twin.message
    with translation.override(ENGLISH):
        english = translation.gettext(error.message)
    return english if english != error.message else in_english(INVALID_REQUEST)


_CJK = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def _split_bilingual(error: FieldError) -> tuple[FieldError, str | None]:
    """A message already written "中文 / English" (by other views of the project), split."""
    chinese, separator, english = error.message.rpartition(" / ")
    if separator and _CJK.search(chinese) and not _CJK.search(english):
        return FieldError(error.field, error.code, chinese), english
    return error, None


def error_body(exc: exceptions.APIException) -> dict[str, Any]:
    detail = exc.detail if isinstance(exc.detail, dict | list) else [exc.detail]
    errors = flatten(detail)
    english = getattr(exc, "english", None)
    twins = flatten(english) if english is not None else []
    if len(twins) != len(errors):
        twins = []
    body = []
    for index, error in enumerate(errors):
        error, english = _split_bilingual(error)
        if english is None and not _CJK.search(error.message):  # a library's English-only message
            english = error.message
            error = FieldError(
                error.field, error.code, str(LIBRARY_MESSAGES.get(error.code, INVALID_REQUEST))
            )
        entry = {
            "field": error.field,
            "code": error.code,
            "message": error.message,
            "message_en": english or _english(error, twins[index] if twins else None),
        }
        if error.code in RULES:
            entry["severity"] = RULES[error.code].severity.value
        body.append(entry)
    return {"detail": bilingual(INVALID_REQUEST), "errors": body}


def throttled_message(wait: int | None) -> str:
    """A 429's detail: too many requests, and when to try again (the seconds of Retry-After)."""
    if wait is None:
        return bilingual(_("请求过于频繁,请稍后再试"))
    return bilingual(format_lazy(_("请求过于频繁,请 {wait} 秒后再试"), wait=wait))


def _default_detail_in_english(exc: exceptions.APIException) -> str | None:
    """DRF's own message of `exc` (its default, or the paginator's "Invalid page.") in English,
    when `exc` carries it in Chinese."""
    for message in (exc.default_detail, pagination.PageNumberPagination.invalid_page_message):
        with translation.override("zh-hans"):
            chinese = str(message)
        if str(exc.detail) == chinese:
            with translation.override("en"):
                english = str(message)
            return None if english == chinese else english
    return None


def locked_delete_body(exc: LockedDelete) -> dict[str, Any]:
    """A delete refused by the lock of a month (409): the usual error list, one entry per locked
    month (zone, month, deadline, what to do instead), with the rule's id as the code."""
    rule = RULES["locked_month"]
    return {
        "detail": bilingual(LOCKED_DELETE),
        "code": rule.id,
        "errors": [
            {"field": None, "code": rule.id, "message": zh, "message_en": en, "severity": rule.severity.value}
            for zh, en in exc.messages
        ],
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        errors = model_errors(exc)
        with translation.override("en"):
            english = model_errors(exc)
        exc = BilingualValidationError(errors, english)
    elif isinstance(exc, ProtectedError | RestrictedError):  # before IntegrityError, their base
        rows = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or []
        referring = sorted(f"{row._meta.verbose_name}:{row}" for row in list(rows)[:10])
        return Response(
            {"detail": bilingual(STILL_REFERENCED), "referenced_by": referring},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, LockedDelete):  # before PermissionDenied, its base: the lock, not the role
        return Response(locked_delete_body(exc), status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, IntegrityError):
        exc = _integrity_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's text ("No Project matches …") is English only
    elif isinstance(exc, DjangoPermissionDenied):
        # A refusal of projects.access is a message: the 403 says it in both languages.
        exc = exceptions.PermissionDenied(bilingual(exc.args[0]) if exc.args else None)
    elif isinstance(exc, StaleVersion):  # a save raced with another one, or a stale `version`
        exc = StaleVersionConflict()
    elif isinstance(exc, RequestDataTooBig):  # Django's limit on a body it reads (JSON, forms)
        exc = PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = invalid(None, TOO_MANY_FIELDS)
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc = unsupported_media_type(getattr(context.get("request"), "content_type", "") or "")

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = error_body(exc)
    elif isinstance(exc, StaleVersionConflict | PreconditionFailed | PayloadTooLarge):
        response.data = {"detail": str(exc.detail), "code": exc.default_code}
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        response.data = {"detail": str(exc.detail), "code": "unsupported_media_type"}
    elif isinstance(exc, exceptions.Throttled):  # DRF's text has the wait inside; Retry-After is set
        response.data = {"detail": throttled_message(exc.wait), "code": "throttled"}
    elif isinstance(response.data, dict) and "detail" in response.data:
        english = _default_detail_in_english(exc)
        if english is not None:
            response.data["detail"] = f"{exc.detail} / {english}"
    return response
