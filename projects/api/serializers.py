"""Serializers of the resource API: explicit fields, each described in Chinese and English.

Writes run the model's whole validation (full_clean: field validators, clean(), uniqueness) and
each database constraint with a message of its own, so that bad input is a 400 naming the field,
never an IntegrityError. Amounts are decimal strings in base units (元 or US$) with the scale the
source used beside them and a read-only display (`106亿元`).

The model's validation includes the rules of projects/rules.py: the serializer hands the rules
the reason of the change (`change_reason`, kept in the record's history) and the client's
confirmation of warnings (`confirm_warnings` in the body or the query). Versioned records carry
their `version`; a write that names a version other than the current one is refused (409).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import date
from functools import cached_property
from typing import Any, ClassVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Model
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.functional import lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.utils import model_meta
from rest_framework.validators import UniqueValidator

from projects import access, rules
from projects.models import (
    SUBJECTS,
    Campaign,
    Citation,
    Enterprise,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    ProjectCategory,
    SourceDocument,
    StaleVersion,
    Zone,
)
from projects.periods import MilestoneStatus, PeriodParseError, format_date, milestone_status, parse_period
from projects.provenance import QuoteNotFound, locate_quote
from projects.security import refuse_control_characters

from .exceptions import BilingualValidationError, bilingual, constraint_error, model_errors
from .filters import PERIOD_FORMS_EN, LookupFailed, lookup_zone

# Descriptions of the fields, by name; a serializer's `help_texts` overrides one for itself.
HELP: dict[str, str] = {
    "id": "编号 / Identifier",
    "name": "名称 / Name",
    "description": "说明 / Description",
    "note": "备注 / Note",
    "citations": "引文:来源文档、原文及其位置 / Citations: document, verbatim quote and its position",
    "citation_ids": "引文ID列表,写入时用于关联引文 / Ids of the citations, to attach them on input",
    "zone": (
        "区域ID(写入时也可填简称、全称或别名) / "
        "Zone id (a short name, full name or alias is accepted on input)"
    ),
    "zone_name": "区域简称 / Zone name",
    "zones": "区域ID列表(写入时也可填名称) / Zone ids (names are accepted on input)",
    "zone_names": "区域简称列表 / Zone names",
    "industries": "产业链ID列表 / Industry ids",
    "industry_names": "产业链名称列表 / Industry names",
    "parent": "上级ID / Parent id",
    "parent_name": "上级名称 / Parent name",
    "year": "年度 / Year",
    "start_month": "起始月(1-12) / First month (1-12)",
    "end_month": "截止月(1-12) / Last month (1-12)",
    "period_display": (
        "时段,按中文报表写法(如2022年1-5月) / Period as Chinese reports write it (e.g. 2022年1-5月)"
    ),
    "currency": "币种:CNY 人民币、USD 美元 / Currency: CNY or USD",
    "project": "项目ID / Project id",
    "project_name": "项目名称 / Project name",
    "kind_display": "类型名称(中文) / Kind, in Chinese",
    "stage_display": "项目阶段名称(中文) / Stage, in Chinese",
    "document": "来源文档ID / Source document id",
    "document_key": "来源文档标识 / Source document key",
    "document_title": "来源文档标题 / Source document title",
    "quote": "原文(逐字) / Verbatim quote",
    "start": "原文在全文中的起始字符偏移(从0开始) / Character offset of the quote in the text (from 0)",
    "end": "原文结束位置(不含) / Offset just after the quote",
    "version": (
        "版本号,每次保存加一。修改时可填读取时的版本:已不是当前版本则拒绝(409) / Version, one more at "
        "every save; give the version you read when changing the record: a write on an older one is "
        "refused (409)"
    ),
    "change_reason": (
        "变更原因(仅写入),记入修改历史;年度开始后修改目标等须填写 / Reason for the change (input only), "
        "kept in the history; required e.g. to change a target once its year has begun"
    ),
    "confirm_warnings": (
        "确认警告(仅写入):为 true 时,警告(如数值异常)不再阻止保存;也可用查询参数 ?confirm_warnings=1 / "
        "Confirm warnings (input only): when true, warnings such as an outlier no longer block the "
        "write; ?confirm_warnings=1 does the same"
    ),
}

PRECISION = (
    "精度:day 日、month 月、quarter 季度、half 半年、year 年 / Precision: day, month, quarter, half, year"
)
SCALE = (
    "展示单位:1 元、10000 万元、100000000 亿元 / Scale the amount is stated in: 1 yuan, 10^4 (万), 10^8 (亿)"
)
QUALIFIER = (
    "限定词:about 约、more_than 余、over 超、breaks 突破、nearly 近、around 左右 / "
    "Qualifier: about, more than, over, breaks, nearly, around"
)


def _choices(model: type, field: str) -> str:
    return "、".join(f"{value} {label}" for value, label in model._meta.get_field(field).choices)


class ZoneField(serializers.PrimaryKeyRelatedField):
    """A zone by id; on input also by short name, full name or alias, among the zones of its
    queryset (restricted to those the user may read: see RestrictedRelations)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Zone.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Zone:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return lookup_zone(data, self.get_queryset())
        except LookupFailed as failure:
            raise serializers.ValidationError(failure.message.text(), code=failure.message.code) from None


def restrict_relation(field: serializers.Field, user: Any) -> None:
    """A writable related field (one row, or a list of them) chooses among the rows `user` may
    read; one they may not is refused exactly as one that does not exist."""
    relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
    if isinstance(relation, serializers.RelatedField) and relation.queryset is not None:
        relation.queryset = relation.queryset.restrict(user, "view")


class RestrictedRelations:
    """Every related field of the serializer — declared or built from the model, one row or a
    list, by id, slug or name — chooses only among the rows the request's user may read
    (QuerySet.restrict). Without a request, as nobody. Whether the user may then *write* the row
    is projects.access's after the fields are read (ResourceSerializer.validate, the views)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        request = getattr(self, "context", {}).get("request")
        user = getattr(request, "user", None) or AnonymousUser()
        for field in fields.values():
            restrict_relation(field, user)
        return fields


class ZoneFieldExtension(OpenApiSerializerFieldExtension):
    """A zone is answered as its id and may be given as an id or a name."""

    target_class = ZoneField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "request":
            return {"oneOf": [{"type": "integer"}, {"type": "string"}]}
        return {"type": "integer"}


# ---------------------------------------------------------------------------------------------
# Input: what a write may carry
#
# A write names only fields it may write (an unknown or read-only one is a 400 naming it, not
# silently dropped), lists of at most MAX_LIST_ITEMS (checked before any item is looked up), numbers
# in ASCII digits only (Python's int() and Decimal() also take "१२३", "１２３" and "1_000"), dates
# as YYYY-MM-DD only (date.fromisoformat also takes "20220101" and "2022-W01-1"). The body itself
# is bounded by projects/api/parsers.py.

# As many as one page lists (API_MAX_PAGE_SIZE): a campaign's zones, a project's industries.
MAX_LIST_ITEMS = 200
# An unexpected field is named in the answer; past this many, the rest are counted.
MAX_NAMED_FIELDS = 20
# Sent by the browsable API's HTML forms beside the fields.
FORM_ONLY_KEYS = frozenset({"csrfmiddlewaretoken"})
WRITES = frozenset({"POST", "PUT", "PATCH"})

ASCII_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?", re.ASCII)
ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
INT64 = 2**63 - 1


class StrictIntegerField(serializers.IntegerField):
    """An integer in ASCII digits (a JSON number, or a string such as "12"), within 64 bits (no
    column holds more; checked here, as a related field's pk_field runs no validators)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not ASCII_INTEGER.fullmatch(data):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if value > INT64:
            self.fail("max_value", max_value=INT64)
        if value < -INT64 - 1:
            self.fail("min_value", min_value=-INT64 - 1)
        return value


class StrictId(StrictIntegerField):
    """A related row's id, read as StrictIntegerField reads it and refused as DRF refuses an id of
    the wrong type ("१२" is not the row 12)."""

    default_error_messages = {
        "incorrect_type": serializers.PrimaryKeyRelatedField.default_error_messages["incorrect_type"]
    }

    def to_internal_value(self, data: Any) -> int:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("incorrect_type", data_type=type(data).__name__)
            raise  # not reached: fail() raises


class StrictDecimalField(serializers.DecimalField):
    """A decimal in ASCII digits: "106", "-0.5", "1.2e3" or a JSON number."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not ASCII_DECIMAL.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class IsoDateField(serializers.DateField):
    """A date written YYYY-MM-DD, and nothing else."""

    def to_internal_value(self, value: Any) -> date:
        if isinstance(value, str) and not ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


def _shown(key: str) -> str:
    """A client's key as an error names it: a key of megabytes is not echoed back whole."""
    return key if len(key) <= 64 else f"{key[:64]}…"


def _form_field(key: str) -> str:
    """The field a form key is for: `recipients[0]` and `parent.name` (DRF's HTML lists and
    nested fields) are `recipients` and `parent`."""
    return re.split(r"[\[.]", key, maxsplit=1)[0]


# Written "中文 / English" (projects/api/exceptions.py splits them): StrictInput serves serializers
# that validate a second time in English and some that do not.
UNKNOWN_FIELD = ErrorDetail(
    "未知字段,请从请求中去掉 / Unknown field: leave it out of the request.", code="unknown_field"
)
READ_ONLY_FIELD = ErrorDetail(
    "只读字段,不能写入,请从请求中去掉 / Read-only field: it cannot be written; leave it out of the request.",
    code="read_only_field",
)


class StrictInput:
    """Refuses, before any field is validated, a write that carries more than the serializer takes:
    unknown fields, read-only fields (also when a client sends back what it read) and over-long
    lists; and an empty body (not JSON at all: DRF would read it as {} and a PATCH would save)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        for field in fields.values():
            text = field.child if isinstance(field, serializers.ListField) else field
            if isinstance(text, serializers.CharField) and not field.read_only:
                text.validators.append(refuse_control_characters)  # no workbook could hold them
            # Django's int() would take "१२" for the row 12.
            relation = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
            if (
                isinstance(relation, serializers.PrimaryKeyRelatedField)
                and not isinstance(relation, ZoneField)  # ids and names: lookup_zone reads them
                and not field.read_only
            ):
                relation.pk_field = relation.pk_field or StrictId()
        return fields

    def to_internal_value(self, data: Any) -> Any:
        self.refuse_empty_body()
        if isinstance(data, Mapping):
            errors = self.unexpected_input(data)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]

    def refuse_empty_body(self) -> None:
        request = self.context.get("request") if self.parent is None else None  # type: ignore[attr-defined]
        if request is None or request.method not in WRITES:
            return
        if int(request.META.get("CONTENT_LENGTH") or 0) == 0:
            message = (
                "请求体为空:请以 JSON 对象提交要写入的字段 / "
                "The request body is empty: send the fields to write as a JSON object."
            )
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(message, code="empty_body")]}
            )

    def unexpected_input(self, data: Mapping) -> dict[str, list[ErrorDetail]]:
        fields: Mapping[str, serializers.Field] = self.fields  # type: ignore[attr-defined]
        writable = {name for name, field in fields.items() if not field.read_only}
        form = isinstance(data, QueryDict)
        keys = [key for key in data if key not in FORM_ONLY_KEYS] if form else data.keys()
        errors: dict[str, list[ErrorDetail]] = {}
        unexpected = [key for key in keys if (_form_field(key) if form else key) not in writable]
        if not form:  # a form's list is one key per item, counted by DATA_UPLOAD_MAX_NUMBER_FIELDS
            for key in keys:
                if key in writable and (message := _too_many_items(fields[key], data[key])):
                    errors[key] = [message]
        for key in unexpected[:MAX_NAMED_FIELDS]:
            known = fields.get(_form_field(key) if form else key) is not None
            errors[_shown(key)] = [READ_ONLY_FIELD if known else UNKNOWN_FIELD]
        unnamed = len(unexpected) - MAX_NAMED_FIELDS
        if unnamed > 0:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = [
                ErrorDetail(
                    f"另有{unnamed}个未知或只读字段 / {unnamed} more unknown or read-only fields.",
                    code="unknown_field",
                )
            ]
        return errors


def refuse_unexpected(data: Any, serializer_class: type[StrictInput]) -> None:
    """StrictInput's refusal for a view that reads its body itself (an import's form)."""
    if isinstance(data, Mapping) and (errors := serializer_class().unexpected_input(data)):
        raise serializers.ValidationError(errors)


def _too_many_items(field: serializers.Field, value: Any) -> ErrorDetail | None:
    if not isinstance(value, list) or not isinstance(
        field, serializers.ListField | serializers.ManyRelatedField | serializers.ListSerializer
    ):
        return None
    limit = getattr(field, "max_length", None) or MAX_LIST_ITEMS
    if len(value) <= limit:
        return None
    return ErrorDetail(
        f"最多{limit}项,收到{len(value)}项 / Ensure this field has no more than {limit} elements.",
        code="max_length",
    )


# ---------------------------------------------------------------------------------------------
# The base


class Described:
    """Gives every field its Chinese and English description: `help_texts`, else HELP.

    Serializers nested read-only in another (a project's milestones) declare no read_only_fields:
    DRF would drop allow_blank from them and the schema would refuse their blank values.
    """

    help_texts: ClassVar[dict[str, str]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        for name, field in fields.items():
            field.help_text = self.help_texts.get(name) or HELP[name]
        return fields


def _unique_message(model: type, field_name: str, label: str) -> Any:
    """A uniqueness message in the language active when it is raised."""

    def render() -> str:
        return bilingual(
            f"已有{label}为该值的{model._meta.verbose_name}",
            f"A {model.__name__.lower()} with this {field_name.replace('_', ' ')} already exists.",
        )

    return lazy(render, str)()


class ResourceSerializer(StrictInput, RestrictedRelations, Described, serializers.ModelSerializer):
    """Validates with the model and gives its errors in two languages; related rows are chosen
    among those the user may read, and the write is authorised before the model validates it
    (a refused write never learns, say, that a name is taken in another zone). What a write may
    carry at all is StrictInput's."""

    # The model's numbers and dates, read strictly (see "Input" above).
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: StrictIntegerField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.IntegerField
        },
        models.DecimalField: StrictDecimalField,
        models.DateField: IsoDateField,
    }

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple:
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        for validator in field_kwargs.get("validators", []):
            if isinstance(validator, UniqueValidator):
                validator.message = _unique_message(self.Meta.model, field_name, model_field.verbose_name)
        return field_class, field_kwargs

    # The constraints are checked in validate() with messages of their own; DRF's generic
    # unique-together validators would also make nullable fields (a project's zone) required.
    def get_validators(self) -> list:
        return []

    def get_uniqueness_extra_kwargs(self, field_names: Any, declared_fields: Any, extra_kwargs: Any) -> tuple:
        return extra_kwargs, {}

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        valid = super().is_valid(raise_exception=False)
        if not valid and raise_exception:
            raise BilingualValidationError(self.errors, self.english_errors())
        return valid

    def english_errors(self) -> Any:
        """The same validation once more, with Django's and DRF's messages in English."""
        with translation.override("en"):
            twin = type(self)(
                instance=self.instance, data=self.initial_data, partial=self.partial, context=self.context
            )
            twin.is_valid()
            return twin.errors

    change_reason: str = ""
    confirm_warnings: bool = False

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        # Not columns: what the rules and the history are told about this write.
        self.change_reason = attrs.pop("change_reason", "").strip()
        self.confirm_warnings = attrs.pop("confirm_warnings", False) or self.warnings_confirmed_in_query()
        attrs.pop("version", None)  # compared with the instance's in validate_version
        self.validate_with_model(attrs)
        return attrs

    def warnings_confirmed_in_query(self) -> bool:
        """?confirm_warnings=1 (or true, yes …), read as DRF reads a boolean."""
        request = self.context.get("request")
        text = request.query_params.get("confirm_warnings") if request is not None else None
        if not text:
            return False
        try:
            return serializers.BooleanField().to_internal_value(text)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"confirm_warnings": error.detail}) from None

    def annotate(self, row: Any) -> None:
        """Tell django-simple-history about this write."""
        row._change_reason = self.change_reason or None

    def authorise(self, row: Model, related: dict[str, Any]) -> None:
        """Refuse (403) a write the user may not make, before the model's validation says anything
        about the row (projects.access; the views check again after the save)."""
        request = self.context.get("request")
        user = getattr(request, "user", None) or AnonymousUser()
        before = access.zones_of(self.instance) if self.instance is not None else None
        if refusal := access.prospective_refusal(user, row, before=before, related=related):
            raise PermissionDenied(refusal)

    def validate_with_model(self, attrs: dict[str, Any]) -> None:
        """full_clean() and every constraint, on the row as it would be saved."""
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        if self.instance is None:
            row = model(**{key: value for key, value in attrs.items() if key not in many_to_many})
        else:
            row = copy.copy(self.instance)
            for key, value in attrs.items():
                if key not in many_to_many:
                    setattr(row, key, value)
        self.annotate(row)
        self.authorise(row, {key: value for key, value in attrs.items() if key in many_to_many})
        errors: dict[str, list] = {}
        try:
            with rules.enforced(row, confirmed=self.confirm_warnings):
                row.full_clean(validate_constraints=False)
        except DjangoValidationError as error:
            errors = model_errors(error)
        failed = set(errors) - {api_settings.NON_FIELD_ERRORS_KEY}
        for constraint in model._meta.constraints:
            try:
                constraint.validate(model, row, exclude=failed)
            except DjangoValidationError as error:
                key, detail = constraint_error(constraint.name, error.messages[0])
                if key not in errors:  # the model's own rule has said it already
                    errors[key] = [detail]
        if errors:
            raise serializers.ValidationError(errors)

    def create(self, validated_data: dict[str, Any]) -> Any:
        """ModelSerializer.create, with the change's reason on the row before its first save."""
        model = self.Meta.model
        relations = model_meta.get_field_info(model).relations
        to_many = {
            name: validated_data.pop(name)
            for name, relation in relations.items()
            if relation.to_many and name in validated_data
        }
        instance = model(**validated_data)
        self.annotate(instance)
        instance.save()
        for name, value in to_many.items():
            getattr(instance, name).set(value)
        return instance

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        self.annotate(instance)
        return super().update(instance, validated_data)


class Audited(serializers.Serializer):
    """A record whose changes are kept in its history: the reason for a change (write only)."""

    change_reason = serializers.CharField(write_only=True, required=False, allow_blank=True)


class VersionedFields(Audited):
    """A Versioned record: `version` is in every answer; in a PUT/PATCH body it names the version
    the change was made on, and anything but the current version is refused (409)."""

    version = StrictIntegerField(required=False, min_value=1)

    def validate_version(self, value: int) -> int:
        if self.instance is not None and value != self.instance.version:
            raise StaleVersion(self.instance)
        return value


class Checked(serializers.Serializer):
    """A record the rules check: warnings block the write until the client confirms them."""

    confirm_warnings = serializers.BooleanField(write_only=True, required=False, default=False)


VERSIONED = ["version", "change_reason"]


def _pk(value: Any) -> Any:
    """A row by its primary key, any other value as it is."""
    return value.pk if isinstance(value, Model) else value


def _error(field: str, code: str, zh: str, en: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [ErrorDetail(bilingual(zh, en), code=code)]})


def _names(source: str, slug_field: str = "name") -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(source=source, slug_field=slug_field, many=True, read_only=True)


# ---------------------------------------------------------------------------------------------
# Citations and sources


class CitationBriefSerializer(RestrictedRelations, Described, serializers.ModelSerializer):
    """A citation nested in a fact: which document, what it says, where."""

    document_key = serializers.CharField(source="document.key", read_only=True)
    document_title = serializers.CharField(source="document.title", read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "document", "document_key", "document_title", "quote", "start", "end"]


class CitedSerializer(ResourceSerializer):
    """A fact with its citations: read nested, written as a list of citation ids."""

    citations = CitationBriefSerializer(many=True, read_only=True)
    citation_ids = serializers.PrimaryKeyRelatedField(
        source="citations", many=True, queryset=Citation.objects.all(), write_only=True, required=False
    )


class CitationSerializer(ResourceSerializer):
    """A sentence of a document. Give the quote; its offset is found in the text when `start` is
    omitted (and the quote stands there exactly once)."""

    document_key = serializers.CharField(source="document.key", read_only=True)
    document_title = serializers.CharField(source="document.title", read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "document", "document_key", "document_title", "quote", "start", "end"]
        read_only_fields = ["end"]
        extra_kwargs = {"start": {"required": False}}

    help_texts = {
        "start": (
            "原文在全文中的起始字符偏移(从0开始);写入时可省略,按原文查找 / Character offset of the quote "
            "(from 0); may be omitted on input, the quote is then looked up in the text"
        ),
        "end": "原文结束位置(不含),由起始位置和原文长度得出 / Offset just after the quote, derived",
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        document = attrs.get("document") or getattr(self.instance, "document", None)
        quote = attrs.get("quote", getattr(self.instance, "quote", ""))
        start = attrs.get("start", getattr(self.instance, "start", None) if "quote" not in attrs else None)
        if document is not None:
            try:
                attrs["start"] = locate_quote(document.text, quote, start)
            except QuoteNotFound as error:
                raise _error(
                    "quote",
                    "quote_not_found",
                    str(error),
                    "The quote is not in the document at that position, or not exactly once: "
                    "copy it verbatim, or give its start offset.",
                ) from None
            attrs["end"] = attrs["start"] + len(quote)
        return super().validate(attrs)


class SourceCitationSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = Citation
        fields = ["id", "quote", "start", "end"]


class SourceDocumentSerializer(ResourceSerializer):
    """A source document without its full text (lists)."""

    published_display = serializers.CharField(read_only=True)
    citations = SourceCitationSerializer(many=True, read_only=True)

    class Meta:
        model = SourceDocument
        fields = [
            "id",
            "key",
            "title",
            "publisher",
            "author",
            "published_on",
            "published_precision",
            "published_display",
            "published_note",
            "file_path",
            "sha256",
            "citations",
        ]
        read_only_fields = ["file_path", "sha256"]

    help_texts = {
        "key": "文档标识,如 seed-000 / Document key, e.g. seed-000",
        "title": "标题 / Title",
        "publisher": "发布者 / Publisher",
        "author": "作者 / Author",
        "published_on": "发布日期(按精度取该时段第一天) / Publication date (first day of its period)",
        "published_precision": PRECISION,
        "published_display": "发布日期,按精度书写 / Publication date written at its precision",
        "published_note": "发布日期的推定依据 / How the publication date was inferred",
        "file_path": "种子文件路径 / Path of the seed file",
        "sha256": "全文的 SHA-256 / SHA-256 of the text",
        "citations": "本文档的引文 / Citations of this document",
        "text": "全文 / Full text",
    }


class SourceDocumentDetailSerializer(SourceDocumentSerializer):
    """A source document with its full text (retrieve, create, update)."""

    class Meta(SourceDocumentSerializer.Meta):
        fields = [*SourceDocumentSerializer.Meta.fields, "text"]


# ---------------------------------------------------------------------------------------------
# Zones, industries, enterprises


class DisplayField(serializers.CharField):
    """A choice's label (source "get_<field>_display"), read only. Calls the method directly:
    DRF inspects a callable source's signature on every value, a third of a project page's time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance: Any) -> str:
        return getattr(instance, self.source)()


class ZoneSerializer(Audited, CitedSerializer):
    parent = ZoneField(allow_null=True, required=False)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    kind_display = DisplayField(source="get_kind_display")
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="alias", many=True, read_only=True)
    industry_names = _names("industries")

    class Meta:
        model = Zone
        fields = [
            "id",
            "name",
            "full_name",
            "kind",
            "kind_display",
            "parent",
            "parent_name",
            "children",
            "aliases",
            "area_km2",
            "industries",
            "industry_names",
            "description",
            "citations",
            "citation_ids",
            "change_reason",
        ]

    help_texts = {
        "name": "区域简称,如上饶经开区 / Short name, e.g. 上饶经开区",
        "full_name": "全称,如上饶经济技术开发区 / Full name",
        "kind": f"区域类型:{_choices(Zone, 'kind')} / Kind of zone",
        "parent": "上级区域ID(写入时也可填名称) / Parent zone id (a name is accepted on input)",
        "parent_name": "上级区域简称 / Parent zone name",
        "children": "直接下级区域ID / Ids of the zones directly below",
        "aliases": "别名,如南昌经开区又称赣江新区经开组团 / Other names of the zone",
        "area_km2": "面积(平方公里) / Area in square kilometres",
        "industries": "主导产业链ID / Ids of the leading industrial chains",
        "industry_names": "主导产业链名称 / Names of the leading industrial chains",
    }


class IndustrySerializer(CitedSerializer):
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Industry
        fields = ["id", "name", "parent", "parent_name", "description", "citations", "citation_ids"]

    help_texts = {
        "name": "产业链名称,如光伏新能源 / Industrial chain, e.g. 光伏新能源",
        "parent": "上级产业链ID / Parent industry id",
        "parent_name": "上级产业链名称 / Parent industry name",
    }


class ProjectCategorySerializer(ResourceSerializer):
    class Meta:
        model = ProjectCategory
        fields = ["id", "name", "description"]

    help_texts = {
        "name": "项目类别名称,如省大中型项目 / Project category, e.g. 省大中型项目",
        "description": "分类标准,如投资额门槛 / What puts a project in the category",
    }


class EnterpriseSerializer(CitedSerializer):
    zone = ZoneField(allow_null=True, required=False)
    zone_name = serializers.CharField(source="zone.name", read_only=True, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    industry_names = _names("industries")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "short_name",
            "parent",
            "parent_name",
            "zone",
            "zone_name",
            "industries",
            "industry_names",
            "description",
            "citations",
            "citation_ids",
        ]

    help_texts = {
        "name": "企业名称(文中最完整的称呼) / Enterprise name, as fully as the source gives it",
        "short_name": "简称 / Short name",
        "parent": "母公司ID / Parent company id",
        "parent_name": "母公司名称 / Parent company name",
    }


# ---------------------------------------------------------------------------------------------
# Projects and milestones


MILESTONE_HELP = {
    "kind": f"节点类型:{_choices(Milestone, 'kind')} / Milestone kind",
    "phase": "期次/部位,如一期、1号窑炉 / Phase or part, e.g. 一期 (phase 1), 1号窑炉 (kiln 1)",
    "planned_date": "计划日期(按精度取该时段第一天) / Planned date (first day of its period)",
    "planned_precision": PRECISION,
    "planned_display": (
        "计划日期,按精度书写(如2022年四季度) / Planned date at its precision (e.g. 2022年四季度)"
    ),
    "actual_date": "实际日期,不能晚于今天 / Actual date, not later than today",
    "actual_precision": PRECISION,
    "actual_display": "实际日期,按精度书写 / Actual date at its precision",
    "status": (
        "状态(按今天计算):done 已完成、due 待完成、late 逾期、unscheduled 未排期 / "
        "Status as of today: done, due, late (its whole planned period is over), unscheduled"
    ),
    "status_display": "状态名称(中文) / Status, in Chinese",
}


class MilestoneStatusFields(serializers.Serializer):
    """The display and status fields every milestone representation carries."""

    kind_display = DisplayField(source="get_kind_display")
    planned_display = serializers.CharField(read_only=True)
    actual_display = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField()
    status_display = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=MilestoneStatus.choices))
    def get_status(self, milestone: Milestone) -> str:
        return self._status(milestone).value

    def get_status_display(self, milestone: Milestone) -> str:
        return self._status(milestone).label

    @cached_property
    def _today(self) -> date:
        # Once per response (a list's items share one child serializer), not twice per milestone.
        return timezone.localdate()

    def _status(self, milestone: Milestone) -> MilestoneStatus:
        return milestone_status(
            milestone.planned_date, milestone.planned_precision, milestone.actual_date, self._today
        )


class ProjectMilestoneSerializer(Described, MilestoneStatusFields, serializers.ModelSerializer):
    """A milestone nested in its project (read only)."""

    class Meta:
        model = Milestone
        fields = [
            "id",
            "kind",
            "kind_display",
            "phase",
            "planned_date",
            "planned_precision",
            "planned_display",
            "actual_date",
            "actual_precision",
            "actual_display",
            "status",
            "status_display",
            "note",
        ]

    help_texts = MILESTONE_HELP


class ProjectSerializer(VersionedFields, Checked, CitedSerializer):
    zone = ZoneField(allow_null=True, required=False)
    zone_name = serializers.CharField(source="zone.name", read_only=True, allow_null=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True)
    industry_names = _names("industries")
    category_names = _names("categories")
    total_investment_display = serializers.CharField(read_only=True)
    stage_display = DisplayField(source="get_stage_display")
    planned_start_display = serializers.SerializerMethodField()
    planned_finish_display = serializers.SerializerMethodField()
    milestones = ProjectMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "zone",
            "zone_name",
            "name",
            "enterprise",
            "enterprise_name",
            "industries",
            "industry_names",
            "categories",
            "category_names",
            "total_investment",
            "total_investment_scale",
            "currency",
            "total_investment_qualifier",
            "total_investment_display",
            "capacity",
            "stage",
            "stage_display",
            "planned_start",
            "planned_start_precision",
            "planned_start_display",
            "planned_finish",
            "planned_finish_precision",
            "planned_finish_display",
            "description",
            "milestones",
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]

    help_texts = {
        "zone": (
            "所在区域ID(写入时也可填简称、全称或别名);来源未说明时为空 / Zone id (a name or alias is "
            "accepted on input); empty when the source does not say"
        ),
        "name": "项目名称,在所在区域内唯一 / Project name, unique in its zone",
        "enterprise": "建设主体(企业)ID / Id of the investing enterprise",
        "enterprise_name": "建设主体名称 / Name of the investing enterprise",
        "categories": "项目类别ID,如省大中型项目 / Project category ids",
        "category_names": "项目类别名称 / Project category names",
        "total_investment": (
            '总投资,以元(美元项目以美元)为单位的十进制字符串,如106亿元为"10600000000.00" / Total investment '
            'in base units (yuan, or US dollars), a decimal string: 106亿元 is "10600000000.00"'
        ),
        "total_investment_scale": SCALE,
        "total_investment_qualifier": QUALIFIER,
        "total_investment_display": (
            "总投资,按来源写法(如106亿元) / Total investment as the source writes it (106亿元)"
        ),
        "capacity": "建设规模/产能,如年产3.7亿平方米光伏玻璃 / Capacity as stated, free text",
        "stage": f"项目阶段:{_choices(Project, 'stage')} / Stage of the project",
        "planned_start": (
            "计划开工日期(按精度取该时段第一天) / Planned construction start (first day of its period)"
        ),
        "planned_start_precision": PRECISION,
        "planned_start_display": "计划开工,按精度书写 / Planned start at its precision",
        "planned_finish": (
            "计划竣工/投产日期,不早于计划开工 / Planned completion or production, not before the start"
        ),
        "planned_finish_precision": PRECISION,
        "planned_finish_display": "计划竣工/投产,按精度书写 / Planned finish at its precision",
        "description": "项目简介 / Project description",
        "milestones": "项目节点及其状态 / The project's milestones with their status",
    }

    def get_planned_start_display(self, project: Project) -> str:
        return format_date(project.planned_start, project.planned_start_precision)

    def get_planned_finish_display(self, project: Project) -> str:
        return format_date(project.planned_finish, project.planned_finish_precision)


class MilestoneSerializer(VersionedFields, Checked, MilestoneStatusFields, CitedSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    zone = serializers.IntegerField(source="project.zone_id", read_only=True, allow_null=True)
    zone_name = serializers.CharField(source="project.zone.name", read_only=True, allow_null=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "project_name",
            "zone",
            "zone_name",
            *ProjectMilestoneSerializer.Meta.fields[1:],
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]

    help_texts = {**MILESTONE_HELP, "zone": "项目所在区域ID / Id of the project's zone"}


# ---------------------------------------------------------------------------------------------
# Portfolios


PORTFOLIO_ENTRY_HELP = {
    "portfolio": "调度清单ID / Portfolio id",
    "planned_investment": (
        "年度计划投资,以元为单位的十进制字符串 / Planned investment for the year in base units"
    ),
    "planned_investment_scale": SCALE,
    "planned_investment_display": (
        "年度计划投资,按来源写法(如3亿元) / Planned investment as the source writes it"
    ),
    "stage": f"项目阶段:{_choices(Project, 'stage')} / Stage of the project",
}


class PortfolioEntryBriefSerializer(RestrictedRelations, Described, serializers.ModelSerializer):
    """A project on a portfolio, nested in the portfolio."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    stage = serializers.CharField(source="project.stage", read_only=True)
    planned_investment_display = serializers.CharField(read_only=True)

    class Meta:
        model = PortfolioEntry
        fields = [
            "id",
            "project",
            "project_name",
            "stage",
            "planned_investment",
            "planned_investment_scale",
            "planned_investment_display",
        ]

    help_texts = PORTFOLIO_ENTRY_HELP


class PortfolioSerializer(VersionedFields, CitedSerializer):
    zone = ZoneField()
    zone_name = serializers.CharField(source="zone.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    entries = PortfolioEntryBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Portfolio
        fields = [
            "id",
            "zone",
            "zone_name",
            "name",
            "year",
            "category",
            "category_name",
            "description",
            "entries",
            "citations",
            "citation_ids",
            *VERSIONED,
        ]

    help_texts = {
        "zone": "区域ID(写入时也可填名称) / Zone id (a name is accepted on input)",
        "name": "清单名称,如市级重点调度项目 / Portfolio name, e.g. 市级重点调度项目",
        "category": "项目类别ID / Project category id",
        "category_name": "项目类别名称 / Project category name",
        "entries": "清单内的项目及其年度计划投资 / Projects on the list with their planned investment",
    }


class PortfolioEntrySerializer(VersionedFields, Checked, CitedSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    planned_investment_display = serializers.CharField(read_only=True)

    class Meta:
        model = PortfolioEntry
        fields = [
            "id",
            "portfolio",
            "project",
            "project_name",
            "planned_investment",
            "planned_investment_scale",
            "planned_investment_display",
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]

    help_texts = PORTFOLIO_ENTRY_HELP


# ---------------------------------------------------------------------------------------------
# Indicators

# What a restatement shares with the value it restates, besides the subject.
RESTATED_FIELDS = ("metric", "year", "start_month", "end_month", "kind")


class MetricSerializer(ResourceSerializer):
    unit_kind_display = DisplayField(source="get_unit_kind_display")
    flow_or_stock_display = DisplayField(source="get_flow_or_stock_display")

    class Meta:
        model = Metric
        fields = [
            "id",
            "code",
            "name",
            "unit_kind",
            "unit_kind_display",
            "unit",
            "flow_or_stock",
            "flow_or_stock_display",
            "description",
        ]

    help_texts = {
        "code": "指标代码,如 industrial_revenue / Metric code",
        "name": "指标名称,如工业营收 / Metric name, e.g. 工业营收",
        "unit_kind": (
            f"计量类型:{_choices(Metric, 'unit_kind')} / Unit kind: amount, count, percent, score, quantity"
        ),
        "unit_kind_display": "计量类型名称 / Unit kind, in Chinese",
        "unit": "金额以外的计量单位,如个、家、% / Unit of non-amounts, e.g. 个, 家, %",
        "flow_or_stock": (
            "流量(按时段累计)或存量(时点值) / Flow (cumulated over a period) or stock (at a point)"
        ),
        "flow_or_stock_display": "流量/存量名称 / Flow or stock, in Chinese",
    }


class IndicatorValueSerializer(VersionedFields, Checked, CitedSerializer):
    zone = ZoneField(allow_null=True, required=False)
    subject_type = serializers.SerializerMethodField()
    subject_name = serializers.SerializerMethodField()
    metric = serializers.SlugRelatedField(slug_field="code", queryset=Metric.objects.all(), required=False)
    metric_name = serializers.CharField(source="metric.name", read_only=True)
    period = serializers.CharField(write_only=True, required=False)
    period_display = serializers.CharField(read_only=True)
    kind_display = DisplayField(source="get_kind_display")
    value_display = serializers.CharField(read_only=True)
    restated_by = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "zone",
            "portfolio",
            "project",
            "enterprise",
            "subject_type",
            "subject_name",
            "metric",
            "metric_name",
            "year",
            "start_month",
            "end_month",
            "period",
            "period_display",
            "kind",
            "kind_display",
            "value",
            "value_upper",
            "scale",
            "currency",
            "qualifier",
            "value_display",
            "yoy_growth",
            "rank",
            "rank_scope",
            "share",
            "share_scope",
            "note",
            "restates",
            "restatement_reason",
            "restated_by",
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]
        extra_kwargs = {"year": {"required": False}, "end_month": {"required": False}}

    help_texts = {
        "zone": (
            "主体之一:区域ID(写入时也可填名称) / One of the subjects: zone id (a name is accepted on input)"
        ),
        "portfolio": "主体之一:调度清单ID / One of the subjects: portfolio id",
        "project": "主体之一:项目ID / One of the subjects: project id",
        "enterprise": "主体之一:企业ID / One of the subjects: enterprise id",
        "subject_type": "主体类型:zone、portfolio、project、enterprise / Which of the four subjects is set",
        "subject_name": "主体名称 / Name of the subject",
        "metric_name": "指标名称 / Metric name",
        "year": "年度;可由 period 给出 / Year; may come from period",
        "start_month": (
            "累计时段的起始月,时点值为空 / First month of the cumulative period; empty for a point in time"
        ),
        "end_month": "截止月,全年为12;可由 period 给出 / Last month (12 for the year); may come from period",
        "period": (
            "时段文字(仅写入),如“2022年1-5月”“一季度”“上半年”“截至5月底”,代替 year/start_month/end_month / "
            "Period as text (input only), e.g. 2022年1-5月, 一季度, 上半年, 截至5月底, "
            "instead of the three fields"
        ),
        "kind": (
            "数值类型:actual 实际、target 目标、plan 计划、forecast 预计 / "
            "Kind of figure: actual, target, plan, forecast"
        ),
        "value": (
            "数值;金额以元为单位,百分比为百分数(70.12 即 70.12%) / Value; amounts in base units (yuan), "
            "percentages in percent (70.12 means 70.12%)"
        ),
        "value_upper": "区间上限(来源给出区间时) / Upper bound when the source gives a range",
        "scale": "金额单位,仅金额类指标:1 元、10000 万元、100000000 亿元 / Scale, amount metrics only",
        "currency": "币种,金额类指标必填:CNY、USD / Currency of amounts: CNY or USD",
        "qualifier": QUALIFIER,
        "value_display": "数值,按来源写法(如157.56亿元) / Value as the source writes it (e.g. 157.56亿元)",
        "yoy_growth": "同比增长(百分数) / Year-on-year growth in percent",
        "rank": "排名 / Rank",
        "rank_scope": "排名范围,如全省国家级开发区 / Scope of the rank",
        "share": "占比(百分数,0-100) / Share in percent (0-100)",
        "share_scope": "占比范围,如全市 / Scope of the share",
        "metric": "指标代码;更正时可省略,取原数值的 / Metric code; may be left out of a restatement",
        "restates": (
            "所更正的原数值ID:已锁定月份的数值不在原处修改,而是新增一条更正数值;主体、指标、时段、类型"
            "省略时取原数值的 / Id of the value this one restates (corrects): a figure of a locked month "
            "is never changed in place; subject, metric, period and kind default to the original's"
        ),
        "restatement_reason": "更正原因,更正时必填 / Reason for the restatement, required with restates",
        "restated_by": (
            "更正本数值的新数值ID;为空即当前有效 / Id of the value that restates this one; null while "
            "this one is current"
        ),
    }

    def get_subject_type(self, value: IndicatorValue) -> str | None:
        return value.subject_field

    def get_subject_name(self, value: IndicatorValue) -> str | None:
        subject = value.subject
        return subject.name if subject is not None else None

    def get_restated_by(self, value: IndicatorValue) -> int | None:
        try:
            return value.restated_by.pk
        except IndicatorValue.DoesNotExist:
            return None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        text = attrs.pop("period", None)
        if text:
            year = attrs.get("year", getattr(self.instance, "year", None))
            try:
                period = parse_period(text, year=year)
            except PeriodParseError as error:
                raise _error(
                    "period",
                    "invalid_period",
                    str(error),
                    f"Cannot read the period “{text}”: {PERIOD_FORMS_EN}.",
                ) from None
            for field in ("year", "start_month", "end_month"):
                if field in attrs and attrs[field] != getattr(period, field):
                    raise _error(
                        field,
                        "period_conflict",
                        f"与时段“{text}”不一致",
                        f"Does not agree with the period “{text}”.",
                    )
            attrs.update(year=period.year, start_month=period.start_month, end_month=period.end_month)
        if attrs.get("restates") is not None:
            self.validate_restatement(attrs)
        if self.instance is None:
            if attrs.get("metric") is None:
                raise _error("metric", "required", "请填写指标代码", "Give the metric code.")
            for field, zh, en in (("year", "年度", "year"), ("end_month", "截止月", "end month")):
                if attrs.get(field) is None:
                    raise _error(
                        field,
                        "required",
                        f"请填写{zh},或用 period 写明时段(如“2022年1-5月”)",
                        f"Give the {en}, or the period as text (e.g. 2022年1-5月).",
                    )
        return super().validate(attrs)

    def validate_restatement(self, attrs: dict[str, Any]) -> None:
        """A restatement is the same figure again: what it leaves out is the original's, and what
        it gives must agree with the original."""
        original: IndicatorValue = attrs["restates"]
        if self.instance is None:
            if not any(subject in attrs for subject in SUBJECTS):
                attrs.update(dict.fromkeys(SUBJECTS))
                attrs[original.subject_field] = original.subject
            for field in (*RESTATED_FIELDS, "scale", "currency"):
                attrs.setdefault(field, getattr(original, field))
        for field in (*SUBJECTS, *RESTATED_FIELDS):
            given = attrs[field] if field in attrs else getattr(self.instance, field, None)
            if _pk(given) != getattr(original, IndicatorValue._meta.get_field(field).attname):
                raise _error(
                    field,
                    "restatement_mismatch",
                    "更正数值的主体、指标、时段和数值类型须与原数值一致",
                    "A restatement has the subject, metric, period and kind of the value it restates.",
                )


# ---------------------------------------------------------------------------------------------
# Campaigns


class CampaignSerializer(CitedSerializer):
    zones = ZoneField(many=True, required=False)
    zone_names = _names("zones")
    period_display = serializers.CharField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "year",
            "zones",
            "zone_names",
            "start_month",
            "end_month",
            "period_display",
            "checkpoint",
            "required_share",
            "description",
            "citations",
            "citation_ids",
        ]

    help_texts = {
        "name": "攻坚行动名称,如强攻二季度、确保双过半 / Campaign name",
        "zones": "参与区域ID(写入时也可填名称) / Participating zone ids (names are accepted on input)",
        "zone_names": "参与区域简称 / Participating zone names",
        "start_month": "起始月 / First month of the campaign",
        "end_month": "截止月 / Last month of the campaign",
        "checkpoint": "考核时点,如2022-06-30 / Checkpoint date, e.g. 2022-06-30",
        "required_share": (
            "考核时点应完成全年目标的百分比(双过半为50);有单列目标时为空 / Share of the annual target due "
            "at the checkpoint in percent (50 for 双过半); empty when a target of its own is set"
        ),
    }
