"""Create (or reset) the demo administrator that `make run` prints the password of."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "创建演示管理员账号(已存在则重置密码),并打印登录信息。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="用户名(默认 admin)")
        parser.add_argument("--password", help="密码(默认随机生成)")

    def handle(self, *args, username: str, password: str | None, **options) -> None:
        password = password or secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        verb = "已创建" if created else "已重置"
        self.stdout.write(self.style.SUCCESS(f"演示管理员{verb}:用户名 {username}  密码 {password}"))
