"""Excel exports from the admin (导出Excel): any changelist as it is filtered, searched and
ordered, all its pages, with the columns it shows; a record's change history.

Workbooks are written with openpyxl in write-only mode, row by row into a temporary file, so a
long list is never held in memory; rows are read in chunks, each chunk with the related rows the
changelist already fetches (list_select_related, prefetches), so the number of queries does not
grow with the rows. Text that looks like a formula stays text (projects.workbooks.cells).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from html import unescape
from typing import IO, TYPE_CHECKING

from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import display_for_field, get_fields_from_path, label_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import BooleanField, DateField, DateTimeField, Field, Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import FileResponse, HttpRequest
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..workbooks.cells import Workbook
from .history import value_text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

Cell = str | int | float | Decimal | None


# ---------------------------------------------------------------------------------------------
# Cells as the changelist shows them


def cell_value(model_admin: ModelAdmin, obj: Model, name: str) -> Cell:
    """What the changelist's cell shows: text, or a number where it shows a number field."""
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except ObjectDoesNotExist:
        return None
    if field is None and LOOKUP_SEP in name:
        try:
            field = get_fields_from_path(type(obj), name)[-1]
        except FieldDoesNotExist:
            pass
    if field is not None and not field.auto_created:
        return field_value(field, value)
    if getattr(attr, "boolean", False) or (
        isinstance(attr, property) and getattr(attr.fget, "boolean", False)
    ):
        return None if value is None else (gettext("是") if value else gettext("否"))
    return plain_value(value)


def field_value(field: Field, value: object) -> Cell:
    if getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, "")) if value not in (None, "") else None
    if isinstance(field, BooleanField):
        return None if value is None else (gettext("是") if value else gettext("否"))
    if isinstance(field, DateField | DateTimeField) and value is not None:
        return str(display_for_field(value, field, ""))  # as the list shows it: 2022年6月30日
    return plain_value(value)


def plain_value(value: object) -> Cell:
    """A cell's value: numbers stay numbers, markup becomes its text, the rest is text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, datetime | date):
        return str(formats.localize(timezone.template_localtime(value)))
    if isinstance(value, list | tuple | dict):
        return value_text(value)
    if hasattr(value, "__html__"):  # a badge, a link: the text it shows
        return unescape(strip_tags(str(value))).strip()
    return str(value)


def export_columns(model_admin: ModelAdmin, request: HttpRequest) -> list[str]:
    return [name for name in model_admin.get_list_display(request) if name != "action_checkbox"]


def column_label(model_admin: ModelAdmin, name: str) -> str:
    return strip_tags(str(label_for_field(name, model_admin.model, model_admin)))


def changelist_rows(
    model_admin: ModelAdmin, columns: Sequence[str], queryset: QuerySet
) -> Iterator[list[Cell]]:
    for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [cell_value(model_admin, obj, name) for name in columns]


def export_changelist(model_admin: ModelAdmin, request: HttpRequest, queryset: QuerySet) -> FileResponse:
    """The rows of `queryset`, in its order, with the changelist's columns, as an xlsx download."""
    columns = export_columns(model_admin, request)
    title = str(model_admin.model._meta.verbose_name_plural)
    return xlsx_response(
        f"{title}-{timezone.localdate():%Y%m%d}.xlsx",
        title,
        [column_label(model_admin, name) for name in columns],
        changelist_rows(model_admin, columns, queryset),
    )


# ---------------------------------------------------------------------------------------------
# Workbooks


def sheet_title(title: str) -> str:
    return SHEET_TITLE_FORBIDDEN.sub("", title)[:31] or "Sheet1"


def _cell(value: Cell) -> Cell:
    # Control characters cannot be stored in a workbook; a text that looks like a formula stays
    # text (projects.workbooks.cells).
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def write_workbook(title: str, headers: Sequence[StrOrPromise], rows: Iterable[Sequence[Cell]]) -> IO[bytes]:
    """A one-sheet workbook with a bold, frozen header row, in a temporary file read from the start."""
    texts = [str(header) for header in headers]  # a lazy message is no cell value
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.freeze_panes = "A2"
    for index, text in enumerate(texts, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, 2 * len(text) + 4))
    header_cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output


def xlsx_response(
    filename: str, title: str, headers: Sequence[StrOrPromise], rows: Iterable[Sequence[Cell]]
) -> FileResponse:
    return FileResponse(
        write_workbook(title, headers, rows),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )
