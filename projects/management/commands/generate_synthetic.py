"""`python manage.py generate_synthetic --zones 200 --projects 50000 --months 36 --seed 1 [--end 2026-10]`"""

import time
from datetime import date

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.i18n import Text
from projects.periods import PeriodParseError, parse_year_month
from projects.synthetic import DEFAULT_END, MAX_MONTHS, SyntheticError, SyntheticSpec, generate

from ._base import MessageCommand

LABELS: dict[str, Text] = {
    "plan": _("计算样本数据"),
    "zones": _("区域"),
    "enterprises": _("企业"),
    "projects": _("项目"),
    "milestones": _("项目节点"),
    "portfolios": _("调度清单"),
    "portfolio_entries": _("清单项目"),
    "completed_investment": _("项目月度完成投资"),
    "zone_indicators": _("区域指标(目标和累计)"),
    "campaigns": _("攻坚行动"),
    "campaign_zones": _("攻坚行动参与区域"),
    "zone_industries": _("区域主导产业链"),
    "enterprise_industries": _("企业产业链"),
    "project_industries": _("项目产业链"),
    "indexes": _("重建索引和外键"),
    "analyze": _("更新统计信息(ANALYZE)"),
}
# What a step counts, when not rows.
UNITS: dict[str, Text] = {"plan": _("个项目"), "indexes": _("项"), "analyze": _("张表")}


class Command(MessageCommand):
    help_message = _(
        "生成省级规模的样本数据(区域树、企业、项目、节点、调度清单、月度完成投资、区域指标及目标、"
        "攻坚行动),用于性能测试和压力测试。同样的参数总是生成同样的数据;区域和企业名称均以“样本”开头。"
        "在 PostgreSQL 上用 COPY 写入,全部在一个事务中完成。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--zones", type=int, required=True, help=gettext("区域总数(含省、市),至少2"))
        parser.add_argument("--projects", type=int, required=True, help=gettext("项目数,至少1"))
        parser.add_argument(
            "--months",
            type=int,
            required=True,
            help=gettext("模拟的月数(1–{max}),截至 --end").format(max=MAX_MONTHS),
        )
        parser.add_argument("--seed", type=int, default=1, help=gettext("随机数种子,默认1"))
        parser.add_argument(
            "--end",
            default=f"{DEFAULT_END:%Y-%m}",
            help=gettext("最后一个有数据的月份 YYYY-MM,默认 {end}").format(end=f"{DEFAULT_END:%Y-%m}"),
        )

    def handle(self, *args, zones: int, projects: int, months: int, seed: int, end: str, **options) -> None:
        try:
            year, month = parse_year_month(end)
        except PeriodParseError as error:
            raise CommandError(f"--end:{error}") from error
        spec = SyntheticSpec(
            zones=zones, projects=projects, months=months, seed=seed, end=date(year, month, 1)
        )
        if errors := spec.errors():
            raise CommandError(";".join(errors))
        started = time.monotonic()
        table_started: dict[str, float] = {}

        def progress(label: str, done: int, total: int) -> None:
            now = time.monotonic()
            if done == 0:
                table_started[label] = now
                return
            seconds = now - table_started.get(label, now)
            step = gettext("{step}:{done:,}/{total:,} {unit},{seconds:.1f} 秒").format(
                step=LABELS.get(label, label),
                done=done,
                total=total,
                unit=UNITS.get(label) or gettext("行"),
                seconds=seconds,
            )
            self.stdout.write(f"  {step}")

        self.stdout.write(
            gettext(
                "生成样本数据:{zones} 个区域、{projects} 个项目、{months} 个月"
                "(截至 {year}年{month}月),种子 {seed}"
            ).format(zones=zones, projects=projects, months=months, year=year, month=month, seed=seed)
        )
        try:
            counts = generate(spec, progress)
        except SyntheticError as error:
            raise CommandError(str(error)) from error
        total = time.monotonic() - started
        finished = gettext("完成,共 {rows:,} 行,用时 {seconds:.1f} 秒:").format(
            rows=sum(counts.values()), seconds=total
        )
        self.stdout.write(self.style.SUCCESS(finished))
        for label, count in counts.items():
            self.stdout.write(f"  {LABELS.get(label, label)}:{count:,}")
