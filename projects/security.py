"""What keeps secrets out of error reports, and the deployment checks of the tracker's own settings.

Django's SafeExceptionReporterFilter hides settings, request headers and cookies whose *name* says
KEY, TOKEN, PASS, SECRET, AUTH …; POST parameters and local variables only where a view or function
is decorated with sensitive_post_parameters / sensitive_variables. An error report (the e-mail to
ADMINS, the debug page) would still show a password inside a URL (DATABASE_URL and REDIS_URL, which
a development server copies into request.META, or a cache's LOCATION), a password or token posted to
a view nobody decorated, and a token held in a local variable such as DRF's
`authenticate_credentials(key)`. `SecretsReporterFilter` hides those too (settings
DEFAULT_EXCEPTION_REPORTER_FILTER); tests/test_secrets_not_logged.py proves it.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host → scheme://user:********@host
URL_CREDENTIALS = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*):(?P<password>[^@/\s]+)@", re.I)

# A cache kept in one process cannot count one user's requests across several app processes.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def hide_url_password(text: str, substitute: str = "********") -> str:
    return URL_CREDENTIALS.sub(lambda match: f"{match['head']}:{substitute}@", text)


class SecretsReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, and also: passwords in URLs, and POST parameters and local variables named
    like a secret (password, token, key, secret …) wherever they are."""

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return hide_url_password(cleansed, self.cleansed_substitute)
        return cleansed

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None or not self.is_active(request):
            return parameters
        named_secret = [name for name in parameters if self.hidden_settings.search(name)]
        return self._cleanse_multivaluedict(parameters, named_secret) if named_secret else parameters

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        if not self.is_active(request):
            return variables
        return [(name, self._cleanse_variable(name, value)) for name, value in variables]

    def _cleanse_variable(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and value == self.cleansed_substitute:  # hidden already
            return value
        return self.cleanse_setting(name, value)


@register(Tags.security, deploy=True)
def check_throttle_cache(app_configs, **kwargs) -> list[Warning]:
    """API throttling counts requests in the default cache: per process, a user gets the rate once
    per app process, and the counts vanish on restart."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            gettext(
                "API 限流和登录失败计数保存在单个进程的缓存中:多个应用进程或多台服务器时,每个进程各算各的,"
                "限流和登录锁定不起作用。"
            ),
            hint=gettext(
                "设置 REDIS_URL(例如 redis://127.0.0.1:6379/0),让所有应用进程共用同一个 Redis 缓存。"
            ),
            id="projects.W001",
        )
    ]


class CharacterKindsValidator:
    """A password of at least `kinds` of four kinds of character: lower-case letters, upper-case
    letters, digits, and anything else (等级保护 asks for passwords of some complexity)."""

    KINDS = (str.islower, str.isupper, str.isdigit)

    def __init__(self, kinds: int = 3) -> None:
        self.kinds = kinds

    def count(self, password: str) -> int:
        found = {i for char in password for i, test in enumerate(self.KINDS) if test(char)}
        if any(not (char.islower() or char.isupper() or char.isdigit()) for char in password):
            found.add(len(self.KINDS))
        return len(found)

    def validate(self, password: str, user: Any = None) -> None:
        if self.count(password) < self.kinds:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return gettext("密码须至少包含小写字母、大写字母、数字和其他符号中的{kinds}类").format(
            kinds=self.kinds
        )


# What no text of the register may hold: the C0 control characters but tab, line feed and carriage
# return, and DEL. XML (a workbook's cells, a report) cannot hold them, PostgreSQL no NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(value: object) -> None:
    """A validator of every text a user writes (API, admin): no control characters."""
    if isinstance(value, str) and (found := CONTROL_CHARACTERS.search(value)):
        code = f"U+{ord(found.group()):04X}"
        raise ValidationError(
            gettext("不能含有控制字符(第{position}个字符为{code})").format(
                position=found.start() + 1, code=code
            ),
            code="control_character",
        )


@register()
def catalogues_compiled(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """The tracker's message catalogues are compiled (`make messages`): without them the admin shows
    Django's untranslated labels in English."""
    from pathlib import Path

    warnings = []
    for locale_path in settings.LOCALE_PATHS:
        for source in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
            compiled = source.with_suffix(".mo")
            if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime:
                warnings.append(
                    Warning(
                        gettext("消息目录 {source} 尚未编译或编译后又有改动:后台会显示英文标签。").format(
                            source=source
                        ),
                        hint=gettext("运行 make messages(用 msgfmt 编译为 .mo)。"),
                        id="projects.W020",
                    )
                )
    return warnings
