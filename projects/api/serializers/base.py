"""What every serializer of the API shares: field descriptions (HELP), strict input, relations
restricted to what the user may read, and ResourceSerializer, which validates with the model."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Model
from django.http import QueryDict
from django.utils import translation
from django.utils.functional import lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.utils import model_meta
from rest_framework.validators import UniqueValidator

from projects import access, rules
from projects.models import (
    StaleVersion,
    Zone,
)
from projects.security import refuse_control_characters

from ..exceptions import BilingualValidationError, bilingual, model_errors
from ..filters import LookupFailed, lookup_zone

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
            except DjangoValidationError as error:  # its code and message, at its field (models.base)
                for key, details in model_errors(error).items():
                    errors.setdefault(key, details)  # unless the model's own rule has said it already
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
