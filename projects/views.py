"""Pages outside the admin and the API: a report run as the HTML page staff open and print, and
the health check that nginx and load balancers ask."""

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import ReportFormat, ReportRun, RunStatus
from .reports.html import render_html


@login_required
def report_run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as its HTML file was made (or rendered from its frozen snapshot when the run
    made no HTML file); a run not yet made shows its status. Users see the runs of their zones."""
    run = get_object_or_404(ReportRun.objects.restrict(request.user), pk=pk)
    if run.status != RunStatus.DONE:
        return render(request, "projects/run_status.html", {"run": run})
    stored = run.files.filter(format=ReportFormat.HTML).first()
    html = bytes(stored.content).decode() if stored else render_html(run.snapshot)
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when this app server can answer and reach its database, else 503: what nginx, a load
    balancer or a monitor asks before sending users here. No login, no data, no throttling."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "detail": gettext("数据库无法连接")},
            status=503,
            headers={"Retry-After": "5"},
        )
    return JsonResponse({"status": "ok", "database": "ok"})
