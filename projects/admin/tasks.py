"""The background tasks' page (django-tasks-db's results: each queued report and e-mail), in Chinese.

The package's admin names two columns and two fields with plain English strings, which no catalogue
can translate; the rest of its labels come from projects/locale. Superusers only, as before: the
package's admin asks Django's model permissions, which only a superuser holds here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "id",
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description=_("任务"))
    def task_label(self, obj: DBTaskResult[Any, Any]) -> str:
        return obj.task_name

    @admin.display(description=_("错误追踪"))
    def formatted_traceback(self, obj: DBTaskResult[Any, Any]) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("最早执行时间"))
    def display_run_after(self, obj: DBTaskResult[Any, Any]) -> datetime | str:
        return super().display_run_after(obj)
