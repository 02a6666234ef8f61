"""Errors of the API in Chinese and English.

Every 400 has one shape:

    {"detail": "请求数据有误 / Invalid request data",
     "errors": [{"field": "total_investment", "code": "min_value",
                 "message": "请确保该值大于或等于 0。",
                 "message_en": "Ensure this value is greater than or equal to 0."}]}

`field` is a dotted path for nested fields (`entries.0.project`) and null for an error of the
whole request. Django's and DRF's own messages are rendered a second time under English (the
serializers and filters of this package validate twice when, and only when, the input is bad);
the project's own messages choose their language with `bilingual()`, and the model's Chinese
validation messages get their English from MODEL_MESSAGES. Model validation and database
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
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from projects.models import (
    DATE_RANGE_MESSAGE,
    MAX_RECIPIENTS,
    RECIPIENTS_MESSAGE,
    STALE_MESSAGE,
    StaleVersion,
)
from projects.periods import MAX_YEAR, MIN_YEAR
from projects.rules import RULES, LockedDelete

from .parsers import PayloadTooLarge

INVALID_REQUEST = "请求数据有误 / Invalid request data"
STILL_REFERENCED = (
    "该记录仍被其他记录引用,不能删除 / "
    "This record is still referred to by other records and cannot be deleted"
)
STALE_MESSAGE_EN = (
    "Someone else has changed this record since you read it; your change was not saved. "
    "Read the record again, check its latest content and make your change on it."
)


class StaleVersionConflict(exceptions.APIException):
    """A write made on a version of the record that is no longer the current one (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = f"{STALE_MESSAGE} / {STALE_MESSAGE_EN}"
    default_code = "stale_version"


class PreconditionFailed(exceptions.APIException):
    """If-Match names none of the record's current version (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "If-Match 中的版本不是该记录的当前版本:记录已被他人修改,请重新读取后再修改 / "
        "If-Match does not name the record's current version: someone has changed it since; "
        "read it again and make your change on the new version"
    )
    default_code = "precondition_failed"


def unsupported_media_type(media_type: str) -> exceptions.UnsupportedMediaType:
    """DRF's 415 with its reason in both languages."""
    shown = media_type[:100]
    error = exceptions.UnsupportedMediaType(shown)
    error.detail = exceptions.ErrorDetail(
        f"不支持的请求内容类型“{shown}”:请以 application/json 发送(导入文件用 multipart/form-data) / "
        f"Unsupported media type “{shown}”: send application/json (multipart/form-data for an "
        "import's file)",
        code="unsupported_media_type",
    )
    return error


def bilingual(zh: str, en: str) -> str:
    """The message in the active language: validation runs a second time under English to give
    every error both texts."""
    return en if (translation.get_language() or "").startswith("en") else zh


@dataclass(frozen=True)
class Message:
    code: str
    zh: str
    en: str

    def text(self) -> str:
        return bilingual(self.zh, self.en)


# A form with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (or files than ..._NUMBER_FILES).
TOO_MANY_FIELDS = Message(
    "too_many_fields", "请求中的字段或文件过多", "The request has too many fields or files."
)

# The models' own validation messages (projects/models.py, in Chinese only), by their text.
MODEL_MESSAGES: dict[str, tuple[str, str]] = {
    "调度清单和攻坚行动只能选择其一": ("one_scope", "A report is about a portfolio or a campaign, not both."),
    "请选择区域、调度清单或攻坚行动之一作为报告范围": (
        "scope_required",
        "Give a zone, a portfolio or a campaign as the report's scope.",
    ),
    "该攻坚行动还没有参与区域,无法生成报告": (
        "campaign_without_zones",
        "The campaign has no zones yet; there is nothing to report.",
    ),
    "填写日期时须选择精度": (
        "precision_required",
        "A date needs its precision (day, month, quarter, half or year).",
    ),
    "按月、季度、半年或年填写时,日期应为该时段的第一天": (
        "not_period_start",
        "A date given by month, quarter, half or year must be the first day of that period.",
    ),
    "结束位置应等于起始位置加原文长度": (
        "span_mismatch",
        "The end must equal the start plus the quote's length.",
    ),
    "原文与来源文档在该位置的文字不一致": (
        "quote_mismatch",
        "The quote differs from the document's text at that position.",
    ),
    "上级区域不能是本区域或其下级区域": (
        "parent_cycle",
        "The parent zone cannot be the zone itself or one of its sub-zones.",
    ),
    "实际日期不能晚于今天;尚未发生的节点请填计划日期": (
        "future_date",
        "The actual date cannot be later than today; give a planned date for a milestone yet to happen.",
    ),
    "区域、调度清单、项目、企业须且只能填写一项": (
        "one_subject",
        "Give exactly one subject: zone, portfolio, project or enterprise.",
    ),
    "金额类指标须选择金额单位": ("scale_required", "An amount metric needs a scale (元, 万元 or 亿元)."),
    "非金额类指标不填金额单位": ("scale_not_allowed", "Only amount metrics take a scale (元, 万元, 亿元)."),
    "金额类指标须选择币种": ("currency_required", "An amount metric needs a currency."),
    "流量指标须填写累计时段的起始月": (
        "start_month_required",
        "A flow metric needs the first month of its cumulative period.",
    ),
    "数值、同比增长、排名、占比至少填写一项": (
        "value_required",
        "Give at least one of value, year-on-year growth, rank or share.",
    ),
    DATE_RANGE_MESSAGE: (
        "date_range",
        f"The date must lie between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31.",
    ),
    RECIPIENTS_MESSAGE: ("too_many_recipients", f"At most {MAX_RECIPIENTS} recipients."),
}


@dataclass(frozen=True)
class ConstraintMessage:
    field: str | None
    message: Message


def _constraint(field: str | None, code: str, zh: str, en: str) -> ConstraintMessage:
    return ConstraintMessage(field, Message(code, zh, en))


# The database constraints of projects/models.py: the field each one is about, and why.
CONSTRAINTS: dict[str, ConstraintMessage] = {
    "zone_entry_deadline_day_range": _constraint(
        "entry_deadline_day",
        "entry_deadline_day_range",
        "填报截止日须在1至28日之间",
        "The entry deadline day must be between 1 and 28.",
    ),
    "indicator_value_restatement_has_reason": _constraint(
        "restatement_reason",
        "restatement_without_reason",
        "更正须填写更正原因",
        "A restatement needs its reason.",
    ),
    "indicator_value_not_own_restatement": _constraint(
        "restates",
        "restates_itself",
        "数值不能更正其自身",
        "A value cannot restate itself.",
    ),
    "entry_reopening_month_range": _constraint(
        "month", "month_range", "月份须在1至12之间", "The month must be between 1 and 12."
    ),
    "entry_reopening_has_reason": _constraint(
        "reason", "reason_required", "重新开放须填写原因", "Reopening a month needs a reason."
    ),
    "report_schedule_due_day_range": _constraint(
        "due_day", "due_day_range", "报送日须在1至28日之间", "The due day must be between 1 and 28."
    ),
    "report_schedule_one_scope": _constraint(
        "campaign",
        "one_scope",
        "调度清单和攻坚行动只能选择其一",
        "A report is about a portfolio or a campaign, not both.",
    ),
    "report_run_once_per_period": _constraint(
        "period_start",
        "unique",
        "该报告计划的这一期报告已经生成",
        "The schedule already has a report for this period.",
    ),
    "report_run_period_order": _constraint(
        "period_end", "invalid", "截止日不能早于起始日", "The period cannot end before it starts."
    ),
    "report_file_one_per_format": _constraint(
        "format", "unique", "该报告已有这一格式的文件", "The report already has a file in this format."
    ),
    "zone_membership_unique_user_zone": _constraint(
        "zone", "unique", "该用户在此区域已有角色", "The user already has a role in this zone."
    ),
    "source_published_date_has_precision": _constraint(
        "published_precision",
        "precision_required",
        "填写发布日期时须选择精度",
        "A publication date needs its precision.",
    ),
    "citation_unique_span": _constraint(
        "start",
        "unique",
        "该文档的这一位置已有引文",
        "This document already has a citation at this position.",
    ),
    "extracted_fact_unique_span": _constraint(
        "start",
        "unique",
        "该文档的这一位置已有同类候选事实",
        "This document already has a candidate fact of this kind at this position.",
    ),
    "extracted_fact_not_empty": _constraint(
        "end", "invalid", "结束位置须大于起始位置", "The end must be after the start."
    ),
    "extracted_fact_in_its_sentence": _constraint(
        "sentence_start",
        "invalid",
        "候选事实须在其所在句之内",
        "A candidate fact must lie within its sentence.",
    ),
    "citation_not_empty": _constraint(
        "end", "invalid", "结束位置须大于起始位置", "The end must be after the start."
    ),
    "zone_not_own_parent": _constraint(
        "parent", "parent_cycle", "上级区域不能是本区域", "A zone cannot be its own parent."
    ),
    "zone_area_non_negative": _constraint(
        "area_km2", "min_value", "面积不能为负数", "The area cannot be negative."
    ),
    "project_unique_name_in_zone": _constraint(
        "name", "unique", "该区域已有同名项目", "A project of this name already exists in this zone."
    ),
    "project_unique_name_without_zone": _constraint(
        "name", "unique", "已有同名且未填区域的项目", "A project of this name without a zone already exists."
    ),
    "project_investment_non_negative": _constraint(
        "total_investment", "min_value", "总投资不能为负数", "The total investment cannot be negative."
    ),
    "project_finish_not_before_start": _constraint(
        "planned_finish",
        "finish_before_start",
        "计划竣工/投产日期不能早于计划开工日期",
        "The planned finish cannot be before the planned start.",
    ),
    "project_planned_start_has_precision": _constraint(
        "planned_start_precision",
        "precision_required",
        "填写计划开工日期时须选择精度",
        "A planned start needs its precision.",
    ),
    "project_planned_finish_has_precision": _constraint(
        "planned_finish_precision",
        "precision_required",
        "填写计划竣工/投产日期时须选择精度",
        "A planned finish needs its precision.",
    ),
    "milestone_unique_kind_phase": _constraint(
        "kind",
        "unique",
        "该项目已有同一期次的同类节点",
        "This project already has a milestone of this kind and phase.",
    ),
    "milestone_planned_date_has_precision": _constraint(
        "planned_precision",
        "precision_required",
        "填写计划日期时须选择精度",
        "A planned date needs its precision.",
    ),
    "milestone_actual_date_has_precision": _constraint(
        "actual_precision",
        "precision_required",
        "填写实际日期时须选择精度",
        "An actual date needs its precision.",
    ),
    "portfolio_unique_name_year": _constraint(
        "name",
        "unique",
        "该区域当年已有同名调度清单",
        "This zone already has a portfolio of this name for the year.",
    ),
    "portfolio_year_range": _constraint(
        "year",
        "invalid",
        f"年度须在{MIN_YEAR}至{MAX_YEAR}之间",
        f"The year must be between {MIN_YEAR} and {MAX_YEAR}.",
    ),
    "portfolio_entry_unique": _constraint(
        "project", "unique", "该项目已在本调度清单中", "The project is already on this portfolio."
    ),
    "portfolio_entry_plan_non_negative": _constraint(
        "planned_investment",
        "min_value",
        "年度计划投资不能为负数",
        "The planned investment cannot be negative.",
    ),
    "indicator_value_one_subject": _constraint(
        None,
        "one_subject",
        "区域、调度清单、项目、企业须且只能填写一项",
        "Give exactly one subject: zone, portfolio, project or enterprise.",
    ),
    "indicator_value_valid_months": _constraint(
        "start_month",
        "invalid_months",
        "月份须在1至12之间,且起始月不能晚于截止月",
        "Months run from 1 to 12 and the start month cannot be after the end month.",
    ),
    "indicator_value_year_range": _constraint(
        "year",
        "invalid",
        f"年度须在{MIN_YEAR}至{MAX_YEAR}之间",
        f"The year must be between {MIN_YEAR} and {MAX_YEAR}.",
    ),
    "indicator_value_range_ordered": _constraint(
        "value_upper", "invalid", "区间上限不能小于数值", "The upper bound cannot be below the value."
    ),
    "indicator_value_share_percent": _constraint(
        "share", "invalid", "占比须在0至100之间", "The share must be between 0 and 100 (percent)."
    ),
    "indicator_value_growth_above_minus_100": _constraint(
        "yoy_growth", "min_value", "同比增长不能低于-100%", "Year-on-year growth cannot be below -100%."
    ),
    "indicator_value_rank_positive": _constraint(
        "rank", "min_value", "排名须为正整数", "The rank must be a positive number."
    ),
    "indicator_value_amount_has_currency": _constraint(
        "currency",
        "currency_required",
        "填写金额单位时须选择币种",
        "An amount with a scale needs a currency.",
    ),
    "campaign_unique_name_year": _constraint(
        "name", "unique", "当年已有同名攻坚行动", "A campaign of this name already exists for the year."
    ),
    "campaign_valid_months": _constraint(
        "end_month",
        "invalid_months",
        "月份须在1至12之间,且起始月不能晚于截止月",
        "Months run from 1 to 12 and the start month cannot be after the end month.",
    ),
    "campaign_share_percent": _constraint(
        "required_share",
        "invalid",
        "应完成比例须在0至100之间",
        "The required share must be between 0 and 100.",
    ),
}

# English for DRF's and Django's codes, for errors that were not rendered a second time.
CODE_MESSAGES_EN: dict[str, str] = {
    "required": "This field is required.",
    "null": "This field may not be null.",
    "blank": "This field may not be blank.",
    "invalid": "Invalid value.",
    "invalid_choice": "Not a valid choice.",
    "does_not_exist": "The object does not exist.",
    "incorrect_type": "Incorrect type.",
    "unique": "A record with this value already exists.",
    "max_length": "The value is too long.",
    "min_value": "The value is too small.",
    "max_value": "The value is too large.",
    "max_digits": "The number has too many digits.",
    "max_decimal_places": "The number has too many decimal places.",
    "parse_error": "The request body could not be parsed.",
    "integrity_error": "The data conflicts with a database constraint.",
    "invalid_email": "Some recipients are not valid e-mail addresses.",
    "unknown_format": "Unknown format; choose among html, xlsx and pdf.",
    "formats_required": "Choose at least one format (html, xlsx, pdf).",
    "duplicate_format": "A format is listed twice.",
    "due_day_range": (
        "The due day is out of range: 1-28 for monthly and quarterly reports, "
        "1-7 (Monday-Sunday) for weekly ones."
    ),
}


# Chinese for codes whose message a library gave in English only (DRF's JSON parse error).
CODE_MESSAGES_ZH: dict[str, str] = {
    "parse_error": "请求内容无法解析,请检查JSON格式",
    "unsupported_media_type": "不支持的请求内容类型",
}


class BilingualValidationError(exceptions.ValidationError):
    """A validation error with the same errors rendered in English beside the Chinese ones."""

    def __init__(self, detail: Any, english: Any = None, code: str | None = None) -> None:
        super().__init__(detail, code)
        self.english = exceptions.ValidationError(english, code).detail if english is not None else None


def invalid(field: str | None, message: Message) -> BilingualValidationError:
    """A one-error 400 for `field` (None: the whole request)."""
    key = field or api_settings.NON_FIELD_ERRORS_KEY
    return BilingualValidationError(
        {key: [exceptions.ErrorDetail(message.zh, code=message.code)]},
        {key: [exceptions.ErrorDetail(message.en, code=message.code)]},
    )


# ---------------------------------------------------------------------------------------------
# Model validation and constraints as DRF errors


def _detail(error: DjangoValidationError) -> exceptions.ErrorDetail:
    rule = RULES.get(error.code or "")
    if rule is not None and error.params:  # a rule's finding: str.format templates, not %-templates
        return exceptions.ErrorDetail(
            bilingual(rule.message.format(**error.params), rule.message_en.format(**error.params)),
            code=rule.id,
        )
    text = str(error.message % error.params if error.params else error.message)
    if text in MODEL_MESSAGES:
        code, english = MODEL_MESSAGES[text]
        return exceptions.ErrorDetail(bilingual(text, english), code=error.code or code)
    return exceptions.ErrorDetail(text, code=error.code or "invalid")


def model_errors(error: DjangoValidationError) -> dict[str, list[exceptions.ErrorDetail]]:
    """A Django ValidationError (from full_clean) as a DRF error dict, in the active language."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: [_detail(e) for e in error.error_list]}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
            _detail(e) for e in errors
        ]
        for field, errors in error.error_dict.items()
    }


def constraint_error(name: str, fallback: str) -> tuple[str, exceptions.ErrorDetail]:
    """(field key, error) for a violated constraint, in the active language."""
    known = CONSTRAINTS.get(name)
    if known is None:
        return api_settings.NON_FIELD_ERRORS_KEY, exceptions.ErrorDetail(fallback, code="constraint")
    key = known.field or api_settings.NON_FIELD_ERRORS_KEY
    return key, exceptions.ErrorDetail(known.message.text(), code=known.message.code)


def _integrity_error(error: IntegrityError) -> BilingualValidationError:
    """A database refusal that validation did not foresee (a race, a constraint without a
    validation rule): name the constraint when the database does."""
    text = str(error)
    names = [name for name in CONSTRAINTS if re.search(rf"\b{re.escape(name)}\b", text)]
    if names:
        zh: dict[str, list] = {}
        en: dict[str, list] = {}
        for name in names:
            known = CONSTRAINTS[name]
            key = known.field or api_settings.NON_FIELD_ERRORS_KEY
            zh.setdefault(key, []).append(exceptions.ErrorDetail(known.message.zh, code=known.message.code))
            en.setdefault(key, []).append(exceptions.ErrorDetail(known.message.en, code=known.message.code))
        return BilingualValidationError(zh, en)
    return invalid(
        None,
        Message(
            "integrity_error",
            "数据与已有记录冲突或违反数据库约束",
            "The data conflicts with existing records or a database constraint.",
        ),
    )


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
    if twin is not None and twin.field == error.field and twin.code == error.code:
        if twin.message in MODEL_MESSAGES:
            return MODEL_MESSAGES[twin.message][1]
        return twin.message
    if error.message in MODEL_MESSAGES:
        return MODEL_MESSAGES[error.message][1]
    return CODE_MESSAGES_EN.get(error.code, "Invalid request data.")


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
            error = FieldError(error.field, error.code, CODE_MESSAGES_ZH.get(error.code, "请求数据有误"))
        entry = {
            "field": error.field,
            "code": error.code,
            "message": error.message,
            "message_en": english or _english(error, twins[index] if twins else None),
        }
        if error.code in RULES:
            entry["severity"] = RULES[error.code].severity.value
        body.append(entry)
    return {"detail": INVALID_REQUEST, "errors": body}


def throttled_message(wait: int | None) -> str:
    """A 429's detail: too many requests, and when to try again (the seconds of Retry-After)."""
    if wait is None:
        return "请求过于频繁,请稍后再试 / Too many requests; try again later"
    return f"请求过于频繁,请 {wait} 秒后再试 / Too many requests; try again in {wait} seconds"


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


LOCKED_DELETE = (
    "删除会连带删除已锁定月份的指标数值,未删除任何记录 / "
    "The delete would remove figures of a locked month; nothing was deleted"
)


def locked_delete_body(exc: LockedDelete) -> dict[str, Any]:
    """A delete refused by the lock of a month (409): the usual error list, one entry per locked
    month (zone, month, deadline, what to do instead), with the rule's id as the code."""
    rule = RULES["locked_month"]
    return {
        "detail": LOCKED_DELETE,
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
            {"detail": STILL_REFERENCED, "referenced_by": referring}, status=status.HTTP_409_CONFLICT
        )
    elif isinstance(exc, LockedDelete):  # before PermissionDenied, its base: the lock, not the role
        return Response(locked_delete_body(exc), status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, IntegrityError):
        exc = _integrity_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's text ("No Project matches …") is English only
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
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
