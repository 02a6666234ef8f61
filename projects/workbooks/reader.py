"""Reading a workbook's rows (openpyxl, read-only, cached values of formulas).

`read_sheet` finds the header row by the column headers, skips blank rows and gives each row's
cells by column key, with the row number Excel shows. `Cells` turns cells into typed values
(amounts, dates, periods, numbers, choices) with the parsers staff input goes through everywhere
(projects.money.parse_amount, projects.periods.parse_date / parse_period); whatever cannot be read
becomes a finding (rule "parse") at its row and column, with the reason in Chinese. Nothing is
guessed.

Before openpyxl sees a file, projects.ooxml inspects it as a stream (parts, sizes, rows, shared
strings, DTDs, well-formedness) within limits derived from MAX_ROWS; whatever openpyxl still
cannot read becomes a WorkbookError too, never an exception of the XML or zip libraries.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from lxml.etree import LxmlError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..i18n import Text, both, in_chinese, in_english
from ..models import ImportKind
from ..money import AmountParseError, ParsedAmount, parse_amount, parse_number
from ..ooxml import PackageRefused, WorkbookLimits, inspect_workbook
from ..periods import MAX_YEAR, MIN_YEAR, DatePrecision, Period, PeriodParseError, parse_date, parse_period
from .layout import (
    HEADER_ROW,
    LISTS_SHEET,
    META_KEYS,
    META_SHEET,
    UNITS,
    VERSIONS_SHEET,
    Column,
    normalise_header,
)

ERROR, WARNING = "error", "warning"
PARSE = "parse"
# Rows with a value that one workbook may bring. Checking costs about 2.5 KB a row (the rows read,
# then what the checks make of them), and importing them as much again (projects and their history:
# 20,000 new projects took a gunicorn worker from 152 MB to 296 MB, measured), so 10,000 rows keep
# a worker near 220 MB: a zone's month is a few hundred rows, a province's projects a few files.
MAX_ROWS = 10_000
HEADER_SEARCH_ROWS = 10  # the header row is looked for among the first rows
# What projects.ooxml lets through to openpyxl: any sheet's rows, blank ones included (a template
# prepares 500, and staff format more; openpyxl keeps about 160 bytes a row read: 16 MB), and
# shared strings (ten distinct texts a row; 200,000 strings cost openpyxl 40 MB).
LIMITS = WorkbookLimits(sheet_rows=10 * MAX_ROWS, shared_strings=20 * MAX_ROWS)
# What openpyxl (and the zip and XML libraries under it) raise on a file that is not what it says.
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    ParseError,
    LxmlError,
    DefusedXmlException,
    KeyError,
    IndexError,  # a shared string's number past the last shared string
    OSError,
    EOFError,
    ValueError,
    TypeError,
)


class WorkbookError(ValueError):
    """A file that is not the workbook expected, with the reason in Chinese and English."""

    def __init__(self, reason: Text) -> None:
        self.reason = reason  # the message, rendered in the active language when shown
        super().__init__(reason)

    @property
    def message(self) -> str:
        return in_chinese(self.reason)

    @property
    def message_en(self) -> str:
        return in_english(self.reason)


@dataclass(frozen=True)
class RowFinding:
    """A problem found at a row and column of the workbook (row 0: the file as a whole)."""

    row: int  # the row number Excel shows
    column: str  # "H 单位": the column's letter and header; "" for the whole row
    rule_id: str  # a projects.rules id, or "parse", "no_access", "unknown_project" …
    severity: str  # "error" | "warning"
    message: str  # Chinese
    message_en: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "rule": self.rule_id,
            "severity": self.severity,
            "message": self.message,
            "message_en": self.message_en,
        }


@dataclass
class SheetRow:
    number: int  # as Excel shows it
    values: dict[str, object]  # column key → the cell's value (None when blank)

    def blank(self, key: str) -> bool:
        return self.values.get(key) is None


@dataclass
class Sheet:
    title: str
    meta: dict[str, str]
    columns: dict[str, tuple[int, str]]  # key → (column number, header as written)
    rows: list[SheetRow] = field(default_factory=list)
    versions: dict[int, dict[str, int]] = field(default_factory=dict)  # a monthly template's _versions

    def has(self, key: str) -> bool:
        return key in self.columns

    def header(self, key: str) -> str:
        """The column's header as the sheet writes it (how staff know the column)."""
        return self.columns[key][1] if key in self.columns else key

    def label(self, key: str | None) -> str:
        """ "H 单位": how staff find the column."""
        if key is None or key not in self.columns:
            return ""
        number, header = self.columns[key]
        return f"{get_column_letter(number)} {header}"


def _cell(value: object, number_format: str | None) -> object:
    """A cell's value as the reader keeps it: text stripped (None when empty), a percent-formatted
    number as the percent it shows (0.1224 shown as 12.24% → 12.24)."""
    if isinstance(value, str):
        return value.strip() or None
    if (
        number_format
        and "%" in number_format
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return _decimal(value) * 100
    return value


def _unreadable() -> WorkbookError:
    return WorkbookError(_("无法读取该文件:请上传 Excel 工作簿(.xlsx),可先下载模板填写"))


def check_package(content: bytes) -> None:
    """Raise WorkbookError unless the file is an .xlsx that openpyxl may be given (projects.ooxml)."""
    try:
        inspect_workbook(content, LIMITS)
    except PackageRefused as refused:
        raise WorkbookError(refused.reason) from None


def _open(content: bytes):
    check_package(content)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except UNREADABLE:
        raise _unreadable() from None


def _guarded(rows: Iterable[tuple]) -> Iterator[tuple]:
    """The rows of a read-only sheet, openpyxl parsing them as they are asked for: what it meets
    on the way (a malformed part, a shared string that is not there) is the file's fault."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except UNREADABLE:
            raise _unreadable() from None
        yield row


def _number_format(cell) -> str | None:
    """The cell's number format; a style number the workbook does not have is the file's fault."""
    try:
        return getattr(cell, "number_format", None)
    except (IndexError, KeyError):
        raise _unreadable() from None


def _meta(workbook) -> dict[str, str]:
    if META_SHEET not in workbook.sheetnames:
        return {}
    keys = {label: key for key, label in META_KEYS.items()} | {key: key for key in META_KEYS}
    found = {}
    for row in _guarded(workbook[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True)):
        if len(row) >= 2 and row[0] is not None and row[1] is not None:
            name = str(row[0]).strip()
            found[keys.get(name, name)] = str(row[1]).strip()
    return found


def _versions(workbook) -> dict[int, dict[str, int]]:
    """{project id: {"amount": version, "milestone:start": version …}} of a monthly template."""
    if VERSIONS_SHEET not in workbook.sheetnames:
        return {}
    rows = _guarded(workbook[VERSIONS_SHEET].iter_rows(values_only=True))
    header = next(rows, ())
    found = {}
    for row in rows:
        if row and isinstance(row[0], int):
            found[row[0]] = {
                str(key): value
                for key, value in zip(header[1:], row[1:], strict=False)
                if isinstance(value, int)
            }
    return found


def _data_sheet(workbook):
    for worksheet in workbook.worksheets:
        if worksheet.title not in (META_SHEET, LISTS_SHEET, VERSIONS_SHEET):
            return worksheet
    raise WorkbookError(_("工作簿中没有数据工作表"))


def _header(rows: list[tuple], columns: Sequence[Column]) -> tuple[int, dict[str, tuple[int, str]]]:
    """(row number, key → (column number, header)) of the first row naming at least two columns."""
    best: tuple[int, dict[str, tuple[int, str]]] = (0, {})
    for row_number, cells in enumerate(rows, start=1):
        found: dict[str, tuple[int, str]] = {}
        for number, cell in enumerate(cells, start=1):
            header = normalise_header(cell.value)
            column = next((c for c in columns if header and c.matches(header)), None)
            if column is not None and column.key not in found:
                found[column.key] = (number, header)
        if len(found) >= 2:
            return row_number, found
        if len(found) > len(best[1]):
            best = (row_number, found)
    return best


def _kind_label(kind: str) -> Text:
    return ImportKind(kind).label if kind in ImportKind.values else kind


def read_sheet(content: bytes, columns: Sequence[Column], *, kind: str | None = None) -> Sheet:
    """The first data sheet of the workbook: its _meta, its columns and its non-blank rows.
    Raises WorkbookError when the file is no workbook, a template of another kind, or a required
    column is missing."""
    workbook = _open(content)
    try:
        meta = _meta(workbook)
        if kind and meta.get("kind") and meta["kind"] != kind:
            raise WorkbookError(
                format_lazy(
                    _("这是“{found}”模板,不是“{expected}”模板,请选择正确的导入类型"),
                    found=_kind_label(meta["kind"]),
                    expected=_kind_label(kind),
                )
            )
        worksheet = _data_sheet(workbook)
        worksheet.reset_dimensions()  # some writers record wrong dimensions: read every row there is
        rows = _guarded(worksheet.iter_rows())
        top = [row for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
        header_row, found = _header(top, columns)
        missing = [c.header for c in columns if c.required and c.key not in found]
        if missing:
            raise WorkbookError(
                format_lazy(
                    _("找不到列:{columns}。表头应在前{rows}行内(模板为第{header_row}行),请使用下载的模板"),
                    columns="、".join(missing),
                    rows=HEADER_SEARCH_ROWS,
                    header_row=HEADER_ROW,
                )
            )
        sheet = Sheet(worksheet.title, meta, found, versions=_versions(workbook))
        positions = [(key, number - 1) for key, (number, _) in found.items()]

        def add(row_number: int, cells: tuple) -> None:
            values = {}
            for key, index in positions:
                cell = cells[index] if index < len(cells) else None
                values[key] = None if cell is None else _cell(cell.value, _number_format(cell))
            if any(value is not None for value in values.values()):
                if len(sheet.rows) >= MAX_ROWS:
                    raise WorkbookError(
                        format_lazy(_("数据超过{limit}行,请分成几个文件导入"), limit=MAX_ROWS)
                    )
                sheet.rows.append(SheetRow(row_number, values))

        for row_number, cells in enumerate(top[header_row:], start=header_row + 1):
            add(row_number, cells)
        for row_number, cells in enumerate(rows, start=len(top) + 1):
            add(row_number, cells)
        return sheet
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# Cells to values


def _decimal(value: int | float | Decimal) -> Decimal:
    """A number cell as the decimal Excel shows: 15 significant digits, so that 274.82 entered
    (or summed by a formula) is 274.82 and not 274.81999999999999."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(format(value, ".15g"))


def _plain(number: Decimal) -> str:
    return f"{number:f}"


class Cells:
    """Typed values of a sheet's cells. A cell that cannot be read gives a finding (rule
    "parse") at its row and column and the value None; a blank cell gives None quietly."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.findings: list[RowFinding] = []
        self.bad_rows: set[int] = set()

    def add(
        self, row: SheetRow | int, key: str | None, rule_id: str, message: Text, *, severity: str = ERROR
    ) -> None:
        """A finding at the row and column, its message kept in Chinese and English."""
        self.record(row, key, rule_id, both(message), severity=severity)

    def record(
        self,
        row: SheetRow | int,
        key: str | None,
        rule_id: str,
        message: tuple[str, str],
        *,
        severity: str = ERROR,
    ) -> None:
        """A finding whose message is already rendered: (Chinese, English)."""
        number = row.number if isinstance(row, SheetRow) else row
        if severity == ERROR:
            self.bad_rows.add(number)
        self.findings.append(RowFinding(number, self.sheet.label(key), rule_id, severity, *message))

    def unreadable(self, row: SheetRow, key: str, reason: Text) -> None:
        self.add(row, key, PARSE, reason)

    def unparsed(self, row: SheetRow, key: str, reason: str, what: str) -> None:
        """A cell the parsers of projects.money and projects.periods refused (`what`: "amount",
        "date", "period"). Their reasons are in Chinese only (vocabulary modules): the English
        says what could not be read where."""
        letter = (self.sheet.label(key) or key).split()[0]
        unread = format_lazy(_UNPARSED[what], column=letter, value=row.values.get(key))
        self.record(row, key, PARSE, (reason, in_english(unread)))

    def raw(self, row: SheetRow, key: str) -> object:
        return row.values.get(key)

    def text(self, row: SheetRow, key: str, *, max_length: int | None = None) -> str:
        value = row.values.get(key)
        if value is None:
            return ""
        if isinstance(value, datetime | date):
            text = value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            text = _plain(_decimal(value))
        else:
            text = str(value).strip()
        if max_length is not None and len(text) > max_length:
            self.unreadable(
                row,
                key,
                format_lazy(
                    _("内容过长:最多{limit}个字,现有{length}个字"), limit=max_length, length=len(text)
                ),
            )
            return ""
        return text

    def unit(self, row: SheetRow, key: str, default: int) -> int | None:
        """The scale a 单位 cell names (default when blank)."""
        text = self.text(row, key)
        if not text:
            return default
        scale = UNITS.get(text.replace(" ", ""))
        if scale is None:
            self.unreadable(
                row,
                key,
                format_lazy(_("单位“{unit}”无法识别,可选 {units}"), unit=text, units="、".join(UNITS)),
            )
        return scale

    def amount(
        self, row: SheetRow, key: str, scale: int | None, *, currency: str | None = None
    ) -> ParsedAmount | None:
        """An amount in base units: a number at `scale` (the row's 单位), or text with its unit."""
        value = row.values.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, datetime | date | time):
            self.unreadable(row, key, format_lazy(_("不是金额;{hint}"), hint=_AMOUNT_HINT))
            return None
        text = _plain(_decimal(value)) if isinstance(value, int | float | Decimal) else str(value)
        if scale is None and isinstance(value, int | float | Decimal):
            return None  # the unit is unreadable: already a finding on the 单位 column
        try:
            return parse_amount(text, scale=scale, currency=currency)
        except AmountParseError as error:
            self.unparsed(row, key, error.reason, "amount")
            return None

    def number(self, row: SheetRow, key: str, *, unit: str = "", places: int = 4) -> Decimal | None:
        """A plain number (a count, a percent, a score), optionally followed by `unit` (142家, 12%)."""
        value = row.values.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, datetime | date | time):
            self.unreadable(row, key, _("不是数字"))
            return None
        if isinstance(value, int | float | Decimal):
            number = _decimal(value)
        else:
            text = str(value).strip()
            for suffix in {unit, "%", "％"} - {""}:
                text = text.removesuffix(suffix)
            number = parse_number(text)
            if number is None:
                self.unreadable(
                    row,
                    key,
                    format_lazy(_("“{value}”不是数字(可带单位“{unit}”)"), value=value, unit=unit)
                    if unit
                    else format_lazy(_("“{value}”不是数字"), value=value),
                )
                return None
        if number != number.quantize(Decimal(1).scaleb(-places)):
            self.unreadable(row, key, format_lazy(_("最多保留{places}位小数"), places=places))
            return None
        if abs(number) >= Decimal(10) ** 19:
            self.unreadable(row, key, _("数字过大"))
            return None
        return number

    def integer(self, row: SheetRow, key: str, *, low: int, high: int) -> int | None:
        value = row.values.get(key)
        if value is None:
            return None
        try:
            number = (
                _decimal(value)
                if isinstance(value, int | float | Decimal) and not isinstance(value, bool)
                else Decimal(str(value).strip())
            )
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value() or not low <= number <= high:
            self.unreadable(
                row,
                key,
                format_lazy(
                    _("{column}应为{low}至{high}之间的整数"),
                    column=self.sheet.header(key),
                    low=low,
                    high=high,
                ),
            )
            return None
        return int(number)

    def date(self, row: SheetRow, key: str, year: int | None) -> tuple[date, str] | None:
        """A date with its precision: a date cell is a day; text goes through parse_date with the
        year of the sheet (3月18日 in a 2022 sheet is 2022-03-18)."""
        value = row.values.get(key)
        if value is None:
            return None
        if isinstance(value, date):  # a date cell (a datetime is a date too): parse_date's years
            day = value.date() if isinstance(value, datetime) else value
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                self.unreadable(
                    row, key, format_lazy(_("年份须在{low}至{high}之间"), low=MIN_YEAR, high=MAX_YEAR)
                )
                return None
            return day, DatePrecision.DAY
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            self.unreadable(
                row, key, _("日期单元格是数字:请写作 2022-03-18 或 3月18日,或将单元格设为日期格式")
            )
            return None
        try:
            return parse_date(str(value), year)
        except PeriodParseError as error:
            self.unparsed(row, key, error.reason, "date")
            return None

    def period(self, row: SheetRow, key: str, year: int | None) -> Period | None:
        value = row.values.get(key)
        if value is None:
            return None
        if isinstance(value, datetime | date):
            self.unreadable(row, key, _("时段被 Excel 识别成了日期:请将单元格设为文本后填写,如 1-5月"))
            return None
        text = self.text(row, key)
        try:
            return parse_period(text, year)
        except PeriodParseError as error:
            self.unparsed(row, key, error.reason, "period")
            return None

    def choice(self, row: SheetRow, key: str, choices: Mapping[str, str]) -> str | None:
        """The value of a label (or the value itself) among `choices` {label: value}."""
        text = self.text(row, key)
        if not text:
            return None
        if text in choices:
            return choices[text]
        if text in choices.values():
            return text
        self.unreadable(
            row,
            key,
            format_lazy(
                _("{column}“{text}”无法识别,可选 {choices}"),
                column=self.sheet.header(key),
                text=text,
                choices="、".join(choices),
            ),
        )
        return None


_UNPARSED = {
    "amount": _("无法读取{column}列的金额“{value}”"),
    "date": _("无法读取{column}列的日期“{value}”"),
    "period": _("无法读取{column}列的时段“{value}”"),
}
_AMOUNT_HINT = _("可写作 274.82万元、1.5亿元,或填数字并在“单位”列选择单位")
