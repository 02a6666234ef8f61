from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import auth, imports, report_runs, views
from .reports import CampaignReportView, ProgressReportView
from .text_entry import ExtractView

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
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/tokens/", auth.AllTokensView.as_view(), name="auth-tokens"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script as a file: the Content-Security-Policy allows
    # no inline script without a nonce (settings SECURE_CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *imports.urls,  # Excel imports and templates (projects/api/imports.py)
    path("", include(router.urls)),
    # Last: any other address ending in a slash is a JSON 404 (one without the slash is still
    # redirected to the slashed address first, when that one exists).
    re_path(r"^(?P<path>.*/)$", views.unknown_address),
]
