"""项目, 项目节点 and 项目类别: projects with their milestones, indicators and portfolio entries."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..forms import PortfolioEntryForm, ProjectForm
from ..models import Milestone, MilestoneStatus, PortfolioEntry, Project, ProjectCategory
from .base import (
    STATUS_COLOURS,
    CitedAdmin,
    ReadableZoneFilter,
    ZoneRoleAdmin,
    ZoneRoleInline,
    milestone_badge,
)
from .indicators import IndicatorInline
from .paging import LargeTableAdmin


@admin.register(ProjectCategory)
class ProjectCategoryAdmin(ZoneRoleAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


class MilestoneInline(ZoneRoleInline):
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
    row_select_related = ("project",)

    @admin.display(description=_("状态"))
    def status_display(self, obj: Milestone) -> str:
        return milestone_badge(obj.status) if obj.pk else "—"


class ProjectIndicatorInline(IndicatorInline):
    fk_name = "project"
    verbose_name_plural = _("项目指标")


class ProjectPortfolioInline(ZoneRoleInline):
    model = PortfolioEntry
    form = PortfolioEntryForm
    fields = ["portfolio", "planned_investment", "planned_investment_scale"]
    autocomplete_fields = ["portfolio"]
    extra = 0
    row_select_related = ("portfolio__zone", "project")
    verbose_name_plural = _("所在调度清单")


class LateMilestoneFilter(admin.SimpleListFilter):
    title = _("节点逾期")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("有逾期节点")), ("no", _("无逾期节点"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_late_milestones()
        if self.value() == "no":
            return queryset.without_late_milestones()
        return queryset


@admin.register(Project)
class ProjectAdmin(LargeTableAdmin, CitedAdmin):
    form = ProjectForm
    list_display = ["name", "zone", "enterprise", "stage", "investment", "late_count", "citation_count"]
    list_filter = [
        ("zone", ReadableZoneFilter),
        "stage",
        "industries",  # reference data: every industry (a small table), not DISTINCT over projects
        "categories",
        LateMilestoneFilter,
    ]
    list_select_related = ["zone", "enterprise"]
    search_fields = ["name", "enterprise__name", "enterprise__short_name", "zone__name", "capacity"]
    autocomplete_fields = ["zone", "enterprise", "industries", "categories", "citations"]
    inlines = [MilestoneInline, ProjectIndicatorInline, ProjectPortfolioInline]
    fieldsets = [
        (None, {"fields": ["zone", "name", "enterprise", "stage", "industries", "categories"]}),
        (
            _("投资与规模"),
            {
                "fields": [
                    ("total_investment", "total_investment_scale", "currency"),
                    "total_investment_qualifier",
                    "capacity",
                ]
            },
        ),
        (
            _("计划"),
            {
                "fields": [
                    ("planned_start", "planned_start_precision"),
                    ("planned_finish", "planned_finish_precision"),
                ]
            },
        ),
        (_("说明与来源"), {"fields": ["description", "citations", "citations_display"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_late_milestone_count()

    @admin.display(description=_("总投资"), ordering="total_investment")
    def investment(self, obj: Project) -> str:
        return obj.total_investment_display or "—"

    @admin.display(description=_("逾期节点"), ordering="late_milestones")
    def late_count(self, obj: Project) -> str:
        if not obj.late_milestones:
            return "0"
        return format_html(
            '<strong style="color:{}">{}</strong>', STATUS_COLOURS["late"], obj.late_milestones
        )


class StatusFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return MilestoneStatus.choices

    def queryset(self, request, queryset):
        if self.value() in MilestoneStatus.values:
            return queryset.filter(status_code=self.value())
        return queryset


@admin.register(Milestone)
class MilestoneAdmin(LargeTableAdmin, CitedAdmin):
    list_display = ["project", "zone", "kind", "status", "planned", "actual", "phase"]
    list_filter = [StatusFilter, "kind", ("project__zone", ReadableZoneFilter)]
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

    @admin.display(description=_("所在区域"), ordering="project__zone__name")
    def zone(self, obj: Milestone) -> str:
        return str(obj.project.zone or "—")

    @admin.display(description=_("计划日期"), ordering="planned_date")
    def planned(self, obj: Milestone) -> str:
        return obj.planned_display or "—"

    @admin.display(description=_("实际日期"), ordering="actual_date")
    def actual(self, obj: Milestone) -> str:
        return obj.actual_display or "—"

    @admin.display(description=_("状态"), ordering="status_code")
    def status(self, obj: Milestone) -> str:
        return milestone_badge(obj.status_code)
