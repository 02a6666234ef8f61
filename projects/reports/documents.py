"""The files of a 调度通报, rendered from its frozen snapshot: an HTML page, a PDF and a workbook.

The snapshot (`snapshot.py`) is plain JSON; nothing that renders it reads the database. The three
formats show the same tables, built once (`tables.py`: `Table`, rows of `Value`s from
`formatting.py`): the HTML page and the PDF show each value's text (58.33亿元, 70.12%), the
workbook stores its number (58.33 in a column headed 完成投资(亿元)), so a spreadsheet can add and
chart it. The writers are `html.py` (the page and its PDF, WeasyPrint's print of the same HTML, so
the two never disagree) and `xlsx.py`; `FORMATS` names them for report runs and their downloads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from ..i18n import Text
from ..models import ReportFormat
from .html import render_html, render_pdf
from .xlsx import render_xlsx


class ReportFormatSpec(NamedTuple):
    label: Text
    content_type: str
    extension: str
    render: Callable[[dict], str | bytes]


FORMATS: dict[str, ReportFormatSpec] = {
    "html": ReportFormatSpec(ReportFormat.HTML.label, "text/html; charset=utf-8", "html", render_html),
    "xlsx": ReportFormatSpec(
        ReportFormat.XLSX.label,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        render_xlsx,
    ),
    "pdf": ReportFormatSpec(ReportFormat.PDF.label, "application/pdf", "pdf", render_pdf),
}
