"""Progress report endpoints: a zone's report as of a month, and a campaign's ranking."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..i18n import in_english
from ..models import Campaign, Zone
from ..periods import PeriodParseError, parse_year_month
from ..reports.contents import REPORT_LIST_LIMIT
from ..reports.measures import Basis
from ..reports.progress import ReportError, campaign_report, progress_report, resolve_zone
from ..reports.render import campaign_json, report_json
from .exceptions import BilingualValidationError
from .filters import unreadable
from .serializers import BilingualErrors
from .views import BAD_REQUEST, FORBIDDEN, NOT_FOUND

# Lazy, rendered in the schema's language: drf-spectacular's types say str.
TAG = cast(str, _("进度报告"))
AS_OF = OpenApiParameter(
    "as_of",
    str,
    description=_("统计截止月,格式 YYYY-MM,如 2022-05(截至该月末)"),
    required=False,
)
BASIS = OpenApiParameter(
    "basis",
    str,
    enum=[b.value for b in Basis],
    description=_("时间进度口径:month 按月(默认)、day 按日"),
    required=False,
)
# vocabulary: a zone of the seed data, as its report names it
GANXIAN = OpenApiExample(
    "赣县区 2022-05", value={"zone": {"name": "赣县区"}, "time_progress": {"value": 41.67}}
)
REPORT_MONTH = _("统计截止月")
AS_OF_FORMAT = _("统计截止月须为 2022-05 这样的月份")
UNKNOWN_ZONE = _("未知区域或区域名称对应多个区域:{zone}")
OUTSIDE_THE_YEAR = _("统计截止月须在攻坚行动的年度内")


class ReportParams(BilingualErrors, serializers.Serializer):
    as_of = serializers.CharField(required=False, help_text=REPORT_MONTH)
    basis = serializers.ChoiceField(choices=Basis.choices, default=Basis.MONTH, help_text=_("时间进度口径"))

    def validate_as_of(self, value: str) -> tuple[int, int]:
        try:
            return parse_year_month(value)
        except PeriodParseError as error:
            raise serializers.ValidationError(unreadable(error, AS_OF_FORMAT)) from error


class ZoneReportParams(ReportParams):
    as_of = serializers.CharField(help_text=REPORT_MONTH)
    zone = serializers.CharField(help_text=_("区域编号或名称"))


def _refused(field: str, error: ReportError, english: str) -> BilingualValidationError:
    """A report refused for `field`: the reason in Chinese (projects.reports words it), and in
    English."""
    return BilingualValidationError({field: [str(error)]}, {field: [english]})


def _read_permissions() -> list:
    return [AllowAny()] if settings.API_READ_PUBLIC else [IsAuthenticated()]


def _readable_zones(zone_ids: list[int], request: Request) -> set[int]:
    return set(Zone.objects.filter(pk__in=zone_ids).restrict(request.user).values_list("pk", flat=True))


class ProgressReportView(APIView):
    """进度报告 / Progress report"""

    def get_permissions(self) -> list:
        return _read_permissions()

    @extend_schema(
        operation_id="progress_report",
        tags=[TAG],
        summary=_("区域进度报告"),
        description=format_lazy(
            _(
                "区域及其下级区域截至某月末的进度:时间进度、各调度清单与指标的完成率和超序进度、"
                "开工率、来源所述与核算对照、双过半等考核节点、滞后项目、未来30天到期节点、所需月均进度、"
                "年末预计、数据冲突。百分比为百分数(70.12 即 70.12%),金额以元为单位。"
                "滞后项目和到期节点各至多列出 {limit} 个(最滞后、最早到期的在前),"
                "总数见 lagging_projects_total、milestones_due_total(逾期节点总数见 late_milestones_total)。"
            ),
            limit=REPORT_LIST_LIMIT,
        ),
        parameters=[
            OpenApiParameter("zone", str, required=True, description=_("区域编号或名称(含别名)")),
            OpenApiParameter("as_of", str, required=True, description=_("统计截止月 YYYY-MM,如 2022-05")),
            BASIS,
        ],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST, 403: FORBIDDEN},
        examples=[GANXIAN],
    )
    def get(self, request: Request) -> Response:
        params = ZoneReportParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            # Among the zones the user may read: another zone's is unknown, as a missing one.
            zone = resolve_zone(params.validated_data["zone"], Zone.objects.restrict(request.user))
        except ReportError as error:
            unknown = params.validated_data["zone"]
            raise _refused("zone", error, in_english(UNKNOWN_ZONE).format(zone=unknown)) from error
        year, month = params.validated_data["as_of"]
        report = progress_report(zone, year, month, params.validated_data["basis"])
        return Response(report_json(report))


class CampaignReportView(APIView):
    """攻坚行动排名 / Campaign ranking"""

    def get_permissions(self) -> list:
        return _read_permissions()

    @extend_schema(
        operation_id="campaign_report",
        tags=[TAG],
        summary=_("攻坚行动考核排名"),
        description=_(
            "攻坚行动(如“强攻二季度、确保双过半”)的每个参与区域在考核时点(或更早的统计截止月)的完成情况与排名。"
        ),
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("攻坚行动编号")),
            AS_OF,
            BASIS,
        ],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        campaign = get_object_or_404(Campaign.objects.restrict(request.user), pk=pk)
        zones = list(campaign.zones.values_list("pk", flat=True))
        readable = _readable_zones(zones, request)
        params = ReportParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        year, month = params.validated_data.get("as_of", (None, None))
        try:
            report = campaign_report(campaign, year, month, params.validated_data["basis"])
        except ReportError as error:
            raise _refused(error.field, error, in_english(OUTSIDE_THE_YEAR)) from error
        data = campaign_json(report)
        data["zones"] = [z for z in data["zones"] if z["zone"]["id"] in readable]
        return Response(data)
