"""Give a user a role in a zone (or take it away): `grant_zone_role 张三 --zone 赣县区 --role editor`."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects.access import zone_membership_grant, zone_membership_revoke
from projects.models import Zone, ZoneRole

from ._base import MessageCommand


class Command(MessageCommand):
    help_message = _(
        "授予用户某区域的角色:editor(编辑,可修改本区域及下级区域的数据)或 viewer(只读);"
        "--revoke 收回该区域的角色。授予角色时开启用户的“工作人员状态”以便登录后台。"
        "API 令牌用 `python manage.py create_api_token <用户名>` 创建,或在后台“API令牌”中添加。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=gettext("用户名"))
        parser.add_argument("--zone", required=True, help=gettext("区域简称、全称或别名,如:赣县区"))
        parser.add_argument("--role", help=gettext("角色:editor(编辑)或 viewer(只读);--revoke 时可省略"))
        parser.add_argument("--revoke", action="store_true", help=gettext("收回该用户在该区域的角色"))

    def handle(self, *args, username: str, zone: str, role: str | None, revoke: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(gettext("用户“{username}”不存在").format(username=username))
        zone_obj = self.find_zone(zone)
        if revoke:
            old = zone_membership_revoke(user=user, zone=zone_obj)
            if old is None:
                self.stdout.write(
                    gettext("用户 {username} 在“{zone}”没有角色,无需收回。").format(
                        username=username, zone=zone_obj
                    )
                )
            else:
                revoked = gettext("已收回用户 {username} 在“{zone}”的{role}角色。").format(
                    username=username, zone=zone_obj, role=ZoneRole(old).label
                )
                self.stdout.write(self.style.SUCCESS(revoked))
            return
        if role not in ZoneRole.values:
            choices = "、".join(f"{value}({label})" for value, label in ZoneRole.choices)
            raise CommandError(
                gettext("角色“{role}”无效,应为 {choices}").format(role=role or "", choices=choices)
            )
        membership, created = zone_membership_grant(user=user, zone=zone_obj, role=role)
        granted = (
            gettext("已授予用户 {username} 在“{zone}”及其下级区域的{role}角色。")
            if created
            else gettext("已改为用户 {username} 在“{zone}”及其下级区域的{role}角色。")
        )
        role_label = membership.get_role_display()
        self.stdout.write(
            self.style.SUCCESS(granted.format(username=username, zone=zone_obj, role=role_label))
        )

    def find_zone(self, name: str) -> Zone:
        zones = list(Zone.objects.matching(name)[:2])
        if not zones:
            raise CommandError(gettext("区域“{zone}”不存在(可用简称、全称或别名)").format(zone=name))
        if len(zones) > 1:
            raise CommandError(
                gettext("“{name}”对应多个区域:{zones},请用简称").format(
                    name=name, zones="、".join(z.name for z in zones)
                )
            )
        return zones[0]
