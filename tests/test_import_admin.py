"""Excel导入 in the admin, through the test client: 赣县区's editor downloads the May 2022 template,
uploads it filled, sees the dry run (行, 列, 规则, 级别, 说明), commits; a file with errors cannot
be committed, warnings need the check box; editors see their zones' batches only."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import (
    EntryBasis,
    ImportBatch,
    ImportStatus,
    IndicatorValue,
    Metric,
    Portfolio,
    PortfolioEntry,
    Project,
    Zone,
    ZoneRole,
)
from tests.factories import ZoneFactory, ZoneMembershipFactory

pytestmark = pytest.mark.django_db
PROJECTS = ("赣州寒锐新能源科技有限公司项目", "粤磁稀土", "华能二期")
OPEN = "2022-06-05 10:00 +08:00"  # May 2022 is open until 10 June
YI = Decimal(100_000_000)


@pytest.fixture
def ganxian(seeded):
    """赣县区 entering year-to-date figures, three of its projects on its 2022 portfolio."""
    zone = Zone.objects.get(name="赣县区")
    zone.entry_basis = EntryBasis.YEAR_TO_DATE
    zone.entry_deadline_day = 10
    zone.save()
    portfolio = Portfolio.objects.get(zone=zone, name="市级工业倍增升级重点调度项目", year=2022)
    for name in PROJECTS:
        PortfolioEntry.objects.create(portfolio=portfolio, project=Project.objects.get(zone=zone, name=name))
    return zone


def login(client, zone: Zone, role: str = ZoneRole.EDITOR):
    user = ZoneMembershipFactory(zone=zone, role=role).user
    client.force_login(user)
    return user


def template(client, zone: Zone) -> bytes:
    response = client.get(reverse("admin:projects_zone_monthly_template", args=[zone.pk, 2022, 5]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content) if response.streaming else response.content


def filled(content: bytes, amounts: dict[str, object]) -> bytes:
    """The template with 1-5月累计完成投资 set for the named projects."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[2]}
    for row in range(3, sheet.max_row + 1):
        name = sheet.cell(row=row, column=headers["项目名称"]).value
        if name in amounts:
            sheet.cell(row=row, column=headers["1-5月累计完成投资"], value=amounts[name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, content: bytes, kind: str = "monthly", name: str = "赣县区2022年5月月报.xlsx"):
    return client.post(
        reverse("admin:projects_importbatch_add"),
        {"kind": kind, "upload": SimpleUploadedFile(name, content)},
        follow=True,
    )


def may_values() -> dict[str, Decimal]:
    values = IndicatorValue.objects.completed_investment(2022).filter(end_month=5, project__isnull=False)
    return {v.project.name: v.value for v in values}


@time_machine.travel(OPEN)
def test_editor_imports_the_month_from_the_template(client, ganxian):
    editor = login(client, ganxian)
    add_page = client.get(reverse("admin:projects_importbatch_add")).content.decode()
    assert "下载模板" in add_page
    assert (
        reverse("admin:projects_importbatch_template", args=["projects"]) + f"?zone={ganxian.pk}" in add_page
    )

    content = filled(
        template(client, ganxian), {"赣州寒锐新能源科技有限公司项目": "12.5亿元", "粤磁稀土": 3000}
    )
    response = upload(client, content)
    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:projects_importbatch_change", args=[batch.pk])
    page = response.content.decode()
    assert "已检查3行,未发现问题,请确认导入" in page
    assert "未发现问题" in page
    assert 'name="_commit"' in page
    assert (batch.zone, batch.status, batch.row_count, batch.uploaded_by) == (
        ganxian,
        ImportStatus.CHECKED,
        3,
        editor,
    )
    assert may_values() == {}  # the dry run wrote nothing

    response = client.post(reverse("admin:projects_importbatch_commit", args=[batch.pk]), follow=True)
    page = response.content.decode()
    assert "已导入3行:新增2、修改0、更正0、节点0、未变0" in page
    assert may_values() == {
        "赣州寒锐新能源科技有限公司项目": Decimal("12.5") * YI,
        "粤磁稀土": 3000 * Decimal(10_000),
    }
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert batch.committed_at is not None
    assert "已于" in page and 'name="_commit"' not in page
    # a second commit of the same file is refused
    response = client.post(reverse("admin:projects_importbatch_commit", args=[batch.pk]), follow=True)
    assert "该文件已经导入过" in response.content.decode()


@time_machine.travel(OPEN)
def test_a_file_with_a_bad_row_shows_the_row_error_and_cannot_be_committed(client, ganxian):
    login(client, ganxian)
    content = filled(
        template(client, ganxian), {"赣州寒锐新能源科技有限公司项目": "12.5亿", "粤磁稀土": "三千万元"}
    )
    page = upload(client, content).content.decode()
    for header in ("<th>行</th>", "<th>列</th>", "<th>规则</th>", "<th>级别</th>", "<th>说明</th>"):
        assert header in page
    assert "G 1-5月累计完成投资" in page
    assert "<code>parse</code>" in page
    assert "请用阿拉伯数字填写" in page
    assert "有错误,不能导入" in page
    assert 'name="_commit"' not in page
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.error_count) == (ImportStatus.INVALID, 1)
    assert batch.findings[0]["rule"] == "parse"
    response = client.post(reverse("admin:projects_importbatch_commit", args=[batch.pk]), follow=True)
    assert "文件有错误,未导入任何数据" in response.content.decode()
    assert may_values() == {}


@time_machine.travel(OPEN)
def test_warnings_are_committed_only_when_confirmed(client, ganxian):
    login(client, ganxian)
    yuci = Project.objects.get(zone=ganxian, name="粤磁稀土")
    investment = Metric.objects.get(code="completed_investment")
    for month in (1, 2, 3, 4):  # 1000万 a month so far: 10亿 by May is far outside that
        IndicatorValue.objects.create(
            project=yuci,
            metric=investment,
            year=2022,
            start_month=1,
            end_month=month,
            value=month * 1000 * Decimal(10_000),
            scale=10_000,
            currency="CNY",
        )
    content = filled(template(client, ganxian), {"粤磁稀土": "10亿元"})
    page = upload(client, content).content.decode()
    assert "<code>outlier</code>" in page
    assert "1个警告,请核对后确认导入" in page
    assert "确认以上警告并导入" in page
    batch = ImportBatch.objects.get()
    commit = reverse("admin:projects_importbatch_commit", args=[batch.pk])
    response = client.post(commit, follow=True)
    assert "有警告尚未确认" in response.content.decode()
    assert may_values() == {}
    client.post(commit, {"confirm_warnings": "1"})
    assert may_values() == {"粤磁稀土": 10 * YI}


@time_machine.travel(OPEN)
def test_editors_see_only_their_zones_batches_and_download_the_file(client, ganxian):
    other = ZoneFactory(name="南康区")
    ImportBatch.objects.create(kind="projects", zone=other, file_name="南康区项目.xlsx", content=b"x")
    login(client, ganxian)
    content = filled(template(client, ganxian), {"粤磁稀土": 3000})
    upload(client, content)
    listing = client.get(reverse("admin:projects_importbatch_changelist"))
    assert [b.file_name for b in listing.context["cl"].result_list] == ["赣县区2022年5月月报.xlsx"]
    page = listing.content.decode()
    assert "已检查,待导入" in page
    mine = ImportBatch.objects.get(zone=ganxian)
    download = client.get(reverse("admin:projects_importbatch_file", args=[mine.pk]))
    assert download.content == content
    theirs = ImportBatch.objects.get(zone=other)
    assert client.get(reverse("admin:projects_importbatch_file", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("admin:projects_importbatch_change", args=[theirs.pk])).status_code == 302


@time_machine.travel(OPEN)
def test_viewers_download_templates_but_do_not_upload(client, ganxian):
    login(client, ganxian, role=ZoneRole.VIEWER)
    assert template(client, ganxian)
    assert client.get(reverse("admin:projects_importbatch_add")).status_code == 403
    response = client.get(
        reverse("admin:projects_importbatch_template", args=["projects"]), {"zone": ganxian.pk}
    )
    rows = load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=3, values_only=True)
    assert {row[1] for row in rows} >= set(PROJECTS)


def test_another_zones_editor_cannot_download_the_monthly_template(client, ganxian):
    login(client, ZoneFactory(name="南康区"))
    response = client.get(reverse("admin:projects_zone_monthly_template", args=[ganxian.pk, 2022, 5]))
    assert response.status_code == 404  # as for a zone that does not exist
    assert "赣县区" not in response.content.decode()
