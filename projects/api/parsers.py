"""Request bodies of the API, read within bounds: whatever a client sends, parsing ends in a
bounded time and memory, and a body it cannot take is a 4xx in the API's error shape.

- JSON (`application/json`): at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (DRF reads JSON through
  Django's `request.body`, which refuses a larger Content-Length before reading: 413); valid in
  the body's charset (UTF-8 unless Content-Type names another text charset); nested at most
  MAX_JSON_DEPTH arrays and objects deep; no key twice in one object (two parsers may take
  different ones: the first or the last); only finite numbers (no NaN, Infinity, nor 1e400, which
  a float cannot hold); no NUL character in any key or string (PostgreSQL cannot store one).
- Forms (`application/x-www-form-urlencoded`): Django's limits, DATA_UPLOAD_MAX_MEMORY_SIZE and
  DATA_UPLOAD_MAX_NUMBER_FIELDS.
- Multipart: the whole body at most DATA_UPLOAD_MAX_MEMORY_SIZE, unless the view takes uploads
  and says how large (`max_upload_bytes`, the workbook imports): a file part would otherwise be
  written to a temporary file whatever its size.

The refusals are ParseError (400, `code` naming the reason) or PayloadTooLarge (413), rendered by
projects/api/exceptions.py (which imports this module, not the other way round: DRF imports the
parsers while projects/api/exceptions.py is still loading).
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

from projects.i18n import Text, bilingual

# Our bodies are an object of fields whose values are at most lists of scalars (depth 2); the
# margin is for clients that wrap them, never for 10,000 levels that exhaust the C stack.
MAX_JSON_DEPTH = 20
UNPARSABLE = _("请求内容无法解析,请检查JSON格式")


class PayloadTooLarge(APIException):
    """A request body larger than the endpoint takes (413), refused before it is read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int) -> None:
        size = f"{limit / 1024 / 1024:.1f} MB"
        super().__init__(
            bilingual(format_lazy(_("请求内容过大:最多 {size},请拆分后提交"), size=size)), self.default_code
        )


class _Refused(ValueError):
    """Raised from inside json.loads's hooks: the reason, as a bilingual ParseError."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(code)
        self.error = ParseError(bilingual(message), code=code)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            raise _Refused("duplicate_key", format_lazy(_("JSON 对象中的键“{key}”出现了两次"), key=key[:64]))
        seen.add(key)
    return result


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("number_out_of_range", format_lazy(_("数字 {number} 超出范围"), number=text[:32]))
    return value


def _not_a_constant(name: str) -> None:
    raise _Refused("number_out_of_range", format_lazy(_("JSON 不允许 {name}"), name=name))


# Checked on the text, before parsing, in C-speed regular expressions rather than a walk of the
# parsed data (a body of 100,000 keys would take a Python loop each): the strings removed, what
# is left of the brackets gives the depth; an escaped NUL is a \u0000 not itself escaped (a raw
# one is no valid JSON).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _check_text(text: str) -> None:
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    if max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > MAX_JSON_DEPTH:
        raise _too_deep()
    if "\x00" in text or ("\\u0000" in text and _ESCAPED_NUL.search(text)):
        raise _null_character()


def _too_deep() -> ParseError:
    return ParseError(
        bilingual(format_lazy(_("JSON 嵌套过深:最多{depth}层"), depth=MAX_JSON_DEPTH)), code="too_deep"
    )


def _null_character() -> ParseError:
    return ParseError(bilingual(_("请求内容含有空字符(\\u0000)")), code="null_character")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the bounds of the module docstring."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(
                bilingual(format_lazy(_("请求内容不是有效的 {encoding} 编码"), encoding=encoding)),
                code="invalid_encoding",
            ) from None
        _check_text(text)
        try:
            data = json.loads(
                text,
                object_pairs_hook=_unique_keys,
                parse_float=_finite,
                parse_constant=_not_a_constant,
            )
        except _Refused as refused:
            raise refused.error from None
        except RecursionError:  # deeper than the C parser's own limit, if _check_text missed it
            raise _too_deep() from None
        except ValueError as error:
            # Python's own reason, in English, after the English.
            raise ParseError(f"{bilingual(UNPARSABLE)} - {error}") from None
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing a body larger than the view takes before reading it."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        context = parser_context or {}
        view = context.get("view")
        limit = getattr(view, "max_upload_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = context.get("request")
        meta = request.META if request is not None else {}
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise PayloadTooLarge(limit)
        return super().parse(stream, media_type, parser_context)
