"""月报填报 in the admin: the zone's month in one table, saved all at once or not at all; and the
reopening of locked months (重新开放填报).

Pages (under the zone admin, so /admin/projects/zone/…):
- monthly/                      the zones the user can report for;
- <zone>/monthly/               the month picker: the months of the last year with their windows;
- <zone>/monthly/<year>-<month>/ the sheet: one row per project of the zone's portfolios.
Editors of the zone (or of a zone above it) fill the sheet, viewers read it, others are refused.
The work is done by projects.monthly_entry: this module turns the form into MonthlyLines and the
findings back into messages in their cells.

A locked month is reopened by an administrator: a superuser, or an editor of a zone above the
zone (the city's office reopens a county's month). The reopening is recorded with who, when, why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access
from ..forms import FuzzyDateField
from ..models import STALE_MESSAGE, EntryBasis, EntryReopening, MilestoneKind, StaleVersion, Zone
from ..money import AmountParseError, AmountScale, Currency, format_amount, from_base, parse_amount
from ..monthly_entry import (
    MONTHLY_MILESTONES,
    CellFinding,
    MonthlyLine,
    MonthlySheet,
    SheetRow,
    check_month,
    monthly_sheet,
    save_month,
    summary_text,
)
from ..periods import PeriodParseError, add_months, format_period, parse_year_month
from ..reports.render import amount_display
from ..windows import entry_deadline, is_locked, window_label
from .base import refusal_response, refusing, sees_tracker

SCALE_CHOICES = [(AmountScale.WAN, _("万元")), (AmountScale.YI, _("亿元")), (AmountScale.ONE, _("元"))]
MONTHS_LISTED = 12
REOPEN_DAYS = 7  # a reopening lasts a week unless the administrator says otherwise


# ---------------------------------------------------------------------------------------------
# Who may do what: projects.access (can_edit_zone, can_reopen, supervised_zones)


def _zone_for(request: HttpRequest, zone_id: int) -> Zone:
    """The zone, if the user may read it; another zone's is not found, as one that does not exist."""
    return get_object_or_404(Zone.objects.restrict(request.user), pk=zone_id)


# ---------------------------------------------------------------------------------------------
# Months and their windows


def months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """(year, month) and the `count - 1` months before it, latest first."""
    first = date(year, month, 1)
    return [(day.year, day.month) for day in (add_months(first, -back) for back in range(count))]


@dataclass(frozen=True)
class MonthState:
    year: int
    month: int
    label: str
    locked: bool
    url: str


def _month_states(zone: Zone, today: date) -> list[MonthState]:
    months = months_back(today.year, today.month, MONTHS_LISTED)
    reopened = EntryReopening.objects.reopened_until({zone.pk}, set(months))
    states = []
    for year, month in months:
        until = reopened.get((zone.pk, year, month))
        states.append(
            MonthState(
                year,
                month,
                window_label(year, month, zone.entry_deadline_day, today, until),
                is_locked(today, year, month, zone.entry_deadline_day, until),
                reverse("admin:projects_zone_monthly_sheet", args=[zone.pk, year, month]),
            )
        )
    return states


def _context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "opts": Zone._meta, **extra}


@refusing
def zones_view(request: HttpRequest) -> HttpResponse:
    """The zones whose monthly figures the user reports or reads; one editable zone: straight to it."""
    zones = Zone.objects.restrict(request.user).order_by("name")
    editable = [z for z in zones if access.can_edit_zone(request.user, z)]
    if len(editable) == 1 and not request.user.is_superuser:
        return HttpResponseRedirect(reverse("admin:projects_zone_monthly", args=[editable[0].pk]))
    rows = [(zone, zone in editable) for zone in zones]
    return TemplateResponse(
        request,
        "admin/projects/monthly_zones.html",
        _context(request, gettext("月报填报:选择区域"), rows=rows),
    )


@refusing
def month_view(request: HttpRequest, zone_id: int) -> HttpResponse:
    """Pick the month: a year-month input (default the month reported now) and the last 12 months."""
    zone = _zone_for(request, zone_id)
    today = timezone.localdate()
    error = ""
    if text := request.GET.get("month", "").strip():
        try:
            year, month = parse_year_month(text)
        except PeriodParseError as exc:
            error = str(exc)
        else:
            return HttpResponseRedirect(
                reverse("admin:projects_zone_monthly_sheet", args=[zone.pk, year, month])
            )
    states = _month_states(zone, today)
    # The month reported now: last month while its window is open, else this one.
    current, last = states[0], states[1]
    default = last if not last.locked else current
    return TemplateResponse(
        request,
        "admin/projects/monthly_months.html",
        _context(
            request,
            gettext("{zone} 月报填报").format(zone=zone.name),
            zone=zone,
            states=states,
            default=f"{default.year}-{default.month:02d}",
            error=error,
            basis=zone.get_entry_basis_display(),
            deadline_day=zone.entry_deadline_day,
        ),
    )


# ---------------------------------------------------------------------------------------------
# The sheet's form


def _amount_text(value: Decimal | None, scale: int) -> str:
    return "" if value is None else f"{from_base(value, scale):f}"


class MonthlyRowForm(forms.Form):
    """One project's row: the amount as staff type it, its unit, the milestones reached, a remark,
    the reason of a restatement, and the versions of the stored cells the editor saw."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.CharField(required=False, max_length=50)
    scale = forms.TypedChoiceField(choices=SCALE_CHOICES, coerce=int, initial=AmountScale.WAN)
    remark = forms.CharField(required=False, max_length=500)
    reason = forms.CharField(required=False, max_length=500)
    seen_amount = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in MONTHLY_MILESTONES:
            self.fields[f"milestone_{kind}"] = FuzzyDateField(required=False, default_year=year, help_text="")
            self.fields[f"seen_milestone_{kind}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False
            )
        self.fields["amount"].widget.attrs.update(size=10, inputmode="decimal")
        self.fields["remark"].widget.attrs.update(size=14)
        self.fields["reason"].widget.attrs.update(size=14)

    def clean(self) -> dict:
        cleaned = super().clean()
        text = (cleaned.get("amount") or "").strip()
        cleaned["amount_value"] = None
        if text:
            try:
                parsed = parse_amount(text, cleaned.get("scale") or AmountScale.WAN, Currency.CNY)
            except AmountParseError as error:
                self.add_error("amount", str(error))
                return cleaned
            if parsed.currency != Currency.CNY:
                self.add_error("amount", gettext("完成投资以人民币填报"))
            elif parsed.qualifier:
                self.add_error("amount", gettext("完成投资须填确数,不带“约”“超”等限定词"))
            else:
                cleaned["amount_value"], cleaned["scale"] = parsed.value, parsed.scale
        return cleaned

    def line(self) -> MonthlyLine:
        """The MonthlyLine of the cells that could be read (the others are reported as errors)."""
        data = self.cleaned_data
        seen = {"amount": data.get("seen_amount")}
        milestones = {}
        for kind in MONTHLY_MILESTONES:
            seen[f"milestone:{kind}"] = data.get(f"seen_milestone_{kind}")
            if reached := data.get(f"milestone_{kind}"):
                milestones[kind] = reached
        return MonthlyLine(
            project_id=data["project"],
            amount=data.get("amount_value"),
            scale=data.get("scale"),
            milestones=milestones,
            remark=data.get("remark", ""),
            reason=data.get("reason", ""),
            seen={column: version for column, version in seen.items() if version is not None},
        )


MonthlyFormSet = forms.formset_factory(MonthlyRowForm, extra=0)


def _initial(sheet: MonthlySheet) -> list[dict]:
    rows = []
    for row in sheet.rows:
        entered = row.month_amount if sheet.basis == EntryBasis.MONTH else row.ytd
        initial = {
            "project": row.project.pk,
            "amount": _amount_text(entered, row.scale),
            "scale": row.scale,
            "remark": row.remark,
            "seen_amount": row.version,
        }
        for kind, cell in row.milestones.items():
            initial[f"milestone_{kind}"] = (cell.actual, cell.actual_precision) if cell.actual else None
            initial[f"seen_milestone_{kind}"] = cell.version
        rows.append(initial)
    return rows


def _column_of(field_name: str) -> str:
    if field_name.startswith("milestone_"):
        return "milestone:" + field_name.removeprefix("milestone_")
    return {"scale": "amount", "__all__": "project"}.get(field_name, field_name or "project")


@dataclass
class Cell:
    field: forms.BoundField | None
    text: str = ""  # what a reader sees (viewers, and cells that are not entered here)
    messages: list[CellFinding] = field(default_factory=list)

    @property
    def css(self) -> str:
        if any(m.is_error for m in self.messages):
            return "cell-error"
        return "cell-warning" if self.messages else ""


@dataclass
class RowView:
    number: int
    row: SheetRow | None
    project_id: int
    name: str
    url: str
    portfolios: str
    total: str
    planned: str
    previous: str
    derived: str  # the figure not entered: YTD when the month is entered, and the other way round
    hidden: list[forms.BoundField]
    cells: dict[str, Cell]  # by column: "amount", "scale", "milestone:<kind>", "remark", "reason"
    row_messages: list[CellFinding]

    @property
    def amount(self) -> Cell:
        return self.cells["amount"]

    @property
    def scale(self) -> Cell:
        return self.cells["scale"]

    @property
    def milestones(self) -> list[Cell]:
        return [self.cells.get(f"milestone:{kind}", Cell(None)) for kind in MONTHLY_MILESTONES]

    @property
    def remark(self) -> Cell:
        return self.cells.get("remark", Cell(None))

    @property
    def reason(self) -> Cell:
        return self.cells.get("reason", Cell(None))


def _row_view(
    index: int,
    row: SheetRow | None,
    form: MonthlyRowForm | None,
    project_id: int,
    basis: str,
    headers: dict[str, str],
) -> RowView:
    def bound(name: str) -> forms.BoundField | None:
        return form[name] if form is not None else None

    cells = {"amount": Cell(bound("amount")), "scale": Cell(bound("scale"))}
    if row is None:
        name = gettext("项目{id}").format(id=project_id)
        return RowView(index + 1, None, project_id, name, "", "", "", "", "", "", [], cells, [])
    scale = row.scale
    entered = row.month_amount if basis == EntryBasis.MONTH else row.ytd
    derived = row.ytd if basis == EntryBasis.MONTH else row.month_amount
    cells["amount"].text = format_amount(entered, scale) if entered is not None else ""
    cells["scale"].text = AmountScale(scale).label
    for kind, milestone in row.milestones.items():
        editable_cell = form is not None and not milestone.ambiguous
        text = milestone.actual_display or (
            gettext("多个节点,请到项目页面填写") if milestone.ambiguous else ""
        )
        cells[f"milestone:{kind}"] = Cell(bound(f"milestone_{kind}") if editable_cell else None, text)
    cells["remark"] = Cell(bound("remark"), row.remark)
    cells["reason"] = Cell(bound("reason"))
    for column, cell in cells.items():
        if cell.field is not None:  # the row's project and the column, for screen readers and tests
            cell.field.field.widget.attrs["aria-label"] = f"{row.project.name} {headers.get(column, '')}"
    hidden = (
        [form[name] for name in form.fields if name == "project" or name.startswith("seen_")] if form else []
    )
    return RowView(
        number=index + 1,
        row=row,
        project_id=project_id,
        name=row.project.name,
        url=reverse("admin:projects_project_change", args=[row.project.pk]),
        portfolios="、".join(row.portfolios),
        total=row.project.total_investment_display or "—",
        planned=amount_display(row.planned_investment) or "—",
        previous=format_amount(row.previous_ytd, scale) if row.previous_ytd is not None else "—",
        derived=format_amount(derived, scale) if derived is not None else "—",
        hidden=hidden,
        cells=cells,
        row_messages=[],
    )


def _place(rows: list[RowView], findings: list[CellFinding]) -> list[CellFinding]:
    """Put each finding in its cell; those without a cell (a row's project) go to the row.
    Returns the findings that belong to no row."""
    stray = []
    for finding in findings:
        if not 0 <= finding.line < len(rows):
            stray.append(finding)
            continue
        row = rows[finding.line]
        cell = row.cells.get(finding.column)
        if cell is None:
            row.row_messages.append(finding)
        else:
            cell.messages.append(finding)
    return stray


def _form_findings(forms_: list[MonthlyRowForm]) -> list[CellFinding]:
    """The cells that could not be read, as findings of rule "parse"."""
    found = []
    for index, form in enumerate(forms_):
        for name, errors in form.errors.items():
            for message in errors:
                found.append(CellFinding(index, _column_of(name), "parse", "error", message))
    return found


# ---------------------------------------------------------------------------------------------
# The sheet


def _sheet_url(zone: Zone, year: int, month: int) -> str:
    return reverse("admin:projects_zone_monthly_sheet", args=[zone.pk, year, month])


def _column_labels(basis: str, year: int, month: int) -> dict[str, str]:
    """The headers of the figure columns: what is entered, what is derived, last month's figure."""
    ytd = gettext("{period}累计完成投资").format(period=format_period(year, 1, month))
    previous = (
        gettext("{period}累计完成投资").format(period=format_period(year, 1, month - 1))
        if month > 1
        else gettext("上月累计完成投资")
    )
    if basis == EntryBasis.MONTH:
        return {"entered": gettext("本月完成投资"), "derived": ytd, "previous": previous}
    return {"entered": ytd, "derived": gettext("本月完成投资(推算)"), "previous": previous}


def _posted_formset(request: HttpRequest, year: int) -> forms.BaseFormSet:
    formset = MonthlyFormSet(request.POST, form_kwargs={"year": year})
    formset.is_valid()
    if formset.non_form_errors() or any("project" not in form.cleaned_data for form in formset.forms):
        raise PermissionDenied(gettext("表单数据不完整,请重新打开本页填写"))
    return formset


def _check_and_save(
    request: HttpRequest, zone: Zone, year: int, month: int, formset: forms.BaseFormSet
) -> tuple[list[CellFinding], dict[str, int] | None]:
    """The findings of the posted sheet (unreadable cells and rule findings together) and, when
    there are none that stop it, the summary of what was saved."""
    plan = check_month(
        zone,
        year,
        month,
        [form.line() for form in formset.forms],
        user=request.user,
        confirm_warnings=request.POST.get("confirm_warnings") == "on",
    )
    findings = sorted({*_form_findings(formset.forms), *plan.findings}, key=lambda f: (f.line, f.column))
    if not (formset.is_valid() and plan.ok):
        return findings, None
    try:
        return findings, save_month(plan, user=request.user)
    except StaleVersion as stale:
        project_id = getattr(stale.obj, "project_id", None)
        posted = [form.cleaned_data["project"] for form in formset.forms]
        line = posted.index(project_id) if project_id in posted else -1
        return [*findings, CellFinding(line, "project", "stale", "error", STALE_MESSAGE)], None


@refusing
def sheet_view(request: HttpRequest, zone_id: int, year: int, month: int) -> HttpResponse:
    zone = _zone_for(request, zone_id)
    if not (1 <= month <= 12 and 1949 <= year <= 2200):
        raise Http404(gettext("没有这个月份"))
    editable = access.can_edit_zone(request.user, zone)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(access.zone_edit_refusal(request.user, zone))
        formset = _posted_formset(request, year)
        findings, summary = _check_and_save(request, zone, year, month, formset)
        if summary is not None:
            messages.success(
                request,
                gettext("已保存{zone}{year}年{month}月月报:{summary}").format(
                    zone=zone.name, year=year, month=month, summary=summary_text(summary)
                ),
            )
            return HttpResponseRedirect(_sheet_url(zone, year, month))
        sheet = monthly_sheet(zone, year, month, user=request.user)
    else:
        sheet = monthly_sheet(zone, year, month, user=request.user)
        formset = MonthlyFormSet(initial=_initial(sheet), form_kwargs={"year": year}) if editable else None
        findings = []
    return _render_sheet(request, sheet, formset, findings)


def _render_sheet(
    request: HttpRequest, sheet: MonthlySheet, formset: forms.BaseFormSet | None, findings: list[CellFinding]
) -> HttpResponse:
    zone, year, month = sheet.zone, sheet.year, sheet.month
    by_project = {row.project.pk: row for row in sheet.rows}
    if formset is None:  # read only
        pairs = [(row.project.pk, None) for row in sheet.rows]
    else:
        pairs = [
            (form.cleaned_data["project"] if form.is_bound else form.initial["project"], form)
            for form in formset.forms
        ]
    labels = _column_labels(sheet.basis, year, month)
    headers = {
        "amount": labels["entered"],
        "scale": gettext("单位"),
        "remark": gettext("备注"),
        "reason": gettext("更正原因"),
        **{
            f"milestone:{kind}": gettext("{milestone}(实际)").format(milestone=MilestoneKind(kind).label)
            for kind in MONTHLY_MILESTONES
        },
    }
    rows = [
        _row_view(i, by_project.get(pk), form, pk, sheet.basis, headers) for i, (pk, form) in enumerate(pairs)
    ]
    stray = _place(rows, findings)
    return TemplateResponse(
        request,
        "admin/projects/monthly_sheet.html",
        _context(
            request,
            gettext("{zone} {year}年{month}月 月报填报").format(zone=zone.name, year=year, month=month),
            zone=zone,
            sheet=sheet,
            rows=rows,
            formset=formset,
            editable=formset is not None,
            labels=labels,
            milestone_labels=[MilestoneKind(kind).label for kind in MONTHLY_MILESTONES],
            errors=[f for f in findings if f.is_error],
            warnings=[f for f in findings if not f.is_error],
            stray=stray,
            can_reopen=sheet.locked and access.can_reopen(request.user, zone),
            reopen_url=reverse("admin:projects_entryreopening_add")
            + f"?zone={zone.pk}&year={year}&month={month}",
            months_url=reverse("admin:projects_zone_monthly", args=[zone.pk]),
        ),
    )


def monthly_urls(wrap) -> list[URLPattern]:
    """The 月报填报 pages, for ZoneAdmin.get_urls (`wrap` is admin_site.admin_view)."""
    return [
        path("monthly/", wrap(zones_view), name="projects_zone_monthly_zones"),
        path("<int:zone_id>/monthly/", wrap(month_view), name="projects_zone_monthly"),
        path(
            "<int:zone_id>/monthly/<int:year>-<int:month>/",
            wrap(sheet_view),
            name="projects_zone_monthly_sheet",
        ),
    ]


def monthly_link(zone: Zone) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:projects_zone_monthly", args=[zone.pk]), gettext("月报填报")
    )


# ---------------------------------------------------------------------------------------------
# The admin index: 月报填报 beside the models, where a zone's editor looks first


def _with_monthly_entry(get_app_list):
    def get_app_list_with_entry(request: HttpRequest, app_label: str | None = None) -> list[dict]:
        app_list = get_app_list(request, app_label)
        if not sees_tracker(request):
            return app_list
        for app in app_list:
            if app["app_label"] == "projects":
                entry = {
                    "name": gettext("月报填报"),
                    "object_name": "MonthlyEntry",
                    "admin_url": reverse("admin:projects_zone_monthly_zones"),
                    "add_url": None,
                    "view_only": False,
                    "perms": {"add": False, "change": True, "delete": False, "view": True},
                }
                app["models"].insert(0, entry)
        return app_list

    return get_app_list_with_entry


admin.site.get_app_list = _with_monthly_entry(admin.site.get_app_list)


# ---------------------------------------------------------------------------------------------
# Reopening a locked month


class EntryReopeningForm(forms.ModelForm):
    class Meta:
        model = EntryReopening
        fields = ["zone", "year", "month", "until", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict:
        cleaned = super().clean()
        today = timezone.localdate()
        zone, year, month, until = (cleaned.get(k) for k in ("zone", "year", "month", "until"))
        if until and until < today:
            self.add_error("until", gettext("开放截止日不能早于今天"))
        if year and month and (year, month) > (today.year, today.month):
            self.add_error("month", gettext("不能重新开放尚未开始的月份"))
        elif zone and year and month and 1 <= month <= 12 and until:
            deadline = entry_deadline(year, month, zone.entry_deadline_day)
            if deadline is None:
                self.add_error(
                    "zone", gettext("{zone}未设填报截止日,各月不锁定,无需重新开放").format(zone=zone.name)
                )
            elif until <= deadline:
                self.add_error(
                    "until",
                    gettext("该月本就可填报至{year}年{month}月{day}日,无需重新开放").format(
                        year=deadline.year, month=deadline.month, day=deadline.day
                    ),
                )
        return cleaned


@admin.register(EntryReopening)
class EntryReopeningAdmin(admin.ModelAdmin):
    """Reopenings are recorded once and never edited: who reopened which month until when, and why."""

    form = EntryReopeningForm
    list_display = ["zone", "period", "until", "reason", "reopened_by", "reopened_at", "sheet"]
    list_filter = ["year", ("zone", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["zone", "reopened_by"]
    search_fields = ["zone__name", "reason"]
    readonly_fields = ["reopened_by", "reopened_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).restrict(request.user)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("until", timezone.localdate() + timedelta(days=REOPEN_DAYS))
        return initial

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_tracker(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return sees_tracker(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.reopenable_zones(Zone.objects.all(), request.user).exists()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "zone":
            kwargs["queryset"] = access.reopenable_zones(Zone.objects.order_by("name"), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: EntryReopening, form, change: bool) -> None:
        if refusal := access.reopen_refusal(request.user, obj.zone):
            raise PermissionDenied(refusal)
        obj.reopened_by = request.user
        obj._change_reason = obj.reason
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: EntryReopening, post_url_continue=None) -> HttpResponse:
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(
            request,
            gettext("已重新开放{zone}{year}年{month}月的填报,至{until}").format(
                zone=obj.zone, year=obj.year, month=obj.month, until=f"{obj.until:%Y-%m-%d}"
            ),
        )
        return HttpResponseRedirect(_sheet_url(obj.zone, obj.year, obj.month))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied as refusal:
            return refusal_response(request, refusal)

    @admin.display(description=_("月份"), ordering="year")
    def period(self, obj: EntryReopening) -> str:
        return gettext("{year}年{month}月").format(year=obj.year, month=obj.month)

    @admin.display(description=_("月报"))
    def sheet(self, obj: EntryReopening) -> str:
        return format_html('<a href="{}">{}</a>', _sheet_url(obj.zone, obj.year, obj.month), gettext("打开"))
