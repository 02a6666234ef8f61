"""Uploaded Office files (.xlsx workbooks, .docx documents) inspected before any parser reads them.

An Office file is a zip of XML parts, and openpyxl and python-docx believe what it says: a 425 KB
workbook whose shared-strings part holds ten million empty strings made openpyxl build a list of
ten million strings (a worker went from 165 MB to over 1 GB), and python-docx builds the whole
tree of a document's XML before a single paragraph is read. So every upload goes through
`inspect_workbook` or `inspect_document` first. They read the file the cheap way: the zip's
directory (parts, declared sizes, compression ratios), then every part decompressed 64 KB at a
time and, when it is XML, parsed as a stream by expat with handlers that only count — elements,
rows, cells, shared strings, paragraphs, characters, depth — and stop at the first limit passed.
Declared counts (`count`, `uniqueCount`, `<dimension>`) are never believed; sizes are counted as
the bytes come. Nothing is kept but counters, so an inspection takes a few megabytes whatever
the file (tests/test_upload_memory_gunicorn.py measures it in a real worker).

XML with a DOCTYPE is refused outright: no part of an Office file has one, and a DTD is what
entity expansion (billion laughs, quadratic blowup) and external entities need. An undefined
entity, an unclosed tag or bytes that are not the declared encoding make the part malformed.
Whatever is refused raises `PackageRefused` with the reason in Chinese and English and a code.

The limits, and why each is where it is, are in `WorkbookLimits` and `DocumentLimits`; the
docs/security.md ("Uploaded files") lists them.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pyexpat import ExpatError, ParserCreate

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .i18n import Text, in_chinese, in_english

CHUNK = 64 * 1024  # bytes decompressed and parsed at a time
MB = 1024 * 1024

# A zip starts with a local file header ("PK\x03\x04"); an empty one with its end record.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# The OLE2 compound file of old .xls/.doc files, and of password-protected .xlsx/.docx too.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

EXCEL_MAX_COLUMNS = 16_384  # XFD: the widest sheet Excel can make
EXCEL_MAX_ROWS = 1_048_576  # the tallest


def _row_digits(text: str) -> bool:
    """A row number as Excel writes one: ASCII digits, at most 7 ("³" is a digit int() refuses,
    and 5,000 digits are more than int() reads)."""
    return text.isascii() and text.isdigit() and len(text) <= 7


EXCEL_MAX_CELL_TEXT = 32_767  # characters Excel keeps in one cell
CELL_TEXT_TAGS = frozenset({"v", "t", "f"})  # value, (rich) text run, formula
COLUMN_LETTERS = re.compile(r"[A-Z]{1,3}")


class PackageRefused(ValueError):
    """An upload that is not read, with the reason in Chinese and English."""

    def __init__(self, code: str, reason: Text) -> None:
        self.code = code
        self.reason = reason  # the message, rendered in the active language when shown
        super().__init__(reason)

    @property
    def message(self) -> str:
        return in_chinese(self.reason)

    @property
    def message_en(self) -> str:
        return in_english(self.reason)


@dataclass(frozen=True)
class PackageLimits:
    """What any Office file may hold. The numbers are far above what Excel, WPS or Word write for
    the files staff upload, and far below what would cost a worker memory (measured: see the
    docs/security.md, "Uploaded files")."""

    # Excel and Word write 10–40 parts; a workbook of many sheets or a report with its pictures
    # stays well below. Each part costs the parser a little, whether it is read or not.
    parts: int = 1_000
    # All parts unpacked. Sheets are read as streams, so this bounds the time an upload can take
    # (expat parses 50–100 MB a second), not memory; a sheet of 10,000 rows is 5–20 MB.
    unpacked_bytes: int = 256 * MB
    # Deflate packs real sheets and documents 5 to 20 times (a sheet of 100,000 styled rows: 12);
    # a part packed 100 times over is padding made to be unpacked, the zip bomb's signature.
    ratio: int = 100
    ratio_from_bytes: int = MB  # small parts (a 2 KB part of repeated tags) may pack better
    # One tag with its attributes: expat holds a tag until it ends, and so does every parser after
    # it; texts (a cell's, a paragraph's) come in pieces and are counted separately.
    token_bytes: int = MB
    # Office XML nests 10–30 deep (tables in tables in a document add a few levels each).
    depth: int = 128
    # Any other XML part (styles, workbook, relationships, properties, headers, footnotes…),
    # parsed whole: openpyxl makes about 1.1 KB of objects per element of a styles part
    # (measured), so 40,000 elements cost 45 MB. A styles part of a carefully formatted
    # workbook has a few thousand.
    part_bytes: int = 16 * MB
    part_elements: int = 40_000


@dataclass(frozen=True)
class WorkbookLimits(PackageLimits):
    """A workbook's sheets and shared strings, on top of PackageLimits. The reader sets the rows
    and shared strings from its own row limit (projects.workbooks.reader.LIMITS)."""

    # Rows (blank or not) of any one sheet. openpyxl streams rows, but keeps an emptied element
    # per row read (100,000 rows: 16 MB, measured); the reader keeps the rows that have a value.
    sheet_rows: int = 100_000
    row_elements: int = 65_536  # cells, values, formulas and rich-text runs of one row
    # The characters of all cells of one sheet: the reader keeps the texts of the rows it reads,
    # so this bounds them (32 MB as Python strings at most); 10,000 rows of 12 columns are 2M.
    sheet_characters: int = 16_000_000
    # Columns, merged cells, links, validations…, which openpyxl keeps as objects (60,000
    # merged cells: 35 MB, measured).
    sheet_elements_outside_rows: int = 40_000
    # openpyxl reads every shared string into a list and an index before the first row: 200,000
    # strings of 20 characters took 40 MB (measured). Their text is bounded by the part's size.
    shared_strings: int = 200_000
    shared_strings_bytes: int = 32 * MB
    shared_string_elements: int = 1_000_000  # <si>, <t>, <r>, <rPr> … of all shared strings


@dataclass(frozen=True)
class DocumentLimits(PackageLimits):
    """A Word document's body, on top of PackageLimits."""

    # python-docx reads every part into memory; a 2 MB upload of text and pictures is far below.
    unpacked_bytes: int = 64 * MB
    # Characters in the body's text runs: no more than the extractor reads (the caller passes
    # MAX_TEXT_LENGTH).
    characters: int = 200_000
    # python-docx makes objects of every paragraph (100,000 paragraphs: 73 MB and 10 s, measured);
    # a report of 200,000 characters has a few thousand, a list of short lines 20,000.
    paragraphs: int = 50_000
    # python-docx builds the body's whole tree (about 170 bytes an element, measured): a report
    # of 200,000 characters from Word, every run formatted, has about 150,000.
    body_elements: int = 300_000
    body_bytes: int = 64 * MB


WORKBOOK_LIMITS = WorkbookLimits()
DOCUMENT_LIMITS = DocumentLimits()

SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
DOCUMENT_PART = "word/document.xml"


# ---------------------------------------------------------------------------------------------
# Messages


def _refused(code: str, message: Text) -> PackageRefused:
    return PackageRefused(code, message)


@dataclass(frozen=True)
class _Kind:
    """What the caller expected: its name in messages and its folder in the zip."""

    label: Text  # "Excel 工作簿(.xlsx)"
    suffix: str
    folder: str  # "xl/"
    program: Text  # where staff save the file again

    @property
    def resave(self) -> Text:
        return format_lazy(
            _("请上传 {label},可在 {program} 中另存为 {suffix}"),
            label=self.label,
            program=self.program,
            suffix=self.suffix,
        )


WORKBOOK = _Kind(_("Excel 工作簿(.xlsx)"), ".xlsx", "xl/", _("Excel 或 WPS"))
DOCUMENT = _Kind(_("Word 文档(.docx)"), ".docx", "word/", _("Word 或 WPS"))
FOLDERS = {"xl/": _("Excel 工作簿"), "word/": _("Word 文档"), "ppt/": _("PowerPoint 演示文稿")}


def _too_large(kind: _Kind, what: Text, limit: int) -> PackageRefused:
    return _refused(
        "too_large",
        format_lazy(_("文件内容过多:{what}超过{limit:,}的上限,请分成几个文件上传"), what=what, limit=limit),
    )


def _malformed(kind: _Kind, part: str, error: ExpatError) -> PackageRefused:
    expat = str(error).split(":")[0]  # "undefined entity: line 2, column 30"
    return _refused(
        "malformed",
        format_lazy(
            _("文件已损坏:{part} 不是有效的 XML({reason},第{line}行),{resave}"),
            part=part,
            reason=EXPAT_REASONS.get(expat, expat),
            line=error.lineno,
            resave=kind.resave,
        ),
    )


EXPAT_REASONS = {
    "undefined entity": _("未定义的实体"),
    "unclosed token": _("标签未闭合"),
    "no element found": _("内容不完整"),
    "mismatched tag": _("标签不匹配"),
    "not well-formed (invalid token)": _("含有无效字符或编码错误"),
    "unknown encoding": _("不支持的编码"),
    "junk after document element": _("根元素之后还有内容"),
}


# ---------------------------------------------------------------------------------------------
# The zip


def _open(content: bytes, kind: _Kind) -> zipfile.ZipFile:
    """The zip, or a refusal that says what the file seems to be instead."""
    if content.startswith(OLE2_MAGIC):
        raise _refused(
            "old_format",
            format_lazy(
                _("这是旧版 Office 文件(.xls/.doc)或设了密码的文件,不是 {label}:{resave}(不设密码)"),
                label=kind.label,
                resave=kind.resave,
            ),
        )
    if not content.startswith(ZIP_MAGIC):
        head = content[:4096]
        looks_like_text = bool(head) and b"\x00" not in head.lstrip(b"".join(UTF16_BOMS))
        seems = _("文本文件(如 CSV)") if looks_like_text else _("其他格式的文件")
        raise _refused(
            "not_office_file",
            format_lazy(
                _("这是{seems},不是 {label}:{resave}"), seems=seems, label=kind.label, resave=kind.resave
            ),
        )
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _damaged(kind) from None


def _damaged(kind: _Kind) -> PackageRefused:
    return _refused(
        "damaged",
        format_lazy(_("文件已损坏或不是 {suffix} 格式,{resave}"), suffix=kind.suffix, resave=kind.resave),
    )


def _check_directory(archive: zipfile.ZipFile, kind: _Kind, limits: PackageLimits) -> list[zipfile.ZipInfo]:
    """The zip's directory, as declared: what it holds, how big it says each part is."""
    members = archive.infolist()
    if len(members) > limits.parts:
        raise _too_large(kind, _("压缩包中的部件数"), limits.parts)
    names = {member.filename for member in members}
    if len(names) != len(members):
        raise _damaged(kind)  # two parts of one name: which one a parser reads is anyone's guess
    folders = {folder for folder in FOLDERS if any(name.startswith(folder) for name in names)}
    if kind.folder not in folders:
        other = next((FOLDERS[folder] for folder in folders), None)
        raise _refused(
            "wrong_file_type",
            format_lazy(_("这是 {other},不是 {label}"), other=other, label=kind.label)
            if other
            else format_lazy(
                _("这是 zip 压缩包,不是 {label}:{resave}"), label=kind.label, resave=kind.resave
            ),
        )
    declared = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise _refused(
                "encrypted",
                format_lazy(_("文件设了密码,无法读取:请取消密码后重新保存为 {suffix}"), suffix=kind.suffix),
            )
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(kind)  # Office writes deflate; bzip2/lzma parts are made by hand
        declared += member.file_size
        if declared > limits.unpacked_bytes:
            raise _too_large(kind, _("解压后的大小(字节)"), limits.unpacked_bytes)
        if member.file_size >= limits.ratio_from_bytes and member.file_size > limits.ratio * max(
            member.compress_size, 1
        ):
            raise _refused(
                "compression_ratio",
                format_lazy(
                    _("文件异常:{part} 的压缩比超过{ratio}倍,不像正常的 {label}"),
                    part=member.filename,
                    ratio=limits.ratio,
                    label=kind.label,
                ),
            )
    return members


def _stream(archive: zipfile.ZipFile, member: zipfile.ZipInfo, kind: _Kind):
    """The part's bytes, CHUNK at a time, however its declared sizes lie: zipfile stops at the
    declared size and checks the CRC at the end, so a part that unpacks to more is damaged."""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        raise _damaged(kind) from None


XML_NAMES = (".xml", ".rels")


def _is_xml(name: str, first: bytes) -> bool:
    """Parsed as XML: a part named so, or any part that starts like XML whatever its name (a
    relationship may point a parser at "image1.png"): "<", UTF-16 without BOM, or a UTF-16 or
    UTF-32 BOM (expat reads UTF-16 and refuses UTF-32). Pictures, fonts and printer settings are
    only counted."""
    head = first.removeprefix(b"\xef\xbb\xbf").lstrip()
    return name.lower().endswith(XML_NAMES) or head.startswith((b"<", b"\x00<", *UTF16_BOMS))


# ---------------------------------------------------------------------------------------------
# XML parts, parsed as streams by expat


class _Part:
    """Counters over one XML part; expat calls `start`, `end` and `text`. Subclasses count what
    matters in their part and raise PackageRefused past a limit."""

    def __init__(self, name: str, kind: _Kind, limits: PackageLimits, *, elements: int, size: int) -> None:
        self.name = name
        self.kind = kind
        self.limits = limits
        self.max_elements = elements
        self.max_bytes = size
        self.depth = 0
        self.elements = 0

    def start(self, local: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.depth > self.limits.depth:
            raise _too_large(
                self.kind, format_lazy(_("{part} 的嵌套层数"), part=self.name), self.limits.depth
            )
        if self.elements > self.max_elements:
            raise _too_large(self.kind, format_lazy(_("{part} 的元素数"), part=self.name), self.max_elements)

    def end(self, local: str) -> None:
        self.depth -= 1

    def text(self, data: str) -> None:
        pass


class _Sheet(_Part):
    """A worksheet: rows, cells and elements per row, characters per cell, cell references."""

    def __init__(self, name: str, limits: WorkbookLimits) -> None:
        # Elements are bounded per row and outside rows; bytes by the whole package's limit.
        super().__init__(name, WORKBOOK, limits, elements=2**62, size=limits.unpacked_bytes)
        self.sheet_limits = limits
        self.rows = 0
        self.row_depth = 0  # the depth of the row being read; 0 outside rows
        self.row_elements = 0
        self.cells = 0
        self.outside_rows = 0
        self.cell_text = 0
        self.characters = 0

    def start(self, local: str, attributes: dict[str, str]) -> None:
        super().start(local, attributes)
        limits = self.sheet_limits
        if self.row_depth:
            self.row_elements += 1
            if self.row_elements > limits.row_elements:
                raise _too_large(self.kind, _("一行中的元素数"), limits.row_elements)
            if local == "c":
                self.cells += 1
                if self.cells > EXCEL_MAX_COLUMNS:
                    raise _too_large(self.kind, _("一行中的单元格数"), EXCEL_MAX_COLUMNS)
                self._check_reference(attributes.get("r"))
            self.cell_text = 0
        elif local == "row":
            self.rows += 1
            if self.rows > limits.sheet_rows:
                raise _too_large(self.kind, _("一个工作表的行数"), limits.sheet_rows)
            self._check_row_number(attributes.get("r"))
            self.row_depth, self.row_elements, self.cells = self.depth, 0, 0
        else:
            self.outside_rows += 1
            if self.outside_rows > limits.sheet_elements_outside_rows:
                raise _too_large(
                    self.kind,
                    _("工作表中单元格以外的元素数(合并单元格、链接、数据验证等)"),
                    limits.sheet_elements_outside_rows,
                )

    def end(self, local: str) -> None:
        if self.depth == self.row_depth:
            self.row_depth = 0
        super().end(local)

    def text(self, data: str) -> None:
        if self.row_depth:
            self.cell_text += len(data)
            self.characters += len(data)
            if self.cell_text > EXCEL_MAX_CELL_TEXT:
                limit = EXCEL_MAX_CELL_TEXT
                raise _too_large(self.kind, _("一个单元格的字数"), limit)
            if self.characters > self.sheet_limits.sheet_characters:
                limit = self.sheet_limits.sheet_characters
                raise _too_large(self.kind, _("一个工作表的字数"), limit)

    def _check_row_number(self, number: str | None) -> None:
        if number is not None and not (_row_digits(number) and 1 <= int(number) <= EXCEL_MAX_ROWS):
            raise self._absurd(format_lazy(_("行号“{number}”"), number=number[:20]))

    def _check_reference(self, reference: str | None) -> None:
        """A cell's A1 reference: at most XFD1048576, as in Excel."""
        if reference is None:
            return
        letters = COLUMN_LETTERS.match(reference)
        digits = reference[letters.end() :] if letters else ""
        column = 0
        for letter in letters.group() if letters else "":
            column = column * 26 + ord(letter) - 64
        if not (
            letters and _row_digits(digits) and column <= EXCEL_MAX_COLUMNS and int(digits) <= EXCEL_MAX_ROWS
        ):
            raise self._absurd(format_lazy(_("单元格地址“{reference}”"), reference=reference[:20]))

    def _absurd(self, what: Text) -> PackageRefused:
        return _refused(
            "out_of_range",
            format_lazy(
                _("文件异常:{part} 中的{what}超出 Excel 的范围(最多{rows}行、{columns}列)"),
                part=self.name,
                what=what,
                rows=EXCEL_MAX_ROWS,
                columns=EXCEL_MAX_COLUMNS,
            ),
        )


class _SharedStrings(_Part):
    """The shared strings, every <si> counted: the `count` and `uniqueCount` attributes may lie."""

    def __init__(self, name: str, limits: WorkbookLimits) -> None:
        super().__init__(
            name, WORKBOOK, limits, elements=limits.shared_string_elements, size=limits.shared_strings_bytes
        )
        self.max_strings = limits.shared_strings
        self.strings = 0
        self.string_text = 0

    def start(self, local: str, attributes: dict[str, str]) -> None:
        super().start(local, attributes)
        if local == "si" and self.depth == 2:  # sst > si
            self.strings += 1
            self.string_text = 0
            if self.strings > self.max_strings:
                raise _too_large(self.kind, _("共享字符串数"), self.max_strings)

    def text(self, data: str) -> None:
        self.string_text += len(data)
        if self.string_text > EXCEL_MAX_CELL_TEXT:
            raise _too_large(self.kind, _("一个单元格的字数"), EXCEL_MAX_CELL_TEXT)


class _Body(_Part):
    """A Word document's body: its paragraphs and the characters of its text runs."""

    def __init__(self, name: str, limits: DocumentLimits) -> None:
        super().__init__(name, DOCUMENT, limits, elements=limits.body_elements, size=limits.body_bytes)
        self.max_paragraphs = limits.paragraphs
        self.max_characters = limits.characters
        self.paragraphs = 0
        self.characters = 0
        self.in_text = False

    def start(self, local: str, attributes: dict[str, str]) -> None:
        super().start(local, attributes)
        if local == "p":
            self.paragraphs += 1
            if self.paragraphs > self.max_paragraphs:
                raise self._too_long(_("段落数"), self.max_paragraphs)
        self.in_text = local == "t"

    def end(self, local: str) -> None:
        super().end(local)
        self.in_text = False

    def text(self, data: str) -> None:
        if self.in_text:
            self.characters += len(data)
            if self.characters > self.max_characters:
                raise self._too_long(_("字数"), self.max_characters)

    def _too_long(self, what: Text, limit: int) -> PackageRefused:
        return _refused(
            "too_long",
            format_lazy(_("文档过长:{what}超过{limit:,}的上限,请分成几篇录入"), what=what, limit=limit),
        )


class _Feeder:
    """An expat parser calling a part's counters, fed a chunk at a time. A DOCTYPE (and so any
    entity declaration) is refused as it is met; expat's own errors make the part malformed."""

    def __init__(self, part: _Part) -> None:
        self.part = part
        self.fed = 0
        parser = ParserCreate(namespace_separator=" ")
        parser.buffer_text = True  # texts come in pieces of up to 8 KB, not byte by byte
        parser.StartDoctypeDeclHandler = self._refuse_dtd
        parser.EntityDeclHandler = self._refuse_dtd
        parser.ExternalEntityRefHandler = self._refuse_dtd
        parser.StartElementHandler = lambda name, attributes: part.start(name.rpartition(" ")[2], attributes)
        parser.EndElementHandler = lambda name: part.end(name.rpartition(" ")[2])
        parser.CharacterDataHandler = part.text
        self.parser = parser

    def _refuse_dtd(self, *_args) -> None:
        raise _refused(
            "dtd",
            format_lazy(
                _("文件异常:{part} 含有 DTD 或实体声明,正常的 {label} 不会有,已拒绝"),
                part=self.part.name,
                label=self.part.kind.label,
            ),
        )

    def feed(self, chunk: bytes, *, last: bool = False) -> None:
        try:
            self.parser.Parse(chunk, last)
        except ExpatError as error:
            raise _malformed(self.part.kind, self.part.name, error) from None
        self.fed += len(chunk)
        # What expat holds unparsed: one tag (with its attributes) that has not ended yet.
        if self.fed - self.parser.CurrentByteIndex > self.part.limits.token_bytes:
            limit = self.part.limits.token_bytes
            raise _too_large(
                self.part.kind, format_lazy(_("{part} 中一个标签的字节数"), part=self.part.name), limit
            )


# ---------------------------------------------------------------------------------------------
# The inspections


def _inspect(
    content: bytes,
    kind: _Kind,
    limits: PackageLimits,
    part_of: Callable[[str], _Part],
    required: tuple[str, ...],
) -> None:
    """Every part of the package read through once: XML parts fed to their counters, the others
    only counted. The bytes are counted as they come; the declared sizes were checked before."""
    with _open(content, kind) as archive:
        members = _check_directory(archive, kind, limits)
        names = {member.filename for member in members}
        for name in required:
            if name not in names:
                raise _refused(
                    "missing_part",
                    format_lazy(_("文件不完整,缺少 {part}:{resave}"), part=name, resave=kind.resave),
                )
        unpacked = 0
        for member in members:
            feeder: _Feeder | None = None
            size, max_size = 0, limits.unpacked_bytes
            for chunk in _stream(archive, member, kind):
                if size == 0 and _is_xml(member.filename, chunk):
                    part = part_of(member.filename)
                    feeder, max_size = _Feeder(part), part.max_bytes
                size += len(chunk)
                unpacked += len(chunk)
                if size > max_size:
                    raise _too_large(
                        kind, format_lazy(_("{part} 解压后的大小(字节)"), part=member.filename), max_size
                    )
                if unpacked > limits.unpacked_bytes:
                    raise _too_large(kind, _("解压后的大小(字节)"), limits.unpacked_bytes)
                if feeder is not None:
                    feeder.feed(chunk)
            if feeder is not None:
                feeder.feed(b"", last=True)


def inspect_workbook(content: bytes, limits: WorkbookLimits = WORKBOOK_LIMITS) -> None:
    """Raise PackageRefused unless `content` is an .xlsx within `limits`, every XML part of it
    well-formed and without DTD."""

    def part_of(name: str) -> _Part:
        if SHEET_PART.fullmatch(name):
            return _Sheet(name, limits)
        if name == SHARED_STRINGS_PART:
            return _SharedStrings(name, limits)
        # Anything else, a sheet or shared strings under another name included, gets the tight
        # limits of a part that is parsed whole.
        return _Part(name, WORKBOOK, limits, elements=limits.part_elements, size=limits.part_bytes)

    _inspect(content, WORKBOOK, limits, part_of, required=("[Content_Types].xml",))


def inspect_document(content: bytes, limits: DocumentLimits = DOCUMENT_LIMITS) -> None:
    """Raise PackageRefused unless `content` is a .docx within `limits` (its body's paragraphs and
    characters included), every XML part of it well-formed and without DTD."""

    def part_of(name: str) -> _Part:
        if name == DOCUMENT_PART:
            return _Body(name, limits)
        return _Part(name, DOCUMENT, limits, elements=limits.part_elements, size=limits.part_bytes)

    _inspect(content, DOCUMENT, limits, part_of, required=("[Content_Types].xml", DOCUMENT_PART))
