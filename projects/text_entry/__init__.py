"""Entry from text: a pasted or uploaded text becomes a source document holding the facts the
extractor reads in it (projects.extraction), each waiting for review. Staff accept (with
corrections) or reject each fact; an accepted fact becomes an indicator value, a project or a
milestone cited to the sentence it stands in. Nothing is recorded until staff accept.

- `document_extract` stores the text and its candidate facts;
- `fact_draft` says what accepting a fact records unless corrected, read from the extractor's
  reading and looked up in the catalogue (the review page shows it, `fact_accept` uses it);
- `fact_accept`, `fact_reject`, `fact_reopen` review one fact, each in one transaction.

Who may do it is decided by projects.access: a document of a zone is that zone's data, and an
accepted fact is a change of the record it becomes (zone edit rights, then the rules of
projects.rules through full_clean).
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from hashlib import sha256
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import access, rules
from .extraction import (
    FIGURE_KINDS,
    MAX_TEXT_LENGTH,
    CandidateKind,
    Lexicon,
    Measure,
    TooManyCandidates,
    extract,
)
from .models import (
    Citation,
    Enterprise,
    ExtractedFact,
    FactStatus,
    IndicatorValue,
    Metric,
    Milestone,
    MilestoneKind,
    Project,
    SourceDocument,
    Stage,
    ValueKind,
    Zone,
    ZoneAlias,
)
from .money import AmountScale, Currency, ParsedAmount, plain, qualify
from .ooxml import DocumentLimits, PackageRefused, inspect_document
from .periods import DatePrecision, Period, PeriodParseError, format_date, format_period
from .rules import RULES
from .security import CONTROL_CHARACTERS

MAX_UPLOAD = 2 * 1024 * 1024  # a long report as .docx is well under this
# A document's body may hold no more characters than the extractor reads.
DOCUMENT_LIMITS = DocumentLimits(characters=MAX_TEXT_LENGTH)
FIGURES = frozenset(str(kind) for kind in FIGURE_KINDS)
RECORDED_MEASURES = {Measure.LEVEL: "数值", Measure.GROWTH: "增速", Measure.SHARE: "占比"}
MILESTONE_VALUE_KINDS = {"actual": "实际", "plan": "计划"}

# What a reviewer may correct, per kind of fact, with the labels of the review page.
FIGURE_FIELDS = {
    "zone": "区域",
    "metric": "指标",
    "period": "时段",
    "value_kind": "数值类型",
    "value": "数值",
    "measure": "性质",
}
PROJECT_FIELDS = {"name": "名称", "zone": "区域", "investment": "总投资", "capacity": "产能", "stage": "阶段"}
MILESTONE_FIELDS = {"project": "项目", "event": "节点", "date": "日期", "value_kind": "计划/实际"}


def fields_of(kind: str) -> dict[str, str]:
    """The correctable fields (name → label) of a fact of `kind`; empty for periods and dates."""
    if kind in FIGURES:
        return FIGURE_FIELDS
    return {CandidateKind.PROJECT: PROJECT_FIELDS, CandidateKind.MILESTONE: MILESTONE_FIELDS}.get(kind, {})


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
        raise ValidationError("文件超过2MB,请分成几个文件录入", code="too_large")
    if suffix == "txt":
        return _decoded(content)
    if suffix == "docx":
        return _docx_text(content)
    raise ValidationError(
        "只能上传 .txt 文本文件或 .docx Word 文档(旧版 .doc 请另存为 .docx)", code="file_type"
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
        "无法读取该文本文件:请保存为 UTF-8 或 GB18030 编码的 .txt 文件(带 BOM 的 UTF-16 也可以);"
        "该文件不是这些编码的文本,或不是文本文件",
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
        raise ValidationError(f"无法读取该 Word 文档:{refused.message}", code=refused.code) from None
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
            "无法读取该 Word 文档:文件已损坏或不是 .docx 格式,请在 Word 或 WPS 中另存为 .docx 后再上传",
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
        raise ValidationError("正文为空,请粘贴文字或上传文件", code="empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            f"正文共{len(text)}字,超过{MAX_TEXT_LENGTH}字的上限,请分成几篇录入", code="too_long"
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
        raise ValidationError(error.zh, code="too_many_candidates") from error
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


# ---------------------------------------------------------------------------------------------
# Drafts: what accepting a fact records unless corrected


def _decimal(text: object) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def amount_scale(multiplier: int | None) -> int:
    """The AmountScale (元, 万元, 亿元) nearest to a written unit's multiplier: 万亿 → 亿元,
    千元 → 万元; a tie goes to the smaller unit."""
    exponent = math.log10(multiplier) if multiplier and multiplier > 0 else 0
    return min(AmountScale.values, key=lambda scale: (abs(math.log10(scale) - exponent), scale))


def _amount(
    value: Decimal | None, multiplier: int | None, currency: str, qualifier: str
) -> ParsedAmount | None:
    """An amount of the reading in base units at its nearest scale; None without a value or in a
    currency the tracker does not keep (the reviewer converts it and types it in)."""
    if value is None or (currency and currency not in Currency.values):
        return None
    return ParsedAmount(
        value=value * (multiplier or 1),
        scale=amount_scale(multiplier),
        currency=currency or Currency.CNY,
        qualifier=qualifier or "",
    )


class Lookups:
    """What the drafts of a document's facts are looked up in, loaded once for all of them: the
    metric catalogue, the zones their subjects name, and the projects their milestones name —
    with a `user`, among the zones and projects they may read (another zone's is "not on
    record" to them, as one that does not exist)."""

    def __init__(self, document: SourceDocument, facts: Iterable[ExtractedFact], user=None) -> None:
        readings = [fact.reading for fact in facts]
        self.document = document
        self.user = user
        self.metrics = {metric.code: metric for metric in Metric.objects.order_by("name")}
        subjects = {r.get("subject") for r in readings if r.get("subject_kind") == "zone"} - {None, ""}
        self.zones = self._zones_named(subjects)
        names = {r.get("name") for r in readings if r.get("kind") == CandidateKind.MILESTONE} - {None, ""}
        self.projects = self._projects_named(names)

    def _rows(self, model: type[Model]) -> QuerySet:
        rows = model._default_manager.all()
        return rows if self.user is None else rows.restrict(self.user)

    def _zones_named(self, names: set[str]) -> dict[str, Zone]:
        if not names:
            return {}
        found = (
            self._rows(Zone)
            .filter(Q(name__in=names) | Q(full_name__in=names) | Q(aliases__alias__in=names))
            .distinct()
            .prefetch_related("aliases")
        )
        by_name = {}
        for zone in found:
            for surface in (zone.name, zone.full_name, *(alias.alias for alias in zone.aliases.all())):
                if surface in names:
                    by_name[surface] = zone
        return by_name

    def _projects_named(self, names: set[str]) -> dict[str, Project]:
        """A milestone's project: the one accepted from this document under the name the text
        gives (even if its name was corrected), else the project of that name in the document's
        zone (without a zone: a project of that name without a zone)."""
        if not names:
            return {}
        found: dict[str, Project] = {}
        accepted = (
            ExtractedFact.objects.filter(
                document=self.document, kind=CandidateKind.PROJECT, status=FactStatus.ACCEPTED
            )
            .exclude(project=None)
            .select_related("project__zone")
            .order_by("reviewed_at", "pk")
        )
        for fact in accepted:
            if fact.reading.get("name") in names:
                found.setdefault(fact.reading["name"], fact.project)
        rest = names - found.keys()
        if rest:
            zone_id = self.document.zone_id
            in_zone = Q(zone_id=zone_id) if zone_id else Q(zone__isnull=True)
            for project in self._rows(Project).filter(in_zone, name__in=rest).select_related("zone"):
                found[project.name] = project
        return found

    def subject_zone(self, reading: dict[str, Any]) -> tuple[Zone | None, str]:
        """The zone a fact is about: the zone its subject names, or, when the text names none,
        the document's. A subject that is no zone on record gives none, and says so."""
        subject = reading.get("subject") or ""
        if reading.get("subject_kind") == "zone" and subject:
            zone = self.zones.get(subject)
            if zone is None:
                return None, f"文中主体“{subject}”不是已登记的区域,请选择区域"
            return zone, ""
        return self.document.zone, ""


@dataclass
class Draft:
    """What accepting a fact records unless corrected: a value per field of `fields_of(kind)`
    (None when the text does not give it), what the text said where the catalogue has nothing
    (`said`), why a required value is missing (`missing`), and values not offered for
    correction (`fixed`: a range's upper end, a qualifier)."""

    kind: str
    values: dict[str, Any]
    said: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)


def _period(reading: dict[str, Any], document: SourceDocument) -> Period | None:
    ref = reading.get("period")
    if not ref:
        return None
    year = ref.get("year") or document.subject_year
    if year is None or not ref.get("end_month"):
        return None
    try:
        return Period(year, ref.get("start_month"), ref["end_month"])
    except PeriodParseError:
        return None


def _figure_draft(fact: ExtractedFact, lookups: Lookups) -> Draft:
    r = fact.reading
    zone, zone_problem = lookups.subject_zone(r)
    metric = lookups.metrics.get(r.get("metric_code") or "")
    measure = r.get("measure") or Measure.LEVEL
    number, upper = _decimal(r.get("value")), _decimal(r.get("value_upper"))
    if measure == Measure.DECLINE and number is not None:  # 下降3.2% is a growth of -3.2%
        measure, number = Measure.GROWTH, -number
    draft = Draft(fact.kind, {}, fixed={"qualifier": r.get("qualifier") or ""})
    if measure == Measure.LEVEL and fact.kind == CandidateKind.AMOUNT:
        value = _amount(number, r.get("scale"), r.get("currency"), r.get("qualifier"))
        upper_value = _amount(upper, r.get("scale"), r.get("currency"), "")
        draft.fixed["value_upper"] = upper_value.value if upper_value else None
    elif fact.kind == CandidateKind.COUNT and number is not None:  # 1.2万家 is 12000
        value = plain(number * (r.get("scale") or 1))
        draft.fixed["value_upper"] = plain(upper * (r.get("scale") or 1)) if upper is not None else None
    else:
        value = number
        draft.fixed["value_upper"] = upper
    value_kind = r.get("value_kind") if r.get("value_kind") in ValueKind.values else ValueKind.ACTUAL
    draft.values = {
        "zone": zone,
        "metric": metric,
        "period": _period(r, fact.document),
        "value_kind": value_kind,
        "value": value,
        "measure": measure if measure in RECORDED_MEASURES else "",
    }
    if zone_problem:
        draft.missing["zone"] = zone_problem
    if metric is None:
        said = r.get("metric") or ""
        draft.said["metric"] = said
        draft.missing["metric"] = (
            f"文中指标为“{said}”,指标目录中没有对应的指标,请选择" if said else "未识别出指标,请选择"
        )
    if draft.values["period"] is None:
        draft.missing["period"] = "未识别出时段(或缺少年份),请填写,如2022年1-5月"
    if draft.values["measure"] == "":
        draft.said["measure"] = Measure(measure).label if measure in Measure.values else measure
        draft.missing["measure"] = "文中为增减量,不能记为指标数值;请选择性质(数值、增速、占比)或驳回"
    if value is None:
        currency = r.get("currency") or ""
        draft.missing["value"] = (
            f"台账只记人民币和美元,请将{currency}金额换算后填写"
            if currency and currency not in Currency.values
            else "未识别出数值,请填写"
        )
    return draft


def _project_draft(fact: ExtractedFact, lookups: Lookups) -> Draft:
    r = fact.reading
    zone, zone_problem = lookups.subject_zone(r)
    investment = r.get("investment") or {}
    draft = Draft(
        fact.kind,
        {
            "name": r.get("name") or fact.quote,
            "zone": zone,
            "investment": _amount(
                _decimal(investment.get("value")),
                investment.get("scale"),
                investment.get("currency") or "",
                investment.get("qualifier") or "",
            ),
            "capacity": r.get("capacity") or "",
            "stage": r.get("stage") if r.get("stage") in Stage.values else "",
        },
    )
    if zone_problem:
        draft.missing["zone"] = zone_problem
    return draft


def _milestone_draft(fact: ExtractedFact, lookups: Lookups) -> Draft:
    r = fact.reading
    name = r.get("name") or ""
    day = None
    if (ref := r.get("date")) and ref.get("date") and ref.get("precision") in DatePrecision.values:
        day = (date.fromisoformat(ref["date"]), ref["precision"])
    draft = Draft(
        fact.kind,
        {
            "project": lookups.projects.get(name),
            "event": r.get("event") if r.get("event") in MilestoneKind.values else MilestoneKind.OTHER,
            "date": day,
            "value_kind": "actual" if r.get("value_kind") == ValueKind.ACTUAL else "plan",
        },
        said={"project": name},
    )
    if draft.values["project"] is None:
        draft.missing["project"] = (
            f"项目“{name}”尚未登记:请先采纳或选择项目" if name else "请先采纳或选择项目"
        )
    if day is None:
        draft.missing["date"] = "未识别出日期,请填写日期,如3月18日"
    return draft


def fact_draft(fact: ExtractedFact, lookups: Lookups | None = None, *, user=None) -> Draft:
    """What accepting `fact` records unless corrected, as far as `user` may see. `lookups` (built
    once for all the facts of a page) saves the queries of looking each up."""
    lookups = lookups or Lookups(fact.document, [fact], user)
    if fact.kind in FIGURES:
        return _figure_draft(fact, lookups)
    if fact.kind == CandidateKind.PROJECT:
        return _project_draft(fact, lookups)
    if fact.kind == CandidateKind.MILESTONE:
        return _milestone_draft(fact, lookups)
    raise ValidationError("时段和日期只用于说明其他事实,不能单独采纳", code="not_recordable")


# ---------------------------------------------------------------------------------------------
# Words for people


def shown(name: str, value: Any) -> str:
    """A draft's value as the review page and the review note write it."""
    if value is None or value == "":
        return "空"
    if isinstance(value, Period):
        return str(value)
    if isinstance(value, ParsedAmount):
        return str(value)
    if isinstance(value, Decimal):
        return f"{plain(value):f}"
    if isinstance(value, tuple):
        return format_date(*value)
    labels: dict[str, dict[str, str]] = {
        "value_kind": {**dict(ValueKind.choices), **MILESTONE_VALUE_KINDS},
        "measure": dict(Measure.choices),
        "stage": dict(Stage.choices),
        "event": dict(MilestoneKind.choices),
    }
    return labels.get(name, {}).get(value, str(value))


def reading_words(reading: dict[str, Any]) -> str:
    """The extractor's reading in words: “157.56亿元 · 营业收入 · 2022年1-5月 · 实际”."""
    kind = reading.get("kind")
    parts: list[str] = []
    period = reading.get("period")
    period_text = ""
    if period:
        if period.get("year") and period.get("end_month"):
            period_text = format_period(period["year"], period.get("start_month"), period["end_month"])
        else:
            period_text = period.get("text") or ""
    day = reading.get("date") or {}
    day_text = ""
    if day.get("date") and day.get("precision") in DatePrecision.values:
        day_text = format_date(date.fromisoformat(day["date"]), day["precision"])
    if kind in FIGURES:
        value = reading.get("value") or ""
        if reading.get("value_upper"):
            value = f"{value}-{reading['value_upper']}"
        parts.append(qualify(value, reading.get("unit") or "", reading.get("qualifier") or ""))
        parts.append(reading.get("metric") or "指标未识别")
        if reading.get("measure") and reading["measure"] != Measure.LEVEL:
            parts.append(shown("measure", reading["measure"]))
        parts.append(period_text or "时段未识别")
        parts.append(shown("value_kind", reading.get("value_kind") or ValueKind.ACTUAL))
        if reading.get("subject"):
            parts.append(f"主体:{reading['subject']}")
    elif kind == CandidateKind.PROJECT:
        parts.append(f"项目:{reading.get('name') or reading.get('quote')}")
        if investment := reading.get("investment"):
            amount = qualify(
                investment.get("value") or "", investment.get("unit") or "", investment.get("qualifier") or ""
            )
            parts.append(f"总投资{amount}")
        if reading.get("capacity"):
            parts.append(reading["capacity"])
        if reading.get("stage"):
            parts.append(shown("stage", reading["stage"]))
    elif kind == CandidateKind.MILESTONE:
        parts.append(reading.get("name") or "项目未识别")
        parts.append(shown("event", reading.get("event") or ""))
        parts.append(day_text or "日期未识别")
        parts.append("实际" if reading.get("value_kind") == ValueKind.ACTUAL else "计划")
    elif kind == CandidateKind.PERIOD:
        parts.append(f"时段:{period_text or reading.get('quote')}")
    elif kind == CandidateKind.DATE:
        parts.append(f"日期:{day_text or reading.get('quote')}")
    return " · ".join(part for part in parts if part)


# ---------------------------------------------------------------------------------------------
# Reviewing


def _label(model: type[Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _readable_errors(error: ValidationError, model: type[Model]) -> ValidationError:
    """The errors of full_clean as one list of Chinese sentences: a rule's with its id (as the
    admin forms show them), a field's with the field's name. Codes are kept (warnings_only)."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    found = []
    for name, errors in by_field.items():
        for item in errors:
            text = " ".join(item)
            rule = RULES.get(item.code or "")
            if rule is not None:
                text = f"[{rule.id}] {'' if rule.is_error else '警告:'}{text}"
            elif name != NON_FIELD_ERRORS:
                text = f"{_label(model, name)}:{text}"
            found.append(ValidationError(text, code=item.code))
    return ValidationError(found)


def warnings_only(error: ValidationError) -> bool:
    """All of the refusal is warnings of the rules: accepting with confirm_warnings=True passes."""
    items = (
        error.error_list
        if not hasattr(error, "error_dict")
        else [e for es in error.error_dict.values() for e in es]
    )
    return bool(items) and all(
        (rule := RULES.get(item.code or "")) is not None and not rule.is_error for item in items
    )


class _Recording:
    """Saves the records of one acceptance: the zone check, the rules, the history's reason."""

    def __init__(self, fact: ExtractedFact, user, confirm_warnings: bool) -> None:
        self.fact = fact
        self.user = user
        self.confirm_warnings = confirm_warnings
        self.notes: list[str] = []

    def save(self, record: Model, *, before: set[int | None] | None = None) -> Model:
        access.check_can_edit(self.user, record, before=before)
        record._change_reason = f"据来源文档{self.fact.document.key}采纳"
        record._history_user = self.user
        try:
            with rules.enforced(record, confirmed=self.confirm_warnings):
                record.full_clean()
        except ValidationError as error:
            raise _readable_errors(error, type(record)) from None
        record.save()
        return record

    def link(self, record: Model) -> Model:
        """An existing record the fact states again: only its citations change."""
        access.check_can_edit(self.user, record, before=access.zones_of(record))
        return record


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _record_figure(values: dict[str, Any], draft: Draft, recording: _Recording) -> IndicatorValue:
    for name in ("zone", "metric", "period", "measure", "value"):
        if values[name] in (None, ""):
            raise _refuse(draft.missing.get(name) or f"请填写{FIGURE_FIELDS[name]}", f"{name}_missing")
    zone, metric, period, measure, value = (
        values[n] for n in ("zone", "metric", "period", "measure", "value")
    )
    figure = IndicatorValue(
        zone=zone,
        metric=metric,
        year=period.year,
        start_month=period.start_month,
        end_month=period.end_month,
        kind=values["value_kind"],
    )
    if measure == Measure.LEVEL:
        if isinstance(value, ParsedAmount):
            figure.value, figure.scale, figure.currency = value.value, value.scale, value.currency
            figure.qualifier = value.qualifier
        else:
            figure.value, figure.qualifier = value, draft.fixed.get("qualifier", "")
        if value == draft.values["value"]:  # a corrected value drops the range the text gave
            figure.value_upper = draft.fixed.get("value_upper")
        stated = ("value", "value_upper", "scale", "currency", "qualifier")
        compared = ("value", "value_upper", "currency")
    elif isinstance(value, ParsedAmount):
        raise _refuse("增速、占比须填百分数,如12.5", "not_a_percent")
    elif measure == Measure.GROWTH:
        figure.yoy_growth, stated, compared = value, ("yoy_growth",), ("yoy_growth",)
    else:
        figure.share, stated, compared = value, ("share",), ("share",)
    existing = (
        IndicatorValue.objects.current()
        .filter(zone=zone, metric=metric, year=period.year, end_month=period.end_month, kind=figure.kind)
        .filter(Q(start_month=period.start_month) if period.start_month else Q(start_month__isnull=True))
        .select_related("zone", "metric")
        .order_by("pk")
        .first()
    )
    if existing is None:
        return recording.save(figure)
    if getattr(existing, compared[0]) is None:  # the same figure's other half: 增速 beside 数值
        before = access.zones_of(existing)
        for name in stated:
            setattr(existing, name, getattr(figure, name))
        return recording.save(existing, before=before)
    if all(getattr(existing, name) == getattr(figure, name) for name in compared):
        return recording.link(existing)
    raise _refuse(
        f"已登记{existing.zone}{existing.period_display}{metric}{existing.get_kind_display()}值"
        f"{_stated(existing, compared[0])},与本条({_stated(figure, compared[0])})不同;"
        "不覆盖已登记的数值,请核对后在“指标数值”中更正,或驳回本条",
        "conflict",
    )


def _stated(figure: IndicatorValue, name: str) -> str:
    """A figure's value, growth or share as the conflict message writes it."""
    if name == "yoy_growth":
        return f"同比增长{shown(name, figure.yoy_growth)}%"
    if name == "share":
        return f"占比{shown(name, figure.share)}%"
    return figure.value_display


def _record_project(values: dict[str, Any], draft: Draft, recording: _Recording) -> Project:
    name = (values["name"] or "").strip()
    if not name:
        raise _refuse("请填写项目名称", "name_missing")
    zone, investment = values["zone"], values["investment"]
    project = Project.objects.filter(Q(zone=zone) if zone else Q(zone__isnull=True), name=name).first()
    if project is None:
        project = Project(
            zone=zone, name=name, capacity=values["capacity"] or "", stage=values["stage"] or ""
        )
        if investment is not None:
            project.total_investment, project.total_investment_scale = investment.value, investment.scale
            project.currency, project.total_investment_qualifier = investment.currency, investment.qualifier
        return recording.save(project)
    before, filled = access.zones_of(project), False
    if investment is not None:
        if project.total_investment is None:
            project.total_investment, project.total_investment_scale = investment.value, investment.scale
            project.currency, project.total_investment_qualifier = investment.currency, investment.qualifier
            filled = True
        elif (project.total_investment, project.currency) != (investment.value, investment.currency):
            recording.notes.append(f"总投资未覆盖(已登记{project.total_investment_display},本条{investment})")
    for name_, label in (("capacity", "产能"), ("stage", "阶段")):
        given = values[name_] or ""
        if given and not getattr(project, name_):
            setattr(project, name_, given)
            filled = True
        elif given and getattr(project, name_) != given:
            kept = shown(name_, getattr(project, name_))
            recording.notes.append(f"{label}未覆盖(已登记{kept},本条{shown(name_, given)})")
    return recording.save(project, before=before) if filled else recording.link(project)


def _record_milestone(values: dict[str, Any], draft: Draft, recording: _Recording) -> Milestone:
    for name in ("project", "date"):
        if values[name] is None:
            raise _refuse(draft.missing.get(name) or f"请填写{MILESTONE_FIELDS[name]}", f"{name}_missing")
    project, event, (day, precision) = values["project"], values["event"], values["date"]
    date_field, precision_field = (
        ("actual_date", "actual_precision")
        if values["value_kind"] == "actual"
        else ("planned_date", "planned_precision")
    )
    milestone = (
        Milestone.objects.filter(project=project, kind=event, phase="").select_related("project").first()
    )
    if milestone is None:
        milestone = Milestone(project=project, kind=event, **{date_field: day, precision_field: precision})
        return recording.save(milestone)
    stored = getattr(milestone, date_field), getattr(milestone, precision_field)
    if stored[0] is None:
        setattr(milestone, date_field, day)
        setattr(milestone, precision_field, precision)
        return recording.save(milestone, before=access.zones_of(milestone))
    if stored == (day, precision):
        return recording.link(milestone)
    which = "实际" if date_field == "actual_date" else "计划"
    raise _refuse(
        f"{milestone}已登记{which}日期{format_date(*stored)},与本条({format_date(day, precision)})不同;"
        "不覆盖已登记的日期,请核对后在项目节点中修改,或驳回本条",
        "conflict",
    )


RECORDERS = {CandidateKind.PROJECT: _record_project, CandidateKind.MILESTONE: _record_milestone}
RECORD_FIELDS = {Project: "project", Milestone: "milestone", IndicatorValue: "indicator_value"}


def _corrected(draft: Draft, corrections: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The draft's values with the corrections, and a note per field that changed:
    “指标: 营业收入 → 工业营收”."""
    labels = fields_of(draft.kind)
    unknown = set(corrections) - set(labels)
    if unknown:
        raise ValueError(f"unknown corrections for a {draft.kind} fact: {sorted(unknown)}")
    values, notes = dict(draft.values), []
    for name, value in corrections.items():
        if value == draft.values[name]:
            continue
        said = shown(name, draft.values[name])
        if draft.values[name] in (None, "") and draft.said.get(name):
            said = draft.said[name]
        notes.append(f"{labels[name]}: {said} → {shown(name, value)}")
        values[name] = value
    return values, notes


def _citation(fact: ExtractedFact) -> Citation:
    """The fact's sentence as a citation of its document (the same span is one citation)."""
    document = fact.document
    citation, _ = Citation.objects.get_or_create(
        document=document,
        start=fact.sentence_start,
        end=fact.sentence_end,
        defaults={"quote": document.text[fact.sentence_start : fact.sentence_end]},
    )
    return citation


def _locked_fact(fact: ExtractedFact, user) -> ExtractedFact:
    """The fact as stored, locked until the transaction ends (two reviewers, one decision)."""
    locked = (
        ExtractedFact.objects.select_for_update(of=("self",)).select_related("document__zone").get(pk=fact.pk)
    )
    access.check_can_edit(user, locked)
    return locked


def _status_refusal(fact: ExtractedFact, action: str) -> ValidationError:
    reviewed = f"({fact.reviewed_by})" if fact.reviewed_by_id else ""
    return _refuse(f"该事实{fact.get_status_display()}{reviewed},不能再{action}", "already_reviewed")


def fact_accept(
    *,
    fact: ExtractedFact,
    user,
    corrections: dict[str, Any] | None = None,
    confirm_warnings: bool = False,
) -> Model:
    """Turn a pending fact into a record, cited to the fact's sentence, in one transaction:

    - a figure → an IndicatorValue of its zone, metric, period and kind (value in base units,
      growth as yoy_growth, share as share). Where the current value for the same zone, metric,
      period and kind states the same figure, the fact is linked to it; where it lacks this
      half (the growth rate beside an amount), that half is filled in; a different figure is
      refused, never overwritten;
    - a project → the project of that name in that zone, its empty fields filled, or a new one;
    - a milestone → its date on the project's milestone of that kind, planned or actual.

    `corrections` override the draft (fact_draft) by field of `fields_of(fact.kind)`: typed
    values (Zone, Metric, Project, Period, ParsedAmount for amounts, Decimal, (date, precision));
    the fields that differ are noted on the fact. Raises ValidationError (Chinese) when the fact
    is not pending or the record breaks a rule (warnings pass with confirm_warnings=True), and
    PermissionDenied without edit rights on the record; then nothing is written.
    """
    with transaction.atomic():
        stored = _locked_fact(fact, user)
        if stored.status != FactStatus.PENDING:
            raise _status_refusal(stored, "采纳")
        document = stored.document
        if document.text[stored.start : stored.end] != stored.quote:
            raise _refuse("来源文档的全文已被修改,本条的位置已失效;请重新从文本提取", "text_changed")
        draft = fact_draft(stored, user=user)
        values, notes = _corrected(draft, corrections or {})
        recording = _Recording(stored, user, confirm_warnings)
        if stored.kind in FIGURES:
            record = _record_figure(values, draft, recording)
        else:
            record = RECORDERS[stored.kind](values, draft, recording)
        record.citations.add(_citation(stored))
        stored.status = FactStatus.ACCEPTED
        setattr(stored, RECORD_FIELDS[type(record)], record)
        stored.note = ";".join([*notes, *recording.notes])
        stored.reviewed_by, stored.reviewed_at = user, timezone.now()
        stored.save()
    fact.refresh_from_db()
    return record


def fact_reject(*, fact: ExtractedFact, user, reason: str = "") -> ExtractedFact:
    """Set a pending fact aside: nothing is recorded; the reason is kept on it."""
    with transaction.atomic():
        stored = _locked_fact(fact, user)
        if stored.status != FactStatus.PENDING:
            raise _status_refusal(stored, "驳回")
        stored.status, stored.note = FactStatus.REJECTED, reason.strip()
        stored.reviewed_by, stored.reviewed_at = user, timezone.now()
        stored.save()
    fact.refresh_from_db()
    return fact


def fact_reopen(*, fact: ExtractedFact, user) -> ExtractedFact:
    """A rejected fact back to pending. An accepted one cannot be: its record exists, and is
    corrected or deleted where it is kept."""
    with transaction.atomic():
        stored = _locked_fact(fact, user)
        if stored.status == FactStatus.ACCEPTED:
            record = stored.project or stored.milestone or stored.indicator_value
            raise _refuse(
                f"该事实已采纳,已据此登记“{record}”,不能重新审核;如有错误,请修改或删除该记录",
                "accepted",
            )
        if stored.status == FactStatus.REJECTED:
            stored.status, stored.note = FactStatus.PENDING, ""
            stored.reviewed_by, stored.reviewed_at = None, None
            stored.save()
    fact.refresh_from_db()
    return fact
