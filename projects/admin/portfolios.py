"""调度清单 and 攻坚行动: portfolios with their entries and totals, and campaigns."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..forms import PortfolioEntryForm
from ..models import Campaign, Portfolio, PortfolioEntry
from ..money import format_amount
from .base import CitedAdmin, ZoneRoleInline
from .indicators import IndicatorInline
from .paging import LargeTableAdmin


class PortfolioEntryInline(ZoneRoleInline):
    model = PortfolioEntry
    form = PortfolioEntryForm
    fields = ["project", "planned_investment", "planned_investment_scale"]
    autocomplete_fields = ["project"]
    extra = 0
    row_select_related = ("portfolio__zone", "project")


class PortfolioIndicatorInline(IndicatorInline):
    fk_name = "portfolio"
    verbose_name_plural = _("清单合计(来源所述)")


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

    @admin.display(description=_("登记项目数"), ordering="entries_total")
    def entry_count(self, obj: Portfolio) -> int:
        return obj.entries_total


@admin.register(PortfolioEntry)
class PortfolioEntryAdmin(LargeTableAdmin, CitedAdmin):
    form = PortfolioEntryForm
    list_display = ["project", "portfolio", "plan", "citation_count"]
    list_select_related = ["project", "portfolio", "portfolio__zone"]
    search_fields = ["project__name", "portfolio__name"]
    autocomplete_fields = ["portfolio", "project", "citations"]

    @admin.display(description=_("年度计划投资"), ordering="planned_investment")
    def plan(self, obj: PortfolioEntry) -> str:
        return format_amount(obj.planned_investment, obj.planned_investment_scale) or "—"


@admin.register(Campaign)
class CampaignAdmin(CitedAdmin):
    list_display = ["name", "year", "period", "checkpoint", "required_share", "zone_names", "citation_count"]
    list_filter = ["year"]
    search_fields = ["name"]
    autocomplete_fields = ["zones", "citations"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("zones")

    @admin.display(description=_("时段"))
    def period(self, obj: Campaign) -> str:
        return obj.period_display

    @admin.display(description=_("参与区域"))
    def zone_names(self, obj: Campaign) -> str:
        return "、".join(zone.name for zone in obj.zones.all()) or "—"
