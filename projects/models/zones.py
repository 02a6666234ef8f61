"""Zones and their aliases, the roles users hold in them, the months reopened for entry, and the
industries and enterprises of a zone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import (
    DATE_RANGE,
    YEAR_RANGE,
    FieldCheckConstraint,
    FieldUniqueConstraint,
    NaturalKeyManager,
    RestrictedQuerySet,
)
from .sources import Cited

# ---------------------------------------------------------------------------------------------
# Zones, industries, enterprises


class ZoneKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    NEW_AREA = "new_area", _("国家级新区")
    NATIONAL_ETDZ = "national_etdz", _("国家级经济技术开发区")
    NATIONAL_HIGH_TECH = "national_high_tech", _("国家级高新技术产业开发区")
    PROVINCIAL_ZONE = "provincial_zone", _("省级开发区")
    COUNTY = "county", _("区/县")
    TOWNSHIP = "township", _("乡镇/街道")
    CLUSTER = "cluster", _("组团/片区")
    PARK = "park", _("园区")


class EntryBasis(models.TextChoices):
    """How a zone's office enters completed investment: the month's amount or January to date."""

    MONTH = "month", _("当月值")
    YEAR_TO_DATE = "ytd", _("累计值")


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


class Zone(Cited):
    """A place that keeps a project register: a province, city, county or development zone."""

    name = models.CharField(_("简称"), max_length=100, unique=True, help_text=_("如:上饶经开区"))
    full_name = models.CharField(_("全称"), max_length=200, blank=True, help_text=_("如:上饶经济技术开发区"))
    kind = models.CharField(_("类型"), max_length=24, choices=ZoneKind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级区域"),
    )
    area_km2 = models.DecimalField(
        _("面积(平方公里)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    industries = models.ManyToManyField(
        "Industry", blank=True, related_name="zones", verbose_name=_("主导产业链")
    )
    description = models.TextField(_("说明"), blank=True)
    entry_deadline_day = models.PositiveSmallIntegerField(
        _("填报截止日"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "每月数据须在次月该日(1–28)24时前填报,之后锁定,管理员可重新开放;留空则不设填报期、不锁定"
        ),
    )
    entry_basis = models.CharField(
        _("完成投资填报口径"),
        max_length=8,
        choices=EntryBasis.choices,
        default=EntryBasis.MONTH,
        help_text=_("月报填报时录入当月完成投资或1月至当月累计,另一项自动推算"),
    )

    objects = NaturalKeyManager.from_queryset(ZoneQuerySet)("name")
    history = HistoricalRecords(excluded_fields=["description"])

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["name"]
        constraints = [
            FieldCheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="zone_not_own_parent",
                field="parent",
                violation_error_code="parent_cycle",
                violation_error_message=_("上级区域不能是本区域"),
            ),
            FieldCheckConstraint(
                condition=Q(area_km2__isnull=True) | Q(area_km2__gte=0),
                name="zone_area_non_negative",
                field="area_km2",
                violation_error_code="min_value",
                violation_error_message=_("面积不能为负数"),
            ),
            FieldCheckConstraint(
                condition=Q(entry_deadline_day__isnull=True)
                | Q(entry_deadline_day__gte=1, entry_deadline_day__lte=28),
                name="zone_entry_deadline_day_range",
                field="entry_deadline_day",
                violation_error_code="entry_deadline_day_range",
                violation_error_message=_("填报截止日须在1至28日之间"),
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
                raise ValidationError(
                    {"parent": ValidationError(_("上级区域不能是本区域或其下级区域"), code="parent_cycle")}
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class ZoneAlias(models.Model):
    """Another name a zone goes by: 南昌经开区 is also 赣江新区经开组团."""

    zone = models.ForeignKey(Zone, models.CASCADE, related_name="aliases", verbose_name=_("区域"))
    alias = models.CharField(_("别名"), max_length=200, unique=True)

    objects = NaturalKeyManager("alias")

    class Meta:
        verbose_name = _("区域别名")
        verbose_name_plural = _("区域别名")
        ordering = ["alias"]

    def __str__(self) -> str:
        return self.alias

    def natural_key(self) -> tuple[str]:
        return (self.alias,)


class ZoneRole(models.TextChoices):
    """What a user may do in a zone and its sub-zones (projects.access applies it)."""

    EDITOR = "editor", _("编辑")
    VIEWER = "viewer", _("只读")


class ZoneMembershipQuerySet(RestrictedQuerySet):
    def editors(self) -> ZoneMembershipQuerySet:
        return self.filter(role=ZoneRole.EDITOR)

    def viewers(self) -> ZoneMembershipQuerySet:
        return self.filter(role=ZoneRole.VIEWER)


class ZoneMembership(models.Model):
    """A user's role in a zone: an editor changes the data of the zone and its sub-zones, a viewer
    reads them. Granted with `manage.py grant_zone_role` or in the admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="zone_memberships", verbose_name=_("用户")
    )
    zone = models.ForeignKey(Zone, models.CASCADE, related_name="memberships", verbose_name=_("区域"))
    role = models.CharField(_("角色"), max_length=8, choices=ZoneRole.choices, default=ZoneRole.VIEWER)

    objects = ZoneMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域权限")
        verbose_name_plural = _("区域权限")
        ordering = ["user", "zone__name"]
        constraints = [
            FieldUniqueConstraint(
                fields=["user", "zone"],
                name="zone_membership_unique_user_zone",
                field="zone",
                violation_error_code="unique",
                violation_error_message=_("该用户在此区域已有角色"),
            ),
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

    zone = models.ForeignKey(Zone, models.CASCADE, related_name="reopenings", verbose_name=_("区域"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_RANGE)
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    until = models.DateField(_("开放至"), help_text=_("含当日"), validators=DATE_RANGE)
    reason = models.TextField(_("原因"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("开放人"),
    )
    reopened_at = models.DateTimeField(_("开放时间"), auto_now_add=True)

    objects = EntryReopeningQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("重新开放填报")
        verbose_name_plural = _("重新开放填报")
        ordering = ["-reopened_at"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="entry_reopening_month_range",
                field="month",
                violation_error_code="month_range",
                violation_error_message=_("月份须在1至12之间"),
            ),
            FieldCheckConstraint(
                condition=~Q(reason=""),
                name="entry_reopening_has_reason",
                field="reason",
                violation_error_code="reason_required",
                violation_error_message=_("重新开放须填写原因"),
            ),
        ]

    def __str__(self) -> str:
        return gettext("{zone} {year}年{month}月 开放至{until}").format(
            zone=self.zone, year=self.year, month=self.month, until=f"{self.until:%Y-%m-%d}"
        )


class Industry(Cited):
    """An industrial chain (产业链) such as 光伏新能源 or 稀土新材料及应用."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级产业")
    )
    description = models.TextField(_("说明"), blank=True)

    objects = NaturalKeyManager("name")

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class Enterprise(Cited):
    """A company that invests in or runs a project."""

    name = models.CharField(_("名称"), max_length=200, unique=True, help_text=_("文中最完整的称呼"))
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="subsidiaries", verbose_name=_("母公司")
    )
    zone = models.ForeignKey(
        Zone, models.PROTECT, null=True, blank=True, related_name="enterprises", verbose_name=_("所在区域")
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="enterprises", verbose_name=_("产业链")
    )
    description = models.TextField(_("说明"), blank=True)

    objects = NaturalKeyManager("name")

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)
