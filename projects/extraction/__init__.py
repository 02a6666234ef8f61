"""Facts from prose: the figures, periods, dates, projects and milestones a Chinese economic
text states, each with the exact words and the sentence it stands in. See `extract`."""

from .candidates import FIGURE_KINDS, TIME_KINDS, Candidate, CandidateKind, DateRef, Measure, PeriodRef
from .extract import MAX_CANDIDATES, MAX_TEXT_LENGTH, TooManyCandidates, extract, sentences, unread_numbers
from .lexicon import Lexicon

__all__ = [
    "FIGURE_KINDS",
    "MAX_CANDIDATES",
    "MAX_TEXT_LENGTH",
    "TIME_KINDS",
    "Candidate",
    "CandidateKind",
    "DateRef",
    "Lexicon",
    "Measure",
    "PeriodRef",
    "TooManyCandidates",
    "extract",
    "sentences",
    "unread_numbers",
]
