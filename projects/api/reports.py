"""Progress report endpoints: a zone's report as of a month, and a campaign's ranking."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Campaign, Zone
from ..periods import PeriodParseError, parse_year_month
from ..reports.contents import REPORT_LIST_LIMIT
from ..reports.measures import Basis
from ..reports.progress import ReportError, campaign_report, progress_report, resolve_zone
from ..reports.render import campaign_json, report_json
from .views import BAD_REQUEST, FORBIDDEN, NOT_FOUND

TAG = "进度报告 / Reports"
AS_OF = OpenApiParameter(
    "as_of",
    str,
    description=(
        "统计截止月,格式 YYYY-MM,如 2022-05(截至该月末)/ Report month YYYY-MM (as of the end of that month)"
    ),
    required=False,
)
BASIS = OpenApiParameter(
    "basis",
    str,
    enum=[b.value for b in Basis],
    description="时间进度口径:month 按月(默认)、day 按日 / Time progress convention: month (default) or day",
    required=False,
)


class ReportParams(serializers.Serializer):
    as_of = serializers.CharField(required=False, help_text="统计截止月 / Report month (YYYY-MM)")
    basis = serializers.ChoiceField(
        choices=Basis.choices, default=Basis.MONTH, help_text="时间进度口径 / Time progress convention"
    )

    def validate_as_of(self, value: str) -> tuple[int, int]:
        try:
            return parse_year_month(value)
        except PeriodParseError as error:
            raise serializers.ValidationError(f"{error} / as_of must be a month such as 2022-05") from error


class ZoneReportParams(ReportParams):
    as_of = serializers.CharField(help_text="统计截止月 / Report month (YYYY-MM)")
    zone = serializers.CharField(help_text="区域编号或名称 / Zone id or name")


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
        summary="区域进度报告 / Progress report of a zone",
        description=(
            "区域及其下级区域截至某月末的进度:时间进度、各调度清单与指标的完成率和超序进度、"
            "开工率、来源所述与核算对照、双过半等考核节点、滞后项目、未来30天到期节点、所需月均进度、"
            "年末预计、数据冲突。百分比为百分数(70.12 即 70.12%),金额以元为单位。"
            f"滞后项目和到期节点各至多列出 {REPORT_LIST_LIMIT} 个(最滞后、最早到期的在前),"
            "总数见 lagging_projects_total、milestones_due_total(逾期节点总数见 late_milestones_total)。\n\n"
            "A zone's progress with its sub-zones as of the end of a month: time progress, completion "
            "and ahead/behind schedule of each portfolio and indicator, start rate, stated-versus-computed "
            "figures, checkpoint verdicts (双过半 …), lagging projects, milestones due in 30 days, required "
            "monthly run-rate, year-end projection and conflicts. Percentages are in percent; amounts "
            f"in yuan. Lagging projects and milestones due list at most {REPORT_LIST_LIMIT} rows each (the "
            "furthest behind and soonest due first); lagging_projects_total, milestones_due_total and "
            "late_milestones_total count them all."
        ),
        parameters=[
            OpenApiParameter(
                "zone", str, required=True, description="区域编号或名称(含别名)/ Zone id, name or alias"
            ),
            OpenApiParameter(
                "as_of",
                str,
                required=True,
                description="统计截止月 YYYY-MM,如 2022-05 / Report month YYYY-MM, e.g. 2022-05",
            ),
            BASIS,
        ],
        responses={200: OpenApiTypes.OBJECT, 400: BAD_REQUEST, 403: FORBIDDEN},
        examples=[
            OpenApiExample(
                "赣县区 2022-05", value={"zone": {"name": "赣县区"}, "time_progress": {"value": 41.67}}
            )
        ],
    )
    def get(self, request: Request) -> Response:
        params = ZoneReportParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            # Among the zones the user may read: another zone's is unknown, as a missing one.
            zone = resolve_zone(params.validated_data["zone"], Zone.objects.restrict(request.user))
        except ReportError as error:
            unknown = params.validated_data["zone"]
            raise ValidationError({"zone": [f"{error} / Unknown or ambiguous zone: {unknown}"]}) from error
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
        summary="攻坚行动考核排名 / Campaign checkpoint ranking",
        description=(
            "攻坚行动(如“强攻二季度、确保双过半”)的每个参与区域在考核时点(或更早的统计截止月)的"
            "完成情况与排名。\n\nEvery zone of a campaign at its checkpoint (or as of an earlier month), "
            "ranked by how far its portfolios and indicators are past the checkpoint's requirement."
        ),
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="攻坚行动编号 / Campaign id"),
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
            raise ValidationError(
                {error.field: [f"{error} / as_of must be within the campaign's year"]}
            ) from error
        data = campaign_json(report)
        data["zones"] = [z for z in data["zones"] if z["zone"]["id"] in readable]
        return Response(data)
