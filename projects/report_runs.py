"""Scheduled and on-demand report runs: making them once, generating them, delivering them.

- `run_scheduler_pass(today)` makes the run of every active schedule whose period is due (once:
  the unique constraint on schedule and period decides between concurrent schedulers), queues it,
  and queues again what failed or stalled: a failed run or e-mail is retried on each pass, up to
  settings.REPORT_MAX_ATTEMPTS times, keeping its last error; a run a worker took and did not
  finish within settings.REPORT_STALLED_MINUTES (the worker died) is queued again.
- `request_run(...)` makes an on-demand run.
- `generate(run_id)` and `deliver(run_id)` are what the tasks in `tasks.py` do (tasks.py imports
  this module; this module queues them by path, in `_enqueue`). Each first claims
  its run with a conditional UPDATE, so a run queued twice is still made once, and writes the
  snapshot, the files and the status in one transaction: nothing half-written remains.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .models import (
    Campaign,
    DeliveryStatus,
    Portfolio,
    ReportFile,
    ReportRun,
    ReportSchedule,
    RunStatus,
    ScopeKind,
    Zone,
)
from .reports.cadence import ReportPeriod, month_period
from .reports.changes import changes_between
from .reports.documents import FORMATS
from .reports.formatting import schedule_verdict
from .reports.snapshot import build_snapshot, fingerprint

logger = logging.getLogger(__name__)

ERROR_LIMIT = 4000  # characters of a traceback kept on the run


@dataclass
class PassResult:
    made: list[ReportRun] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    redelivered: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # schedules with nothing to make, and why


# ---------------------------------------------------------------------------------------------
# Making runs


def schedule_skip_reason(schedule: ReportSchedule, period: ReportPeriod) -> str | None:
    """Why a schedule makes no run for `period` (None when it does)."""
    if schedule.scope_kind == ScopeKind.CAMPAIGN and period.year != schedule.campaign.year:
        return gettext("攻坚行动“{campaign}”只在{year}年内出报告").format(
            campaign=schedule.campaign, year=schedule.campaign.year
        )
    if schedule.scope_kind == ScopeKind.PORTFOLIO and period.year != schedule.portfolio.year:
        return gettext("调度清单“{portfolio}”只在{year}年内出报告").format(
            portfolio=schedule.portfolio, year=schedule.portfolio.year
        )
    return None


def run_scheduler_pass(today: date | None = None) -> PassResult:
    """One pass of the scheduler: make what is due, queue again what failed or stalled."""
    today = today or timezone.localdate()
    began = timezone.now()  # what fails during this pass is retried on the next one
    result = PassResult()
    schedules = ReportSchedule.objects.filter(active=True).select_related(
        "zone", "portfolio__zone", "campaign"
    )
    for schedule in schedules:
        period = schedule.latest_due_period(today)
        if reason := schedule_skip_reason(schedule, period):
            result.skipped.append(f"{schedule}: {reason}")
            continue
        if run := make_due_run(schedule, period):
            result.made.append(run)

    result.requeued = requeue_failed_and_stalled(began)
    result.redelivered = requeue_deliveries(began)
    return result


def make_due_run(schedule: ReportSchedule, period: ReportPeriod) -> ReportRun | None:
    """The schedule's run of `period`, made and queued; None when it exists already (made
    earlier, or a moment ago by another scheduler: the unique constraint decides)."""
    if ReportRun.objects.filter(schedule=schedule, period_start=period.start).exists():
        return None
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                schedule=schedule,
                zone=schedule.zone,
                portfolio=schedule.portfolio,
                campaign=schedule.campaign,
                basis=schedule.basis,
                cadence=schedule.cadence,
                period_start=period.start,
                period_end=period.end,
                due_on=period.due,
                formats=schedule.formats,
                recipients=schedule.recipients,
            )
    except IntegrityError:
        return None
    _enqueue_generation(run.pk)
    return run


def retry_run(run: ReportRun) -> bool:
    """Queue a failed run again now (the admin's retry); False when it is not failed."""
    if ReportRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).update(
        status=RunStatus.QUEUED, queued_at=timezone.now()
    ):
        _enqueue_generation(run.pk)
        return True
    return False


def request_run(
    *,
    zone: Zone | None = None,
    portfolio: Portfolio | None = None,
    campaign: Campaign | None = None,
    year: int,
    month: int,
    formats: list[str],
    recipients: list[str] | None = None,
    basis: str = "month",
    user=None,
) -> ReportRun:
    """An on-demand run of one month's report, generated now (or by the next free worker)."""
    period = month_period(year, month)
    run = ReportRun(
        zone=zone,
        portfolio=portfolio,
        campaign=campaign,
        basis=basis,
        cadence="",
        period_start=period.start,
        period_end=period.end,
        formats=formats,
        recipients=recipients or [],
        requested_by=user if user and user.is_authenticated else None,
    )
    run.full_clean()
    run.save()
    _enqueue_generation(run.pk)
    run.refresh_from_db()
    return run


def requeue_failed_and_stalled(failed_before) -> list[int]:
    """Queue again the runs that failed before `failed_before` with attempts left, and runs
    stalled in a dead worker."""
    now = timezone.now()
    stalled_before = now - timedelta(minutes=settings.REPORT_STALLED_MINUTES)
    retryable = ReportRun.objects.retryable(settings.REPORT_MAX_ATTEMPTS, failed_before)
    requeued = []
    for pk in retryable.values_list("pk", flat=True):
        if retryable.filter(pk=pk).update(status=RunStatus.QUEUED, queued_at=now):
            requeued.append(pk)
    for pk in ReportRun.objects.stalled(stalled_before).values_list("pk", flat=True):
        # Conditional on still being stalled: of two schedulers, one requeues it.
        if (
            ReportRun.objects.stalled(stalled_before)
            .filter(pk=pk)
            .update(status=RunStatus.QUEUED, queued_at=now)
        ):
            requeued.append(pk)
    for pk in requeued:
        _enqueue_generation(pk)
    return requeued


def requeue_deliveries(failed_before) -> list[int]:
    """Send again what failed before `failed_before`, or stalled."""
    now = timezone.now()
    stalled_before = now - timedelta(minutes=settings.REPORT_STALLED_MINUTES)
    undelivered = ReportRun.objects.undelivered(settings.REPORT_MAX_ATTEMPTS, failed_before, stalled_before)
    requeued = []
    for pk in undelivered.values_list("pk", flat=True):
        if undelivered.filter(pk=pk).update(delivery_status=DeliveryStatus.PENDING, delivery_started_at=now):
            requeued.append(pk)
            _enqueue_delivery(pk)
    return requeued


def _enqueue(task_name: str, run_id: int) -> None:
    """Queue the task `projects.tasks.<task_name>` for a run: the one place this service reaches
    the tasks. The tasks depend on this module (they call `generate` and `deliver`), not the
    reverse: the task is looked up by its path when a run is queued, never imported with this
    module, so neither module needs the other to be loaded first."""
    import_string(f"projects.tasks.{task_name}").enqueue(run_id)


def _enqueue_generation(run_id: int) -> None:
    _enqueue("generate_report", run_id)


def _enqueue_delivery(run_id: int) -> None:
    _enqueue("deliver_report", run_id)


# ---------------------------------------------------------------------------------------------
# Generating


def previous_run(run: ReportRun) -> ReportRun | None:
    """The last finished run of the same schedule before this one's period."""
    if run.schedule_id is None:
        return None
    return (
        ReportRun.objects.filter(
            schedule=run.schedule_id, status=RunStatus.DONE, period_start__lt=run.period_start
        )
        .order_by("-period_start")
        .first()
    )


def generate(run_id: int) -> str:
    """Make the run's snapshot and files. Returns done, failed or skipped (not this worker's)."""
    now = timezone.now()
    claimed = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, finished_at=None, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    run = ReportRun.objects.select_related("zone", "portfolio__zone", "campaign", "schedule").get(pk=run_id)
    try:
        with transaction.atomic():
            snapshot = build_snapshot(run, run.period)
            previous = previous_run(run)
            meta = None
            if previous:
                meta = {
                    "run_id": previous.pk,
                    "period_display": previous.period.display,
                    "generated_at": previous.snapshot.get("generated_at") if previous.snapshot else None,
                    "fingerprint": previous.fingerprint,
                }
            snapshot["changes"] = changes_between(previous.snapshot if previous else None, snapshot, meta)
            snapshot["fingerprint"] = fingerprint(snapshot)
            snapshot["generated_at"] = timezone.localtime(now).isoformat(timespec="seconds")
            files = [_file(run, fmt, FORMATS[fmt].render(snapshot)) for fmt in run.formats]
            ReportFile.objects.filter(run=run).delete()
            ReportFile.objects.bulk_create(files)
            finished = ReportRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, attempts=run.attempts
            ).update(
                status=RunStatus.DONE,
                finished_at=timezone.now(),
                snapshot=snapshot,
                fingerprint=snapshot["fingerprint"],
                error="",
                delivery_status=DeliveryStatus.PENDING if run.recipients else DeliveryStatus.NOT_NEEDED,
            )
            if not finished:  # requeued as stalled while this worker was slow: the newer attempt wins
                transaction.set_rollback(True)
                return "skipped"
    except Exception as exc:
        logger.exception(gettext("报告 %(run)s 生成失败"), {"run": run_id})
        ReportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempts=run.attempts).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=_error_text(exc)
        )
        return "failed"
    if run.recipients:
        _enqueue_delivery(run.pk)
    return "done"


def _file(run: ReportRun, fmt: str, content: bytes | str) -> ReportFile:
    data = content.encode() if isinstance(content, str) else content
    return ReportFile(
        run=run, format=fmt, content=data, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def _error_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc))
    headline = f"{type(exc).__name__}: {exc}"
    if len(text) > ERROR_LIMIT:
        text = text[-ERROR_LIMIT:]
    return f"{headline}\n\n{text}"


# ---------------------------------------------------------------------------------------------
# Delivering


def file_name(run: ReportRun, fmt: str) -> str:
    return f"{run.scope_name}-{run.period.display}{run.period.label}.{FORMATS[fmt].extension}".replace(
        "/", "-"
    )


def deliver(run_id: int) -> str:
    """E-mail the run's files to its recipients. Returns sent, failed or skipped."""
    now = timezone.now()
    claimed = ReportRun.objects.filter(
        pk=run_id, status=RunStatus.DONE, delivery_status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    ).update(
        delivery_status=DeliveryStatus.SENDING,
        delivery_started_at=now,
        delivery_attempts=F("delivery_attempts") + 1,
    )
    if not claimed:
        return "skipped"
    run = ReportRun.objects.select_related("zone", "portfolio__zone", "campaign").get(pk=run_id)
    try:
        message = EmailMessage(
            subject=run.snapshot["title"],
            body=email_body(run),
            to=run.recipients,
        )
        for report_file in run.files.all():
            spec = FORMATS[report_file.format]
            message.attach(file_name(run, report_file.format), bytes(report_file.content), spec.content_type)
        message.send()
    except Exception as exc:
        logger.exception(gettext("报告 %(run)s 发送失败"), {"run": run_id})
        ReportRun.objects.filter(pk=run_id, delivery_status=DeliveryStatus.SENDING).update(
            delivery_status=DeliveryStatus.FAILED, delivery_error=_error_text(exc)
        )
        return "failed"
    ReportRun.objects.filter(pk=run_id, delivery_status=DeliveryStatus.SENDING).update(
        delivery_status=DeliveryStatus.SENT, delivered_at=timezone.now(), delivery_error=""
    )
    return "sent"


def email_body(run: ReportRun) -> str:
    """A short Chinese summary for the mail's text; the attachments hold the report."""
    snapshot = run.snapshot
    period = snapshot["period"]
    lines = [
        f"{snapshot['title']}",
        "",
        gettext("统计期:{period}(截至{end})").format(period=period["display"], end=period["end"]),
        gettext("时间进度:{percent}%({convention})").format(
            percent=snapshot["time_progress"], convention=snapshot["basis"]["convention"]
        ),
    ]
    for report in snapshot["reports"]:
        for p in report["portfolios"]:
            if p["completion"] is None:
                continue
            verdict = schedule_verdict(p["ahead_of_schedule"])
            lines.append(
                gettext("{portfolio}:完成率{percent}%,{verdict}").format(
                    portfolio=f"{p['zone']}·{p['name']}", percent=p["completion"], verdict=verdict
                )
            )
        lagging = report.get("lagging_projects_total", len(report["lagging_projects"]))
        if lagging:
            lines.append(
                gettext("{zone}:滞后项目{count}个").format(zone=report["zone"]["name"], count=lagging)
            )
    lines += [
        "",
        gettext("在线查看:{url}").format(url=f"{settings.SITE_URL}/reports/runs/{run.pk}/"),
        gettext("附件:{formats}").format(formats="、".join(str(FORMATS[f].label) for f in run.formats)),
        gettext("数据指纹:{fingerprint}").format(fingerprint=run.fingerprint[:12]),
    ]
    return "\n".join(lines)
