"""Turn a text into candidate facts: find the figures, periods and dates, then read from the
words around each figure what it most likely belongs to (subject, metric, period, whether it is
an actual or a target), and find the projects and their milestones.

General rules of Chinese economic reporting, not the wording of any one article: a figure's
metric is named just before it in its clause (实现营业收入157.56亿元), a growth rate follows the
figure it qualifies (…,同比增长12.24%), a period stated at the head of a sentence or paragraph
covers the figures after it, and 预计/力争/计划 make a figure a forecast, a target or a plan.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .candidates import Candidate, CandidateKind, DateRef, Measure, PeriodRef
from .figures import WIDTH, Figure, scan_figures
from .lexicon import ZONE_SUFFIXES, Lexicon
from .names import project_names
from .spans import Marks, Match, Occurrences, Spans
from .times import TimeMention, scan_times

MAX_TEXT_LENGTH = 200_000
# The most candidates one reading returns: one every 10 characters of the longest text, about twice
# as dense as the densest article of the annotated corpus (one every 19; the median one every 26).
# A text giving more is refused whole, saying how many, never cut short silently.
MAX_CANDIDATES = 20_000
# The clause words that name a figure stand just before it (39 characters at most in the
# annotated corpus); they are read from at most this many characters back, so that a clause of
# thousands of figures costs each of them the same.
LEAD_WINDOW = 200

_SENTENCE_END = "。！？!?;；\n"
_CLOSERS = "”’」』)）"
_CLAUSE_BREAK = re.compile(r"[,，;；:：、。!！?？\n]")
# vocabulary: a pattern of the sources' text
_GROWTH = re.compile(
    r"(?:同比|比上年|较上年|比去年|较去年|环比)?(?:增长|增加|提高|上升|上涨|增速|增幅|提升)(?:了|为|达到?|至)?$"
)
# vocabulary: a pattern of the sources' text
_DECLINE = re.compile(
    r"(?:同比|比上年|较上年|比去年|较去年|环比)?(?:下降|减少|回落|降低|下滑|收窄)(?:了|为|至)?$"
)
# vocabulary: a pattern of the sources' text
_SHARE = re.compile(r"占(?:比|.{0,12}(?:比重|比例|的))?(?:为|达到?)?$")
# vocabulary: a pattern of the sources' text
_TARGET_WORDS = re.compile(r"预计|预期|力争|确保|争取|计划|目标|任务|要求|拟|将达到?|要达到?|突破目标")
# vocabulary: a pattern of the sources' text
_ACTUAL_WORDS = re.compile(r"实现|完成|达到|已|累计|同比|截至|共")
# At most 8 words each: a longer run of verbs is no lead of a figure, and a bounded run keeps
# every attempt of the pattern short.
# vocabulary: a pattern of the sources' text
_VERBS = re.compile(
    r"^(?:其中|全年|全区|该区|全县|全市|园区|今年|累计|共计|共有|共|实现了|实现|完成了|完成|达到|达|为|有|分别|"
    r"总计|合计|同比|比上年|较上年|约|已经|已|拥有){1,8}"
)
# vocabulary: a pattern of the sources' text
_VERB_TAIL = re.compile(
    r"(?:达到|达|为|是|实现|完成|共|合计|累计|分别为|分别|约|超过|超|突破|同比|增长|增速|增幅|新增|有|了){1,8}$"
)
_FORECAST_WORDS = re.compile(r"预计|预期")  # vocabulary: a pattern of the sources' text
_GOAL = re.compile(r"目标")  # vocabulary: a pattern of the sources' text
_INVESTMENT_WORD = re.compile(r"投资")  # vocabulary: a pattern of the sources' text
_PERIOD_FOLLOWS = re.compile(r"[,，]|以来")  # vocabulary: a pattern of the sources' text
_LINE_END = re.compile(r"\n")
_OUTPUT = re.compile(r"年产")  # vocabulary: a pattern of the sources' text
# vocabulary: a pattern of the sources' text
_EVENTS = {
    "签约": "signed",
    "落户": "settled",
    "摘地": "land",
    "开工": "start",
    "动工": "start",
    "开建": "start",
    "主体封顶": "topped_out",
    "封顶": "topped_out",
    "设备安装": "equipment",
    "试生产": "trial",
    "试产": "trial",
    "投产": "production",
    "达产": "full_capacity",
    "竣工": "completion",
    "交付使用": "delivery",
    "入统": "statistics",
    "上市": "listed",
}
_EVENT = re.compile("|".join(sorted(_EVENTS, key=len, reverse=True)))
_STAGE_OF_EVENT = {
    "signed": "signed",
    "settled": "signed",
    "land": "land",
    "start": "construction",
    "topped_out": "topped_out",
    "equipment": "equipment",
    "trial": "trial",
    "production": "production",
    "full_capacity": "full_capacity",
    "completion": "completed",
}
# vocabulary: a pattern of the sources' text
_PLANNED = re.compile(r"计划|预计|力争|确保|争取|将|拟|有望|年内|即将|准备")
# vocabulary: a pattern of the sources' text
_CAPACITY = re.compile(r"年产(?:能)?[^,，。;；、]{1,30}?(?=项目|生产线|的|,|，|。|;|；|、|$)")
_NEAR_EVENT = 20  # characters between an event and a date said near it
_ZONE_GENERIC = re.compile(r"(?P<name>[\u4e00-\u9fa5]{2,4}(?:" + "|".join(ZONE_SUFFIXES) + r"))")
# vocabulary: a pattern of the sources' text
_NOUN_AFTER = re.compile(
    r"[^\s,，。;；:：、()（）的中里]{2,16}?(?:企业|项目|公司|工程|单位|机构|园区|平台|基地|人才|家|户)"
)
# vocabulary: a pattern of the sources' text
_NOT_ZONE_START = tuple("该全本各辖园城我你其此这那新老省市在国")
# A number inside a short quotation is a name (“5020”项目, “四个100%”机制), not a figure.
_SHORT_QUOTE = re.compile(r"“[^”\n]{1,12}”|\"[^\"\n]{1,12}\"|「[^」\n]{1,12}」")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of `text`: up to 。！？；or a line end, with a closing quote kept,
    leading blanks left out; blank lines are no sentence."""
    spans = []
    start = 0
    length = len(text)
    position = 0
    while position < length:
        char = text[position]
        if char in _SENTENCE_END:
            end = position + 1
            while end < length and text[end] in _CLOSERS:
                end += 1
            spans.append((start, end if char != "\n" else position))
            start = position = end
            continue
        position += 1
    spans.append((start, length))
    cleaned = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            cleaned.append((begin, end))
    return cleaned


def _sentence_of(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    low, high = 0, len(spans) - 1
    while low <= high:
        middle = (low + high) // 2
        begin, end = spans[middle]
        if position < begin:
            high = middle - 1
        elif position >= end:
            low = middle + 1
        else:
            return begin, end
    return position, position + 1


def _measure(kind: str, lead: str) -> str:
    """What a figure measures, from the words just before it (`lead` ends at the figure: the
    patterns are anchored there, so the last LEAD_WINDOW characters say the same as the clause)."""
    if kind in (CandidateKind.PERCENT, CandidateKind.RATIO):
        if _GROWTH.search(lead):
            return Measure.GROWTH
        if _DECLINE.search(lead):
            return Measure.DECLINE
        if _SHARE.search(lead):
            return Measure.SHARE
    elif _GROWTH.search(lead) or _DECLINE.search(lead):
        return Measure.CHANGE
    return Measure.LEVEL


def _raw_metric(lead: str) -> str:
    """The words naming a figure when the catalogue does not know them: the clause before the
    number without its verbs (研发经费投入 of 全年研发经费投入达)."""
    phrase = _VERB_TAIL.sub("", _VERBS.sub("", lead.strip()))
    return phrase[-16:] if len(phrase) >= 2 else ""


class _Reader:
    """One pass over one text. What the context of a figure, period or project is read from
    (clause breaks, line ends, target words, mentions) is found once, in order, and looked up
    by position (projects.extraction.spans): no figure rescans its sentence."""

    def __init__(self, text: str, *, year: int | None, lexicon: Lexicon, zone: str) -> None:
        self.text = text
        self.normal = normal = text.translate(WIDTH)
        self.year = year
        self.lexicon = lexicon
        self.zone = zone
        self.spans = sentences(normal)
        self.breaks = Marks(match.start() for match in _CLAUSE_BREAK.finditer(normal))
        self.line_ends = Marks(match.start() for match in _LINE_END.finditer(normal))
        self.targets = Occurrences(_TARGET_WORDS, normal)
        self.actuals = Occurrences(_ACTUAL_WORDS, normal)
        self.forecasts = Occurrences(_FORECAST_WORDS, normal)
        self.goals = Occurrences(_GOAL, normal)
        self.plans = Occurrences(_PLANNED, normal)
        self.events = Occurrences(_EVENT, normal)
        self.metrics = Occurrences(lexicon.metric_pattern, normal)
        self.outputs = Marks(match.start() for match in _OUTPUT.finditer(normal))
        names = Spans(match.span() for match in _SHORT_QUOTE.finditer(normal))
        self.figures = [f for f in scan_figures(text) if not names.covers(f.start, open_start=True)]
        self.figure_starts = [f.start for f in self.figures]
        investing = [f for f in self.figures if f.kind == CandidateKind.AMOUNT and self._invested(f.start, 0)]
        self.investments = investing
        self.investment_starts = [f.start for f in investing]
        self.times = [
            self._settle(m) for m in scan_times(text, year) if not names.covers(m.start, open_start=True)
        ]
        self.periods = [m for m in self.times if m.period is not None]
        self.period_starts = [m.start for m in self.periods]
        self.years = [m for m in self.times if m.date is not None and m.date.precision == "year"]
        self.year_starts = [m.start for m in self.years]
        self.dates = [m for m in self.times if m.date is not None]
        self.date_starts = [m.start for m in self.dates]
        self.date_ends = [m.end for m in self.dates]
        self.zones = self._zone_mentions()
        self.zone_starts = [start for start, _ in self.zones]
        self.mentions = Spans(
            [(m.start, m.end) for m in self.times] + [(f.start, f.end) for f in self.figures]
        )
        self._capacities: dict[int, Occurrences] = {}  # by sentence start
        self._stages: dict[int, tuple[list[int], list[int], Counter[int]]] = {}

    @property
    def certain_count(self) -> int:
        """How many candidates the text gives at least: each figure is one, and each date."""
        return len(self.figures) + sum(1 for m in self.times if m.period is None)

    # --- context

    def _clause_start(self, sentence_start: int, position: int) -> int:
        """Where the clause holding `position` begins: after the last clause break before it."""
        found = self.breaks.last_before(position, sentence_start)
        return sentence_start if found is None else found + 1

    def _clause_end(self, position: int, sentence_end: int) -> int:
        found = self.breaks.first_from(position, sentence_end)
        return sentence_end if found is None else found

    def _figure_between(self, low: int, high: int) -> bool:
        index = bisect_left(self.figure_starts, low)
        return index < len(self.figure_starts) and self.figure_starts[index] < high

    def _invested(self, position: int, clause_from: int) -> bool:
        """投资 in the 8 characters before `position` (within its clause)."""
        # vocabulary: a pattern of the sources' text
        return self.normal.find("投资", max(clause_from, position - 8), position) >= 0

    def _value_kind(self, sentence_start: int, position: int) -> str:
        """Actual, forecast, plan or target: the last target word of the sentence before the
        figure decides, unless an actual word follows it (目标…已完成) or its clause says 预计."""
        target = self.targets.last(sentence_start, position)
        if target is None:
            return "actual"
        clause_start = self._clause_start(sentence_start, position)
        # vocabulary: a pattern of the sources' text
        if self.forecasts.last(clause_start, position) and target.group() not in ("目标", "任务"):
            return "forecast"
        if self.actuals.first(target.end(), position) and not self.goals.first(target.start(), position):
            if not self.targets.last(clause_start, position):
                return "actual"
        word = target.group()
        if word in ("预计", "预期"):  # vocabulary: a pattern of the sources' text
            return "forecast"
        if word in ("计划",):  # vocabulary: a pattern of the sources' text
            return "plan"
        return "target"

    def _settle(self, mention: TimeMention) -> TimeMention:
        """A quarter or half that reads as a date is the period of a figure stated in its clause
        (四季度还要完成投资53亿元), or in the clause it heads (二季度,全区要完成…)."""
        if mention.as_period is None:
            return mention
        sentence_end = _sentence_of(self.spans, mention.start)[1]
        clause_end = self._clause_end(mention.end, sentence_end)
        if clause_end == mention.end < sentence_end and self.normal[clause_end] in ",，":
            clause_end = self._clause_end(mention.end + 1, sentence_end)
        if self._figure_between(mention.end, clause_end):
            return TimeMention(CandidateKind.PERIOD, mention.start, mention.end, period=mention.as_period)
        return mention

    def _zone_mentions(self) -> list[tuple[int, str]]:
        found: dict[int, str] = {}
        known = []
        if self.lexicon.zone_pattern is not None:
            for zone in self.lexicon.zone_pattern.finditer(self.normal):
                found[zone.start()] = self.lexicon.zones[zone.group()]
                known.append(zone.span())
        named = Spans(known)
        for match in _ZONE_GENERIC.finditer(self.normal):
            name = match["name"]
            if name.startswith(_NOT_ZONE_START) or named.covers(match.start()):
                continue
            found.setdefault(match.start(), name)
        return sorted(found.items())

    def _subject_zone(self, position: int) -> str:
        """The zone named last before `position`, else the text's zone."""
        index = bisect_left(self.zone_starts, position) - 1
        return self.zones[index][1] if index >= 0 else self.zone

    def _period(self, sentence: tuple[int, int], position: int) -> PeriodRef | None:
        """The period a figure is stated for: the last one before it in its sentence, else the
        last one in the sentences of its paragraph before it."""
        line_end = self.line_ends.last_before(sentence[0], 0)
        paragraph_start = 0 if line_end is None else line_end + 1
        index = bisect_left(self.period_starts, position) - 1
        if index >= 0 and self.period_starts[index] >= paragraph_start:
            return self.periods[index].period
        index = bisect_left(self.year_starts, position) - 1
        if index >= 0 and self.year_starts[index] >= paragraph_start:
            date = self.years[index].date
            assert date is not None
            return PeriodRef(date.date.year if date.date else None, 1, 12, date.text)
        return None

    # --- candidates

    def figure_candidates(self) -> Iterator[Candidate]:
        previous: Candidate | None = None
        for figure in self.figures:
            sentence = _sentence_of(self.spans, figure.start)
            candidate = self._figure(figure, sentence, previous)
            yield candidate
            previous = candidate

    def _figure(self, figure: Figure, sentence: tuple[int, int], previous: Candidate | None) -> Candidate:
        text = self.normal
        clause_start = self._clause_start(sentence[0], figure.start)
        window_start = max(clause_start, figure.start - LEAD_WINDOW)
        lead = text[window_start : figure.start]
        measure = _measure(figure.kind, lead)
        metric, code = "", ""
        found = self.metrics.last(clause_start, figure.start)
        if found is not None:
            metric = found.group()
            code = self.lexicon.metrics[metric]
        elif (
            measure in (Measure.GROWTH, Measure.DECLINE, Measure.CHANGE)
            and previous is not None
            and previous.sentence_start == sentence[0]
        ):
            metric, code = previous.metric, previous.metric_code
        else:
            metric = _raw_metric(self._words_only(window_start, figure.start))
            if figure.kind == CandidateKind.COUNT and (after := self._noun_after(figure.end)):
                # 90家专精特新企业, 52个在建项目: a count's noun may follow it
                known = self.lexicon.metric_pattern.match(after)
                metric, code = (
                    (known.group(), self.lexicon.metrics[known.group()]) if known else (metric or after, "")
                )
        value_kind = self._value_kind(sentence[0], figure.start)
        subject = self._subject_zone(figure.start)
        if (
            previous is not None
            and previous.sentence_start == sentence[0]
            and measure != Measure.LEVEL
            and not self.targets.last(clause_start, figure.start)
        ):
            value_kind = previous.value_kind
        return Candidate(
            kind=figure.kind,
            quote=self.text[figure.start : figure.end],
            start=figure.start,
            end=figure.end,
            sentence_start=sentence[0],
            sentence_end=sentence[1],
            value=figure.value,
            value_upper=figure.value_upper,
            unit=figure.unit,
            scale=figure.scale,
            currency=figure.currency,
            qualifier=figure.qualifier,
            measure=measure,
            subject=subject,
            subject_kind="zone" if subject else "",
            metric=metric,
            metric_code=code,
            value_kind=value_kind,
            period=self._period(sentence, figure.start),
        )

    def _noun_after(self, end: int) -> str:
        match = _NOUN_AFTER.match(self.normal, end)
        return match.group() if match else ""

    def _words_only(self, start: int, end: int) -> str:
        """The text between `start` and `end` without the figures and periods in it."""
        pieces = []
        position = start
        for other_start, other_end in self.mentions.meeting(start, end):
            if other_end <= position:
                continue
            pieces.append(self.normal[position:other_start])
            position = max(position, other_end)
        pieces.append(self.normal[position:end])
        return "".join(pieces)

    def time_candidates(self) -> Iterator[Candidate]:
        for mention in self.times:
            sentence = _sentence_of(self.spans, mention.start)
            if mention.period is not None and not self._states_period(mention, sentence):
                continue
            yield Candidate(
                kind=mention.kind,
                quote=self.text[mention.start : mention.end],
                start=mention.start,
                end=mention.end,
                sentence_start=sentence[0],
                sentence_end=sentence[1],
                period=mention.period,
                date=mention.date,
            )

    def _states_period(self, mention: TimeMention, sentence: tuple[int, int]) -> bool:
        """Whether a named period is the period of something (上半年,全县实现… / 上半年新签约项目27个),
        not part of a phrase (完成全年目标任务, 上半年工作虽然…). Month ranges always are."""
        if "月" in self.normal[mention.start : mention.end]:  # vocabulary: a pattern of the sources' text
            return True
        if _PERIOD_FOLLOWS.match(self.normal, mention.end, mention.end + 2):
            return True
        return self._figure_between(mention.end, sentence[1])

    def project_names(self) -> list[tuple[int, int, str]]:
        """(start, end, name) of the projects the text names, in order: found by their head word
        (…项目) or known to the catalogue."""
        spans = {start: (end, name) for start, end, name in project_names(self.normal)}
        if self.lexicon.known_names is not None:
            named = Spans((start, end) for start, (end, _) in spans.items())
            for match in self.lexicon.known_names.finditer(self.normal):
                if not named.covers(match.start()):
                    spans[match.start()] = (match.end(), match.group())
        return [(start, end, name) for start, (end, name) in sorted(spans.items())]

    def project_candidates(self, names: list[tuple[int, int, str]]) -> list[Candidate]:
        return [
            self._project(start, end, name, _sentence_of(self.spans, start)) for start, end, name in names
        ]

    def _project(self, start: int, end: int, name: str, sentence: tuple[int, int]) -> Candidate:
        clause_from = self._clause_start(sentence[0], start)
        investment = None
        if amount := self._investment(clause_from, sentence[1], start):
            investment = {
                "quote": self.text[amount.start : amount.end],
                "start": amount.start,
                "end": amount.end,
                "value": f"{amount.value:f}",
                "unit": amount.unit,
                "scale": amount.scale,
                "currency": amount.currency,
                "qualifier": amount.qualifier,
            }
        capacity = _CAPACITY.search(self.normal, start, end) or self._capacity(clause_from, sentence)
        return Candidate(
            kind=CandidateKind.PROJECT,
            quote=self.text[start:end],
            start=start,
            end=end,
            sentence_start=sentence[0],
            sentence_end=sentence[1],
            subject=(subject := self._subject_zone(start)),
            subject_kind="zone" if subject else "",
            name=name,
            capacity=capacity.group() if capacity else "",
            stage=self._stage(sentence, start, end),
            investment=investment,
            value_kind="actual",
        )

    def _investment(self, clause_from: int, sentence_end: int, start: int) -> Figure | None:
        """The amount invested nearest to a project's name in its clause and the rest of its
        sentence (投资 within 8 characters before it), the earlier one of two as near."""
        first = bisect_left(self.investment_starts, clause_from)
        stop = bisect_left(self.investment_starts, sentence_end)
        # 投资 before the clause does not count: only the first few can have read it there.
        while first < stop and not self._invested(self.investment_starts[first], clause_from):
            first += 1
        middle = bisect_left(self.investment_starts, start, first, stop)
        before = self.investments[middle - 1] if middle > first else None
        after = self.investments[middle] if middle < stop else None
        if before is None or (after is not None and after.start - start < start - before.start):
            return after
        return before

    def _capacity(self, clause_from: int, sentence: tuple[int, int]) -> Match | None:
        """The first capacity (年产…) from a project's clause to its sentence's end."""
        if sentence[0] not in self._capacities:
            positions = self.outputs.between(*sentence)
            found = (_CAPACITY.match(self.normal, position, sentence[1]) for position in positions)
            self._capacities[sentence[0]] = Occurrences.of([match for match in found if match])
        return self._capacities[sentence[0]].first(clause_from, sentence[1])

    def _stage(self, sentence: tuple[int, int], start: int, end: int) -> str:
        """The furthest stage the events of a project's sentence reach, those inside its name
        left out. The stage is what has happened: 计划四季度投产 says nothing of it yet."""
        if sentence[0] not in self._stages:
            reached = [
                (match.start(), _stage_rank(_STAGE_OF_EVENT[_EVENTS[match.group()]]))
                for match in self.events.within(*sentence)
                if _EVENTS[match.group()] in _STAGE_OF_EVENT and not self._planned(sentence[0], match.start())
            ]
            positions, ranks = [position for position, _ in reached], [rank for _, rank in reached]
            self._stages[sentence[0]] = (positions, ranks, Counter(ranks))
        positions, ranks, all_counts = self._stages[sentence[0]]
        counts = all_counts.copy()  # a few stages, whatever the number of events
        counts.subtract(ranks[bisect_left(positions, start) : bisect_left(positions, end)])
        reached_ranks = [rank for rank, count in counts.items() if count > 0]
        return _STAGE_ORDER[max(reached_ranks)] if reached_ranks else ""

    def _planned(self, sentence_start: int, position: int) -> bool:
        """Whether the clause before `position` says it is yet to happen (计划, 预计, 将 …)."""
        return self.plans.last(self._clause_start(sentence_start, position), position) is not None

    def _date_of_event(self, begin: int, end: int, start: int, stop: int) -> DateRef | None:
        """The date of an event: in its clause, the one just before it (3月18日开工), else the one
        just after it (开工时间为3月18日); else the nearest in its sentence."""
        clause_from = self._clause_start(begin, start)
        clause_to = self._clause_end(stop, end)
        dates, starts, ends = self.dates, self.date_starts, self.date_ends
        index = bisect_right(ends, start) - 1  # dates do not overlap: ends are in order too
        if index >= 0 and dates[index].start >= clause_from:
            return dates[index].date
        index = bisect_left(starts, stop)
        if index < len(dates) and dates[index].start < clause_to:
            return dates[index].date

        def distance(d: TimeMention) -> int:
            return min(abs(d.end - start), abs(d.start - stop))

        near = [
            d
            for d in dates[bisect_right(ends, start - _NEAR_EVENT) : bisect_left(starts, stop + _NEAR_EVENT)]
            if begin <= d.start < end and distance(d) < _NEAR_EVENT
        ]
        return min(near, key=distance).date if near else None

    def milestone_candidates(self, projects: list[Candidate]) -> Iterator[Candidate]:
        by_sentence: dict[int, list[Candidate]] = {}
        for project in projects:
            by_sentence.setdefault(project.sentence_start, []).append(project)
        for begin, end in self.spans:
            subjects = by_sentence.get(begin)
            if not subjects:
                continue
            named = Spans((p.start, p.end) for p in subjects)
            subject_starts = [p.start for p in subjects]
            for match in self.events.within(begin, end):
                if named.covers(match.start()):
                    continue  # 开工 inside a project's name
                index = bisect_left(subject_starts, match.start()) - 1
                subject = subjects[index] if index >= 0 else subjects[0]
                date = self._date_of_event(begin, end, match.start(), match.end())
                planned = self._planned(begin, match.start())
                yield Candidate(
                    kind=CandidateKind.MILESTONE,
                    quote=self.text[match.start() : match.end()],
                    start=match.start(),
                    end=match.end(),
                    sentence_start=begin,
                    sentence_end=end,
                    subject=subject.name,
                    subject_kind="project",
                    name=subject.name,
                    event=_EVENTS[match.group()],
                    date=date,
                    value_kind="plan" if planned else "actual",
                )


_STAGE_ORDER = list(_STAGE_OF_EVENT.values())


def _stage_rank(stage: str) -> int:
    return _STAGE_ORDER.index(stage)


# vocabulary: a pattern of the sources' text
_NUMERAL_RUN = re.compile(r"[0-9]{1,20}(?:[.,][0-9]{1,20}){0,6}|[零〇一二两三四五六七八九十百千万亿]{2,20}")


def unread_numbers(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the numbers in `text` outside the `covered` spans (the candidates'), for the clerk
    to look at: what the extractor skipped as a name or a rank, or missed."""
    normal = text.translate(WIDTH)
    read = Spans(covered)
    return [match.span() for match in _NUMERAL_RUN.finditer(normal) if not read.covers(match.start())]


class TooManyCandidates(ValueError):
    """The text gives more candidates than one reading returns: `count` of them (at least, when
    `at_least`: the reading stopped as soon as it knew), `limit` at most. `message` says so, in
    the language active when it is read (as `str()` does)."""

    def __init__(self, count: int, *, limit: int, at_least: bool) -> None:
        self.count, self.limit, self.at_least = count, limit, at_least
        template = (
            _("正文中的候选事实过多(至少{count}条),一次最多提取{limit}条,请分成几段提取")
            if at_least
            else _("正文中的候选事实过多({count}条),一次最多提取{limit}条,请分成几段提取")
        )
        self.message = format_lazy(template, count=f"{count:,}", limit=f"{limit:,}")
        super().__init__(self.message)


def extract(
    text: str,
    *,
    year: int | None = None,
    lexicon: Lexicon | None = None,
    zone: str = "",
    max_candidates: int = MAX_CANDIDATES,
) -> list[Candidate]:
    """The candidate facts of `text`, in text order; each `quote == text[start:end]`.

    `year` is the year the text speaks of (for periods and dates that do not write one),
    `zone` the zone its figures belong to unless the text names another, `lexicon` the
    catalogue's names (built-in synonyms when None).

    Raises ValueError for a text longer than MAX_TEXT_LENGTH, TooManyCandidates for one giving
    more than `max_candidates`: none are returned then, rather than some silently. The count is
    checked as soon as it is known to be too high (the figures and dates alone, then with the
    projects named), before the context of each is read.
    """
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(
            format_lazy(_("文本过长({length}字),一次最多{limit}字"), length=len(text), limit=MAX_TEXT_LENGTH)
        )
    reader = _Reader(text, year=year, lexicon=lexicon or Lexicon(), zone=zone)
    if reader.certain_count > max_candidates:
        raise TooManyCandidates(reader.certain_count, limit=max_candidates, at_least=True)
    names = reader.project_names()
    if reader.certain_count + len(names) > max_candidates:
        raise TooManyCandidates(reader.certain_count + len(names), limit=max_candidates, at_least=True)
    projects = reader.project_candidates(names)
    candidates = [
        *reader.figure_candidates(),
        *reader.time_candidates(),
        *projects,
        *reader.milestone_candidates(projects),
    ]
    if len(candidates) > max_candidates:
        raise TooManyCandidates(len(candidates), limit=max_candidates, at_least=False)
    candidates.sort(key=lambda c: (c.start, c.end))
    return candidates


__all__ = ["MAX_CANDIDATES", "MAX_TEXT_LENGTH", "TooManyCandidates", "extract", "sentences", "unread_numbers"]
