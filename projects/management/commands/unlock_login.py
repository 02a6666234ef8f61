"""Lift a login lockout before its time: `unlock_login --user 张三` or `--address 203.0.113.5`."""

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.logins import unlock

from ._base import MessageCommand


class Command(MessageCommand):
    help_message = _(
        "解除登录锁定(连续登录失败后,账号或地址被锁定 LOGIN_LOCKOUT_MINUTES 分钟):"
        "--user 解除某账号,--address 解除某客户端地址(nginx 看到的地址),并清零其失败次数。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", dest="username", help=gettext("用户名"))
        parser.add_argument("--address", help=gettext("客户端 IP 地址"))

    def handle(self, *args, username: str | None, address: str | None, **options) -> None:
        if not username and not address:
            raise CommandError(gettext("请给出 --user 或 --address"))
        unlock(username=username, address=address)
        who = "、".join(
            filter(
                None,
                [
                    username and gettext("账号 {username}").format(username=username),
                    address and gettext("地址 {address}").format(address=address),
                ],
            )
        )
        self.stdout.write(self.style.SUCCESS(gettext("已解除{who}的登录锁定,失败次数清零。").format(who=who)))
