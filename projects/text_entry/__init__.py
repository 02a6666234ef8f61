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

Modules: documents (the text, extraction), drafts (drafts, lookups, words for people), review
(accept, reject, reopen).
"""

from __future__ import annotations

from .documents import (
    BINARY,
    DOCUMENT_LIMITS,
    FIGURE_FIELDS,
    FIGURES,
    MAX_UPLOAD,
    MILESTONE_FIELDS,
    MILESTONE_VALUE_KINDS,
    PROJECT_FIELDS,
    RECORDED_MEASURES,
    document_extract,
    document_facts_extract,
    fact_counts,
    fields_of,
    lexicon_from_db,
    normalise_text,
    text_of_upload,
)
from .drafts import Draft, Lookups, amount_scale, fact_draft, reading_words, shown
from .review import RECORD_FIELDS, RECORDERS, fact_accept, fact_reject, fact_reopen, warnings_only

__all__ = [
    "BINARY",
    "DOCUMENT_LIMITS",
    "FIGURES",
    "FIGURE_FIELDS",
    "MAX_UPLOAD",
    "MILESTONE_FIELDS",
    "MILESTONE_VALUE_KINDS",
    "PROJECT_FIELDS",
    "RECORDED_MEASURES",
    "RECORDERS",
    "RECORD_FIELDS",
    "Draft",
    "Lookups",
    "amount_scale",
    "document_extract",
    "document_facts_extract",
    "fact_accept",
    "fact_counts",
    "fact_draft",
    "fact_reject",
    "fact_reopen",
    "fields_of",
    "lexicon_from_db",
    "normalise_text",
    "reading_words",
    "shown",
    "text_of_upload",
    "warnings_only",
]
