"""`python manage.py run_scheduled_reports [--now YYYY-MM-DD] [--loop [--interval SECONDS]]`

Makes every due report run once. Run it from cron every few minutes, or with --loop as a service;
any number of schedulers may run at once on any machines: the database decides which one makes a
run. With TASK_BACKEND=immediate the reports are generated in this process; with
TASK_BACKEND=database they are queued for `manage.py db_worker`. Each pass also deletes the
uploaded workbooks past their time (projects.uploads, as `manage.py purge_uploads`).
"""

import signal
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.report_runs import PassResult, run_scheduler_pass
from projects.uploads import drop_expired_files, size_text


class Command(BaseCommand):
    help_message = _("生成所有到期的定期调度通报(每期只生成一次),并重试失败的报告和邮件。")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help_message)  # argparse takes only a str: the message in the active language
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help=gettext("按这一天判断哪些报告到期(YYYY-MM-DD,默认今天),用于补报或测试")
        )
        parser.add_argument(
            "--loop", action="store_true", help=gettext("持续运行,每隔 --interval 秒检查一次")
        )
        parser.add_argument(
            "--interval", type=int, default=60, help=gettext("--loop 时两次检查间隔的秒数(默认60)")
        )

    def handle(self, *args, now, loop, interval, **options) -> None:
        today = None
        if now:
            try:
                today = date.fromisoformat(now)
            except ValueError as error:
                raise CommandError(
                    gettext("--now 应为 YYYY-MM-DD 格式的日期,如 2022-06-05,收到“{value}”").format(value=now)
                ) from error
        if loop and today:
            raise CommandError(gettext("--loop 按当天日期运行,不能同时指定 --now"))
        if interval < 1:
            raise CommandError(gettext("--interval 至少为1秒"))
        if not loop:
            self.report(run_scheduler_pass(today))
            self.purge_uploads()
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stdout.write(
            gettext("定期报告调度已启动,每{seconds}秒检查一次(Ctrl-C 或 SIGTERM 停止)").format(
                seconds=interval
            )
        )
        try:
            while not stopping:
                self.report(run_scheduler_pass(), quiet=True)
                self.purge_uploads()
                for _ in range(interval):
                    if stopping:
                        break
                    time.sleep(1)
        except KeyboardInterrupt:
            pass
        self.stdout.write(gettext("定期报告调度已停止"))

    def purge_uploads(self) -> None:
        deleted, freed = drop_expired_files()
        if deleted:
            stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
            purged = gettext("删除{count}个过期的导入文件,共{size}").format(
                count=deleted, size=size_text(freed)
            )
            self.stdout.write(f"[{stamp}] {purged}")

    def report(self, result: PassResult, quiet: bool = False) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        for run in result.made:
            run.refresh_from_db()
            made = gettext("新生成 #{number} {run}:{status}").format(
                number=run.pk, run=run, status=run.get_status_display()
            )
            self.stdout.write(f"[{stamp}] {made}")
            if run.error:
                self.stdout.write("    " + gettext("错误:{error}").format(error=run.error.splitlines()[0]))
        for pk in result.requeued:
            self.stdout.write(f"[{stamp}] " + gettext("重新排队 #{number}(上次失败或中断)").format(number=pk))
        for pk in result.redelivered:
            self.stdout.write(f"[{stamp}] " + gettext("重新发送 #{number} 的邮件").format(number=pk))
        if not quiet:
            for reason in result.skipped:
                self.stdout.write(f"[{stamp}] " + gettext("跳过 {reason}").format(reason=reason))
            if not (result.made or result.requeued or result.redelivered):
                self.stdout.write(f"[{stamp}] " + gettext("没有到期的报告"))
