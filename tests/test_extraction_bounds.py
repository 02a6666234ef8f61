"""Extraction does bounded work, linear in its text, whatever the text (issue 16: 48 KB of repeated
万 took 142 s of CPU, and 200,000 characters outlived gunicorn's timeout).

Work is counted, never timed: the lines of projects.extraction that run and the jumps its loops
make (sys.monitoring), plus the characters handed to each regular expression (every pattern of
the package wrapped in a counter while a text is read). What a pattern does inside the regular
expression engine is out of Python's sight: test_every_pattern_repeats_a_bounded_number_of_times
holds that half. With every repetition bounded, one attempt of a pattern costs at most a
constant, so the characters a pattern is handed bound its work.

An adversarial text is read three times, at 5,000, 10,000 and 20,000 characters: each doubling may
at most double the work (with a tenth to spare), and at 20,000 characters it may cost at most
ADVERSARIAL_BOUND times prose of the same length.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import random
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from re import _constants, _parser  # the parser of `re` (private, stable since 3.11): the test reads patterns

import pytest
from django.urls import reverse

import projects.extraction as package
from projects.extraction import (
    MAX_CANDIDATES,
    TooManyCandidates,
    extract,
    figures,
    lexicon,
    names,
    spans,
    times,
)
from projects.extraction.evaluation import load_annotated
from projects.i18n import in_english
from projects.models import ExtractedFact, SourceDocument, Zone, ZoneRole
from tests.factories import UserFactory, ZoneFactory, ZoneMembershipFactory

# The module, not the function the package exports under the same name.
extract_module = importlib.import_module("projects.extraction.extract")
MODULES = (extract_module, figures, lexicon, names, spans, times)
PACKAGE = str(Path(package.__file__).parent)
EVALUATION = str(Path(PACKAGE) / "evaluation")  # the scoring, not the extractor
REVIEW_PAGE = str(Path(package.__file__).parent.parent / "admin" / "text_entry.py")
CORPUS = sorted((Path(__file__).parent / "extraction_corpus").rglob("*.json"))
SIZES = (5_000, 10_000, 20_000)
# An adversarial text of 20,000 characters costs at most this many times prose of the same length:
# the densest, a figure every 2 characters (14 times as many as prose has), comes to 18 times.
ADVERSARIAL_BOUND = 20
GROWTH = 2.2  # the most a doubling of the text may multiply the work by


# ---------------------------------------------------------------------------------------------
# Counting work


class TooMuchWork(Exception):
    """Raised as soon as a reading exceeds its budget: a quadratic reading is stopped early."""


class Work:
    def __init__(self, budget: float) -> None:
        self.steps = 0
        self.characters = 0
        self.budget = budget

    @property
    def total(self) -> int:
        return self.steps + self.characters

    def charge(self, characters: int) -> None:
        self.characters += max(characters, 0)
        if self.total > self.budget:
            raise TooMuchWork(f"{self.total} operations, over the budget of {self.budget:.0f}")


class Counted:
    """A compiled pattern that charges `work` for the characters it is handed."""

    def __init__(self, pattern: re.Pattern[str], work: Work) -> None:
        self._pattern, self._work = pattern, work

    def __getattr__(self, name: str):
        return getattr(self._pattern, name)

    def _scan(self, string: str, pos: int, endpos: int) -> None:
        self._work.charge(min(endpos, len(string)) - pos)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        self._scan(string, pos, endpos)
        return self._pattern.search(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        self._scan(string, pos, endpos)
        return self._pattern.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        self._scan(string, pos, endpos)
        return self._pattern.findall(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        self._scan(string, pos, endpos)
        return self._pattern.fullmatch(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        self._work.charge(1)  # one attempt, of bounded width
        return self._pattern.match(string, pos, endpos)

    def sub(self, repl, string: str, count: int = 0):
        self._scan(string, 0, len(string))
        return self._pattern.sub(repl, string, count)


@contextmanager
def counting(budget: float = float("inf"), within: tuple[str, ...] = (PACKAGE,)) -> Iterator[Work]:
    """Count the work of projects.extraction (and the code in files under `within`) while in the
    block."""
    work = Work(budget)
    patch = pytest.MonkeyPatch()
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                patch.setattr(module, name, Counted(value, work))
    words = lexicon.Words
    patch.setattr(lexicon, "Words", lambda names: Counted(words(names), work))
    monitoring = sys.monitoring
    tool = next(tool for tool in range(6) if monitoring.get_tool(tool) is None)
    monitoring.use_tool_id(tool, "extraction work")

    def step(code, *_where):
        if code.co_filename.startswith(within) and not code.co_filename.startswith(EVALUATION):
            work.steps += 1
            return None
        return monitoring.DISABLE  # not the extractor's: never again

    # A line, and a jump: a loop written on one line (any(… for …)) runs no new line per turn.
    events = (monitoring.events.LINE, monitoring.events.JUMP)
    for event in events:
        monitoring.register_callback(tool, event, step)
    monitoring.set_events(tool, events[0] | events[1])
    try:
        yield work
    finally:
        monitoring.set_events(tool, 0)
        for event in events:
            monitoring.register_callback(tool, event, None)
        monitoring.free_tool_id(tool)
        monitoring.restart_events()
        patch.undo()


def work_of(text: str, budget: float = float("inf"), **options) -> int:
    """The work of reading `text`; a refusal for too many candidates is work done too."""
    with counting(budget) as work:
        try:
            extract(text, year=2022, **options)
        except TooManyCandidates:
            pass
    return work.total


# ---------------------------------------------------------------------------------------------
# Texts


def repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def prose(length: int) -> str:
    """The annotated corpus, repeated to `length` characters."""
    corpus = "\n".join(load_annotated(path).text for path in CORPUS)
    return repeat(corpus + "\n", length)


TOKENS = (
    "万 亿 千 百 万亿 1 23 4.5 6,000 一 二 十 % 、 至 - 元 亿元 个 家 项目 工程 公司 开工 投产 计划 "
    "预计 目标 实现 完成 同比增长 占 比重 年产 万吨 投资 总投资 1-5月 上半年 四季度 3月18日 2022年 经开区 "
    "“ ” （ ） 约 近 余 以上 左右 百分之 个百分点 倍 , 和 的 达 为"
).split()


def mixed(length: int) -> str:
    """Every kind of token the extractor looks for, in a random order (the same each time)."""
    choose = random.Random(16).choice
    pieces, size = [], 0
    while size < length:
        pieces.append(choose(TOKENS))
        size += len(pieces[-1])
    return "".join(pieces)[:length]


# Each reads one path of the extractor as often as a text can make it.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "scale characters": lambda n: repeat("万亿千百", n),  # the text
    "scales after digits": lambda n: repeat("1万", n),
    "Chinese numerals": lambda n: repeat("一二三四五六七八九十", n),
    "groups of thousands": lambda n: "1" + repeat(",000", n - 1),
    "ranges": lambda n: repeat("1至", n),
    "percent signs": lambda n: repeat("5%", n),  # the densest figures there can be
    "a list of amounts": lambda n: repeat("5亿元、", n),
    "figures in one sentence": lambda n: repeat("增长5亿元和", n),
    "counts after project heads": lambda n: repeat("项目3个", n),
    "target words": lambda n: repeat("预计完成投资5亿元和", n),
    "project heads": lambda n: repeat("项目", n),
    "nested brackets and quotes": lambda n: repeat("（“（“5”）”）", n),
    "dates of events": lambda n: repeat("3月18日开工", n),
    "halves read as dates": lambda n: repeat("上半年", n),
    "capacities of projects": lambda n: repeat("年产5万吨电池项目、", n),
    "mixed tokens": mixed,
}


@pytest.fixture(scope="module")
def prose_work() -> int:
    return work_of(prose(SIZES[-1]), max_candidates=sys.maxsize)


# ---------------------------------------------------------------------------------------------
# Linear work


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_work_grows_linearly_with_an_adversarial_text(name, prose_work):
    """Read whole (no limit on candidates), at 5,000, 10,000 and 20,000 characters."""
    budget = ADVERSARIAL_BOUND * prose_work  # at 20,000 characters; stops a quadratic reading early
    counts = [work_of(ADVERSARIAL[name](size), budget, max_candidates=sys.maxsize) for size in SIZES]
    assert counts[1] <= GROWTH * counts[0], counts
    assert counts[2] <= GROWTH * counts[1], counts
    assert counts[2] <= ADVERSARIAL_BOUND * prose_work, (counts, prose_work)


def test_prose_work_grows_linearly_too(prose_work):
    """The yardstick itself: prose, read whole."""
    half = work_of(prose(SIZES[-1] // 2), max_candidates=sys.maxsize)
    assert prose_work <= GROWTH * half


def patterns_of_the_extractor() -> dict[str, re.Pattern[str]]:
    found = {
        f"{module.__name__}.{name}": value
        for module in MODULES
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern)
    }
    return found


def unbounded(items) -> list[str]:
    """The repetitions without an upper bound in a parsed pattern, and in its groups and
    lookarounds."""
    found = []
    for op, argument in items:
        if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
            low, high, inner = argument
            if high == _constants.MAXREPEAT:
                found.append(f"{{{low},}} of {inner}")
            found += unbounded(inner)
        elif op is _constants.SUBPATTERN:
            found += unbounded(argument[-1])
        elif op is _constants.BRANCH:
            for branch in argument[1]:
                found += unbounded(branch)
        elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
            found += unbounded(argument[1])
        elif op is _constants.ATOMIC_GROUP:
            found += unbounded(argument)
        elif op is _constants.GROUPREF_EXISTS:
            found += unbounded(argument[1]) + (unbounded(argument[2]) if argument[2] else [])
    return found


def test_every_pattern_repeats_a_bounded_number_of_times():
    """`+`, `*` and `{n,}` let one attempt of a pattern run on to the end of the text, and be
    tried again from each character of a run: 万万万… cost the square of its length."""
    found = {
        name: repeats
        for name, pattern in patterns_of_the_extractor().items()
        if (repeats := unbounded(_parser.parse(pattern.pattern, pattern.flags)))
    }
    assert found == {}


MATCHING = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def test_the_extractor_has_no_pattern_outside_those_checked():
    """Every pattern is a compiled constant of its module, so that the test above sees them all
    (the catalogue's words are found by lexicon.Words, an Aho-Corasick automaton)."""
    calls = []
    for module in MODULES:
        tree = ast.parse(inspect.getsource(module))
        for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re"
                    and node.func.attr in MATCHING
                ):
                    calls.append(f"{module.__name__}.{function.name}: re.{node.func.attr}")
    assert calls == []


# ---------------------------------------------------------------------------------------------
# How many candidates


def test_a_text_giving_more_candidates_than_the_limit_is_refused_saying_how_many():
    with pytest.raises(TooManyCandidates) as refused:
        extract(repeat("5%", 2 * (MAX_CANDIDATES + 1)))
    assert (refused.value.count, refused.value.limit, refused.value.at_least) == (20_001, 20_000, True)
    assert "至少20,001条" in str(refused.value)
    assert "at least 20,001" in in_english(refused.value.message)


def test_the_limit_counts_every_kind_of_candidate():
    """A period is not counted before it is known to be stated: the last count is the exact one."""
    text = "1-5月,全区实现营业收入157.56亿元。"
    assert len(extract(text)) == 2
    with pytest.raises(TooManyCandidates) as refused:
        extract(text, max_candidates=1)
    assert (refused.value.count, refused.value.at_least) == (2, False)


def test_a_text_at_the_limit_is_read_whole():
    candidates = extract(repeat("5%", 2 * MAX_CANDIDATES))
    assert len(candidates) == MAX_CANDIDATES


# ---------------------------------------------------------------------------------------------
# Through the API and the admin

# The texts: 48 KB of scale characters (16,000 characters of three bytes), and texts of the
# maximum length (200,000 characters).
API_TEXTS = {
    "48 KB of scale characters": repeat("万亿千百", 16_000),
    "200,000 scale characters": repeat("万亿", 200_000),
    "200,000 characters of numbers": mixed(200_000),
    "200,000 characters of percent signs": repeat("5%", 200_000),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", API_TEXTS)
def test_the_api_reads_an_adversarial_text_within_the_linear_bound(name, api_client, prose_work):
    text = API_TEXTS[name]
    budget = ADVERSARIAL_BOUND * prose_work * len(text) / SIZES[-1]
    with counting(budget):
        response = api_client.post("/api/extract/", {"text": text, "year": 2022}, format="json")
    if response.status_code == 400:
        (error,) = response.json()["errors"]
        assert (error["field"], error["code"]) == ("text", "too_many_candidates"), error
    else:
        assert response.status_code == 200, response.content[:500]


@pytest.mark.django_db
def test_the_api_refuses_too_many_candidates_in_both_languages(api_client):
    response = api_client.post("/api/extract/", {"text": repeat("5%", 200_000)}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "请求数据有误 / Invalid request data"
    assert body["errors"] == [
        {
            "field": "text",
            "code": "too_many_candidates",
            "message": "正文中的候选事实过多(至少100,000条),一次最多提取20,000条,请分成几段提取",
            "message_en": "The text holds too many candidate facts (at least 100,000); at most 20,000 are "
            "extracted at a time: split it into parts.",
        }
    ]


@pytest.fixture
def editor_client(client, db):
    zone = ZoneFactory(name="新余高新区")
    editor = UserFactory()
    ZoneMembershipFactory(user=editor, zone=zone, role=ZoneRole.EDITOR)
    client.force_login(editor)
    return client


def test_the_admin_refuses_a_text_with_too_many_candidates_and_stores_nothing(editor_client):
    data = {"title": "满篇数字", "zone": Zone.objects.get().pk, "subject_year": "2023",
            "text": repeat("5%", 2 * (MAX_CANDIDATES + 1))}  # fmt: skip
    response = editor_client.post(reverse("admin:projects_sourcedocument_extract"), data)
    assert response.status_code == 200
    assert (
        "正文中的候选事实过多(至少20,001条),一次最多提取20,000条,请分成几段提取" in response.content.decode()
    )
    assert not SourceDocument.objects.exists()
    assert not ExtractedFact.objects.exists()


def test_reading_a_document_again_refuses_too_many_candidates_with_a_message(editor_client):
    zone = Zone.objects.get()
    document = SourceDocument.objects.create(
        key="dense",
        title="满篇数字",
        text=repeat("5%", 2 * (MAX_CANDIDATES + 1)),
        zone=zone,
        subject_year=2023,
    )
    review = reverse("admin:projects_sourcedocument_review", args=[document.pk])
    response = editor_client.post(review, {"extract": "1"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]][-1] == (
        "正文中的候选事实过多(至少20,001条),一次最多提取20,000条,请分成几段提取"
    )
    assert not document.extracted_facts.exists()


def test_the_review_page_marks_a_text_with_work_linear_in_its_numbers(editor_client):
    """The full text on the review page greys every number no fact covers: a stretch at a time,
    each looked up among the facts and numbers open there, not among them all."""
    zone = Zone.objects.get()

    def work_of_the_page(length: int) -> int:
        document = SourceDocument.objects.create(
            key=f"numbers-{length}", title="数字", text=repeat("号1、", length), zone=zone, subject_year=2023
        )
        with counting(within=(PACKAGE, REVIEW_PAGE)) as work:
            response = editor_client.get(reverse("admin:projects_sourcedocument_review", args=[document.pk]))
        assert response.status_code == 200
        greyed = response.content.decode().count('<span class="unread" title="未识别的数字">1</span>')
        assert greyed == document.text.count("1")
        return work.total

    assert work_of_the_page(20_001) <= GROWTH * work_of_the_page(10_002)


def test_the_catalogues_words_are_found_as_a_regular_expression_of_them_finds_them():
    """lexicon.Words replaces an alternation of the words, longest first (which tried every word
    at every character: a province's 70,000 names made 20,000 characters take 7 s), and finds the
    same: leftmost, the longest there, none overlapping."""
    choose = random.Random(16)
    for _ in range(200):
        words = [
            "".join(choose.choice("赣州经开区项目") for _ in range(choose.randint(1, 4))) for _ in range(6)
        ]
        text = "".join(choose.choice("赣州经开区项目的") for _ in range(60))
        alternation = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))
        found = lexicon.Words(words)
        assert [m.span() for m in found.finditer(text)] == [m.span() for m in alternation.finditer(text)]
        for position in range(len(text)):
            expected = alternation.match(text, position)
            actual = found.match(text, position)
            assert (actual and actual.span()) == (expected and expected.span()), (words, text, position)
