"""Portfolios (a zone's yearly lists of tracked projects) and campaigns (a push with a
checkpoint)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..money import AmountScale, format_amount, from_base
from ..periods import MAX_YEAR, MIN_YEAR, format_period
from .base import AMOUNT, DATE_RANGE, PERCENT, YEAR_RANGE, NaturalKeyManager, RestrictedManager, Versioned
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

    zone = models.ForeignKey(Zone, models.PROTECT, related_name="portfolios", verbose_name="区域")
    name = models.CharField("清单名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_RANGE)
    category = models.ForeignKey(
        ProjectCategory,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="portfolios",
        verbose_name="项目类别",
    )
    projects = models.ManyToManyField(
        Project, through="PortfolioEntry", related_name="portfolios", verbose_name="项目"
    )
    description = models.TextField("说明", blank=True)

    objects = NaturalKeyManager("zone__name", "name", "year")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "调度清单"
        verbose_name_plural = "调度清单"
        ordering = ["-year", "zone__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "name", "year"], name="portfolio_unique_name_year"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="portfolio_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}年{self.name}"

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

    portfolio = models.ForeignKey(Portfolio, models.CASCADE, related_name="entries", verbose_name="调度清单")
    project = models.ForeignKey(
        Project, models.CASCADE, related_name="portfolio_entries", verbose_name="项目"
    )
    planned_investment = models.DecimalField(
        "年度计划投资(元)", **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    planned_investment_scale = models.PositiveIntegerField(
        "年度计划投资单位", choices=AmountScale.choices, default=AmountScale.YI
    )

    objects = PortfolioEntryManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "清单项目"
        verbose_name_plural = "清单项目"
        ordering = ["portfolio", "project__name"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "project"], name="portfolio_entry_unique"),
            models.CheckConstraint(
                condition=Q(planned_investment__isnull=True) | Q(planned_investment__gte=0),
                name="portfolio_entry_plan_non_negative",
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

    name = models.CharField("名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_RANGE)
    zones = models.ManyToManyField(Zone, blank=True, related_name="campaigns", verbose_name="参与区域")
    start_month = models.PositiveSmallIntegerField(
        "起始月", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    end_month = models.PositiveSmallIntegerField(
        "截止月", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    checkpoint = models.DateField("考核时点", validators=DATE_RANGE)
    required_share = models.DecimalField(
        "时点应完成全年目标(%)",
        **PERCENT,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="双过半为50;有单列目标(如一季度目标)时留空",
    )
    description = models.TextField("说明", blank=True)

    objects = NaturalKeyManager("name", "year")

    class Meta:
        verbose_name = "攻坚行动"
        verbose_name_plural = "攻坚行动"
        ordering = ["-year", "checkpoint"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="campaign_unique_name_year"),
            models.CheckConstraint(
                condition=Q(start_month__gte=1, end_month__lte=12, start_month__lte=models.F("end_month")),
                name="campaign_valid_months",
            ),
            models.CheckConstraint(
                condition=Q(required_share__isnull=True) | Q(required_share__gte=0, required_share__lte=100),
                name="campaign_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"

    def natural_key(self) -> tuple[str, int]:
        return (self.name, self.year)

    @property
    def period_display(self) -> str:
        return format_period(self.year, self.start_month, self.end_month)
