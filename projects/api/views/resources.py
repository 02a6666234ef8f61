"""The resource viewsets under /api/, one per resource, and the answer to an unknown address."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from projects.models import (
    Campaign,
    Citation,
    Enterprise,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    ProjectCategory,
    SourceDocument,
    Zone,
)

from .. import filters, serializers
from .base import ResourceViewSet, VersionedViewSet, WithHistory
from .schema import documented


def citations() -> Prefetch:
    """A fact's citations with their document's key and title (not its text)."""
    return Prefetch("citations", queryset=Citation.objects.select_related("document").defer("document__text"))


# ---------------------------------------------------------------------------------------------
# Zones, industries, categories, enterprises


@documented(serializers.ZoneSerializer)
class ZoneViewSet(WithHistory, ResourceViewSet):
    queryset = Zone.objects.all()
    serializer_class = serializers.ZoneSerializer
    filterset_class = filters.ZoneFilterSet
    search_fields = ["name", "full_name", "aliases__alias"]
    ordering_fields = ["id", "name", "kind"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("parent").prefetch_related(
            Prefetch("children", queryset=Zone.objects.only("pk", "parent_id")),
            "aliases",
            "industries",
            citations(),
        )


@documented(serializers.IndustrySerializer)
class IndustryViewSet(ResourceViewSet):
    queryset = Industry.objects.all()
    serializer_class = serializers.IndustrySerializer
    search_fields = ["name"]
    ordering_fields = ["id", "name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("parent").prefetch_related(citations())


@documented(serializers.ProjectCategorySerializer)
class ProjectCategoryViewSet(ResourceViewSet):
    queryset = ProjectCategory.objects.all()
    serializer_class = serializers.ProjectCategorySerializer
    search_fields = ["name"]
    ordering_fields = ["id", "name"]


@documented(serializers.EnterpriseSerializer)
class EnterpriseViewSet(ResourceViewSet):
    queryset = Enterprise.objects.all()
    serializer_class = serializers.EnterpriseSerializer
    filterset_class = filters.EnterpriseFilterSet
    search_fields = ["name", "short_name"]
    ordering_fields = ["id", "name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("zone", "parent").prefetch_related("industries", citations())


# ---------------------------------------------------------------------------------------------
# Projects and milestones


def milestones_with_status() -> QuerySet:
    return Milestone.objects.with_status(timezone.localdate()).order_by(
        F("planned_date").asc(nulls_last=True), F("actual_date").asc(nulls_last=True), "pk"
    )


@documented(serializers.ProjectSerializer, note=_("每个项目带其节点(含状态)和引文。"))
class ProjectViewSet(WithHistory, VersionedViewSet):
    queryset = Project.objects.all()
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilterSet
    search_fields = ["name", "enterprise__name", "capacity", "zone__name"]
    ordering_fields = [
        "id",
        "name",
        "total_investment",
        "stage",
        "planned_start",
        "planned_finish",
        "zone__name",
    ]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("zone", "enterprise").prefetch_related(
            "industries",
            "categories",
            Prefetch("milestones", queryset=milestones_with_status()),
            citations(),
        )


@documented(serializers.MilestoneSerializer)
class MilestoneViewSet(WithHistory, VersionedViewSet):
    queryset = Milestone.objects.all()
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilterSet
    search_fields = ["project__name", "phase", "note"]
    ordering_fields = ["id", "planned_date", "actual_date", "kind", "project__name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return (
            queryset.with_status(timezone.localdate())
            .select_related("project", "project__zone")
            .prefetch_related(citations())
        )


# ---------------------------------------------------------------------------------------------
# Portfolios


@documented(serializers.PortfolioSerializer, note=_("每个清单带其项目及年度计划投资。"))
class PortfolioViewSet(WithHistory, VersionedViewSet):
    queryset = Portfolio.objects.all()
    serializer_class = serializers.PortfolioSerializer
    filterset_class = filters.PortfolioFilterSet
    search_fields = ["name", "zone__name"]
    ordering_fields = ["id", "year", "name", "zone__name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        entries = PortfolioEntry.objects.select_related("project").order_by("project__name", "pk")
        return queryset.select_related("zone", "category").prefetch_related(
            Prefetch("entries", queryset=entries), citations()
        )


@documented(serializers.PortfolioEntrySerializer, tag=capfirst(Portfolio._meta.verbose_name_plural))
class PortfolioEntryViewSet(WithHistory, VersionedViewSet):
    queryset = PortfolioEntry.objects.all()
    serializer_class = serializers.PortfolioEntrySerializer
    filterset_class = filters.PortfolioEntryFilterSet
    search_fields = ["project__name"]
    ordering_fields = ["id", "planned_investment", "project__name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("portfolio", "portfolio__zone", "project").prefetch_related(
            citations()
        )


# ---------------------------------------------------------------------------------------------
# Indicators


@documented(serializers.MetricSerializer, note=_("只有超级管理员可以修改指标目录。"))
class MetricViewSet(ResourceViewSet):
    queryset = Metric.objects.all()
    serializer_class = serializers.MetricSerializer
    filterset_class = filters.MetricFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["id", "code", "name"]


@documented(
    serializers.IndicatorValueSerializer,
    note=_("默认只列当前有效的数值,被更正的原数值加 include_restated=1 才列出;按ID总能读到。"),
)
class IndicatorValueViewSet(WithHistory, VersionedViewSet):
    queryset = IndicatorValue.objects.all()
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = filters.IndicatorValueFilterSet
    search_fields = [
        "metric__name",
        "note",
        "zone__name",
        "portfolio__name",
        "project__name",
        "enterprise__name",
    ]
    ordering_fields = ["id", "year", "end_month", "value", "kind", "metric__code"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related(
            "zone",
            "portfolio",
            "portfolio__zone",
            "project",
            "project__zone",
            "enterprise",
            "metric",
            "restated_by",
        ).prefetch_related(citations())

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.detail:  # a replaced value stays reachable by its id: `restates` points at it
            return queryset
        return super().filter_queryset(queryset)


# ---------------------------------------------------------------------------------------------
# Campaigns, sources, citations


@documented(serializers.CampaignSerializer)
class CampaignViewSet(ResourceViewSet):
    queryset = Campaign.objects.all()
    serializer_class = serializers.CampaignSerializer
    filterset_class = filters.CampaignFilterSet
    search_fields = ["name"]
    ordering_fields = ["id", "year", "checkpoint", "name"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.prefetch_related("zones", citations())


@documented(
    serializers.SourceDocumentSerializer,
    serializers.SourceDocumentDetailSerializer,
    note=_("列表不含全文,详情含全文。"),
)
class SourceDocumentViewSet(ResourceViewSet):
    queryset = SourceDocument.objects.all()
    filterset_class = filters.SourceDocumentFilterSet
    search_fields = ["key", "title"]
    ordering_fields = ["id", "key", "title", "published_on"]

    def get_serializer_class(self) -> type:
        if self.action == "list":
            return serializers.SourceDocumentSerializer
        return serializers.SourceDocumentDetailSerializer

    def optimise(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.order_by("start", "pk"))
        )
        return queryset.defer("text") if self.action == "list" else queryset


@documented(serializers.CitationSerializer)
class CitationViewSet(ResourceViewSet):
    queryset = Citation.objects.all()
    serializer_class = serializers.CitationSerializer
    filterset_class = filters.CitationFilterSet
    search_fields = ["quote", "document__key"]
    ordering_fields = ["id", "start", "document__key"]

    def optimise(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("document").defer("document__text")


# ---------------------------------------------------------------------------------------------
# Addresses the API does not have


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def unknown_address(request: Request, path: str) -> Response:
    """An address under /api/ that no route takes (`/api/projects/abc/`): a 404 in the API's
    bilingual JSON, not Django's HTML page."""
    raise NotFound()
