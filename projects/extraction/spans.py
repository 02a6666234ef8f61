"""Looking things up around a position without rescanning the text.

Reading a figure's context asks the same questions thousands of times in one text: where does
its clause begin, which target word came last in its sentence, is it inside a quotation. Asked
by scanning back from each figure, a long sentence with many figures costs the square of its
length; asked of positions found once and kept in order, each answer is a binary search. That
keeps extraction linear in the text (tests/test_extraction_bounds.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Protocol


class Match(Protocol):
    """A regular expression's match, or a word found by lexicon.Words."""

    def start(self) -> int: ...

    def end(self) -> int: ...

    def group(self) -> str: ...


class Finder(Protocol):
    def finditer(self, text: str) -> Iterator[Match]: ...


class Occurrences:
    """The matches of `pattern` in `text`, found in one pass, left to right and not overlapping.

    For patterns of words (no word a part of another across a clause or figure boundary) a
    match of the whole text between `low` and `high` is the match a search of text[low:high]
    finds: that is what the extractor asks.
    """

    def __init__(self, pattern: Finder, text: str) -> None:
        self._keep(list(pattern.finditer(text)))

    @classmethod
    def of(cls, matches: list[Match]) -> Occurrences:
        """Matches found otherwise, in order and not overlapping."""
        occurrences = cls.__new__(cls)
        occurrences._keep(matches)
        return occurrences

    def _keep(self, matches: list[Match]) -> None:
        self.matches = matches
        self.starts = [match.start() for match in matches]
        self.ends = [match.end() for match in matches]

    def last(self, low: int, high: int) -> Match | None:
        """The last match lying within [low, high)."""
        index = bisect_right(self.ends, high) - 1
        if index >= 0 and self.starts[index] >= low:
            return self.matches[index]
        return None

    def first(self, low: int, high: int) -> Match | None:
        """The first match lying within [low, high)."""
        index = bisect_left(self.starts, low)
        if index < len(self.matches) and self.ends[index] <= high:
            return self.matches[index]
        return None

    def within(self, low: int, high: int) -> list[Match]:
        """The matches lying within [low, high), in order."""
        first, last = bisect_left(self.starts, low), bisect_right(self.ends, high)
        return self.matches[first:last]


class Spans:
    """Spans (start, end) in order of start, possibly overlapping: which cover a position, which
    meet a range."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        # reach[i]: the furthest end of the first i + 1 spans, so that the spans still open at
        # a position are found by bisecting it (it never decreases).
        self.reach = list(accumulate((end for _, end in self.spans), max))

    def covers(self, position: int, *, open_start: bool = False) -> bool:
        """Whether a span holds `position`: start <= position < end (start < position < end
        with `open_start`)."""
        stop = bisect_left(self.starts, position) if open_start else bisect_right(self.starts, position)
        first = bisect_right(self.reach, position, 0, stop)
        return first < stop

    def meeting(self, low: int, high: int) -> list[tuple[int, int]]:
        """The spans ending after `low` and starting before `high`, in order of start."""
        first = bisect_right(self.reach, low)
        stop = bisect_left(self.starts, high)
        return [span for span in self.spans[first:stop] if span[1] > low]

    def starting(self, low: int, high: int) -> list[tuple[int, int]]:
        """The spans starting within [low, high), in order."""
        return self.spans[bisect_left(self.starts, low) : bisect_left(self.starts, high)]


class Marks:
    """Positions in order: the last before a point, the first at or after one."""

    def __init__(self, positions: Iterable[int]) -> None:
        self.positions = sorted(positions)

    def last_before(self, position: int, floor: int) -> int | None:
        """The last mark in [floor, position)."""
        index = bisect_left(self.positions, position) - 1
        if index >= 0 and self.positions[index] >= floor:
            return self.positions[index]
        return None

    def first_from(self, position: int, ceiling: int) -> int | None:
        """The first mark in [position, ceiling)."""
        index = bisect_left(self.positions, position)
        if index < len(self.positions) and self.positions[index] < ceiling:
            return self.positions[index]
        return None

    def between(self, low: int, high: int) -> list[int]:
        """The marks in [low, high)."""
        return self.positions[bisect_left(self.positions, low) : bisect_left(self.positions, high)]
