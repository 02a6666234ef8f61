"""从文本提取 in the admin: staff paste a text (or upload a .txt / .docx file), review the facts
the extractor found in it, correct and accept them into records or reject them.

Pages (under the source document admin, /admin/projects/sourcedocument/…):
- extract/        the form: title, zone, year, publisher, date, and the text or a file; the
                  text becomes a source document with its facts (text_entry.document_extract);
- <id>/review/    the whole text with every candidate marked, then the recordable facts grouped
                  by sentence, filtered by status and kind. A pending fact shows the reading in
                  words and its fields prefilled, to correct; 采纳 records it (text_entry.
                  fact_accept), 驳回 sets it aside with a reason; several at once with the check
                  boxes. A refused acceptance keeps what was typed and says why at its row.
And the read-only list of extracted facts (待审核事实).

Who sees and does what is projects.access's: a document of a zone is read by the zone's members
and reviewed by its editors; what an accepted fact records needs edit rights where it is recorded.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access
from ..extraction import CandidateKind, unread_numbers
from ..models import (
    ExtractedFact,
    FactStatus,
    Project,
    SourceDocument,
    Zone,
)
from ..text_entry import (
    Lookups,
    document_extract,
    document_facts_extract,
    fact_accept,
    fact_draft,
    fact_reject,
    fact_reopen,
    reading_words,
    warnings_only,
)
from .base import DEFAULT_REFUSAL, STATUS_COLOURS, ZoneRoleAdmin, refusing, status_badge
from .text_entry_forms import Choices, ExtractForm, FactForm

STATUS_FILTERS = {"pending": _("待审核"), "accepted": _("已采纳"), "rejected": _("已驳回"), "all": _("全部")}


def _context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "opts": SourceDocument._meta, **extra}


def record_url(record: Model) -> str:
    return reverse(f"admin:projects_{record._meta.model_name}_change", args=[record.pk])


def review_url(document: SourceDocument) -> str:
    return reverse("admin:projects_sourcedocument_review", args=[document.pk])


# ---------------------------------------------------------------------------------------------
# 从文本提取


@refusing
def extract_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if refusal := access.write_refusal(user, SourceDocument):
        raise PermissionDenied(refusal)
    form = ExtractForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        published = data.get("published") or (None, "")
        try:
            document, created = document_extract(
                title=data["title"],
                text=data["text"],
                user=user,
                zone=data.get("zone"),
                subject_year=data.get("subject_year"),
                publisher=data.get("publisher") or "",
                published_on=published[0],
                published_precision=published[1],
                file_name=data["file_name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                facts = list(document.extracted_facts.values_list("kind", flat=True))
                recordable = sum(kind not in (CandidateKind.PERIOD, CandidateKind.DATE) for kind in facts)
                messages.success(
                    request,
                    gettext("识别出{facts}条候选事实(另有{times}处时段、日期),请逐条审核").format(
                        facts=recordable, times=len(facts) - recordable
                    ),
                )
                return HttpResponseRedirect(review_url(document))
            messages.warning(
                request,
                gettext("相同的文本已经录入过(“{document}”),以下是它的审核页面").format(document=document),
            )
            return HttpResponseRedirect(review_url(document))
    return TemplateResponse(
        request, "admin/projects/text_entry/extract.html", _context(request, gettext("从文本提取"), form=form)
    )


# ---------------------------------------------------------------------------------------------
# The review page


def _marked(
    text: str,
    begin: int,
    end: int,
    facts: list[ExtractedFact],
    link: Callable[[ExtractedFact], str | None],
    words,
    unread: list[tuple[int, int]] = (),
) -> SafeString:
    """text[begin:end] with a <mark> per stretch covered by facts: the innermost fact's (kind,
    status, link to its row), titled with the readings of all that cover it; the `unread`
    numbers (no fact covers them, in order) greyed, so that a miss is seen.

    One sweep over the stretches, keeping the facts open at each: a text of 20,000 facts and
    numbers must not cost each stretch a look at all of them."""
    inside = [f for f in facts if f.start < end and f.end > begin]
    unread = [(start, stop) for start, stop in unread if start < end and stop > begin]
    unread_starts = [start for start, _stop in unread]
    points = sorted(
        {begin, end, *(max(f.start, begin) for f in inside), *(min(f.end, end) for f in inside)}
        | {point for span in unread for point in span}
    )
    opening = sorted(range(len(inside)), key=lambda index: inside[index].start)
    following = 0
    open_facts: dict[int, ExtractedFact] = {}  # by their place in `facts`, which orders the titles
    parts: list[SafeString] = []
    for start, stop in itertools.pairwise(points):
        while following < len(opening) and inside[opening[following]].start <= start:
            open_facts[opening[following]] = inside[opening[following]]
            following += 1
        for index in [index for index, fact in open_facts.items() if fact.end < stop]:
            del open_facts[index]
        piece = text[start:stop]
        covering = [open_facts[index] for index in sorted(open_facts)]
        if not covering:
            last = bisect_right(unread_starts, start) - 1
            if last >= 0 and stop <= unread[last][1]:
                parts.append(
                    format_html('<span class="unread" title="{}">{}</span>', gettext("未识别的数字"), piece)
                )
            else:
                parts.append(escape(piece))
            continue
        inner = min(covering, key=lambda f: (f.end - f.start, f.pk))
        title = "\n".join(f"{f.get_kind_display()}:{words(f)}" for f in covering)
        href = link(inner)
        content = format_html('<a href="{}">{}</a>', href, piece) if href else escape(piece)
        parts.append(
            format_html(
                '<mark class="fact kind-{} status-{}" data-fact="{}" title="{}">{}</mark>',
                inner.kind,
                inner.status,
                inner.pk,
                title,
                content,
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


@dataclass
class Row:
    fact: ExtractedFact
    words: str
    form: FactForm | None = None
    errors: list[str] = field(default_factory=list)
    offer_confirm: bool = False
    record: Model | None = None
    record_url: str = ""

    @property
    def record_kind(self) -> str:
        return str(self.record._meta.verbose_name) if self.record is not None else ""

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.fact.status]


@dataclass
class Group:
    sentence: SafeString
    rows: list[Row]


class ReviewPage:
    """A document's facts as the review page shows them, and what its buttons do."""

    def __init__(self, request: HttpRequest, document: SourceDocument) -> None:
        self.request, self.document, self.user = request, document, request.user
        self.editable = access.can_edit(self.user, document, stored=True)
        facts = list(
            document.extracted_facts.select_related(
                "project",
                "milestone__project",
                "indicator_value__metric",
                "indicator_value__zone",
                "reviewed_by",
            ).order_by("start", "kind", "pk")
        )
        for fact in facts:
            fact.document = document
        self.facts = facts
        self.by_pk = {fact.pk: fact for fact in facts}
        self.recordable = [f for f in facts if f.kind not in (CandidateKind.PERIOD, CandidateKind.DATE)]
        self.recordable_pks = {f.pk for f in self.recordable}
        self.status = request.GET.get("status", "pending")
        self.status = self.status if self.status in STATUS_FILTERS else "pending"
        self.kind = request.GET.get("kind", "")
        self.kind = self.kind if self.kind in {f.kind for f in self.recordable} else ""
        self.shown_facts = [
            f
            for f in self.recordable
            if (self.status == "all" or f.status == self.status) and (not self.kind or f.kind == self.kind)
        ]
        self.shown_pks = {f.pk for f in self.shown_facts}
        self.words = {f.pk: reading_words(f.reading) for f in facts}
        self.bound: dict[int, FactForm] = {}
        self.row_errors: dict[int, list[str]] = {}
        self.confirm_offered: set[int] = set()
        self._lookups: Lookups | None = None
        self._choices: Choices | None = None

    # -- what the rows need, loaded once ------------------------------------------------------

    @property
    def lookups(self) -> Lookups:
        if self._lookups is None:
            pending = [f for f in self.recordable if f.status == FactStatus.PENDING]
            self._lookups = Lookups(self.document, pending, self.user)
        return self._lookups

    @property
    def choices(self) -> Choices:
        if self._choices is None:
            zones = Zone.objects.restrict(self.user, "change").order_by("name")
            projects = Project.objects.none()
            if any(f.kind == CandidateKind.MILESTONE for f in self.shown_facts):
                projects = Project.objects.restrict(self.user, "change").select_related("zone")
                if self.document.zone_id:
                    projects = projects.in_zone(self.document.zone_id)
            self._choices = Choices(
                zones={zone.pk: zone for zone in zones},
                metrics={metric.pk: metric for metric in self.lookups.metrics.values()},
                projects={project.pk: project for project in projects.order_by("name")},
            )
        return self._choices

    def form(self, fact: ExtractedFact, data=None) -> FactForm:
        return FactForm(
            data,
            fact=fact,
            draft=fact_draft(fact, self.lookups),
            choices=self.choices,
            superuser=self.user.is_superuser,
        )

    # -- the buttons ---------------------------------------------------------------------------

    def post(self) -> HttpResponse | None:
        """Do what was asked; a redirect when done, None to show the page again (a refused row)."""
        if not self.editable:
            raise PermissionDenied(
                access.edit_refusal(self.user, self.document, stored=True) or DEFAULT_REFUSAL
            )
        post = self.request.POST
        done = self.request.get_full_path()
        if pk := self._posted_fact("accept"):
            fact = self.by_pk[pk]
            form = self.form(fact, post)
            if not form.is_valid():
                self.bound[pk] = form
                messages.error(
                    self.request, gettext("未采纳{fact}:请按该条下方的提示修改").format(fact=self._name(fact))
                )
                return None
            if self._accept(fact, form.corrections(), form.cleaned_data.get("confirm", False)):
                return HttpResponseRedirect(done)
            self.bound[pk] = form
            return None
        if "extract" in post:
            try:
                added = document_facts_extract(document=self.document, user=self.user)
            except ValidationError as error:
                messages.error(self.request, ";".join(error.messages))
            else:
                message = (
                    gettext("识别出{count}条新的候选事实").format(count=added)
                    if added
                    else gettext("没有识别出新的候选事实")
                )
                messages.success(self.request, message)
        elif pk := self._posted_fact("reject"):
            self._reject(self.by_pk[pk], post.get(f"f{pk}-reason", ""))
        elif pk := self._posted_fact("reopen"):
            self._reopen(self.by_pk[pk])
        elif "bulk_accept" in post or "bulk_reject" in post:
            chosen = [self.by_pk[pk] for pk in self._selected()]
            if not chosen:
                messages.warning(self.request, gettext("请先勾选要处理的事实"))
            for fact in chosen:
                if "bulk_accept" in post:
                    self._accept(fact, {}, False)
                else:
                    self._reject(fact, post.get("bulk_reason", ""))
        return HttpResponseRedirect(done)

    def _posted_fact(self, button: str) -> int | None:
        value = self.request.POST.get(button, "")
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or int(value) not in self.recordable_pks:
            raise PermissionDenied(gettext("表单数据不完整,请重新打开本页"))
        return int(value)

    def _selected(self) -> list[int]:
        chosen = []
        for value in self.request.POST.getlist("selected"):
            if value.isascii() and value.isdigit() and int(value) in self.recordable_pks:
                chosen.append(int(value))
        return chosen

    def _name(self, fact: ExtractedFact) -> str:
        return f"“{fact.quote}”({self.words[fact.pk]})"

    def _accept(self, fact: ExtractedFact, corrections: dict[str, Any], confirm: bool) -> bool:
        try:
            record = fact_accept(fact=fact, user=self.user, corrections=corrections, confirm_warnings=confirm)
        except ValidationError as error:
            self._refused(fact, list(error.messages), warnings_only(error))
            return False
        except PermissionDenied as refusal:
            self._refused(fact, [str(refusal) or str(DEFAULT_REFUSAL)], False)
            return False
        messages.success(
            self.request,
            format_html(
                gettext("已采纳{fact}:登记为{kind}{record}"),
                fact=self._name(fact),
                kind=record._meta.verbose_name,
                record=format_html('<a href="{}">{}</a>', record_url(record), record),
            ),
        )
        return True

    def _refused(self, fact: ExtractedFact, reasons: list[str], offer_confirm: bool) -> None:
        self.row_errors[fact.pk] = reasons
        if offer_confirm:
            self.confirm_offered.add(fact.pk)
        messages.error(
            self.request,
            gettext("未采纳{fact}:{reasons}").format(fact=self._name(fact), reasons=";".join(reasons)),
        )

    def _reject(self, fact: ExtractedFact, reason: str) -> None:
        try:
            fact_reject(fact=fact, user=self.user, reason=reason)
        except (ValidationError, PermissionDenied) as error:
            text = ";".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(
                self.request, gettext("未驳回{fact}:{reasons}").format(fact=self._name(fact), reasons=text)
            )
        else:
            messages.success(self.request, gettext("已驳回{fact}").format(fact=self._name(fact)))

    def _reopen(self, fact: ExtractedFact) -> None:
        try:
            fact_reopen(fact=fact, user=self.user)
        except ValidationError as error:
            messages.error(self.request, ";".join(error.messages))
        else:
            messages.success(self.request, gettext("已将{fact}退回待审核").format(fact=self._name(fact)))

    # -- the page ------------------------------------------------------------------------------

    def _link(self, fact: ExtractedFact) -> str | None:
        if fact.kind in (CandidateKind.PERIOD, CandidateKind.DATE):
            return None
        if fact.pk in self.shown_pks:
            return f"#fact-{fact.pk}"
        return f"?status=all#fact-{fact.pk}"

    def _row(self, fact: ExtractedFact) -> Row:
        row = Row(fact, self.words[fact.pk], errors=self.row_errors.get(fact.pk, []))
        if fact.status == FactStatus.PENDING and self.editable:
            row.form = self.bound.get(fact.pk) or self.form(fact)
            row.offer_confirm = fact.pk in self.confirm_offered
        record = fact.project or fact.milestone or fact.indicator_value
        if record is not None:
            row.record, row.record_url = record, record_url(record)
        return row

    def groups(self) -> list[Group]:
        groups: list[Group] = []
        for span, facts in itertools.groupby(
            self.shown_facts, key=lambda f: (f.sentence_start, f.sentence_end)
        ):
            facts = list(facts)
            sentence = _marked(self.document.text, *span, facts, self._link, lambda f: self.words[f.pk])
            groups.append(Group(sentence, [self._row(fact) for fact in facts]))
        return groups

    def render(self) -> HttpResponse:
        counts = {status: 0 for status in STATUS_FILTERS}
        for fact in self.recordable:
            counts[fact.status] += 1
            counts["all"] += 1
        kinds = {f.kind: f.get_kind_display() for f in self.recordable}
        text = _marked(
            self.document.text,
            0,
            len(self.document.text),
            self.facts,
            self._link,
            lambda f: self.words[f.pk],
            unread_numbers(self.document.text, [(f.start, f.end) for f in self.facts]),
        )
        groups = self.groups()
        return TemplateResponse(
            self.request,
            "admin/projects/text_entry/review.html",
            _context(
                self.request,
                gettext("审核提取的事实:{title}").format(title=self.document.title),
                document=self.document,
                editable=self.editable,
                text=text,
                groups=groups,
                counts=counts,
                status=self.status,
                kind=self.kind,
                status_filters=[(key, label, counts[key]) for key, label in STATUS_FILTERS.items()],
                kind_filters=sorted(kinds.items()),
                pending_shown=any(row.form is not None for group in groups for row in group.rows),
            ),
        )


@refusing
def review_view(request: HttpRequest, document_id: int) -> HttpResponse:
    documents = SourceDocument.objects.restrict(request.user).select_related("zone")
    document = get_object_or_404(documents, pk=document_id)
    page = ReviewPage(request, document)
    if request.method == "POST" and (response := page.post()) is not None:
        return response
    return page.render()


def text_entry_urls(wrap) -> list[URLPattern]:
    """The pages of 从文本提取, for SourceDocumentAdmin.get_urls (`wrap` is admin_site.admin_view)."""
    return [
        path("extract/", wrap(extract_view), name="projects_sourcedocument_extract"),
        path("<int:document_id>/review/", wrap(review_view), name="projects_sourcedocument_review"),
    ]


# ---------------------------------------------------------------------------------------------
# 待审核事实: the list of all extracted facts, read only


@admin.register(ExtractedFact)
class ExtractedFactAdmin(ZoneRoleAdmin):
    """Facts are reviewed on their document's review page; here they are listed and filtered."""

    list_display = [
        "quote",
        "kind",
        "status_badge",
        "reading",
        "record_link",
        "document",
        "reviewed",
        "review",
    ]
    list_filter = ["status", "kind", ("document", admin.RelatedOnlyFieldListFilter)]
    list_select_related = [
        "document",
        "project",
        "milestone__project",
        "reviewed_by",
        *(
            f"indicator_value__{name}"
            for name in ("metric", "zone", "portfolio__zone", "project", "enterprise")
        ),
    ]
    search_fields = ["quote", "document__title", "document__key", "note"]
    fields = ["document", "kind", "quote", "start", "end", "reading_display", "status", "record_link", "note",
              "reviewed_by", "reviewed_at", "review"]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The documents' texts are long and not shown; the changelist keeps a query that already
        # selects related rows as it is, so all of them are selected here.
        return super().get_queryset(request).select_related(*self.list_select_related).defer("document__text")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, fact: ExtractedFact) -> str:
        return status_badge("fact", fact.status, fact.get_status_display())

    @admin.display(description=_("识别结果"))
    def reading(self, fact: ExtractedFact) -> str:
        return reading_words(fact.reading)

    @admin.display(description=_("识别结果"))
    def reading_display(self, fact: ExtractedFact) -> str:
        return reading_words(fact.reading)

    @admin.display(description=_("登记的记录"))
    def record_link(self, fact: ExtractedFact) -> str:
        record = fact.project or fact.milestone or fact.indicator_value
        if record is None:
            return "—"
        return format_html('<a href="{}">{}</a>', record_url(record), record)

    @admin.display(description=_("审核"), ordering="reviewed_at")
    def reviewed(self, fact: ExtractedFact) -> str:
        if fact.reviewed_at is None:
            return "—"
        return f"{fact.reviewed_by or ''} {timezone.localtime(fact.reviewed_at):%Y-%m-%d %H:%M}"

    @admin.display(description=_("审核页面"))
    def review(self, fact: ExtractedFact) -> str:
        url = review_url(fact.document)
        return format_html('<a href="{}?status=all#fact-{}">{}</a>', url, fact.pk, gettext("打开"))
