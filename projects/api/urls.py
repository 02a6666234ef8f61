from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import imports, report_runs, views
from .extract import ExtractView
from .reports import CampaignReportView, ProgressReportView

router = DefaultRouter()
router.register("zones", views.ZoneViewSet)
router.register("industries", views.IndustryViewSet)
router.register("categories", views.ProjectCategoryViewSet)
router.register("enterprises", views.EnterpriseViewSet)
router.register("projects", views.ProjectViewSet)
router.register("milestones", views.MilestoneViewSet)
router.register("portfolios", views.PortfolioViewSet)
router.register("portfolio-entries", views.PortfolioEntryViewSet)
router.register("metrics", views.MetricViewSet)
router.register("indicator-values", views.IndicatorValueViewSet)
router.register("campaigns", views.CampaignViewSet)
router.register("sources", views.SourceDocumentViewSet)
router.register("citations", views.CitationViewSet)
router.register("report-schedules", report_runs.ReportScheduleViewSet)
router.register("report-runs", report_runs.ReportRunViewSet)

urlpatterns = [
    path("reports/progress/", ProgressReportView.as_view(), name="progress-report"),
    path("campaigns/<int:pk>/report/", CampaignReportView.as_view(), name="campaign-report"),
    path("extract/", ExtractView.as_view(), name="extract"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *imports.urls,  # Excel imports and templates (projects/api/imports.py)
    path("", include(router.urls)),
]
