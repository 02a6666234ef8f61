"""区域, 产业 and 企业: zones with their aliases (and the links to their 月报填报), industries,
enterprises."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Enterprise, Industry, Zone, ZoneAlias
from .base import CitedAdmin, ZoneRoleInline
from .imports import monthly_template_urls
from .monthly_entry import monthly_urls


class ZoneAliasInline(ZoneRoleInline):
    model = ZoneAlias
    extra = 0


@admin.register(Zone)
class ZoneAdmin(CitedAdmin):
    list_display = ["name", "full_name", "kind", "parent", "project_count", "citation_count", "monthly"]
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
        "entry_deadline_day",
        "entry_basis",
        "description",
        "citations",
        "citations_display",
    ]

    def get_urls(self):
        # 月报填报 pages (projects/admin/monthly_entry.py) and its Excel template (projects/admin/imports.py)
        wrap = self.admin_site.admin_view
        return [*monthly_urls(wrap), *monthly_template_urls(wrap), *super().get_urls()]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(projects_total=Count("projects", distinct=True))

    @admin.display(description=_("项目数"), ordering="projects_total")
    def project_count(self, obj: Zone) -> int:
        return obj.projects_total

    @admin.display(description=_("月报填报"))
    def monthly(self, obj: Zone) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:projects_zone_monthly", args=[obj.pk]), gettext("月报填报")
        )


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
