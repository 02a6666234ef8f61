"""The rules page (校验规则): every rule of the registry with its id, severity, name, what it
checks and its message; linked from the admin index and open to every staff user."""

import pytest
from django.urls import reverse

from projects.admin.rules import message_pattern
from projects.rules import RULES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_lists_every_rule(staff_client):
    response = staff_client.get("/admin/rules/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>校验规则" in page
    shown = [rule["id"] for rule in response.context["rules"]]
    assert shown == list(RULES)
    for rule_id in RULES:
        assert f'<tr id="rule-{rule_id}">' in page
        assert f"<code>{rule_id}</code>" in page


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rule_shows_its_severity_title_and_message(staff_client, rule_id):
    rule = RULES[rule_id]
    row = next(r for r in staff_client.get("/admin/rules/").context["rules"] if r["id"] == rule_id)
    assert row["severity"] == ("错误" if rule.is_error else "警告")
    assert (row["title"], row["applies_to"]) == (rule.title, rule.applies_to)
    assert row["message"] == message_pattern(str(rule.message))
    assert "{" not in row["message"]


def test_messages_name_their_blanks_in_chinese():
    assert message_pattern("{zone}{year}年{month:02d}月的数据已于{deadline}截止锁定") == (
        "〈区域〉〈年度〉年〈月〉月的数据已于〈截止日期〉截止锁定"
    )


def test_the_outlier_rule_is_a_warning_and_the_date_rule_an_error(staff_client):
    page = staff_client.get(reverse("admin-rules")).content.decode()
    outlier = page[page.index('<tr id="rule-outlier">') :]
    assert outlier.index("警告") < outlier.index("</tr>")
    future = page[page.index('<tr id="rule-actual_date_in_future">') :]
    assert future.index("错误") < future.index("</tr>")
    assert "项目节点·实际日期" in future[: future.index("</tr>")]


def test_the_admin_index_links_the_rules_page(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{reverse("admin-rules")}">校验规则</a>' in page


def test_every_staff_user_sees_the_rules_even_without_a_zone_role(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin-rules")).status_code == 200
    assert reverse("admin-rules") in client.get(reverse("admin:index")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("admin-rules"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
