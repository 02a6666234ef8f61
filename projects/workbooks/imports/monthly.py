"""The monthly import: the monthly template of a zone checked and planned through
projects.monthly_entry (the service the 月报填报 screen uses).
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ...models import (
    EntryBasis,
    ImportKind,
    Zone,
)
from ...money import AmountScale, Currency
from ...monthly_entry import CellFinding, MonthlyLine, check_month
from ..layout import MILESTONE_COLUMNS, MONTH_AMOUNT, ytd_header
from ..reader import Cells, Sheet, SheetRow, WorkbookError
from .base import ImportResult, _readable, _sorted

# ---------------------------------------------------------------------------------------------
# 月报


def _monthly_meta(sheet: Sheet, zone: Zone | None, user) -> tuple[Zone, int, int, str]:
    meta = sheet.meta
    try:
        zone_id, year, month = int(meta["zone_id"]), int(meta["year"]), int(meta["month"])
    except (KeyError, ValueError):
        raise WorkbookError(
            _("找不到模板信息(隐藏的 _meta 工作表):请在台账中下载本区域当月的月报模板后填写")
        ) from None
    found = _readable(Zone, user).filter(pk=zone_id).first()
    if found is None:  # or one the user may not read: the same words, nothing learnt
        raise WorkbookError(_("模板所属的区域已不存在"))
    if zone is not None and zone.pk != found.pk:
        raise WorkbookError(format_lazy(_("该模板属于{found},不是{zone}"), found=found.name, zone=zone.name))
    if not 1 <= month <= 12:
        raise WorkbookError(_("模板信息中的月份无效"))
    has_month, has_ytd = sheet.has("month_amount"), sheet.has("ytd_amount")
    if has_month == has_ytd:
        raise WorkbookError(
            format_lazy(
                _("“{month_column}”和“{ytd_column}”两列须有且只有一列"),
                month_column=MONTH_AMOUNT.header,
                ytd_column=ytd_header(month),
            )
        )
    if has_ytd:
        header = sheet.columns["ytd_amount"][1]
        # vocabulary: the month the year-to-date header names (1-5月累计完成投资)
        stated = int(re.search(r"(\d{1,2})月", header).group(1))
        if stated != month:
            raise WorkbookError(
                format_lazy(
                    _("“{column}”与模板的月份({year}年{month}月)不一致"),
                    column=header,
                    year=year,
                    month=month,
                )
            )
    return found, year, month, EntryBasis.MONTH if has_month else EntryBasis.YEAR_TO_DATE


MONTHLY_CELL_COLUMNS = {"project": "project_id", "remark": "remark", "reason": "reason"}


def _check_monthly(
    sheet: Sheet, *, user, zone: Zone | None, today: date | None, confirm_warnings: bool
) -> ImportResult:
    zone, year, month, basis = _monthly_meta(sheet, zone, user)
    amount_key = "month_amount" if basis == EntryBasis.MONTH else "ytd_amount"
    cells = Cells(sheet)
    lines: list[MonthlyLine] = []
    line_rows: list[SheetRow] = []
    for row in sheet.rows:
        if row.blank("project_id"):
            cells.add(
                row,
                "project_id",
                "missing_project",
                _("缺少项目编号:请勿删除或修改模板中的项目编号;新项目请先在台账中登记并加入调度清单"),
            )
            continue
        project_id = cells.integer(row, "project_id", low=1, high=2**31 - 1)
        if project_id is None:
            continue
        scale = cells.unit(row, "unit", AmountScale.WAN)
        parsed = cells.amount(row, amount_key, scale)
        if parsed is not None and parsed.qualifier:
            cells.add(row, amount_key, "not_exact", _("月报的完成投资应为确数,不能带“约”“余”等限定词"))
            parsed = None
        if parsed is not None and parsed.currency != Currency.CNY:
            cells.add(row, amount_key, "not_yuan", _("完成投资以人民币(元)填报"))
            parsed = None
        milestones = {}
        for kind in MILESTONE_COLUMNS:
            if sheet.has(kind) and (reached := cells.date(row, kind, year)) is not None:
                milestones[kind] = reached
        lines.append(
            MonthlyLine(
                project_id=project_id,
                amount=parsed.value if parsed else None,
                scale=parsed.scale if parsed else None,
                milestones=milestones,
                remark=cells.text(row, "remark"),
                reason=cells.text(row, "reason"),
                seen=sheet.versions.get(project_id, {}),
            )
        )
        line_rows.append(row)
    plan = check_month(
        zone, year, month, lines, basis=basis, user=user, today=today, confirm_warnings=confirm_warnings
    )
    for finding in plan.findings:
        cells.add(
            line_rows[finding.line],
            _monthly_column(finding, amount_key),
            finding.rule_id,
            finding.message,
            severity=finding.severity,
        )
    return ImportResult(
        kind=ImportKind.MONTHLY,
        rows=len(sheet.rows),
        findings=_sorted(cells.findings),
        zone=zone,
        year=year,
        month=month,
        confirm_warnings=confirm_warnings,
        plan=plan,
    )


def _monthly_column(finding: CellFinding, amount_key: str) -> str | None:
    if finding.column == "amount":
        return amount_key
    if finding.column.startswith("milestone:"):
        return finding.column.removeprefix("milestone:")
    return MONTHLY_CELL_COLUMNS.get(finding.column)
