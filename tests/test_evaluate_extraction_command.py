"""`manage.py evaluate_extraction`: the table of gold, candidates, matches, precision and recall per
file and in total, recall only for the seed fixture, errors listed on demand, the report as JSON,
and exit status 1 when a threshold is missed."""

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from projects.extraction.evaluation import load_fixture

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seeds.yaml"
TEXT = "1至5月,全区实现营业收入157.56亿元,同比增长12.24%,新增企业12家。"


def fact(kind: str, quote: str, **fields) -> dict:
    start = TEXT.index(quote)
    return {"kind": kind, "quote": quote, "start": start, "end": start + len(quote), **fields}


# 12家 is left unannotated: a false candidate. 全区 is annotated as a count no extractor reads
# there: a miss.
FACTS = [
    fact("period", "1至5月", start_month=1, end_month=5),
    fact("amount", "157.56亿元", value="157.56", value_upper=None, unit="亿元", qualifier=""),
    fact("percent", "12.24%", value="12.24", value_upper=None, unit="%", qualifier=""),
]
MISSED = fact("count", "全区", value="1", unit="个")


def annotated_file(folder: Path, facts: list[dict], name: str = "01_test.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    body = {"title": "测试", "genre": "news", "year": 2022, "text": TEXT, "facts": facts}
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("evaluate_extraction", *args, stdout=out)
    return out.getvalue()


def final_table(output: str) -> dict[str, list[str]]:
    """The rows of the final (total) table by label: gold, candidates, matched, precision %,
    recall %, exact spans %."""
    lines = output.split("【合计】", 1)[1].splitlines()[2:]
    rows = {}
    for line in lines:
        label, *cells = line.split()
        rows[label] = cells
        if label == "合计":
            return rows
    raise AssertionError(output)


def total_row(output: str) -> list[str]:
    return final_table(output)["合计"]


def test_the_table_gives_the_figures_of_an_annotated_file(tmp_path):
    output = run(str(annotated_file(tmp_path, FACTS)))
    assert "【01_test.json】标注文本" in output
    assert total_row(output) == ["3", "4", "3", "75.0", "100.0", "100.0"]
    # Per kind: the unannotated 12家 is a count candidate that matched nothing.
    assert final_table(output)["数量"] == ["0", "1", "0", "0.0", "—", "—"]
    assert "总召回率:100.0%(3/3)" in output
    assert "总精确率:75.0%(3/4)" in output
    assert re.search(r"提取速度:\d+字用时[\d.]+秒", output)
    assert "原文一致:全部候选的原文与正文第start–end字一致" in output


def test_the_lexicon_used_is_named(tmp_path, seeded):
    output = run(str(annotated_file(tmp_path, FACTS)))
    assert output.startswith("词表:数据库中的目录(指标66个")


def test_the_built_in_lexicon_is_used_without_a_catalogue(tmp_path):
    assert run(str(annotated_file(tmp_path, FACTS))).startswith("词表:内置词表(数据库中没有指标目录)")


def test_errors_are_shown_with_their_sentences(tmp_path):
    output = run(str(annotated_file(tmp_path, [*FACTS, MISSED])), "--show-errors")
    misses = output.split("漏识(1条):", 1)[1].split("误识", 1)[0]
    assert "数量“1个”@" in misses
    assert TEXT in misses
    false = output.split("误识(1条):", 1)[1]
    assert "数量“12家”" in false
    assert TEXT in false


def test_the_chosen_kinds_only(tmp_path):
    output = run(str(annotated_file(tmp_path, FACTS)), "--kinds", "amount,percent")
    assert list(final_table(output)) == ["金额", "百分比", "合计"]
    assert total_row(output) == ["2", "2", "2", "100.0", "100.0", "100.0"]
    with pytest.raises(CommandError, match="未知的类型:money"):
        run(str(annotated_file(tmp_path, FACTS)), "--kinds", "amount,money")


def test_the_seed_fixture_gives_recall_only():
    output = run(str(FIXTURE))
    gold = sum(len(text.facts) for text in load_fixture(FIXTURE))
    found = re.search(r"夹具召回率:([\d.]+)%\((\d+)/(\d+)\)", output)
    assert found, output
    assert int(found[3]) == gold
    assert 0 < int(found[2]) <= gold
    assert float(found[1]) == pytest.approx(round(int(found[2]) / gold * 100, 1))
    assert "注:夹具只记录与项目有关的事实" in output
    assert "总精确率" not in output
    assert total_row(output)[3] == "—"  # no precision
    assert all(f"【seed-00{n}】夹具" in output for n in range(5))


def test_folders_and_groups(tmp_path):
    annotated_file(tmp_path / "dev", FACTS, "a.json")
    annotated_file(tmp_path / "heldout", [*FACTS, MISSED], "b.json")
    output = run(str(tmp_path), "--group")
    assert f"【小计 {tmp_path / 'dev'}】1篇" in output
    assert f"【小计 {tmp_path / 'heldout'}】1篇" in output
    assert total_row(output)[:3] == ["7", "8", "6"]


def test_thresholds_missed_exit_with_status_1(tmp_path):
    path = str(annotated_file(tmp_path, [*FACTS, MISSED]))  # recall 3/4, precision 3/4
    with pytest.raises(CommandError) as missed:
        run(path, "--min-recall", "0.95", "--min-precision", "0.9")
    assert missed.value.returncode == 1
    assert str(missed.value) == "未达标:召回率 75.00% 低于要求的 95.00%;精确率 75.00% 低于要求的 90.00%"
    with pytest.raises(CommandError, match=r"精确率 75\.00%"):
        run(path, "--min-precision", "0.9")
    output = run(path, "--min-recall", "0.75", "--min-precision", "0.75")
    assert "总召回率:75.0%(3/4)" in output


def test_the_exit_status_of_the_process(tmp_path):
    path = str(annotated_file(tmp_path, [*FACTS, MISSED]))
    env = {**os.environ, "DEBUG": "true", "SECRET_KEY": "x"}
    command = [sys.executable, "manage.py", "evaluate_extraction", path]
    kwargs = {"cwd": settings.BASE_DIR, "env": env, "capture_output": True, "text": True, "timeout": 120}
    failed = subprocess.run([*command, "--min-recall", "0.95"], **kwargs, check=False)
    assert failed.returncode == 1, failed.stderr
    assert "未达标:召回率 75.00% 低于要求的 95.00%" in failed.stderr
    assert "词表:" in failed.stdout
    passed = subprocess.run([*command, "--min-recall", "0.7"], **kwargs, check=False)
    assert passed.returncode == 0, passed.stderr


def test_the_report_is_written_as_json(tmp_path):
    target = tmp_path / "report.json"
    output = run(str(annotated_file(tmp_path, [*FACTS, MISSED])), "--json", str(target))
    assert f"评估结果已写入 {target}" in output
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["lexicon"].startswith("内置词表")
    assert report["total"]["gold"] == 4
    assert report["total"]["matched"] == 3
    assert report["total"]["recall"] == 0.75
    assert report["total"]["precision"] == 0.75
    assert report["texts"][0]["name"] == "01_test.json"
    assert report["texts"][0]["kinds"]["amount"]["matched"] == 1
    assert [m["fact"] for m in report["misses"]] == ["1个"]
    assert [f["candidate"]["quote"] for f in report["false_candidates"]] == ["12家"]
    assert report["characters"] == len(TEXT)
    assert report["characters_per_second"] > 0


def test_bad_input_is_refused_in_chinese(tmp_path):
    bad = fact("amount", "157.56亿元", value="157.56", unit="亿元")
    bad["start"] += 1
    with pytest.raises(CommandError, match=r"第1条事实.*157.56亿元.*不符"):
        run(str(annotated_file(tmp_path, [bad])))
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(CommandError, match="不支持的文件"):
        run(str(other))
    with pytest.raises(CommandError, match="找不到"):
        run(str(tmp_path / "missing.json"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="没有标注文件"):
        run(str(tmp_path / "empty"))
