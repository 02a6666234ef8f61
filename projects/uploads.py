"""Uploaded workbooks (Excel导入) are kept for a stated time and under a per-user quota.

An ImportBatch is the record of an upload — kind, zone, who, when, the findings and counts — and
stays. Its file is kept only while it is needed:

- checked in the admin and not (yet) committed: IMPORT_PENDING_HOURS after the upload, time to
  look at the findings and commit (a commit re-reads the stored file);
- committed: IMPORT_UPLOAD_RETENTION_DAYS after the commit, as the audit copy of what was imported;
- the API checks and commits in one request, so it stores a file only when it commits it; a dry
  run (`?dry_run=1`) and a refused import keep their findings, not the file.

Then the file is deleted (`drop_expired_files`, run by `manage.py run_scheduled_reports` on each
pass and by `manage.py purge_uploads`), and the batch says 文件已过保留期删除.

The files stored for one user's uploads may not exceed IMPORT_UPLOAD_QUOTA_MB: an upload that
would is refused before anything is written. The check and the write happen under a lock on the
user's row, so that two uploads at once cannot both take the last room.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .i18n import Text, in_english
from .models import ImportBatch

MB = 1024 * 1024

FILE_DELETED = _("文件已过保留期删除")
FILE_NOT_KEPT = _(
    "只保存了检查结果,未保存文件(试导入或未通过的导入)"
)  # the API's dry runs and refused imports


def retention() -> timedelta:
    """How long a committed batch's file is kept after its commit."""
    return timedelta(days=settings.IMPORT_UPLOAD_RETENTION_DAYS)


def pending_time() -> timedelta:
    """How long a checked, uncommitted batch's file is kept after its upload."""
    return timedelta(hours=settings.IMPORT_PENDING_HOURS)


def quota_bytes() -> int:
    return settings.IMPORT_UPLOAD_QUOTA_MB * MB


def size_text(size: int) -> str:
    """A size as people read it: 480KB, 1.5MB, 200MB."""
    if size < MB:
        return f"{-(-size // 1024)}KB"  # rounded up: a small file is not 0KB
    return f"{size / MB:.1f}".removesuffix(".0") + "MB"


class QuotaExceeded(Exception):
    """Storing `size` more bytes would take the uploader over the quota."""

    def __init__(self, *, used: int, size: int, quota: int) -> None:
        self.used, self.size, self.quota = used, size, quota
        super().__init__(self.message)

    @property
    def message(self) -> Text:
        return format_lazy(
            _(
                "超出上传文件配额:您保存的导入文件已有{used},本文件{size},每人最多{quota}。"
                "未导入的文件{pending_hours}小时后删除,已导入的{retention_days}天后删除;"
                "急需时请管理员删除旧的导入记录"
            ),
            used=size_text(self.used),
            size=size_text(self.size),
            quota=size_text(self.quota),
            pending_hours=settings.IMPORT_PENDING_HOURS,
            retention_days=settings.IMPORT_UPLOAD_RETENTION_DAYS,
        )

    @property
    def message_en(self) -> str:
        """The message's English, for projects/api/imports.py, which answers with both."""
        return in_english(self.message)


def lock_uploader(user) -> None:
    """Lock the uploader's row until the transaction ends: one upload of a user at a time is
    measured against the quota and stored. Call it inside a transaction."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()


def quota_refusal(user, size: int) -> QuotaExceeded | None:
    """Why `user` may not store `size` more bytes of uploads, or None."""
    used = ImportBatch.objects.filter(uploaded_by=user).file_bytes()
    if used + size > quota_bytes():
        return QuotaExceeded(used=used, size=size, quota=quota_bytes())
    return None


def why_no_file(batch: ImportBatch) -> Text:
    """Why a batch has no file: deleted after its time, or never kept."""
    return FILE_DELETED if batch.file_deleted_at is not None else FILE_NOT_KEPT


def drop_expired_files(now: datetime | None = None) -> tuple[int, int]:
    """Delete the stored files past their time (module docstring); the batches stay.
    Returns (files deleted, bytes freed)."""
    now = now or timezone.now()
    expired = ImportBatch.objects.files_expired(
        committed_before=now - retention(), uploaded_before=now - pending_time()
    )
    freed = expired.file_bytes()
    # One UPDATE with the conditions in it: a batch committed meanwhile (its row locked by the
    # commit) is matched again after the commit, and keeps its audit copy.
    return expired.update(content=None, file_deleted_at=now), freed


def keep_file(batch: ImportBatch, content: bytes) -> None:
    """Store the batch's file, within its uploader's quota; QuotaExceeded stores nothing. Call it
    inside a transaction (the uploader's row stays locked until it ends)."""
    lock_uploader(batch.uploaded_by)
    if (exceeded := quota_refusal(batch.uploaded_by, len(content))) is not None:
        raise exceeded
    batch.content, batch.file_size = content, len(content)
    if batch.pk is not None:
        ImportBatch.objects.filter(pk=batch.pk).update(content=content, file_size=len(content))
