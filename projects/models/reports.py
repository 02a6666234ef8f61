"""Scheduled reports (调度通报): schedules, the runs they make, and the files of each run."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..reports.cadence import (
    CADENCE_LABELS,
    DEFAULT_DUE_DAY,
    REPORT_LABELS,
    Cadence,
    ReportPeriod,
    due_day_error,
    latest_due,
    next_due,
)
from ..reports.measures import Basis
from .base import (
    DATE_RANGE,
    FieldCheckConstraint,
    FieldUniqueConstraint,
    RestrictedManager,
    RestrictedQuerySet,
    Versioned,
)
from .portfolios import Campaign, Portfolio
from .zones import Zone

# ---------------------------------------------------------------------------------------------
# Scheduled reports (调度通报): schedules, the runs they make, and the files of each run


class ReportFormat(models.TextChoices):
    HTML = "html", _("网页(HTML)")
    XLSX = "xlsx", _("Excel表格(XLSX)")
    PDF = "pdf", _("PDF文档")


class ReportCadence(models.TextChoices):
    WEEKLY = Cadence.WEEKLY.value, CADENCE_LABELS[Cadence.WEEKLY]
    MONTHLY = Cadence.MONTHLY.value, CADENCE_LABELS[Cadence.MONTHLY]
    QUARTERLY = Cadence.QUARTERLY.value, CADENCE_LABELS[Cadence.QUARTERLY]


class ScopeKind(models.TextChoices):
    ZONE = "zone", _("区域(含下级区域)")
    PORTFOLIO = "portfolio", _("调度清单")
    CAMPAIGN = "campaign", _("攻坚行动")


def default_formats() -> list[str]:
    return list(ReportFormat.values)


# A report goes to the people of a zone's office, not to a mailing list: a schedule or run with
# thousands of recipients is a mistake or an attempt to send mail through the tracker.
MAX_RECIPIENTS = 50
RECIPIENTS_MESSAGE = format_lazy(_("收件人最多{count}个"), count=MAX_RECIPIENTS)


def _email_list_errors(recipients: object) -> ValidationError | None:
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        return ValidationError(_("收件人应为电子邮箱地址的列表"), code="invalid")
    if len(recipients) > MAX_RECIPIENTS:
        return ValidationError(RECIPIENTS_MESSAGE, code="too_many_recipients")
    bad = []
    for address in recipients:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        return ValidationError(
            format_lazy(_("以下收件人不是有效的电子邮箱地址:{addresses}"), addresses="、".join(bad)),
            code="invalid_email",
        )
    return None


def _format_list_errors(formats: object) -> ValidationError | None:
    if not isinstance(formats, list) or not formats:
        return ValidationError(_("请至少选择一种格式(html、xlsx、pdf)"), code="formats_required")
    unknown = [f for f in formats if f not in ReportFormat.values]
    if unknown:
        return ValidationError(
            format_lazy(
                _("不支持的格式:{formats};可选 html、xlsx、pdf"), formats="、".join(map(str, unknown))
            ),
            code="unknown_format",
        )
    if len(set(formats)) != len(formats):
        return ValidationError(_("格式重复"), code="duplicate_format")
    return None


class ReportScope(models.Model):
    """What a report is about: a zone with its sub-zones, one portfolio, or a campaign's zones.

    `zone` is also whose report it is, for access: the zone itself, the portfolio's zone, or for a
    campaign the nearest zone above all of its zones (none when they share no ancestor; such a
    report is read by every user and managed by superusers only)."""

    zone = models.ForeignKey(
        Zone, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("区域")
    )
    portfolio = models.ForeignKey(
        Portfolio, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("调度清单")
    )
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("攻坚行动")
    )
    basis = models.CharField(_("时间进度口径"), max_length=8, choices=Basis.choices, default=Basis.MONTH)

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

    def scope_errors(self) -> dict[str, ValidationError]:
        errors = {}
        if self.portfolio_id and self.campaign_id:
            errors["campaign"] = ValidationError(_("调度清单和攻坚行动只能选择其一"), code="one_scope")
        elif not (self.zone_id or self.portfolio_id or self.campaign_id):
            errors["zone"] = ValidationError(
                _("请选择区域、调度清单或攻坚行动之一作为报告范围"), code="scope_required"
            )
        elif self.campaign_id and not self.campaign.zones.exists():
            errors["campaign"] = ValidationError(
                _("该攻坚行动还没有参与区域,无法生成报告"), code="campaign_without_zones"
            )
        return errors


class ReportSchedule(Versioned, ReportScope):
    """A report made on a cadence without anyone asking: 赣县区's 月报 on the 5th of every month."""

    name = models.CharField(_("名称"), max_length=200, blank=True, help_text=_("留空则按范围和周期自动命名"))
    cadence = models.CharField(
        _("周期"), max_length=12, choices=ReportCadence.choices, default=ReportCadence.MONTHLY
    )
    due_day = models.PositiveSmallIntegerField(
        _("报送日"),
        null=True,
        blank=True,
        help_text=_(
            "每月、每季度:次月(季后首月)的第几日(1–28,默认月报5日、季报10日);每周:次周星期几(1=周一,默认周一)"
        ),
    )
    formats = models.JSONField(_("格式"), default=default_formats, help_text=_("html、xlsx、pdf,可多选"))
    recipients = models.JSONField(_("收件人"), default=list, blank=True, help_text=_("电子邮箱地址,每行一个"))
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = HistoricalRecords()

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("报告计划")
        verbose_name_plural = _("报告计划")
        ordering = ["zone__name", "cadence", "pk"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(due_day__isnull=True) | Q(due_day__gte=1, due_day__lte=28),
                name="report_schedule_due_day_range",
                field="due_day",
                violation_error_code="due_day_range",
                violation_error_message=_("报送日须在1至28日之间"),
            ),
            FieldCheckConstraint(
                condition=Q(portfolio__isnull=True) | Q(campaign__isnull=True),
                name="report_schedule_one_scope",
                field="campaign",
                violation_error_code="one_scope",
                violation_error_message=_("调度清单和攻坚行动只能选择其一"),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.default_name()

    def default_name(self) -> str:
        label = REPORT_LABELS[Cadence(self.cadence)]
        return gettext("{scope} 调度通报({label})").format(scope=self.scope_name, label=label)

    @property
    def effective_due_day(self) -> int:
        return self.due_day or DEFAULT_DUE_DAY[Cadence(self.cadence)]

    def clean(self) -> None:
        errors = self.scope_errors()
        if self.due_day is not None and self.cadence in ReportCadence.values:
            if message := due_day_error(self.cadence, self.due_day):
                errors["due_day"] = ValidationError(message, code="due_day_range")
        if refused := _format_list_errors(self.formats):
            errors["formats"] = refused
        if refused := _email_list_errors(self.recipients):
            errors["recipients"] = refused
        if errors:
            raise ValidationError(errors)
        self.fill_scope_zone()

    def latest_due_period(self, today: date) -> ReportPeriod:
        return latest_due(self.cadence, self.effective_due_day, today)

    def next_due_date(self, today: date) -> date:
        return next_due(self.cadence, self.effective_due_day, today)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class DeliveryStatus(models.TextChoices):
    NOT_NEEDED = "none", _("无需发送")
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


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
        verbose_name=_("报告计划"),
        help_text=_("按需生成的报告没有计划"),
    )
    cadence = models.CharField(_("周期"), max_length=12, choices=ReportCadence.choices, blank=True)
    period_start = models.DateField(_("起始日"), validators=DATE_RANGE)
    period_end = models.DateField(_("截止日"), validators=DATE_RANGE)
    due_on = models.DateField(_("应报送日"), null=True, blank=True, validators=DATE_RANGE)
    formats = models.JSONField(_("格式"), default=default_formats)
    recipients = models.JSONField(_("收件人"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    fingerprint = models.CharField(
        _("数据指纹"), max_length=64, blank=True, help_text=_("生成报告所用数据的SHA-256")
    )
    snapshot = models.JSONField(_("数据快照"), null=True, blank=True, editable=False)
    delivery_status = models.CharField(
        _("发送状态"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_NEEDED
    )
    delivery_error = models.TextField(_("发送错误"), blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    delivery_started_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-period_start", "-pk"]
        constraints = [
            # The database decides that each scheduled period is made once, however many schedulers run.
            FieldUniqueConstraint(
                fields=["schedule", "period_start"],
                name="report_run_once_per_period",
                field="period_start",
                violation_error_code="unique",
                violation_error_message=_("该报告计划的这一期报告已经生成"),
            ),
            FieldCheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="report_run_period_order",
                field="period_end",
                violation_error_code="invalid",
                violation_error_message=_("截止日不能早于起始日"),
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
        if refused := _format_list_errors(self.formats):
            errors["formats"] = refused
        if refused := _email_list_errors(self.recipients):
            errors["recipients"] = refused
        if errors:
            raise ValidationError(errors)
        self.fill_scope_zone()


class ReportFile(models.Model):
    """One format of a run, kept in the database with the run: any app server can serve it and a
    run is never left with half its files."""

    run = models.ForeignKey(ReportRun, models.CASCADE, related_name="files", verbose_name=_("报告"))
    format = models.CharField(_("格式"), max_length=8, choices=ReportFormat.choices)
    content = models.BinaryField(_("内容"))
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField("SHA-256", max_length=64)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("报告文件")
        verbose_name_plural = _("报告文件")
        ordering = ["run", "format"]
        constraints = [
            FieldUniqueConstraint(
                fields=["run", "format"],
                name="report_file_one_per_format",
                field="format",
                violation_error_code="unique",
                violation_error_message=_("该报告已有这一格式的文件"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.get_format_display()}"
