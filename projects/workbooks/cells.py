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

Control characters (U+0000–U+001F but tab, LF and CR) cannot stand in a workbook's XML: openpyxl
refuses them as the cell is set, which would make a report or a template a 500 for one odd name.
The tracker refuses them on the way in (API, admin, imports); whatever was stored before is written
without them here.
"""

from __future__ import annotations

from collections.abc import Iterable

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
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


def writable(value: object) -> object:
    """The value without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


class TextSheet(Worksheet):
    """A sheet that writes text without the control characters a workbook cannot hold."""

    def cell(self, row: int, column: int, value: object = None) -> Cell:
        return super().cell(row, column, writable(value))

    def append(self, iterable) -> None:
        if isinstance(iterable, dict):
            super().append({key: writable(value) for key, value in iterable.items()})
        else:
            super().append([writable(value) for value in iterable])

    def __setitem__(self, key: str, value: object) -> None:
        super().__setitem__(key, writable(value))


class TextRowSheet(WriteOnlyWorksheet):
    """A write-only sheet whose appended rows keep their text as text."""

    def append(self, row: Iterable) -> None:
        super().append([self.text_cell(value) for value in row])

    def text_cell(self, value: object) -> object:
        """The value as appended: a cell (the caller's, styled, or a new one) for a text to keep."""
        value = writable(value)
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.write_only:  # the first sheet, which openpyxl makes itself
            self._sheets = [TextSheet(self, title=sheet.title) for sheet in self._sheets]

    def create_sheet(self, title: str | None = None, index: int | None = None):
        if not self.write_only:
            sheet = TextSheet(parent=self, title=title)
            self._add_sheet(sheet=sheet, index=index)
            return sheet
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
