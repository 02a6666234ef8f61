"""POST /api/extract/: the candidate facts of a text, as the admin's "从文本提取" shows them.

Reads only: the text is not stored and nothing is written. The candidates are those of
projects.extraction.extract with the catalogue's names (metrics, zones and their aliases,
projects, enterprises), each with `quote == text[start:end]` in the text exactly as sent (no
trimming, no line-end normalisation).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import override
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access
from ..extraction import MAX_CANDIDATES, MAX_TEXT_LENGTH, CandidateKind, Measure, TooManyCandidates, extract
from ..models import MilestoneKind, Stage, ValueKind, Zone
from ..money import Qualifier
from ..periods import MAX_YEAR, MIN_YEAR, DatePrecision
from ..text_entry import lexicon_from_db
from .exceptions import BilingualValidationError, Message, bilingual, invalid
from .serializers import Described, RestrictedRelations, StrictInput, StrictIntegerField, ZoneField
from .views import BAD_REQUEST, FORBIDDEN

YEAR_MIN, YEAR_MAX = MIN_YEAR, MAX_YEAR  # the register's years (projects.periods)
TAG = "文本提取 / Extraction"


def _message(zh: str, en: str) -> Any:
    """A validation message in the language active when it is shown (the errors are rendered a
    second time in English)."""
    return lazy(lambda: bilingual(zh, en), str)()


# ---------------------------------------------------------------------------------------------
# Request

BLANK = _message("正文不能为空", "The text may not be empty.")
YEAR_RANGE = _message(
    f"年份须在{YEAR_MIN}至{YEAR_MAX}之间", f"The year must be between {YEAR_MIN} and {YEAR_MAX}."
)


class ExtractSerializer(StrictInput, RestrictedRelations, Described, serializers.Serializer):
    """提取请求 / A text to extract from."""

    text = serializers.CharField(
        max_length=MAX_TEXT_LENGTH,
        trim_whitespace=False,  # offsets are into the text as sent
        error_messages={
            "required": _message("请填写正文(text)", "The text is required."),
            "null": _message("请填写正文(text)", "The text is required."),
            "blank": BLANK,
            "max_length": _message(
                f"正文过长:一次最多{MAX_TEXT_LENGTH}字,请分段提取",
                f"The text is too long: at most {MAX_TEXT_LENGTH} characters at a time; split it.",
            ),
        },
    )
    year = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={
            "invalid": _message("年份须为整数,如 2022", "The year must be a whole number such as 2022."),
            "min_value": YEAR_RANGE,
            "max_value": YEAR_RANGE,
        },
    )
    zone = ZoneField(required=False, allow_null=True)

    help_texts = {
        "text": (
            f"正文(中文经济报道、讲话、工作报告等),最多{MAX_TEXT_LENGTH}字;位置按原样计算,不去空白。"
            f"候选事实超过{MAX_CANDIDATES}条的正文不予提取(400,code 为 too_many_candidates,说明条数),"
            f"请分段提取 / The text (Chinese economic prose), at most {MAX_TEXT_LENGTH} characters; offsets "
            f"count it exactly as sent. A text giving more than {MAX_CANDIDATES} candidate facts is refused "
            "(400, code too_many_candidates, saying how many): split it"
        ),
        "year": (
            f"正文所述年份({YEAR_MIN}–{YEAR_MAX}):未写年份的时段和日期属于该年 / "
            "The year the text speaks of: periods and dates without a year belong to it"
        ),
        "zone": (
            "正文所述区域(ID、简称、全称或别名):文中未另提区域的数字归于该区域 / "
            "The zone the text is about (id, name, full name or alias): figures the text gives no "
            "other zone for belong to it"
        ),
    }

    def validate_text(self, value: str) -> str:
        if not value.strip():  # blanks only: DRF lets them through when it does not trim
            raise serializers.ValidationError(BLANK, code="blank")
        return value

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        valid = super().is_valid(raise_exception=False)
        if not valid and raise_exception:
            with override("en"):
                twin = type(self)(data=self.initial_data, context=self.context)
                twin.is_valid()
                english = twin.errors
            raise BilingualValidationError(self.errors, english)
        return valid


# ---------------------------------------------------------------------------------------------
# Response (documentation of Candidate.to_dict())


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
        "quote": "总投资原文,如“106亿元” / The investment as written, e.g. 106亿元",
        "start": "原文在正文中的起始位置(字符) / Start offset in the text (characters)",
        "end": "原文在正文中的结束位置(不含) / End offset in the text (exclusive)",
        "value": "数值(按原文单位,十进制字符串) / Value in the written unit, a decimal string",
        "unit": "原文单位,如 亿元 / Unit as written, e.g. 亿元",
        "scale": "单位的倍数(亿元为100000000) / Multiplier of the unit (100000000 for 亿元)",
        "currency": "币种,如 CNY、USD / Currency, e.g. CNY, USD",
        "qualifier": "约、余、超、突破、近、左右 / Hedge: about, more than, over, breaks, nearly, around",
    }


class PeriodRefSerializer(Part):
    """时段 / The cumulative period of a year a figure is stated for."""

    year = serializers.IntegerField(allow_null=True)
    start_month = serializers.IntegerField(allow_null=True)
    end_month = serializers.IntegerField()
    text = serializers.CharField()

    help_texts = {
        "year": "年份(正文未写时取请求中的 year) / Year (the request's year when the text gives none)",
        "start_month": ("起始月;为空表示时点(截至5月底) / First month; null for a point in time (截至5月底)"),
        "end_month": "截止月 / Last month",
        "text": "时段原文,如“1-5月” / The period as written, e.g. 1-5月",
    }


class DateRefSerializer(Part):
    """日期 / A date at its precision."""

    date = serializers.DateField(allow_null=True)
    precision = serializers.ChoiceField(choices=DatePrecision.choices)
    text = serializers.CharField()

    help_texts = {
        "date": "日期,按精度取该时段第一天 / The date: the first day of its period at its precision",
        "precision": "精度:日、月、季度、半年、年 / Precision: day, month, quarter, half or year",
        "text": "日期原文,如“3月18日” / The date as written, e.g. 3月18日",
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
    subject_kind = serializers.ChoiceField(choices=[("zone", "区域"), ("project", "项目")], allow_blank=True)
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
        "kind": (
            "类型:金额、百分比、数量、实物量、倍数、分值、时段、日期、项目、节点 / Kind: amount, percent, "
            "count, quantity, ratio, score, period, date, project or milestone"
        ),
        "quote": "原文,恰为 text[start:end] / The exact words: text[start:end]",
        "start": "原文在正文中的起始位置(字符,从0起) / Start offset in the text (characters, from 0)",
        "end": "原文在正文中的结束位置(不含) / End offset in the text (exclusive)",
        "sentence_start": "所在句子的起始位置;引文引用该句 / Start of its sentence (a citation quotes it)",
        "sentence_end": "所在句子的结束位置(不含) / End of its sentence (exclusive)",
        "value": (
            "数值(按原文单位,十进制字符串;157.56亿元为“157.56”) / Value in the written unit, a decimal "
            "string (157.56 of 157.56亿元)"
        ),
        "value_upper": "区间上限(10-15亿元为“15”) / Upper end of a range (15 of 10-15亿元)",
        "unit": "原文单位:亿元、%、个百分点、家、万吨… / Unit as written: 亿元, %, 个百分点, 家, 万吨 …",
        "scale": (
            "单位中万/亿的倍数(亿元为100000000);数值×倍数为基本单位的值 / Multiplier of the unit's 万/亿 "
            "(100000000 for 亿元); value × scale is the value in base units"
        ),
        "currency": "金额的币种:CNY、USD… / Currency of an amount: CNY, USD …",
        "qualifier": "约、余、超、突破、近、左右 / Hedge: about, more than, over, breaks, nearly, around",
        "measure": (
            "数字的含义:数值、增速、降幅、占比、增减量 / What the figure measures: level, growth, decline, "
            "share or change"
        ),
        "subject": "所属主体:区域名称或项目名称 / Whom it is about: a zone's or a project's name",
        "subject_kind": "主体类型:zone 区域、project 项目 / Kind of subject: zone or project",
        "metric": "文中的指标用语,如“营业收入” / The metric as the text names it, e.g. 营业收入",
        "metric_code": "指标目录中的代码(未识别为空) / Code of the catalogue's metric (blank when unknown)",
        "value_kind": "实际、目标、计划、预计 / Actual, target, plan or forecast",
        "period": "数字所属的时段 / The period the figure is stated for",
        "date": "日期(日期类及节点) / The date (of a date or a milestone)",
        "name": "项目名称(项目及其节点) / Project name (of a project or a milestone's project)",
        "event": "节点类型,如 开工、投产 / Milestone kind, e.g. start, production",
        "capacity": "产能原文,如“年产3.7亿平方米光伏玻璃” / Capacity as written",
        "stage": "据句中节点推断的项目阶段 / Project stage read from the milestones in its sentence",
        "investment": "项目的总投资 / The project's total investment",
    }


class ExtractResponseSerializer(Described, serializers.Serializer):
    """提取结果 / The candidates of a text."""

    candidates = CandidateSerializer(many=True)
    count = serializers.IntegerField()

    help_texts = {
        "candidates": "候选事实,按在正文中的位置排序 / Candidate facts, in text order",
        "count": "候选事实条数 / Number of candidates",
    }


# ---------------------------------------------------------------------------------------------
# The view


class ExtractView(APIView):
    """从文本提取 / Extract facts from text"""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="extract",
        tags=[TAG],
        summary="从文本提取候选事实 / Candidate facts of a text",
        description=(
            "读出正文中的金额、百分比、数量、实物量、倍数、时段、日期、项目及其节点,每条带原文及其位置"
            "(quote 恰为 text[start:end])、所在句子、可能的主体与指标。只读:不保存正文,不写入任何数据;"
            "要保存为来源文档并逐条采纳,请用管理后台的“从文本提取”。\n\n"
            "The figures, periods, dates, projects and milestones of a Chinese text, each with its exact "
            "words and their offsets (quote == text[start:end]), its sentence, and the subject and metric "
            "it most likely belongs to. Read only: the text is not stored and nothing is written; to keep "
            "it as a source document and accept facts one by one, use the admin's 从文本提取."
        ),
        request=ExtractSerializer,
        responses={
            200: ExtractResponseSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
        },
        examples=[
            OpenApiExample(
                "营业收入 / Revenue",
                request_only=True,
                value={"text": "1至5月,全区实现营业收入157.56亿元,同比增长12.24%。", "year": 2022},
            )
        ],
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
            raise invalid("text", Message("too_many_candidates", error.zh, error.en)) from error
        return Response({"candidates": [c.to_dict() for c in candidates], "count": len(candidates)})
