"""Projects on a zone's register, their categories and stages, and their milestones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..money import AmountScale, Currency, Qualifier, format_amount, from_base
from ..periods import DatePrecision, MilestoneStatus, format_date, late_thresholds, milestone_status
from ..provenance import numbers_in
from .base import (
    AMOUNT,
    DATE_RANGE,
    FieldCheckConstraint,
    FieldUniqueConstraint,
    NaturalKeyManager,
    RestrictedQuerySet,
    Versioned,
    fuzzy_date_errors,
)
from .sources import Cited
from .zones import Enterprise, Industry, Zone

# ---------------------------------------------------------------------------------------------
# Projects and milestones


class Stage(models.TextChoices):
    """A project's life cycle (项目阶段), in order."""

    RESERVE = "reserve", _("储备")
    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约落户")
    LAND = "land", _("摘地/供地")
    PREPARATION = "preparation", _("前期")
    CONSTRUCTION = "construction", _("在建")
    TOPPED_OUT = "topped_out", _("主体封顶")
    EQUIPMENT = "equipment", _("设备安装")
    TRIAL = "trial", _("试生产")
    PRODUCTION = "production", _("投产")
    FULL_CAPACITY = "full_capacity", _("达产")
    COMPLETED = "completed", _("竣工")

    @classmethod
    def started(cls) -> list[str]:
        """Stages in which construction has started (for 开工率)."""
        values = list(cls.values)
        return values[values.index(cls.CONSTRUCTION) :]

    @classmethod
    def under_construction(cls) -> list[str]:
        return [cls.CONSTRUCTION, cls.TOPPED_OUT, cls.EQUIPMENT]


class ProjectCategory(models.Model):
    """A class of tracked project: 省大中型项目, 市级重点调度项目, "5020" 项目, "50100" 项目 …"""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True, help_text=_("分类标准,如投资额门槛"))

    objects = NaturalKeyManager("name")

    class Meta:
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class ProjectQuerySet(RestrictedQuerySet):
    def in_zone(self, zone: Zone | int, *, with_subzones: bool = True) -> ProjectQuerySet:
        if with_subzones:
            return self.filter(zone__in=Zone.objects.subtree_ids(zone))
        return self.filter(zone=zone)

    def started(self) -> ProjectQuerySet:
        """Construction has started, judged by the stage or by a reached 开工 milestone."""
        return self.filter(started_condition())

    def under_construction(self) -> ProjectQuerySet:
        return self.filter(stage__in=Stage.under_construction())

    def in_production(self) -> ProjectQuerySet:
        return self.filter(stage__in=[Stage.PRODUCTION, Stage.FULL_CAPACITY])

    def with_late_milestones(self, today: date | None = None) -> ProjectQuerySet:
        """Projects with at least one late milestone."""
        return self.filter(Exists(_late_milestones(today)))

    def without_late_milestones(self, today: date | None = None) -> ProjectQuerySet:
        return self.filter(~Exists(_late_milestones(today)))

    def with_late_milestone_count(self, today: date | None = None) -> ProjectQuerySet:
        """`late_milestones` on each project, as a correlated subquery: computed for the rows a page
        reads, not grouped over a join of every milestone."""
        late = late_condition(today or timezone.localdate())
        return self.annotate(late_milestones=related_count(Milestone, Project, late))


def _late_milestones(today: date | None) -> models.QuerySet:
    late = late_condition(today or timezone.localdate())
    return Milestone.objects.filter(late, project=OuterRef("pk"))


def related_count(model: type[models.Model], parent: type[models.Model], *conditions: Q) -> Coalesce:
    """The number of `model` rows pointing at each row of `parent` (and matching `conditions`), as
    a correlated subquery: computed for the rows a page shows, not grouped over the whole table."""
    link = next(f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is parent)
    rows = model._default_manager.filter(*conditions, **{link: OuterRef("pk")}).order_by()
    return Coalesce(Subquery(rows.values(link).annotate(n=Count("pk")).values("n")), Value(0))


class Project(Versioned, Cited):
    """An investment project on a zone's register."""

    zone = models.ForeignKey(
        Zone,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("所在区域"),
        help_text=_("来源未说明时留空"),
    )
    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, null=True, blank=True, related_name="projects", verbose_name=_("建设主体")
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="projects", verbose_name=_("产业链")
    )
    categories = models.ManyToManyField(
        ProjectCategory, blank=True, related_name="projects", verbose_name=_("项目类别")
    )
    total_investment = models.DecimalField(
        _("总投资(元)"), **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    total_investment_scale = models.PositiveIntegerField(
        _("总投资单位"), choices=AmountScale.choices, default=AmountScale.YI
    )
    currency = models.CharField(_("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    total_investment_qualifier = models.CharField(
        _("总投资限定词"), max_length=16, choices=Qualifier.choices, blank=True
    )
    capacity = models.CharField(
        _("建设规模/产能"), max_length=300, blank=True, help_text=_("如:年产3.7亿平方米光伏玻璃")
    )
    stage = models.CharField(_("项目阶段"), max_length=16, choices=Stage.choices, blank=True)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True, validators=DATE_RANGE)
    planned_start_precision = models.CharField(
        _("计划开工精度"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    planned_finish = models.DateField(_("计划竣工/投产"), null=True, blank=True, validators=DATE_RANGE)
    planned_finish_precision = models.CharField(
        _("计划竣工/投产精度"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    description = models.TextField(_("项目简介"), blank=True)

    objects = NaturalKeyManager.from_queryset(ProjectQuerySet)("zone__name", "name")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["zone__name", "name"]
        constraints = [
            FieldUniqueConstraint(
                fields=["zone", "name"],
                condition=Q(zone__isnull=False),
                name="project_unique_name_in_zone",
                field="name",
                violation_error_code="unique",
                violation_error_message=_("该区域已有同名项目"),
            ),
            FieldUniqueConstraint(
                fields=["name"],
                condition=Q(zone__isnull=True),
                name="project_unique_name_without_zone",
                field="name",
                violation_error_code="unique",
                violation_error_message=_("已有同名且未填区域的项目"),
            ),
            FieldCheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="project_investment_non_negative",
                field="total_investment",
                violation_error_code="min_value",
                violation_error_message=_("总投资不能为负数"),
            ),
            FieldCheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_finish__isnull=True)
                | Q(planned_finish__gte=models.F("planned_start")),
                name="project_finish_not_before_start",
                field="planned_finish",
                violation_error_code="finish_before_start",
                violation_error_message=_("计划竣工/投产日期不能早于计划开工日期"),
            ),
            FieldCheckConstraint(
                condition=Q(planned_start__isnull=True) | ~Q(planned_start_precision=""),
                name="project_planned_start_has_precision",
                field="planned_start_precision",
                violation_error_code="precision_required",
                violation_error_message=_("填写计划开工日期时须选择精度"),
            ),
            FieldCheckConstraint(
                condition=Q(planned_finish__isnull=True) | ~Q(planned_finish_precision=""),
                name="project_planned_finish_has_precision",
                field="planned_finish_precision",
                violation_error_code="precision_required",
                violation_error_message=_("填写计划竣工/投产日期时须选择精度"),
            ),
        ]
        indexes = [models.Index(fields=["stage"], name="project_stage_idx")]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str | None, str]:
        return (self.zone.name if self.zone_id else None, self.name)

    natural_key.dependencies = ["projects.zone"]

    def stated_numbers(self) -> set[Decimal]:
        numbers = numbers_in(self.capacity)
        if self.total_investment is not None:
            numbers.add(from_base(self.total_investment, self.total_investment_scale))
        return numbers

    @property
    def total_investment_display(self) -> str:
        return format_amount(
            self.total_investment, self.total_investment_scale, self.currency, self.total_investment_qualifier
        )

    def clean(self) -> None:
        errors = fuzzy_date_errors(
            self, ("planned_start", "planned_start_precision"), ("planned_finish", "planned_finish_precision")
        )
        if errors:
            raise ValidationError(errors)


class MilestoneKind(models.TextChoices):
    """A project's milestones (节点), in the usual order."""

    SIGNED = "signed", _("签约")
    SETTLED = "settled", _("落户")
    LAND = "land", _("摘地")
    START = "start", _("开工")
    TOPPED_OUT = "topped_out", _("主体封顶")
    EQUIPMENT = "equipment", _("设备安装")
    TRIAL = "trial", _("试生产")
    PRODUCTION = "production", _("投产")
    FULL_CAPACITY = "full_capacity", _("达产")
    COMPLETION = "completion", _("竣工验收")
    DELIVERY = "delivery", _("交付使用")
    STATISTICS = "statistics", _("入统")
    LISTED = "listed", _("上市")
    OTHER = "other", _("其他")


def late_condition(today: date, prefix: str = "") -> Q:
    """Milestones not reached although their whole planned period is over (`prefix` lets a
    project query ask about its milestones: prefix="milestones__")."""
    overdue = Q()
    for precision, threshold in late_thresholds(today).items():
        overdue |= Q(**{f"{prefix}planned_precision": precision, f"{prefix}planned_date__lt": threshold})
    return Q(**{f"{prefix}actual_date__isnull": True}) & overdue


def started_condition(prefix: str = "", by: date | None = None) -> Q:
    """Construction has started (for 开工率): by the stage, or by a 开工 milestone reached (by `by`).
    `prefix` lets another model's query ask about its project: prefix="project__"."""
    started = Milestone.objects.filter(
        project=OuterRef(f"{prefix}pk"), kind=MilestoneKind.START, actual_date__isnull=False
    )
    if by is not None:
        started = started.filter(actual_date__lte=by)
    return Q(**{f"{prefix}stage__in": Stage.started()}) | Q(Exists(started))


class MilestoneQuerySet(RestrictedQuerySet):
    def with_status(self, today: date | None = None) -> MilestoneQuerySet:
        """Annotate `status_code` (done, due, late, unscheduled), computed by the database."""
        today = today or timezone.localdate()
        return self.annotate(
            status_code=Case(
                When(actual_date__isnull=False, then=Value(MilestoneStatus.DONE)),
                When(planned_date__isnull=True, then=Value(MilestoneStatus.UNSCHEDULED)),
                When(late_condition(today), then=Value(MilestoneStatus.LATE)),
                default=Value(MilestoneStatus.DUE),
                output_field=models.CharField(),
            )
        )

    def late(self, today: date | None = None) -> MilestoneQuerySet:
        return self.filter(late_condition(today or timezone.localdate()))

    def done(self) -> MilestoneQuerySet:
        return self.filter(actual_date__isnull=False)


class Milestone(Versioned, Cited):
    """A milestone (节点) of a project: planned and actual dates, each at its own precision."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="milestones", verbose_name=_("项目"))
    kind = models.CharField(_("节点"), max_length=16, choices=MilestoneKind.choices)
    phase = models.CharField(
        _("期次/部位"), max_length=100, blank=True, help_text=_("如:一期、二期、1号窑炉")
    )
    planned_date = models.DateField(_("计划日期"), null=True, blank=True, validators=DATE_RANGE)
    planned_precision = models.CharField(
        _("计划日期精度"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    actual_date = models.DateField(_("实际日期"), null=True, blank=True, validators=DATE_RANGE)
    actual_precision = models.CharField(
        _("实际日期精度"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    note = models.TextField(_("备注"), blank=True)

    objects = NaturalKeyManager.from_queryset(MilestoneQuerySet)(
        "project__zone__name", "project__name", "kind", "phase"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "planned_date", "actual_date"]
        constraints = [
            FieldUniqueConstraint(
                fields=["project", "kind", "phase"],
                name="milestone_unique_kind_phase",
                field="kind",
                violation_error_code="unique",
                violation_error_message=_("该项目已有同一期次的同类节点"),
            ),
            FieldCheckConstraint(
                condition=Q(planned_date__isnull=True) | ~Q(planned_precision=""),
                name="milestone_planned_date_has_precision",
                field="planned_precision",
                violation_error_code="precision_required",
                violation_error_message=_("填写计划日期时须选择精度"),
            ),
            FieldCheckConstraint(
                condition=Q(actual_date__isnull=True) | ~Q(actual_precision=""),
                name="milestone_actual_date_has_precision",
                field="actual_precision",
                violation_error_code="precision_required",
                violation_error_message=_("填写实际日期时须选择精度"),
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.phase}{self.get_kind_display()}" if self.phase else self.get_kind_display()
        return f"{self.project} · {label}"

    def natural_key(self) -> tuple[str | None, str, str, str]:
        return (*self.project.natural_key(), self.kind, self.phase)

    natural_key.dependencies = ["projects.project"]

    def stated_numbers(self) -> set[Decimal]:
        """Month and day of dates given to the month or day (years are often written 今年)."""
        numbers = set()
        for day, precision in (
            (self.planned_date, self.planned_precision),
            (self.actual_date, self.actual_precision),
        ):
            if day and precision in (DatePrecision.DAY, DatePrecision.MONTH):
                numbers.add(Decimal(day.month))
            if day and precision == DatePrecision.DAY:
                numbers.add(Decimal(day.day))
        return numbers

    @property
    def status(self) -> MilestoneStatus:
        return milestone_status(
            self.planned_date, self.planned_precision, self.actual_date, timezone.localdate()
        )

    @property
    def planned_display(self) -> str:
        return format_date(self.planned_date, self.planned_precision)

    @property
    def actual_display(self) -> str:
        return format_date(self.actual_date, self.actual_precision)

    def clean(self) -> None:
        errors = fuzzy_date_errors(
            self, ("planned_date", "planned_precision"), ("actual_date", "actual_precision")
        )
        if errors:
            raise ValidationError(errors)
        # An actual date in the future is a rule (projects.rules), not a database constraint:
        # SQLite refuses the current date in CHECK constraints.
