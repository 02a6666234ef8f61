"""`python manage.py progress_report --zone 赣县区 --as-of 2022-05 [--format text|json]`"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.models import Campaign
from projects.periods import PeriodParseError, parse_year_month
from projects.reports.measures import Basis
from projects.reports.progress import ReportError, campaign_report, progress_report, resolve_zone
from projects.reports.render import campaign_json, campaign_text, report_json, report_text


class Command(BaseCommand):
    help_message = _("打印区域进度报告(时间进度、完成率、超序进度、双过半、滞后项目…)或攻坚行动排名。")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help_message)  # argparse takes only a str: the message in the active language
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--zone", help=gettext("区域编号或名称,如 赣县区"))
        target.add_argument("--campaign", type=int, help=gettext("攻坚行动编号:打印各参与区域的考核排名"))
        parser.add_argument("--as-of", help=gettext("统计截止月 YYYY-MM,如 2022-05(区域报告必填)"))
        parser.add_argument(
            "--basis", choices=Basis.values, default=Basis.MONTH, help=gettext("时间进度口径:month 或 day")
        )
        parser.add_argument("--format", choices=["text", "json"], default="text", help=gettext("输出格式"))

    def handle(self, *args, zone, campaign, as_of, basis, format, **options) -> None:
        year = month = None
        if as_of:
            try:
                year, month = parse_year_month(as_of)
            except PeriodParseError as error:
                raise CommandError(str(error)) from error
        try:
            if zone is not None:
                if as_of is None:
                    raise CommandError(gettext("请用 --as-of 指定统计截止月,如 --as-of 2022-05"))
                report = progress_report(resolve_zone(zone), year, month, Basis(basis))
                data, text = report_json, report_text
            else:
                found = Campaign.objects.filter(pk=campaign).first()
                if found is None:
                    raise CommandError(gettext("攻坚行动编号 {number} 不存在").format(number=campaign))
                report = campaign_report(found, year, month, Basis(basis))
                data, text = campaign_json, campaign_text
        except ReportError as error:
            raise CommandError(str(error)) from error
        if format == "json":
            self.stdout.write(json.dumps(data(report), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text(report), ending="")
