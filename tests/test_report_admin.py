"""Report schedules and runs in the admin: entered in Chinese, listed per schedule with their status
and download links, scoped by zone."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import ReportRun, ReportSchedule, Zone, ZoneMembership, ZoneRole


@pytest.fixture
def ganxian(seeded) -> Zone:
    return Zone.objects.get(name="赣县区")


def test_staff_add_a_schedule_with_check_boxes_and_one_address_per_line(staff_client, ganxian):
    page = staff_client.get(reverse("admin:projects_reportschedule_add")).content.decode()
    assert "报告计划" in page and "收件人" in page and 'type="checkbox"' in page
    response = staff_client.post(
        reverse("admin:projects_reportschedule_add"),
        {
            "name": "",
            "zone": ganxian.pk,
            "cadence": "monthly",
            "due_day": "",
            "basis": "month",
            "formats": ["pdf", "html"],
            "recipients": "leader@example.com\n  office@example.com;",
            "active": "on",
            "runs-TOTAL_FORMS": "0",
            "runs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    schedule = ReportSchedule.objects.get()
    assert schedule.formats == ["html", "pdf"]
    assert schedule.recipients == ["leader@example.com", "office@example.com"]
    assert str(schedule) == "赣县区 调度通报(月报)"


def test_bad_addresses_are_named_next_to_the_field(staff_client, ganxian):
    response = staff_client.post(
        reverse("admin:projects_reportschedule_add"),
        {
            "zone": ganxian.pk,
            "cadence": "monthly",
            "due_day": "30",
            "basis": "month",
            "formats": ["html"],
            "recipients": "leader@example.com\n不是邮箱",
            "runs-TOTAL_FORMS": "0",
            "runs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "以下收件人不是有效的电子邮箱地址:不是邮箱" in page
    assert "报送日须在1至28日之间" in page
    assert not ReportSchedule.objects.exists()


def test_the_action_makes_the_latest_run_and_the_schedule_lists_it_with_links(staff_client, ganxian):
    schedule = ReportSchedule.objects.create(zone=ganxian, cadence="monthly", formats=["html", "xlsx"])
    response = staff_client.post(
        reverse("admin:projects_reportschedule_changelist"),
        {"action": "make_latest_run", "_selected_action": [schedule.pk]},
        follow=True,
    )
    run = ReportRun.objects.get()
    assert run.status == "done"
    assert "的报告已完成" in response.content.decode()
    page = staff_client.get(
        reverse("admin:projects_reportschedule_change", args=[schedule.pk])
    ).content.decode()
    assert "已生成的报告" in page and "已完成" in page
    xlsx_link = reverse("reportrun-file", kwargs={"pk": run.pk, "file_format": "xlsx"})
    assert xlsx_link in page and reverse("report-run-page", args=[run.pk]) in page
    download = staff_client.get(xlsx_link)
    assert download.status_code == 200
    assert load_workbook(BytesIO(download.content)).worksheets
    runs = staff_client.get(reverse("admin:projects_reportrun_changelist")).content.decode()
    assert xlsx_link in runs and "已完成" in runs
    # The same action again: the period exists already.
    again = staff_client.post(
        reverse("admin:projects_reportschedule_changelist"),
        {"action": "make_latest_run", "_selected_action": [schedule.pk]},
        follow=True,
    )
    assert "已经生成过" in again.content.decode()
    assert ReportRun.objects.count() == 1


def test_editors_see_the_schedules_of_their_zones_only(client, django_user_model, ganxian):
    ReportSchedule.objects.create(zone=ganxian, cadence="monthly", formats=["html"])
    other = ReportSchedule.objects.create(zone=Zone.objects.get(name="上饶经开区"), formats=["html"])
    user = django_user_model.objects.create_user("sr-editor", password="pw-for-tests-only", is_staff=True)
    ZoneMembership.objects.create(user=user, zone=Zone.objects.get(name="上饶市"), role=ZoneRole.EDITOR)
    client.force_login(user)
    page = client.get(reverse("admin:projects_reportschedule_changelist")).content.decode()
    assert "上饶经开区 调度通报(月报)" in page and "赣县区 调度通报" not in page
    assert client.get(reverse("admin:projects_reportschedule_change", args=[other.pk])).status_code == 200
