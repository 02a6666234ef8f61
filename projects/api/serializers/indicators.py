"""Metrics and indicator values: figures stated or computed for a zone, portfolio or project."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from projects.indicator_fields import AMOUNT_FIELDS, COMPARISON_FIELDS, FACT_FIELDS, PERIOD_FIELDS
from projects.models import (
    SUBJECTS,
    IndicatorValue,
    Metric,
)
from projects.periods import PeriodParseError, parse_period

from ..filters import PERIOD_FORMS_EN
from .base import (
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
        "code": "指标代码,如 industrial_revenue / Metric code",
        "name": "指标名称,如工业营收 / Metric name, e.g. 工业营收",
        "unit_kind": (
            f"计量类型:{_choices(Metric, 'unit_kind')} / Unit kind: amount, count, percent, score, quantity"
        ),
        "unit_kind_display": "计量类型名称 / Unit kind, in Chinese",
        "unit": "金额以外的计量单位,如个、家、% / Unit of non-amounts, e.g. 个, 家, %",
        "flow_or_stock": (
            "流量(按时段累计)或存量(时点值) / Flow (cumulated over a period) or stock (at a point)"
        ),
        "flow_or_stock_display": "流量/存量名称 / Flow or stock, in Chinese",
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
        "zone": (
            "主体之一:区域ID(写入时也可填名称) / One of the subjects: zone id (a name is accepted on input)"
        ),
        "portfolio": "主体之一:调度清单ID / One of the subjects: portfolio id",
        "project": "主体之一:项目ID / One of the subjects: project id",
        "enterprise": "主体之一:企业ID / One of the subjects: enterprise id",
        "subject_type": "主体类型:zone、portfolio、project、enterprise / Which of the four subjects is set",
        "subject_name": "主体名称 / Name of the subject",
        "metric_name": "指标名称 / Metric name",
        "year": "年度;可由 period 给出 / Year; may come from period",
        "start_month": (
            "累计时段的起始月,时点值为空 / First month of the cumulative period; empty for a point in time"
        ),
        "end_month": "截止月,全年为12;可由 period 给出 / Last month (12 for the year); may come from period",
        "period": (
            "时段文字(仅写入),如“2022年1-5月”“一季度”“上半年”“截至5月底”,代替 year/start_month/end_month / "
            "Period as text (input only), e.g. 2022年1-5月, 一季度, 上半年, 截至5月底, "
            "instead of the three fields"
        ),
        "kind": (
            "数值类型:actual 实际、target 目标、plan 计划、forecast 预计 / "
            "Kind of figure: actual, target, plan, forecast"
        ),
        "value": (
            "数值;金额以元为单位,百分比为百分数(70.12 即 70.12%) / Value; amounts in base units (yuan), "
            "percentages in percent (70.12 means 70.12%)"
        ),
        "value_upper": "区间上限(来源给出区间时) / Upper bound when the source gives a range",
        "scale": "金额单位,仅金额类指标:1 元、10000 万元、100000000 亿元 / Scale, amount metrics only",
        "currency": "币种,金额类指标必填:CNY、USD / Currency of amounts: CNY or USD",
        "qualifier": QUALIFIER,
        "value_display": "数值,按来源写法(如157.56亿元) / Value as the source writes it (e.g. 157.56亿元)",
        "yoy_growth": "同比增长(百分数) / Year-on-year growth in percent",
        "rank": "排名 / Rank",
        "rank_scope": "排名范围,如全省国家级开发区 / Scope of the rank",
        "share": "占比(百分数,0-100) / Share in percent (0-100)",
        "share_scope": "占比范围,如全市 / Scope of the share",
        "metric": "指标代码;更正时可省略,取原数值的 / Metric code; may be left out of a restatement",
        "restates": (
            "所更正的原数值ID:已锁定月份的数值不在原处修改,而是新增一条更正数值;主体、指标、时段、类型"
            "省略时取原数值的 / Id of the value this one restates (corrects): a figure of a locked month "
            "is never changed in place; subject, metric, period and kind default to the original's"
        ),
        "restatement_reason": "更正原因,更正时必填 / Reason for the restatement, required with restates",
        "restated_by": (
            "更正本数值的新数值ID;为空即当前有效 / Id of the value that restates this one; null while "
            "this one is current"
        ),
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
                raise _error(
                    "period",
                    "invalid_period",
                    str(error),
                    f"Cannot read the period “{text}”: {PERIOD_FORMS_EN}.",
                ) from None
            for field in PERIOD_FIELDS:
                if field in attrs and attrs[field] != getattr(period, field):
                    raise _error(
                        field,
                        "period_conflict",
                        f"与时段“{text}”不一致",
                        f"Does not agree with the period “{text}”.",
                    )
            attrs.update(year=period.year, start_month=period.start_month, end_month=period.end_month)
        if attrs.get("restates") is not None:
            self.validate_restatement(attrs)
        if self.instance is None:
            if attrs.get("metric") is None:
                raise _error("metric", "required", "请填写指标代码", "Give the metric code.")
            for field, zh, en in (("year", "年度", "year"), ("end_month", "截止月", "end month")):
                if attrs.get(field) is None:
                    raise _error(
                        field,
                        "required",
                        f"请填写{zh},或用 period 写明时段(如“2022年1-5月”)",
                        f"Give the {en}, or the period as text (e.g. 2022年1-5月).",
                    )
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
                raise _error(
                    field,
                    "restatement_mismatch",
                    "更正数值的主体、指标、时段和数值类型须与原数值一致",
                    "A restatement has the subject, metric, period and kind of the value it restates.",
                )
