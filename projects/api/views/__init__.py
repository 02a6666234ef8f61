"""The resource endpoints under /api/: one ModelViewSet per resource, all on one router.

Every viewset reads through projects.access (a user sees the rows of their zones) and writes
inside a transaction that projects.access checks after the save, so a refused write is a 403 and
leaves nothing behind. Each queryset fetches its relations in a fixed number of queries, however
many rows a page has (tests/test_api_queries.py).

Versioned records (projects.models.Versioned) carry their version as a strong ETag (`"3"`) on
reads and writes of one record. A PUT, PATCH or DELETE with If-Match is made only on the version
it names (otherwise 412); a `version` in the body is checked the same way (otherwise 409); without
either, the write is made on the version read in the same request, and a save that loses a race
with another one is refused too (409). Records with a history answer GET …/<id>/history/.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Model, Prefetch, QuerySet
from django.utils import timezone
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from projects import access, rules
from projects.models import (
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
    Versioned,
    Zone,
)

from . import filters, serializers
from .exceptions import PreconditionFailed
from .history import NEWEST_FIRST, HistoryEntrySerializer, history_entries, record_before
from .permissions import ZoneRolePermission


def citations() -> Prefetch:
    """A fact's citations with their document's key and title (not its text)."""
    return Prefetch("citations", queryset=Citation.objects.select_related("document").defer("document__text"))


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


# ---------------------------------------------------------------------------------------------
# The base


class ResourceViewSet(viewsets.ModelViewSet):
    """Reads through access.readable, writes checked by access after the save, in one transaction."""

    permission_classes = [ZoneRolePermission]
    filter_backends = [filters.FilterBackend, filters.SearchFilter, filters.OrderingFilter]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        """The queryset with the relations its serializer reads."""
        return queryset

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action != "history":  # the history reads the row alone
            queryset = self.optimise(queryset)
        return queryset.restrict(self.request.user)

    def perform_create(self, serializer: drf_serializers.BaseSerializer) -> None:
        with transaction.atomic():
            instance = serializer.save()
            access.check_can_edit(self.request.user, instance)

    def perform_update(self, serializer: drf_serializers.BaseSerializer) -> None:
        before = access.zones_of(serializer.instance)
        with transaction.atomic():
            instance = serializer.save()
            access.check_can_edit(self.request.user, instance, before=before)

    def perform_destroy(self, instance: Model) -> None:
        with transaction.atomic():
            access.check_can_delete(self.request.user, instance)
            # Figures of a locked month, the row's own or its cascade's: 409 locked_month, for
            # superusers too (the lock is the record's, not the role's).
            rules.check_deletable([instance])
            instance.delete()


def version_etag(version: int) -> str:
    """The strong ETag of a version: `"3"`."""
    return quote_etag(str(version))


def if_match_passes(header: str | None, version: int) -> bool:
    """If-Match (RFC 9110, strong comparison): absent, `*`, or naming the current version."""
    if header is None:
        return True
    etags = parse_etags(header)
    return etags == ["*"] or version_etag(version) in etags


class VersionedViewSet(ResourceViewSet):
    """A resource of Versioned records: ETag on the answers about one record, If-Match honoured
    by PUT, PATCH and DELETE, a stale `version` or a lost race refused (409)."""

    def get_object(self) -> Model:
        instance = super().get_object()
        if self.request.method not in SAFE_METHODS and not if_match_passes(
            self.request.headers.get("If-Match"), instance.version
        ):
            raise PreconditionFailed()
        return instance

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (
            self.action in ("retrieve", "create", "update", "partial_update")
            and response.status_code in (200, 201)
            and isinstance(data, dict)
            and "version" in data
        ):
            response["ETag"] = version_etag(data["version"])
        return response

    def perform_destroy(self, instance: Model) -> None:
        with transaction.atomic():
            # The row is locked until the delete: a save since our read makes this one stale.
            current = (
                type(instance)
                ._base_manager.select_for_update()
                .filter(pk=instance.pk)
                .order_by()  # no join for the model's ordering: PostgreSQL locks no outer join
                .values_list("version", flat=True)
            )
            if list(current) != [instance.version]:
                raise StaleVersion(instance)
            super().perform_destroy(instance)


class WithHistory(viewsets.GenericViewSet):
    """GET …/<id>/history/: the record's changes, newest first, paginated."""

    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        instance = self.get_object()
        records = instance.history.select_related("history_user").order_by(*NEWEST_FIRST)
        page = self.paginate_queryset(records)
        older = record_before(instance.history.all(), page[-1]) if page else None
        entries = history_entries(page, older)
        return self.get_paginated_response(HistoryEntrySerializer(entries, many=True).data)


# ---------------------------------------------------------------------------------------------
# Zones, industries, categories, enterprises


@documented("区域 / Zones", ("区域", "zone"), ("区域", "zones"), serializers.ZoneSerializer)
class ZoneViewSet(WithHistory, ResourceViewSet):
    queryset = Zone.objects.all()
    serializer_class = serializers.ZoneSerializer
    filterset_class = filters.ZoneFilterSet
    search_fields = ["name", "full_name", "aliases__alias"]
    ordering_fields = ["id", "name", "kind"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("parent").prefetch_related(
            Prefetch("children", queryset=Zone.objects.only("pk", "parent_id")),
            "aliases",
            "industries",
            citations(),
        )


@documented(
    "产业链 / Industries", ("产业链", "industry"), ("产业链", "industries"), serializers.IndustrySerializer
)
class IndustryViewSet(ResourceViewSet):
    queryset = Industry.objects.all()
    serializer_class = serializers.IndustrySerializer
    search_fields = ["name"]
    ordering_fields = ["id", "name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("parent").prefetch_related(citations())


@documented(
    "项目类别 / Project categories",
    ("项目类别", "project category"),
    ("项目类别", "project categories"),
    serializers.ProjectCategorySerializer,
)
class ProjectCategoryViewSet(ResourceViewSet):
    queryset = ProjectCategory.objects.all()
    serializer_class = serializers.ProjectCategorySerializer
    search_fields = ["name"]
    ordering_fields = ["id", "name"]


@documented(
    "企业 / Enterprises", ("企业", "enterprise"), ("企业", "enterprises"), serializers.EnterpriseSerializer
)
class EnterpriseViewSet(ResourceViewSet):
    queryset = Enterprise.objects.all()
    serializer_class = serializers.EnterpriseSerializer
    filterset_class = filters.EnterpriseFilterSet
    search_fields = ["name", "short_name"]
    ordering_fields = ["id", "name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("zone", "parent").prefetch_related("industries", citations())


# ---------------------------------------------------------------------------------------------
# Projects and milestones


def milestones_with_status() -> QuerySet:
    return Milestone.objects.with_status(timezone.localdate()).order_by(
        F("planned_date").asc(nulls_last=True), F("actual_date").asc(nulls_last=True), "pk"
    )


@documented(
    "项目 / Projects",
    ("项目", "project"),
    ("项目", "projects"),
    serializers.ProjectSerializer,
    note=("每个项目带其节点(含状态)和引文。", "Each project comes with its milestones and citations."),
)
class ProjectViewSet(WithHistory, VersionedViewSet):
    queryset = Project.objects.all()
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilterSet
    search_fields = ["name", "enterprise__name", "capacity", "zone__name"]
    ordering_fields = [
        "id",
        "name",
        "total_investment",
        "stage",
        "planned_start",
        "planned_finish",
        "zone__name",
    ]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("zone", "enterprise").prefetch_related(
            "industries",
            "categories",
            Prefetch("milestones", queryset=milestones_with_status()),
            citations(),
        )


@documented(
    "项目节点 / Milestones",
    ("项目节点", "milestone"),
    ("项目节点", "milestones"),
    serializers.MilestoneSerializer,
)
class MilestoneViewSet(WithHistory, VersionedViewSet):
    queryset = Milestone.objects.all()
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilterSet
    search_fields = ["project__name", "phase", "note"]
    ordering_fields = ["id", "planned_date", "actual_date", "kind", "project__name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return (
            queryset.with_status(timezone.localdate())
            .select_related("project", "project__zone")
            .prefetch_related(citations())
        )


# ---------------------------------------------------------------------------------------------
# Portfolios


@documented(
    "调度清单 / Portfolios",
    ("调度清单", "portfolio"),
    ("调度清单", "portfolios"),
    serializers.PortfolioSerializer,
    note=(
        "每个清单带其项目及年度计划投资。",
        "Each portfolio comes with its projects and planned investment.",
    ),
)
class PortfolioViewSet(WithHistory, VersionedViewSet):
    queryset = Portfolio.objects.all()
    serializer_class = serializers.PortfolioSerializer
    filterset_class = filters.PortfolioFilterSet
    search_fields = ["name", "zone__name"]
    ordering_fields = ["id", "year", "name", "zone__name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        entries = PortfolioEntry.objects.select_related("project").order_by("project__name", "pk")
        return queryset.select_related("zone", "category").prefetch_related(
            Prefetch("entries", queryset=entries), citations()
        )


@documented(
    "调度清单 / Portfolios",
    ("清单项目", "portfolio entry"),
    ("清单项目", "portfolio entries"),
    serializers.PortfolioEntrySerializer,
)
class PortfolioEntryViewSet(WithHistory, VersionedViewSet):
    queryset = PortfolioEntry.objects.all()
    serializer_class = serializers.PortfolioEntrySerializer
    filterset_class = filters.PortfolioEntryFilterSet
    search_fields = ["project__name"]
    ordering_fields = ["id", "planned_investment", "project__name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("portfolio", "portfolio__zone", "project").prefetch_related(
            citations()
        )


# ---------------------------------------------------------------------------------------------
# Indicators


@documented(
    "指标 / Metrics",
    ("指标", "metric"),
    ("指标", "metrics"),
    serializers.MetricSerializer,
    note=("只有超级管理员可以修改指标目录。", "Only superusers change the catalogue."),
)
class MetricViewSet(ResourceViewSet):
    queryset = Metric.objects.all()
    serializer_class = serializers.MetricSerializer
    filterset_class = filters.MetricFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["id", "code", "name"]


@documented(
    "指标数值 / Indicator values",
    ("指标数值", "indicator value"),
    ("指标数值", "indicator values"),
    serializers.IndicatorValueSerializer,
    note=(
        "默认只列当前有效的数值,被更正的原数值加 include_restated=1 才列出;按ID总能读到。",
        "Lists give the current values; values replaced by a restatement only with "
        "include_restated=1. Any value is found by its id.",
    ),
)
class IndicatorValueViewSet(WithHistory, VersionedViewSet):
    queryset = IndicatorValue.objects.all()
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilterSet
    search_fields = [
        "metric__name",
        "note",
        "zone__name",
        "portfolio__name",
        "project__name",
        "enterprise__name",
    ]
    ordering_fields = ["id", "year", "end_month", "value", "kind", "metric__code"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(
            "zone",
            "portfolio",
            "portfolio__zone",
            "project",
            "project__zone",
            "enterprise",
            "metric",
            "restated_by",
        ).prefetch_related(citations())

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.detail:  # a replaced value stays reachable by its id: `restates` points at it
            return queryset
        return super().filter_queryset(queryset)


# ---------------------------------------------------------------------------------------------
# Campaigns, sources, citations


@documented(
    "攻坚行动 / Campaigns",
    ("攻坚行动", "campaign"),
    ("攻坚行动", "campaigns"),
    serializers.CampaignSerializer,
)
class CampaignViewSet(ResourceViewSet):
    queryset = Campaign.objects.all()
    serializer_class = serializers.CampaignSerializer
    filterset_class = filters.CampaignFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "year", "checkpoint", "name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("zones", citations())


@documented(
    "来源文档 / Sources",
    ("来源文档", "source document"),
    ("来源文档", "source documents"),
    serializers.SourceDocumentSerializer,
    serializers.SourceDocumentDetailSerializer,
    note=("列表不含全文,详情含全文。", "Lists leave out the full text; a single document includes it."),
)
class SourceDocumentViewSet(ResourceViewSet):
    queryset = SourceDocument.objects.all()
    filterset_class = filters.SourceDocumentFilterSet
    search_fields = ["key", "title"]
    ordering_fields = ["id", "key", "title", "published_on"]

    def get_serializer_class(self) -> type:
        if self.action == "list":
            return serializers.SourceDocumentSerializer
        return serializers.SourceDocumentDetailSerializer

    def optimise(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.order_by("start", "pk"))
        )
        return queryset.defer("text") if self.action == "list" else queryset


@documented("引文 / Citations", ("引文", "citation"), ("引文", "citations"), serializers.CitationSerializer)
class CitationViewSet(ResourceViewSet):
    queryset = Citation.objects.all()
    serializer_class = serializers.CitationSerializer
    filterset_class = filters.CitationFilterSet
    search_fields = ["quote", "document__key"]
    ordering_fields = ["id", "start", "document__key"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("document").defer("document__text")


# ---------------------------------------------------------------------------------------------
# Addresses the API does not have


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def unknown_address(request: Request, path: str) -> Response:
    """An address under /api/ that no route takes (`/api/projects/abc/`): a 404 in the API's
    bilingual JSON, not Django's HTML page."""
    raise NotFound()
