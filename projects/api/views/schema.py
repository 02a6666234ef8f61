"""The schema of the resource endpoints: the error serializers and responses, the shared
parameters (id, If-Match, ETag, confirm_warnings), and documented(), which writes the schema of a
resource's actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers

from projects import rules
from projects.i18n import Text
from projects.models import (
    IndicatorValue,
    Versioned,
)

from .. import serializers
from ..history import HistoryEntrySerializer

# ---------------------------------------------------------------------------------------------
# Error responses, for the schema


class FieldErrorSerializer(serializers.Described, drf_serializers.Serializer):
    field = drf_serializers.CharField(allow_null=True)
    code = drf_serializers.CharField()
    message = drf_serializers.CharField()
    message_en = drf_serializers.CharField()
    severity = drf_serializers.ChoiceField(choices=["error", "warning"], required=False)

    help_texts = {
        "field": _("出错的字段,嵌套字段以点号连接;整体错误为 null"),
        "code": _("错误代码,如 required、min_value、unknown_zone"),
        "message": _("中文说明"),
        "message_en": _("英文说明"),
        "severity": _(
            "校验规则的级别(仅规则错误有):error 错误,须改正;warning 警告,确认后(confirm_warnings)可保存"
        ),
    }


class ValidationErrorSerializer(serializers.Described, drf_serializers.Serializer):
    detail = drf_serializers.CharField()
    errors = FieldErrorSerializer(many=True)

    help_texts = {
        "detail": _("请求数据有误"),
        "errors": _("逐项错误"),
    }


class DetailSerializer(serializers.Described, drf_serializers.Serializer):
    detail = drf_serializers.CharField()

    help_texts = {"detail": _("原因,中文和英文各一遍,以“ / ”分隔")}


class ConflictSerializer(DetailSerializer):
    referenced_by = drf_serializers.ListField(child=drf_serializers.CharField())

    help_texts = {
        **DetailSerializer.help_texts,
        "referenced_by": _("仍引用该记录的记录(至多10条)"),
    }


class CodedDetailSerializer(DetailSerializer):
    code = drf_serializers.CharField()

    help_texts = {
        **DetailSerializer.help_texts,
        "code": _("错误代码:stale_version、precondition_failed"),
    }


BAD_REQUEST = OpenApiResponse(ValidationErrorSerializer, description=_("请求数据有误"))
FORBIDDEN = OpenApiResponse(DetailSerializer, description=_("未登录或无权限"))
NOT_FOUND = OpenApiResponse(DetailSerializer, description=_("不存在或无权查看"))
NO_SUCH_PAGE = OpenApiResponse(DetailSerializer, description=_("页码超出范围或不是正整数"))
STILL_REFERENCED = _("仍被其他记录引用,不能删除")
CONFLICT = OpenApiResponse(ConflictSerializer, description=STILL_REFERENCED)
STALE = OpenApiResponse(
    CodedDetailSerializer,
    description=_("版本冲突(stale_version):请求体中的 version 不是当前版本,或保存时记录已被他人修改"),
)


class DeleteConflictSerializer(DetailSerializer):
    code = drf_serializers.CharField(required=False)
    referenced_by = drf_serializers.ListField(child=drf_serializers.CharField(), required=False)
    errors = FieldErrorSerializer(many=True, required=False)

    help_texts = {
        **ConflictSerializer.help_texts,
        "code": _("错误代码:stale_version、locked_month"),
        "errors": _("locked_month:每个已锁定的月份一条(区域、月份、截止日及应如何处理)"),
    }


def delete_conflict(*, versioned: bool, locks: bool) -> OpenApiResponse:
    """The 409 of a delete: the row is still referred to; it changed since it was read (versioned
    records); or the delete would remove figures of a locked month (a model whose delete reaches
    an IndicatorValue, found from the model graph)."""
    if not (versioned or locks):
        return CONFLICT
    description: Text = STILL_REFERENCED
    if versioned:
        description = format_lazy(
            OR, reasons=description, reason=_("删除时记录已被他人修改(code 为 stale_version)")
        )
    if locks:
        locked = _(
            "删除会连带删除已锁定月份的指标数值(code 为 locked_month,超级管理员亦然;请新增更正数值,"
            "或请管理员重新开放该月)"
        )
        description = format_lazy(OR, reasons=description, reason=locked)
    return OpenApiResponse(DeleteConflictSerializer, description=description)


OR = _("{reasons};或{reason}")  # the reasons of a 409, one after the other


PRECONDITION_FAILED = OpenApiResponse(
    CodedDetailSerializer, description=_("If-Match 不是当前版本的ETag(precondition_failed)")
)
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("记录ID"))
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_(
        '仅在记录仍为该版本时修改或删除:填读取时响应头 ETag 的值(如 "3"),* 表示任意版本;'
        "不填则按本次请求读到的版本保存"
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description=_('记录当前版本(强ETag,如 "3")'),
)
CONFIRM_WARNINGS = OpenApiParameter(
    "confirm_warnings",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=_(
        "确认警告:为 1 时,校验规则的警告(如数值异常)不再阻止保存;也可在请求体中写 confirm_warnings"
    ),
)


def documented(
    serializer: type,
    detail_serializer: type | None = None,
    *,
    tag: Text | None = None,
    note: Text = "",
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Any:
    """Schema of the actions of a resource: summaries, descriptions and error responses, in the
    language the schema is asked in (`?lang=en`). The resource is named as its model is
    (verbose_name, verbose_name_plural); its tag is the plural unless `tag` says otherwise. What the
    model is decides the rest: a Versioned one has ETag/If-Match and its 409/412, one the rules check
    takes confirm_warnings, one with a history answers …/history/. `note`: a sentence more for the
    list. `overrides`: by action, the arguments of extend_schema that replace the generated ones
    (an action that reads otherwise)."""
    detail_serializer = detail_serializer or serializer
    model = serializer.Meta.model
    one, many = model._meta.verbose_name, model._meta.verbose_name_plural
    versioned = issubclass(model, Versioned)
    locks = rules.deletes_reach(model, IndicatorValue)  # a delete may meet a locked month
    common = {"tags": [tag or capfirst(many)]}
    writes: Text = WRITES
    if "confirm_warnings" in serializer._declared_fields:
        writes = format_lazy("{} {}", writes, WRITES_CHECKED)
    if versioned:
        writes = format_lazy("{} {}", writes, WRITES_VERSIONED)
    confirm = [CONFIRM_WARNINGS] if "confirm_warnings" in serializer._declared_fields else []
    one_row = [ID, ETAG] if versioned else [ID]
    writing = [ID, IF_MATCH, ETAG, *confirm] if versioned else [ID, *confirm]
    refused = {409: STALE, 412: PRECONDITION_FAILED} if versioned else {}
    deletes = format_lazy(_("删除一条{resource};仍被其他记录引用时返回409。"), resource=one)
    history = (
        {
            "history": dict(
                **common,
                summary=format_lazy(_("{resource}修改历史"), resource=one),
                description=format_lazy(
                    _("该{resource}的每次新增、修改、删除:时间、修改人、原因及逐字段的前后值,最新的在前。"),
                    resource=one,
                ),
                parameters=[ID],
                responses={200: HistoryEntrySerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
            )
        }
        if has_history(model)
        else {}
    )
    actions: dict[str, dict[str, Any]] = {
        **history,
        "list": dict(
            **common,
            summary=format_lazy(_("{resources}列表"), resources=many),
            description=format_lazy(
                _("分页列出当前用户可查看的{resources},可筛选、搜索、排序。{note}"), resources=many, note=note
            ),
            responses={200: serializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN, 404: NO_SUCH_PAGE},
        ),
        "retrieve": dict(
            **common,
            summary=format_lazy(_("{resource}详情"), resource=one),
            description=format_lazy(_("按ID读取一条{resource}。"), resource=one),
            parameters=one_row,
            responses={200: detail_serializer, 403: FORBIDDEN, 404: NOT_FOUND},
        ),
        "create": dict(
            **common,
            summary=format_lazy(_("新建{resource}"), resource=one),
            description=writes,
            parameters=one_row[1:] + confirm,
            responses={201: detail_serializer, 400: BAD_REQUEST, 403: FORBIDDEN},
        ),
        "update": dict(
            **common,
            summary=format_lazy(_("修改{resource}(全部字段)"), resource=one),
            description=writes,
            parameters=writing,
            responses={
                200: detail_serializer,
                400: BAD_REQUEST,
                403: FORBIDDEN,
                404: NOT_FOUND,
                **refused,
            },
        ),
        "partial_update": dict(
            **common,
            summary=format_lazy(_("修改{resource}(部分字段)"), resource=one),
            description=writes,
            parameters=writing,
            responses={
                200: detail_serializer,
                400: BAD_REQUEST,
                403: FORBIDDEN,
                404: NOT_FOUND,
                **refused,
            },
        ),
        "destroy": dict(
            **common,
            summary=format_lazy(_("删除{resource}"), resource=one),
            description=(format_lazy("{} {}", deletes, DELETES_LOCKED) if locks else deletes),
            parameters=[ID, IF_MATCH] if versioned else [ID],
            responses={
                204: None,
                403: FORBIDDEN,
                404: NOT_FOUND,
                409: delete_conflict(versioned=versioned, locks=locks),
                **({412: PRECONDITION_FAILED} if versioned else {}),
            },
        ),
    }
    for action_name, replaced in (overrides or {}).items():
        actions[action_name] = {**actions[action_name], **replaced}
    return extend_schema_view(**{name: extend_schema(**kwargs) for name, kwargs in actions.items()})


WRITES = _("写入时执行模型校验,错误以结构化的400返回;只有该区域的编辑(或超级管理员)可以写入,否则返回403。")
WRITES_CHECKED = _(
    "校验规则的错误和警告以400返回,code 为规则ID并带 severity;警告经确认(confirm_warnings)后可保存。"
)
WRITES_VERSIONED = _(
    "并发修改:带 If-Match(读取时的 ETag)或请求体 version 时,只在记录仍为该版本时保存,否则返回412或409。"
)
DELETES_LOCKED = _(
    "删除会连带删除已锁定月份的指标数值(实际值、更正数值或被更正的原数值)时返回409,code 为"
    " locked_month,超级管理员亦然。"
)


def has_history(model: type[Model]) -> bool:
    """Whether django-simple-history keeps the changes of the model."""
    return hasattr(model._meta, "simple_history_manager_attribute")
