from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "开发区招商引资项目调度台账"
admin.site.site_title = "项目调度台账"
admin.site.index_title = "台账管理"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("projects.api.urls")),
]
