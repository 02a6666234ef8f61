"""Revoke API tokens: every token of some users (`revoke_api_tokens 张三 李四`), or the expired
ones (`revoke_api_tokens --expired`)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.tokens import api_tokens_purge_expired, api_tokens_revoke

from ._base import MessageCommand


class Command(MessageCommand):
    help_message = _(
        "撤销用户的全部 API 令牌(人员离岗、令牌可能泄露时);--expired 删除所有已过期的令牌"
        "(过期令牌本就被拒绝,此命令只是清理,可每天运行一次)。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="*", metavar="username", help=gettext("用户名,可多个"))
        parser.add_argument("--expired", action="store_true", help=gettext("删除所有已过期的令牌"))

    def handle(self, *args, usernames: list[str], expired: bool, **options) -> None:
        if not usernames and not expired:
            raise CommandError(gettext("请给出用户名,或 --expired"))
        users = get_user_model().objects
        named = users.filter(**{f"{users.model.USERNAME_FIELD}__in": usernames})
        found = {user.get_username(): user for user in named}
        missing = [name for name in usernames if name not in found]
        if missing:
            raise CommandError(gettext("用户不存在:{usernames}").format(usernames="、".join(missing)))
        for name in usernames:
            count = api_tokens_revoke(user=found[name])
            self.stdout.write(
                self.style.SUCCESS(
                    gettext("已撤销用户 {username} 的 {count} 个令牌。").format(username=name, count=count)
                )
            )
        if expired:
            self.stdout.write(
                self.style.SUCCESS(
                    gettext("已删除 {count} 个过期令牌。").format(count=api_tokens_purge_expired())
                )
            )
