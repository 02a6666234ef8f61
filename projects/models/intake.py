"""What comes in before it is recorded: facts extracted from text, waiting for review, and
uploaded workbooks (import batches)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from ..extraction.candidates import TIME_KINDS, CandidateKind
from .base import FieldCheckConstraint, FieldUniqueConstraint, RestrictedQuerySet
from .sources import SourceDocument
from .zones import Zone

# ---------------------------------------------------------------------------------------------
# Facts extracted from text, waiting for review


class FactStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("已驳回")


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
        SourceDocument, models.CASCADE, related_name="extracted_facts", verbose_name=_("来源文档")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=CandidateKind.choices)
    quote = models.TextField(_("原文"))
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    sentence_start = models.PositiveIntegerField(_("所在句起始位置"))
    sentence_end = models.PositiveIntegerField(_("所在句结束位置"))
    reading = models.JSONField(
        _("识别结果"), default=dict, help_text=_("提取程序的读数:数值、单位、主体、指标、时段等")
    )
    status = models.CharField(_("状态"), max_length=8, choices=FactStatus.choices, default=FactStatus.PENDING)
    project = models.ForeignKey(
        "Project",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="extracted_facts",
        verbose_name=_("项目"),
    )
    milestone = models.ForeignKey(
        "Milestone",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="extracted_facts",
        verbose_name=_("节点"),
    )
    indicator_value = models.ForeignKey(
        "IndicatorValue",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="extracted_facts",
        verbose_name=_("指标数值"),
    )
    note = models.TextField(_("审核说明"), blank=True, help_text=_("驳回原因,或对识别结果所作的更正"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = ExtractedFactQuerySet.as_manager()

    class Meta:
        verbose_name = _("待审核事实")
        verbose_name_plural = _("待审核事实")
        ordering = ["document", "start", "kind"]
        constraints = [
            FieldUniqueConstraint(
                fields=["document", "kind", "start", "end"],
                name="extracted_fact_unique_span",
                field="start",
                violation_error_code="unique",
                violation_error_message=_("该文档的这一位置已有同类候选事实"),
            ),
            FieldCheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="extracted_fact_not_empty",
                field="end",
                violation_error_code="invalid",
                violation_error_message=_("结束位置须大于起始位置"),
            ),
            FieldCheckConstraint(
                condition=Q(sentence_start__lte=models.F("start")) & Q(sentence_end__gte=models.F("end")),
                name="extracted_fact_in_its_sentence",
                field="sentence_start",
                violation_error_code="invalid",
                violation_error_message=_("候选事实须在其所在句之内"),
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
    MONTHLY = "monthly", _("月报数据")
    PROJECTS = "projects", _("项目")
    INDICATORS = "indicators", _("指标数值")


class ImportStatus(models.TextChoices):
    CHECKED = "checked", _("已检查,待导入")
    INVALID = "invalid", _("有错误,未导入")
    COMMITTED = "committed", _("已导入")


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

    kind = models.CharField(_("类型"), max_length=12, choices=ImportKind.choices)
    zone = models.ForeignKey(
        Zone, models.CASCADE, null=True, blank=True, related_name="imports", verbose_name=_("区域")
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    content = models.BinaryField(
        _("文件内容"), null=True, blank=True, help_text=_("空:试导入未保存文件,或文件已过保留期删除")
    )
    file_size = models.PositiveIntegerField(_("文件大小(字节)"), default=0)
    file_deleted_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.CHECKED
    )
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveIntegerField(_("警告数"), default=0)
    findings = models.JSONField(_("检查结果"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"
