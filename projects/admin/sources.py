"""来源文档 and 引文: the source documents and the sentences quoted from them. 从文本提取 and the
review of a document's facts are projects/admin/text_entry.py."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import CitationForm
from ..models import Citation, SourceDocument
from ..text_entry import fact_counts
from .base import ZoneRoleAdmin, ZoneRoleInline
from .text_entry import text_entry_urls


class CitationInline(ZoneRoleInline):
    model = Citation
    form = CitationForm
    fields = ["quote", "start", "end"]
    readonly_fields = ["end"]
    extra = 0
    show_change_link = True
    row_select_related = ("document",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("document__text")


@admin.register(SourceDocument)
class SourceDocumentAdmin(ZoneRoleAdmin):
    # 从文本提取 (the button of the list) and the review of a document's facts: projects/admin/text_entry.py
    change_list_template = "admin/projects/text_entry/sourcedocument_change_list.html"
    change_form_template = "admin/projects/text_entry/sourcedocument_change_form.html"
    list_display = ["key", "title", "zone", "publisher", "published", "citations_count", "facts"]
    list_select_related = ["zone"]
    search_fields = ["key", "title", "publisher", "text"]
    readonly_fields = ["sha256", "created_by", "created_at"]
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["key", "title", "publisher", "author", "file_path", "sha256"]}),
        (_("区域与年份"), {"fields": ["zone", "subject_year", "created_by", "created_at"]}),
        (_("发布日期"), {"fields": ["published_on", "published_precision", "published_note"]}),
        (_("全文"), {"fields": ["text"]}),
    ]

    def get_urls(self):
        return [*text_entry_urls(self.admin_site.admin_view), *super().get_urls()]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request).defer("text")
        return queryset.annotate(citations_total=Count("citations"), **fact_counts())

    @admin.display(description=_("提取的事实"))
    def facts(self, obj: SourceDocument) -> str:
        if not obj.facts_total:
            return "—"
        url = reverse("admin:projects_sourcedocument_review", args=[obj.pk])
        pending = obj.facts_pending
        label = gettext("待审核{count}条").format(count=pending) if pending else gettext("审核完毕")
        return format_html('<a href="{}" class="review-link">{}</a>', url, label)

    @admin.display(description=_("发布日期"), ordering="published_on")
    def published(self, obj: SourceDocument) -> str:
        return obj.published_display

    @admin.display(description=_("引文数"), ordering="citations_total")
    def citations_count(self, obj: SourceDocument) -> int:
        return obj.citations_total


@admin.register(Citation)
class CitationAdmin(ZoneRoleAdmin):
    form = CitationForm
    list_display = ["__str__", "document", "start", "end"]
    list_filter = ["document"]
    list_select_related = ["document"]
    search_fields = ["quote", "document__key", "document__title"]
    readonly_fields = ["end", "cited_by"]
    fields = ["document", "quote", "start", "end", "cited_by"]

    FACTS = (
        "zone",
        "industry",
        "enterprise",
        "project",
        "milestone",
        "portfolio",
        "portfolioentry",
        "indicatorvalue",
        "campaign",
    )

    @admin.display(description=_("引用该原文的记录"))
    def cited_by(self, obj: Citation) -> str:
        if not obj.pk:
            return "—"
        rows = []
        for name in self.FACTS:
            for fact in getattr(obj, f"{name}_facts").all():
                url = reverse(f"admin:projects_{name}_change", args=[fact.pk])
                rows.append((url, fact._meta.verbose_name, fact))
        return format_html_join("", '<div><a href="{}">{}:{}</a></div>', rows) if rows else "—"
