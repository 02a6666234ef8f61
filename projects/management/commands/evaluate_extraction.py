"""`python manage.py evaluate_extraction tests/extraction_corpus/heldout fixtures/seeds.yaml
[--kinds amount,percent] [--show-errors] [--json report.json] [--min-recall 0.95 --min-precision 0.90]`

Precision and recall of the extractor's candidates against annotated texts (.json files or
folders of them) and the seed fixture (.yaml). See projects/extraction/evaluation/.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.extraction import Lexicon, extract
from projects.extraction.evaluation import (
    KIND_ORDER,
    AnnotatedText,
    AnnotationError,
    article_timing,
    evaluate,
    load_annotated,
    load_fixture,
    render,
    render_timing,
)
from projects.text_entry import lexicon_from_db

from ._base import MessageCommand


def _texts(paths: list[str]) -> list[AnnotatedText]:
    found: list[AnnotatedText] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise CommandError(gettext("找不到 {path}").format(path=path))
        if path.is_dir():
            files = sorted(path.rglob("*.json"))
            if not files:
                raise CommandError(gettext("目录 {path} 中没有标注文件(*.json)").format(path=path))
            found.extend(load_annotated(file) for file in files)
        elif path.suffix in (".yaml", ".yml"):
            found.extend(load_fixture(path))
        elif path.suffix == ".json":
            found.append(load_annotated(path))
        else:
            raise CommandError(
                gettext("不支持的文件 {path}:请给出标注文件(.json)、其目录或夹具(.yaml)").format(path=path)
            )
    return found


def _lexicon() -> tuple[Lexicon, str]:
    """The catalogue's names when the database answers and has a catalogue, else the built-in
    vocabulary; and which it is, in words."""
    try:
        lexicon = lexicon_from_db()
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0]
        return Lexicon(), gettext("内置词表(数据库不可用:{reason})").format(reason=reason)
    if not lexicon.metric_names:
        return Lexicon(), gettext("内置词表(数据库中没有指标目录)")
    return lexicon, gettext("数据库中的目录(指标{metrics}个、区域名称{zones}个)").format(
        metrics=len(lexicon.metric_names), zones=len(lexicon.zones)
    )


class Command(MessageCommand):
    help_message = _("按标注文本和种子夹具评估文本提取:各类型的精确率、召回率、位置一致率和提取速度。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help=gettext("标注文件(.json)、其目录,或夹具(.yaml)"))
        parser.add_argument(
            "--kinds",
            help=gettext("只评估这些类型,逗号分隔(默认全部数字和时间类型):{kinds}").format(
                kinds=",".join(KIND_ORDER)
            ),
        )
        parser.add_argument("--show-errors", action="store_true", help=gettext("列出每条漏识和误识及其句子"))
        parser.add_argument("--json", dest="json_path", help=gettext("把评估结果写入该 JSON 文件"))
        parser.add_argument("--min-recall", type=float, help=gettext("召回率下限(0–1),低于时以状态1退出"))
        parser.add_argument("--min-precision", type=float, help=gettext("精确率下限(0–1),低于时以状态1退出"))
        parser.add_argument("--group", action="store_true", help=gettext("另按目录(或夹具)给出小计"))

    def handle(
        self,
        *args,
        paths: list[str],
        kinds: str | None,
        show_errors: bool,
        json_path: str | None,
        min_recall: float | None,
        min_precision: float | None,
        group: bool,
        **options,
    ) -> None:
        chosen = None
        if kinds:
            chosen = [kind.strip() for kind in kinds.split(",") if kind.strip()]
            unknown = [kind for kind in chosen if kind not in KIND_ORDER]
            if unknown:
                raise CommandError(
                    gettext("未知的类型:{unknown};可选 {kinds}").format(
                        unknown=",".join(unknown), kinds=",".join(KIND_ORDER)
                    )
                )
        try:
            texts = _texts(paths)
        except AnnotationError as error:
            raise CommandError(str(error)) from error
        lexicon, lexicon_note = _lexicon()
        report = evaluate(texts, partial(extract, lexicon=lexicon), kinds=chosen)

        self.stdout.write(gettext("词表:{lexicon}").format(lexicon=lexicon_note))
        self.stdout.write(render(report, show_errors=show_errors, group=group), ending="")
        if texts:
            self.stdout.write(
                render_timing(article_timing([t.text for t in texts], partial(extract, lexicon=lexicon))),
                ending="",
            )
        if json_path:
            data = {"lexicon": lexicon_note, **report.to_dict()}
            Path(json_path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            self.stdout.write(gettext("评估结果已写入 {path}").format(path=json_path))
        shortfalls = report.shortfalls(min_recall=min_recall, min_precision=min_precision)
        if shortfalls:
            raise CommandError(
                gettext("未达标:{shortfalls}").format(shortfalls=";".join(shortfalls)), returncode=1
            )
