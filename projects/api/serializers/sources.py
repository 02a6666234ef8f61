"""Source documents and the citations that tie a figure to a verbatim quote of one."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from projects.models import (
    Citation,
    SourceDocument,
)
from projects.provenance import QuoteNotFound, locate_quote

from .base import PRECISION, Described, ResourceSerializer, RestrictedRelations, _error

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
        "start": (
            "原文在全文中的起始字符偏移(从0开始);写入时可省略,按原文查找 / Character offset of the quote "
            "(from 0); may be omitted on input, the quote is then looked up in the text"
        ),
        "end": "原文结束位置(不含),由起始位置和原文长度得出 / Offset just after the quote, derived",
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        document = attrs.get("document") or getattr(self.instance, "document", None)
        quote = attrs.get("quote", getattr(self.instance, "quote", ""))
        start = attrs.get("start", getattr(self.instance, "start", None) if "quote" not in attrs else None)
        if document is not None:
            try:
                attrs["start"] = locate_quote(document.text, quote, start)
            except QuoteNotFound as error:
                raise _error(
                    "quote",
                    "quote_not_found",
                    str(error),
                    "The quote is not in the document at that position, or not exactly once: "
                    "copy it verbatim, or give its start offset.",
                ) from None
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
        "key": "文档标识,如 seed-000 / Document key, e.g. seed-000",
        "title": "标题 / Title",
        "publisher": "发布者 / Publisher",
        "author": "作者 / Author",
        "published_on": "发布日期(按精度取该时段第一天) / Publication date (first day of its period)",
        "published_precision": PRECISION,
        "published_display": "发布日期,按精度书写 / Publication date written at its precision",
        "published_note": "发布日期的推定依据 / How the publication date was inferred",
        "file_path": "种子文件路径 / Path of the seed file",
        "sha256": "全文的 SHA-256 / SHA-256 of the text",
        "citations": "本文档的引文 / Citations of this document",
        "text": "全文 / Full text",
    }


class SourceDocumentDetailSerializer(SourceDocumentSerializer):
    """A source document with its full text (retrieve, create, update)."""

    class Meta(SourceDocumentSerializer.Meta):
        fields = [*SourceDocumentSerializer.Meta.fields, "text"]
