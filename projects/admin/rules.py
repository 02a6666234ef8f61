"""校验规则: the page listing every validation rule of projects.rules (for all staff)."""

import re

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..rules import RULES, Severity

PLACEHOLDERS = {
    "action": _("修改/补报"),
    "before": _("原值"),
    "date": _("日期"),
    "deadline": _("截止日期"),
    "expected": _("应有单位"),
    "finish": _("计划竣工"),
    "given": _("所填内容"),
    "metric": _("指标"),
    "month": _("月"),
    "other": _("已报数值"),
    "other_period": _("已报时段"),
    "period": _("时段"),
    "phase": _("期次"),
    "production": _("投产日期"),
    "project": _("项目"),
    "ratio": _("倍数"),
    "start": _("开工日期"),
    "subject": _("对象"),
    "today": _("今天"),
    "total": _("总投资"),
    "value": _("数值"),
    "what": _("修改内容"),
    "year": _("年度"),
    "zone": _("区域"),
}


def message_pattern(template: str) -> str:
    """A rule's message with its placeholders named in Chinese: “{period}累计…” → “〈时段〉累计…”."""
    return re.sub(
        r"\{(\w+)(?::[^}]*)?\}", lambda match: f"〈{PLACEHOLDERS.get(match[1], match[1])}〉", template
    )


def checked_fields(fields: dict[str, str]) -> str:
    """“项目节点·实际日期” for each model and field a rule's messages belong to."""
    labels = []
    for model_name, field_name in fields.items():
        opts = apps.get_model("projects", model_name)._meta
        labels.append(f"{opts.verbose_name}·{opts.get_field(field_name).verbose_name}")
    return "、".join(labels)


def rules_page(request: HttpRequest) -> TemplateResponse:
    """Every validation rule: id, severity, name, what it checks and its message (for all staff)."""
    rules = [
        {
            "id": rule.id,
            "severity": Severity(rule.severity).label,
            "is_error": rule.is_error,
            "title": rule.title,
            "applies_to": rule.applies_to,
            "fields": checked_fields(rule.fields),
            "message": message_pattern(str(rule.message)),  # the active language's template
        }
        for rule in RULES.values()
    ]
    context = {
        **admin.site.each_context(request),
        "title": gettext("校验规则"),
        "rules": rules,
        "error_count": sum(registered.is_error for registered in RULES.values()),
        "warning_count": sum(not registered.is_error for registered in RULES.values()),
    }
    return TemplateResponse(request, "admin/tracker/rules.html", context)
