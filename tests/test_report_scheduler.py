"""Scheduled reports: made when due, once, retried when they fail, delivered by e-mail.

Runs use the immediate task backend of the test settings: a scheduler pass generates in-process.
The concurrency test starts real scheduler processes and a real `db_worker` on a database of its
own (tests/test_report_workers.py)."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from projects import report_runs
from projects.models import (
    DeliveryStatus,
    IndicatorValue,
    Milestone,
    ReportFile,
    ReportRun,
    ReportSchedule,
    RunStatus,
    Zone,
)
from projects.reports.documents import FORMATS

from .factories import ReportScheduleFactory


def run_pass(*args: str) -> str:
    out = StringIO()
    call_command("run_scheduled_reports", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def ganxian(seeded) -> ReportSchedule:
    return ReportScheduleFactory(zone=Zone.objects.get(name="赣县区"))


def content(run: ReportRun, fmt: str) -> bytes:
    return bytes(run.files.get(format=fmt).content)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def xlsx_values(data: bytes) -> list:
    book = load_workbook(BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]


# ---------------------------------------------------------------------------------------------
# The issue's "done when": 赣县区's May 2022 report on 5 June, once


def test_seed_schedule_makes_the_may_report_in_three_formats_once(ganxian):
    out = run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    assert "新生成" in out and "已完成" in out
    assert (run.schedule, run.period_start, run.period_end) == (ganxian, date(2022, 5, 1), date(2022, 5, 31))
    assert run.due_on == date(2022, 6, 5)
    assert (run.status, run.attempts, run.error) == (RunStatus.DONE, 1, "")
    assert sorted(run.files.values_list("format", flat=True)) == ["html", "pdf", "xlsx"]
    assert len(run.fingerprint) == 64

    # The seed article's figures, in every format: 41.67% time progress, 70.12% completion,
    # 28.45 points ahead, 95.65% started, 58.33亿元 of 83.19亿元.
    html = content(run, "html").decode()
    text = pdf_text(content(run, "pdf"))
    for figure in ("41.67", "70.12", "28.45", "95.65", "58.33亿元", "83.19亿元"):
        assert figure in html, figure
        assert figure in text, figure
    numbers = [v for v in xlsx_values(content(run, "xlsx")) if isinstance(v, int | float)]
    for figure in (41.67, 70.12, 28.45, 95.65, 58.33, 83.19):
        assert any(abs(v - figure) < 0.005 for v in numbers), figure
    # Its charts and its source.
    assert html.count("<svg") >= 2
    assert run.snapshot["sources"][0]["key"] == "seed-004"
    assert "seed-004" in html or run.snapshot["sources"][0]["title"] in html

    # Sent once, with the three files attached.
    assert run.delivery_status == DeliveryStatus.SENT
    [message] = mail.outbox
    assert message.to == ["leader@example.com"]
    assert message.subject == "赣县区 2022年5月 投资项目调度通报"
    assert "70.12" in message.body and f"/reports/runs/{run.pk}/" in message.body
    names = sorted(name for name, _, _ in message.attachments)
    assert names == sorted(f"赣县区-2022年5月月报.{ext}" for ext in ("html", "pdf", "xlsx"))

    # A second pass (and a later one the same month) makes nothing new and sends nothing.
    assert "没有到期的报告" in run_pass("--now", "2022-06-05")
    assert "没有到期的报告" in run_pass("--now", "2022-06-30")
    assert ReportRun.objects.count() == 1
    assert ReportFile.objects.count() == 3
    assert len(mail.outbox) == 1


def test_nothing_is_due_before_the_due_day_of_the_first_period(ganxian):
    run_pass("--now", "2022-06-04")
    assert ReportRun.objects.get().period_start == date(2022, 4, 1)  # April's, due on 5 May


def test_inactive_schedules_make_nothing(ganxian):
    ganxian.active = False
    ganxian.save()
    assert "没有到期的报告" in run_pass("--now", "2022-06-05")
    assert not ReportRun.objects.exists()


def test_each_cadence_on_its_due_day(seeded):
    zone = Zone.objects.get(name="赣县区")
    weekly = ReportScheduleFactory(zone=zone, cadence="weekly", formats=["html"], recipients=[])
    quarterly = ReportScheduleFactory(zone=zone, cadence="quarterly", formats=["html"], recipients=[])
    run_pass("--now", "2022-07-10")
    week = ReportRun.objects.get(schedule=weekly)
    quarter = ReportRun.objects.get(schedule=quarterly)
    # Sunday 10 July: the week of 4-10 July is due on Monday 11th, so the one before.
    assert (week.period_start, week.period_end, week.due_on) == (
        date(2022, 6, 27),
        date(2022, 7, 3),
        date(2022, 7, 4),
    )
    assert (quarter.period_start, quarter.period_end, quarter.due_on) == (
        date(2022, 4, 1),
        date(2022, 6, 30),
        date(2022, 7, 10),
    )
    assert quarter.snapshot["period"]["display"] == "2022年第二季度"
    assert quarter.snapshot["time_progress"] == 50


def test_the_scheduler_reads_today_when_not_told(ganxian):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2022, 7, 5, 9, 0)), tick=False):
        run_pass()
    assert ReportRun.objects.get().period_start == date(2022, 6, 1)


def test_bad_arguments_are_refused_in_chinese(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run_pass("--now", "2022-13-05")
    with pytest.raises(CommandError, match="不能同时指定"):
        run_pass("--now", "2022-06-05", "--loop")


# ---------------------------------------------------------------------------------------------
# Frozen snapshots and the changes since the previous run


def test_a_past_report_never_changes_and_the_next_one_says_what_did(ganxian):
    run_pass("--now", "2022-06-05")
    may = ReportRun.objects.get()
    files = dict(may.files.values_list("format", "sha256"))
    snapshot = may.snapshot
    assert may.snapshot["changes"]["previous"] is None

    # After May's report: the portfolio's completed investment is restated far lower (behind
    # schedule now), and a milestone is reached in June.
    completed = IndicatorValue.objects.get(
        portfolio__name="市级工业倍增升级重点调度项目", metric__code="completed_investment"
    )
    completed.value = Decimal("3000000000")  # 30亿元 of 83.19亿元 planned: 36.06%, behind 50%
    completed.save()
    milestone = Milestone.objects.filter(project__zone__name="赣县区", actual_date__isnull=True).first()
    milestone.actual_date = date(2022, 6, 20)
    milestone.actual_precision = "day"
    milestone.save()

    may.refresh_from_db()
    assert dict(may.files.values_list("format", "sha256")) == files
    assert may.snapshot == snapshot

    run_pass("--now", "2022-07-05")
    june = ReportRun.objects.get(period_start=date(2022, 6, 1))
    assert june.fingerprint != may.fingerprint
    changes = june.snapshot["changes"]
    assert changes["previous"]["run_id"] == may.pk
    assert changes["previous"]["period_display"] == "2022年5月"
    assert not changes["unchanged"]
    [restated] = changes["figures_restated"]
    assert (restated["before"]["value"], restated["after"]["value"]) == (5833000000, 3000000000)
    assert [m["id"] for m in changes["milestones_reached"]] == [milestone.pk]
    [sign] = [c for c in changes["sign_changes"] if c["kind"] == "portfolio"]
    assert sign["direction"] == "转负"
    assert sign["before"] == 28.45 and sign["after"] < 0
    html = content(june, "html").decode()
    assert "转负" in html and "30亿元" in html


def test_a_run_on_unchanged_data_says_so(ganxian):
    run_pass("--now", "2022-06-05")
    run_pass("--now", "2022-07-05")
    may, june = ReportRun.objects.order_by("period_start")
    assert june.snapshot["changes"]["previous"]["run_id"] == may.pk
    changes = june.snapshot["changes"]
    # Only June's own figures (1-6月) are new; nothing of May's was restated.
    assert changes["figures_added"]
    assert {f["period"]["end_month"] for f in changes["figures_added"]} == {6}
    assert changes["figures_restated"] == [] and changes["milestones_reached"] == []


# ---------------------------------------------------------------------------------------------
# Failures, retries, stalled workers


@pytest.fixture
def broken_pdf(monkeypatch):
    """The PDF renderer fails (a fault injected for the test) until `fixed` is called."""
    original = FORMATS["pdf"].render
    state = {"broken": True}

    def render(snapshot):
        if state["broken"]:
            raise OSError("字体文件无法读取")
        return original(snapshot)

    monkeypatch.setitem(FORMATS, "pdf", FORMATS["pdf"]._replace(render=render))
    return state


def test_a_failed_run_keeps_its_error_leaves_nothing_half_written_and_is_retried(ganxian, broken_pdf):
    run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    assert (run.status, run.attempts) == (RunStatus.FAILED, 1)
    assert "OSError: 字体文件无法读取" in run.error
    assert run.snapshot is None and not run.files.exists()  # the html and xlsx were not kept alone
    assert mail.outbox == []

    run_pass("--now", "2022-06-05")  # still broken: a second failure
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.FAILED, 2)

    broken_pdf["broken"] = False
    out = run_pass("--now", "2022-06-05")
    run.refresh_from_db()
    assert f"重新排队 #{run.pk}" in out
    assert (run.status, run.attempts, run.error) == (RunStatus.DONE, 3, "")
    assert run.files.count() == 3
    assert ReportRun.objects.count() == 1
    assert len(mail.outbox) == 1


def test_retries_stop_after_the_maximum(ganxian, broken_pdf, settings):
    settings.REPORT_MAX_ATTEMPTS = 2
    for _ in range(4):
        run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    assert (run.status, run.attempts) == (RunStatus.FAILED, 2)


def test_a_run_stalled_in_a_dead_worker_is_made_by_a_later_pass(ganxian, settings):
    run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    ReportFile.objects.all().delete()
    # As a worker killed mid-run leaves it: taken, never finished.
    started = timezone.now() - timedelta(minutes=settings.REPORT_STALLED_MINUTES + 1)
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=started, snapshot=None)
    run_pass("--now", "2022-06-05")
    run.refresh_from_db()
    assert (run.status, run.attempts, run.files.count()) == (RunStatus.DONE, 2, 3)


def test_a_run_still_running_within_the_limit_is_left_to_its_worker(ganxian):
    run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    run_pass("--now", "2022-06-05")
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.RUNNING, 1)


def test_a_run_is_made_once_even_if_queued_twice(ganxian):
    run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    assert report_runs.generate(run.pk) == "skipped"  # a duplicate task finds it made
    run.refresh_from_db()
    assert run.attempts == 1


def test_the_database_refuses_a_second_run_of_the_same_period(ganxian):
    period = ganxian.latest_due_period(date(2022, 6, 5))
    first = report_runs.make_due_run(ganxian, period)
    assert first is not None
    assert report_runs.make_due_run(ganxian, period) is None
    # Past the check, as a concurrent scheduler would be: the unique constraint decides.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(
            schedule=ganxian, zone=ganxian.zone, period_start=period.start, period_end=period.end
        )


# ---------------------------------------------------------------------------------------------
# Delivery


def test_a_delivery_failure_is_recorded_and_retried_the_run_kept(ganxian, settings):
    # A real SMTP failure: nothing listens on this port.
    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE and run.files.count() == 3
    assert (run.delivery_status, run.delivery_attempts) == (DeliveryStatus.FAILED, 1)
    assert "ConnectionRefusedError" in run.delivery_error or "Connection refused" in run.delivery_error

    settings.MAILERS = locmem
    out = run_pass("--now", "2022-06-05")
    run.refresh_from_db()
    assert f"重新发送 #{run.pk}" in out
    assert (run.delivery_status, run.delivery_attempts, run.delivery_error) == (DeliveryStatus.SENT, 2, "")
    assert len(mail.outbox) == 1
    assert run.attempts == 1  # the report itself was not made again


def test_no_recipients_no_mail(seeded):
    ReportScheduleFactory(zone=Zone.objects.get(name="赣县区"), recipients=[])
    run_pass("--now", "2022-06-05")
    assert ReportRun.objects.get().delivery_status == DeliveryStatus.NOT_NEEDED
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------
# Scopes


def test_a_portfolio_schedule_reports_that_portfolio_only(seeded):
    from projects.models import Portfolio

    portfolio = Portfolio.objects.get(name="市级工业倍增升级重点调度项目")
    schedule = ReportScheduleFactory(zone=None, portfolio=portfolio, formats=["html"], recipients=[])
    schedule.full_clean()
    assert schedule.zone == portfolio.zone
    run_pass("--now", "2022-06-05")
    run = ReportRun.objects.get()
    [report] = run.snapshot["reports"]
    assert [p["name"] for p in report["portfolios"]] == [portfolio.name]
    assert report["indicators"] == []
    assert run.snapshot["scope"] == {
        "kind": "portfolio",
        "kind_label": "调度清单",
        "id": portfolio.pk,
        "name": f"赣县区·{portfolio.name}",
    }


def test_a_campaign_schedule_ranks_its_zones_within_its_year(seeded):
    from projects.models import Campaign

    campaign = Campaign.objects.get(name="强攻二季度、确保双过半")
    schedule = ReportScheduleFactory(zone=None, campaign=campaign, formats=["html"], recipients=[])
    run_pass("--now", "2022-07-05")
    run = ReportRun.objects.get()
    assert run.zone is None  # 上饶经开区 and 赣县区 share no zone above them: superusers' report
    assert [r["zone"]["name"] for r in run.snapshot["reports"]] == ["上饶经开区", "赣县区"]
    assert run.snapshot["ranking"][0] == {"rank": 1, "zone": "赣县区", "value": 20.12}
    assert "排名" in content(run, "html").decode()
    # Outside the campaign's year the schedule makes nothing, and says why.
    out = run_pass("--now", "2023-02-05")
    assert "只在2022年内出报告" in out
    assert ReportRun.objects.filter(schedule=schedule).count() == 1


@pytest.mark.parametrize(
    ("cadence", "eve", "due", "period_start"),
    [
        ("weekly", (2022, 5, 29, 23, 59), (2022, 5, 30, 0, 1), date(2022, 5, 23)),
        ("monthly", (2022, 6, 4, 23, 59), (2022, 6, 5, 0, 1), date(2022, 5, 1)),
        ("quarterly", (2022, 7, 9, 23, 59), (2022, 7, 10, 0, 1), date(2022, 4, 1)),
    ],
)
def test_with_the_clock_a_period_is_made_from_its_due_day_in_local_time(
    seeded, cadence, eve, due, period_start
):
    """Frozen time, in Asia/Shanghai: a minute before midnight of the due day nothing new is made;
    a minute after, the period is."""
    schedule = ReportScheduleFactory(
        zone=Zone.objects.get(name="赣县区"), cadence=cadence, formats=["html"], recipients=[]
    )
    with time_machine.travel(timezone.make_aware(timezone.datetime(*eve)), tick=False):
        run_pass()
    assert not ReportRun.objects.filter(schedule=schedule, period_start=period_start).exists()
    with time_machine.travel(timezone.make_aware(timezone.datetime(*due)), tick=False):
        run_pass()
        run_pass()
    assert ReportRun.objects.filter(schedule=schedule, period_start=period_start).count() == 1
