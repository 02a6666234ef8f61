"""The one message catalogue of the tracker.

Every message a user can see is written once, in Chinese, in the code, through Django's gettext
(`gettext_lazy as _` where the text is defined at import time — models, admin, serializers,
rules — and `gettext` where a string is needed at once). Chinese is the source language, so the
Chinese text needs no catalogue; its English is in projects/locale/en/LC_MESSAGES/django.po,
compiled by `make messages`. A template with values names them: `_("{name}的计划投资")`, filled
with `.format(name=…)` in the active language.

The API answers in both languages by rendering the same message twice (`both`); what Django
itself leaves untranslated in Chinese is in projects/locale/zh_Hans. tests/test_messages.py
holds the rule: every Chinese literal of projects/ goes through gettext (vocabulary read from
the sources aside), and every message has its English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.functional import lazy

CHINESE = "zh-hans"
ENGLISH = "en"

if TYPE_CHECKING:  # django-stubs' name for gettext_lazy's proxy (no such name at run time)
    from django.utils.functional import _StrPromise

type Text = str | _StrPromise  # a message: a string, or gettext_lazy's proxy of one


def in_language(message: Text | Callable[[], object], language: str) -> str:
    """The message rendered in `language` (or what a function returns in it: a message that is
    formatted when asked for, such as a constraint's)."""
    with translation.override(language):
        return str(message() if callable(message) else message)


def in_chinese(message: Text) -> str:
    return in_language(message, CHINESE)


def in_english(message: Text) -> str:
    return in_language(message, ENGLISH)


def both(message: Text) -> tuple[str, str]:
    """(Chinese, English) of one message."""
    return in_chinese(message), in_english(message)


def bilingual(message: Text) -> str:
    """ "中文 / English": the form of the API's one-line details (409, 412, 429 …)."""
    chinese, english = both(message)
    return chinese if chinese == english else f"{chinese} / {english}"


def is_english() -> bool:
    """Whether the active language is English (the API's second rendering of an error)."""
    return (translation.get_language() or "").startswith(ENGLISH)


# bilingual(), put off until the text is read: for a message defined at import time whose
# rendering must wait for the catalogues (DRF's `default_detail`, say).
bilingual_lazy = lazy(bilingual, str)
