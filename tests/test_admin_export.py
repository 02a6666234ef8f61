"""Export of any tracker list to Excel (导出Excel): the list as filtered, searched and ordered,
all its pages, with its columns as shown; the selected rows by an action; only the rows the user
may see; a constant number of queries however many rows."""

import io
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result, result_headers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags
from openpyxl import load_workbook

from projects.admin.base import ZoneRoleAdmin
from projects.models import ZoneRole
from tests.factories import (
    EnterpriseFactory,
    MilestoneFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)
from tests.test_admin import populate

pytestmark = pytest.mark.django_db

TRACKER_ADMINS = sorted(
    model._meta.model_name
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ZoneRoleAdmin)
)


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(response) -> list[tuple]:
    return list(workbook_of(response).active.iter_rows(values_only=True))


def export(client, model_name: str, params: dict | None = None) -> tuple[int, list[tuple]]:
    """The number of queries of the export and the rows of the workbook it gives."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:projects_{model_name}_export"), params or {})
        rows = rows_of(response)
    return len(queries), rows


def shown(client, model_name: str) -> tuple[list[str], list[list[str]]]:
    """The headers and the cells of the changelist page, as text (all rows on one page)."""
    response = client.get(reverse(f"admin:projects_{model_name}_changelist"), {"all": ""})
    changelist = response.context["cl"]
    columns = [
        i for i, name in enumerate(changelist.list_display) if name != "action_checkbox"
    ]  # the check box column is not exported
    headers = [strip_tags(header["text"]) for header in result_headers(changelist)]
    cells = [
        [unescape(strip_tags(cell)).strip() for cell in items_for_result(changelist, result, None)]
        for result in changelist.result_list
    ]
    return [headers[i] for i in columns], [[row[i] for i in columns] for row in cells]


def as_shown(value) -> str:
    if value is None:
        return "-"
    return str(value)


@pytest.mark.parametrize("model_name", TRACKER_ADMINS)
def test_every_tracker_list_exports_its_rows_as_shown(staff_client, model_name):
    populate(1)
    small_queries, small_rows = export(staff_client, model_name)
    populate(3)
    large_queries, large_rows = export(staff_client, model_name)

    assert len(large_rows) > len(small_rows), f"{model_name}: the test data did not grow"
    assert large_queries == small_queries, f"{model_name}: queries grow with rows"

    headers, cells = shown(staff_client, model_name)
    assert list(large_rows[0]) == headers
    assert len(large_rows) - 1 == len(cells)
    for exported, row in zip(large_rows[1:], cells, strict=True):
        for value, text in zip(exported, row, strict=True):
            if value in ("是", "否") and text == "":
                continue  # the list shows a yes/no icon
            if isinstance(value, int | float):  # a number cell: 50 for 50.0000
                assert value == float(text), f"{model_name}: {exported} != {row}"
                continue
            assert as_shown(value) == text, f"{model_name}: {exported} != {row}"


def test_the_list_shows_an_export_button_keeping_its_query(staff_client):
    page = staff_client.get(reverse("admin:projects_project_changelist"), {"q": "光伏", "o": "1"})
    href = f"{reverse('admin:projects_project_export')}?o=1&amp;q=%E5%85%89%E4%BC%8F"
    assert f'<a href="{href}" class="export-link">导出Excel</a>' in page.content.decode()


def test_project_cells_are_what_the_list_shows(staff_client):
    zone = ZoneFactory(name="上饶经开区")
    ProjectFactory(
        zone=zone,
        name="年产3.7亿平方米光伏玻璃项目",
        enterprise=EnterpriseFactory(name="凯盛光伏材料有限公司", zone=zone),
        total_investment=Decimal("10600000000"),
        stage="construction",
    )
    _, rows = export(staff_client, "project")
    assert rows == [
        ("项目名称", "所在区域", "建设主体", "项目阶段", "总投资", "逾期节点", "引文"),
        ("年产3.7亿平方米光伏玻璃项目", "上饶经开区", "凯盛光伏材料有限公司", "在建", "106亿元", "0", 0),
    ]


@time_machine.travel(date(2023, 6, 1))
def test_a_badge_exports_as_its_text(staff_client):
    MilestoneFactory(kind="trial", planned_date=date(2023, 3, 1), planned_precision="month")
    _, rows = export(staff_client, "milestone")
    status = rows[0].index("状态")
    assert rows[1][status] == "逾期"


def test_the_export_follows_filters_search_and_ordering_across_all_pages(staff_client):
    zone, other = ZoneFactory(name="赣县区"), ZoneFactory(name="南康区")
    for n in range(120):
        ProjectFactory(zone=zone, name=f"赣县光伏项目{n:03d}")
    ProjectFactory(zone=zone, name="赣县稀土项目")
    ProjectFactory(zone=other, name="南康光伏项目")
    params = {"zone__id__exact": zone.pk, "q": "光伏", "o": "-1"}
    page = staff_client.get(reverse("admin:projects_project_changelist"), params)
    assert len(page.context["cl"].result_list) == 100  # the list shows a page at a time

    _, rows = export(staff_client, "project", params)
    names = [row[0] for row in rows[1:]]
    assert names == [f"赣县光伏项目{n:03d}" for n in reversed(range(120))]


def test_export_queries_do_not_grow_from_3_to_30_rows(staff_client):
    zone = ZoneFactory()
    ProjectFactory.create_batch(3, zone=zone)
    few, rows = export(staff_client, "project")
    assert len(rows) == 4
    ProjectFactory.create_batch(27, zone=zone)
    many, rows = export(staff_client, "project")
    assert len(rows) == 31
    assert many == few


def test_an_editor_exports_only_what_they_see(client):
    own, other = ZoneFactory(name="赣县区"), ZoneFactory(name="南康区")
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=own, role=ZoneRole.VIEWER)
    client.force_login(user)
    ProjectFactory(zone=own, name="赣县区的项目")
    ProjectFactory(zone=other, name="南康区的项目")
    _, rows = export(client, "project")
    assert [row[0] for row in rows[1:]] == ["赣县区的项目"]


def test_the_selected_rows_export_by_the_action(staff_client):
    first, _, third = (ProjectFactory(name=name) for name in ("甲项目", "乙项目", "丙项目"))
    response = staff_client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "export_selected", "_selected_action": [first.pk, third.pk], "index": "0"},
    )
    assert sorted(row[0] for row in rows_of(response)[1:]) == sorted(["甲项目", "丙项目"])


def test_the_action_is_offered_on_every_tracker_list(staff_client):
    populate(1)  # a list without rows offers no actions
    for model_name in TRACKER_ADMINS:
        page = staff_client.get(reverse(f"admin:projects_{model_name}_changelist")).content.decode()
        assert '<option value="export_selected">导出所选为Excel</option>' in page, model_name


def test_text_that_looks_like_a_formula_stays_text(staff_client):
    ProjectFactory(name='=HYPERLINK("http://example.com")')
    workbook = workbook_of(staff_client.get(reverse("admin:projects_project_export")))
    cell = workbook.active["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.com")', "s")
