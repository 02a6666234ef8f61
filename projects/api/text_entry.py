"""POST /api/extract/: the candidate facts of a text, as the admin's "从文本提取" shows them.

Reads only: the text is not stored and nothing is written. The candidates are those of
projects.extraction.extract with the catalogue's names (metrics, zones and their aliases,
projects, enterprises), each with `quote == text[start:end]` in the text exactly as sent (no
trimming, no line-end normalisation).
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access
from ..extraction import MAX_CANDIDATES, MAX_TEXT_LENGTH, CandidateKind, Measure, TooManyCandidates, extract
from ..models import MilestoneKind, Project, Stage, ValueKind, Zone
from ..money import Qualifier
from ..periods import MAX_YEAR, MIN_YEAR, DatePrecision
from ..text_entry import lexicon_from_db
from .exceptions import Message, invalid
from .serializers import (
    BilingualErrors,
    Described,
    RestrictedRelations,
    StrictInput,
    StrictIntegerField,
    ZoneField,
)
from .views import BAD_REQUEST, FORBIDDEN

YEAR_MIN, YEAR_MAX = MIN_YEAR, MAX_YEAR  # the register's years (projects.periods)
# Lazy, rendered in the schema's language: drf-spectacular's types say str.
TAG = cast(str, _("文本提取"))

# ---------------------------------------------------------------------------------------------
# Request
#
# The messages are rendered in the language active when they are shown: the errors are rendered
# a second time in English (BilingualErrors).

BLANK = _("正文不能为空")
TEXT_REQUIRED = _("请填写正文(text)")
YEAR_RANGE = format_lazy(_("年份须在{min}至{max}之间"), min=YEAR_MIN, max=YEAR_MAX)


class ExtractSerializer(BilingualErrors, StrictInput, RestrictedRelations, Described, serializers.Serializer):
    """提取请求 / A text to extract from."""

    text = serializers.CharField(
        max_length=MAX_TEXT_LENGTH,
        trim_whitespace=False,  # offsets are into the text as sent
        error_messages={
            "required": TEXT_REQUIRED,
            "null": TEXT_REQUIRED,
            "blank": BLANK,
            "max_length": format_lazy(_("正文过长:一次最多{limit}字,请分段提取"), limit=MAX_TEXT_LENGTH),
        },
    )
    year = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={
            "invalid": _("年份须为整数,如 2022"),
            "min_value": YEAR_RANGE,
            "max_value": YEAR_RANGE,
        },
    )
    zone = ZoneField(required=False, allow_null=True)

    help_texts = {
        "text": format_lazy(
            _(
                "正文(中文经济报道、讲话、工作报告等),最多{limit}字;位置按原样计算,不去空白。"
                "候选事实超过{candidates}条的正文不予提取(400,code 为 too_many_candidates,说明条数),"
                "请分段提取"
            ),
            limit=MAX_TEXT_LENGTH,
            candidates=MAX_CANDIDATES,
        ),
        "year": format_lazy(
            _("正文所述年份({min}–{max}):未写年份的时段和日期属于该年"), min=YEAR_MIN, max=YEAR_MAX
        ),
        "zone": _("正文所述区域(ID、简称、全称或别名):文中未另提区域的数字归于该区域"),
    }

    def validate_text(self, value: str) -> str:
        if not value.strip():  # blanks only: DRF lets them through when it does not trim
            raise serializers.ValidationError(BLANK, code="blank")
        return value


# ---------------------------------------------------------------------------------------------
# Response (documentation of Candidate.to_dict())

# vocabulary: examples of the sources' words, shown as they are
EXAMPLES = {
    "amount": "106亿元",
    "unit": "亿元",
    "period": "1-5月",
    "point": "截至5月底",
    "date": "3月18日",
    "units": "亿元, %, 个百分点, 家, 万吨",
    "metric": "营业收入",
    "value": "157.56亿元",
    "range": "10-15亿元",
    "capacity": "年产3.7亿平方米光伏玻璃",
}
# vocabulary: the admin's page, named as the (Chinese) admin names it
ADMIN_PAGE = "从文本提取"


class Part(Described, serializers.Serializer):
    """A part of a candidate that may be null (its period, date, investment)."""


class PartExtension(OpenApiSerializerFieldExtension):
    """A null-or-object in the form OpenAPI 3.0 validators accept: `nullable` beside a $ref is
    ignored by them, so the null is a branch of its own."""

    target_class = Part
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        component = auto_schema.resolve_serializer(self.target, direction)
        if not self.target.allow_null:
            return component.ref
        return {"oneOf": [component.ref, {"type": "object", "nullable": True, "enum": [None]}]}


HEDGE = _("约、余、超、突破、近、左右")


class InvestmentSerializer(Part):
    """总投资 / A project's total investment, as written."""

    quote = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    value = serializers.CharField()
    unit = serializers.CharField()
    scale = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField(allow_blank=True)
    qualifier = serializers.ChoiceField(choices=Qualifier.choices, allow_blank=True)

    help_texts = {
        "quote": format_lazy(_("总投资原文,如“{example}”"), example=EXAMPLES["amount"]),
        "start": _("原文在正文中的起始位置(字符)"),
        "end": _("原文在正文中的结束位置(不含)"),
        "value": _("数值(按原文单位,十进制字符串)"),
        "unit": format_lazy(_("原文单位,如 {example}"), example=EXAMPLES["unit"]),
        "scale": format_lazy(_("单位的倍数({example}为100000000)"), example=EXAMPLES["unit"]),
        "currency": _("币种,如 CNY、USD"),
        "qualifier": HEDGE,
    }


class PeriodRefSerializer(Part):
    """时段 / The cumulative period of a year a figure is stated for."""

    year = serializers.IntegerField(allow_null=True)
    start_month = serializers.IntegerField(allow_null=True)
    end_month = serializers.IntegerField()
    text = serializers.CharField()

    help_texts = {
        "year": _("年份(正文未写时取请求中的 year)"),
        "start_month": format_lazy(_("起始月;为空表示时点({example})"), example=EXAMPLES["point"]),
        "end_month": _("截止月"),
        "text": format_lazy(_("时段原文,如“{example}”"), example=EXAMPLES["period"]),
    }


class DateRefSerializer(Part):
    """日期 / A date at its precision."""

    date = serializers.DateField(allow_null=True)
    precision = serializers.ChoiceField(choices=DatePrecision.choices)
    text = serializers.CharField()

    help_texts = {
        "date": _("日期,按精度取该时段第一天"),
        "precision": _("精度:日、月、季度、半年、年"),
        "text": format_lazy(_("日期原文,如“{example}”"), example=EXAMPLES["date"]),
    }


class CandidateSerializer(Described, serializers.Serializer):
    """候选事实 / A candidate fact: Candidate.to_dict() of projects.extraction."""

    kind = serializers.ChoiceField(choices=CandidateKind.choices)
    quote = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    sentence_start = serializers.IntegerField()
    sentence_end = serializers.IntegerField()
    value = serializers.CharField(allow_null=True)
    value_upper = serializers.CharField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    scale = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField(allow_blank=True)
    qualifier = serializers.ChoiceField(choices=Qualifier.choices, allow_blank=True)
    measure = serializers.ChoiceField(choices=Measure.choices, allow_blank=True)
    subject = serializers.CharField(allow_blank=True)
    subject_kind = serializers.ChoiceField(
        choices=[("zone", Zone._meta.verbose_name), ("project", Project._meta.verbose_name)], allow_blank=True
    )
    metric = serializers.CharField(allow_blank=True)
    metric_code = serializers.CharField(allow_blank=True)
    value_kind = serializers.ChoiceField(choices=ValueKind.choices, allow_blank=True)
    period = PeriodRefSerializer(allow_null=True)
    date = DateRefSerializer(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    event = serializers.ChoiceField(choices=MilestoneKind.choices, allow_blank=True)
    capacity = serializers.CharField(allow_blank=True)
    stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True)
    investment = InvestmentSerializer(allow_null=True)

    help_texts = {
        "kind": _("类型:金额、百分比、数量、实物量、倍数、分值、时段、日期、项目、节点"),
        "quote": _("原文,恰为 text[start:end]"),
        "start": _("原文在正文中的起始位置(字符,从0起)"),
        "end": _("原文在正文中的结束位置(不含)"),
        "sentence_start": _("所在句子的起始位置;引文引用该句"),
        "sentence_end": _("所在句子的结束位置(不含)"),
        "value": format_lazy(
            _("数值(按原文单位,十进制字符串;{example}为“157.56”)"), example=EXAMPLES["value"]
        ),
        "value_upper": format_lazy(_("区间上限({example}为“15”)"), example=EXAMPLES["range"]),
        "unit": format_lazy(_("原文单位:{examples}…"), examples=EXAMPLES["units"]),
        "scale": format_lazy(
            _("单位中万/亿的倍数({example}为100000000);数值×倍数为基本单位的值"), example=EXAMPLES["unit"]
        ),
        "currency": _("金额的币种:CNY、USD…"),
        "qualifier": HEDGE,
        "measure": _("数字的含义:数值、增速、降幅、占比、增减量"),
        "subject": _("所属主体:区域名称或项目名称"),
        "subject_kind": _("主体类型:zone 区域、project 项目"),
        "metric": format_lazy(_("文中的指标用语,如“{example}”"), example=EXAMPLES["metric"]),
        "metric_code": _("指标目录中的代码(未识别为空)"),
        "value_kind": _("实际、目标、计划、预计"),
        "period": _("数字所属的时段"),
        "date": _("日期(日期类及节点)"),
        "name": _("项目名称(项目及其节点)"),
        "event": _("节点类型,如 开工、投产"),
        "capacity": format_lazy(_("产能原文,如“{example}”"), example=EXAMPLES["capacity"]),
        "stage": _("据句中节点推断的项目阶段"),
        "investment": _("项目的总投资"),
    }


class ExtractResponseSerializer(Described, serializers.Serializer):
    """提取结果 / The candidates of a text."""

    candidates = CandidateSerializer(many=True)
    count = serializers.IntegerField()

    help_texts = {
        "candidates": _("候选事实,按在正文中的位置排序"),
        "count": _("候选事实条数"),
    }


# ---------------------------------------------------------------------------------------------
# The view


# vocabulary: a sentence of the sources, as they write it
REVENUE_TEXT = "1至5月,全区实现营业收入157.56亿元,同比增长12.24%。"
REVENUE = OpenApiExample(
    "revenue", summary=_("营业收入"), request_only=True, value={"text": REVENUE_TEXT, "year": 2022}
)


class ExtractView(APIView):
    """从文本提取 / Extract facts from text"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="extract",
        tags=[TAG],
        summary=_("从文本提取候选事实"),
        description=format_lazy(
            _(
                "读出正文中的金额、百分比、数量、实物量、倍数、时段、日期、项目及其节点,每条带原文及其位置"
                "(quote 恰为 text[start:end])、所在句子、可能的主体与指标。只读:不保存正文,不写入任何数据;"
                "要保存为来源文档并逐条采纳,请用管理后台的“{page}”。"
            ),
            page=ADMIN_PAGE,
        ),
        request=ExtractSerializer,
        responses={
            200: ExtractResponseSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
        },
        examples=[REVENUE],
    )
    def post(self, request: Request) -> Response:
        access.forget(request.user)  # as ZoneRolePermission does: roles are read per request
        # The zone is chosen among those the user may read (RestrictedRelations): another zone's
        # is "no such zone", a 400, as one that does not exist.
        params = ExtractSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        zone: Zone | None = params.validated_data.get("zone")
        try:
            candidates = extract(
                params.validated_data["text"],
                year=params.validated_data.get("year"),
                lexicon=lexicon_from_db(request.user),
                zone=zone.name if zone is not None else "",
            )
        except TooManyCandidates as error:
            raise invalid("text", Message("too_many_candidates", error.message)) from error
        return Response({"candidates": [c.to_dict() for c in candidates], "count": len(candidates)})
