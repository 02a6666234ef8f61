"""定期报告: report schedules and the runs made of them (projects.report_runs does the work)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access, report_runs
from ..forms import ReportScheduleForm
from ..models import ReportCadence, ReportFormat, ReportRun, ReportSchedule, RunStatus, ScopeKind
from ..reports.cadence import DAY_LABELS
from .base import ZoneRoleAdmin, restrict_row_id, sees_tracker, status_badge


def run_status_badge(run: ReportRun) -> str:
    return status_badge("run", run.status, run.get_status_display())


def run_links(run: ReportRun) -> str:
    """The run's page and a download link per file."""
    if run.status != RunStatus.DONE:
        return "—"
    links = [(reverse("report-run-page", args=[run.pk]), gettext("查看"))]
    links += [
        (reverse("reportrun-file", kwargs={"pk": run.pk, "file_format": f.format}), f.format.upper())
        for f in run.files.all()
    ]
    return format_html_join(" | ", '<a href="{}">{}</a>', links)


class ReportRunInline(admin.TabularInline):
    model = ReportRun
    fk_name = "schedule"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["period", "status_badge", "attempts", "finished_at", "delivery", "links"]
    readonly_fields = fields
    ordering = ["-period_start"]
    verbose_name_plural = _("已生成的报告")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The rows' labels name their scope (ReportScope.scope_name).
        queryset = super().get_queryset(request).restrict(request.user).listing()
        return queryset.select_related("zone", "portfolio__zone", "campaign")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return sees_tracker(request)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class RestrictedRows(formset):
            def add_fields(self, form, index) -> None:
                super().add_fields(form, index)
                restrict_row_id(self, form, request.user)

        return RestrictedRows

    @admin.display(description=_("统计期"))
    def period(self, run: ReportRun) -> str:
        return run.period.display

    @admin.display(description=_("状态"))
    def status_badge(self, run: ReportRun) -> str:
        return run_status_badge(run)

    @admin.display(description=_("发送"))
    def delivery(self, run: ReportRun) -> str:
        return run.get_delivery_status_display()

    @admin.display(description=_("文件"))
    def links(self, run: ReportRun) -> str:
        return run_links(run)


@admin.register(ReportSchedule)
class ReportScheduleAdmin(ZoneRoleAdmin):
    form = ReportScheduleForm
    list_display = [
        "__str__",
        "scope",
        "cadence",
        "due",
        "format_list",
        "recipient_count",
        "active",
        "next_due",
    ]
    list_filter = ["cadence", "active"]
    list_select_related = ["zone", "portfolio__zone", "campaign"]
    search_fields = ["name", "zone__name", "portfolio__name", "campaign__name"]
    autocomplete_fields = ["zone", "portfolio", "campaign"]
    inlines = [ReportRunInline]
    actions = ["make_latest_run"]

    def save_model(self, request: HttpRequest, obj: ReportSchedule, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("范围"))
    def scope(self, obj: ReportSchedule) -> str:
        return f"{ScopeKind(obj.scope_kind).label}:{obj.scope_name}"

    @admin.display(description=_("报送日"))
    def due(self, obj: ReportSchedule) -> str:
        day = obj.effective_due_day
        if obj.cadence == ReportCadence.WEEKLY:
            return gettext("次周{weekday}").format(weekday=DAY_LABELS[day - 1])
        if obj.cadence == ReportCadence.QUARTERLY:
            return gettext("季后首月{day}日").format(day=day)
        return gettext("次月{day}日").format(day=day)

    @admin.display(description=_("格式"))
    def format_list(self, obj: ReportSchedule) -> str:
        return "、".join(str(ReportFormat(f).label) for f in obj.formats)

    @admin.display(description=_("收件人数"))
    def recipient_count(self, obj: ReportSchedule) -> int:
        return len(obj.recipients)

    @admin.display(description=_("下次报送"))
    def next_due(self, obj: ReportSchedule) -> str:
        return obj.next_due_date(timezone.localdate()).isoformat() if obj.active else "—"

    @admin.action(description=_("生成所选计划最近到期的一期报告"))
    def make_latest_run(self, request: HttpRequest, queryset: QuerySet) -> None:
        today = timezone.localdate()
        for schedule in queryset:
            if not access.can_edit(request.user, schedule, stored=True):
                self.message_user(
                    request,
                    gettext("{schedule}:没有该区域的编辑权限").format(schedule=schedule),
                    level="error",
                )
                continue
            period = schedule.latest_due_period(today)
            if reason := report_runs.schedule_skip_reason(schedule, period):
                self.message_user(request, f"{schedule}:{reason}", level="warning")
            elif run := report_runs.make_due_run(schedule, period):
                run.refresh_from_db()
                self.message_user(
                    request,
                    gettext("{schedule}:{period}的报告{status}").format(
                        schedule=schedule, period=period.display, status=run.get_status_display()
                    ),
                )
            else:
                self.message_user(
                    request,
                    gettext("{schedule}:{period}的报告已经生成过").format(
                        schedule=schedule, period=period.display
                    ),
                    level="warning",
                )


@admin.register(ReportRun)
class ReportRunAdmin(ZoneRoleAdmin):
    """Runs are kept as made: looked at, downloaded and retried, never edited."""

    list_display = ["__str__", "schedule", "status_badge", "attempts", "finished_at", "delivery", "links"]
    list_filter = ["status", "delivery_status", "cadence"]
    list_select_related = [
        "zone",
        "portfolio__zone",
        "campaign",
        "schedule__zone",
        "schedule__portfolio__zone",
        "schedule__campaign",
    ]
    search_fields = ["zone__name", "portfolio__name", "campaign__name", "schedule__name"]
    date_hierarchy = "period_start"
    actions = ["retry"]
    fields = [
        "schedule",
        "scope",
        "period",
        "due_on",
        "formats",
        "recipients",
        "status_badge",
        "error",
        "attempts",
        "queued_at",
        "started_at",
        "finished_at",
        "fingerprint",
        "delivery",
        "delivery_error",
        "delivery_attempts",
        "delivered_at",
        "links",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).listing()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    @admin.display(description=_("范围"))
    def scope(self, run: ReportRun) -> str:
        return f"{ScopeKind(run.scope_kind).label}:{run.scope_name}"

    @admin.display(description=_("统计期"))
    def period(self, run: ReportRun) -> str:
        return gettext("{period}({start} 至 {end})").format(
            period=run.period.display, start=run.period_start, end=run.period_end
        )

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, run: ReportRun) -> str:
        return run_status_badge(run)

    @admin.display(description=_("发送"), ordering="delivery_status")
    def delivery(self, run: ReportRun) -> str:
        return run.get_delivery_status_display()

    @admin.display(description=_("文件"))
    def links(self, run: ReportRun) -> str:
        return run_links(run)

    @admin.action(description=_("重新生成所选的失败报告"))
    def retry(self, request: HttpRequest, queryset: QuerySet) -> None:
        retried = 0
        for run in queryset:
            if access.can_edit(request.user, run, stored=True) and report_runs.retry_run(run):
                retried += 1
        self.message_user(
            request,
            gettext("已重新排队 {count} 份报告(只有失败且有编辑权限的报告会重新生成)").format(count=retried),
        )
