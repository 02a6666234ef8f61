"""`python manage.py generate_synthetic --zones 200 --projects 50000 --months 36 --seed 1 [--end 2026-10]`"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.periods import PeriodParseError, parse_year_month
from projects.synthetic import DEFAULT_END, MAX_MONTHS, SyntheticError, SyntheticSpec, generate

LABELS = {
    "plan": "计算样本数据",
    "zones": "区域",
    "enterprises": "企业",
    "projects": "项目",
    "milestones": "项目节点",
    "portfolios": "调度清单",
    "portfolio_entries": "清单项目",
    "completed_investment": "项目月度完成投资",
    "zone_indicators": "区域指标(目标和累计)",
    "campaigns": "攻坚行动",
    "campaign_zones": "攻坚行动参与区域",
    "zone_industries": "区域主导产业链",
    "enterprise_industries": "企业产业链",
    "project_industries": "项目产业链",
    "indexes": "重建索引和外键",
    "analyze": "更新统计信息(ANALYZE)",
}
UNITS = {"plan": "个项目", "indexes": "项", "analyze": "张表"}


class Command(BaseCommand):
    help = (
        "生成省级规模的样本数据(区域树、企业、项目、节点、调度清单、月度完成投资、区域指标及目标、"
        "攻坚行动),用于性能测试和压力测试。同样的参数总是生成同样的数据;区域和企业名称均以“样本”开头。"
        "在 PostgreSQL 上用 COPY 写入,全部在一个事务中完成。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--zones", type=int, required=True, help="区域总数(含省、市),至少2")
        parser.add_argument("--projects", type=int, required=True, help="项目数,至少1")
        parser.add_argument(
            "--months", type=int, required=True, help=f"模拟的月数(1–{MAX_MONTHS}),截至 --end"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机数种子,默认1")
        parser.add_argument(
            "--end",
            default=f"{DEFAULT_END:%Y-%m}",
            help=f"最后一个有数据的月份 YYYY-MM,默认 {DEFAULT_END:%Y-%m}",
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
            unit = UNITS.get(label, "行")
            self.stdout.write(f"  {LABELS.get(label, label)}:{done:,}/{total:,} {unit},{seconds:.1f} 秒")

        self.stdout.write(
            f"生成样本数据:{zones} 个区域、{projects} 个项目、{months} 个月"
            f"(截至 {year}年{month}月),种子 {seed}"
        )
        try:
            counts = generate(spec, progress)
        except SyntheticError as error:
            raise CommandError(str(error)) from error
        total = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"完成,共 {sum(counts.values()):,} 行,用时 {total:.1f} 秒:"))
        for label, count in counts.items():
            self.stdout.write(f"  {LABELS.get(label, label)}:{count:,}")
