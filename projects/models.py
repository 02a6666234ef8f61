"""The domain of DOMAIN.md: zones, projects, milestones, portfolios, indicators, campaigns, and
the source documents every recorded fact is cited from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models, router, transaction
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from knox.models import AuthToken
from simple_history.models import HistoricalRecords

from .extraction.candidates import TIME_KINDS, CandidateKind
from .money import AmountScale, Currency, Qualifier, format_amount, from_base, plain, qualify
from .periods import (
    MAX_YEAR,
    MIN_YEAR,
    DatePrecision,
    MilestoneStatus,
    format_date,
    format_period,
    is_period_start,
    late_thresholds,
    milestone_status,
)
from .provenance import numbers_in
from .reports.cadence import (
    CADENCE_LABELS,
    DEFAULT_DUE_DAY,
    REPORT_LABELS,
    Cadence,
    ReportPeriod,
    due_day_error,
    latest_due,
    next_due,
)
from .reports.measures import Basis
from .rules import enforce as enforce_rules

# The register's calendar (the years of projects.periods): a date or year outside it is a typing
# error (0001-01-01, 20220101 read as a year), refused wherever it is entered: admin, API, imports.
DATE_RANGE_MESSAGE = f"日期须在{MIN_YEAR}-01-01至{MAX_YEAR}-12-31之间"
DATE_RANGE = [
    MinValueValidator(date(MIN_YEAR, 1, 1), message=DATE_RANGE_MESSAGE),
    MaxValueValidator(date(MAX_YEAR, 12, 31), message=DATE_RANGE_MESSAGE),
]
YEAR_RANGE = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]

AMOUNT = {"max_digits": 20, "decimal_places": 2}  # base units (元 / US$), up to 10^18
VALUE = {"max_digits": 24, "decimal_places": 4}  # amounts, counts, percents, scores
PERCENT = {"max_digits": 9, "decimal_places": 4}


def _natural_filter(**lookups: object) -> dict[str, object]:
    """Lookups for get_by_natural_key in which None means "is empty"."""
    return {
        (f"{field}__isnull" if value is None else field): (True if value is None else value)
        for field, value in lookups.items()
    }


def _fuzzy_date_errors(obj: models.Model, *pairs: tuple[str, str]) -> dict[str, str]:
    """Validation errors of (date field, precision field) pairs: a date needs its precision and
    is stored as the first day of its period."""
    errors = {}
    for date_field, precision_field in pairs:
        day, precision = getattr(obj, date_field), getattr(obj, precision_field)
        if day and not precision:
            errors[precision_field] = "填写日期时须选择精度"
        elif day and not is_period_start(day, precision):
            errors[date_field] = "按月、季度、半年或年填写时,日期应为该时段的第一天"
    return errors


# ---------------------------------------------------------------------------------------------
# Access


class RestrictedQuerySet(models.QuerySet):
    """Every queryset of the tracker's models can be narrowed to what a user may do with it:
    `Project.objects.restrict(user, "change")`. The rules (zone roles) live in projects.access,
    the one place that decides, for the API, the admin, imports, text entry and reports alike."""

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """The rows `user` may see ("view"), change ("change") or delete ("delete")."""
        from . import access  # access reads these models; importing it here keeps the rules in one place

        return access.restrict(self, user, action)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


# ---------------------------------------------------------------------------------------------
# Sources and citations


STALE_MESSAGE = "该记录已被他人修改,您的修改未保存。请重新打开记录,核对最新内容后再修改"


class StaleVersion(Exception):
    """A save based on a version of the record that someone else has since replaced."""

    def __init__(self, obj: models.Model) -> None:
        self.obj = obj
        super().__init__(STALE_MESSAGE)


class Versioned(models.Model):
    """Optimistic concurrency: every save of an existing row claims its version with a
    conditional UPDATE, so a save made on a stale copy is refused instead of overwriting.

    Forms and the API put the version the editor saw into `version` before saving.
    """

    version = models.PositiveIntegerField(
        "版本", default=1, editable=False, help_text="每次保存加一,用于发现他人同时所作的修改"
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        expected = self.version
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=expected)
                .update(version=expected + 1)
            )
            if not claimed:
                raise StaleVersion(self)
            self.version = expected + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            try:
                super().save(*args, **kwargs)
            except BaseException:
                self.version = expected
                raise


class SourceDocumentManager(RestrictedManager):
    def get_by_natural_key(self, key: str) -> SourceDocument:
        return self.get(key=key)


class SourceDocument(models.Model):
    """A text facts are taken from: a news article, a speech, a county's written report."""

    key = models.SlugField("标识", max_length=64, unique=True)
    title = models.CharField("标题", max_length=300)
    publisher = models.CharField("发布者", max_length=200, blank=True, help_text="文中印有时填写")
    author = models.CharField("作者", max_length=200, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True, validators=DATE_RANGE)
    published_precision = models.CharField(
        "发布日期精度", max_length=8, choices=DatePrecision.choices, blank=True
    )
    published_note = models.TextField(
        "发布日期依据", blank=True, help_text="文中未印发布日期时,说明据文中哪些日期和时段推定"
    )
    file_path = models.CharField("文件路径", max_length=300, blank=True)
    text = models.TextField("全文")
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    zone = models.ForeignKey(
        "Zone",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="所属区域",
        help_text="文中数字默认归属的区域;指定后,该文本只有这一区域及其上级区域的人员可见,只有其编辑人员可修改",
    )
    subject_year = models.PositiveSmallIntegerField(
        "所述年份",
        null=True,
        blank=True,
        validators=[MinValueValidator(1978), MaxValueValidator(2100)],
        help_text="文中未写年份的时段和日期按此年份理解",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", null=True, blank=True, editable=False)

    objects = SourceDocumentManager()

    class Meta:
        verbose_name = "来源文档"
        verbose_name_plural = "来源文档"
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | ~Q(published_precision=""),
                name="source_published_date_has_precision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    @property
    def published_display(self) -> str:
        return format_date(self.published_on, self.published_precision)


class CitationManager(RestrictedManager):
    def get_by_natural_key(self, document_key: str, quote: str) -> Citation:
        return self.get(document__key=document_key, quote=quote)


class Citation(models.Model):
    """A sentence of a source document, verbatim, with its character offset in the text."""

    document = models.ForeignKey(
        SourceDocument, models.CASCADE, related_name="citations", verbose_name="来源文档"
    )
    quote = models.TextField("原文")
    start = models.PositiveIntegerField("起始位置", help_text="原文在全文中的字符偏移量(从0开始)")
    end = models.PositiveIntegerField("结束位置")

    objects = CitationManager()

    class Meta:
        verbose_name = "引文"
        verbose_name_plural = "引文"
        ordering = ["document", "start"]
        constraints = [
            models.UniqueConstraint(fields=["document", "start", "end"], name="citation_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="citation_not_empty"),
        ]

    def __str__(self) -> str:
        short = self.quote if len(self.quote) <= 40 else self.quote[:39] + "…"
        return f"[{self.document.key}:{self.start}] {short}"

    def natural_key(self) -> tuple[str, str]:
        return (*self.document.natural_key(), self.quote)

    natural_key.dependencies = ["projects.sourcedocument"]

    def clean(self) -> None:
        if self.document_id is None or self.start is None or self.end is None:
            return
        if self.end != self.start + len(self.quote):
            raise ValidationError({"end": "结束位置应等于起始位置加原文长度"})
        if self.document.text[self.start : self.end] != self.quote:
            raise ValidationError({"quote": "原文与来源文档在该位置的文字不一致"})


class Cited(models.Model):
    """A recorded fact: it carries the sentences that state it."""

    citations = models.ManyToManyField(
        Citation, blank=True, related_name="%(class)s_facts", verbose_name="引文"
    )

    class Meta:
        abstract = True

    def stated_numbers(self) -> set[Decimal]:
        """The numbers this fact states, as its source writes them (106 for 106亿元)."""
        return set()


# ---------------------------------------------------------------------------------------------
# Zones, industries, enterprises


class ZoneKind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    NEW_AREA = "new_area", "国家级新区"
    NATIONAL_ETDZ = "national_etdz", "国家级经济技术开发区"
    NATIONAL_HIGH_TECH = "national_high_tech", "国家级高新技术产业开发区"
    PROVINCIAL_ZONE = "provincial_zone", "省级开发区"
    COUNTY = "county", "区/县"
    TOWNSHIP = "township", "乡镇/街道"
    CLUSTER = "cluster", "组团/片区"
    PARK = "park", "园区"


class EntryBasis(models.TextChoices):
    """How a zone's office enters completed investment: the month's amount or January to date."""

    MONTH = "month", "当月值"
    YEAR_TO_DATE = "ytd", "累计值"


class ZoneQuerySet(RestrictedQuerySet):
    def subtree_ids(self, zone: Zone | int) -> list[int]:
        """The zone's id and those of all zones below it, one query per level of the tree."""
        root = zone.pk if isinstance(zone, Zone) else zone
        ids, level = [root], [root]
        while level:
            level = list(self.filter(parent__in=level).exclude(pk__in=ids).values_list("pk", flat=True))
            ids.extend(level)
        return ids

    def common_ancestor(self, zone_ids: list[int]) -> int | None:
        """The nearest zone that is or contains every one of `zone_ids` (None if there is none)."""
        parents = dict(self.values_list("pk", "parent_id"))

        def chain(pk: int | None) -> list[int]:
            found = []
            while pk is not None and pk not in found:
                found.append(pk)
                pk = parents.get(pk)
            return found

        chains = [chain(pk) for pk in zone_ids]
        if not chains:
            return None
        shared = set(chains[0]).intersection(*chains[1:])
        return next((pk for pk in chains[0] if pk in shared), None)

    def matching(self, name: str) -> ZoneQuerySet:
        """Zones whose name, full name or alias is exactly `name`."""
        return self.filter(Q(name=name) | Q(full_name=name) | Q(aliases__alias=name)).distinct()


class ZoneManager(models.Manager.from_queryset(ZoneQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, name: str) -> Zone:
        return self.get(name=name)


class Zone(Cited):
    """A place that keeps a project register: a province, city, county or development zone."""

    name = models.CharField("简称", max_length=100, unique=True, help_text="如:上饶经开区")
    full_name = models.CharField("全称", max_length=200, blank=True, help_text="如:上饶经济技术开发区")
    kind = models.CharField("类型", max_length=24, choices=ZoneKind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级区域",
    )
    area_km2 = models.DecimalField(
        "面积(平方公里)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    industries = models.ManyToManyField(
        "Industry", blank=True, related_name="zones", verbose_name="主导产业链"
    )
    description = models.TextField("说明", blank=True)
    entry_deadline_day = models.PositiveSmallIntegerField(
        "填报截止日",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="每月数据须在次月该日(1–28)24时前填报,之后锁定,管理员可重新开放;留空则不设填报期、不锁定",
    )
    entry_basis = models.CharField(
        "完成投资填报口径",
        max_length=8,
        choices=EntryBasis.choices,
        default=EntryBasis.MONTH,
        help_text="月报填报时录入当月完成投资或1月至当月累计,另一项自动推算",
    )

    objects = ZoneManager()
    history = HistoricalRecords(excluded_fields=["description"])

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="zone_not_own_parent"),
            models.CheckConstraint(
                condition=Q(area_km2__isnull=True) | Q(area_km2__gte=0), name="zone_area_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(entry_deadline_day__isnull=True)
                | Q(entry_deadline_day__gte=1, entry_deadline_day__lte=28),
                name="zone_entry_deadline_day_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    def stated_numbers(self) -> set[Decimal]:
        return {self.area_km2} if self.area_km2 is not None else set()

    def clean(self) -> None:
        ancestor, seen = self.parent, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"parent": "上级区域不能是本区域或其下级区域"})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class ZoneAliasManager(RestrictedManager):
    def get_by_natural_key(self, alias: str) -> ZoneAlias:
        return self.get(alias=alias)


class ZoneAlias(models.Model):
    """Another name a zone goes by: 南昌经开区 is also 赣江新区经开组团."""

    zone = models.ForeignKey(Zone, models.CASCADE, related_name="aliases", verbose_name="区域")
    alias = models.CharField("别名", max_length=200, unique=True)

    objects = ZoneAliasManager()

    class Meta:
        verbose_name = "区域别名"
        verbose_name_plural = "区域别名"
        ordering = ["alias"]

    def __str__(self) -> str:
        return self.alias

    def natural_key(self) -> tuple[str]:
        return (self.alias,)


class ZoneRole(models.TextChoices):
    """What a user may do in a zone and its sub-zones (projects.access applies it)."""

    EDITOR = "editor", "编辑"
    VIEWER = "viewer", "只读"


class ZoneMembershipQuerySet(RestrictedQuerySet):
    def editors(self) -> ZoneMembershipQuerySet:
        return self.filter(role=ZoneRole.EDITOR)

    def viewers(self) -> ZoneMembershipQuerySet:
        return self.filter(role=ZoneRole.VIEWER)


class ZoneMembership(models.Model):
    """A user's role in a zone: an editor changes the data of the zone and its sub-zones, a viewer
    reads them. Granted with `manage.py grant_zone_role` or in the admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="zone_memberships", verbose_name="用户"
    )
    zone = models.ForeignKey(Zone, models.CASCADE, related_name="memberships", verbose_name="区域")
    role = models.CharField("角色", max_length=8, choices=ZoneRole.choices, default=ZoneRole.VIEWER)

    objects = ZoneMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "区域权限"
        verbose_name_plural = "区域权限"
        ordering = ["user", "zone__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "zone"], name="zone_membership_unique_user_zone"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.zone} · {self.get_role_display()}"


class EntryReopeningQuerySet(RestrictedQuerySet):
    def reopened_until(
        self, zone_ids: set[int], months: set[tuple[int, int]]
    ) -> dict[tuple[int, int, int], date]:
        """{(zone_id, year, month): the latest day it is reopened until} for the given zones
        and months, in one query."""
        if not zone_ids or not months:
            return {}
        in_months = Q()
        for year, month in months:
            in_months |= Q(year=year, month=month)
        rows = self.filter(in_months, zone_id__in=zone_ids).values_list("zone_id", "year", "month", "until")
        latest: dict[tuple[int, int, int], date] = {}
        for zone_id, year, month, until in rows:
            key = (zone_id, year, month)
            latest[key] = max(until, latest.get(key, until))
        return latest


class EntryReopening(models.Model):
    """An administrator reopens a locked month of a zone for entry until a given day: recorded,
    with who, when and why."""

    zone = models.ForeignKey(Zone, models.CASCADE, related_name="reopenings", verbose_name="区域")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_RANGE)
    month = models.PositiveSmallIntegerField("月份", validators=[MinValueValidator(1), MaxValueValidator(12)])
    until = models.DateField("开放至", help_text="含当日", validators=DATE_RANGE)
    reason = models.TextField("原因")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="开放人",
    )
    reopened_at = models.DateTimeField("开放时间", auto_now_add=True)

    objects = EntryReopeningQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "重新开放填报"
        verbose_name_plural = "重新开放填报"
        ordering = ["-reopened_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="entry_reopening_month_range"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="entry_reopening_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.year}年{self.month}月 开放至{self.until:%Y-%m-%d}"


class NamedManager(RestrictedManager):
    def get_by_natural_key(self, name: str) -> models.Model:
        return self.get(name=name)


class Industry(Cited):
    """An industrial chain (产业链) such as 光伏新能源 or 稀土新材料及应用."""

    name = models.CharField("名称", max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级产业"
    )
    description = models.TextField("说明", blank=True)

    objects = NamedManager()

    class Meta:
        verbose_name = "产业链"
        verbose_name_plural = "产业链"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class Enterprise(Cited):
    """A company that invests in or runs a project."""

    name = models.CharField("名称", max_length=200, unique=True, help_text="文中最完整的称呼")
    short_name = models.CharField("简称", max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="subsidiaries", verbose_name="母公司"
    )
    zone = models.ForeignKey(
        Zone, models.PROTECT, null=True, blank=True, related_name="enterprises", verbose_name="所在区域"
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="enterprises", verbose_name="产业链"
    )
    description = models.TextField("说明", blank=True)

    objects = NamedManager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


# ---------------------------------------------------------------------------------------------
# Projects and milestones


class Stage(models.TextChoices):
    """A project's life cycle (项目阶段), in order."""

    RESERVE = "reserve", "储备"
    NEGOTIATING = "negotiating", "在谈"
    SIGNED = "signed", "签约落户"
    LAND = "land", "摘地/供地"
    PREPARATION = "preparation", "前期"
    CONSTRUCTION = "construction", "在建"
    TOPPED_OUT = "topped_out", "主体封顶"
    EQUIPMENT = "equipment", "设备安装"
    TRIAL = "trial", "试生产"
    PRODUCTION = "production", "投产"
    FULL_CAPACITY = "full_capacity", "达产"
    COMPLETED = "completed", "竣工"

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

    name = models.CharField("名称", max_length=100, unique=True)
    description = models.TextField("说明", blank=True, help_text="分类标准,如投资额门槛")

    objects = NamedManager()

    class Meta:
        verbose_name = "项目类别"
        verbose_name_plural = "项目类别"
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


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, zone_name: str | None, name: str) -> Project:
        return self.get(**_natural_filter(zone__name=zone_name), name=name)


class Project(Versioned, Cited):
    """An investment project on a zone's register."""

    zone = models.ForeignKey(
        Zone,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="所在区域",
        help_text="来源未说明时留空",
    )
    name = models.CharField("项目名称", max_length=200)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, null=True, blank=True, related_name="projects", verbose_name="建设主体"
    )
    industries = models.ManyToManyField(Industry, blank=True, related_name="projects", verbose_name="产业链")
    categories = models.ManyToManyField(
        ProjectCategory, blank=True, related_name="projects", verbose_name="项目类别"
    )
    total_investment = models.DecimalField(
        "总投资(元)", **AMOUNT, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    total_investment_scale = models.PositiveIntegerField(
        "总投资单位", choices=AmountScale.choices, default=AmountScale.YI
    )
    currency = models.CharField("币种", max_length=3, choices=Currency.choices, default=Currency.CNY)
    total_investment_qualifier = models.CharField(
        "总投资限定词", max_length=16, choices=Qualifier.choices, blank=True
    )
    capacity = models.CharField(
        "建设规模/产能", max_length=300, blank=True, help_text="如:年产3.7亿平方米光伏玻璃"
    )
    stage = models.CharField("项目阶段", max_length=16, choices=Stage.choices, blank=True)
    planned_start = models.DateField("计划开工", null=True, blank=True, validators=DATE_RANGE)
    planned_start_precision = models.CharField(
        "计划开工精度", max_length=8, choices=DatePrecision.choices, blank=True
    )
    planned_finish = models.DateField("计划竣工/投产", null=True, blank=True, validators=DATE_RANGE)
    planned_finish_precision = models.CharField(
        "计划竣工/投产精度", max_length=8, choices=DatePrecision.choices, blank=True
    )
    description = models.TextField("项目简介", blank=True)

    objects = ProjectManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["zone__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "name"], condition=Q(zone__isnull=False), name="project_unique_name_in_zone"
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(zone__isnull=True), name="project_unique_name_without_zone"
            ),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="project_investment_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_finish__isnull=True)
                | Q(planned_finish__gte=models.F("planned_start")),
                name="project_finish_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True) | ~Q(planned_start_precision=""),
                name="project_planned_start_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(planned_finish__isnull=True) | ~Q(planned_finish_precision=""),
                name="project_planned_finish_has_precision",
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
        errors = _fuzzy_date_errors(
            self, ("planned_start", "planned_start_precision"), ("planned_finish", "planned_finish_precision")
        )
        if errors:
            raise ValidationError(errors)
        enforce_rules(self)


class MilestoneKind(models.TextChoices):
    """A project's milestones (节点), in the usual order."""

    SIGNED = "signed", "签约"
    SETTLED = "settled", "落户"
    LAND = "land", "摘地"
    START = "start", "开工"
    TOPPED_OUT = "topped_out", "主体封顶"
    EQUIPMENT = "equipment", "设备安装"
    TRIAL = "trial", "试生产"
    PRODUCTION = "production", "投产"
    FULL_CAPACITY = "full_capacity", "达产"
    COMPLETION = "completion", "竣工验收"
    DELIVERY = "delivery", "交付使用"
    STATISTICS = "statistics", "入统"
    LISTED = "listed", "上市"
    OTHER = "other", "其他"


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


class MilestoneManager(models.Manager.from_queryset(MilestoneQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(
        self, zone_name: str | None, project_name: str, kind: str, phase: str
    ) -> Milestone:
        return self.get(
            **_natural_filter(project__zone__name=zone_name),
            project__name=project_name,
            kind=kind,
            phase=phase,
        )


class Milestone(Versioned, Cited):
    """A milestone (节点) of a project: planned and actual dates, each at its own precision."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="milestones", verbose_name="项目")
    kind = models.CharField("节点", max_length=16, choices=MilestoneKind.choices)
    phase = models.CharField("期次/部位", max_length=100, blank=True, help_text="如:一期、二期、1号窑炉")
    planned_date = models.DateField("计划日期", null=True, blank=True, validators=DATE_RANGE)
    planned_precision = models.CharField(
        "计划日期精度", max_length=8, choices=DatePrecision.choices, blank=True
    )
    actual_date = models.DateField("实际日期", null=True, blank=True, validators=DATE_RANGE)
    actual_precision = models.CharField(
        "实际日期精度", max_length=8, choices=DatePrecision.choices, blank=True
    )
    note = models.TextField("备注", blank=True)

    objects = MilestoneManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["project", "planned_date", "actual_date"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "phase"], name="milestone_unique_kind_phase"),
            models.CheckConstraint(
                condition=Q(planned_date__isnull=True) | ~Q(planned_precision=""),
                name="milestone_planned_date_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(actual_date__isnull=True) | ~Q(actual_precision=""),
                name="milestone_actual_date_has_precision",
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
        errors = _fuzzy_date_errors(
            self, ("planned_date", "planned_precision"), ("actual_date", "actual_precision")
        )
        if errors:
            raise ValidationError(errors)
        # An actual date in the future is a rule, not a database constraint: SQLite refuses the
        # current date in CHECK constraints.
        enforce_rules(self)


# ---------------------------------------------------------------------------------------------
# Portfolios


class PortfolioManager(RestrictedManager):
    def get_by_natural_key(self, zone_name: str, name: str, year: int) -> Portfolio:
        return self.get(zone__name=zone_name, name=name, year=year)


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

    objects = PortfolioManager()
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

    def clean(self) -> None:
        if self.portfolio_id is not None and self.project_id is not None:
            enforce_rules(self)  # a plan changed after its year began needs a reason


# ---------------------------------------------------------------------------------------------
# Indicators


class UnitKind(models.TextChoices):
    AMOUNT = "amount", "金额"
    COUNT = "count", "数量"
    PERCENT = "percent", "百分比"
    SCORE = "score", "分值"
    QUANTITY = "quantity", "实物量"


class FlowOrStock(models.TextChoices):
    FLOW = "flow", "流量(按时段累计)"
    STOCK = "stock", "存量(时点值)"


class MetricManager(RestrictedManager):
    def get_by_natural_key(self, code: str) -> Metric:
        return self.get(code=code)


class Metric(models.Model):
    """An indicator (指标) in the catalogue: 工业营收, 固定资产投资, 规上企业数 …"""

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    unit_kind = models.CharField("计量类型", max_length=16, choices=UnitKind.choices)
    unit = models.CharField(
        "计量单位", max_length=16, blank=True, help_text="金额以外的单位,如:个、家、%、分、人"
    )
    flow_or_stock = models.CharField("流量/存量", max_length=8, choices=FlowOrStock.choices)
    description = models.TextField("说明", blank=True)

    objects = MetricManager()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class ValueKind(models.TextChoices):
    ACTUAL = "actual", "实际"
    TARGET = "target", "目标"
    PLAN = "plan", "计划"
    FORECAST = "forecast", "预计"


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
    def get_by_natural_key(
        self, subject: str, subject_key: list, metric: str, *rest: object
    ) -> IndicatorValue:
        year, start_month, end_month, kind, value, yoy_growth = rest
        subject_model = IndicatorValue._meta.get_field(subject).related_model
        return self.get(
            **{subject: subject_model.objects.get_by_natural_key(*subject_key)},
            **_natural_filter(
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
        Zone, models.CASCADE, null=True, blank=True, related_name="indicator_values", verbose_name="区域"
    )
    portfolio = models.ForeignKey(
        Portfolio,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name="调度清单",
    )
    project = models.ForeignKey(
        Project, models.CASCADE, null=True, blank=True, related_name="indicator_values", verbose_name="项目"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name="企业",
    )
    metric = models.ForeignKey(Metric, models.PROTECT, related_name="values", verbose_name="指标")
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_RANGE)
    start_month = models.PositiveSmallIntegerField(
        "起始月",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="累计时段的起始月,如1-5月填1;时点值(截至某月末)留空",
    )
    end_month = models.PositiveSmallIntegerField(
        "截止月", validators=[MinValueValidator(1), MaxValueValidator(12)], help_text="全年填12"
    )
    kind = models.CharField("数值类型", max_length=12, choices=ValueKind.choices, default=ValueKind.ACTUAL)
    value = models.DecimalField(
        "数值", **VALUE, null=True, blank=True, help_text="金额按元存储;百分比填百分数"
    )
    value_upper = models.DecimalField(
        "区间上限", **VALUE, null=True, blank=True, help_text="来源给出区间(如20%-30%)时填上限"
    )
    scale = models.PositiveIntegerField(
        "金额单位", choices=AmountScale.choices, null=True, blank=True, help_text="仅金额类指标"
    )
    currency = models.CharField("币种", max_length=3, choices=Currency.choices, blank=True)
    qualifier = models.CharField("限定词", max_length=16, choices=Qualifier.choices, blank=True)
    yoy_growth = models.DecimalField("同比增长(%)", **PERCENT, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("排名", null=True, blank=True, validators=[MinValueValidator(1)])
    rank_scope = models.CharField("排名范围", max_length=100, blank=True, help_text="如:全省国家级开发区")
    share = models.DecimalField(
        "占比(%)", **PERCENT, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    share_scope = models.CharField("占比范围", max_length=100, blank=True, help_text="如:全市")
    note = models.TextField("备注", blank=True)
    restates = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="restated_by",
        verbose_name="更正的原数值",
        help_text="已锁定月份的数值不在原处修改:更正时新增一条数值并指向原数值",
    )
    restatement_reason = models.TextField("更正原因", blank=True)

    objects = IndicatorValueManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = "指标数值"
        ordering = ["-year", "end_month", "metric"]
        constraints = [
            models.CheckConstraint(condition=_one_subject(), name="indicator_value_one_subject"),
            models.CheckConstraint(
                condition=Q(end_month__gte=1, end_month__lte=12)
                & (
                    Q(start_month__isnull=True)
                    | Q(start_month__gte=1, start_month__lte=models.F("end_month"))
                ),
                name="indicator_value_valid_months",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="indicator_value_year_range"
            ),
            models.CheckConstraint(
                condition=Q(value_upper__isnull=True) | Q(value__lte=models.F("value_upper")),
                name="indicator_value_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(share__gte=0, share__lte=100),
                name="indicator_value_share_percent",
            ),
            models.CheckConstraint(
                condition=Q(yoy_growth__isnull=True) | Q(yoy_growth__gte=-100),
                name="indicator_value_growth_above_minus_100",
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="indicator_value_rank_positive"
            ),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | ~Q(currency=""), name="indicator_value_amount_has_currency"
            ),
            models.CheckConstraint(
                condition=Q(restates__isnull=True) | ~Q(restatement_reason=""),
                name="indicator_value_restatement_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(restates__isnull=True) | ~Q(restates=models.F("pk")),
                name="indicator_value_not_own_restatement",
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
                text += "至" + format_amount(self.value_upper, self.scale, self.currency or Currency.CNY)
            return text
        number = f"{plain(self.value)}"
        if self.value_upper is not None:
            number += f"-{plain(self.value_upper)}"
        return qualify(number, self.metric.unit, self.qualifier)

    def clean(self) -> None:
        errors = {}
        if sum(getattr(self, f"{s}_id") is not None for s in SUBJECTS) != 1:
            errors["zone"] = "区域、调度清单、项目、企业须且只能填写一项"
        if self.metric_id is not None:
            if self.metric.flow_or_stock == FlowOrStock.FLOW and self.start_month is None:
                errors["start_month"] = "流量指标须填写累计时段的起始月"
        if self.value is None and self.yoy_growth is None and self.rank is None and self.share is None:
            errors["value"] = "数值、同比增长、排名、占比至少填写一项"
        if errors:
            raise ValidationError(errors)
        enforce_rules(self)  # units, cumulative investment, windows, outliers, targets


# ---------------------------------------------------------------------------------------------
# Campaigns


class CampaignManager(RestrictedManager):
    def get_by_natural_key(self, name: str, year: int) -> Campaign:
        return self.get(name=name, year=year)


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

    objects = CampaignManager()

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


# ---------------------------------------------------------------------------------------------
# Scheduled reports (调度通报): schedules, the runs they make, and the files of each run


class ReportFormat(models.TextChoices):
    HTML = "html", "网页(HTML)"
    XLSX = "xlsx", "Excel表格(XLSX)"
    PDF = "pdf", "PDF文档"


class ReportCadence(models.TextChoices):
    WEEKLY = Cadence.WEEKLY.value, CADENCE_LABELS[Cadence.WEEKLY]
    MONTHLY = Cadence.MONTHLY.value, CADENCE_LABELS[Cadence.MONTHLY]
    QUARTERLY = Cadence.QUARTERLY.value, CADENCE_LABELS[Cadence.QUARTERLY]


class ScopeKind(models.TextChoices):
    ZONE = "zone", "区域(含下级区域)"
    PORTFOLIO = "portfolio", "调度清单"
    CAMPAIGN = "campaign", "攻坚行动"


def default_formats() -> list[str]:
    return list(ReportFormat.values)


# A report goes to the people of a zone's office, not to a mailing list: a schedule or run with
# thousands of recipients is a mistake or an attempt to send mail through the tracker.
MAX_RECIPIENTS = 50
RECIPIENTS_MESSAGE = f"收件人最多{MAX_RECIPIENTS}个"


def _email_list_errors(recipients: object) -> ValidationError | None:
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        return ValidationError("收件人应为电子邮箱地址的列表", code="invalid")
    if len(recipients) > MAX_RECIPIENTS:
        return ValidationError(RECIPIENTS_MESSAGE, code="too_many_recipients")
    bad = []
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        return ValidationError(f"以下收件人不是有效的电子邮箱地址:{'、'.join(bad)}", code="invalid_email")
    return None


def _format_list_errors(formats: object) -> ValidationError | None:
    if not isinstance(formats, list) or not formats:
        return ValidationError("请至少选择一种格式(html、xlsx、pdf)", code="formats_required")
    unknown = [f for f in formats if f not in ReportFormat.values]
    if unknown:
        return ValidationError(
            f"不支持的格式:{'、'.join(map(str, unknown))};可选 html、xlsx、pdf", code="unknown_format"
        )
    if len(set(formats)) != len(formats):
        return ValidationError("格式重复", code="duplicate_format")
    return None


class ReportScope(models.Model):
    """What a report is about: a zone with its sub-zones, one portfolio, or a campaign's zones.

    `zone` is also whose report it is, for access: the zone itself, the portfolio's zone, or for a
    campaign the nearest zone above all of its zones (none when they share no ancestor; such a
    report is read by every user and managed by superusers only)."""

    zone = models.ForeignKey(
        Zone, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="区域"
    )
    portfolio = models.ForeignKey(
        Portfolio, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="调度清单"
    )
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="攻坚行动"
    )
    basis = models.CharField("时间进度口径", max_length=8, choices=Basis.choices, default=Basis.MONTH)

    class Meta:
        abstract = True

    @property
    def scope_kind(self) -> str:
        if self.campaign_id:
            return ScopeKind.CAMPAIGN
        return ScopeKind.PORTFOLIO if self.portfolio_id else ScopeKind.ZONE

    @property
    def scope_name(self) -> str:
        if self.campaign_id:
            return str(self.campaign)
        if self.portfolio_id:
            return f"{self.portfolio.zone.name}·{self.portfolio.name}"
        return self.zone.name if self.zone_id else ""

    @staticmethod
    def owner_zone_id(
        zone_id: int | None, portfolio: Portfolio | None, campaign: Campaign | None
    ) -> int | None:
        """Whose report it is: the portfolio's zone, the zone above all of a campaign's zones, or
        the zone itself. The one place a scope's owner is decided."""
        if portfolio is not None:
            return portfolio.zone_id
        if campaign is not None:
            return Zone.objects.common_ancestor([z.pk for z in campaign.zones.all()])
        return zone_id

    def fill_scope_zone(self) -> None:
        self.zone_id = self.owner_zone_id(self.zone_id, self.portfolio, self.campaign)

    def scope_errors(self) -> dict[str, str | ValidationError]:
        errors = {}
        if self.portfolio_id and self.campaign_id:
            errors["campaign"] = "调度清单和攻坚行动只能选择其一"
        elif not (self.zone_id or self.portfolio_id or self.campaign_id):
            errors["zone"] = "请选择区域、调度清单或攻坚行动之一作为报告范围"
        elif self.campaign_id and not self.campaign.zones.exists():
            errors["campaign"] = "该攻坚行动还没有参与区域,无法生成报告"
        return errors


class ReportSchedule(Versioned, ReportScope):
    """A report made on a cadence without anyone asking: 赣县区's 月报 on the 5th of every month."""

    name = models.CharField("名称", max_length=200, blank=True, help_text="留空则按范围和周期自动命名")
    cadence = models.CharField(
        "周期", max_length=12, choices=ReportCadence.choices, default=ReportCadence.MONTHLY
    )
    due_day = models.PositiveSmallIntegerField(
        "报送日",
        null=True,
        blank=True,
        help_text="每月、每季度:次月(季后首月)的第几日(1–28,默认月报5日、季报10日);每周:次周星期几(1=周一,默认周一)",
    )
    formats = models.JSONField("格式", default=default_formats, help_text="html、xlsx、pdf,可多选")
    recipients = models.JSONField("收件人", default=list, blank=True, help_text="电子邮箱地址,每行一个")
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    history = HistoricalRecords()

    objects = RestrictedManager()

    class Meta:
        verbose_name = "报告计划"
        verbose_name_plural = "报告计划"
        ordering = ["zone__name", "cadence", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_day__isnull=True) | Q(due_day__gte=1, due_day__lte=28),
                name="report_schedule_due_day_range",
            ),
            models.CheckConstraint(
                condition=Q(portfolio__isnull=True) | Q(campaign__isnull=True),
                name="report_schedule_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.default_name()

    def default_name(self) -> str:
        label = REPORT_LABELS[Cadence(self.cadence)]
        return f"{self.scope_name} 调度通报({label})"

    @property
    def effective_due_day(self) -> int:
        return self.due_day or DEFAULT_DUE_DAY[Cadence(self.cadence)]

    def clean(self) -> None:
        errors = self.scope_errors()
        if self.due_day is not None and self.cadence in ReportCadence.values:
            if message := due_day_error(self.cadence, self.due_day):
                errors["due_day"] = ValidationError(message, code="due_day_range")
        if message := _format_list_errors(self.formats):
            errors["formats"] = message
        if message := _email_list_errors(self.recipients):
            errors["recipients"] = message
        if errors:
            raise ValidationError(errors)
        self.fill_scope_zone()

    def latest_due_period(self, today: date) -> ReportPeriod:
        return latest_due(self.cadence, self.effective_due_day, today)

    def next_due_date(self, today: date) -> date:
        return next_due(self.cadence, self.effective_due_day, today)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class DeliveryStatus(models.TextChoices):
    NOT_NEEDED = "none", "无需发送"
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class ReportRunQuerySet(RestrictedQuerySet):
    def listing(self) -> ReportRunQuerySet:
        """Runs for lists: without their snapshot, with their files' formats but not contents."""
        files = models.Prefetch("files", queryset=ReportFile.objects.defer("content").order_by("format"))
        return self.defer("snapshot").prefetch_related(files)

    def retryable(self, max_attempts: int, failed_before) -> ReportRunQuerySet:
        """Failed runs with attempts left that failed before `failed_before` (an earlier pass)."""
        return self.filter(status=RunStatus.FAILED, attempts__lt=max_attempts, finished_at__lt=failed_before)

    def stalled(self, before) -> ReportRunQuerySet:
        """Runs a worker took and never finished (killed mid-run), or never took at all."""
        return self.filter(
            Q(status=RunStatus.RUNNING, started_at__lt=before)
            | Q(status=RunStatus.QUEUED, queued_at__lt=before)
        )

    def undelivered(self, max_attempts: int, failed_before, stalled_before) -> ReportRunQuerySet:
        """Runs whose e-mail failed (before `failed_before`) with attempts left, or was queued or
        taken and never finished."""
        waiting = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        return self.filter(status=RunStatus.DONE).filter(
            Q(
                delivery_status=DeliveryStatus.FAILED,
                delivery_attempts__lt=max_attempts,
                delivery_started_at__lt=failed_before,
            )
            | Q(delivery_status__in=waiting, delivery_started_at__lt=stalled_before)
            | Q(delivery_status__in=waiting, delivery_started_at__isnull=True, finished_at__lt=stalled_before)
        )


class ReportRun(ReportScope):
    """One report, made once and kept: a frozen snapshot of the figures and the files rendered
    from it. Later edits to the data never change it; the next run shows what changed."""

    schedule = models.ForeignKey(
        ReportSchedule,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name="报告计划",
        help_text="按需生成的报告没有计划",
    )
    cadence = models.CharField("周期", max_length=12, choices=ReportCadence.choices, blank=True)
    period_start = models.DateField("起始日", validators=DATE_RANGE)
    period_end = models.DateField("截止日", validators=DATE_RANGE)
    due_on = models.DateField("应报送日", null=True, blank=True, validators=DATE_RANGE)
    formats = models.JSONField("格式", default=default_formats)
    recipients = models.JSONField("收件人", default=list, blank=True)
    status = models.CharField("状态", max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    error = models.TextField("错误信息", blank=True)
    attempts = models.PositiveSmallIntegerField("生成次数", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
    )
    queued_at = models.DateTimeField("排队时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    fingerprint = models.CharField(
        "数据指纹", max_length=64, blank=True, help_text="生成报告所用数据的SHA-256"
    )
    snapshot = models.JSONField("数据快照", null=True, blank=True, editable=False)
    delivery_status = models.CharField(
        "发送状态", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_NEEDED
    )
    delivery_error = models.TextField("发送错误", blank=True)
    delivery_attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    delivery_started_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("发送时间", null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = "报告"
        verbose_name_plural = "报告"
        ordering = ["-period_start", "-pk"]
        constraints = [
            # The database decides that each scheduled period is made once, however many schedulers run.
            models.UniqueConstraint(fields=["schedule", "period_start"], name="report_run_once_per_period"),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="report_run_period_order"
            ),
        ]
        indexes = [models.Index(fields=["status", "queued_at"], name="report_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.scope_name} {self.period.display}{self.period.label}"

    @property
    def period(self) -> ReportPeriod:
        return ReportPeriod(self.cadence, self.period_start, self.period_end, self.due_on)

    def clean(self) -> None:
        errors = self.scope_errors()
        if message := _format_list_errors(self.formats):
            errors["formats"] = message
        if message := _email_list_errors(self.recipients):
            errors["recipients"] = message
        if errors:
            raise ValidationError(errors)
        self.fill_scope_zone()


class ReportFile(models.Model):
    """One format of a run, kept in the database with the run: any app server can serve it and a
    run is never left with half its files."""

    run = models.ForeignKey(ReportRun, models.CASCADE, related_name="files", verbose_name="报告")
    format = models.CharField("格式", max_length=8, choices=ReportFormat.choices)
    content = models.BinaryField("内容")
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "报告文件"
        verbose_name_plural = "报告文件"
        ordering = ["run", "format"]
        constraints = [models.UniqueConstraint(fields=["run", "format"], name="report_file_one_per_format")]

    def __str__(self) -> str:
        return f"{self.run} · {self.get_format_display()}"


# ---------------------------------------------------------------------------------------------
# Facts extracted from text, waiting for review


class FactStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "已驳回"


class ExtractedFactQuerySet(RestrictedQuerySet):
    def pending(self) -> ExtractedFactQuerySet:
        return self.filter(status=FactStatus.PENDING)

    def recordable(self) -> ExtractedFactQuerySet:
        """Facts that can become a record (periods and dates only qualify the others)."""
        return self.exclude(kind__in=sorted(TIME_KINDS))


class ExtractedFact(models.Model):
    """A fact the extractor read from a source document. Nothing is recorded until staff accept
    it; accepting creates (or links) the project, milestone or indicator value, cited to the
    sentence the fact stands in."""

    document = models.ForeignKey(
        SourceDocument, models.CASCADE, related_name="extracted_facts", verbose_name="来源文档"
    )
    kind = models.CharField("类型", max_length=12, choices=CandidateKind.choices)
    quote = models.TextField("原文")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    sentence_start = models.PositiveIntegerField("所在句起始位置")
    sentence_end = models.PositiveIntegerField("所在句结束位置")
    reading = models.JSONField(
        "识别结果", default=dict, help_text="提取程序的读数:数值、单位、主体、指标、时段等"
    )
    status = models.CharField("状态", max_length=8, choices=FactStatus.choices, default=FactStatus.PENDING)
    project = models.ForeignKey(
        "Project", models.SET_NULL, null=True, blank=True, related_name="extracted_facts", verbose_name="项目"
    )
    milestone = models.ForeignKey(
        "Milestone",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="extracted_facts",
        verbose_name="节点",
    )
    indicator_value = models.ForeignKey(
        "IndicatorValue",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="extracted_facts",
        verbose_name="指标数值",
    )
    note = models.TextField("审核说明", blank=True, help_text="驳回原因,或对识别结果所作的更正")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = ExtractedFactQuerySet.as_manager()

    class Meta:
        verbose_name = "待审核事实"
        verbose_name_plural = "待审核事实"
        ordering = ["document", "start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "start", "end"], name="extracted_fact_unique_span"
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="extracted_fact_not_empty"),
            models.CheckConstraint(
                condition=Q(sentence_start__lte=models.F("start")) & Q(sentence_end__gte=models.F("end")),
                name="extracted_fact_in_its_sentence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quote}"

    @property
    def sentence(self) -> str:
        return self.document.text[self.sentence_start : self.sentence_end]


# ---------------------------------------------------------------------------------------------
# Imports


class ImportKind(models.TextChoices):
    MONTHLY = "monthly", "月报数据"
    PROJECTS = "projects", "项目"
    INDICATORS = "indicators", "指标数值"


class ImportStatus(models.TextChoices):
    CHECKED = "checked", "已检查,待导入"
    INVALID = "invalid", "有错误,未导入"
    COMMITTED = "committed", "已导入"


class ImportBatchQuerySet(RestrictedQuerySet):
    def holding_files(self) -> ImportBatchQuerySet:
        """Batches whose uploaded file is still stored."""
        return self.filter(content__isnull=False)

    def with_file_kept(self) -> ImportBatchQuerySet:
        """Each batch with `file_kept`: whether its file is stored (without reading the file)."""
        return self.annotate(
            file_kept=models.ExpressionWrapper(Q(content__isnull=False), output_field=models.BooleanField())
        )

    def files_expired(self, *, committed_before: datetime, uploaded_before: datetime) -> ImportBatchQuerySet:
        """Stored files past their time: a committed batch's after its retention (the audit copy),
        any other's after its pending time (it was checked, never committed)."""
        return self.holding_files().filter(
            Q(status=ImportStatus.COMMITTED, committed_at__lt=committed_before)
            | (~Q(status=ImportStatus.COMMITTED) & Q(uploaded_at__lt=uploaded_before))
        )

    def file_bytes(self) -> int:
        """Bytes of these batches' stored files (a user's: what the upload quota counts)."""
        return self.holding_files().aggregate(total=Sum("file_size"))["total"] or 0


class ImportBatch(models.Model):
    """An uploaded workbook: checked (dry run) first, then written all at once or not at all.
    The batch (findings, counts, who and when) is kept as the record of the upload; its file only
    for a stated time (projects.uploads): until committed or a short pending time, then for the
    retention period after its commit. A dry run through the API keeps no file."""

    kind = models.CharField("类型", max_length=12, choices=ImportKind.choices)
    zone = models.ForeignKey(
        Zone, models.CASCADE, null=True, blank=True, related_name="imports", verbose_name="区域"
    )
    file_name = models.CharField("文件名", max_length=255)
    content = models.BinaryField(
        "文件内容", null=True, blank=True, help_text="空:试导入未保存文件,或文件已过保留期删除"
    )
    file_size = models.PositiveIntegerField("文件大小(字节)", default=0)
    file_deleted_at = models.DateTimeField("文件删除时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ImportStatus.choices, default=ImportStatus.CHECKED
    )
    row_count = models.PositiveIntegerField("数据行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("警告数", default=0)
    findings = models.JSONField("检查结果", default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "Excel导入"
        verbose_name_plural = "Excel导入"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


# ---------------------------------------------------------------------------------------------
# API tokens (django-rest-knox keeps only a digest of each; projects/tokens.py makes and revokes them)


class ApiToken(AuthToken):
    """django-rest-knox's token under its Chinese name, for the admin (a proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.token_key}…"

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
