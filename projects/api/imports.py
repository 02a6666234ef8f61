"""Workbook imports through the API: the same checks and the same all-or-nothing commit as the
admin's Excel导入 (projects.workbooks.imports).

- POST /api/imports/<kind>/ (multipart, field `file`): `?dry_run=1` answers 200 with every row's
  findings and writes nothing; without it, any error (or an unconfirmed warning: confirm with
  `?confirm_warnings=1`) answers 400 with the same body and writes nothing, else 201 with what was
  written. A file refused as a whole (not a workbook, over the limits of projects.ooxml, malformed)
  is a 400 with its one finding at row 0, dry run or not. Every upload is recorded as an
  ImportBatch (its id is `batch`) with its findings; its file is kept only when it is committed,
  for IMPORT_UPLOAD_RETENTION_DAYS (projects.uploads), and within the uploader's quota
  (IMPORT_UPLOAD_QUOTA_MB): beyond it, a 413 and nothing written.
- GET /api/imports/<kind>/template/ (projects, indicators; `?zone=` pre-fills a zone's rows) and
  GET /api/zones/<id>/monthly-template/?month=2022-05: the templates.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import access, uploads
from projects.i18n import bilingual, in_english
from projects.models import ImportBatch, ImportKind, Zone
from projects.periods import PeriodParseError, parse_year_month
from projects.workbooks.imports import (
    ImportRefused,
    ImportResult,
    import_batch_check,
    import_batch_commit,
    refusal,
)
from projects.workbooks.reader import RowFinding
from projects.workbooks.template import indicators_template, monthly_template, projects_template

from .exceptions import Message, invalid
from .filters import MONTH_FORMAT, parse_id
from .parsers import MultiPartParser
from .serializers import Described, StrictInput, refuse_unexpected
from .views import BAD_REQUEST, FORBIDDEN, NOT_FOUND

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024
# Lazy, rendered in the schema's language: drf-spectacular's types say str.
TAG = cast(str, _("数据导入"))
TRUE = {"1", "true", "yes", "on"}

HELP = {
    "file": _("Excel 工作簿(.xlsx),可先下载模板填写"),
    "detail": _("结论,中文和英文各一遍,以“ / ”分隔"),
    "kind": _("导入类型:monthly 月报数据、projects 项目、indicators 指标数值"),
    "batch": _("导入记录编号(后台“Excel导入”中可查看)"),
    "status": _("checked 已检查待导入、invalid 有错误未导入、committed 已导入"),
    "rows": _("读到的数据行数(空行不计)"),
    "errors": _("错误:任何一条都会使导入整体不写入"),
    "warnings": _("警告:须以 confirm_warnings=1 确认后才能导入"),
    "summary": _(
        "将写入(试导入)或已写入的条数:created 新增、updated 修改、restated 更正、milestones 节点、"
        "unchanged 未变"
    ),
    "row": _("Excel 中的行号;0 表示整个文件"),
    "column": _("列:字母和表头,如“G 本月完成投资”"),
    "field": _("同 column,整个文件的问题为 null"),
    "code": _("规则编号,同 rule"),
    "rule": _("规则编号:校验规则(如 investment_decreases)或 parse、no_access、unknown_project 等"),
    "severity": _("级别:error 错误、warning 警告"),
    "message": _("中文说明"),
    "message_en": _("英文说明"),
}
SEE_THE_CHINESE = _("见中文说明")


class ImportUploadSerializer(StrictInput, Described, serializers.Serializer):
    help_texts = HELP

    file = serializers.FileField()


class ImportFindingSerializer(Described, serializers.Serializer):
    help_texts = HELP

    row = serializers.IntegerField()
    column = serializers.CharField(allow_blank=True)
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()
    message_en = serializers.CharField()


class ImportResultSerializer(Described, serializers.Serializer):
    help_texts = HELP

    detail = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    batch = serializers.IntegerField()
    status = serializers.CharField()
    rows = serializers.IntegerField()
    errors = ImportFindingSerializer(many=True)
    warnings = ImportFindingSerializer(many=True)
    summary = serializers.DictField(child=serializers.IntegerField())


def _finding(finding: RowFinding) -> dict[str, Any]:
    return {
        "row": finding.row,
        "column": finding.column,
        "field": finding.column or None,
        "code": finding.rule_id,
        "rule": finding.rule_id,
        "severity": finding.severity,
        "message": finding.message,
        "message_en": finding.message_en or in_english(SEE_THE_CHINESE),
    }


def _body(batch: ImportBatch, result: ImportResult, detail: str | None = None) -> dict[str, Any]:
    body = {
        "kind": result.kind,
        "batch": batch.pk,
        "status": batch.status,
        "rows": result.rows,
        "errors": [_finding(f) for f in result.errors],
        "warnings": [_finding(f) for f in result.warnings],
        "summary": result.summary(),
    }
    return {"detail": detail, **body} if detail else body


def _one_line(refused: ImportRefused | RowFinding) -> str:
    """ "中文 / English" of what refused an import: its message rendered in both languages, or (a
    finding) its Chinese message and its English one."""
    english = getattr(refused, "message_en", None)
    if isinstance(refused.message, Promise) or not english or english == refused.message:
        return bilingual(refused.message)
    return f"{refused.message} / {english}"


def _file_refusal(result: ImportResult) -> str | None:
    """ "中文 / English" of the error that refused the whole file (row 0, rule "file"), or None."""
    refused = next((f for f in result.errors if f.row == 0 and f.rule_id == "file"), None)
    return None if refused is None else _one_line(refused)


def _flag(request: Request, name: str) -> bool:
    return (request.query_params.get(name) or "").strip().lower() in TRUE


def _kind(kind: str) -> str:
    if kind not in ImportKind.values:
        raise NotFound(bilingual(format_lazy(_("没有“{kind}”类型的导入"), kind=kind[:64])))
    return kind


def xlsx(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def quota_exceeded(exceeded: uploads.QuotaExceeded) -> Response:
    """413 in the usual error shape: the quota, what is used, this file's size."""
    body = {
        "detail": bilingual(QUOTA_EXCEEDED),
        "errors": [
            {
                "field": "file",
                "code": "upload_quota",
                "message": exceeded.message,
                "message_en": exceeded.message_en,
            }
        ],
    }
    return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


KIND = OpenApiParameter(
    "kind",
    str,
    OpenApiParameter.PATH,
    enum=ImportKind.values,
    description=HELP["kind"],
)


def component(name: str) -> dict[str, str]:
    """A reference to a schema component, for answers that may take one of two shapes."""
    return {"$ref": f"#/components/schemas/{name}"}


XLSX_RESPONSE = {(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("Excel 模板"))}
QUOTA_EXCEEDED = _("超出上传文件配额,未写入任何数据")
UPLOAD_REQUIRED = _("请上传 Excel 工作簿(multipart 字段 file)")
TOO_LARGE = _("文件超过20MB,请分成几个文件导入")
IMPORTED = _("已全部导入")


class ImportView(APIView):
    """Excel导入 / Workbook import"""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [IsAuthenticated]
    # The workbook and the form around it; a larger body is refused (413) before it is read.
    max_upload_bytes = MAX_UPLOAD + 1024 * 1024

    @extend_schema(
        operation_id="import_workbook",
        tags=[TAG],
        summary=_("导入Excel工作簿"),
        description=_(
            "上传按模板填写的工作簿(multipart 字段 file)。dry_run=1:只检查,"
            "返回每一行的错误和警告(行、列、规则、说明),不写入任何数据;"
            "否则有任何错误(或未以 confirm_warnings=1 确认的警告)时返回400且不写入,"
            "全部通过才一次写入(全部或全不),返回201。月报数据的区域和月份取自模板中隐藏的 _meta 工作表。"
            "只有区域的编辑可以导入该区域的数据。\n\n"
            "文件保存:试导入和未通过的导入只保存检查结果,不保存文件;导入成功的文件保存"
            "IMPORT_UPLOAD_RETENTION_DAYS 天(默认90天)后删除。每个用户保存的导入文件不超过 "
            "IMPORT_UPLOAD_QUOTA_MB(默认200MB),超出时返回413,不写入任何数据。"
        ),
        parameters=[
            KIND,
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description=_("1:只检查不写入(试导入)")),
            OpenApiParameter("confirm_warnings", OpenApiTypes.BOOL, description=_("1:确认警告并导入")),
        ],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: OpenApiResponse(ImportResultSerializer, description=_("试导入的结果")),
            201: OpenApiResponse(ImportResultSerializer, description=_("已全部写入")),
            400: OpenApiResponse(
                # The workbook's findings, or (no file, a file too large) an ordinary bad request.
                {"anyOf": [component("ImportResult"), component("ValidationError")]},
                description=_(
                    "有错误或未确认的警告,未写入任何数据;文件本身无法读取或超出限制(试导入也是400);"
                    "或请求本身有误(未上传文件、文件过大)"
                ),
            ),
            403: FORBIDDEN,
            404: NOT_FOUND,
            413: OpenApiResponse(component("ValidationError"), description=QUOTA_EXCEEDED),
            409: OpenApiResponse(
                ImportResultSerializer, description=_("检查之后有记录被他人修改,未写入任何数据")
            ),
        },
    )
    def post(self, request: Request, kind: str) -> Response:
        kind = _kind(kind)
        if (refused := access.write_refusal(request.user, None)) is not None:
            raise PermissionDenied(bilingual(refused))
        refuse_unexpected(request.data, ImportUploadSerializer)  # dry_run and confirm_warnings: query
        upload = request.FILES.get("file")
        if upload is None:
            raise invalid("file", Message("required", UPLOAD_REQUIRED))
        if upload.size > MAX_UPLOAD:
            raise invalid("file", Message("too_large", TOO_LARGE))
        confirm = _flag(request, "confirm_warnings")
        dry_run = _flag(request, "dry_run")
        content = upload.read()
        # Storage: a file is kept only with its commit, within the uploader's quota; refused
        # here first, before the work of a check and before anything is written.
        if not dry_run and (exceeded := uploads.quota_refusal(request.user, len(content))) is not None:
            return quota_exceeded(exceeded)
        batch, result = import_batch_check(
            kind=kind,
            file_name=upload.name,
            content=content,
            user=request.user,
            confirm_warnings=confirm,
        )
        if (unread := _file_refusal(result)) is not None:
            # The file as a whole was refused (not a workbook, a bomb, malformed XML, the wrong
            # template): a 400 even in a dry run. Only the ImportBatch recording it was written.
            return Response(_body(batch, result, unread), status=status.HTTP_400_BAD_REQUEST)
        if dry_run:
            return Response(_body(batch, result))
        if (refused := refusal(result)) is not None:
            return Response(_body(batch, result, _one_line(refused)), status=status.HTTP_400_BAD_REQUEST)
        try:
            with transaction.atomic():  # the file is kept if, and only if, the data is written
                uploads.keep_file(batch, content)
                result, summary = import_batch_commit(
                    batch, user=request.user, confirm_warnings=confirm, result=result
                )
        except uploads.QuotaExceeded as exceeded:  # another upload of the user took the room
            return quota_exceeded(exceeded)
        except ImportRefused as stale:
            return Response(_body(batch, result, _one_line(stale)), status=status.HTTP_409_CONFLICT)
        body = _body(batch, result, bilingual(IMPORTED))
        body["summary"] = summary
        return Response(body, status=status.HTTP_201_CREATED)


TEMPLATES = {ImportKind.PROJECTS: projects_template, ImportKind.INDICATORS: indicators_template}


def _readable_zone(request: Request, zone_id: str | int) -> Zone:
    zones = Zone.objects.restrict(request.user)
    pk = parse_id(str(zone_id))
    zone = zones.filter(pk=pk).first() if pk is not None else None
    if zone is None:
        raise NotFound(bilingual(_("区域不存在或无权查看")))
    return zone


MONTHLY_TEMPLATE = _("月报模板按区域和月份生成:请用 /api/zones/{区域编号}/monthly-template/?month=2022-05")


class ImportTemplateView(APIView):
    """导入模板 / Import template"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="import_template",
        tags=[TAG],
        summary=_("下载导入模板"),
        description=_(
            "项目(projects)或指标数值(indicators)的 Excel 模板:表头带说明、下拉列表;给出 zone 时预填该区域的"
            "项目或其已报的指标。月报模板请用 /api/zones/{id}/monthly-template/。"
        ),
        parameters=[
            KIND,
            OpenApiParameter("zone", OpenApiTypes.INT, description=_("预填的区域编号(可选)")),
        ],
        responses={**XLSX_RESPONSE, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, kind: str) -> HttpResponse:
        kind = _kind(kind)
        if kind == ImportKind.MONTHLY:
            raise invalid(None, Message("monthly_template", MONTHLY_TEMPLATE))
        zone_id = request.query_params.get("zone")
        zone = _readable_zone(request, zone_id) if zone_id else None
        label = ImportKind(kind).label
        file_name = gettext("{zone}{kind}导入模板.xlsx").format(zone=zone.name if zone else "", kind=label)
        return xlsx(TEMPLATES[kind](zone), file_name)


class MonthlyTemplateView(APIView):
    """月报模板 / Monthly template"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="zone_monthly_template",
        tags=[TAG],
        summary=_("下载区域的月报模板"),
        description=_(
            "区域某月的月报 Excel 模板:该区域调度清单中的每个项目一行,已填的数据预填;填好后以 "
            "POST /api/imports/monthly/ 导入。"
        ),
        parameters=[
            OpenApiParameter("zone_id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("区域编号")),
            OpenApiParameter("month", str, required=True, description=_("月份 YYYY-MM,如 2022-05")),
        ],
        responses={**XLSX_RESPONSE, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, zone_id: int) -> HttpResponse:
        zone = _readable_zone(request, zone_id)
        try:
            year, month = parse_year_month(request.query_params.get("month") or "")
        except PeriodParseError as error:
            # The reason in Chinese is projects.periods'.
            raise invalid("month", Message("invalid_month", str(error), MONTH_FORMAT)) from None
        file_name = gettext("{zone}{year}年{month}月月报.xlsx").format(zone=zone.name, year=year, month=month)
        return xlsx(monthly_template(zone, year, month, user=request.user), file_name)


# Mounted by projects/api/urls.py, before the router (whose zones/<id>/ would not match anyway).
urls = [
    path("imports/<str:kind>/", ImportView.as_view(), name="import-workbook"),
    path("imports/<str:kind>/template/", ImportTemplateView.as_view(), name="import-template"),
    path(
        "zones/<int:zone_id>/monthly-template/", MonthlyTemplateView.as_view(), name="zone-monthly-template"
    ),
]
