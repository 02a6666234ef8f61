"""Every workbook the tracker writes keeps text as text: the one place that says how.

A project, zone or enterprise name, a remark or a change reason is typed by someone; written into a
workbook as it is, `=HYPERLINK("http://…"&A1,"…")` would be a live formula in the report, the
templates and the exports, run by whoever opens the file. A text Excel would take for a formula or
an error value — one starting with = + - @ (or their full-width forms ＝ ＋ － ＠, which Excel
turns into formulas when typed in Chinese and Japanese input), a tab, CR or LF, or a text such as
#N/A — is stored as a string (`data_type` "s") with the quotePrefix style, so that Excel keeps it
text even when a clerk edits the cell. The text itself is unchanged (no apostrophe is added), so
an exported workbook imports back as it was. Numbers stay numbers: -3 is a number, "-3" a text.

Every module writes workbooks with `Workbook` from here (tests/test_xlsx_formula_injection.py
holds that no other module imports openpyxl's): a normal workbook's cells are checked as it is
saved, whatever wrote them; a write-only workbook's rows as they are appended.
"""

from __future__ import annotations

from collections.abc import Iterable

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# What Excel reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def runs_in_excel(value: object) -> bool:
    """A text that Excel, reading or editing the cell, would take for a formula or an error value."""
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES)


def keep_as_text(cell: Cell) -> None:
    """Store the cell's text as a string, quote-prefixed, if Excel would run it; others untouched."""
    if runs_in_excel(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


class TextRowSheet(WriteOnlyWorksheet):
    """A write-only sheet whose appended rows keep their text as text."""

    def append(self, row: Iterable) -> None:
        super().append([self.text_cell(value) for value in row])

    def text_cell(self, value: object) -> object:
        """The value as appended: a cell (the caller's, styled, or a new one) for a text to keep."""
        if isinstance(value, Cell):
            keep_as_text(value)
            return value
        if not runs_in_excel(value):
            return value
        cell = WriteOnlyCell(self, value=value)
        keep_as_text(cell)
        return cell


class Workbook(openpyxl.Workbook):
    """openpyxl's workbook, keeping text as text in every sheet (module docstring)."""

    def create_sheet(self, title: str | None = None, index: int | None = None):
        if not self.write_only:
            return super().create_sheet(title, index)
        sheet = TextRowSheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename) -> None:
        if not self.write_only:
            for sheet in self.worksheets:
                if isinstance(sheet, Worksheet):
                    # The cells written so far; iter_rows() would add an empty cell at every gap.
                    for cell in list(sheet._cells.values()):
                        keep_as_text(cell)
        super().save(filename)
