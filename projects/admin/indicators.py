"""指标 and 指标数值: metrics and the values reported for a zone, portfolio, project or enterprise."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..forms import IndicatorValueForm
from ..models import IndicatorValue, Metric
from .base import CitedAdmin, ReadableZoneFilter, ZoneRoleAdmin, ZoneRoleInline
from .paging import LargeTableAdmin


class IndicatorInline(ZoneRoleInline):
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
    row_select_related = ("zone", "portfolio__zone", "project", "enterprise", "metric")


@admin.register(Metric)
class MetricAdmin(ZoneRoleAdmin):
    list_display = ["code", "name", "unit_kind", "unit", "flow_or_stock"]
    list_filter = ["unit_kind", "flow_or_stock"]
    search_fields = ["code", "name"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(LargeTableAdmin, CitedAdmin):
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
    list_filter = ["kind", "year", "metric", ("zone", ReadableZoneFilter)]
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
        (_("对象(四选一)"), {"fields": [("zone", "portfolio"), ("project", "enterprise")]}),
        (_("指标与时段"), {"fields": ["metric", ("year", "period"), ("start_month", "end_month"), "kind"]}),
        (
            _("数值"),
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
        (_("来源"), {"fields": ["citations", "citations_display"]}),
    ]

    @admin.display(description=_("对象"))
    def subject_display(self, obj: IndicatorValue) -> str:
        return str(obj.subject)

    @admin.display(description=_("时段"), ordering="year")
    def period(self, obj: IndicatorValue) -> str:
        return obj.period_display

    @admin.display(description=_("数值"), ordering="value")
    def value_text(self, obj: IndicatorValue) -> str:
        return obj.value_display or "—"

    @admin.display(description=_("同比"), ordering="yoy_growth")
    def yoy(self, obj: IndicatorValue) -> str:
        return "—" if obj.yoy_growth is None else f"{obj.yoy_growth.normalize():f}%"

    @admin.display(description=_("排名/占比"))
    def rank_text(self, obj: IndicatorValue) -> str:
        parts = []
        if obj.rank:
            parts.append(gettext("{scope}第{rank}").format(scope=obj.rank_scope, rank=obj.rank))
        if obj.share is not None:
            parts.append(
                gettext("占{scope}{share}%").format(scope=obj.share_scope, share=f"{obj.share.normalize():f}")
            )
        return ";".join(parts) or "—"
