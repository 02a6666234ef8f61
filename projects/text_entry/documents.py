"""Source documents for entry from text: the text of a pasted or uploaded file (.txt, .docx),
the catalogue the extractor reads it against (lexicon_from_db), and document_extract, which
stores a document with its candidate facts (each waiting for review); the correctable fields of
each kind of fact.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from hashlib import sha256

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access
from ..extraction import (
    FIGURE_KINDS,
    MAX_TEXT_LENGTH,
    CandidateKind,
    Lexicon,
    Measure,
    TooManyCandidates,
    extract,
)
from ..i18n import Text
from ..models import (
    Enterprise,
    ExtractedFact,
    Metric,
    Project,
    SourceDocument,
    Zone,
    ZoneAlias,
)
from ..ooxml import DocumentLimits, PackageRefused, inspect_document
from ..security import CONTROL_CHARACTERS

MAX_UPLOAD = 2 * 1024 * 1024  # a long report as .docx is well under this
# A document's body may hold no more characters than the extractor reads.
DOCUMENT_LIMITS = DocumentLimits(characters=MAX_TEXT_LENGTH)
FIGURES = frozenset(str(kind) for kind in FIGURE_KINDS)
RECORDED_MEASURES: dict[str, Text] = {
    Measure.LEVEL: _("数值"),
    Measure.GROWTH: _("增速"),
    Measure.SHARE: _("占比"),
}
MILESTONE_VALUE_KINDS: dict[str, Text] = {"actual": _("实际"), "plan": _("计划")}

# What a reviewer may correct, per kind of fact, with the labels of the review page.
FIGURE_FIELDS: dict[str, Text] = {
    "zone": _("区域"),
    "metric": _("指标"),
    "period": _("时段"),
    "value_kind": _("数值类型"),
    "value": _("数值"),
    "measure": _("性质"),
}
PROJECT_FIELDS: dict[str, Text] = {
    "name": _("名称"),
    "zone": _("区域"),
    "investment": _("总投资"),
    "capacity": _("产能"),
    "stage": _("阶段"),
}
MILESTONE_FIELDS: dict[str, Text] = {
    "project": _("项目"),
    "event": _("节点"),
    "date": _("日期"),
    "value_kind": _("计划/实际"),
}


def fields_of(kind: str) -> dict[str, Text]:
    """The correctable fields (name → label) of a fact of `kind`; empty for periods and dates."""
    if kind in FIGURES:
        return FIGURE_FIELDS
    if kind == CandidateKind.PROJECT:
        return PROJECT_FIELDS
    if kind == CandidateKind.MILESTONE:
        return MILESTONE_FIELDS
    return {}


# ---------------------------------------------------------------------------------------------
# The text


def normalise_text(text: str) -> str:
    """Line ends as \\n, no byte order mark, no control characters (nor the NUL PostgreSQL cannot
    store): the text stored is the text offsets point into."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    # Word's manual line and page breaks are line breaks; other control characters (which no
    # report or workbook could hold, nor PostgreSQL a NUL) are dropped.
    return CONTROL_CHARACTERS.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def text_of_upload(*, name: str, content: bytes) -> str:
    """The text of an uploaded file: .txt in UTF-8 (with or without BOM), UTF-16 with BOM or
    GB18030; .docx as its paragraphs, one a line. Anything else raises ValidationError."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if len(content) > MAX_UPLOAD:
        raise ValidationError(gettext("文件超过2MB,请分成几个文件录入"), code="too_large")
    if suffix == "txt":
        return _decoded(content)
    if suffix == "docx":
        return _docx_text(content)
    raise ValidationError(
        gettext("只能上传 .txt 文本文件或 .docx Word 文档(旧版 .doc 请另存为 .docx)"), code="file_type"
    )


# Control characters no text file of a report has (tab, line ends and form feed aside): a file
# that decodes into them is binary, or in another encoding that happened to decode.
BINARY = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r\f") | {"\x7f"}


def _decoded(content: bytes) -> str:
    """The text of a .txt file: UTF-16 when it starts with its BOM, else UTF-8 (BOM or not),
    else GB18030 (which includes GBK and GB2312). Big5, UTF-16 without BOM and binary files are
    refused, naming the encodings expected, rather than stored as mojibake."""
    if content.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encodings = []  # UTF-32: no editor staff use writes it
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if BINARY.isdisjoint(text):
            return text
    raise ValidationError(
        gettext(
            "无法读取该文本文件:请保存为 UTF-8 或 GB18030 编码的 .txt 文件(带 BOM 的 UTF-16 也可以);"
            "该文件不是这些编码的文本,或不是文本文件"
        ),
        code="encoding",
    )


def _docx_text(content: bytes) -> str:
    """The paragraphs of a .docx, one a line. projects.ooxml inspects the file first (a zip at
    all, its sizes, DTDs, well-formed XML, paragraphs and characters within what the extractor
    reads), so python-docx only ever builds the tree of a document of bounded size."""
    from docx import Document  # python-docx: loaded only when a Word file comes
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    try:
        inspect_document(content, DOCUMENT_LIMITS)
    except PackageRefused as refused:
        raise ValidationError(
            gettext("无法读取该 Word 文档:{reason}").format(reason=refused.message), code=refused.code
        ) from None
    try:
        document = Document(io.BytesIO(content))
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    # python-docx meets a part it does not expect with AttributeError as often as with its own errors.
    except (
        zipfile.BadZipFile,
        OpcError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        LxmlError,
        OSError,
    ):
        raise ValidationError(
            gettext(
                "无法读取该 Word 文档:文件已损坏或不是 .docx 格式,请在 Word 或 WPS 中另存为 .docx 后再上传"
            ),
            code="docx",
        ) from None


# ---------------------------------------------------------------------------------------------
# Extraction


def lexicon_from_db(user=None) -> Lexicon:
    """The extractor's vocabulary from the catalogue: metrics, zones under every name they go by,
    the projects and enterprises on record; with `user`, only the zones, projects and
    enterprises they may read (an alias must not name a zone they cannot see). Five queries,
    whatever their number (and the user's zones, once per request)."""
    zones_of_user = Zone.objects.order_by()
    projects = Project.objects.order_by()
    firms = Enterprise.objects.order_by()
    if user is not None:
        zones_of_user, projects, firms = (rows.restrict(user) for rows in (zones_of_user, projects, firms))
    zones = []
    for name, full_name in zones_of_user.values_list("name", "full_name"):
        zones.append((name, name))
        if full_name:
            zones.append((full_name, name))
    zones += ZoneAlias.objects.order_by().filter(zone__in=zones_of_user).values_list("alias", "zone__name")
    enterprises = []
    for name, short_name in firms.values_list("name", "short_name"):
        enterprises += [name, short_name] if short_name else [name]
    return Lexicon.build(
        metrics=Metric.objects.order_by().values_list("code", "name"),
        zones=zones,
        projects=projects.values_list("name", flat=True),
        enterprises=enterprises,
    )


def fact_counts() -> dict[str, Coalesce]:
    """Annotations of source documents for lists: `facts_total`, the recordable facts extracted
    from each, and `facts_pending`, those still waiting for review (subqueries: no join)."""

    def count(facts: QuerySet) -> Coalesce:
        counted = facts.filter(document=OuterRef("pk")).order_by().values("document")
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)

    recordable = ExtractedFact.objects.recordable()
    return {"facts_total": count(recordable), "facts_pending": count(recordable.pending())}


def _document_key(digest: str) -> str:
    key = f"text-{timezone.localdate():%Y%m%d}-{digest[:8]}"
    if SourceDocument.objects.filter(key=key).exists():  # another text of the day, same 8 digits
        key = f"text-{timezone.localdate():%Y%m%d}-{digest[:32]}"
    return key


def document_extract(
    *,
    title: str,
    text: str,
    user,
    zone: Zone | None = None,
    subject_year: int | None = None,
    publisher: str = "",
    published_on: date | None = None,
    published_precision: str = "",
    file_name: str = "",
) -> tuple[SourceDocument, bool]:
    """Store `text` as a source document with a fact waiting for review per candidate the
    extractor finds, all in one transaction. A text already stored for the same zone (same
    SHA-256 once normalised) is not stored again: returns (that document, False); else (the new
    one, True).

    Years the text leaves out are read as `subject_year`, or the year of publication. Raises
    ValidationError (Chinese) for an empty or too long text or one giving more candidates than
    the extractor returns at a time (nothing is stored then), PermissionDenied when the user may
    not add documents of `zone` (or, without a zone, has no editor role anywhere).
    """
    text = normalise_text(text)
    if not text.strip():
        raise ValidationError(gettext("正文为空,请粘贴文字或上传文件"), code="empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            gettext("正文共{length}字,超过{limit}字的上限,请分成几篇录入").format(
                length=len(text), limit=MAX_TEXT_LENGTH
            ),
            code="too_long",
        )
    digest = sha256(text.encode("utf-8")).hexdigest()
    # The same text entered for another zone is that zone's document: this zone gets its own (and
    # learns nothing of the other's).
    same = SourceDocument.objects.restrict(user).filter(sha256=digest, zone=zone).order_by("pk")
    if (existing := same.first()) is not None:
        return existing, False
    year = subject_year or (published_on.year if published_on else None)
    document = SourceDocument(
        key=_document_key(digest),
        title=title.strip(),
        text=text,
        sha256=digest,
        zone=zone,
        subject_year=year,
        publisher=publisher.strip(),
        published_on=published_on,
        published_precision=published_precision if published_on else "",
        file_path=file_name[:300],
        created_by=user,
        created_at=timezone.now(),
    )
    access.check_can_edit(user, document)
    document.full_clean()
    with transaction.atomic():
        document.save()
        _facts_create(document, user)
    return document, True


def document_facts_extract(*, document: SourceDocument, user) -> int:
    """Read `document` again (one entered before facts were extracted, such as a seed article, or
    one read before the catalogue knew its projects) and add the candidates not yet among its
    facts; facts already there, reviewed or not, stay as they are. Returns how many were added;
    ValidationError (and nothing added) when the text gives more candidates than the extractor
    returns at a time."""
    access.check_can_edit(user, document)
    with transaction.atomic():
        SourceDocument.objects.select_for_update().filter(pk=document.pk).first()
        return _facts_create(document, user)


def _facts_create(document: SourceDocument, user) -> int:
    """One fact waiting for review per candidate of the document's text that it does not have,
    read with the names `user` may see."""
    year = document.subject_year or (document.published_on.year if document.published_on else None)
    zone = document.zone.name if document.zone_id else ""
    try:
        candidates = extract(document.text, year=year, lexicon=lexicon_from_db(user), zone=zone)
    except TooManyCandidates as error:
        raise ValidationError(error.message, code="too_many_candidates") from error
    seen = set(document.extracted_facts.values_list("kind", "start", "end")) if document.pk else set()
    facts = []
    for candidate in candidates:
        span = (candidate.kind, candidate.start, candidate.end)
        if span in seen:
            continue
        seen.add(span)
        facts.append(
            ExtractedFact(
                document=document,
                kind=candidate.kind,
                quote=candidate.quote,
                start=candidate.start,
                end=candidate.end,
                sentence_start=candidate.sentence_start,
                sentence_end=candidate.sentence_end,
                reading=candidate.to_dict(),
            )
        )
    ExtractedFact.objects.bulk_create(facts)
    return len(facts)
