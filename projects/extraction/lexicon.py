"""The words the extractor knows: indicator names and their synonyms, zone names, and the
project and enterprise names already on record. Built-in general vocabulary plus what the
tracker holds, so that a new zone's text is read with the catalogue it will be recorded in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ahocorasick_rs import AhoCorasick, MatchKind

# How reports name the catalogue's indicators (DOMAIN.md's glossary), longest forms first when
# matched. Each maps to a metric code; codes the catalogue lacks are ignored.
METRIC_SYNONYMS: dict[str, str] = {
    "工业营收": "industrial_revenue",
    "工业营业收入": "industrial_revenue",
    "营业收入": "operating_revenue",
    "营收": "operating_revenue",
    "主营业务收入": "main_business_revenue",
    "工业总产值": "industrial_output",
    "规上工业总产值": "industrial_output",
    "规上工业增加值": "industrial_value_added",
    "规模以上工业增加值": "industrial_value_added",
    "工业增加值": "industrial_value_added",
    "固定资产投资": "fixed_asset_investment",
    "固投": "fixed_asset_investment",
    "工业固投": "industrial_fixed_asset_investment",
    "工业固定资产投资": "industrial_fixed_asset_investment",
    "工业投资": "industrial_fixed_asset_investment",
    "实际进资": "actual_funds",
    "现汇进资": "foreign_cash_funds",
    "研发投入": "rd_spending",
    "研发经费投入": "rd_spending",
    "利润总额": "total_profit",
    "利润": "total_profit",
    "工业税收": "industrial_tax",
    "签约项目": "signed_projects",
    "签约资金": "signed_investment",
    "签约金额": "signed_investment",
    "签约总额": "signed_investment",
    "规上企业": "above_size_enterprises",
    "规模以上企业": "above_size_enterprises",
    "规上工业企业": "above_size_enterprises",
    "新增规上企业": "new_above_size_enterprises",
    "新增规模以上企业": "new_above_size_enterprises",
    "总投资": "total_investment",
    "计划总投资": "total_investment",
    "年度计划投资": "planned_investment",
    "年度计划": "planned_investment",
    "计划投资": "planned_investment",
    "完成投资": "completed_investment",
    "完成年度计划投资": "completed_investment",
    "开工率": "start_rate",
    "完成率": "completion_rate",
    "超序时进度": "ahead_of_schedule",
    "超序进度": "ahead_of_schedule",
    "超时序进度": "ahead_of_schedule",
    "高于序时进度": "ahead_of_schedule",
    "完成年度计划投资率": "completion_rate",
    "投资完成率": "completion_rate",
    "计划完成率": "completion_rate",
    "年度计划完成率": "completion_rate",
}

ZONE_SUFFIXES = tuple(
    (
        "经济技术开发区 高新技术产业开发区 经济开发区 高新区 经开区 开发区 工业园区 "
        "产业园区 综保区 新区 工业园 产业园"
    ).split()
)


@dataclass(frozen=True)
class Lexicon:
    """`metrics`: phrase → metric code; `zones`: name or alias → the zone's name; `projects`
    and `enterprises`: names on record."""

    metrics: Mapping[str, str] = field(default_factory=lambda: dict(METRIC_SYNONYMS))
    metric_names: Mapping[str, str] = field(default_factory=dict)
    zones: Mapping[str, str] = field(default_factory=dict)
    projects: tuple[str, ...] = ()
    enterprises: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        metrics: Iterable[tuple[str, str]] = (),
        zones: Iterable[tuple[str, str]] = (),
        projects: Iterable[str] = (),
        enterprises: Iterable[str] = (),
    ) -> Lexicon:
        """From the catalogue: (code, name) of each metric, (surface form, zone name) of each
        zone name, full name and alias."""
        catalogue = dict(metrics)
        names = {variant: code for code, name in catalogue.items() for variant in _name_variants(name)}
        known = {phrase: code for phrase, code in METRIC_SYNONYMS.items() if code in catalogue}
        return cls(
            metrics=known | names,
            metric_names=catalogue,
            zones=dict(zones),
            projects=tuple(sorted(set(projects), key=len, reverse=True)),
            enterprises=tuple(sorted(set(enterprises), key=len, reverse=True)),
        )

    @cached_property
    def metric_pattern(self) -> Words:
        return Words(self.metrics)

    @cached_property
    def zone_pattern(self) -> Words | None:
        return Words(self.zones) if self.zones else None

    @cached_property
    def known_names(self) -> Words | None:
        names = [*self.projects, *self.enterprises]
        return Words(names) if names else None


def _name_variants(name: str) -> list[str]:
    """A catalogue name and how texts say it: 上市企业数 is written 上市企业28家, 签约项目数 签约项目20个."""
    variants = [name]
    for suffix in ("数量", "个数", "总额", "数", "额"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 3:
            variants.append(name[: -len(suffix)])
            break
    return variants


@dataclass(frozen=True)
class Found:
    """Where a word was found, asked as a regular expression's match is."""

    text: str
    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def span(self) -> tuple[int, int]:
        return self.begin, self.finish

    def group(self) -> str:
        return self.text[self.begin : self.finish]


class Words:
    """Where any of `words` stands in a text: the leftmost, the longest there, then on after it,
    as a regular expression of the words longest first finds them. An Aho-Corasick automaton
    (ahocorasick-rs) finds them in time linear in the text however many the words are: such a
    regular expression tries every word at every character, and a province's 50,000 project
    names made 20,000 characters take 7 s."""

    def __init__(self, words: Iterable[str]) -> None:
        chosen = tuple(sorted({word for word in words if word}, key=lambda word: (-len(word), word)))
        self.longest = len(chosen[0]) if chosen else 0
        self._automaton = _automaton(chosen) if chosen else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Found]:
        """The words in text[pos:endpos], in order, none overlapping another."""
        if self._automaton is None:
            return
        for _, start, end in self._automaton.find_matches_as_indexes(text[pos:endpos]):
            yield Found(text, pos + start, pos + end)

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> Found | None:
        """The longest word at `pos` (ending by `endpos`), or None."""
        end = pos + self.longest if endpos is None else min(endpos, pos + self.longest)
        first = next(self.finditer(text, pos, end), None)
        return first if first is not None and first.start() == pos else None


@lru_cache(maxsize=4)
def _automaton(words: tuple[str, ...]) -> AhoCorasick:
    """Built once per set of words in a process: a province's 70,000 project and firm names take
    a second and 28 MB, and every request reads the catalogue, which seldom changes. Four sets:
    the whole catalogue's and those of a few zones' users."""
    return AhoCorasick(words, matchkind=MatchKind.LeftmostLongest)
