"""Portfolios (a zone's yearly lists of tracked projects) and campaigns (a push with a
checkpoint)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..money import AmountScale, format_amount, from_base
from ..periods import MAX_YEAR, MIN_YEAR, format_period
from .base import (
    AMOUNT,
    DATE_RANGE,
    PERCENT,
    YEAR_RANGE,
    FieldCheckConstraint,
    FieldUniqueConstraint,
    NaturalKeyManager,
    RestrictedManager,
    Versioned,
)
from .projects import Project, ProjectCategory
from .sources import Cited
from .zones import Zone

# ---------------------------------------------------------------------------------------------
# Portfolios


class Portfolio(Versioned, Cited):
    """A zone's yearly list of tracked projects (调度清单), e.g. 市级工业倍增升级重点调度项目.

    Totals a source states for the whole list (project count, total investment, annual plan,
    projects started, investment completed in 1-5月 …) are indicator values of the portfolio.
    """

    zone = models.ForeignKey(Zone, models.PROTECT, related_name="portfolios", verbose_name=_("区域"))
    name = models.CharField(_("清单名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_RANGE)
    category = models.ForeignKey(
        ProjectCategory,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="portfolios",
        verbose_name=_("项目类别"),
    )
    projects = models.ManyToManyField(
        Project, through="PortfolioEntry", related_name="portfolios", verbose_name=_("项目")
    )
    description = models.TextField(_("说明"), blank=True)

    objects = NaturalKeyManager("zone__name", "name", "year")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调度清单")
        verbose_name_plural = _("调度清单")
        ordering = ["-year", "zone__name", "name"]
        constraints = [
            FieldUniqueConstraint(
                fields=["zone", "name", "year"],
                name="portfolio_unique_name_year",
                field="name",
                violation_error_code="unique",
                violation_error_message=_("该区域当年已有同名调度清单"),
            ),
            FieldCheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="portfolio_year_range",
                field="year",
                violation_error_code="invalid",
                violation_error_message=format_lazy(
                    _("年度须在{min_year}至{max_year}之间"), min_year=MIN_YEAR, max_year=MAX_YEAR
                ),
            ),
        ]

    def __str__(self) -> str:
        return gettext("{zone} {year}年{name}").format(zone=self.zone, year=self.year, name=self.name)

    def natural_key(self) -> tuple[str, str, int]:
        return (self.zone.name, self.name, self.year)

    natural_key.dependencies = ["projects.zone"]


class PortfolioEntryManager(RestrictedManager):
    """Not a NaturalKeyManager: the key names its portfolio and project by their own natural keys,
    so a missing one raises Portfolio.DoesNotExist or Project.DoesNotExist (fixtures say which)."""

    def get_by_natural_key(
        self, zone_name: str, name: str, year: int, project_zone: str | None, project_name: str
    ) -> PortfolioEntry:
        return self.get(
            portfolio=Portfolio.objects.get_by_natural_key(zone_name, name, year),
            project=Project.objects.get_by_natural_key(project_zone, project_name),
        )


class PortfolioEntry(Versioned, Cited):
    """A project on a portfolio, with its planned investment for the portfolio's year."""

    portfolio = models.ForeignKey(
        Portfolio, models.CASCADE, related_name="entries", verbose_name=_("调度清单")
    )
    project = models.ForeignKey(
        Project, models.CASCADE, related_name="portfolio_entries", verbose_name=_("项目")
    )
    planned_investment = models.DecimalField(
        _("年度计划投资(元)"), **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    planned_investment_scale = models.PositiveIntegerField(
        _("年度计划投资单位"), choices=AmountScale.choices, default=AmountScale.YI
    )

    objects = PortfolioEntryManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("清单项目")
        verbose_name_plural = _("清单项目")
        ordering = ["portfolio", "project__name"]
        constraints = [
            FieldUniqueConstraint(
                fields=["portfolio", "project"],
                name="portfolio_entry_unique",
                field="project",
                violation_error_code="unique",
                violation_error_message=_("该项目已在本调度清单中"),
            ),
            FieldCheckConstraint(
                condition=Q(planned_investment__isnull=True) | Q(planned_investment__gte=0),
                name="portfolio_entry_plan_non_negative",
                field="planned_investment",
                violation_error_code="min_value",
                violation_error_message=_("年度计划投资不能为负数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} · {self.project}"

    def natural_key(self) -> tuple:
        return (*self.portfolio.natural_key(), *self.project.natural_key())

    natural_key.dependencies = ["projects.portfolio", "projects.project"]

    def stated_numbers(self) -> set[Decimal]:
        if self.planned_investment is None:
            return set()
        return {from_base(self.planned_investment, self.planned_investment_scale)}

    @property
    def planned_investment_display(self) -> str:
        return format_amount(self.planned_investment, self.planned_investment_scale, self.project.currency)


# ---------------------------------------------------------------------------------------------
# Campaigns


class Campaign(Cited):
    """A push with a checkpoint: "强攻二季度、确保双过半" asks for half of every annual target by
    30 June; "一季度开门红" for the Q1 target; "打好收官战" for the whole year by 31 December."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_RANGE)
    zones = models.ManyToManyField(Zone, blank=True, related_name="campaigns", verbose_name=_("参与区域"))
    start_month = models.PositiveSmallIntegerField(
        _("起始月"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    end_month = models.PositiveSmallIntegerField(
        _("截止月"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    checkpoint = models.DateField(_("考核时点"), validators=DATE_RANGE)
    required_share = models.DecimalField(
        _("时点应完成全年目标(%)"),
        **PERCENT,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("双过半为50;有单列目标(如一季度目标)时留空"),
    )
    description = models.TextField(_("说明"), blank=True)

    objects = NaturalKeyManager("name", "year")

    class Meta:
        verbose_name = _("攻坚行动")
        verbose_name_plural = _("攻坚行动")
        ordering = ["-year", "checkpoint"]
        constraints = [
            FieldUniqueConstraint(
                fields=["name", "year"],
                name="campaign_unique_name_year",
                field="name",
                violation_error_code="unique",
                violation_error_message=_("当年已有同名攻坚行动"),
            ),
            FieldCheckConstraint(
                condition=Q(start_month__gte=1, end_month__lte=12, start_month__lte=models.F("end_month")),
                name="campaign_valid_months",
                field="end_month",
                violation_error_code="invalid_months",
                violation_error_message=_("月份须在1至12之间,且起始月不能晚于截止月"),
            ),
            FieldCheckConstraint(
                condition=Q(required_share__isnull=True) | Q(required_share__gte=0, required_share__lte=100),
                name="campaign_share_percent",
                field="required_share",
                violation_error_code="invalid",
                violation_error_message=_("应完成比例须在0至100之间"),
            ),
        ]

    def __str__(self) -> str:
        return gettext("{year}年{name}").format(year=self.year, name=self.name)

    def natural_key(self) -> tuple[str, int]:
        return (self.name, self.year)

    @property
    def period_display(self) -> str:
        return format_period(self.year, self.start_month, self.end_month)
