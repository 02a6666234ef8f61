"""Checking and committing an import (check_import, commit_import, refusal), and the ImportBatch
that records every upload: its findings and counts, and the stored file checked again on commit.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ... import uploads
from ...models import (
    STALE_MESSAGE,
    ImportBatch,
    ImportKind,
    ImportStatus,
    StaleVersion,
    Zone,
)
from ...monthly_entry import MonthlyPlan, save_month
from ..layout import INDICATOR_COLUMNS, MONTHLY_COLUMNS, PROJECT_COLUMNS
from ..reader import WorkbookError, read_sheet
from .base import MAX_STORED_FINDINGS, ImportRefused, ImportResult, _file_error
from .indicators import _check_indicators
from .monthly import _check_monthly
from .projects import _check_projects

# ---------------------------------------------------------------------------------------------
# Check and commit

COLUMNS = {
    ImportKind.MONTHLY: MONTHLY_COLUMNS,
    ImportKind.PROJECTS: PROJECT_COLUMNS,
    ImportKind.INDICATORS: INDICATOR_COLUMNS,
}


def check_import(
    kind: str,
    content: bytes,
    *,
    user,
    zone: Zone | None = None,
    today: date | None = None,
    confirm_warnings: bool = False,
    file_name: str = "",
) -> ImportResult:
    """Read and check a workbook without writing anything: every problem as a RowFinding (row,
    column, rule id, severity, message), and the plan of what a commit would write. A file that is
    not the expected workbook gives one finding at row 0 (rule "file")."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}")
    try:
        sheet = read_sheet(content, COLUMNS[kind], kind=kind)
        if kind == ImportKind.MONTHLY:
            result = _check_monthly(
                sheet, user=user, zone=zone, today=today, confirm_warnings=confirm_warnings
            )
        else:
            check = _check_projects if kind == ImportKind.PROJECTS else _check_indicators
            result = check(sheet, user=user, today=today, confirm_warnings=confirm_warnings)
    except WorkbookError as error:
        return _file_error(kind, error, file_name)
    result.file_name = file_name
    return result


STALE_IMPORT = format_lazy(
    _("{stale}(导入检查之后有记录被他人修改),本次未导入任何数据;请重新检查后再导入"), stale=STALE_MESSAGE
)


def refusal(result: ImportResult) -> ImportRefused | None:
    """Why a checked workbook cannot be committed as it is, or None."""
    if result.plan is None or result.errors:
        return ImportRefused(_("文件有错误,未导入任何数据"))
    if not result.ok:
        return ImportRefused(_("有警告尚未确认,未导入任何数据;请核对后勾选确认警告再导入"))
    return None


def commit_import(result: ImportResult, *, user) -> dict[str, int]:
    """Write what the check planned, all of it or nothing. Raises ImportRefused (nothing written)
    when the check found errors or unconfirmed warnings, or when a record changed meanwhile."""
    if (refused := refusal(result)) is not None:
        raise refused
    try:
        with transaction.atomic():
            if isinstance(result.plan, MonthlyPlan):
                return save_month(result.plan, user=user)
            return result.plan.save(user)
    except StaleVersion:
        raise ImportRefused(STALE_IMPORT) from None
    except IntegrityError as error:
        raise ImportRefused(
            format_lazy(_("数据与已有记录冲突,未导入任何数据:{error}"), error=error)
        ) from None


# ---------------------------------------------------------------------------------------------
# ImportBatch: every upload recorded


ALREADY_IMPORTED = _("该文件已经导入过")
RECORDED_FIELDS = ["zone", "row_count", "error_count", "warning_count", "findings"]


def record_check(batch: ImportBatch, result: ImportResult) -> ImportBatch:
    """Put a check's findings and counts on the batch (and save it)."""
    batch.zone = result.zone
    batch.row_count = result.rows
    batch.error_count = len(result.errors)
    batch.warning_count = len(result.warnings)
    batch.findings = [f.as_dict() for f in result.findings[:MAX_STORED_FINDINGS]]
    if batch.status != ImportStatus.COMMITTED:
        batch.status = ImportStatus.INVALID if result.errors else ImportStatus.CHECKED
    if batch.pk is None:
        batch.save()
    else:  # never the file again: it may be 20 MB, or deleted meanwhile (projects.uploads)
        batch.save(update_fields=[*RECORDED_FIELDS, "status", "committed_at"])
    return batch


def import_batch_check(
    *,
    kind: str,
    file_name: str,
    content: bytes,
    user,
    zone: Zone | None = None,
    today: date | None = None,
    confirm_warnings: bool = False,
) -> tuple[ImportBatch, ImportResult]:
    """Check an uploaded workbook (a dry run) and record it as an ImportBatch: its findings and
    counts, not the file (uploads.keep_file stores the file of a batch to be committed)."""
    result = check_import(
        kind,
        content,
        user=user,
        zone=zone,
        today=today,
        confirm_warnings=confirm_warnings,
        file_name=file_name,
    )
    batch = ImportBatch(kind=kind, file_name=file_name, file_size=len(content), uploaded_by=user)
    return record_check(batch, result), result


def import_batch_commit(
    batch: ImportBatch,
    *,
    user,
    confirm_warnings: bool = False,
    today: date | None = None,
    result: ImportResult | None = None,
) -> tuple[ImportResult, dict[str, int]]:
    """Write the batch's file, all or nothing. It is checked again first (the data may have
    changed since its dry run), unless `result` is the check just made of it (the API checks and
    commits in one request). Raises ImportRefused when it cannot be imported; the batch then
    records the new findings."""
    if batch.status == ImportStatus.COMMITTED:
        raise ImportRefused(ALREADY_IMPORTED)
    if result is None and batch.content is None:
        raise ImportRefused(
            format_lazy(_("{reason},未导入任何数据;请重新上传该文件"), reason=uploads.why_no_file(batch))
        )
    if result is None:
        result = check_import(
            batch.kind,
            bytes(batch.content),
            user=user,
            zone=batch.zone if batch.kind == ImportKind.MONTHLY else None,
            today=today,
            confirm_warnings=confirm_warnings,
            file_name=batch.file_name,
        )
    if (refused := refusal(result)) is not None:
        record_check(batch, result)
        raise refused
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.COMMITTED:
            raise ImportRefused(ALREADY_IMPORTED)
        summary = commit_import(result, user=user)
        batch.status = ImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        record_check(batch, result)
    return result, summary
