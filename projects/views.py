"""Pages outside the admin and the API: a report run as the HTML page staff open and print."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import access
from .models import ReportFormat, ReportRun, RunStatus
from .reports.documents import render_html


@login_required
def report_run_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as its HTML file was made (or rendered from its frozen snapshot when the run
    made no HTML file); a run not yet made shows its status. Users see the runs of their zones."""
    run = get_object_or_404(access.readable(ReportRun.objects.all(), request.user), pk=pk)
    if run.status != RunStatus.DONE:
        return render(request, "projects/run_status.html", {"run": run})
    stored = run.files.filter(format=ReportFormat.HTML).first()
    html = bytes(stored.content).decode() if stored else render_html(run.snapshot)
    return HttpResponse(html, content_type="text/html; charset=utf-8")
