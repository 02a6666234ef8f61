"""Report schedules and report runs: /api/report-schedules/ and /api/report-runs/.

A schedule is edited like any resource, by editors of its zone. Runs are made by the scheduler or
on demand (POST), never edited: they are kept as made. Their files download from
/api/report-runs/<id>/files/<format>/.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from projects import access, report_runs
from projects.i18n import bilingual
from projects.models import (
    MAX_RECIPIENTS,
    Campaign,
    DeliveryStatus,
    Portfolio,
    ReportCadence,
    ReportFile,
    ReportFormat,
    ReportRun,
    ReportSchedule,
    RunStatus,
    Zone,
    default_formats,
)
from projects.periods import PeriodParseError, parse_year_month
from projects.reports.cadence import month_period
from projects.reports.documents import FORMATS
from projects.reports.measures import Basis

from . import filters
from .exceptions import model_errors
from .serializers import HELP as RESOURCE_HELP
from .serializers import (
    VERSIONED,
    BilingualErrors,
    Described,
    ResourceSerializer,
    RestrictedRelations,
    StrictInput,
    VersionedFields,
    ZoneField,
)
from .views import (
    FORBIDDEN,
    ID,
    NOT_FOUND,
    ResourceViewSet,
    VersionedViewSet,
    WithHistory,
    documented,
)

# Lazy, rendered in the schema's language: drf-spectacular's types say str.
TAG = cast(str, _("定期报告"))
FORMATS_HELP = _("格式列表:html、xlsx、pdf(默认全部)")
RECIPIENTS_HELP = format_lazy(_("收件人电子邮箱列表,最多{count}个"), count=MAX_RECIPIENTS)
HELP = {
    "id": _("编号"),
    "name": _("名称(留空则自动命名)"),
    "display_name": _("显示名称"),
    "scope_kind": _("报告范围:zone 区域(含下级)、portfolio 调度清单、campaign 攻坚行动"),
    "scope_name": _("报告范围名称"),
    "zone": _("区域ID(写入时也可填名称);给出清单或攻坚行动时由其决定"),
    "zone_name": _("区域简称"),
    "portfolio": _("调度清单ID"),
    "campaign": _("攻坚行动ID"),
    "basis": _("时间进度口径:month 按月、day 按日"),
    "cadence": _("周期:weekly 每周、monthly 每月、quarterly 每季度"),
    "due_day": _(
        "报送日:月报、季报为次月(季后首月)第几日 1-28(默认5日、10日);周报为次周星期几 1-7(默认1 周一)"
    ),
    "effective_due_day": _("实际采用的报送日"),
    "formats": FORMATS_HELP,
    "recipients": RECIPIENTS_HELP,
    "active": _("启用"),
    "next_due": _("下次报送日"),
    "created_at": _("创建时间"),
    "updated_at": _("修改时间"),
    "schedule": _("报告计划ID,按需生成的为空"),
    "period_start": _("统计期起始日"),
    "period_end": _("统计期截止日"),
    "period_display": _("统计期(中文)"),
    "as_of": _("统计截止月 YYYY-MM"),
    "due_on": _("应报送日"),
    "status": _("状态:queued 排队中、running 生成中、done 已完成、failed 失败"),
    "status_display": _("状态(中文)"),
    "error": _("最近一次失败的错误信息"),
    "attempts": _("生成次数"),
    "queued_at": _("排队时间"),
    "started_at": _("开始时间"),
    "finished_at": _("完成时间"),
    "fingerprint": _("生成所用数据的SHA-256指纹"),
    "delivery_status": _(
        "发送状态:none 无需发送、pending 待发送、sending 发送中、sent 已发送、failed 发送失败"
    ),
    "delivery_error": _("最近一次发送失败的错误"),
    "delivered_at": _("发送时间"),
    "files": _("文件:格式、大小、SHA-256、下载地址"),
    "html_url": _("网页版地址(需登录)"),
    "format": _("格式"),
    "size": _("大小(字节)"),
    "sha256": _("文件的SHA-256摘要"),
    "url": _("下载地址"),
    "version": RESOURCE_HELP["version"],
    "change_reason": RESOURCE_HELP["change_reason"],
}


class ScopeFields(RestrictedRelations, Described, serializers.Serializer):
    """zone, portfolio or campaign; the zone is the portfolio's or the campaign's when given."""

    help_texts = HELP

    zone = ZoneField(required=False, allow_null=True)
    portfolio = serializers.PrimaryKeyRelatedField(
        queryset=Portfolio.objects.select_related("zone"), required=False, allow_null=True
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.prefetch_related("zones"), required=False, allow_null=True
    )
    scope_kind = serializers.CharField(read_only=True)
    scope_name = serializers.CharField(read_only=True)
    zone_name = serializers.CharField(source="zone.name", read_only=True, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def current(name: str) -> Any:
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        portfolio, campaign = current("portfolio"), current("campaign")
        if portfolio is not None or campaign is not None:
            zone_id = ReportSchedule.owner_zone_id(None, portfolio, campaign)
            attrs["zone"] = Zone.objects.filter(pk=zone_id).first() if zone_id else None
        return super().validate(attrs)


SCOPE_FIELDS = ["scope_kind", "scope_name", "zone", "zone_name", "portfolio", "campaign", "basis", "cadence"]


class FormatsField(serializers.ListField):
    child = serializers.ChoiceField(choices=ReportFormat.choices)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=len(ReportFormat.values), **kwargs)


def recipients_field() -> serializers.ListField:
    return serializers.ListField(child=serializers.EmailField(), max_length=MAX_RECIPIENTS, required=False)


class ReportScheduleSerializer(VersionedFields, ScopeFields, ResourceSerializer):
    display_name = serializers.CharField(source="__str__", read_only=True)
    formats = FormatsField(required=False)
    recipients = recipients_field()
    effective_due_day = serializers.IntegerField(read_only=True)
    next_due = serializers.SerializerMethodField()

    class Meta:
        model = ReportSchedule
        fields = [
            "id",
            "name",
            "display_name",
            *SCOPE_FIELDS,
            "due_day",
            "effective_due_day",
            "next_due",
            "formats",
            "recipients",
            "active",
            "created_at",
            "updated_at",
            *VERSIONED,
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_next_due(self, schedule: ReportSchedule) -> str | None:
        if not schedule.active:
            return None
        return schedule.next_due_date(timezone.localdate()).isoformat()


class ReportFileSerializer(Described, serializers.ModelSerializer):
    help_texts = HELP

    url = serializers.SerializerMethodField()

    class Meta:
        model = ReportFile
        fields = ["format", "size", "sha256", "url"]

    def get_url(self, report_file: ReportFile) -> str:
        path = reverse("reportrun-file", kwargs={"pk": report_file.run_id, "file_format": report_file.format})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportRunSerializer(ScopeFields, serializers.ModelSerializer):
    # Blank for an on-demand run; declared because DRF drops allow_blank from read-only fields.
    cadence = serializers.ChoiceField(choices=ReportCadence.choices, allow_blank=True, read_only=True)
    period_display = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    files = ReportFileSerializer(many=True, read_only=True)
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "schedule",
            *SCOPE_FIELDS,
            "period_start",
            "period_end",
            "period_display",
            "as_of",
            "due_on",
            "formats",
            "recipients",
            "status",
            "status_display",
            "error",
            "attempts",
            "queued_at",
            "started_at",
            "finished_at",
            "fingerprint",
            "delivery_status",
            "delivery_error",
            "delivered_at",
            "files",
            "html_url",
        ]
        read_only_fields = fields

    def get_period_display(self, run: ReportRun) -> str:
        return run.period.display

    def get_as_of(self, run: ReportRun) -> str:
        return run.period.as_of

    def get_html_url(self, run: ReportRun) -> str:
        path = reverse("report-run-page", kwargs={"pk": run.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportRunRequestSerializer(BilingualErrors, StrictInput, ScopeFields):
    """An on-demand run: a scope and a month."""

    as_of = serializers.CharField()
    basis = serializers.ChoiceField(choices=Basis.choices, default=Basis.MONTH)
    formats = FormatsField(required=False)
    recipients = recipients_field()

    def validate_as_of(self, value: str) -> tuple[int, int]:
        try:
            return parse_year_month(value)
        except PeriodParseError as error:
            raise serializers.ValidationError(filters.unreadable_month(error), code="invalid_month") from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        year, month = attrs["as_of"]
        period = month_period(year, month)
        run = ReportRun(
            zone=attrs.get("zone"),
            portfolio=attrs.get("portfolio"),
            campaign=attrs.get("campaign"),
            period_start=period.start,
            period_end=period.end,
            formats=attrs.get("formats") or default_formats(),
            recipients=attrs.get("recipients") or [],
        )
        try:
            run.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(model_errors(error)) from None
        return attrs


class ReportRunFilterSet(filters.RestrictedFilterSet):
    zone = filters.ZoneFilter(paths=("zone",), help_text=filters.ZONE_HELP)
    schedule = django_filters.NumberFilter(help_text=HELP["schedule"])
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, help_text=HELP["status"])
    delivery_status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, help_text=HELP["delivery_status"]
    )
    cadence = django_filters.ChoiceFilter(choices=ReportCadence.choices, help_text=HELP["cadence"])

    class Meta:
        model = ReportRun
        fields = ["zone", "schedule", "status", "delivery_status", "cadence"]


class ReportScheduleFilterSet(filters.RestrictedFilterSet):
    zone = filters.ZoneFilter(paths=("zone",), help_text=filters.ZONE_HELP)
    cadence = django_filters.ChoiceFilter(choices=ReportCadence.choices, help_text=HELP["cadence"])
    active = django_filters.BooleanFilter(help_text=HELP["active"])

    class Meta:
        model = ReportSchedule
        fields = ["zone", "cadence", "active"]


@documented(
    ReportScheduleSerializer,
    tag=TAG,
    note=_("范围为区域(含下级)、调度清单或攻坚行动之一;报告按周期自动生成并发送。"),
)
class ReportScheduleViewSet(WithHistory, VersionedViewSet):
    queryset = ReportSchedule.objects.all()
    serializer_class = ReportScheduleSerializer
    filterset_class = ReportScheduleFilterSet
    search_fields = ["name", "zone__name", "portfolio__name", "campaign__name"]
    ordering_fields = ["id", "cadence", "zone__name", "created_at"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("zone", "portfolio__zone", "campaign")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            instance = serializer.save(created_by=self.request.user)
            access.check_can_edit(self.request.user, instance)


FORMAT = OpenApiParameter(
    "file_format",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=ReportFormat.values,
    description=HELP["format"],
)


@documented(
    ReportRunSerializer,
    tag=TAG,
    overrides={
        "list": {"description": _("当前用户可查看的报告(定期生成和按需生成),最新的在前。")},
        "retrieve": {"description": _("状态、统计期、数据指纹和文件。")},
        "create": {
            "summary": _("按需生成报告"),
            "description": _(
                "按给定范围和统计截止月(as_of,YYYY-MM)立即生成一份报告;需要该区域的编辑权限。使用数据库任务队列时"
                "返回的状态为排队中,稍后查询。"
            ),
            "request": ReportRunRequestSerializer,
        },
    },
)
class ReportRunViewSet(ResourceViewSet):
    queryset = ReportRun.objects.all()
    serializer_class = ReportRunSerializer
    filterset_class = ReportRunFilterSet
    search_fields = ["zone__name", "portfolio__name", "campaign__name", "schedule__name"]
    ordering_fields = ["id", "period_start", "queued_at", "status"]
    http_method_names = ["get", "post", "head", "options"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("zone", "portfolio__zone", "campaign").listing()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ReportRunRequestSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        year, month = data["as_of"]
        probe = ReportRun(
            zone=data.get("zone"), portfolio=data.get("portfolio"), campaign=data.get("campaign")
        )
        access.check_can_edit(request.user, probe)
        run = report_runs.request_run(
            zone=data.get("zone"),
            portfolio=data.get("portfolio"),
            campaign=data.get("campaign"),
            year=year,
            month=month,
            formats=data.get("formats") or default_formats(),
            recipients=data.get("recipients") or [],
            basis=data["basis"],
            user=request.user,
        )
        run = self.optimise(ReportRun.objects.filter(pk=run.pk)).get()
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[TAG],
        summary=_("下载报告文件"),
        description=_("报告的一种格式的文件。"),
        parameters=[ID, FORMAT],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_format>[a-z]+)", url_name="file")
    def file(self, request: Request, pk: str, file_format: str) -> HttpResponse:
        run = self.get_object()
        found = ReportFile.objects.filter(run=run, format=file_format).first()
        if found is None:
            raise NotFound(bilingual(format_lazy(_("该报告没有{format}格式的文件"), format=file_format)))
        return file_response(run, found)


def file_response(run: ReportRun, report_file: ReportFile) -> HttpResponse:
    spec = FORMATS[report_file.format]
    response = HttpResponse(bytes(report_file.content), content_type=spec.content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, report_runs.file_name(run, report_file.format)
    )
    return response
