"""The source documents every recorded fact is cited from, their cited sentences, and `Cited`,
the base of every recorded fact."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..periods import DatePrecision, format_date
from .base import DATE_RANGE, FieldCheckConstraint, FieldUniqueConstraint, NaturalKeyManager


class SourceDocument(models.Model):
    """A text facts are taken from: a news article, a speech, a county's written report."""

    key = models.SlugField(_("标识"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    publisher = models.CharField(_("发布者"), max_length=200, blank=True, help_text=_("文中印有时填写"))
    author = models.CharField(_("作者"), max_length=200, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True, validators=DATE_RANGE)
    published_precision = models.CharField(
        _("发布日期精度"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    published_note = models.TextField(
        _("发布日期依据"), blank=True, help_text=_("文中未印发布日期时,说明据文中哪些日期和时段推定")
    )
    file_path = models.CharField(_("文件路径"), max_length=300, blank=True)
    text = models.TextField(_("全文"))
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    zone = models.ForeignKey(
        "Zone",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("所属区域"),
        help_text=_(
            "文中数字默认归属的区域;指定后,该文本只有这一区域及其上级区域的人员可见,只有其编辑人员可修改"
        ),
    )
    subject_year = models.PositiveSmallIntegerField(
        _("所述年份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1978), MaxValueValidator(2100)],
        help_text=_("文中未写年份的时段和日期按此年份理解"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), null=True, blank=True, editable=False)

    objects = NaturalKeyManager("key")

    class Meta:
        verbose_name = _("来源文档")
        verbose_name_plural = _("来源文档")
        ordering = ["key"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(published_on__isnull=True) | ~Q(published_precision=""),
                name="source_published_date_has_precision",
                field="published_precision",
                violation_error_code="precision_required",
                violation_error_message=_("填写发布日期时须选择精度"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    @property
    def published_display(self) -> str:
        return format_date(self.published_on, self.published_precision)


class Citation(models.Model):
    """A sentence of a source document, verbatim, with its character offset in the text."""

    document = models.ForeignKey(
        SourceDocument, models.CASCADE, related_name="citations", verbose_name=_("来源文档")
    )
    quote = models.TextField(_("原文"))
    start = models.PositiveIntegerField(_("起始位置"), help_text=_("原文在全文中的字符偏移量(从0开始)"))
    end = models.PositiveIntegerField(_("结束位置"))

    objects = NaturalKeyManager("document__key", "quote")

    class Meta:
        verbose_name = _("引文")
        verbose_name_plural = _("引文")
        ordering = ["document", "start"]
        constraints = [
            FieldUniqueConstraint(
                fields=["document", "start", "end"],
                name="citation_unique_span",
                field="start",
                violation_error_code="unique",
                violation_error_message=_("该文档的这一位置已有引文"),
            ),
            FieldCheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="citation_not_empty",
                field="end",
                violation_error_code="invalid",
                violation_error_message=_("结束位置须大于起始位置"),
            ),
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
            raise ValidationError(
                {"end": ValidationError(_("结束位置应等于起始位置加原文长度"), code="span_mismatch")}
            )
        if self.document.text[self.start : self.end] != self.quote:
            raise ValidationError(
                {"quote": ValidationError(_("原文与来源文档在该位置的文字不一致"), code="quote_mismatch")}
            )


class Cited(models.Model):
    """A recorded fact: it carries the sentences that state it."""

    citations = models.ManyToManyField(
        Citation, blank=True, related_name="%(class)s_facts", verbose_name=_("引文")
    )

    class Meta:
        abstract = True

    def stated_numbers(self) -> set[Decimal]:
        """The numbers this fact states, as its source writes them (106 for 106亿元)."""
        return set()
