"""Give a user a role in a zone (or take it away): `grant_zone_role 张三 --zone 赣县区 --role editor`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.access import zone_membership_grant, zone_membership_revoke
from projects.models import Zone, ZoneRole


class Command(BaseCommand):
    help = (
        "授予用户某区域的角色:editor(编辑,可修改本区域及下级区域的数据)或 viewer(只读);"
        "--revoke 收回该区域的角色。授予角色时开启用户的“工作人员状态”以便登录后台。"
        "API 令牌用 `python manage.py create_api_token <用户名>` 创建,或在后台“API令牌”中添加。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名")
        parser.add_argument("--zone", required=True, help="区域简称、全称或别名,如:赣县区")
        parser.add_argument("--role", help="角色:editor(编辑)或 viewer(只读);--revoke 时可省略")
        parser.add_argument("--revoke", action="store_true", help="收回该用户在该区域的角色")

    def handle(self, *args, username: str, zone: str, role: str | None, revoke: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        zone_obj = self.find_zone(zone)
        if revoke:
            old = zone_membership_revoke(user=user, zone=zone_obj)
            if old is None:
                self.stdout.write(f"用户 {username} 在“{zone_obj}”没有角色,无需收回。")
            else:
                self.stdout.write(
                    self.style.SUCCESS(f"已收回用户 {username} 在“{zone_obj}”的{ZoneRole(old).label}角色。")
                )
            return
        if role not in ZoneRole.values:
            choices = "、".join(f"{value}({label})" for value, label in ZoneRole.choices)
            raise CommandError(f"角色“{role or ''}”无效,应为 {choices}")
        membership, created = zone_membership_grant(user=user, zone=zone_obj, role=role)
        verb = "已授予" if created else "已改为"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}用户 {username} 在“{zone_obj}”及其下级区域的{membership.get_role_display()}角色。"
            )
        )

    def find_zone(self, name: str) -> Zone:
        zones = list(Zone.objects.matching(name)[:2])
        if not zones:
            raise CommandError(f"区域“{name}”不存在(可用简称、全称或别名)")
        if len(zones) > 1:
            raise CommandError(f"“{name}”对应多个区域:{'、'.join(z.name for z in zones)},请用简称")
        return zones[0]
