"""Hostile and malformed uploads, through the test client: every bad workbook is a 400 of the import
API (its one finding at row 0, in Chinese and English, dry run or not) and a form error of the
admin's Excel导入; every bad .docx or .txt a form error of 从文本提取; nothing is written but the
ImportBatch that records a refused API upload. Then each limit of projects.ooxml on its own, with
small limits, and the second guard (defusedxml under openpyxl). tests/test_upload_memory_gunicorn.py
measures the memory of the big bombs in a real worker."""

from __future__ import annotations

import io
import secrets
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import replace

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import ImportBatch, ImportStatus, Project, SourceDocument
from projects.ooxml import (
    DOCUMENT_LIMITS,
    WORKBOOK_LIMITS,
    PackageRefused,
    inspect_document,
    inspect_workbook,
)
from projects.text_entry import text_of_upload
from projects.workbooks.imports import check_import
from tests import bombs
from tests.factories import ZoneFactory

M = bombs.MAIN


def _cell_sheet(cells: str) -> bytes:
    return b"".join(bombs.sheet(f'<row r="2">{cells}</row>'))


def _distinct_strings(count: int) -> list[bytes]:
    items = "".join(f"<si><t>项目{n}</t></si>" for n in range(count))
    return [bombs.DECLARATION + f'<sst xmlns="{M}" count="1" uniqueCount="1">{items}</sst>'.encode()]


def _flagged_encrypted(content: bytes) -> bytes:
    """The package with every part's "encrypted" flag set, in the directory and local headers."""
    data = bytearray(content)
    for signature, at in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        offset = 0
        while (offset := data.find(signature, offset)) != -1:
            struct.pack_into("<H", data, offset + at, struct.unpack_from("<H", data, offset + at)[0] | 1)
            offset += 4
    return bytes(data)


# Name → (the file, a piece of the Chinese reason). The first are files of another kind; then
# bombs; then XML that is not well-formed; then files openpyxl itself cannot make sense of.
BAD_WORKBOOKS: dict[str, tuple[Callable[[], bytes], str]] = {
    "CSV 改名为 .xlsx": (lambda: "区域,项目名称\n赣县区,新项目\n".encode(), "这是文本文件(如 CSV)"),
    "旧版 .xls": (lambda: bombs.OLE2 + bytes(600), "旧版 Office 文件"),
    "Word 文档改名为 .xlsx": (bombs.document, "这是 Word 文档,不是 Excel 工作簿"),
    "普通 zip": (lambda: bombs.package({"说明.txt": b"hello"}), "这是 zip 压缩包"),
    "损坏的 zip": (lambda: b"PK\x03\x04" + bytes(100), "文件已损坏或不是 .xlsx 格式"),
    "设了密码": (lambda: _flagged_encrypted(bombs.workbook()), "文件设了密码"),
    "sharedStrings 压缩比": (
        lambda: bombs.workbook(strings=bombs.shared_strings(1_000_000, b"<si><t/></si>")),
        "压缩比超过100倍",
    ),
    "sharedStrings 超过上限(count 谎称 1)": (
        lambda: bombs.workbook(strings=_distinct_strings(200_001)),
        "共享字符串数超过200,000的上限",
    ),
    "工作表超过100,000行": (
        lambda: bombs.workbook(sheet_part=bombs.sheet(bombs.rows(100_000))),
        "一个工作表的行数超过100,000的上限",
    ),
    "声明的大小是假的": (
        lambda: bombs.lying_sizes(bombs.workbook(), "xl/worksheets/sheet1.xml", 100),
        "文件已损坏或不是 .xlsx 格式",
    ),
    "billion laughs": (lambda: bombs.workbook(strings=bombs.billion_laughs("sst", M)), "DTD"),
    "quadratic blowup": (lambda: bombs.workbook(strings=bombs.quadratic_blowup("sst", M)), "DTD"),
    "外部实体": (lambda: bombs.workbook(strings=bombs.external_entity("sst", M)), "DTD"),
    "行号超出 Excel": (
        lambda: bombs.workbook(sheet_part=bombs.sheet('<row r="2000000"><c r="A2000000"><v>1</v></c></row>')),
        "超出 Excel 的范围",
    ),
    "单元格地址超出 Excel": (
        lambda: bombs.workbook(sheet_part=_cell_sheet('<c r="ZZZ2"><v>1</v></c>')),
        "超出 Excel 的范围",
    ),
    # Digits int() refuses: a superscript, and more than the 4,300 digits it reads.
    "行号为上标数字": (
        lambda: bombs.workbook(sheet_part=bombs.sheet('<row r="³"><c r="A3"><v>1</v></c></row>')),
        "超出 Excel 的范围",
    ),
    "单元格地址为5,000位数字": (
        lambda: bombs.workbook(sheet_part=_cell_sheet(f'<c r="A{"9" * 5000}"><v>1</v></c>')),
        "超出 Excel 的范围",
    ),
    "单元格超过32,767字": (
        lambda: bombs.workbook(sheet_part=_cell_sheet(bombs.text_cell("A2", "字" * 32_768))),
        "一个单元格的字数",
    ),
    "标签未闭合": (lambda: bombs.workbook(sheet_part=_cell_sheet('<c r="A2"><v>1</v>')), "标签不匹配"),
    "未定义的实体": (
        lambda: bombs.workbook(sheet_part=_cell_sheet('<c r="A2"><v>&nbsp;</v></c>')),
        "未定义的实体",
    ),
    "无效的 UTF-8": (
        lambda: bombs.workbook(
            sheet_part=_cell_sheet('<c r="A2"><v>1</v></c>').replace(b'r="2"', b'r="\xff"')
        ),
        "含有无效字符或编码错误",
    ),
    "缺少 [Content_Types].xml": (
        lambda: bombs.package({"xl/workbook.xml": "<workbook/>"}),
        "文件不完整,缺少 [Content_Types].xml",
    ),
    "共享字符串编号不存在": (
        lambda: bombs.workbook(sheet_part=_cell_sheet('<c r="A2" t="s"><v>999</v></c>')),
        "无法读取该文件",
    ),
    "数字单元格里是文字": (
        lambda: bombs.workbook(sheet_part=_cell_sheet('<c r="C2"><v>abc</v></c>')),
        "无法读取该文件",
    ),
    "样式编号不存在": (
        lambda: bombs.workbook(sheet_part=_cell_sheet('<c r="C2" s="999"><v>1</v></c>')),
        "无法读取该文件",
    ),
}


@pytest.fixture
def ganxian(db):
    return ZoneFactory(name="赣县区")


# ---------------------------------------------------------------------------------------------
# The API's import


def _post(client, content: bytes, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    upload = SimpleUploadedFile("上传.xlsx", content)
    return client.post(f"/api/imports/projects/?{query}", {"file": upload}, format="multipart")


def test_the_builders_make_files_that_are_read(superuser_api, ganxian):
    """The control for every bad file below: the same builders without the bomb are imported."""
    response = _post(superuser_api, bombs.workbook(), dry_run=1)
    assert response.status_code == 200, response.json()
    assert (response.json()["rows"], response.json()["errors"]) == (1, [])
    assert "赣州经开区召开项目调度会" in text_of_upload(name="报道.docx", content=bombs.document())


@pytest.mark.parametrize("dry_run", [1, 0])
@pytest.mark.parametrize("name", list(BAD_WORKBOOKS))
def test_a_bad_workbook_is_a_bilingual_400_of_the_api_and_writes_nothing(
    superuser_api, ganxian, name, dry_run
):
    build, reason = BAD_WORKBOOKS[name]

    response = _post(superuser_api, build(), dry_run=dry_run)

    assert response.status_code == 400
    body = response.json()
    [error] = body["errors"]
    assert (error["row"], error["field"], error["code"], error["rule"]) == (0, None, "file", "file")
    assert reason in error["message"]
    assert error["message_en"] and error["message_en"] != error["message"]
    assert body["detail"] == f"{error['message']} / {error['message_en']}"
    assert not Project.objects.exists()
    [batch] = ImportBatch.objects.all()  # the record of the refused upload, and nothing else
    assert (batch.status, batch.row_count, batch.error_count) == (ImportStatus.INVALID, 0, 1)


def test_a_bad_workbook_is_one_finding_of_the_service(ganxian, django_user_model):
    user = django_user_model.objects.create_superuser("chief", password="x")
    for name, (build, reason) in BAD_WORKBOOKS.items():
        [finding] = check_import("projects", build(), user=user).findings
        assert (finding.row, finding.rule_id, finding.severity) == (0, "file", "error"), name
        assert reason in finding.message, name


# ---------------------------------------------------------------------------------------------
# The admin's forms


@pytest.mark.parametrize("name", list(BAD_WORKBOOKS))
def test_a_bad_workbook_is_a_form_error_of_excel_import(staff_client, ganxian, name):
    build, reason = BAD_WORKBOOKS[name]

    response = staff_client.post(
        reverse("admin:projects_importbatch_add"),
        {"kind": "projects", "upload": SimpleUploadedFile("上传.xlsx", build())},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["upload"]
    assert any(reason in error for error in errors), errors
    assert not ImportBatch.objects.exists()
    assert not Project.objects.exists()


def _extract(client, name: str, content: bytes):
    return client.post(
        reverse("admin:projects_sourcedocument_extract"),
        {
            "title": "上传的报道",
            "subject_year": "2022",
            "text": "",
            "upload": SimpleUploadedFile(name, content),
        },
    )


def _paragraphs(count: int, text: str = "1") -> bytes:
    return b"".join(
        f'<w:p w:rsidR="{n:08X}"><w:r><w:t>{text}</w:t></w:r></w:p>'.encode() for n in range(count)
    )


BAD_TEXTS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "旧版 .doc 改名为 .docx": ("报道.docx", lambda: bombs.OLE2 + bytes(600), "旧版 Office 文件"),
    "Excel 工作簿改名为 .docx": ("报道.docx", bombs.workbook, "这是 Excel 工作簿,不是 Word 文档"),
    "文本改名为 .docx": ("报道.docx", lambda: "赣县区1-5月".encode(), "这是文本文件"),
    "损坏的 docx": ("报道.docx", lambda: b"PK\x03\x04 damaged", "文件已损坏或不是 .docx 格式"),
    "缺少 document.xml": (
        "报道.docx",
        lambda: bombs.package({"[Content_Types].xml": bombs.DOCX_TYPES, "word/styles.xml": "<styles/>"}),
        "缺少 word/document.xml",
    ),
    "150万段(压缩比)": (
        "报道.docx",
        lambda: bombs.document(
            body_part=bombs.body(bombs.repeated(b"", bombs.paragraph("a"), 1_500_000, b""))
        ),
        "压缩比超过100倍",
    ),
    "超过50,000段": (
        "报道.docx",
        lambda: bombs.document(body_part=bombs.body([_paragraphs(50_000)])),
        "段落数超过50,000的上限",
    ),
    "超过200,000字": (
        "报道.docx",
        lambda: bombs.document(body_part=bombs.body([_paragraphs(201, "字" * 1000)])),
        "字数超过200,000的上限",
    ),
    "docx billion laughs": (
        "报道.docx",
        lambda: bombs.document(body_part=bombs.billion_laughs("document", bombs.WORD)),
        "DTD",
    ),
    "docx 标签未闭合": ("报道.docx", lambda: bombs.document(body_part=bombs.body([b"<w:p>"])), "标签不匹配"),
    "docx 未定义的实体": (
        "报道.docx",
        lambda: bombs.document(body_part=bombs.body([b"<w:p><w:r><w:t>&nbsp;</w:t></w:r></w:p>"])),
        "未定义的实体",
    ),
    "UTF-16 无 BOM": ("报道.txt", lambda: "赣县区完成投资".encode("utf-16-le"), "UTF-8 或 GB18030"),
    "UTF-32": ("报道.txt", lambda: "赣县区完成投资".encode("utf-32"), "UTF-8 或 GB18030"),
    "二进制文件改名为 .txt": ("报道.txt", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "不是文本文件"),
    "含控制字符": ("报道.txt", lambda: "赣县区\x1b[31m完成投资".encode(), "不是文本文件"),
    "不成字的字节": ("报道.txt", lambda: b"\x81\x20\x81\x20", "UTF-8 或 GB18030"),
}


@pytest.mark.parametrize("name", list(BAD_TEXTS))
def test_a_bad_text_file_is_a_form_error_of_text_entry(staff_client, ganxian, name):
    file_name, build, reason = BAD_TEXTS[name]

    response = _extract(staff_client, file_name, build())

    assert response.status_code == 200
    errors = response.context["form"].errors["upload"]
    assert any(reason in error for error in errors), errors
    assert not SourceDocument.objects.exists()


@pytest.mark.parametrize(
    "encoded",
    [
        "赣县区1-5月完成投资52.3亿元。".encode(),
        b"\xef\xbb\xbf" + "赣县区1-5月完成投资52.3亿元。".encode(),
        "赣县区1-5月完成投资52.3亿元。".encode("utf-16"),  # with its BOM, little-endian
        b"\xfe\xff" + "赣县区1-5月完成投资52.3亿元。".encode("utf-16-be"),
        "赣县区1-5月完成投资52.3亿元。".encode("gb18030"),
    ],
)
def test_text_files_in_the_expected_encodings_are_read(encoded):
    assert (
        text_of_upload(name="报道.txt", content=encoded).lstrip("\ufeff") == "赣县区1-5月完成投资52.3亿元。"
    )


# ---------------------------------------------------------------------------------------------
# Each limit on its own (small limits, small files)


def _refusal(inspect, content: bytes, **limits) -> PackageRefused:
    defaults = WORKBOOK_LIMITS if inspect is inspect_workbook else DOCUMENT_LIMITS
    with pytest.raises(PackageRefused) as refused:
        inspect(content, replace(defaults, **limits))
    return refused.value


def test_the_control_files_pass_every_limit():
    inspect_workbook(bombs.workbook())
    inspect_document(bombs.document())


def test_each_limit_refuses_what_passes_it():
    workbook = bombs.workbook()
    row = '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="C2"><v>3</v></c></row>'
    cases = [
        (inspect_workbook, workbook, {"parts": 5}, "部件数超过5"),
        (inspect_workbook, workbook, {"unpacked_bytes": 1000}, "解压后的大小(字节)超过1,000"),
        (inspect_workbook, workbook, {"part_bytes": 100}, "[Content_Types].xml 解压后的大小(字节)超过100"),
        (inspect_workbook, workbook, {"part_elements": 2}, "[Content_Types].xml 的元素数超过2"),
        (inspect_workbook, workbook, {"depth": 3}, "嵌套层数超过3"),
        (
            inspect_workbook,
            bombs.workbook(sheet_part=bombs.sheet(row)),
            {"row_elements": 5},
            "一行中的元素数",
        ),
        (inspect_workbook, workbook, {"sheet_rows": 1}, "一个工作表的行数超过1"),
        (inspect_workbook, workbook, {"sheet_characters": 5}, "一个工作表的字数超过5"),
        (inspect_workbook, workbook, {"sheet_elements_outside_rows": 1}, "单元格以外的元素数"),
        (inspect_workbook, workbook, {"shared_strings": 0}, "共享字符串数超过0"),
        (inspect_workbook, workbook, {"shared_string_elements": 1}, "sharedStrings.xml 的元素数超过1"),
        (inspect_workbook, workbook, {"shared_strings_bytes": 10}, "sharedStrings.xml 解压后的大小"),
        (inspect_document, bombs.document(), {"paragraphs": 1}, "段落数超过1"),
        (inspect_document, bombs.document(), {"characters": 10}, "字数超过10"),
        (inspect_document, bombs.document(), {"body_elements": 3}, "word/document.xml 的元素数超过3"),
        (inspect_document, bombs.document(), {"body_bytes": 10}, "word/document.xml 解压后的大小"),
    ]
    for inspect, content, limits, reason in cases:
        refused = _refusal(inspect, content, **limits)
        assert reason in refused.message, (limits, refused.message)
        assert refused.message_en and refused.code


def test_a_row_wider_than_excel_is_refused():
    cells = "".join(f"<c><v>{n % 10}</v></c>" for n in range(16_385))
    refused = _refusal(inspect_workbook, bombs.workbook(sheet_part=_cell_sheet(cells)))
    assert "一行中的单元格数超过16,384" in refused.message


def test_one_huge_tag_is_refused_before_it_ends():
    attribute = secrets.token_hex(1024 * 1024)  # 2 MB that deflate cannot pack away
    refused = _refusal(
        inspect_workbook, bombs.workbook(sheet_part=_cell_sheet(f'<c r="A2" s="{attribute}"/>'))
    )
    assert "一个标签的字节数超过1,048,576" in refused.message


def test_a_zip_of_two_parts_of_one_name_or_of_another_compression_is_damaged():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it is told to write
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(bombs.workbook())) as source, zipfile.ZipFile(out, "w") as target:
            for member in source.infolist():
                target.writestr(member, source.read(member))
            target.writestr("xl/workbook.xml", "<workbook/>")
    assert _refusal(inspect_workbook, out.getvalue()).code == "damaged"

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bombs.workbook())) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            target.writestr(member.filename, source.read(member), compress_type=zipfile.ZIP_BZIP2)
    assert _refusal(inspect_workbook, out.getvalue()).code == "damaged"


def test_a_part_that_looks_like_xml_is_parsed_whatever_its_name_and_one_named_xml_whatever_it_holds():
    laughs = bombs.billion_laughs("sst", M)
    named_as_picture = bombs.workbook(extra={"xl/media/image1.png": laughs})
    assert _refusal(inspect_workbook, named_as_picture).code == "dtd"
    utf16 = bombs.workbook(extra={"xl/media/image1.png": laughs.decode().encode("utf-16-be")})
    assert _refusal(inspect_workbook, utf16).code == "dtd"
    utf32 = bombs.workbook(extra={"xl/custom.bin": laughs.decode().encode("utf-32")})  # with its BOM
    assert _refusal(inspect_workbook, utf32).code == "malformed"
    binary_named_xml = bombs.workbook(extra={"xl/styles.xml": b"\x89PNG\r\n\x1a\n" + bytes(100)})
    assert _refusal(inspect_workbook, binary_named_xml).code == "malformed"
    inspect_workbook(bombs.workbook(extra={"xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(100)}))


def test_a_part_that_unpacks_to_more_than_it_declares_is_damaged():
    """zipfile stops at the declared size; the CRC then does not match."""
    content = bombs.lying_sizes(bombs.workbook(strings=_distinct_strings(1000)), "xl/sharedStrings.xml", 50)
    assert _refusal(inspect_workbook, content).code == "damaged"


def test_a_declared_size_past_the_limit_is_refused_before_anything_is_unpacked():
    content = bombs.lying_sizes(bombs.workbook(), "xl/sharedStrings.xml", 300 * 1024 * 1024)
    assert "解压后的大小(字节)超过268,435,456" in _refusal(inspect_workbook, content).message


# ---------------------------------------------------------------------------------------------
# The second guard: openpyxl parses with defusedxml


def test_openpyxl_reads_through_defusedxml_and_refuses_entities_on_its_own():
    """Behind projects.ooxml: openpyxl given a sheet with entities (and no inspection) refuses them
    through defusedxml. Without defusedxml it would be expat's own error, or the expansion."""
    assert openpyxl.DEFUSEDXML is True
    content = bombs.workbook(sheet_part=[bombs.billion_laughs("worksheet", M)])
    with pytest.raises(ValueError) as raised:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        list(book.worksheets[0].iter_rows())
    assert isinstance(raised.value, DefusedXmlException) or isinstance(
        raised.value.__context__, DefusedXmlException
    )


def test_a_docx_that_python_docx_cannot_read_is_a_validation_error():
    """Well-formed, within every limit, and still no document python-docx can open."""
    content = bombs.package({"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"})
    with pytest.raises(ValidationError, match=r"文件已损坏或不是 \.docx 格式"):
        text_of_upload(name="报道.docx", content=content)
