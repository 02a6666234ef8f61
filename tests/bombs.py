"""Hostile and malformed Office files, built in memory for the upload tests (no binaries in git).

Each builder writes a minimal package by hand with zipfile, streaming big parts chunk by chunk, so
that a part of ten million elements costs this process a few megabytes. Without a bomb the same
builders make files the tracker reads: `workbook()` is a projects workbook with a header and one
row, `document()` a .docx of two paragraphs (tests/test_upload_bombs.py reads both).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

XLSX_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
DOCX_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)


def _relationships(*targets: tuple[str, str]) -> str:
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{OFFICE}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(targets, start=1)
    )
    return f'<Relationships xmlns="{RELATIONSHIPS}">{links}</Relationships>'


Part = bytes | str | Iterable[bytes]


def package(parts: dict[str, Part]) -> bytes:
    """A zip (deflated) of the parts; an iterable part is written chunk by chunk."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            if isinstance(content, str):
                content = DECLARATION + content.encode()
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w") as stream:
                buffer = bytearray()
                for piece in content:
                    buffer += piece
                    if len(buffer) >= 1 << 20:
                        stream.write(buffer)
                        buffer.clear()
                stream.write(buffer)
    return out.getvalue()


def repeated(head: bytes, item: bytes, count: int, tail: bytes) -> Iterator[bytes]:
    yield head
    block = item * 10_000
    for _ in range(count // 10_000):
        yield block
    yield item * (count % 10_000)
    yield tail


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = (
    f'<row r="1">{text_cell("A1", "区域")}{text_cell("B1", "项目名称")}{text_cell("C1", "总投资")}</row>'
)
DATA_ROW = (
    f'<row r="2">{text_cell("A2", "赣县区")}{text_cell("B2", "炸弹测试项目")}<c r="C2"><v>12.5</v></c></row>'
)


def sheet(rows: Iterable[bytes] | str = DATA_ROW) -> Iterator[bytes]:
    yield DECLARATION + f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER_ROW}'.encode()
    yield from ([rows.encode()] if isinstance(rows, str) else rows)
    yield b"</sheetData></worksheet>"


def shared_strings(count: int = 1, item: bytes = "<si><t>赣县区</t></si>".encode()) -> Iterator[bytes]:
    """`count` strings, under a `count` attribute that says 1."""
    return repeated(
        DECLARATION + f'<sst xmlns="{MAIN}" count="1" uniqueCount="1">'.encode(), item, count, b"</sst>"
    )


def workbook(
    *, sheet_part: Part | None = None, strings: Part | None = None, extra: dict[str, Part] | None = None
) -> bytes:
    """A projects workbook (区域, 项目名称, 总投资; one row) with the given parts swapped in."""
    parts: dict[str, Part] = {
        "[Content_Types].xml": XLSX_TYPES,
        "_rels/.rels": _relationships(("officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
            '<sheet name="项目" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": _relationships(
            ("worksheet", "worksheets/sheet1.xml"), ("sharedStrings", "sharedStrings.xml")
        ),
        "xl/worksheets/sheet1.xml": sheet() if sheet_part is None else sheet_part,
        "xl/sharedStrings.xml": shared_strings() if strings is None else strings,
    }
    return package({**parts, **(extra or {})})


def paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def body(
    paragraphs: Iterable[bytes] = (paragraph("赣县区1-5月完成固定资产投资52.3亿元。"),),
) -> Iterator[bytes]:
    yield DECLARATION + f'<w:document xmlns:w="{WORD}"><w:body>'.encode()
    yield paragraph("赣州经开区召开项目调度会。")
    yield from paragraphs
    yield b"</w:body></w:document>"


def document(*, body_part: Part | None = None, extra: dict[str, Part] | None = None) -> bytes:
    parts: dict[str, Part] = {
        "[Content_Types].xml": DOCX_TYPES,
        "_rels/.rels": _relationships(("officeDocument", "word/document.xml")),
        "word/document.xml": body() if body_part is None else body_part,
    }
    return package({**parts, **(extra or {})})


# ---------------------------------------------------------------------------------------------
# The bombs


def billion_laughs(root: str, namespace: str) -> bytes:
    """The classic: ten entities each ten times the one before, 10⁹ "lol"s from under 1 KB."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [{entities}]>'
        f'<{root} xmlns="{namespace}"><si><t>&lol9;</t></si></{root}>'
    ).encode()


def quadratic_blowup(root: str, namespace: str) -> bytes:
    """One entity of 50,000 characters referenced 50,000 times: 2.5 GB of text from 300 KB."""
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY a "{"a" * 50_000}">]>'
        f'<{root} xmlns="{namespace}"><si><t>{"&a;" * 50_000}</t></si></{root}>'
    ).encode()


def external_entity(root: str, namespace: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<{root} xmlns="{namespace}"><si><t>&x;</t></si></{root}>'
    ).encode()


def rows(count: int, start: int = 2) -> Iterator[bytes]:
    """Rows with a value each, numbered as Excel numbers them."""
    for first in range(start, start + count, 10_000):
        yield "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>赣县区</t></is></c></row>'
            for n in range(first, min(first + 10_000, start + count))
        ).encode()


def lying_sizes(content: bytes, part: str, declared: int) -> bytes:
    """The package with `part`'s uncompressed size changed to `declared`, in the central directory
    and in the part's local header: a zip that says it holds less (or more) than it does."""
    data = bytearray(content)
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length] == part.encode():
            struct.pack_into("<I", data, offset + 24, declared)
            local_header = struct.unpack_from("<I", data, offset + 42)[0]
            struct.pack_into("<I", data, local_header + 22, declared)
            return bytes(data)
        offset += 4
    raise ValueError(f"{part} is not in the package")


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the start of an old .xls/.doc (a compound file)
