import re

from django.contrib.auth import authenticate
from django.core.management import call_command


def test_demo_admin_is_created_with_the_printed_password(db, capsys):
    call_command("create_demo_admin")
    printed = capsys.readouterr().out
    password = re.search(r"用户名 admin  密码 (\S+)", printed).group(1)
    user = authenticate(username="admin", password=password)
    assert user is not None and user.is_superuser and user.is_staff


def test_demo_admin_password_is_reset_on_the_next_run(db, capsys):
    call_command("create_demo_admin", password="first-password-1")
    call_command("create_demo_admin")
    second = re.search(r"密码 (\S+)", capsys.readouterr().out.splitlines()[-1]).group(1)
    assert authenticate(username="admin", password="first-password-1") is None
    assert authenticate(username="admin", password=second) is not None
