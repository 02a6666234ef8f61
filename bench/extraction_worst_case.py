"""The longest a text of the maximum length keeps the extractor busy: `python -m bench.extraction_worst_case`.

Each text is MAX_TEXT_LENGTH characters built to load one path of projects.extraction (the same
kinds as tests/test_extraction_bounds.py, which counts their work instead of timing it), read as
POST /api/extract/ reads it: extract() with the default limit on candidates, then every candidate
as JSON. Prints the CPU seconds of each (the best of BENCH_REPEAT runs, default 3), worst first.
Not a test: the figures depend on the machine; docs/security.md records one run.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()

from projects.extraction import MAX_TEXT_LENGTH, TooManyCandidates, extract  # noqa: E402


def repeat(unit: str, length: int = MAX_TEXT_LENGTH) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def mixed(length: int = MAX_TEXT_LENGTH) -> str:
    tokens = (
        "万 亿 千 百 1 23 4.5 6,000 一 十 % 、 至 元 亿元 个 家 项目 公司 开工 投产 计划 预计 "
        "目标 实现 同比增长 占 年产 万吨 投资 1-5月 上半年 四季度 3月18日 2022年 经开区 “ ” 约 余 以上 "
        "百分之 , 和 的"
    ).split()
    choose, pieces, size = random.Random(16).choice, [], 0
    while size < length:
        pieces.append(choose(tokens))
        size += len(pieces[-1])
    return "".join(pieces)[:length]


TEXTS: dict[str, Callable[[], str]] = {
    "scale characters 万亿千百": lambda: repeat("万亿千百"),
    "Chinese numerals": lambda: repeat("一二三四五六七八九十"),
    "groups of thousands": lambda: "1" + repeat(",000", MAX_TEXT_LENGTH - 1),
    "percent signs 5%": lambda: repeat("5%"),
    "a list of amounts 5亿元、": lambda: repeat("5亿元、"),
    "figures in one sentence": lambda: repeat("增长5亿元和"),
    "target words, 20,000 figures": lambda: repeat("计划完成目标5亿元已"),
    "growth rates, 18,000 figures": lambda: repeat("营业收入同比增长5%和"),
    "counts after project heads": lambda: repeat("项目3个"),
    "project heads 项目": lambda: repeat("项目"),
    "generic project heads": lambda: repeat("重点产业招商项目"),
    "dates of events": lambda: repeat("3月18日开工"),
    "halves read as dates": lambda: repeat("上半年"),
    "capacities of projects": lambda: repeat("年产5万吨电池项目、"),
    "mixed tokens": mixed,
}


def read(text: str) -> str:
    """What the API does with a text: its candidates as JSON, or the refusal."""
    try:
        candidates = extract(text, year=2022)
    except TooManyCandidates as refusal:
        return f"refused: {refusal.count:,} candidates"
    json.dumps([candidate.to_dict() for candidate in candidates], ensure_ascii=False, default=str)
    return f"{len(candidates):,} candidates"


def main() -> None:
    repeat_runs = int(os.environ.get("BENCH_REPEAT", "3"))
    read("全区实现营业收入157.56亿元。")  # the segmenter loads its dictionary once
    rows = []
    for name, build in TEXTS.items():
        text = build()
        best, outcome = float("inf"), ""
        for _ in range(repeat_runs):
            started = time.process_time()
            outcome = read(text)
            best = min(best, time.process_time() - started)
        rows.append((best, name, outcome))
    print(f"{MAX_TEXT_LENGTH:,} characters each, CPU seconds (best of {repeat_runs}):")
    for seconds, name, outcome in sorted(rows, reverse=True):
        print(f"  {seconds:6.2f} s  {name:32s} {outcome}")


if __name__ == "__main__":
    main()
