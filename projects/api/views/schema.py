"""The schema of the resource endpoints: the error serializers and responses, the shared
parameters (id, If-Match, ETag, confirm_warnings), and documented(), which writes the schema of a
resource's actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers

from projects import rules
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
        "field": (
            "出错的字段,嵌套字段以点号连接;整体错误为 null / "
            "Field in error, dotted when nested; null for the whole request"
        ),
        "code": (
            "错误代码,如 required、min_value、unknown_zone / "
            "Error code, e.g. required, min_value, unknown_zone"
        ),
        "message": "中文说明 / Message in Chinese",
        "message_en": "英文说明 / Message in English",
        "severity": (
            "校验规则的级别(仅规则错误有):error 错误,须改正;warning 警告,确认后(confirm_warnings)可保存 / "
            "Severity, for the findings of a validation rule only: an error must be corrected, a warning "
            "is accepted once confirmed (confirm_warnings)"
        ),
    }


class ValidationErrorSerializer(serializers.Described, drf_serializers.Serializer):
    detail = drf_serializers.CharField()
    errors = FieldErrorSerializer(many=True)

    help_texts = {
        "detail": "请求数据有误 / Invalid request data",
        "errors": "逐项错误 / One entry per error",
    }


class DetailSerializer(serializers.Described, drf_serializers.Serializer):
    detail = drf_serializers.CharField()

    help_texts = {"detail": "原因(中文 / English) / Reason, in Chinese and English"}


class ConflictSerializer(DetailSerializer):
    referenced_by = drf_serializers.ListField(child=drf_serializers.CharField())

    help_texts = {
        **DetailSerializer.help_texts,
        "referenced_by": "仍引用该记录的记录(至多10条) / Rows still referring to it (up to 10)",
    }


class CodedDetailSerializer(DetailSerializer):
    code = drf_serializers.CharField()

    help_texts = {
        **DetailSerializer.help_texts,
        "code": "错误代码:stale_version、precondition_failed / Error code",
    }


BAD_REQUEST = OpenApiResponse(ValidationErrorSerializer, description="请求数据有误 / Invalid request data")
FORBIDDEN = OpenApiResponse(
    DetailSerializer, description="未登录或无权限 / Not authenticated, or not permitted"
)
NOT_FOUND = OpenApiResponse(DetailSerializer, description="不存在或无权查看 / Not found, or not readable")
NO_SUCH_PAGE = OpenApiResponse(
    DetailSerializer, description="页码超出范围或不是正整数 / No such page: past the last, or not a number"
)
CONFLICT = OpenApiResponse(
    ConflictSerializer, description="仍被其他记录引用,不能删除 / Still referred to by other rows"
)
STALE = OpenApiResponse(
    CodedDetailSerializer,
    description=(
        "版本冲突(stale_version):请求体中的 version 不是当前版本,或保存时记录已被他人修改 / Version "
        "conflict (stale_version): the body's version is not the current one, or someone else saved "
        "the record meanwhile"
    ),
)


class DeleteConflictSerializer(DetailSerializer):
    code = drf_serializers.CharField(required=False)
    referenced_by = drf_serializers.ListField(child=drf_serializers.CharField(), required=False)
    errors = FieldErrorSerializer(many=True, required=False)

    help_texts = {
        **ConflictSerializer.help_texts,
        "code": "错误代码:stale_version、locked_month / Error code: stale_version, locked_month",
        "errors": (
            "locked_month:每个已锁定的月份一条(区域、月份、截止日及应如何处理) / locked_month: one "
            "entry per locked month (zone, month, deadline, and what to do instead)"
        ),
    }


def delete_conflict(*, versioned: bool, locks: bool) -> OpenApiResponse:
    """The 409 of a delete: the row is still referred to; it changed since it was read (versioned
    records); or the delete would remove figures of a locked month (a model whose delete reaches
    an IndicatorValue, found from the model graph)."""
    if not (versioned or locks):
        return CONFLICT
    zh, en = ["仍被其他记录引用,不能删除"], ["Still referred to by other rows"]
    if versioned:
        zh.append("删除时记录已被他人修改(code 为 stale_version)")
        en.append("changed by someone else meanwhile (code stale_version)")
    if locks:
        zh.append(
            "删除会连带删除已锁定月份的指标数值(code 为 locked_month,超级管理员亦然;请新增更正数值,"
            "或请管理员重新开放该月)"
        )
        en.append(
            "the delete would remove figures of a locked month, its own or by cascade (code "
            "locked_month, superusers included: add a restatement, or have the month reopened)"
        )
    return OpenApiResponse(DeleteConflictSerializer, description=f"{';或'.join(zh)} / {'; or '.join(en)}")


PRECONDITION_FAILED = OpenApiResponse(
    CodedDetailSerializer,
    description=(
        "If-Match 不是当前版本的ETag(precondition_failed) / If-Match does not name the current "
        "version (precondition_failed)"
    ),
)
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="记录ID / Id of the record")
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        '仅在记录仍为该版本时修改或删除:填读取时响应头 ETag 的值(如 "3"),* 表示任意版本;'
        "不填则按本次请求读到的版本保存 / Change or delete only while the record is still at this "
        'version: the ETag of the read (e.g. "3"); * matches any version; without it the write is '
        "made on the version read by this request"
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='记录当前版本(强ETag,如 "3") / The record\'s current version, a strong ETag (e.g. "3")',
)
CONFIRM_WARNINGS = OpenApiParameter(
    "confirm_warnings",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=(
        "确认警告:为 1 时,校验规则的警告(如数值异常)不再阻止保存;也可在请求体中写 confirm_warnings / "
        "Confirm warnings: with 1, warnings of the validation rules (e.g. an outlier) no longer block "
        "the write; confirm_warnings in the body does the same"
    ),
)


def documented(
    tag: str,
    one: tuple[str, str],
    many: tuple[str, str],
    serializer: type,
    detail_serializer: type | None = None,
    note: tuple[str, str] = ("", ""),
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Any:
    """Schema of the actions of a resource: summaries, descriptions and error responses in
    Chinese and English. `one`/`many`: the resource's names (Chinese, English). What the model
    is decides the rest: a Versioned one has ETag/If-Match and its 409/412, one the rules check
    takes confirm_warnings, one with a history answers …/history/. `overrides`: by action, the
    arguments of extend_schema that replace the generated ones (an action that reads otherwise)."""
    detail_serializer = detail_serializer or serializer
    zh, en = one
    zh_many, en_many = many
    model = serializer.Meta.model
    versioned = issubclass(model, Versioned)
    locks = rules.deletes_reach(model, IndicatorValue)  # a delete may meet a locked month
    common = {"tags": [tag]}
    writes = (
        "写入时执行模型校验,错误以结构化的400返回;只有该区域的编辑(或超级管理员)可以写入,否则返回403。"
        " / Writes run the model's validation (structured 400s); only editors of the zone (or "
        "superusers) may write, others get a 403."
    )
    if "confirm_warnings" in serializer._declared_fields:
        writes += (
            " 校验规则的错误和警告以400返回,code 为规则ID并带 severity;警告经确认(confirm_warnings)后可保存。"
            " / Findings of the validation rules are 400s whose code is the rule id, with a severity; "
            "a write with warnings only goes through once they are confirmed (confirm_warnings)."
        )
    if versioned:
        writes += (
            " 并发修改:带 If-Match(读取时的 ETag)或请求体 version 时,只在记录仍为该版本时保存,"
            "否则返回412或409。"
            " / Concurrent edits: with If-Match (the ETag read) or a version in the body, the write is "
            "made only while the record is still at that version, else 412 or 409."
        )
    confirm = [CONFIRM_WARNINGS] if "confirm_warnings" in serializer._declared_fields else []
    one_row = [ID, ETAG] if versioned else [ID]
    writing = [ID, IF_MATCH, ETAG, *confirm] if versioned else [ID, *confirm]
    refused = {409: STALE, 412: PRECONDITION_FAILED} if versioned else {}
    history = (
        {
            "history": dict(
                **common,
                summary=f"{zh}修改历史 / History of a {en}",
                description=(
                    f"该{zh}的每次新增、修改、删除:时间、修改人、原因及逐字段的前后值,最新的在前。 / Every "
                    f"change of the {en}: when, by whom, why, and each field before and after; newest first."
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
            summary=f"{zh_many}列表 / List {en_many}",
            description=(
                f"分页列出当前用户可查看的{zh_many},可筛选、搜索、排序。{note[0]} / Paginated list of the "
                f"{en_many} the user may read; filter, search and order with the parameters. {note[1]}"
            ),
            responses={200: serializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN, 404: NO_SUCH_PAGE},
        ),
        "retrieve": dict(
            **common,
            summary=f"{zh}详情 / Retrieve a {en}",
            description=f"按ID读取一条{zh}。 / One {en} by id.",
            parameters=one_row,
            responses={200: detail_serializer, 403: FORBIDDEN, 404: NOT_FOUND},
        ),
        "create": dict(
            **common,
            summary=f"新建{zh} / Create a {en}",
            description=writes,
            parameters=one_row[1:] + confirm,
            responses={201: detail_serializer, 400: BAD_REQUEST, 403: FORBIDDEN},
        ),
        "update": dict(
            **common,
            summary=f"修改{zh}(全部字段) / Replace a {en}",
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
            summary=f"修改{zh}(部分字段) / Update fields of a {en}",
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
            summary=f"删除{zh} / Delete a {en}",
            description=(
                f"删除一条{zh};仍被其他记录引用时返回409。 / Delete a {en}; 409 while other rows refer to it."
                + (
                    " 删除会连带删除已锁定月份的指标数值(实际值、更正数值或被更正的原数值)时返回409,code 为"
                    " locked_month,超级管理员亦然。 / 409 with code locked_month when the delete would "
                    "remove a figure of a locked month (an actual value, a restatement or a restated "
                    "original), for superusers too."
                    if locks
                    else ""
                )
            ),
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


def has_history(model: type[Model]) -> bool:
    """Whether django-simple-history keeps the changes of the model."""
    return hasattr(model._meta, "simple_history_manager_attribute")
