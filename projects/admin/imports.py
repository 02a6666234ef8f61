"""Excel导入 in the admin: upload a workbook, see its dry run (every row's findings: 行, 列, 规则,
级别, 说明), then 确认导入 writes it all or nothing (projects.workbooks.imports does the work).

- ImportBatch admin: the add page is the upload form (kind and file; a monthly workbook names its
  zone and month in its hidden _meta sheet); the change page shows the findings and the commit
  button; the stored file can be downloaded again while it is kept (projects.uploads: until
  committed or IMPORT_PENDING_HOURS, then IMPORT_UPLOAD_RETENTION_DAYS after its commit; an upload
  beyond the uploader's IMPORT_UPLOAD_QUOTA_MB is a form error). A batch is never edited: a
  corrected file is a new upload. Editors see the batches of their zones (and their own uploads);
  superusers all.
- Templates: the monthly template of a zone and month under the zone admin
  (<zone>/monthly/<year>-<month>/template.xlsx, linked from the 月报填报 screen), the projects and
  indicators templates from the upload page.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access, uploads
from ..i18n import bilingual
from ..models import ImportBatch, ImportKind, ImportStatus, Zone
from ..workbooks.imports import ImportRefused, check_import, import_batch_commit, record_check
from ..workbooks.template import indicators_template, monthly_template, projects_template
from .base import BAD, PENDING, refusal_response, sees_tracker, status_badge

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024
FINDINGS_SHOWN = 2000  # the page lists this many findings; the counts are always complete
SEVERITY_LABELS = {"error": _("错误"), "warning": _("警告")}


def xlsx_download(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


# ---------------------------------------------------------------------------------------------
# Templates


def monthly_template_view(request: HttpRequest, zone_id: int, year: int, month: int) -> HttpResponse:
    """The zone's monthly template: anyone who may read the zone may download it."""
    if not sees_tracker(request):
        return refusal_response(request, PermissionDenied())
    zone = Zone.objects.restrict(request.user).filter(pk=zone_id).first()
    if zone is None or not (1 <= month <= 12 and 1949 <= year <= 2200):
        raise Http404(gettext("没有该区域或月份"))
    return xlsx_download(
        monthly_template(zone, year, month, user=request.user),
        gettext("{zone}{year}年{month}月月报.xlsx").format(zone=zone.name, year=year, month=month),
    )


def monthly_template_urls(wrap) -> list[URLPattern]:
    """The monthly template's page, for ZoneAdmin.get_urls (`wrap` is admin_site.admin_view)."""
    return [
        path(
            "<int:zone_id>/monthly/<int:year>-<int:month>/template.xlsx",
            wrap(monthly_template_view),
            name="projects_zone_monthly_template",
        )
    ]


TEMPLATES = {ImportKind.PROJECTS: projects_template, ImportKind.INDICATORS: indicators_template}


def kind_template(kind: str, zone: Zone | None) -> tuple[bytes, str]:
    """(content, file name) of the projects or indicators template, for a zone when given."""
    label = ImportKind(kind).label
    if zone is None:
        name = gettext("{kind}导入模板.xlsx").format(kind=label)
    else:
        name = gettext("{zone}{kind}导入模板.xlsx").format(zone=zone.name, kind=label)
    return TEMPLATES[kind](zone), name


# ---------------------------------------------------------------------------------------------
# Upload


class ImportUploadForm(forms.ModelForm):
    """The upload, checked as the form is cleaned: a file that cannot be imported as a whole (no
    workbook, one made to exhaust memory, malformed XML, another kind's template, missing
    columns) is a form error and nothing is recorded; otherwise save_model records the check."""

    upload = forms.FileField(label=_("Excel文件"), help_text="")
    uploader = None  # the user uploading, set by ImportBatchAdmin.get_form: the quota is theirs,
    # and the check runs with their access

    class Meta:
        model = ImportBatch
        fields = ["kind"]
        help_texts = {"kind": _("月报数据须使用区域的月报模板(月报填报页面下载),其中记有区域和月份")}

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm")):
            raise forms.ValidationError(gettext("请上传 Excel 工作簿(.xlsx 文件)"))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(gettext("文件超过20MB,请分成几个文件导入"))
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        upload, kind = cleaned.get("upload"), cleaned.get("kind")
        if upload is None or not kind or self.uploader is None:
            return cleaned
        # Storage: the file is kept for its commit, within the uploader's quota. The admin's add
        # view runs in one transaction: the lock holds until the batch is saved.
        uploads.lock_uploader(self.uploader)
        if (exceeded := uploads.quota_refusal(self.uploader, upload.size)) is not None:
            # In both languages, as the API answers it: the quota is the operators' setting.
            self.add_error("upload", bilingual(exceeded.message))
            return cleaned
        content = upload.read()
        result = check_import(kind, content, user=self.uploader, file_name=upload.name)
        refused = next((f for f in result.errors if f.row == 0 and f.rule_id == "file"), None)
        if refused is not None:
            self.add_error("upload", refused.message)
        else:
            self.checked = (content, result)
        return cleaned


def _template_links(request: HttpRequest) -> str:
    """Download links of the projects and indicators templates, blank and for the user's zones."""
    access_ = access.zone_access(request.user)
    zones = list(Zone.objects.filter(pk__in=sorted(access_.editor_roots)).order_by("name")[:5])
    links = []
    for kind in TEMPLATES:
        url = reverse("admin:projects_importbatch_template", args=[kind])
        label = ImportKind(kind).label
        links.append((url, gettext("{kind}模板(空白)").format(kind=label)))
        links += [
            (f"{url}?zone={zone.pk}", gettext("{kind}模板({zone})").format(kind=label, zone=zone.name))
            for zone in zones
        ]
    return format_html(
        gettext("下载模板:{links}。<br>月报模板在“区域 › 月报填报”页面按月份下载,已填好本区域的项目。"),
        links=format_html_join("、", '<a href="{}">{}</a>', links),
    )


# ---------------------------------------------------------------------------------------------
# The admin


def import_status_badge(batch: ImportBatch) -> str:
    return status_badge("import", batch.status, batch.get_status_display())


def findings_table(findings: list[dict]) -> str:
    """The dry run: one line per finding, errors first within a row."""
    if not findings:
        return format_html('<p class="import-ok">{}</p>', gettext("未发现问题"))
    rows = format_html_join(
        "",
        '<tr class="finding {}"><td>{}</td><td>{}</td><td><code>{}</code></td>'
        '<td style="color:{}">{}</td><td>{}</td></tr>',
        (
            (
                f["severity"],
                f["row"] or gettext("文件"),
                f["column"] or "—",
                f["rule"],
                BAD if f["severity"] == "error" else PENDING,
                SEVERITY_LABELS.get(f["severity"], f["severity"]),
                f["message"],
            )
            for f in findings[:FINDINGS_SHOWN]
        ),
    )
    more = (
        format_html(
            "<p>{}</p>",
            gettext("另有{count}条未列出,请修改后重新上传检查。").format(
                count=len(findings) - FINDINGS_SHOWN
            ),
        )
        if len(findings) > FINDINGS_SHOWN
        else ""
    )
    return format_html(
        '<table class="import-findings"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th></tr></thead><tbody>{}</tbody></table>{}",
        gettext("行"),
        gettext("列"),
        gettext("规则"),
        gettext("级别"),
        gettext("说明"),
        rows,
        more,
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "kind",
        "zone",
        "status_display",
        "row_count",
        "error_count",
        "warning_count",
        "uploaded_by",
        "uploaded_at",
        "committed_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["zone", "uploaded_by"]
    search_fields = ["file_name", "zone__name"]
    change_fields = [
        "kind",
        "zone",
        "file_link",
        "status_display",
        "counts",
        "uploaded_by",
        "uploaded_at",
        "committed_at",
        "findings_display",
    ]

    # -- who sees what -----------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("content").with_file_kept().restrict(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_tracker(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return sees_tracker(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return sees_tracker(request) and access.can_write(request.user, None)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a batch is kept as uploaded; a corrected file is a new upload

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def can_commit(self, request: HttpRequest, batch: ImportBatch) -> bool:
        return self.has_add_permission(request) and batch.status == ImportStatus.CHECKED and batch.file_kept

    # -- the upload form and the dry-run page -----------------------------------------------

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
            form = super().get_form(request, obj, change, **kwargs)  # a class of its own per request
            form.base_fields["upload"].help_text = _template_links(request)
            form.uploader = request.user
            return form
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        if obj is None:
            return ["kind", "upload"]
        return [*self.change_fields, "commit_display" if self.can_commit(request, obj) else "commit_state"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: ImportBatch, form, change: bool) -> None:
        content, result = form.checked  # checked as the form was cleaned
        obj.file_name, obj.uploaded_by = form.cleaned_data["upload"].name, request.user
        uploads.keep_file(obj, content)  # within the quota: the form's clean() checked it, locked
        record_check(obj, result)

    def response_add(self, request: HttpRequest, obj: ImportBatch, post_url_continue=None):
        if obj.error_count:
            message, level = (
                gettext("已检查{rows}行:{errors}个错误,未导入。请按下表修改后重新上传").format(
                    rows=obj.row_count, errors=obj.error_count
                ),
                messages.ERROR,
            )
        elif obj.warning_count:
            message, level = (
                gettext("已检查{rows}行:{warnings}个警告,请核对后确认导入").format(
                    rows=obj.row_count, warnings=obj.warning_count
                ),
                messages.WARNING,
            )
        else:
            message, level = (
                gettext("已检查{rows}行,未发现问题,请确认导入").format(rows=obj.row_count),
                messages.SUCCESS,
            )
        self.message_user(request, message, level)
        return HttpResponseRedirect(reverse("admin:projects_importbatch_change", args=[obj.pk]))

    @admin.display(description=_("状态"), ordering="status")
    def status_display(self, obj: ImportBatch) -> str:
        return import_status_badge(obj)

    @admin.display(description=_("文件"))
    def file_link(self, obj: ImportBatch) -> str:
        if obj.file_kept:
            return format_html(
                '<a href="{}">{}</a>({})',
                reverse("admin:projects_importbatch_file", args=[obj.pk]),
                obj.file_name,
                uploads.size_text(obj.file_size),
            )
        why = str(uploads.why_no_file(obj))
        if obj.file_deleted_at is not None:
            why = gettext("{reason}(删除于{when})").format(
                reason=why, when=f"{timezone.localtime(obj.file_deleted_at):%Y-%m-%d %H:%M}"
            )
        return format_html('{} <span class="file-gone">{}</span>', obj.file_name, why)

    @admin.display(description=_("行数/错误/警告"))
    def counts(self, obj: ImportBatch) -> str:
        return gettext("{rows}行,{errors}个错误,{warnings}个警告").format(
            rows=obj.row_count, errors=obj.error_count, warnings=obj.warning_count
        )

    @admin.display(description=_("检查结果"))
    def findings_display(self, obj: ImportBatch) -> str:
        return findings_table(obj.findings)

    @admin.display(description=_("导入"))
    def commit_state(self, obj: ImportBatch) -> str:
        if obj.status == ImportStatus.COMMITTED:
            return gettext("已于{when}导入").format(
                when=timezone.localtime(obj.committed_at).strftime("%Y-%m-%d %H:%M")
            )
        if obj.status == ImportStatus.INVALID:
            return gettext("有错误,不能导入:请修改文件后重新上传")
        if not obj.file_kept:
            return gettext("{reason},不能导入:请重新上传该文件").format(reason=uploads.why_no_file(obj))
        return gettext("只有有编辑权限的用户可以导入")

    @admin.display(description=_("导入"))
    def commit_display(self, obj: ImportBatch) -> str:
        """The commit button (on the change page's own form), for those who may commit."""
        confirm = (
            format_html(
                '<label><input type="checkbox" name="confirm_warnings" value="1"> {}</label><br>',
                gettext("确认以上警告并导入"),
            )
            if obj.warning_count
            else ""
        )
        return format_html(
            '{}<button type="submit" class="button default" formaction="{}" name="_commit">{}</button>'
            '<p class="help">{}</p>',
            confirm,
            reverse("admin:projects_importbatch_commit", args=[obj.pk]),
            gettext("确认导入"),
            gettext("导入时会按最新数据重新检查,全部通过才写入,否则一条也不写入"),
        )

    # -- commit, file, templates ----------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/commit/", wrap(self.commit_view), name="projects_importbatch_commit"),
            path("<path:object_id>/file/", wrap(self.file_view), name="projects_importbatch_file"),
            path("template/<str:kind>.xlsx", wrap(self.template_view), name="projects_importbatch_template"),
            *super().get_urls(),
        ]

    def _batch(self, request: HttpRequest, object_id: str) -> ImportBatch:
        batch = self.get_object(request, object_id)
        if batch is None:
            raise Http404(gettext("没有该导入记录,或无权查看"))
        return batch

    def commit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch(request, object_id)
        if not self.has_add_permission(request):
            return refusal_response(request, PermissionDenied())
        batch = ImportBatch.objects.get(pk=batch.pk)  # with its file
        try:
            result, summary = import_batch_commit(
                batch, user=request.user, confirm_warnings=request.POST.get("confirm_warnings") == "1"
            )
        except ImportRefused as refused:
            self.message_user(request, refused.message, messages.ERROR)
        else:
            counts = "、".join(
                label.format(count=summary[key]) for key, label in SUMMARY_LABELS if key in summary
            )
            self.message_user(
                request,
                gettext("已导入{rows}行:{counts}").format(rows=result.rows, counts=counts),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:projects_importbatch_change", args=[batch.pk]))

    def file_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        batch = self._batch(request, object_id)
        content = ImportBatch.objects.values_list("content", flat=True).get(pk=batch.pk)
        if content is None:
            self.message_user(request, str(uploads.why_no_file(batch)), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:projects_importbatch_change", args=[batch.pk]))
        return xlsx_download(bytes(content), batch.file_name)

    def template_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in TEMPLATES or not sees_tracker(request):
            raise Http404(gettext("没有该模板"))
        zone = None
        if zone_id := request.GET.get("zone"):
            zones = Zone.objects.restrict(request.user)
            zone = zones.filter(pk=int(zone_id)).first() if zone_id.isdecimal() else None
            if zone is None:
                raise Http404(gettext("没有该区域,或无权查看"))
        return xlsx_download(*kind_template(kind, zone))


SUMMARY_LABELS = (
    ("created", _("新增{count}")),
    ("updated", _("修改{count}")),
    ("restated", _("更正{count}")),
    ("milestones", _("节点{count}")),
    ("unchanged", _("未变{count}")),
)
