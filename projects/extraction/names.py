"""Project names in running text (欣旺达南昌动力电池项目, 年产3.7亿平方米光伏玻璃成品项目).

A project is named by the words just before 项目/工程: a firm, a place, a product, a capacity,
a phase. Where the name begins is what plain patterns cannot tell (紧盯重点项目 is no project,
推进了一舟集团储能项目 names one after 了), so the text is segmented and part-of-speech tagged
with jieba (the rjieba binding of jieba-rs) and the name is the run of noun-like words before
the head word, stopping at verbs, function words and punctuation. A name made only of generic
words (重点、产业、招商 …) names no project.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate

import rjieba

HEADS = frozenset({"项目", "工程"})  # vocabulary: the words of the sources' project names
# The longest name looked for, in characters before the head word (29 at most in the annotated
# corpus): a name is read back word by word from its head, and 项目项目… must not make each head
# read back to the start of the text.
MAX_NAME_LENGTH = 80
# Tags of words that can stand inside a name: nouns of every kind, numerals and measures
# (年产10万吨), time words of phases (三期), distinguishing words (大中型), abbreviations.
_NAME_TAGS = ("n", "eng", "j", "b", "m", "q", "t", "a", "l", "i", "k", "h", "s", "z", "g")
# Verbs that occur inside project names (电池回收, 创新研究院, 换电).
# vocabulary: the words of the sources' project names
_NAME_VERBS = frozenset(
    (
        "创新 回收 制造 研发 生产 加工 储能 应用 配套 冶炼 检测 孵化 智造 循环 封装 装配 换电 扩建 迁建 综合"
    ).split()
)
_JOINERS = frozenset({"-", "—", "·", "(", ")", "（", "）", "+"})
# vocabulary: the words of the sources' project names
GENERIC = frozenset(
    (
        "重点 重大 产业 工业 招商 意向 大中型 续建 新建 在建 签约 新开工 开工 "
        "投产 竣工 民生 基础设施 政府 投资 社会 前期 储备 技改 省 市 区 县 "
        "全区 全市 全县 全省 园区 大 好 新 一批 各类 亿元 以上 市级 省级 "
        "优质 龙头 标志性 引领性 配套 建设 该 这些 其他 所有 全部 单个 每个 "
        "一个个 个 本 中 更多 优势 头部 外资 内资 央企 民营 合作 重大项目 "
        "大项目 好项目 类 级 亿 万 亿元级 百亿 十亿 千亿 批 项 大批 系列 各 "
        "及 等 多个 若干 一大批 精品 示范 试点 集中 一号 亿元以上 5020 "
        "50100 三个 两个 一个 该类 同类 相关 有关 部分 首批 第一批 第二批 "
        "列入 纳入 省大中型 城建 城市 农业 服务业 现代 数字 经济 文旅 民生类 "
        "产业类 工业类 补短板 专项 债券 专项债 PPP EPC 谈 在谈 已 未 "
        "改革 发展 医疗 教育 文化 旅游 交通 水利 能源 环保 住房 调度 推进 "
        "招引"
    ).split()
)


# vocabulary: the words of the sources' project names
_STOPS = frozenset(
    {"的", "了", "和", "与", "及", "落地", "推进", "加快", "抓好", "实施", "服务", "保障", "总"}
)


def _allowed(word: str, tag: str, following: str) -> bool:
    """Whether `word` (tagged `tag`, followed by a word tagged `following`) can be part of a name."""
    if word in _JOINERS:
        return True
    if word in _STOPS or word.endswith("元"):  # vocabulary: the words of the sources' project names
        return False
    if tag.startswith("v"):
        return word in _NAME_VERBS
    if tag == "f":
        if len(word) == 1:
            # vocabulary: the words of the sources' project names
            return word == "中" and following.startswith("n")  # 中电, 中建: 中 of 中国
        # vocabulary: the words of the sources' project names
        return word not in ("其中", "之中", "以上", "以下", "之间", "以来", "期间")
    return tag.startswith(_NAME_TAGS)


def _trim(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop what precedes a name: a count (13个), joiners, generic leading words."""
    first = 0
    while first < len(words) and (
        words[first][0] in _JOINERS
        or (words[first][1] == "q")
        or (
            words[first][1] == "m"
            and len(words) - first > 1
            and words[first + 1][1] == "q"
            and not _capacity_follows(words, first)
        )
    ):
        first += 1
    return words[first:]


def _capacity_follows(words: list[tuple[str, str]], first: int) -> bool:
    """3.7亿平方米光伏玻璃: a leading number with a unit is a capacity, part of the name."""
    # vocabulary: the words of the sources' project names
    return len(words) - first > 2 and words[first + 1][0] not in ("个", "项", "家", "批", "类", "大")


class _Tagged:
    """The words of a text with their tags and where each starts, and for each word where the run
    of words that can stand in a name before it begins: found once, so that no head word reads
    back over the words before it (项目项目… would read the whole text once per head)."""

    def __init__(self, text: str) -> None:
        self.words: list[tuple[str, str]] = rjieba.tag(text)
        self.starts = list(accumulate((len(word) for word, _ in self.words), initial=0))[:-1]
        following = [tag for _, tag in self.words[1:]] + [""]
        self.run_starts = [0]
        for index, ((word, tag), next_tag) in enumerate(zip(self.words, following, strict=True)):
            self.run_starts.append(self.run_starts[-1] if _allowed(word, tag, next_tag) else index + 1)

    def name_start(self, index: int) -> int:
        """Index of the first word of the name that ends just before word `index`: words that can
        stand in a name, back to MAX_NAME_LENGTH characters."""
        longest = bisect_left(self.starts, self.starts[index] - MAX_NAME_LENGTH, 0, index)
        return max(self.run_starts[index], longest)


def _is_name(words: list[tuple[str, str]]) -> bool:
    if not words or all(w in GENERIC or t in ("m", "q") for w, t in words):
        return False
    text = "".join(w for w, _ in words)
    # vocabulary: the words of the sources' project names
    return not (len(text) <= 4 and text[-1] in "区县市省")  # 赣县区工程: a zone, not a project


def project_names(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of the projects named in `text`. The span is the name as written, head
    word included; in a list (创基真无线耳机、东超科技等项目) each item is a span of its own, named
    with the head word added (创基真无线耳机项目)."""
    words_of = _Tagged(text)
    tagged, starts = words_of.words, words_of.starts
    for index, (word, _tag) in enumerate(tagged):
        if word not in HEADS:
            continue
        if index > 0 and tagged[index - 1][0] == "等":  # vocabulary: the words of the sources' project names
            for start, end in _listed(words_of, index - 1):
                start = _after_de(text, start, end)
                yield start, end, text[start:end] + word
            continue
        first = words_of.name_start(index)
        words = _trim(tagged[first:index])
        if not _is_name(words):
            continue
        name_start = starts[index - len(words)]
        name_end = starts[index] + len(word)
        name_start = _after_de(text, name_start, name_end)
        if name_end - name_start >= 5:
            yield name_start, name_end, text[name_start:name_end]


def _after_de(text: str, start: int, end: int) -> int:
    """A name starts after the last 的 before it, even where the segmenter joined 的 to the word
    before it (应用端的吉利新能源商用车)."""
    return text.rfind("的", start, end) + 1 or start  # vocabulary: the words of the sources' project names


def _listed(words_of: _Tagged, end_index: int) -> list[tuple[int, int]]:
    """The items of 甲、乙和丙等项目, last to first."""
    tagged, starts = words_of.words, words_of.starts
    items = []
    index = end_index
    while True:
        first = words_of.name_start(index)
        words = _trim(tagged[first:index])
        if _is_name(words):
            start = starts[index - len(words)]
            end = starts[index]
            if end - start >= 2:
                items.append((start, end))
        separator = tagged[first - 1][0] if first > 0 else ""
        # vocabulary: the words of the sources' project names
        if separator not in ("、", "和", "及", "与", "以及") or first == index:
            break
        index = first - 1
    return items[::-1]
