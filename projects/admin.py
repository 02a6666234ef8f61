"""The Chinese admin in which staff keep the register. Changelists fetch related rows in the
same query (list_select_related, annotations), so their query count does not grow with rows."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .forms import CitationForm, IndicatorValueForm, PortfolioEntryForm, ProjectForm
from .models import (
    Campaign,
    Citation,
    Enterprise,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    MilestoneStatus,
    Portfolio,
    PortfolioEntry,
    Project,
    ProjectCategory,
    SourceDocument,
    Zone,
    ZoneAlias,
)
from .money import format_amount

STATUS_COLOURS = {
    MilestoneStatus.DONE: "#1b7f3b",
    MilestoneStatus.DUE: "#8a6d00",
    MilestoneStatus.LATE: "#c62828",
    MilestoneStatus.UNSCHEDULED: "#777",
}


def status_badge(code: str) -> str:
    status = MilestoneStatus(code)
    return format_html(
        '<strong class="milestone-status status-{}" style="color:{}">{}</strong>',
        status.value,
        STATUS_COLOURS[status],
        status.label,
    )


def citations_block(obj) -> str:
    """Each citation as its document and the quoted sentence, linked to the document."""
    citations = list(obj.citations.select_related("document")) if obj.pk else []
    if not citations:
        return "—"
    return format_html(
        '<ol class="citations">{}</ol>',
        format_html_join(
            "",
            '<li><a href="{}">{}</a>〔第{}字〕<q>{}</q></li>',
            (
                (
                    reverse("admin:projects_sourcedocument_change", args=[c.document_id]),
                    c.document.key,
                    c.start,
                    c.quote,
                )
                for c in citations
            ),
        ),
    )


class CitedAdmin(admin.ModelAdmin):
    """Facts: citations are picked by searching their quotes and shown with the sentence."""

    autocomplete_fields = ["citations"]
    readonly_fields = ["citations_display"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Aggregation groups the query, and Django ignores Meta.ordering in grouped queries:
        # order explicitly so that autocomplete pages stay stable.
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=Count("citations", distinct=True))
            .order_by(*self.model._meta.ordering, "pk")
        )

    @admin.display(description="引文原文")
    def citations_display(self, obj) -> str:
        return citations_block(obj)

    @admin.display(description="引文", ordering="citation_count")
    def citation_count(self, obj) -> int:
        return obj.citation_count


# ---------------------------------------------------------------------------------------------
# Sources


class CitationInline(admin.TabularInline):
    model = Citation
    form = CitationForm
    fields = ["quote", "start", "end"]
    readonly_fields = ["end"]
    extra = 0
    show_change_link = True


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "publisher", "published", "citations_count"]
    search_fields = ["key", "title", "publisher", "text"]
    readonly_fields = ["sha256"]
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["key", "title", "publisher", "author", "file_path", "sha256"]}),
        ("发布日期", {"fields": ["published_on", "published_precision", "published_note"]}),
        ("全文", {"fields": ["text"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("text").annotate(citations_total=Count("citations"))

    @admin.display(description="发布日期", ordering="published_on")
    def published(self, obj: SourceDocument) -> str:
        return obj.published_display

    @admin.display(description="引文数", ordering="citations_total")
    def citations_count(self, obj: SourceDocument) -> int:
        return obj.citations_total


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
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

    @admin.display(description="引用该原文的记录")
    def cited_by(self, obj: Citation) -> str:
        if not obj.pk:
            return "—"
        rows = []
        for name in self.FACTS:
            for fact in getattr(obj, f"{name}_facts").all():
                url = reverse(f"admin:projects_{name}_change", args=[fact.pk])
                rows.append((url, fact._meta.verbose_name, fact))
        return format_html_join("", '<div><a href="{}">{}:{}</a></div>', rows) if rows else "—"


# ---------------------------------------------------------------------------------------------
# Zones, industries, enterprises


class ZoneAliasInline(admin.TabularInline):
    model = ZoneAlias
    extra = 0


@admin.register(Zone)
class ZoneAdmin(CitedAdmin):
    list_display = ["name", "full_name", "kind", "parent", "project_count", "citation_count"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "full_name", "aliases__alias"]
    autocomplete_fields = ["parent", "industries", "citations"]
    inlines = [ZoneAliasInline]
    fields = [
        "name",
        "full_name",
        "kind",
        "parent",
        "area_km2",
        "industries",
        "description",
        "citations",
        "citations_display",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(projects_total=Count("projects", distinct=True))

    @admin.display(description="项目数", ordering="projects_total")
    def project_count(self, obj: Zone) -> int:
        return obj.projects_total


@admin.register(Industry)
class IndustryAdmin(CitedAdmin):
    list_display = ["name", "parent", "citation_count"]
    list_select_related = ["parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "citations"]


@admin.register(Enterprise)
class EnterpriseAdmin(CitedAdmin):
    list_display = ["name", "short_name", "parent", "zone", "citation_count"]
    list_filter = [("zone", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent", "zone"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent", "zone", "industries", "citations"]


@admin.register(ProjectCategory)
class ProjectCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


# ---------------------------------------------------------------------------------------------
# Projects and milestones


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = [
        "kind",
        "phase",
        "planned_date",
        "planned_precision",
        "actual_date",
        "actual_precision",
        "status_display",
        "note",
    ]
    readonly_fields = ["status_display"]
    extra = 0
    show_change_link = True

    @admin.display(description="状态")
    def status_display(self, obj: Milestone) -> str:
        return status_badge(obj.status) if obj.pk else "—"


class IndicatorInline(admin.TabularInline):
    """Indicator values of one subject; subclasses name the subject (fk_name)."""

    model = IndicatorValue
    form = IndicatorValueForm
    fields = [
        "metric",
        "year",
        "start_month",
        "end_month",
        "kind",
        "value",
        "scale",
        "currency",
        "qualifier",
        "yoy_growth",
        "note",
    ]
    autocomplete_fields = ["metric"]
    extra = 0
    show_change_link = True


class ProjectIndicatorInline(IndicatorInline):
    fk_name = "project"
    verbose_name_plural = "项目指标"


class ProjectPortfolioInline(admin.TabularInline):
    model = PortfolioEntry
    form = PortfolioEntryForm
    fields = ["portfolio", "planned_investment", "planned_investment_scale"]
    autocomplete_fields = ["portfolio"]
    extra = 0
    verbose_name_plural = "所在调度清单"


class LateMilestoneFilter(admin.SimpleListFilter):
    title = "节点逾期"
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", "有逾期节点"), ("no", "无逾期节点")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(late_milestones__gt=0)
        if self.value() == "no":
            return queryset.filter(late_milestones=0)
        return queryset


@admin.register(Project)
class ProjectAdmin(CitedAdmin):
    form = ProjectForm
    list_display = ["name", "zone", "enterprise", "stage", "investment", "late_count", "citation_count"]
    list_filter = [
        ("zone", admin.RelatedOnlyFieldListFilter),
        "stage",
        ("industries", admin.RelatedOnlyFieldListFilter),
        ("categories", admin.RelatedOnlyFieldListFilter),
        LateMilestoneFilter,
    ]
    list_select_related = ["zone", "enterprise"]
    search_fields = ["name", "enterprise__name", "enterprise__short_name", "zone__name", "capacity"]
    autocomplete_fields = ["zone", "enterprise", "industries", "categories", "citations"]
    inlines = [MilestoneInline, ProjectIndicatorInline, ProjectPortfolioInline]
    fieldsets = [
        (None, {"fields": ["zone", "name", "enterprise", "stage", "industries", "categories"]}),
        (
            "投资与规模",
            {
                "fields": [
                    ("total_investment", "total_investment_scale", "currency"),
                    "total_investment_qualifier",
                    "capacity",
                ]
            },
        ),
        (
            "计划",
            {
                "fields": [
                    ("planned_start", "planned_start_precision"),
                    ("planned_finish", "planned_finish_precision"),
                ]
            },
        ),
        ("说明与来源", {"fields": ["description", "citations", "citations_display"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_late_milestone_count(timezone.localdate())

    @admin.display(description="总投资", ordering="total_investment")
    def investment(self, obj: Project) -> str:
        return obj.total_investment_display or "—"

    @admin.display(description="逾期节点", ordering="late_milestones")
    def late_count(self, obj: Project) -> str:
        if not obj.late_milestones:
            return "0"
        return format_html(
            '<strong style="color:{}">{}</strong>', STATUS_COLOURS["late"], obj.late_milestones
        )


class StatusFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return MilestoneStatus.choices

    def queryset(self, request, queryset):
        if self.value() in MilestoneStatus.values:
            return queryset.filter(status_code=self.value())
        return queryset


@admin.register(Milestone)
class MilestoneAdmin(CitedAdmin):
    list_display = ["project", "zone", "kind", "status", "planned", "actual", "phase"]
    list_filter = [StatusFilter, "kind", ("project__zone", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["project", "project__zone"]
    search_fields = ["project__name", "phase", "note"]
    autocomplete_fields = ["project", "citations"]
    fields = [
        "project",
        "kind",
        "phase",
        ("planned_date", "planned_precision"),
        ("actual_date", "actual_precision"),
        "note",
        "citations",
        "citations_display",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_status(timezone.localdate())

    @admin.display(description="所在区域", ordering="project__zone__name")
    def zone(self, obj: Milestone) -> str:
        return str(obj.project.zone or "—")

    @admin.display(description="计划日期", ordering="planned_date")
    def planned(self, obj: Milestone) -> str:
        return obj.planned_display or "—"

    @admin.display(description="实际日期", ordering="actual_date")
    def actual(self, obj: Milestone) -> str:
        return obj.actual_display or "—"

    @admin.display(description="状态", ordering="status_code")
    def status(self, obj: Milestone) -> str:
        return status_badge(obj.status_code)


# ---------------------------------------------------------------------------------------------
# Portfolios, indicators, campaigns


class PortfolioEntryInline(admin.TabularInline):
    model = PortfolioEntry
    form = PortfolioEntryForm
    fields = ["project", "planned_investment", "planned_investment_scale"]
    autocomplete_fields = ["project"]
    extra = 0


class PortfolioIndicatorInline(IndicatorInline):
    fk_name = "portfolio"
    verbose_name_plural = "清单合计(来源所述)"


@admin.register(Portfolio)
class PortfolioAdmin(CitedAdmin):
    list_display = ["name", "zone", "year", "category", "entry_count", "citation_count"]
    list_filter = ["year", ("zone", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["zone", "category"]
    search_fields = ["name", "zone__name"]
    autocomplete_fields = ["zone", "category", "citations"]
    inlines = [PortfolioEntryInline, PortfolioIndicatorInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(entries_total=Count("entries", distinct=True))

    @admin.display(description="登记项目数", ordering="entries_total")
    def entry_count(self, obj: Portfolio) -> int:
        return obj.entries_total


@admin.register(PortfolioEntry)
class PortfolioEntryAdmin(CitedAdmin):
    form = PortfolioEntryForm
    list_display = ["project", "portfolio", "plan", "citation_count"]
    list_select_related = ["project", "portfolio", "portfolio__zone"]
    search_fields = ["project__name", "portfolio__name"]
    autocomplete_fields = ["portfolio", "project", "citations"]

    @admin.display(description="年度计划投资", ordering="planned_investment")
    def plan(self, obj: PortfolioEntry) -> str:
        return format_amount(obj.planned_investment, obj.planned_investment_scale) or "—"


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_kind", "unit", "flow_or_stock"]
    list_filter = ["unit_kind", "flow_or_stock"]
    search_fields = ["code", "name"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(CitedAdmin):
    form = IndicatorValueForm
    list_display = [
        "subject_display",
        "metric",
        "period",
        "kind",
        "value_text",
        "yoy",
        "rank_text",
        "citation_count",
    ]
    list_filter = ["kind", "year", "metric", ("zone", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["zone", "portfolio", "portfolio__zone", "project", "enterprise", "metric"]
    search_fields = [
        "metric__name",
        "zone__name",
        "portfolio__name",
        "project__name",
        "enterprise__name",
        "note",
    ]
    autocomplete_fields = ["zone", "portfolio", "project", "enterprise", "metric", "citations"]
    fieldsets = [
        ("对象(四选一)", {"fields": [("zone", "portfolio"), ("project", "enterprise")]}),
        ("指标与时段", {"fields": ["metric", ("year", "start_month", "end_month"), "kind"]}),
        (
            "数值",
            {
                "fields": [
                    ("value", "value_upper", "scale", "currency"),
                    "qualifier",
                    "yoy_growth",
                    ("rank", "rank_scope"),
                    ("share", "share_scope"),
                    "note",
                ]
            },
        ),
        ("来源", {"fields": ["citations", "citations_display"]}),
    ]

    @admin.display(description="对象")
    def subject_display(self, obj: IndicatorValue) -> str:
        return str(obj.subject)

    @admin.display(description="时段", ordering="year")
    def period(self, obj: IndicatorValue) -> str:
        return obj.period_display

    @admin.display(description="数值", ordering="value")
    def value_text(self, obj: IndicatorValue) -> str:
        return obj.value_display or "—"

    @admin.display(description="同比", ordering="yoy_growth")
    def yoy(self, obj: IndicatorValue) -> str:
        return "—" if obj.yoy_growth is None else f"{obj.yoy_growth.normalize():f}%"

    @admin.display(description="排名/占比")
    def rank_text(self, obj: IndicatorValue) -> str:
        parts = []
        if obj.rank:
            parts.append(f"{obj.rank_scope}第{obj.rank}")
        if obj.share is not None:
            parts.append(f"占{obj.share_scope}{obj.share.normalize():f}%")
        return ";".join(parts) or "—"


@admin.register(Campaign)
class CampaignAdmin(CitedAdmin):
    list_display = ["name", "year", "period", "checkpoint", "required_share", "zone_names", "citation_count"]
    list_filter = ["year"]
    search_fields = ["name"]
    autocomplete_fields = ["zones", "citations"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("zones")

    @admin.display(description="时段")
    def period(self, obj: Campaign) -> str:
        return obj.period_display

    @admin.display(description="参与区域")
    def zone_names(self, obj: Campaign) -> str:
        return "、".join(zone.name for zone in obj.zones.all()) or "—"
