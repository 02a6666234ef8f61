"""Revoke API tokens: every token of some users (`revoke_api_tokens 张三 李四`), or the expired
ones (`revoke_api_tokens --expired`)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.tokens import api_tokens_purge_expired, api_tokens_revoke


class Command(BaseCommand):
    help = (
        "撤销用户的全部 API 令牌(人员离岗、令牌可能泄露时);--expired 删除所有已过期的令牌"
        "(过期令牌本就被拒绝,此命令只是清理,可每天运行一次)。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="*", metavar="username", help="用户名,可多个")
        parser.add_argument("--expired", action="store_true", help="删除所有已过期的令牌")

    def handle(self, *args, usernames: list[str], expired: bool, **options) -> None:
        if not usernames and not expired:
            raise CommandError("请给出用户名,或 --expired")
        users = get_user_model().objects
        named = users.filter(**{f"{users.model.USERNAME_FIELD}__in": usernames})
        found = {user.get_username(): user for user in named}
        missing = [name for name in usernames if name not in found]
        if missing:
            raise CommandError(f"用户不存在:{'、'.join(missing)}")
        for name in usernames:
            count = api_tokens_revoke(user=found[name])
            self.stdout.write(self.style.SUCCESS(f"已撤销用户 {name} 的 {count} 个令牌。"))
        if expired:
            self.stdout.write(self.style.SUCCESS(f"已删除 {api_tokens_purge_expired()} 个过期令牌。"))
