"""`manage.py grant_zone_role`: operators grant, change and revoke zone roles."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects import access
from projects.models import Project, ZoneMembership
from tests.factories import UserFactory


def grant(*args: str) -> str:
    out = StringIO()
    call_command("grant_zone_role", *args, stdout=out)
    return out.getvalue().strip()


def roles_of(user) -> list[tuple[str, str]]:
    return list(ZoneMembership.objects.filter(user=user).values_list("zone__name", "role"))


def test_grants_a_role_and_lets_the_user_into_the_admin(seeded):
    user = UserFactory(username="zhangsan", is_staff=False)
    printed = grant("zhangsan", "--zone", "赣县区", "--role", "editor")
    assert printed == "已授予用户 zhangsan 在“赣县区”及其下级区域的编辑角色。"
    assert roles_of(user) == [("赣县区", "editor")]
    user.refresh_from_db()
    assert user.is_staff
    project = Project.objects.filter(zone__name="赣县区").first()
    assert access.can_edit(user, project)


def test_finds_the_zone_by_its_alias(seeded):
    user = UserFactory(username="lisi")
    printed = grant("lisi", "--zone", "赣江新区经开组团", "--role", "viewer")
    assert printed == "已授予用户 lisi 在“南昌经开区”及其下级区域的只读角色。"
    assert roles_of(user) == [("南昌经开区", "viewer")]


def test_changes_the_role(seeded):
    user = UserFactory(username="wangwu")
    grant("wangwu", "--zone", "上饶市", "--role", "viewer")
    printed = grant("wangwu", "--zone", "上饶市", "--role", "editor")
    assert printed == "已改为用户 wangwu 在“上饶市”及其下级区域的编辑角色。"
    assert roles_of(user) == [("上饶市", "editor")]


def test_revokes_the_role(seeded):
    user = UserFactory(username="zhaoliu")
    grant("zhaoliu", "--zone", "上饶市", "--role", "editor")
    grant("zhaoliu", "--zone", "赣县区", "--role", "viewer")
    printed = grant("zhaoliu", "--zone", "上饶市", "--revoke")
    assert printed == "已收回用户 zhaoliu 在“上饶市”的编辑角色。"
    assert roles_of(user) == [("赣县区", "viewer")]
    assert grant("zhaoliu", "--zone", "上饶市", "--revoke") == "用户 zhaoliu 在“上饶市”没有角色,无需收回。"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody", "--zone", "赣县区", "--role", "editor"), "用户“nobody”不存在"),
        (
            ("sunqi", "--zone", "火星开发区", "--role", "editor"),
            "区域“火星开发区”不存在(可用简称、全称或别名)",
        ),
        (("sunqi", "--zone", "赣县区", "--role", "owner"), "角色“owner”无效,应为 editor(编辑)、viewer(只读)"),
        (("sunqi", "--zone", "赣县区"), "角色“”无效,应为 editor(编辑)、viewer(只读)"),
    ],
)
def test_refuses_unknown_user_zone_or_role(seeded, args, message):
    UserFactory(username="sunqi")
    with pytest.raises(CommandError) as refused:
        grant(*args)
    assert str(refused.value) == message
    assert ZoneMembership.objects.count() == 0
