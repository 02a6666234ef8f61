"""What a government office's security review asks of logins beyond the lockout: a session that
ends (after a working day, and with the browser), and passwords of some length and complexity."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, ZoneMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    ["short-Pw1", "alllowercaseletters", "ALLUPPERCASE123", "onlylower-and-symbols!", "1234567890123"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Ganxian-2022", "zhaoshang2022DIAODU", "调度台账-Report-7"])
def test_passwords_of_three_kinds_and_ten_characters_pass(password):
    validate_password(password)


def test_the_complexity_rule_names_what_it_asks(settings):
    with pytest.raises(ValidationError) as refused:
        validate_password("lowercase-only-here")
    assert [error.code for error in refused.value.error_list] == ["password_too_simple"]
    assert "3类" in refused.value.messages[0]


def test_a_session_ends_after_a_working_day(client, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    user = ZoneMembershipFactory().user
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        cookie = response.cookies.get("sessionid") or client.cookies["sessionid"]
        assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes
    with time_machine.travel(start + timedelta(hours=7, minutes=59), tick=False):
        assert client.get(reverse("admin:index")).status_code == 200
    with time_machine.travel(start + timedelta(hours=8, minutes=1), tick=False):
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and reverse("admin:login") in response.url


def test_the_admin_refuses_a_weak_new_password(client):
    user = UserFactory(username="clerk")
    client.force_login(user)
    weak = "lowercase-only-pw"
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": "pw-for-tests-only", "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert "密码须至少包含" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("pw-for-tests-only")
