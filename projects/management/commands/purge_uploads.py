"""`python manage.py purge_uploads`: delete the uploaded workbooks past their time (projects.uploads).

`run_scheduled_reports` does the same on each pass, so a production that runs the scheduler needs
no timer of its own for it; this command is for cron setups and for an administrator's hand.
"""

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.uploads import drop_expired_files, size_text

from ._base import MessageCommand


class Command(MessageCommand):
    help_message = _(
        "删除过期的导入文件:未导入的上传超过 IMPORT_PENDING_HOURS 小时、已导入的超过 "
        "IMPORT_UPLOAD_RETENTION_DAYS 天;导入记录及其检查结果保留。"
    )

    def handle(self, *args, **options) -> None:
        deleted, freed = drop_expired_files()
        self.stdout.write(
            gettext(
                "已删除{deleted}个过期的导入文件,共{size}(未导入的保留{hours}小时,已导入的保留{days}天)"
            ).format(
                deleted=deleted,
                size=size_text(freed),
                hours=settings.IMPORT_PENDING_HOURS,
                days=settings.IMPORT_UPLOAD_RETENTION_DAYS,
            )
        )
