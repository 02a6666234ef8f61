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
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.utils import model_meta
from rest_framework.validators import UniqueValidator

from projects import access, rules
from projects.i18n import Text, bilingual, is_english
from projects.models import (
    StaleVersion,
    Zone,
)
from projects.security import refuse_control_characters

from ..exceptions import BilingualValidationError, model_errors
from ..filters import LookupFailed, choices_help, lookup_zone

# vocabulary: a period as Chinese reports write it
PERIOD_EXAMPLE = "2022年1-5月"

# Descriptions of the fields, by name; a serializer's `help_texts` overrides one for itself.
HELP: dict[str, Text] = {
    "id": _("编号"),
    "name": _("名称"),
    "description": _("说明"),
    "note": _("备注"),
    "citations": _("引文:来源文档、原文及其位置"),
    "citation_ids": _("引文ID列表,写入时用于关联引文"),
    "zone": _("区域ID(写入时也可填简称、全称或别名)"),
    "zone_name": _("区域简称"),
    "zones": _("区域ID列表(写入时也可填名称)"),
    "zone_names": _("区域简称列表"),
    "industries": _("产业链ID列表"),
    "industry_names": _("产业链名称列表"),
    "parent": _("上级ID"),
    "parent_name": _("上级名称"),
    "year": _("年度"),
    "start_month": _("起始月(1-12)"),
    "end_month": _("截止月(1-12)"),
    "period_display": format_lazy(_("时段,按中文报表写法(如{example})"), example=PERIOD_EXAMPLE),
    "currency": _("币种:CNY 人民币、USD 美元"),
    "project": _("项目ID"),
    "project_name": _("项目名称"),
    "kind_display": _("类型名称(中文)"),
    "stage_display": _("项目阶段名称(中文)"),
    "document": _("来源文档ID"),
    "document_key": _("来源文档标识"),
    "document_title": _("来源文档标题"),
    "quote": _("原文(逐字)"),
    "start": _("原文在全文中的起始字符偏移(从0开始)"),
    "end": _("原文结束位置(不含)"),
    "version": _("版本号,每次保存加一。修改时可填读取时的版本:已不是当前版本则拒绝(409)"),
    "change_reason": _("变更原因(仅写入),记入修改历史;年度开始后修改目标等须填写"),
    "confirm_warnings": _(
        "确认警告(仅写入):为 true 时,警告(如数值异常)不再阻止保存;也可用查询参数 ?confirm_warnings=1"
    ),
}

PRECISION = _("精度:day 日、month 月、quarter 季度、half 半年、year 年")
SCALE = _("展示单位:1 元、10000 万元、100000000 亿元")
QUALIFIER = _("限定词:about 约、more_than 余、over 超、breaks 突破、nearly 近、around 左右")


def _choices(what: Text, model: type, field: str) -> Any:
    """The description of a field with choices: what it is, and its choices."""
    return choices_help(what, model._meta.get_field(field).choices)


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
            raise serializers.ValidationError(str(failure.message), code=failure.code) from None


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


UNKNOWN_FIELD = _("未知字段,请从请求中去掉")
READ_ONLY_FIELD = _("只读字段,不能写入,请从请求中去掉")
EMPTY_BODY = _("请求体为空:请以 JSON 对象提交要写入的字段")


class BilingualErrors:
    """Errors in both languages: bad input is validated once more under English (the serializers
    of a resource do so in ResourceSerializer)."""

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        valid: bool = super().is_valid(raise_exception=False)  # type: ignore[misc]
        if not valid and raise_exception:
            serializer: Any = self  # mixed into a serializers.Serializer
            with translation.override("en"):
                twin = type(serializer)(data=serializer.initial_data, context=serializer.context)
                twin.is_valid()
            raise BilingualValidationError(serializer.errors, twin.errors)
        return valid


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
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(str(EMPTY_BODY), code="empty_body")]}
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
            errors[_shown(key)] = [
                ErrorDetail(str(READ_ONLY_FIELD), code="read_only_field")
                if known
                else ErrorDetail(str(UNKNOWN_FIELD), code="unknown_field")
            ]
        unnamed = len(unexpected) - MAX_NAMED_FIELDS
        if unnamed > 0:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = [
                ErrorDetail(
                    gettext("另有{count}个未知或只读字段").format(count=unnamed), code="unknown_field"
                )
            ]
        return errors


def refuse_unexpected(data: Any, serializer_class: type[StrictInput]) -> None:
    """StrictInput's refusal for a view that reads its body itself (an import's form)."""
    if isinstance(data, Mapping) and (errors := serializer_class().unexpected_input(data)):
        with translation.override("en"):
            english = serializer_class().unexpected_input(data)
        raise BilingualValidationError(errors, english)


def _too_many_items(field: serializers.Field, value: Any) -> ErrorDetail | None:
    if not isinstance(value, list) or not isinstance(
        field, serializers.ListField | serializers.ManyRelatedField | serializers.ListSerializer
    ):
        return None
    limit = getattr(field, "max_length", None) or MAX_LIST_ITEMS
    if len(value) <= limit:
        return None
    if is_english():  # DRF's own words for a list over its length
        message = serializers.ListField.default_error_messages["max_length"].format(max_length=limit)
    else:
        message = gettext("最多{limit}项,收到{count}项").format(limit=limit, count=len(value))
    return ErrorDetail(message, code="max_length")


# ---------------------------------------------------------------------------------------------
# The base


class Described:
    """Gives every field its Chinese and English description: `help_texts`, else HELP.

    Serializers nested read-only in another (a project's milestones) declare no read_only_fields:
    DRF would drop allow_blank from them and the schema would refuse their blank values.
    """

    help_texts: ClassVar[Mapping[str, Text]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        for name, field in fields.items():
            field.help_text = self.help_texts.get(name) or HELP[name]
        return fields


def _unique_message(model: type, field_name: str, label: str) -> Any:
    """A uniqueness message in the language active when it is raised: the field and the model by
    their Chinese names, in English by their names in the code."""

    def render() -> str:
        if is_english():
            names = {"field": field_name.replace("_", " "), "model": model.__name__.lower()}
        else:
            names = {"field": label, "model": model._meta.verbose_name}
        return gettext("已有{field}为该值的{model}").format(**names)

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
            raise PermissionDenied(bilingual(refusal))

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


def _error(field: str, code: str, message: Text) -> serializers.ValidationError:
    """One error of `field`, in the active language (ResourceSerializer validates a second time in
    English)."""
    return serializers.ValidationError({field: [ErrorDetail(str(message), code=code)]})


def _names(source: str, slug_field: str = "name") -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(source=source, slug_field=slug_field, many=True, read_only=True)
