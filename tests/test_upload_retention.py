"""Uploaded workbooks are kept for a stated time and under a per-user quota; a dry run keeps only
its findings (projects.uploads). With frozen time: an admin upload keeps its file for its commit
until IMPORT_PENDING_HOURS, a committed file for IMPORT_UPLOAD_RETENTION_DAYS; then the file goes
and the batch stays, and a commit of it is refused clearly. The API's dry run, and a refused
import, store no file. An upload over IMPORT_UPLOAD_QUOTA_MB is a 413 (API) or a form error
(admin) naming the quota and what is used, with nothing written."""

import io
import os
import signal
import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from projects.models import ImportBatch, ImportStatus, IndicatorValue, ZoneRole
from projects.money import AmountScale
from projects.workbooks.template import monthly_template
from tests.factories import (
    IndicatorValueFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db
OPEN = "2022-06-03 10:00 +08:00"  # May 2022 is open until 10 June
TODAY = date(2022, 6, 3)
WAN = Decimal(10_000)
YI = Decimal(100_000_000)
KB = 1024


@pytest.fixture
def zone(investment):
    """赣县区 with two projects on its 2022 portfolio, April's figures entered."""
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10)
    portfolio = PortfolioFactory(zone=zone, name="市级工业倍增升级重点调度项目", year=2022)
    for name, total in (("寒锐新能源项目", 100), ("粤磁稀土项目", 20)):
        project = ProjectFactory(zone=zone, name=name, total_investment=total * YI)
        PortfolioEntryFactory(portfolio=portfolio, project=project)
        IndicatorValueFactory(
            zone=None,
            project=project,
            metric=investment,
            end_month=4,
            value=5000 * WAN,
            scale=AmountScale.WAN,
        )
    return zone


@pytest.fixture
def editor(zone):
    return ZoneMembershipFactory(zone=zone, role=ZoneRole.EDITOR).user


def workbook(zone, amounts: dict[str, object]) -> bytes:
    """May's template of the zone with 本月完成投资 filled for the named projects."""
    book = load_workbook(io.BytesIO(monthly_template(zone, 2022, 5, today=TODAY)))
    sheet = book.worksheets[0]
    for row in range(3, sheet.max_row + 1):
        if (name := sheet.cell(row=row, column=2).value) in amounts:
            sheet.cell(row=row, column=7, value=amounts[name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def clean_file(zone) -> bytes:
    return workbook(zone, {"寒锐新能源项目": 1000, "粤磁稀土项目": "0.3亿元"})


def may_values() -> dict[str, Decimal]:
    values = IndicatorValue.objects.completed_investment(2022).filter(end_month=5)
    return {v.project.name: v.value for v in values}


def admin_upload(client, content: bytes, name: str = "赣县区2022年5月月报.xlsx"):
    return client.post(
        reverse("admin:projects_importbatch_add"),
        {"kind": "monthly", "upload": SimpleUploadedFile(name, content)},
    )


def api_post(user, content: bytes, **params):
    client = APIClient()
    client.force_authenticate(user)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    upload = SimpleUploadedFile("赣县区5月.xlsx", content)
    return client.post(f"/api/imports/monthly/?{query}", {"file": upload}, format="multipart")


def stored(batch: ImportBatch) -> bytes | None:
    content = ImportBatch.objects.values_list("content", flat=True).get(pk=batch.pk)
    return None if content is None else bytes(content)


def kept_for(user, size: int) -> ImportBatch:
    """An earlier, still pending upload of `user` whose stored file has `size` bytes."""
    return ImportBatch.objects.create(
        kind="monthly", file_name="旧文件.xlsx", content=b"x" * size, file_size=size, uploaded_by=user
    )


# ---------------------------------------------------------------------------------------------
# Retention


def test_a_checked_admin_upload_keeps_its_file_for_the_pending_time_only(client, zone, editor):
    client.force_login(editor)
    content = clean_file(zone)
    with time_machine.travel(OPEN, tick=False) as clock:
        assert admin_upload(client, content).status_code == 302
        batch = ImportBatch.objects.get()
        assert (stored(batch), batch.file_size, batch.status) == (content, len(content), ImportStatus.CHECKED)
        findings = batch.findings

        clock.shift(timedelta(hours=23, minutes=59))
        assert call_command_output("purge_uploads").startswith("已删除0个过期的导入文件")
        assert stored(batch) == content

        clock.shift(timedelta(minutes=2))
        output = call_command_output("purge_uploads")
        assert output.startswith(f"已删除1个过期的导入文件,共{-(-len(content) // KB)}KB")
        batch.refresh_from_db()
        assert (stored(batch), batch.file_deleted_at) == (None, timezone.now())
        # The batch stays as the record of the upload.
        assert (batch.status, batch.row_count, batch.findings, batch.file_size, batch.uploaded_by) == (
            ImportStatus.CHECKED,
            2,
            findings,
            len(content),
            editor,
        )

        page = client.get(reverse("admin:projects_importbatch_change", args=[batch.pk])).content.decode()
        assert "文件已过保留期删除" in page
        assert 'name="_commit"' not in page
        response = client.post(reverse("admin:projects_importbatch_commit", args=[batch.pk]), follow=True)
        assert "文件已过保留期删除,未导入任何数据;请重新上传该文件" in response.content.decode()
        assert may_values() == {}
        response = client.get(reverse("admin:projects_importbatch_file", args=[batch.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:projects_importbatch_change", args=[batch.pk])
        assert "文件已过保留期删除" in response.content.decode()


def call_command_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_committed_file_is_kept_for_the_retention_period_then_deleted(client, zone, editor):
    client.force_login(editor)
    content = clean_file(zone)
    with time_machine.travel(OPEN, tick=False) as clock:
        admin_upload(client, content)
        batch = ImportBatch.objects.get()
        clock.shift(timedelta(hours=1))
        client.post(reverse("admin:projects_importbatch_commit", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == ImportStatus.COMMITTED
        committed = may_values()
        assert committed == {"寒锐新能源项目": 6000 * WAN, "粤磁稀土项目": 8000 * WAN}

        clock.shift(timedelta(days=90) - timedelta(seconds=1))  # past the pending time, within 90 days
        call_command("purge_uploads", stdout=io.StringIO())
        assert stored(batch) == content
        response = client.get(reverse("admin:projects_importbatch_file", args=[batch.pk]))
        assert response.content == content

        clock.shift(timedelta(seconds=2))
        call_command("purge_uploads", stdout=io.StringIO())
        batch.refresh_from_db()
        assert (stored(batch), batch.status, batch.row_count) == (None, ImportStatus.COMMITTED, 2)
        assert may_values() == committed  # what was imported stays
        page = client.get(reverse("admin:projects_importbatch_change", args=[batch.pk])).content.decode()
        assert "文件已过保留期删除" in page
        assert "已于2022-06-03 11:00导入" in page


def test_the_periods_follow_the_settings_and_other_files_are_left(settings, zone, editor):
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 7
    settings.IMPORT_PENDING_HOURS = 2
    with time_machine.travel(OPEN, tick=False) as clock:
        old_commit = ImportBatch.objects.create(
            kind="monthly",
            file_name="已导入.xlsx",
            content=b"a" * 10,
            file_size=10,
            status=ImportStatus.COMMITTED,
            committed_at=timezone.now() - timedelta(days=8),
            uploaded_by=editor,
        )
        recent_commit = ImportBatch.objects.create(
            kind="monthly",
            file_name="上周导入.xlsx",
            content=b"b" * 10,
            file_size=10,
            status=ImportStatus.COMMITTED,
            committed_at=timezone.now() - timedelta(days=6),
            uploaded_by=editor,
        )
        invalid = kept_for(editor, 20)
        ImportBatch.objects.filter(pk=invalid.pk).update(status=ImportStatus.INVALID)
        fresh = kept_for(editor, 30)
        clock.shift(timedelta(hours=2, seconds=1))
        fresh.uploaded_at = timezone.now() - timedelta(hours=1)
        fresh.save(update_fields=["uploaded_at"])

        assert call_command_output("purge_uploads").startswith("已删除2个过期的导入文件,共1KB")
        assert [stored(b) for b in (old_commit, recent_commit, invalid, fresh)] == [
            None,
            b"b" * 10,
            None,
            b"x" * 30,
        ]


# ---------------------------------------------------------------------------------------------
# The scheduler runs the purge


def expired_upload(user) -> ImportBatch:
    batch = kept_for(user, 100)
    ImportBatch.objects.filter(pk=batch.pk).update(uploaded_at=batch.uploaded_at - timedelta(days=2))
    return batch


def test_a_scheduler_pass_deletes_expired_files(db, editor):
    batch = expired_upload(editor)
    output = call_command_output("run_scheduled_reports")
    assert "删除1个过期的导入文件,共1KB" in output
    assert stored(batch) is None


def test_the_scheduler_loop_deletes_expired_files_on_its_first_pass(db, editor):
    batch = expired_upload(editor)
    out = io.StringIO()
    previous = signal.getsignal(signal.SIGTERM)

    def stop_once_started() -> None:
        # The loop says it started once its SIGTERM handler is in place; stop it then.
        while "已启动" not in out.getvalue():
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    stopper = threading.Thread(target=stop_once_started, daemon=True)
    stopper.start()
    try:
        call_command("run_scheduled_reports", "--loop", "--interval", "1", stdout=out)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stopper.join(timeout=5)
    assert "删除1个过期的导入文件" in out.getvalue()
    assert "定期报告调度已停止" in out.getvalue()
    assert stored(batch) is None


# ---------------------------------------------------------------------------------------------
# The API: a dry run and a refused import keep no file; a commit keeps it


@time_machine.travel(OPEN, tick=False)
def test_an_api_dry_run_keeps_its_findings_but_not_the_file(zone, editor):
    content = workbook(zone, {"寒锐新能源项目": "一千万元"})
    response = api_post(editor, content, dry_run=1)
    assert response.status_code == 200
    batch = ImportBatch.objects.get(pk=response.json()["batch"])
    assert (stored(batch), batch.file_size, batch.error_count) == (None, len(content), 1)
    assert [f["rule"] for f in batch.findings] == ["parse"]
    assert ImportBatch.objects.filter(uploaded_by=editor).file_bytes() == 0


@time_machine.travel(OPEN, tick=False)
def test_a_clean_api_dry_run_cannot_be_committed_in_the_admin_without_its_file(client, zone, editor):
    response = api_post(editor, clean_file(zone), dry_run=1)
    batch = ImportBatch.objects.get(pk=response.json()["batch"])
    assert (batch.status, stored(batch)) == (ImportStatus.CHECKED, None)
    client.force_login(editor)
    page = client.get(reverse("admin:projects_importbatch_change", args=[batch.pk])).content.decode()
    assert "只保存了检查结果,未保存文件(试导入或未通过的导入)" in page
    assert 'name="_commit"' not in page
    response = client.post(reverse("admin:projects_importbatch_commit", args=[batch.pk]), follow=True)
    assert "只保存了检查结果,未保存文件(试导入或未通过的导入),未导入任何数据" in response.content.decode()
    assert may_values() == {}


@time_machine.travel(OPEN, tick=False)
def test_an_api_import_refused_for_its_errors_keeps_no_file(zone, editor):
    response = api_post(editor, workbook(zone, {"粤磁稀土项目": "25亿元"}))
    assert response.status_code == 400
    assert stored(ImportBatch.objects.get(pk=response.json()["batch"])) is None


@time_machine.travel(OPEN, tick=False)
def test_an_api_commit_keeps_the_file_as_uploaded(zone, editor):
    content = clean_file(zone)
    response = api_post(editor, content)
    assert response.status_code == 201
    batch = ImportBatch.objects.get(pk=response.json()["batch"])
    assert (stored(batch), batch.file_size, batch.status) == (content, len(content), ImportStatus.COMMITTED)


# ---------------------------------------------------------------------------------------------
# The quota


@time_machine.travel(OPEN, tick=False)
def test_an_api_upload_over_the_quota_is_a_413_and_writes_nothing(settings, zone, editor):
    settings.IMPORT_UPLOAD_QUOTA_MB = 1
    kept_for(editor, 600 * KB)
    content = clean_file(zone) + b"\0" * (500 * KB)
    before = ImportBatch.objects.count()

    response = api_post(editor, content)

    assert response.status_code == 413
    body = response.json()
    assert body["detail"] == "超出上传文件配额,未写入任何数据 / Upload quota exceeded; nothing was written"
    [error] = body["errors"]
    assert (error["field"], error["code"]) == ("file", "upload_quota")
    assert f"已有600KB,本文件{-(-len(content) // KB)}KB,每人最多1MB" in error["message"]
    assert "you keep 600KB of uploaded files" in error["message_en"]
    assert "each user may keep 1MB" in error["message_en"]
    assert ImportBatch.objects.count() == before
    assert may_values() == {}


@time_machine.travel(OPEN, tick=False)
def test_a_dry_run_is_not_held_to_the_quota_since_it_keeps_no_file(settings, zone, editor):
    settings.IMPORT_UPLOAD_QUOTA_MB = 1
    kept_for(editor, 1024 * KB)
    response = api_post(editor, clean_file(zone), dry_run=1)
    assert response.status_code == 200
    assert stored(ImportBatch.objects.get(pk=response.json()["batch"])) is None


@time_machine.travel(OPEN, tick=False)
def test_an_admin_upload_over_the_quota_is_a_form_error_and_writes_nothing(settings, client, zone, editor):
    settings.IMPORT_UPLOAD_QUOTA_MB = 1
    kept_for(editor, 600 * KB)
    client.force_login(editor)
    before = ImportBatch.objects.count()

    response = admin_upload(client, b"PK" + b"\0" * (500 * KB))

    assert response.status_code == 200  # the form again, with its error
    form = response.context["adminform"].form
    [message] = form.errors["upload"]
    assert "超出上传文件配额:您保存的导入文件已有600KB,本文件501KB,每人最多1MB" in message
    assert "Upload quota exceeded" in message
    assert ImportBatch.objects.count() == before


@time_machine.travel(OPEN, tick=False)
def test_the_quota_counts_the_users_own_files_still_kept_to_the_byte(settings, client, zone, editor):
    settings.IMPORT_UPLOAD_QUOTA_MB = 1
    content = clean_file(zone)
    kept_for(UserFactory(), 1024 * KB)  # someone else's
    deleted = kept_for(editor, 1024 * KB)
    ImportBatch.objects.filter(pk=deleted.pk).update(content=None, file_deleted_at=timezone.now())
    mine = kept_for(editor, 1024 * KB - len(content) + 1)
    client.force_login(editor)

    refused = admin_upload(client, content)  # one byte over
    assert "超出上传文件配额" in refused.content.decode()

    room = 1024 * KB - len(content)
    ImportBatch.objects.filter(pk=mine.pk).update(content=b"x" * room, file_size=room)
    assert admin_upload(client, content).status_code == 302  # exactly the quota
    assert ImportBatch.objects.filter(uploaded_by=editor).file_bytes() == 1024 * KB


# ---------------------------------------------------------------------------------------------
# The migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_size_of_files_uploaded_before_it():
    executor = MigrationExecutor(connection)
    before, after = [("projects", "0007_scale_indexes")], [("projects", "0009_import_upload_size_fill")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("projects", "ImportBatch")
    batch = old.objects.create(kind="monthly", file_name="旧.xlsx", content=b"x" * 1234)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    new = executor.loader.project_state(after).apps.get_model("projects", "ImportBatch")
    assert new.objects.get(pk=batch.pk).file_size == 1234
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
