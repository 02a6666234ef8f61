from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from projects.admin.rules import rules_page
from projects.logins import ThrottledAdminAuthenticationForm, ThrottledPasswordChangeForm
from projects.views import health, report_run_page

admin.site.site_header = "开发区招商引资项目调度台账"
admin.site.site_title = "项目调度台账"
admin.site.index_title = "台账管理"
admin.site.index_template = "admin/tracker/index.html"
# Logins and password changes count failures and lock out (projects/logins.py).
admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.password_change_form = ThrottledPasswordChangeForm

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/rules/", admin.site.admin_view(rules_page), name="admin-rules"),
    path("admin/", admin.site.urls),
    path("api/", include("projects.api.urls")),
    path("reports/runs/<int:pk>/", report_run_page, name="report-run-page"),
    path("healthz", health, name="health"),
]
