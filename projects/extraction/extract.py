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
from collections.abc import Iterable, Iterator

from .candidates import Candidate, CandidateKind, DateRef, Measure, PeriodRef
from .figures import WIDTH, Figure, scan_figures
from .lexicon import ZONE_SUFFIXES, Lexicon
from .names import project_names
from .times import TimeMention, scan_times

MAX_TEXT_LENGTH = 200_000

_SENTENCE_END = "。！？!?;；\n"
_CLOSERS = "”’」』)）"
_CLAUSE_BREAK = re.compile(r"[,，;；:：、。!！?？\n]")
_GROWTH = re.compile(
    r"(?:同比|比上年|较上年|比去年|较去年|环比)?(?:增长|增加|提高|上升|上涨|增速|增幅|提升)(?:了|为|达到?|至)?$"
)
_DECLINE = re.compile(
    r"(?:同比|比上年|较上年|比去年|较去年|环比)?(?:下降|减少|回落|降低|下滑|收窄)(?:了|为|至)?$"
)
_SHARE = re.compile(r"占(?:比|.{0,12}(?:比重|比例|的))?(?:为|达到?)?$")
_TARGET_WORDS = re.compile(r"预计|预期|力争|确保|争取|计划|目标|任务|要求|拟|将达到?|要达到?|突破目标")
_ACTUAL_WORDS = re.compile(r"实现|完成|达到|已|累计|同比|截至|共")
_VERBS = re.compile(
    r"^(?:其中|全年|全区|该区|全县|全市|园区|今年|累计|共计|共有|共|实现了|实现|完成了|完成|达到|达|为|有|分别|"
    r"总计|合计|同比|比上年|较上年|约|已经|已|拥有)+"
)
_VERB_TAIL = re.compile(
    r"(?:达到|达|为|是|实现|完成|共|合计|累计|分别为|分别|约|超过|超|突破|同比|增长|增速|增幅|新增|有|了)+$"
)
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
_PLANNED = re.compile(r"计划|预计|力争|确保|争取|将|拟|有望|年内|即将|准备")
_CAPACITY = re.compile(r"年产(?:能)?[^,，。;；、]{1,30}?(?=项目|生产线|的|,|，|。|;|；|、|$)")
_ZONE_GENERIC = re.compile(r"(?P<name>[\u4e00-\u9fa5]{2,4}(?:" + "|".join(ZONE_SUFFIXES) + r"))")
_NOUN_AFTER = re.compile(
    r"[^\s,，。;；:：、()（）的中里]{2,16}?(?:企业|项目|公司|工程|单位|机构|园区|平台|基地|人才|家|户)"
)
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


def _clause_start(text: str, sentence_start: int, position: int) -> int:
    for index in range(position - 1, sentence_start - 1, -1):
        if _CLAUSE_BREAK.match(text, index):
            return index + 1
    return sentence_start


def _measure(kind: str, lead: str) -> str:
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


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The last match of `pattern` in `text`: the words nearest to what follows."""
    last = None
    for last in pattern.finditer(text):  # noqa: B007
        pass
    return last


def _value_kind(text: str, sentence_start: int, position: int) -> str:
    before = text[sentence_start:position]
    target = _last(_TARGET_WORDS, before)
    if target is None:
        return "actual"
    clause = text[_clause_start(text, sentence_start, position) : position]
    if re.search("预计|预期", clause) and target.group() not in ("目标", "任务"):
        return "forecast"
    if _ACTUAL_WORDS.search(before, target.end()) and "目标" not in before[target.start() :]:
        clause = text[_clause_start(text, sentence_start, position) : position]
        if not _TARGET_WORDS.search(clause):
            return "actual"
    word = target.group()
    if word in ("预计", "预期"):
        return "forecast"
    if word in ("计划",):
        return "plan"
    return "target"


class _Reader:
    """One pass over one text."""

    def __init__(self, text: str, *, year: int | None, lexicon: Lexicon, zone: str) -> None:
        self.text = text
        self.normal = text.translate(WIDTH)
        self.year = year
        self.lexicon = lexicon
        self.zone = zone
        self.spans = sentences(self.normal)
        names = [match.span() for match in _SHORT_QUOTE.finditer(self.normal)]
        self.figures = [f for f in scan_figures(text) if not _inside(f.start, names)]
        self.times = [self._settle(m) for m in scan_times(text, year) if not _inside(m.start, names)]
        self.zones = self._zone_mentions()
        self.mentions = sorted(
            [(m.start, m.end) for m in self.times] + [(f.start, f.end) for f in self.figures]
        )

    # --- context

    def _settle(self, mention: TimeMention) -> TimeMention:
        """A quarter or half that reads as a date is the period of a figure stated in its clause
        (四季度还要完成投资53亿元), or in the clause it heads (二季度,全区要完成…)."""
        if mention.as_period is None:
            return mention
        sentence_end = _sentence_of(self.spans, mention.start)[1]
        clause = _CLAUSE_BREAK.search(self.normal, mention.end, sentence_end)
        clause_end = clause.start() if clause else sentence_end
        if clause and clause.start() == mention.end and clause.group() in ",，":
            following = _CLAUSE_BREAK.search(self.normal, mention.end + 1, sentence_end)
            clause_end = following.start() if following else sentence_end
        if any(mention.end <= figure.start < clause_end for figure in self.figures):
            return TimeMention(CandidateKind.PERIOD, mention.start, mention.end, period=mention.as_period)
        return mention

    def _zone_mentions(self) -> list[tuple[int, str]]:
        found: dict[int, str] = {}
        if self.lexicon.zone_pattern is not None:
            for match in self.lexicon.zone_pattern.finditer(self.normal):
                found[match.start()] = self.lexicon.zones[match.group()]
        for match in _ZONE_GENERIC.finditer(self.normal):
            name = match["name"]
            if name.startswith(_NOT_ZONE_START) or any(
                start <= match.start() < start + len(known) for start, known in found.items()
            ):
                continue
            found.setdefault(match.start(), name)
        return sorted(found.items())

    def _subject_zone(self, position: int) -> str:
        latest = self.zone
        for start, name in self.zones:
            if start >= position:
                break
            latest = name
        return latest

    def _period(self, sentence: tuple[int, int], position: int) -> PeriodRef | None:
        """The period a figure is stated for: the last one before it in its sentence, else the
        last one in the sentences of its paragraph before it."""
        paragraph_start = self.normal.rfind("\n", 0, sentence[0]) + 1
        latest = None
        for mention in self.times:
            if mention.start >= position:
                break
            if mention.period is not None and mention.start >= paragraph_start:
                latest = mention.period
        if latest is None:
            for mention in self.times:
                if mention.start >= position:
                    break
                if (
                    mention.date is not None
                    and mention.date.precision == "year"
                    and mention.start >= paragraph_start
                ):
                    year = mention.date.date.year if mention.date.date else None
                    latest = PeriodRef(year, 1, 12, mention.date.text)
        return latest

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
        clause_start = _clause_start(text, sentence[0], figure.start)
        lead = text[clause_start : figure.start]
        measure = _measure(figure.kind, lead)
        metric, code = "", ""
        found = _last(self.lexicon.metric_pattern, lead)
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
            metric = _raw_metric(self._words_only(clause_start, figure.start))
            if figure.kind == CandidateKind.COUNT and (after := self._noun_after(figure.end)):
                # 90家专精特新企业, 52个在建项目: a count's noun may follow it
                known = self.lexicon.metric_pattern.match(after)
                metric, code = (
                    (known.group(), self.lexicon.metrics[known.group()]) if known else (metric or after, "")
                )
        same_sentence = previous is not None and previous.sentence_start == sentence[0]
        value_kind = _value_kind(text, sentence[0], figure.start)
        subject = self._subject_zone(figure.start)
        if same_sentence and measure != Measure.LEVEL and not _TARGET_WORDS.search(lead):
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
        for other_start, other_end in self.mentions:
            if other_end <= position or other_start >= end:
                continue
            pieces.append(self.normal[position:other_start])
            position = max(position, other_end)
        pieces.append(self.normal[position:end])
        return "".join(pieces)

    def time_candidates(self) -> Iterator[Candidate]:
        figure_starts = [figure.start for figure in self.figures]
        for mention in self.times:
            sentence = _sentence_of(self.spans, mention.start)
            if mention.period is not None and not _states_period(
                self.normal, mention, sentence, figure_starts
            ):
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

    def project_candidates(self) -> list[Candidate]:
        spans = {start: (end, name) for start, end, name in project_names(self.normal)}
        if self.lexicon.known_names is not None:
            for match in self.lexicon.known_names.finditer(self.normal):
                if not any(start <= match.start() < end for start, (end, _) in spans.items()):
                    spans[match.start()] = (match.end(), match.group())
        found = []
        for start, (end, name) in sorted(spans.items()):
            sentence = _sentence_of(self.spans, start)
            found.append(self._project(start, end, name, sentence))
        return found

    def _project(self, start: int, end: int, name: str, sentence: tuple[int, int]) -> Candidate:
        text = self.normal
        clause_from = _clause_start(text, sentence[0], start)
        near = [
            f
            for f in self.figures
            if f.kind == CandidateKind.AMOUNT
            and clause_from <= f.start < sentence[1]
            and re.search(r"总投资|投资", text[max(clause_from, f.start - 8) : f.start])
        ]
        investment = None
        if near:
            amount = min(near, key=lambda f: abs(f.start - start))
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
        capacity = _CAPACITY.search(self.normal, start, end) or _CAPACITY.search(
            text, clause_from, sentence[1]
        )
        # The stage is what has happened: 计划四季度投产 says nothing of it yet.
        events = [
            _EVENTS[match.group()]
            for match in _EVENT.finditer(text, sentence[0], sentence[1])
            if not (start <= match.start() < end)
            and not _PLANNED.search(text, _clause_start(text, sentence[0], match.start()), match.start())
        ]
        stage = max((_STAGE_OF_EVENT[e] for e in events if e in _STAGE_OF_EVENT), key=_stage_rank, default="")
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
            stage=stage,
            investment=investment,
            value_kind="actual",
        )

    def _date_of_event(
        self, dates: list[TimeMention], begin: int, end: int, start: int, stop: int
    ) -> DateRef | None:
        """The date of an event: in its clause, the one just before it (3月18日开工), else the one
        just after it (开工时间为3月18日); else the nearest in its sentence."""
        clause_from = _clause_start(self.normal, begin, start)
        clause_break = _CLAUSE_BREAK.search(self.normal, stop, end)
        clause_to = clause_break.start() if clause_break else end
        before = [d for d in dates if clause_from <= d.start and d.end <= start]
        if before:
            return max(before, key=lambda d: d.end).date
        after = [d for d in dates if stop <= d.start < clause_to]
        if after:
            return min(after, key=lambda d: d.start).date
        near = [
            d for d in dates if begin <= d.start < end and min(abs(d.end - start), abs(d.start - stop)) < 20
        ]
        return min(near, key=lambda d: min(abs(d.end - start), abs(d.start - stop))).date if near else None

    def milestone_candidates(self, projects: list[Candidate]) -> Iterator[Candidate]:
        by_sentence: dict[int, list[Candidate]] = {}
        for project in projects:
            by_sentence.setdefault(project.sentence_start, []).append(project)
        dates = [m for m in self.times if m.date is not None]
        for begin, end in self.spans:
            subjects = by_sentence.get(begin)
            if not subjects:
                continue
            for match in _EVENT.finditer(self.normal, begin, end):
                if any(p.start <= match.start() < p.end for p in subjects):
                    continue  # 开工 inside a project's name
                subject = max(
                    (p for p in subjects if p.start < match.start()), key=lambda p: p.start, default=None
                )
                subject = subject or subjects[0]
                clause_from = _clause_start(self.normal, begin, match.start())
                date = self._date_of_event(dates, begin, end, match.start(), match.end())
                planned = bool(_PLANNED.search(self.normal, clause_from, match.start()))
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


def _states_period(
    text: str, mention: TimeMention, sentence: tuple[int, int], figure_starts: list[int]
) -> bool:
    """Whether a named period is the period of something (上半年,全县实现… / 上半年新签约项目27个),
    not part of a phrase (完成全年目标任务, 上半年工作虽然…). Month ranges always are."""
    if "月" in text[mention.start : mention.end]:
        return True
    if re.match(r"[,，]|以来", text[mention.end : mention.end + 2]):
        return True
    return any(mention.end <= start < sentence[1] for start in figure_starts)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in spans)


_STAGE_ORDER = list(_STAGE_OF_EVENT.values())


def _stage_rank(stage: str) -> int:
    return _STAGE_ORDER.index(stage)


_NUMERAL_RUN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[零〇一二两三四五六七八九十百千万亿]{2,}")


def unread_numbers(text: str, covered: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the numbers in `text` outside the `covered` spans (the candidates'), for the clerk
    to look at: what the extractor skipped as a name or a rank, or missed."""
    normal = text.translate(WIDTH)
    covered = sorted(covered)
    spans = []
    for match in _NUMERAL_RUN.finditer(normal):
        if not any(start <= match.start() < end for start, end in covered):
            spans.append(match.span())
    return spans


def extract(
    text: str, *, year: int | None = None, lexicon: Lexicon | None = None, zone: str = ""
) -> list[Candidate]:
    """The candidate facts of `text`, in text order; each `quote == text[start:end]`.

    `year` is the year the text speaks of (for periods and dates that do not write one),
    `zone` the zone its figures belong to unless the text names another, `lexicon` the
    catalogue's names (built-in synonyms when None).
    """
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"文本过长({len(text)}字),一次最多{MAX_TEXT_LENGTH}字")
    reader = _Reader(text, year=year, lexicon=lexicon or Lexicon(), zone=zone)
    projects = reader.project_candidates()
    candidates = [
        *reader.figure_candidates(),
        *reader.time_candidates(),
        *projects,
        *reader.milestone_candidates(projects),
    ]
    candidates.sort(key=lambda c: (c.start, c.end))
    return candidates


__all__ = ["MAX_TEXT_LENGTH", "extract", "sentences", "unread_numbers"]
