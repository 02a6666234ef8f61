"""Metrics and indicator values: figures stated or computed for a zone, portfolio or project."""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from projects.indicator_fields import AMOUNT_FIELDS, COMPARISON_FIELDS, FACT_FIELDS, PERIOD_FIELDS
from projects.models import (
    SUBJECTS,
    IndicatorValue,
    Metric,
)
from projects.periods import PeriodParseError, parse_period

from ..filters import PERIOD_EXAMPLES, unreadable_period
from .base import (
    PERIOD_EXAMPLE,
    QUALIFIER,
    VERSIONED,
    Checked,
    ResourceSerializer,
    VersionedFields,
    ZoneField,
    _choices,
    _error,
    _pk,
)
from .sources import CitedSerializer
from .zones import DisplayField

# ---------------------------------------------------------------------------------------------
# Indicators

# vocabulary: examples of what the sources write
EXAMPLES = {"metric": "工业营收", "unit": "个、家、%", "value": "157.56亿元"}

YEAR_REQUIRED = _("请填写年度,或用 period 写明时段(如“{example}”)")
END_MONTH_REQUIRED = _("请填写截止月,或用 period 写明时段(如“{example}”)")
RESTATEMENT_MISMATCH = _("更正数值的主体、指标、时段和数值类型须与原数值一致")


class MetricSerializer(ResourceSerializer):
    unit_kind_display = DisplayField(source="get_unit_kind_display")
    flow_or_stock_display = DisplayField(source="get_flow_or_stock_display")

    class Meta:
        model = Metric
        fields = [
            "id",
            "code",
            "name",
            "unit_kind",
            "unit_kind_display",
            "unit",
            "flow_or_stock",
            "flow_or_stock_display",
            "description",
        ]

    help_texts = {
        "code": _("指标代码,如 industrial_revenue"),
        "name": format_lazy(_("指标名称,如{example}"), example=EXAMPLES["metric"]),
        "unit_kind": _choices(_("计量类型"), Metric, "unit_kind"),
        "unit_kind_display": _("计量类型名称"),
        "unit": format_lazy(_("金额以外的计量单位,如{examples}"), examples=EXAMPLES["unit"]),
        "flow_or_stock": _("流量(按时段累计)或存量(时点值)"),
        "flow_or_stock_display": _("流量/存量名称"),
    }


class IndicatorValueSerializer(VersionedFields, Checked, CitedSerializer):
    zone = ZoneField(allow_null=True, required=False)
    subject_type = serializers.SerializerMethodField()
    subject_name = serializers.SerializerMethodField()
    metric = serializers.SlugRelatedField(slug_field="code", queryset=Metric.objects.all(), required=False)
    metric_name = serializers.CharField(source="metric.name", read_only=True)
    period = serializers.CharField(write_only=True, required=False)
    period_display = serializers.CharField(read_only=True)
    kind_display = DisplayField(source="get_kind_display")
    value_display = serializers.CharField(read_only=True)
    restated_by = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            *SUBJECTS,
            "subject_type",
            "subject_name",
            "metric",
            "metric_name",
            *PERIOD_FIELDS,
            "period",
            "period_display",
            "kind",
            "kind_display",
            *AMOUNT_FIELDS,
            "value_display",
            *COMPARISON_FIELDS,
            "note",
            "restates",
            "restatement_reason",
            "restated_by",
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]
        extra_kwargs = {"year": {"required": False}, "end_month": {"required": False}}

    help_texts = {
        "zone": _("主体之一:区域ID(写入时也可填名称)"),
        "portfolio": _("主体之一:调度清单ID"),
        "project": _("主体之一:项目ID"),
        "enterprise": _("主体之一:企业ID"),
        "subject_type": _("主体类型:zone、portfolio、project、enterprise"),
        "subject_name": _("主体名称"),
        "metric_name": _("指标名称"),
        "year": _("年度;可由 period 给出"),
        "start_month": _("累计时段的起始月,时点值为空"),
        "end_month": _("截止月,全年为12;可由 period 给出"),
        "period": format_lazy(
            _("时段文字(仅写入),如{examples},代替 year/start_month/end_month"), examples=PERIOD_EXAMPLES
        ),
        "kind": _("数值类型:actual 实际、target 目标、plan 计划、forecast 预计"),
        "value": _("数值;金额以元为单位,百分比为百分数(70.12 即 70.12%)"),
        "value_upper": _("区间上限(来源给出区间时)"),
        "scale": _("金额单位,仅金额类指标:1 元、10000 万元、100000000 亿元"),
        "currency": _("币种,金额类指标必填:CNY、USD"),
        "qualifier": QUALIFIER,
        "value_display": format_lazy(_("数值,按来源写法(如{example})"), example=EXAMPLES["value"]),
        "yoy_growth": _("同比增长(百分数)"),
        "rank": _("排名"),
        "rank_scope": _("排名范围,如全省国家级开发区"),
        "share": _("占比(百分数,0-100)"),
        "share_scope": _("占比范围,如全市"),
        "metric": _("指标代码;更正时可省略,取原数值的"),
        "restates": _(
            "所更正的原数值ID:已锁定月份的数值不在原处修改,而是新增一条更正数值;主体、指标、时段、类型"
            "省略时取原数值的"
        ),
        "restatement_reason": _("更正原因,更正时必填"),
        "restated_by": _("更正本数值的新数值ID;为空即当前有效"),
    }

    def get_subject_type(self, value: IndicatorValue) -> str | None:
        return value.subject_field

    def get_subject_name(self, value: IndicatorValue) -> str | None:
        subject = value.subject
        return subject.name if subject is not None else None

    def get_restated_by(self, value: IndicatorValue) -> int | None:
        try:
            return value.restated_by.pk
        except IndicatorValue.DoesNotExist:
            return None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        text = attrs.pop("period", None)
        if text:
            year = attrs.get("year", getattr(self.instance, "year", None))
            try:
                period = parse_period(text, year=year)
            except PeriodParseError as error:
                raise _error("period", "invalid_period", unreadable_period(error, text)) from None
            for field in PERIOD_FIELDS:
                if field in attrs and attrs[field] != getattr(period, field):
                    raise _error(
                        field, "period_conflict", format_lazy(_("与时段“{period}”不一致"), period=text)
                    )
            attrs.update(year=period.year, start_month=period.start_month, end_month=period.end_month)
        if attrs.get("restates") is not None:
            self.validate_restatement(attrs)
        if self.instance is None:
            if attrs.get("metric") is None:
                raise _error("metric", "required", _("请填写指标代码"))
            for field, message in (("year", YEAR_REQUIRED), ("end_month", END_MONTH_REQUIRED)):
                if attrs.get(field) is None:
                    raise _error(field, "required", format_lazy(message, example=PERIOD_EXAMPLE))
        return super().validate(attrs)

    def validate_restatement(self, attrs: dict[str, Any]) -> None:
        """A restatement is the same figure again: what it leaves out is the original's, and what
        it gives must agree with the original."""
        original: IndicatorValue = attrs["restates"]
        if self.instance is None:
            if not any(subject in attrs for subject in SUBJECTS):
                attrs.update(dict.fromkeys(SUBJECTS))
                attrs[original.subject_field] = original.subject
            for field in (*FACT_FIELDS, "scale", "currency"):
                attrs.setdefault(field, getattr(original, field))
        for field in (*SUBJECTS, *FACT_FIELDS):
            given = attrs[field] if field in attrs else getattr(self.instance, field, None)
            if _pk(given) != getattr(original, IndicatorValue._meta.get_field(field).attname):
                raise _error(field, "restatement_mismatch", RESTATEMENT_MISMATCH)
