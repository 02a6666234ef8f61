"""How well the extractor reads: its candidates scored against texts whose facts are known.

Gold facts come from two places:
- annotated texts (tests/extraction_corpus/*/*.json): every figure, period and date of the text
  marked with its exact quote; a candidate they lack is a false candidate;
- the seed fixture (fixtures/seeds.yaml): the facts recorded from the seed articles, each cited
  by the sentence that states it. The fixture records the project-related facts only, not every
  figure of an article, so its gold measures recall, never precision.

A candidate matches a gold fact when both are the same class of thing (amount, percent, count,
quantity, ratio, score, period, date), state the same number in the same unit once normalised
(1.2万家 = 12000家, 1.5亿元 = 15000万元, but 3% ≠ 3个百分点), and their spans overlap. Matching is
one-to-one, the pairs that overlap most first. Pure: plain values in, plain values out, no ORM.
"""

from .gold import (
    FIXTURE_NOTE,
    KIND_ORDER,
    AnnotatedText,
    AnnotationError,
    Gold,
    load_annotated,
    load_fixture,
)
from .matching import (
    agrees,
    canonical,
    kind_class,
    match,
)
from .printing import (
    ARTICLE_LENGTH,
    HEADER,
    ArticleTiming,
    article_timing,
    render,
    render_timing,
    score_table,
)
from .scoring import (
    DEFAULT_KINDS,
    Extractor,
    FalseCandidate,
    Miss,
    Report,
    Score,
    TextReport,
    evaluate,
)

__all__ = [
    "ARTICLE_LENGTH",
    "DEFAULT_KINDS",
    "FIXTURE_NOTE",
    "HEADER",
    "KIND_ORDER",
    "AnnotatedText",
    "AnnotationError",
    "ArticleTiming",
    "Extractor",
    "FalseCandidate",
    "Gold",
    "Miss",
    "Report",
    "Score",
    "TextReport",
    "agrees",
    "article_timing",
    "canonical",
    "evaluate",
    "kind_class",
    "load_annotated",
    "load_fixture",
    "match",
    "render",
    "render_timing",
    "score_table",
]
