"""The workbook of a 调度通报: one sheet per table, numbers as numbers (in 亿元 and percent) under
headers that name their unit, so a spreadsheet can add and chart them; native charts beside."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

from django.utils.translation import gettext
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..workbooks.cells import Workbook
from . import charts
from .formatting import YI_YUAN, Data, Table, Value, datetime_text, scope_text, trend_chart_title
from .tables import (
    changes_table,
    checkpoint_view,
    completion_table,
    milestone_table,
    ranking_table,
    report_view,
    restatement_table,
    source_table,
    source_views,
    trend_table,
    verdict,
)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_WIDTH = 60


def _display_width(value: object) -> int:
    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_sheet(workbook: Workbook, title: str, tables: Sequence[Table]) -> Worksheet:
    """One table (the same table of every report, one after another) on a sheet of its own:
    a bold, frozen header row; numbers as numbers; columns wide enough for Chinese text."""
    sheet = workbook.create_sheet(title[:31])
    columns = tables[0].xlsx_columns
    sheet.append([c.xlsx_header for c in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = [_display_width(c.xlsx_header) for c in columns]
    for table in tables:
        for row in table.xlsx_rows():
            sheet.append([cell.number if isinstance(cell, Value) else (cell or None) for cell in row])
            for i, (cell, column) in enumerate(zip(row, columns, strict=True)):
                target = sheet.cell(sheet.max_row, i + 1)
                if isinstance(cell, Value):
                    target.number_format = column.number_format
                    if cell.number is not None:
                        widths[i] = max(widths[i], len(charts.num(cell.number)) + 2)
                else:
                    widths[i] = max(widths[i], _display_width(cell))
                    if _display_width(cell) > MAX_WIDTH:
                        target.alignment = WRAP
        if table.note:
            sheet.append([table.note])
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), MAX_WIDTH + 2)
    sheet.freeze_panes = "A2"
    return sheet


def _show_axes(chart: BarChart | LineChart) -> None:
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then draws no scale.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _bar_chart(
    sheet: Worksheet, title: str, axis_title: str, data_columns: tuple[int, int], rows: int, anchor: str
) -> None:
    chart = BarChart()
    chart.type = "bar"  # horizontal: long Chinese names read along the category axis
    chart.title = title
    chart.y_axis.title = axis_title
    chart.add_data(
        Reference(sheet, min_col=data_columns[0], max_col=data_columns[1], min_row=1, max_row=rows + 1),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.height = max(7.5, 1.2 * rows + 3)
    chart.width = 18
    _show_axes(chart)
    sheet.add_chart(chart, anchor)


def _trend_charts(sheet: Worksheet, trend: Sequence[Data]) -> None:
    """One line chart per portfolio with any completed figure, beside its rows."""
    row, placed = 2, 0
    for t in trend:
        n = len(t.get("points", []))
        if any(p.get("completed") is not None for p in t.get("points", [])):
            chart = LineChart()
            chart.title = trend_chart_title(t)
            chart.y_axis.title = YI_YUAN
            chart.x_axis.title = gettext("月份")
            for col in (4, 5):  # 累计完成投资, 计划线
                values = Reference(sheet, min_col=col, min_row=row, max_row=row + n - 1)
                chart.series.append(Series(values, title=sheet.cell(1, col).value))
            chart.set_categories(Reference(sheet, min_col=3, min_row=row, max_row=row + n - 1))
            chart.display_blanks = "gap"
            chart.width, chart.height = 18, 8
            _show_axes(chart)
            sheet.add_chart(chart, f"H{2 + placed * 17}")
            placed += 1
        row += n


def overview_rows(snapshot: Data) -> list[tuple[str, object]]:
    """The overview sheet: the page's header, with numbers as numbers, and the verdicts."""
    scope, period, basis = snapshot.get("scope", {}), snapshot.get("period", {}), snapshot.get("basis", {})
    rows: list[tuple[str, object]] = [
        (gettext("标题"), snapshot.get("title", "")),
        (gettext("报告范围"), scope_text(scope)),
        (gettext("报告期"), f"{period.get('display', '')} {period.get('cadence_label', '')}".strip()),
        (
            gettext("统计起止"),
            gettext("{start} 至 {end}").format(start=period.get("start", ""), end=period.get("end", "")),
        ),
        (gettext("生成时间"), datetime_text(snapshot.get("generated_at"))),
        (gettext("时间进度(%)"), snapshot.get("time_progress")),
        (gettext("时间进度口径"), basis.get("convention", "")),
        (gettext("数据指纹"), snapshot.get("fingerprint", "")),
    ]
    overall = gettext("总体情况")
    for report in snapshot.get("reports", []):
        rows += [(overall, verdict(p).text) for p in report.get("portfolios", [])]
    return rows


def _overview_sheet(workbook: Workbook, snapshot: Data) -> None:
    sheet = workbook.active
    sheet.title = gettext("概况")
    sheet.append([gettext("项目"), gettext("内容")])
    for row in overview_rows(snapshot):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    sheet.freeze_panes = "A2"


def render_xlsx(snapshot: dict) -> bytes:
    """The workbook: one sheet per table, numbers in 亿元 and percent, native charts."""
    workbook = Workbook()
    _overview_sheet(workbook, snapshot)

    completion = completion_table(snapshot)
    sheet = write_sheet(workbook, gettext("完成率"), [completion])
    if completion.rows:
        _bar_chart(sheet, gettext("完成率与时间进度"), "%", (3, 4), len(completion.rows), "G2")

    # Each report's table, one after another; an empty report's tables give the headers.
    views = [report_view(r) for r in snapshot.get("reports", [])] or [report_view({})]
    write_sheet(workbook, gettext("调度清单"), [v.portfolios for v in views])
    write_sheet(workbook, gettext("经济指标"), [v.indicators for v in views])
    no_checkpoint = checkpoint_view({"name": "", "status_label": ""}, {}).table
    checkpoints = [c.table for v in views for c in v.checkpoints] or [no_checkpoint]
    write_sheet(workbook, gettext("节点考核"), checkpoints)
    write_sheet(workbook, gettext("滞后项目"), [v.lagging for v in views])
    write_sheet(workbook, gettext("到期节点"), [v.due for v in views])
    write_sheet(workbook, gettext("项目节点"), [milestone_table(snapshot.get("milestones", []))])
    write_sheet(workbook, gettext("变化"), [changes_table(snapshot.get("changes") or {})])
    write_sheet(workbook, gettext("数据核对"), [v.checks for v in views])
    write_sheet(workbook, gettext("数据冲突"), [v.conflicts for v in views])
    if restatements := snapshot.get("restatements"):
        write_sheet(workbook, gettext("数据更正"), [restatement_table(restatements)])
    write_sheet(workbook, gettext("数据来源"), [source_table(source_views(snapshot))])
    trend = snapshot.get("trend", [])
    _trend_charts(write_sheet(workbook, gettext("趋势"), [trend_table(trend)]), trend)
    if snapshot.get("ranking"):
        ranking = ranking_table(snapshot)
        sheet = write_sheet(workbook, gettext("排名"), [ranking])
        if len(ranking.rows) >= 2 and any(r.get("value") is not None for r in snapshot["ranking"]):
            measure = snapshot.get("ranking_measure", "")
            _bar_chart(sheet, gettext("区域排名"), measure, (3, 3), len(ranking.rows), "G2")

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
