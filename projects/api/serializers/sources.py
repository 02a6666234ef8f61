"""Source documents and the citations that tie a figure to a verbatim quote of one."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from projects.models import (
    Citation,
    SourceDocument,
)
from projects.provenance import QuoteNotFound, locate_quote

from ..filters import unreadable
from .base import PRECISION, Described, ResourceSerializer, RestrictedRelations, _error

QUOTE_NOT_FOUND = _("原文不在文档的该位置,或在文中不是恰好出现一次:请逐字复制原文,或给出其起始位置")

# ---------------------------------------------------------------------------------------------
# Citations and sources


class CitationBriefSerializer(RestrictedRelations, Described, serializers.ModelSerializer):
    """A citation nested in a fact: which document, what it says, where."""

    document_key = serializers.CharField(source="document.key", read_only=True)
    document_title = serializers.CharField(source="document.title", read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "document", "document_key", "document_title", "quote", "start", "end"]


class CitedSerializer(ResourceSerializer):
    """A fact with its citations: read nested, written as a list of citation ids."""

    citations = CitationBriefSerializer(many=True, read_only=True)
    citation_ids = serializers.PrimaryKeyRelatedField(
        source="citations", many=True, queryset=Citation.objects.all(), write_only=True, required=False
    )


class CitationSerializer(ResourceSerializer):
    """A sentence of a document. Give the quote; its offset is found in the text when `start` is
    omitted (and the quote stands there exactly once)."""

    document_key = serializers.CharField(source="document.key", read_only=True)
    document_title = serializers.CharField(source="document.title", read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "document", "document_key", "document_title", "quote", "start", "end"]
        read_only_fields = ["end"]
        extra_kwargs = {"start": {"required": False}}

    help_texts = {
        "start": _("原文在全文中的起始字符偏移(从0开始);写入时可省略,按原文查找"),
        "end": _("原文结束位置(不含),由起始位置和原文长度得出"),
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        document = attrs.get("document") or getattr(self.instance, "document", None)
        quote = attrs.get("quote", getattr(self.instance, "quote", ""))
        start = attrs.get("start", getattr(self.instance, "start", None) if "quote" not in attrs else None)
        if document is not None:
            try:
                attrs["start"] = locate_quote(document.text, quote, start)
            except QuoteNotFound as error:
                raise _error("quote", "quote_not_found", unreadable(error, QUOTE_NOT_FOUND)) from None
            attrs["end"] = attrs["start"] + len(quote)
        return super().validate(attrs)


class SourceCitationSerializer(Described, serializers.ModelSerializer):
    class Meta:
        model = Citation
        fields = ["id", "quote", "start", "end"]


class SourceDocumentSerializer(ResourceSerializer):
    """A source document without its full text (lists)."""

    published_display = serializers.CharField(read_only=True)
    citations = SourceCitationSerializer(many=True, read_only=True)

    class Meta:
        model = SourceDocument
        fields = [
            "id",
            "key",
            "title",
            "publisher",
            "author",
            "published_on",
            "published_precision",
            "published_display",
            "published_note",
            "file_path",
            "sha256",
            "citations",
        ]
        read_only_fields = ["file_path", "sha256"]

    help_texts = {
        "key": _("文档标识,如 seed-000"),
        "title": _("标题"),
        "publisher": _("发布者"),
        "author": _("作者"),
        "published_on": _("发布日期(按精度取该时段第一天)"),
        "published_precision": PRECISION,
        "published_display": _("发布日期,按精度书写"),
        "published_note": _("发布日期的推定依据"),
        "file_path": _("种子文件路径"),
        "sha256": _("全文的 SHA-256"),
        "citations": _("本文档的引文"),
        "text": _("全文"),
    }


class SourceDocumentDetailSerializer(SourceDocumentSerializer):
    """A source document with its full text (retrieve, create, update)."""

    class Meta(SourceDocumentSerializer.Meta):
        fields = [*SourceDocumentSerializer.Meta.fields, "text"]
