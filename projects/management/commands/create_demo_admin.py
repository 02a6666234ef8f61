"""Create (or reset) the demo administrator that `make run` prints the password of."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ._base import MessageCommand


class Command(MessageCommand):
    help_message = _("创建演示管理员账号(已存在则重置密码),并打印登录信息。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help=gettext("用户名(默认 admin)"))
        parser.add_argument("--password", help=gettext("密码(默认随机生成)"))

    def handle(self, *args, username: str, password: str | None, **options) -> None:
        password = password or secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        done = (
            gettext("演示管理员已创建:用户名 {username}  密码 {password}")
            if created
            else gettext("演示管理员已重置:用户名 {username}  密码 {password}")
        )
        self.stdout.write(self.style.SUCCESS(done.format(username=username, password=password)))
