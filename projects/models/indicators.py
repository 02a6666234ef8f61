"""The indicator catalogue and the figures stated for a zone, portfolio, project or enterprise."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..money import AmountScale, Currency, Qualifier, format_amount, from_base, plain, qualify
from ..periods import MAX_YEAR, MIN_YEAR, format_period
from .base import (
    PERCENT,
    VALUE,
    YEAR_RANGE,
    FieldCheckConstraint,
    NaturalKeyManager,
    RestrictedQuerySet,
    Versioned,
    natural_filter,
)
from .portfolios import Portfolio
from .projects import Project
from .sources import Cited
from .zones import Enterprise, Zone

# ---------------------------------------------------------------------------------------------
# Indicators


class UnitKind(models.TextChoices):
    AMOUNT = "amount", _("金额")
    COUNT = "count", _("数量")
    PERCENT = "percent", _("百分比")
    SCORE = "score", _("分值")
    QUANTITY = "quantity", _("实物量")


class FlowOrStock(models.TextChoices):
    FLOW = "flow", _("流量(按时段累计)")
    STOCK = "stock", _("存量(时点值)")


class Metric(models.Model):
    """An indicator (指标) in the catalogue: 工业营收, 固定资产投资, 规上企业数 …"""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    unit_kind = models.CharField(_("计量类型"), max_length=16, choices=UnitKind.choices)
    unit = models.CharField(
        _("计量单位"), max_length=16, blank=True, help_text=_("金额以外的单位,如:个、家、%、分、人")
    )
    flow_or_stock = models.CharField(_("流量/存量"), max_length=8, choices=FlowOrStock.choices)
    description = models.TextField(_("说明"), blank=True)

    objects = NaturalKeyManager("code")

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class ValueKind(models.TextChoices):
    ACTUAL = "actual", _("实际")
    TARGET = "target", _("目标")
    PLAN = "plan", _("计划")
    FORECAST = "forecast", _("预计")


class IndicatorValueQuerySet(RestrictedQuerySet):
    def current(self) -> IndicatorValueQuerySet:
        """Values not replaced by a restatement (更正): what reports count."""
        return self.filter(restated_by__isnull=True)

    def restatements(self) -> IndicatorValueQuerySet:
        return self.filter(restates__isnull=False)

    def actuals(self) -> IndicatorValueQuerySet:
        return self.filter(kind=ValueKind.ACTUAL)

    def targets(self) -> IndicatorValueQuerySet:
        return self.filter(kind__in=[ValueKind.TARGET, ValueKind.PLAN])

    def for_zone(self, zone: Zone | int, *, with_subzones: bool = False) -> IndicatorValueQuerySet:
        zones = Zone.objects.subtree_ids(zone) if with_subzones else [zone]
        return self.filter(zone__in=zones)

    def for_period(self, year: int, end_month: int) -> IndicatorValueQuerySet:
        return self.filter(year=year, end_month=end_month)

    def completed_investment(self, year: int) -> IndicatorValueQuerySet:
        """Completed investment (完成投资) reported in yuan for January to some month of `year`."""
        return self.current().filter(
            metric__code="completed_investment",
            kind=ValueKind.ACTUAL,
            year=year,
            start_month=1,
            currency=Currency.CNY,
            value__isnull=False,
        )


SUBJECTS = ("zone", "portfolio", "project", "enterprise")


class IndicatorValueManager(models.Manager.from_queryset(IndicatorValueQuerySet)):  # type: ignore[misc]
    """Not a NaturalKeyManager: the subject of a value is one of four models, named by its own key."""

    def get_by_natural_key(
        self, subject: str, subject_key: list, metric: str, *rest: object
    ) -> IndicatorValue:
        year, start_month, end_month, kind, value, yoy_growth = rest
        subject_model = IndicatorValue._meta.get_field(subject).related_model
        return self.get(
            **{subject: subject_model.objects.get_by_natural_key(*subject_key)},
            **natural_filter(
                metric__code=metric,
                year=year,
                start_month=start_month,
                end_month=end_month,
                kind=kind,
                value=value,
                yoy_growth=yoy_growth,
            ),
        )


def _one_subject() -> Q:
    """Exactly one of zone, portfolio, project, enterprise is set."""
    either = Q()
    for chosen in SUBJECTS:
        either |= Q(**{f"{s}__isnull": s != chosen for s in SUBJECTS})
    return either


class IndicatorValue(Versioned, Cited):
    """A figure for a subject and period: an actual, target, plan or forecast, as stated.

    The period is a year with a cumulative month range (1-5月 is 1..5), or, for a stock,
    a point in time (start_month empty, the value at the end of end_month). Two sources that
    state different figures for the same thing give two values; reports flag the conflict.
    """

    zone = models.ForeignKey(
        Zone, models.CASCADE, null=True, blank=True, related_name="indicator_values", verbose_name=_("区域")
    )
    portfolio = models.ForeignKey(
        Portfolio,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name=_("调度清单"),
    )
    project = models.ForeignKey(
        Project,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name=_("项目"),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name=_("企业"),
    )
    metric = models.ForeignKey(Metric, models.PROTECT, related_name="values", verbose_name=_("指标"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_RANGE)
    start_month = models.PositiveSmallIntegerField(
        _("起始月"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("累计时段的起始月,如1-5月填1;时点值(截至某月末)留空"),
    )
    end_month = models.PositiveSmallIntegerField(
        _("截止月"), validators=[MinValueValidator(1), MaxValueValidator(12)], help_text=_("全年填12")
    )
    kind = models.CharField(_("数值类型"), max_length=12, choices=ValueKind.choices, default=ValueKind.ACTUAL)
    value = models.DecimalField(
        _("数值"), **VALUE, null=True, blank=True, help_text=_("金额按元存储;百分比填百分数")
    )
    value_upper = models.DecimalField(
        _("区间上限"), **VALUE, null=True, blank=True, help_text=_("来源给出区间(如20%-30%)时填上限")
    )
    scale = models.PositiveIntegerField(
        _("金额单位"), choices=AmountScale.choices, null=True, blank=True, help_text=_("仅金额类指标")
    )
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, blank=True)
    qualifier = models.CharField(_("限定词"), max_length=16, choices=Qualifier.choices, blank=True)
    yoy_growth = models.DecimalField(_("同比增长(%)"), **PERCENT, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("排名"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    rank_scope = models.CharField(
        _("排名范围"), max_length=100, blank=True, help_text=_("如:全省国家级开发区")
    )
    share = models.DecimalField(
        _("占比(%)"),
        **PERCENT,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    share_scope = models.CharField(_("占比范围"), max_length=100, blank=True, help_text=_("如:全市"))
    note = models.TextField(_("备注"), blank=True)
    restates = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="restated_by",
        verbose_name=_("更正的原数值"),
        help_text=_("已锁定月份的数值不在原处修改:更正时新增一条数值并指向原数值"),
    )
    restatement_reason = models.TextField(_("更正原因"), blank=True)

    objects = IndicatorValueManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        ordering = ["-year", "end_month", "metric"]
        constraints = [
            FieldCheckConstraint(
                condition=_one_subject(),
                name="indicator_value_one_subject",
                field=None,
                violation_error_code="one_subject",
                violation_error_message=_("区域、调度清单、项目、企业须且只能填写一项"),
            ),
            FieldCheckConstraint(
                condition=Q(end_month__gte=1, end_month__lte=12)
                & (
                    Q(start_month__isnull=True)
                    | Q(start_month__gte=1, start_month__lte=models.F("end_month"))
                ),
                name="indicator_value_valid_months",
                field="start_month",
                violation_error_code="invalid_months",
                violation_error_message=_("月份须在1至12之间,且起始月不能晚于截止月"),
            ),
            FieldCheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="indicator_value_year_range",
                field="year",
                violation_error_code="invalid",
                violation_error_message=format_lazy(
                    _("年度须在{min_year}至{max_year}之间"), min_year=MIN_YEAR, max_year=MAX_YEAR
                ),
            ),
            FieldCheckConstraint(
                condition=Q(value_upper__isnull=True) | Q(value__lte=models.F("value_upper")),
                name="indicator_value_range_ordered",
                field="value_upper",
                violation_error_code="invalid",
                violation_error_message=_("区间上限不能小于数值"),
            ),
            FieldCheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gte=0, share__lte=100),
                name="indicator_value_share_percent",
                field="share",
                violation_error_code="invalid",
                violation_error_message=_("占比须在0至100之间"),
            ),
            FieldCheckConstraint(
                condition=Q(yoy_growth__isnull=True) | Q(yoy_growth__gte=-100),
                name="indicator_value_growth_above_minus_100",
                field="yoy_growth",
                violation_error_code="min_value",
                # %% is a literal percent sign: Django renders the message as a %-template
                violation_error_message=_("同比增长不能低于-100%%"),
            ),
            FieldCheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="indicator_value_rank_positive",
                field="rank",
                violation_error_code="min_value",
                violation_error_message=_("排名须为正整数"),
            ),
            FieldCheckConstraint(
                condition=Q(scale__isnull=True) | ~Q(currency=""),
                name="indicator_value_amount_has_currency",
                field="currency",
                violation_error_code="currency_required",
                violation_error_message=_("填写金额单位时须选择币种"),
            ),
            FieldCheckConstraint(
                condition=Q(restates__isnull=True) | ~Q(restatement_reason=""),
                name="indicator_value_restatement_has_reason",
                field="restatement_reason",
                violation_error_code="restatement_without_reason",
                violation_error_message=_("更正须填写更正原因"),
            ),
            FieldCheckConstraint(
                condition=Q(restates__isnull=True) | ~Q(restates=models.F("pk")),
                name="indicator_value_not_own_restatement",
                field="restates",
                violation_error_code="restates_itself",
                violation_error_message=_("数值不能更正其自身"),
            ),
        ]
        indexes = [
            models.Index(fields=["zone", "metric", "year", "end_month"], name="indicator_zone_period_idx"),
            models.Index(
                fields=["portfolio", "metric", "year", "end_month"], name="indicator_portf_period_idx"
            ),
            # A project's monthly figures (millions at province scale): reports, the monthly sheet.
            models.Index(fields=["project", "metric", "year", "end_month"], name="indicator_proj_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.period_display}{self.metric}{self.get_kind_display()}"

    @property
    def subject(self) -> models.Model | None:
        return self.zone or self.portfolio or self.project or self.enterprise

    @property
    def subject_field(self) -> str | None:
        return next((s for s in SUBJECTS if getattr(self, f"{s}_id") is not None), None)

    def natural_key(self) -> tuple:
        subject = self.subject_field
        return (
            subject,
            list(getattr(self, subject).natural_key()) if subject else None,
            self.metric.code,
            self.year,
            self.start_month,
            self.end_month,
            self.kind,
            self.value,
            self.yoy_growth,
        )

    natural_key.dependencies = [
        "projects.zone",
        "projects.portfolio",
        "projects.project",
        "projects.enterprise",
        "projects.metric",
    ]

    def stated_numbers(self) -> set[Decimal]:
        numbers = {
            from_base(v, self.scale) if self.scale else plain(v)
            for v in (self.value, self.value_upper)
            if v is not None
        }
        numbers |= {plain(Decimal(v)) for v in (self.yoy_growth, self.share, self.rank) if v is not None}
        return numbers

    @property
    def period_display(self) -> str:
        return format_period(self.year, self.start_month, self.end_month)

    @property
    def value_display(self) -> str:
        if self.value is None:
            return ""
        if self.scale:
            text = format_amount(self.value, self.scale, self.currency or Currency.CNY, self.qualifier)
            if self.value_upper is not None:
                # vocabulary: the value as the source writes it (1亿元至2亿元), like projects.money
                text += "至" + format_amount(self.value_upper, self.scale, self.currency or Currency.CNY)
            return text
        number = f"{plain(self.value)}"
        if self.value_upper is not None:
            number += f"-{plain(self.value_upper)}"
        return qualify(number, self.metric.unit, self.qualifier)

    def clean(self) -> None:
        errors = {}
        if sum(getattr(self, f"{s}_id") is not None for s in SUBJECTS) != 1:
            errors["zone"] = ValidationError(
                _("区域、调度清单、项目、企业须且只能填写一项"), code="one_subject"
            )
        if self.metric_id is not None:
            if self.metric.flow_or_stock == FlowOrStock.FLOW and self.start_month is None:
                errors["start_month"] = ValidationError(
                    _("流量指标须填写累计时段的起始月"), code="start_month_required"
                )
        if self.value is None and self.yoy_growth is None and self.rank is None and self.share is None:
            errors["value"] = ValidationError(
                _("数值、同比增长、排名、占比至少填写一项"), code="value_required"
            )
        if errors:
            raise ValidationError(errors)
