"""Make an API token for a user and print it once: `create_api_token 张三 [--days 30]`."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.tokens import TokenLifetimeError, api_token_create

from ._base import MessageCommand


class Command(MessageCommand):
    help_message = _(
        "为用户创建 API 令牌并打印一次(只打印这一次:数据库只保存其摘要)。"
        "用法:请求头 `Authorization: Token <令牌>`。轮换:创建新令牌、换上新令牌后,"
        "用 revoke_api_tokens 或 DELETE /api/auth/token/ 撤销旧令牌。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=gettext("用户名"))
        parser.add_argument(
            "--days",
            type=int,
            help=gettext("有效天数,默认且至多 {days} 天(API_TOKEN_TTL_DAYS)").format(
                days=settings.API_TOKEN_TTL_DAYS
            ),
        )

    def handle(self, *args, username: str, days: int | None, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(gettext("用户“{username}”不存在").format(username=username))
        if not user.is_active:
            raise CommandError(gettext("用户“{username}”已停用,其令牌不能使用").format(username=username))
        try:
            token, key = api_token_create(user=user, days=days)
        except TokenLifetimeError as error:
            raise CommandError(str(error)) from None
        expiry = token.expiry.astimezone().strftime("%Y-%m-%d %H:%M")
        self.stderr.write(
            gettext("已为用户 {username} 创建 API 令牌,{expiry} 到期。令牌只显示这一次,请妥善保存:").format(
                username=username, expiry=expiry
            )
        )
        self.stdout.write(key)  # alone on stdout: `TOKEN=$(manage.py create_api_token …)` takes it
