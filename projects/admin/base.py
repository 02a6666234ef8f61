"""The role-aware admin every page of the register builds on (ZoneRoleAdmin, ZoneRoleInline,
CitedAdmin), its refusal page, status badges and the helpers the workflow pages share. It
registers nothing and imports no module that does. Changelists fetch related rows in the same
query (list_select_related, annotations), so their query count does not grow with rows.

Who sees and changes what is decided by zone roles (projects.access), as in the API: every admin
built on these shows only the rows of the user's zones and sub-zones, lets editors change those, viewers
only look, and superusers do everything. Django's model permissions are not needed for the
tracker's models (the zone role decides); a non-superuser only needs is_staff to log in, which
`manage.py grant_zone_role` (or a role granted here) turns on. A refused save answers 403 with
the reason, and nothing of it is written: the admin saves inside one transaction, and the check
runs after the related rows are saved, so many-to-many zones count too.
"""

import copy
import functools

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR, ActionLocation, IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .. import access, rules
from ..models import (
    STALE_MESSAGE,
    Citation,
    FactStatus,
    ImportStatus,
    IndicatorValue,
    MilestoneStatus,
    Portfolio,
    RunStatus,
    StaleVersion,
    Versioned,
    Zone,
    related_count,
)
from ..security import refuse_control_characters
from .export import export_changelist, xlsx_response
from .forms import PAGE_FIELDS, REASON_FIELD, VERSION_FIELD, TrackedFormMixin, tracked_form
from .history import EXPORT_HEADERS, export_rows, history_entries, history_records, tracks_history

GOOD, PENDING, BAD, QUIET = "#1b7f3b", "#8a6d00", "#c62828", "#777"
# The colour of every status the admin shows, by the status's value: green done, amber waiting
# on someone, red failed or late, grey not yet started or set aside. A value two kinds of status
# share ("done") says the same in both.
STATUS_COLOURS = {
    MilestoneStatus.DONE: GOOD,
    MilestoneStatus.DUE: PENDING,
    MilestoneStatus.LATE: BAD,
    MilestoneStatus.UNSCHEDULED: QUIET,
    RunStatus.QUEUED: QUIET,
    RunStatus.RUNNING: PENDING,
    RunStatus.DONE: GOOD,
    RunStatus.FAILED: BAD,
    ImportStatus.CHECKED: PENDING,
    ImportStatus.INVALID: BAD,
    ImportStatus.COMMITTED: GOOD,
    FactStatus.PENDING: PENDING,
    FactStatus.ACCEPTED: GOOD,
    FactStatus.REJECTED: QUIET,
}


def status_badge(kind: str, status: str, label: str) -> str:
    """A status in its colour: <strong class="milestone-status status-late" …>逾期</strong>
    (`kind` names what has the status: milestone, run, import, fact)."""
    return format_html(
        '<strong class="{}-status status-{}" style="color:{}">{}</strong>',
        kind,
        status,
        STATUS_COLOURS[status],
        label,
    )


def milestone_badge(code: str) -> str:
    status = MilestoneStatus(code)
    return status_badge("milestone", status.value, str(status.label))


def citations_block(obj) -> str:
    """Each citation as its document and the quoted sentence, linked to the document."""
    citations = list(obj.citations.select_related("document")) if obj.pk else []
    if not citations:
        return "—"
    return format_html(
        '<ol class="citations">{}</ol>',
        format_html_join(
            "",
            '<li><a href="{}">{}</a>〔{}〕<q>{}</q></li>',
            (
                (
                    reverse("admin:projects_sourcedocument_change", args=[c.document_id]),
                    c.document.key,
                    gettext("第{position}字").format(position=c.start),
                    c.quote,
                )
                for c in citations
            ),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Zone roles


DEFAULT_REFUSAL = _("您没有执行该操作的权限")
ZONE_REQUIRED = _("请选择您有编辑权限的区域;未注明区域的数据只有超级管理员可以录入")


def refusal_response(request: HttpRequest, refusal: PermissionDenied) -> HttpResponseForbidden:
    """A 403 page in the admin's layout that says why."""
    message = str(refusal) or str(DEFAULT_REFUSAL)
    context = {**admin.site.each_context(request), "title": gettext("无权操作"), "message": message}
    return HttpResponseForbidden(render_to_string("admin/tracker/refusal.html", context, request))


def refusing(view):
    """A view of the tracker's own admin pages: the admin's 403 page, in its layout, for a
    refused request (not a member, or PermissionDenied raised inside)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not sees_tracker(request):
            return refusal_response(request, PermissionDenied())
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)

    return wrapped


def sees_tracker(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or access.is_member(user))


def choice_rows(model: type[Model]) -> QuerySet:
    """The rows a dropdown offers, with what their labels read: a citation is labelled with its
    document's key (one query for all, not one per chosen citation)."""
    if model is Citation:
        return Citation.objects.select_related("document").defer("document__text")
    if model is Portfolio:
        return Portfolio.objects.select_related("zone")
    return model._default_manager.all()


class PreloadedRows:
    """Stands in for the queryset of an autocomplete widget's choices (AutocompleteMixin.optgroups
    asks it for the chosen rows) with rows fetched once for every row of an inline."""

    def __init__(self, rows: list[Model]) -> None:
        self.rows = rows

    def using(self, alias: str) -> "PreloadedRows":
        return self

    def filter(self, **lookup) -> list[Model]:
        ((key, values),) = lookup.items()
        attname = key.removesuffix("__in")
        return [row for row in self.rows if str(getattr(row, attname)) in values]


def preload_autocomplete_choices(row_forms: list[forms.BaseForm]) -> None:
    """The chosen rows of the autocomplete dropdowns of an inline's rows, in one query a field:
    Django's autocomplete widget would fetch its chosen row once for each row of the inline.
    For unbound rows only: what each shows is then its row's present value, which its dropdown
    offers whatever the user may pick (keep_current_choices)."""
    if not row_forms:
        return
    for name, field in row_forms[0].fields.items():
        widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
        if not isinstance(widget, AutocompleteMixin) or getattr(field, "queryset", None) is None:
            continue
        chosen = set()
        for form in row_forms:
            value = form[name].value()
            values = value if isinstance(value, list | tuple) else [value]
            chosen.update(v for v in values if v not in field.empty_values)
        key = field.to_field_name or "pk"
        rows = PreloadedRows(list(choice_rows(field.queryset.model).filter(**{f"{key}__in": chosen})))
        for form in row_forms:
            form_widget = form.fields[name].widget
            form_widget = getattr(form_widget, "widget", form_widget)
            form_widget.choices = copy.copy(form_widget.choices)
            form_widget.choices.queryset = rows


def scoped_formfield_kwargs(model: type[Model], db_field, request: HttpRequest, kwargs: dict) -> dict:
    """Every dropdown and autocomplete of a relation offers only rows the user may pick
    (access.field_choices: rows they may edit for the zone, project or portfolio a row belongs
    to; rows they may read for a mere reference, a citation or reference data); a row's own zone
    is required of non-superusers."""
    if "queryset" not in kwargs:
        choices = choice_rows(db_field.related_model)
        kwargs["queryset"] = access.field_choices(choices, request.user, model, db_field.name)
    if access.ZONE_FIELDS.get(model) == db_field.name and not request.user.is_superuser:
        kwargs["required"] = True
        kwargs["error_messages"] = {"required": ZONE_REQUIRED}
    return kwargs


def text_rules(formfield):
    """A text field of an admin form refuses control characters, as the API does (no workbook or
    report could hold them)."""
    if isinstance(formfield, forms.CharField):
        formfield.validators.append(refuse_control_characters)
    return formfield


def keep_current_choices(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """The form class, with dropdowns that also offer the row's present value: a row pointing at
    something the user may not pick (their project on the city's list) still saves unchanged,
    and a change to it is refused by the check after saving."""

    class KeepCurrentChoices(form_class):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            if self.instance.pk is None:
                return
            for name, field in self.fields.items():
                queryset = getattr(field, "queryset", None)
                if queryset is None or queryset.model not in access.ZONE_PATHS:
                    continue
                model_field = self.instance._meta.get_field(name)
                if model_field.many_to_many:
                    current = Q(pk__in=getattr(self.instance, name).values("pk"))
                elif getattr(self.instance, model_field.attname) is not None:
                    current = Q(pk=getattr(self.instance, model_field.attname))
                else:
                    continue
                field.queryset = choice_rows(queryset.model).filter(Q(pk__in=queryset.values("pk")) | current)

    KeepCurrentChoices.__name__ = form_class.__name__
    return KeepCurrentChoices


def autocomplete_source(request: HttpRequest) -> tuple[type[Model], str] | None:
    """The model and field an admin autocomplete request searches choices for."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return None
    try:
        model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
    except (KeyError, LookupError):
        return None
    return model, request.GET.get("field_name", "")


def page_fieldsets(fieldsets, names: list[str]) -> list:
    """The fieldsets without the page's own fields (reason, confirmation, version) wherever they
    were, and with `names` of them at the end."""

    def without_page_fields(fields) -> list:
        kept = []
        for item in fields:
            if isinstance(item, list | tuple):
                if line := [name for name in item if name not in PAGE_FIELDS]:
                    kept.append(line)
            elif item not in PAGE_FIELDS:
                kept.append(item)
        return kept

    moved = [
        (title, {**options, "fields": without_page_fields(options["fields"])}) for title, options in fieldsets
    ]
    if not names:
        return moved
    return [*moved, (gettext("变更说明") if REASON_FIELD in names else None, {"fields": names})]


def history_subject(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> Model:
    """The record whose history is asked for, if the user may read it (a deleted record: its last
    state); Http404 otherwise, as for a record that never existed."""
    obj = model_admin.get_object(request, unquote(object_id))  # refuses the rows of other zones
    if obj is not None:
        return obj
    try:
        latest = history_records(model_admin.model, unquote(object_id)).first()
    except (ValidationError, ValueError):
        latest = None
    if latest is None:
        raise Http404
    obj = latest.instance
    try:
        readable = access.can_read(request.user, obj)
    except ObjectDoesNotExist:  # a deleted record whose parent is gone too
        readable = request.user.is_superuser
    if not readable:  # as if there were no such record: nothing learnt about another zone's
        raise Http404
    return obj


class ZoneRoleAdmin(SimpleHistoryAdmin):
    """A ModelAdmin governed by zone roles (projects.access), with what every tracker admin has:

    - forms of projects.admin.forms: a save made on a stale version is refused, rule messages show
      their ids, warnings are confirmed, the reason of a change goes into the history;
    - the change history of records whose model keeps one (django-simple-history), readable by
      those who may read the record, exported to Excel;
    - the changelist exported to Excel, as filtered, searched and ordered (导出Excel), or only
      the rows selected (导出所选为Excel).
    """

    change_list_template = "admin/tracker/change_list.html"

    def __init__(self, model: type[Model], admin_site) -> None:
        super().__init__(model, admin_site)
        inline_models = tuple(inline.model for inline in self.inlines)
        self.form = tracked_form(self.form, model, page_models=inline_models)
        if tracks_history(model):
            self.object_history_template = "admin/tracker/object_history.html"
        else:
            self.object_history_template = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).restrict(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_tracker(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return sees_tracker(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.can_write(request.user, self.model)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return access.can_write(request.user, self.model)
        return access.can_edit(request.user, obj, stored=True)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return access.can_write(request.user, self.model, delete=True)
        return access.can_delete(request.user, obj)

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        return keep_current_choices(super().get_form(request, obj, change, **kwargs))

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        names = [name for name in PAGE_FIELDS if name in self.form.declared_fields]
        return page_fieldsets(fieldsets, names if editable else [])

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        kwargs = scoped_formfield_kwargs(self.model, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        return text_rules(super().formfield_for_dbfield(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        kwargs = scoped_formfield_kwargs(self.model, db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = autocomplete_source(request)
        if source is not None:
            queryset = access.field_choices(queryset, request.user, *source)
        return queryset, may_have_duplicates

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if change:
            form.zones_before = access.zones_of(self.model._default_manager.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        user = request.user
        deleted_rows = [
            deleted.instance
            for formset in formsets
            for deleted in formset.deleted_forms
            if deleted.instance.pk is not None
        ]
        for row in deleted_rows:
            access.check_can_delete(user, row)
        # A row ticked 删除 that is (or cascades to) a figure of a locked month: the refusal page,
        # and the admin's transaction undoes the whole save.
        rules.check_deletable(deleted_rows)
        super().save_related(request, form, formsets, change)
        # After the many-to-many rows, inside the admin's transaction: a refusal undoes it all.
        access.check_can_edit(user, form.instance, before=getattr(form, "zones_before", None))
        for formset in formsets:
            for obj in [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]:
                access.check_can_edit(user, obj)

    def delete_model(self, request: HttpRequest, obj) -> None:
        access.check_can_delete(request.user, obj)
        rules.check_deletable([obj])  # get_deleted_objects has said so already; this holds anyway
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            access.check_can_delete(request.user, obj)
        rules.check_deletable(queryset)
        super().delete_queryset(request, queryset)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """Django's list of what a delete removes, with the figures of locked months among the
        protected rows: the confirmation page names them and why, and offers no 确认 button (a POST
        of it deletes nothing), for the delete view and the bulk action alike."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        return (
            to_delete,
            model_count,
            perms_needed,
            [*protected, *self.locked_rows(rules.locked_in_deletion(objs))],
        )

    @staticmethod
    def locked_rows(findings: list[rules.Finding]) -> list:
        """Figures of locked months as the confirmation page lists protected rows: per month, the
        rule's message, then its rows linked to their pages (a nested list, as unordered_list
        takes it). The rows come with their subject and metric: no query a row."""
        by_message: dict[str, list[Model]] = {}
        for finding in findings:
            by_message.setdefault(f"[{finding.rule_id}] {finding.message}", []).append(finding.obj)
        listed: list = []
        for message, values in by_message.items():
            links = [
                format_html(
                    '{}: <a href="{}">{}</a>',
                    IndicatorValue._meta.verbose_name,
                    reverse("admin:projects_indicatorvalue_change", args=[value.pk]),
                    value,
                )
                for value in values
            ]
            listed += [message, links]
        return listed

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except StaleVersion:
                # Someone saved between this form's version check and its save: all of this save
                # is rolled back. Shown again, the form finds the newer version and says so.
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion:
            self.message_user(request, STALE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.path)
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        inline_forms = [
            f for inline in context.get("inline_admin_formsets", []) for f in inline.formset.forms
        ]
        if isinstance(form, TrackedFormMixin) and any(getattr(f, "warnings", None) for f in inline_forms):
            form.offer_confirmation()  # the page's check box confirms its rows' warnings too
        return super().render_change_form(request, context, add, change, form_url, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)

    # -- export to Excel ------------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        urls = [path("export/", self.admin_site.admin_view(self.export_view), name=f"{prefix}_export")]
        if not tracks_history(self.model):
            return urls + admin.ModelAdmin.get_urls(self)
        urls.append(
            path(
                "<path:object_id>/history/export/",
                self.admin_site.admin_view(self.history_export_view),
                name=f"{prefix}_history_export",
            )
        )
        return urls + super().get_urls()

    def export_view(self, request: HttpRequest):
        """The changelist as shown (filters, search, ordering of the query string), all pages."""
        if not self.has_view_or_change_permission(request):
            return refusal_response(request, PermissionDenied())
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{url}?{ERROR_FLAG}=1")
        return export_changelist(self, request, changelist.queryset)

    @admin.action(description=_("导出所选为Excel"))
    def export_selected(self, request: HttpRequest, queryset: QuerySet):
        return export_changelist(self, request, queryset)

    def get_actions(self, request: HttpRequest, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if (
            self.actions is None
            or IS_POPUP_VAR in request.GET
            or action_location != ActionLocation.CHANGE_LIST
        ):
            return actions
        export = self.get_action("export_selected", action_location)
        actions.setdefault(export.name, export)
        return actions

    # -- change history -------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        try:
            if not tracks_history(self.model):
                return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
            history_subject(self, request, object_id)
            export_url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_history_export", args=[object_id]
            )
            return super().history_view(
                request, object_id, {"export_url": export_url, **(extra_context or {})}
            )
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True) -> None:
        """Each record of the history page gets its entry: who, when, reason, before → after."""
        records = list(historical_records)
        older = records[-1].prev_record if records and records[-1].history_type == "~" else None
        for record, entry in zip(records, history_entries(records, older), strict=True):
            record.entry = entry

    def history_export_view(self, request: HttpRequest, object_id: str):
        """The record's whole history as an xlsx: one row per changed field."""
        try:
            obj = history_subject(self, request, object_id)
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)
        records = list(history_records(self.model, obj.pk))
        title = gettext("{model}变更记录").format(model=self.opts.verbose_name)
        return xlsx_response(
            f"{title}-{obj.pk}-{timezone.localdate():%Y%m%d}.xlsx",
            title,
            EXPORT_HEADERS,
            export_rows(history_entries(records)),
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version, to look at. Restoring it is an ordinary edit of the record, with its
        reason, so that the rules and the version check apply."""
        try:
            if request.method == "POST":
                raise PermissionDenied(
                    gettext("历史版本只供查看;如需恢复旧值,请在修改页面重新填写并注明变更原因")
                )
            history_subject(self, request, object_id)
            return super().history_form_view(request, object_id, version_id, extra_context)
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)

    def revert_disabled(self, request, obj=None) -> bool:
        return True


def restrict_row_id(formset, form, user) -> None:
    """An inline row's own id names a row of the inline: Django's field offers every row of the
    model, and would tell another zone's existing row from a missing one."""
    field = form.fields.get(formset._pk_field.name)
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = field.queryset.restrict(user)


class ZoneRoleInline(admin.TabularInline):
    """An inline governed by zone roles: its rows are editable when the parent row is. A row of a
    versioned model carries its version (projects.admin.forms)."""

    def __init__(self, parent_model: type[Model], admin_site) -> None:
        super().__init__(parent_model, admin_site)
        self.form = tracked_form(self.form, self.model, inline=True)

    def get_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_fields(request, obj))
        if issubclass(self.model, Versioned) and self.has_change_permission(request, obj):
            return [*(name for name in fields if name != VERSION_FIELD), VERSION_FIELD]
        return [name for name in fields if name != VERSION_FIELD]

    # What each row's label (shown above its fields) reads, fetched with the rows: not a query a row.
    row_select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request).restrict(request.user)
        return queryset.select_related(*self.row_select_related) if self.row_select_related else queryset

    def parent_editable(self, request: HttpRequest, obj) -> bool:
        if obj is None:
            return access.can_write(request.user, self.parent_model)
        return access.can_edit(request.user, obj, stored=True)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return sees_tracker(request)

    def has_add_permission(self, request: HttpRequest, obj) -> bool:
        return self.parent_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.parent_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.parent_editable(request, obj)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = keep_current_choices(formset.form)

        class ChoicesOnce(formset):
            @cached_property
            def forms(self):
                made = super().forms
                if not self.is_bound:
                    preload_autocomplete_choices(made)
                return made

            def add_fields(self, form, index) -> None:
                super().add_fields(form, index)
                restrict_row_id(self, form, request.user)

        ChoicesOnce.__name__ = formset.__name__
        return ChoicesOnce

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        kwargs = scoped_formfield_kwargs(self.model, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        return text_rules(super().formfield_for_dbfield(db_field, request, **kwargs))


class ReadableZoneFilter(admin.RelatedFieldListFilter):
    """The zone filter of a large table: the zones the user may read (one query of the zone
    table), where RelatedOnlyFieldListFilter reads SELECT DISTINCT zone over every row."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        readable = Zone.objects.restrict(request.user)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": readable.values("pk")}
        )


class CitedAdmin(ZoneRoleAdmin):
    """Facts: citations are picked by searching their quotes and shown with the sentence."""

    autocomplete_fields = ["citations"]
    readonly_fields = ["citations_display"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The count is a correlated subquery, not a GROUP BY over a join: PostgreSQL computes it
        # for the page's rows only (50,000 projects, their citations never all read). Some
        # admins aggregate more (ZoneAdmin …), and Django ignores Meta.ordering in grouped
        # queries: order explicitly so that autocomplete pages stay stable.
        return (
            super()
            .get_queryset(request)
            .annotate(citation_count=related_count(self.model.citations.through, self.model))
            .order_by(*self.model._meta.ordering, "pk")
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # A read-only page lists the citations by their labels, which name their documents.
            prefetch_related_objects([obj], Prefetch("citations", queryset=choice_rows(Citation)))
        return obj

    @admin.display(description=_("引文原文"))
    def citations_display(self, obj) -> str:
        return citations_block(obj)

    @admin.display(description=_("引文"), ordering="citation_count")
    def citation_count(self, obj) -> int:
        return obj.citation_count
