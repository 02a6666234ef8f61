"""The templates staff fill in, written with openpyxl: a visible title row, the header row frozen
with a comment explaining each column, dropdowns for units, stages and kinds, date checks on date
columns, and a hidden `_meta` sheet naming what the workbook is for (kind, zone, year, month), so
that an import knows it without asking.

- `monthly_template(zone, year, month)`: the zone's projects for the month, pre-filled from
  projects.monthly_entry.monthly_sheet (what the entry screen shows); reference columns grey and locked;
- `projects_template(zone=None)`: projects to create or update (the zone's own projects pre-filled);
- `indicators_template(zone=None)`: indicator values (a row per indicator the zone reports).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Sequence
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..i18n import in_chinese
from ..models import (
    EntryBasis,
    ImportKind,
    IndicatorValue,
    Metric,
    Project,
    Stage,
    UnitKind,
    ValueKind,
    Zone,
)
from ..money import AmountScale, format_amount, from_base
from ..monthly_entry import MonthlySheet, monthly_sheet
from ..periods import DatePrecision, format_date
from .cells import Workbook
from .layout import (
    FIRST_ROW,
    HEADER_ROW,
    INDICATOR_COLUMNS,
    LISTS_SHEET,
    META_KEYS,
    META_SHEET,
    MILESTONE_COLUMNS,
    MONTH_AMOUNT,
    MONTHLY_COLUMNS,
    PROJECT_COLUMNS,
    SUBJECT_KINDS,
    TEMPLATE_VERSION,
    UNIT_LABELS,
    UNITS,
    VERSIONS_SHEET,
    YTD_AMOUNT,
    Column,
    labels,
    ytd_header,
)

# The units of the projects' and indicators' amount columns, the default first.
AMOUNT_UNITS = [UNIT_LABELS[AmountScale.YI], UNIT_LABELS[AmountScale.WAN], UNIT_LABELS[AmountScale.ONE]]
BLANK_ROWS = 500  # rows prepared (dropdowns, checks) in a template staff add rows to
AUTHOR = _("项目调度台账")
REFERENCE_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REFERENCE_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
DATE_FORMAT = "yyyy-mm-dd"


class _Book:
    """One data sheet with a title row, a header row and the hidden _meta (and _lists) sheets."""

    def __init__(
        self,
        sheet_title: str,
        title: str,
        columns: Sequence[Column],
        meta: dict[str, object],
        *,
        freeze: str = "A3",
    ) -> None:
        self.workbook = Workbook()
        self.sheet = self.workbook.active
        self.sheet.title = sheet_title
        self.columns = list(columns)
        self.index = {column.key: number for number, column in enumerate(self.columns, start=1)}
        self.lists = None
        self.list_count = 0
        self.rows = 0

        title_cell = self.sheet.cell(row=1, column=1, value=title)
        title_cell.font = Font(bold=True, size=13)
        self.sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(self.columns))
        self.sheet.row_dimensions[1].height = 24
        self.sheet.row_dimensions[HEADER_ROW].height = 30
        for number, column in enumerate(self.columns, start=1):
            cell = self.sheet.cell(row=HEADER_ROW, column=number, value=column.header)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL if column.editable else REFERENCE_HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.comment = Comment(str(column.comment), str(AUTHOR), width=260, height=110)
            self.sheet.column_dimensions[get_column_letter(number)].width = column.width
        self.sheet.freeze_panes = freeze

        meta_sheet = self.workbook.create_sheet(META_SHEET)
        meta_sheet.sheet_state = "hidden"
        values = {"version": TEMPLATE_VERSION, "generated_at": timezone.localtime().isoformat(), **meta}
        for key, value in values.items():
            meta_sheet.append([META_KEYS[key], "" if value is None else str(value)])

    def letter(self, key: str) -> str:
        return get_column_letter(self.index[key])

    def append(
        self, values: dict[str, object], *, reference: Iterable[str] = (), notes: dict | None = None
    ) -> None:
        """A data row; `reference` keys are greyed, `notes` put a comment on a cell."""
        row = FIRST_ROW + self.rows
        self.rows += 1
        greyed = set(reference) | {c.key for c in self.columns if not c.editable}
        for number, column in enumerate(self.columns, start=1):
            value = values.get(column.key)
            cell = self.sheet.cell(row=row, column=number, value=value)
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            if column.key in greyed:
                cell.fill = REFERENCE_FILL
            else:
                cell.protection = Protection(locked=False)
            if notes and column.key in notes:
                cell.comment = Comment(notes[column.key], str(AUTHOR), width=240, height=80)

    def data_range(self, key: str, rows: int) -> str:
        letter = self.letter(key)
        return f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + max(rows, 1) - 1}"

    def dropdown(self, key: str, options: Sequence[str], rows: int, *, prompt: str = "") -> None:
        """A dropdown of `options` (kept in the hidden _lists sheet: a list may be long)."""
        if key not in self.index or not options:
            return
        if self.lists is None:
            self.lists = self.workbook.create_sheet(LISTS_SHEET)
            self.lists.sheet_state = "hidden"
        self.list_count += 1
        list_column = get_column_letter(self.list_count)
        self.lists[f"{list_column}1"] = self.columns[self.index[key] - 1].header
        for offset, option in enumerate(options, start=2):
            self.lists[f"{list_column}{offset}"] = option
        source = f"{quote_sheetname(LISTS_SHEET)}!${list_column}$2:${list_column}${len(options) + 1}"
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=gettext("请从下拉列表选择"),
            error=gettext("可选:{options}").format(options="、".join(options))[:250],
            showInputMessage=bool(prompt),
            prompt=prompt[:250] or None,
        )
        validation.add(self.data_range(key, rows))
        self.sheet.add_data_validation(validation)

    def date_check(self, key: str, rows: int, *, not_after_today: bool) -> None:
        """Excel warns (and lets the text through: 一季度, 2022年3月 are dates too) when a cell is no
        date or, for a date reached, after today."""
        if key not in self.index:
            return
        validation = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1949,1,1)",
            formula2="TODAY()" if not_after_today else "DATE(2200,12,31)",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=gettext("请核对日期"),
            error=(
                gettext("实际日期不能晚于今天。按月、季度填写(2022年3月、一季度)时可以保留")
                if not_after_today
                else gettext("应为日期;按月、季度、年填写(2022年3月、一季度、2023年)时可以保留")
            ),
            showInputMessage=True,
            promptTitle=self.columns[self.index[key] - 1].header,
            prompt=str(self.columns[self.index[key] - 1].comment)[:250],
        )
        validation.add(self.data_range(key, rows))
        self.sheet.add_data_validation(validation)

    def prompt(self, key: str, rows: int) -> None:
        """The column's explanation shown when a cell is selected (any value allowed)."""
        if key not in self.index:
            return
        column = self.columns[self.index[key] - 1]
        validation = DataValidation(
            allow_blank=True,
            showInputMessage=True,
            promptTitle=column.header[:32],
            prompt=str(column.comment)[:250],
        )
        validation.add(self.data_range(key, rows))
        self.sheet.add_data_validation(validation)

    def protect(self) -> None:
        """Lock what staff should not change (reference columns, project ids); columns stay
        resizable. No password: it prevents slips, not intent."""
        protection = self.sheet.protection
        protection.sheet = True
        protection.formatColumns = False
        protection.formatRows = False
        protection.formatCells = False

    def content(self) -> bytes:
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def _in_scale(value, scale: int):
    return None if value is None else from_base(value, scale)


def _date_cell(day: date | None, precision: str) -> object:
    """A date reached as the template shows it: a date cell for a day, 2022年3月 for a month …"""
    if day is None:
        return None
    return day if precision == DatePrecision.DAY else format_date(day, precision)


# ---------------------------------------------------------------------------------------------
# 月报


def monthly_columns(basis: str, month: int) -> list[Column]:
    """The monthly sheet's columns: the month's amount or the year-to-date figure, per basis."""
    amount = (
        MONTH_AMOUNT
        if basis == EntryBasis.MONTH
        else dataclasses.replace(YTD_AMOUNT, header=ytd_header(month))
    )
    skip = YTD_AMOUNT.key if basis == EntryBasis.MONTH else MONTH_AMOUNT.key
    return [
        amount if c.key in (MONTH_AMOUNT.key, YTD_AMOUNT.key) else c for c in MONTHLY_COLUMNS if c.key != skip
    ]


def monthly_template(zone: Zone, year: int, month: int, *, today: date | None = None, user=None) -> bytes:
    """The zone's month as a workbook: every project of its portfolios (with a `user`, those they
    may read), the figures entered so far pre-filled (month amount or year-to-date per the zone's
    entry basis)."""
    return monthly_workbook(monthly_sheet(zone, year, month, today=today, user=user))


def monthly_workbook(sheet: MonthlySheet) -> bytes:
    amount_key = MONTH_AMOUNT.key if sheet.basis == EntryBasis.MONTH else YTD_AMOUNT.key
    title = gettext("{zone} {year}年{month}月 项目月报(完成投资填{basis}) · {window}").format(
        zone=sheet.zone.name,
        year=sheet.year,
        month=sheet.month,
        basis=EntryBasis(sheet.basis).label,
        window=sheet.window_label,
    )
    book = _Book(
        gettext("月报"),
        title,
        monthly_columns(sheet.basis, sheet.month),
        {
            "kind": ImportKind.MONTHLY,
            "zone_id": sheet.zone.pk,
            "zone": sheet.zone.name,
            "year": sheet.year,
            "month": sheet.month,
            "basis": sheet.basis,
        },
        freeze="C3",
    )
    for row in sheet.rows:
        scale = row.scale or AmountScale.WAN
        amount = row.month_amount if sheet.basis == EntryBasis.MONTH else row.ytd
        values: dict[str, object] = {
            "project_id": row.project.pk,
            "name": row.project.name,
            "portfolio": "、".join(row.portfolios),
            "total_investment": format_amount(
                row.total_investment, row.project.total_investment_scale, row.project.currency
            ),
            "planned": format_amount(row.planned_investment, AmountScale.YI),
            "previous_ytd": format_amount(row.previous_ytd, scale),
            amount_key: _in_scale(amount, scale),
            "unit": UNIT_LABELS.get(scale, UNIT_LABELS[AmountScale.WAN]),
            "remark": row.remark or None,
        }
        locked, notes = [], {}
        for kind, cell in row.milestones.items():
            if kind not in MILESTONE_COLUMNS:
                continue
            if cell.ambiguous:
                locked.append(kind)
                notes[kind] = gettext("该项目有多个{milestone}节点(分期),请在项目页面分别填写").format(
                    milestone=cell.label
                )
            else:
                values[kind] = _date_cell(cell.actual, cell.actual_precision)
                if cell.planned:
                    notes[kind] = gettext("计划{milestone}:{planned}").format(
                        milestone=cell.label, planned=cell.planned
                    )
        book.append(values, reference=locked, notes=notes)
    rows = len(sheet.rows)
    book.dropdown("unit", list(UNITS), rows, prompt=gettext("金额列为纯数字时的单位,默认万元"))
    for kind in MILESTONE_COLUMNS:
        book.date_check(kind, rows, not_after_today=True)
    book.prompt(amount_key, rows)
    book.prompt("reason", rows)
    book.protect()
    versions = book.workbook.create_sheet(VERSIONS_SHEET)
    versions.sheet_state = "hidden"
    keys = list(sheet.rows[0].versions) if sheet.rows else []
    versions.append([gettext("项目编号"), *keys])
    for row in sheet.rows:
        versions.append([row.project.pk, *(row.versions[key] for key in keys)])
    return book.content()


# ---------------------------------------------------------------------------------------------
# 项目


def projects_template(zone: Zone | None = None) -> bytes:
    """Projects to create or update; with a zone, its own projects are pre-filled (as stored),
    so that a row left as it is changes nothing."""
    title = gettext("项目导入:按(区域,项目名称)匹配,已有的项目更新(留空的单元格不修改),没有的新增")
    book = _Book(
        gettext("项目"),
        title,
        PROJECT_COLUMNS,
        {
            "kind": ImportKind.PROJECTS,
            "zone_id": zone.pk if zone else None,
            "zone": zone.name if zone else None,
        },
    )
    projects = Project.objects.filter(zone=zone).select_related("enterprise").order_by("name") if zone else []
    for project in projects:
        scale = project.total_investment_scale
        book.append(
            {
                "zone": zone.name,
                "name": project.name,
                "total_investment": format_amount(
                    project.total_investment, scale, project.currency, project.total_investment_qualifier
                )
                or None,
                "unit": UNIT_LABELS.get(scale),
                "stage": in_chinese(project.get_stage_display()) or None,  # read back by the importer
                "planned_start": format_date(project.planned_start, project.planned_start_precision) or None,
                "planned_finish": format_date(project.planned_finish, project.planned_finish_precision)
                or None,
                "enterprise": project.enterprise.name if project.enterprise else None,
                "description": project.description or None,
            }
        )
    rows = max(book.rows + BLANK_ROWS, BLANK_ROWS)
    book.dropdown("unit", AMOUNT_UNITS, rows, prompt=gettext("总投资为纯数字时的单位,默认亿元"))
    book.dropdown("stage", list(labels(Stage.choices)), rows)
    book.date_check("planned_start", rows, not_after_today=False)
    book.date_check("planned_finish", rows, not_after_today=False)
    for key in ("zone", "name", "total_investment", "enterprise", "reason"):
        book.prompt(key, rows)
    return book.content()


# ---------------------------------------------------------------------------------------------
# 指标数值


def indicators_template(zone: Zone | None = None) -> bytes:
    """Indicator values; with a zone, a row for each indicator the zone has reported (its name,
    the indicator, 实际), ready for the year, period and value. Rows without a value or a growth
    rate are not imported."""
    title = gettext(
        "指标数值导入:按(主体,指标,年度,时段,数值类型)匹配,已有的数值更新,没有的新增;"
        "未填数值和同比增长的行不导入"
    )
    book = _Book(
        gettext("指标数值"),
        title,
        INDICATOR_COLUMNS,
        {
            "kind": ImportKind.INDICATORS,
            "zone_id": zone.pk if zone else None,
            "zone": zone.name if zone else None,
        },
    )
    metrics = list(Metric.objects.order_by("name"))
    if zone is not None:
        reported = set(
            IndicatorValue.objects.filter(zone=zone).values_list("metric_id", flat=True).distinct()
        )
        for metric in (m for m in metrics if m.pk in reported):
            # vocabulary: the 主体类型 of a zone, read back by the importer
            book.append(
                {
                    "subject_kind": "区域",
                    "subject": zone.name,
                    "metric": metric.name,
                    "value_kind": in_chinese(ValueKind.ACTUAL.label),  # read back by the importer
                    "unit": UNIT_LABELS[AmountScale.YI] if metric.unit_kind == UnitKind.AMOUNT else None,
                }
            )
    rows = book.rows + BLANK_ROWS
    book.dropdown("subject_kind", list(SUBJECT_KINDS), rows)
    book.dropdown("metric", [m.name for m in metrics], rows)
    book.dropdown("value_kind", list(labels(ValueKind.choices)), rows)
    book.dropdown("unit", AMOUNT_UNITS, rows, prompt=gettext("金额类指标的数值为纯数字时的单位,默认亿元"))
    for key in ("subject", "subject_zone", "year", "period", "value", "yoy", "reason"):
        book.prompt(key, rows)
    return book.content()
