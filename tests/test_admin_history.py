"""Every change made in the admin is kept: the record's history page shows who, when, what kind
of change, the reason, and each field before → after; it exports to Excel; only those who may
read the record see it; past versions are looked at, not posted back."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.admin.history import EXPORT_HEADERS
from projects.models import Project, ZoneRole
from tests.factories import (
    MetricFactory,
    MilestoneFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)
from tests.test_admin_permissions import change_form_data

pytestmark = pytest.mark.django_db


def url(obj, view: str, *args) -> str:
    return reverse(f"admin:projects_{obj._meta.model_name}_{view}", args=[obj.pk, *args])


@pytest.fixture
def zone():
    return ZoneFactory(name="赣县区")


@pytest.fixture
def editor(client, zone):
    user = UserFactory(username="ganxian_editor", first_name="", last_name="")
    ZoneMembershipFactory(user=user, zone=zone, role=ZoneRole.EDITOR)
    client.force_login(user)
    return user


@pytest.fixture
def edited_project(client, editor, zone) -> Project:
    """A project of 10亿元 under construction, changed by the editor to 12亿元 in production."""
    project = ProjectFactory(
        zone=zone, name="赣州高新区新能源电池项目", total_investment=Decimal("1000000000")
    )
    data = change_form_data(client.get(url(project, "change")))
    data.update({"total_investment": "12", "stage": "production", "change_reason": "按5月调度会核实数调整"})
    response = client.post(url(project, "change"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return project


def read_xlsx(response) -> list[tuple]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def test_history_page_shows_who_when_why_and_each_field_before_and_after(client, edited_project):
    response = client.get(url(edited_project, "history"))
    assert response.status_code == 200
    page = response.content.decode()
    for header in ("时间", "操作人", "类型", "变更原因", "变更内容(原值 → 新值)"):
        assert f">{header}</th>" in page
    latest, created = response.context["page_obj"]
    assert (latest.entry.user, latest.entry.kind, latest.entry.reason) == (
        "ganxian_editor",
        "修改",
        "按5月调度会核实数调整",
    )
    changes = {change.field: (change.old, change.new) for change in latest.entry.changes}
    assert changes == {"总投资": ("10亿元", "12亿元"), "项目阶段": ("在建", "投产")}
    assert "<strong>总投资</strong>:10亿元 &rarr; 12亿元" in page
    assert "按5月调度会核实数调整" in page
    assert created.entry.kind == "新增"
    assert ("项目名称", "", "赣州高新区新能源电池项目") in [
        (c.field, c.old, c.new) for c in created.entry.changes
    ]


def test_history_page_links_its_excel_export(client, edited_project):
    page = client.get(url(edited_project, "history")).content.decode()
    assert f'href="{url(edited_project, "history_export")}"' in page
    assert "导出变更记录(Excel)" in page


def test_history_exports_to_excel_one_row_per_changed_field(client, edited_project):
    response = client.get(url(edited_project, "history_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0] == EXPORT_HEADERS
    changed = [row for row in rows[1:] if row[2] == "修改"]
    assert sorted(row[4:] for row in changed) == [
        ("总投资", "10亿元", "12亿元"),
        ("项目阶段", "在建", "投产"),
    ]
    assert {row[1:4] for row in changed} == {("ganxian_editor", "修改", "按5月调度会核实数调整")}
    created = [row for row in rows[1:] if row[2] == "新增"]
    assert ("项目名称", None, "赣州高新区新能源电池项目") in [row[4:] for row in created]


def test_a_reason_given_on_the_page_is_kept_for_its_inline_rows(client, editor, zone):
    milestone = MilestoneFactory(project=ProjectFactory(zone=zone), note="")
    project = milestone.project
    data = change_form_data(client.get(url(project, "change")))
    prefix = next(key for key, value in data.items() if key.endswith("-id") and value == str(milestone.pk))
    data[f"{prefix.removesuffix('-id')}-note"] = "已完成桩基施工"
    data["change_reason"] = "现场核查"
    assert client.post(url(project, "change"), data).status_code == 302

    latest = client.get(url(milestone, "history")).context["page_obj"][0]
    assert (latest.entry.reason, latest.entry.user) == ("现场核查", "ganxian_editor")
    assert [(c.field, c.old, c.new) for c in latest.entry.changes] == [("备注", "", "已完成桩基施工")]


def test_history_of_another_zones_record_is_not_found(client, editor):
    """As for a record that never existed: nothing tells another zone's rows apart."""
    other = ProjectFactory(zone=ZoneFactory(name="南康区"))
    for view in ("history", "history_export"):
        response = client.get(url(other, view))
        missing = client.get(reverse(f"admin:projects_project_{view}", args=[other.pk + 999]))
        assert response.status_code == missing.status_code == 404
        assert "南康区" not in response.content.decode()


def test_history_of_a_deleted_record_stays_readable_to_its_zone(client, editor, edited_project, zone):
    project_id = edited_project.pk
    assert client.post(url(edited_project, "delete"), {"post": "yes"}).status_code == 302
    assert not Project.objects.filter(pk=project_id).exists()

    history = reverse("admin:projects_project_history", args=[project_id])
    response = client.get(history)
    assert response.status_code == 200
    assert [record.entry.kind for record in response.context["page_obj"]] == ["删除", "修改", "新增"]

    outsider = UserFactory()
    ZoneMembershipFactory(user=outsider, zone=ZoneFactory(name="南康区"))
    client.force_login(outsider)
    assert client.get(history).status_code == 404  # as for a record that never existed


def test_a_past_version_is_shown_but_not_posted_back(client, edited_project):
    first = edited_project.history.earliest()
    past = url(edited_project, "simple_history", first.history_id)
    assert client.get(past).status_code == 200
    response = client.post(past, {"name": "恢复旧名称", "total_investment": "10"})
    assert response.status_code == 403
    edited_project.refresh_from_db()
    assert edited_project.total_investment == Decimal("1200000000")


def test_models_without_history_keep_the_admins_own_history_page(staff_client):
    metric = MetricFactory()
    assert staff_client.get(url(metric, "history")).status_code == 200
