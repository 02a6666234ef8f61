"""月报填报: a zone's monthly entry of its projects' completed investment and milestones.

One service for every way the month's figures come in: the admin's entry screen and the workbook
import both build `MonthlyLine`s and go through `check_month` (what would be written, and every rule
finding placed in its cell) and `save_month` (all of it or nothing).

Completed investment is stored as a year-to-date figure (IndicatorValue "completed_investment",
actual, 1..M, in 元). A zone's office enters either the month's amount or the year-to-date figure
(Zone.entry_basis); the other is derived from the previous month's year-to-date figure.

Reporting windows: a month is open until its deadline (projects.windows). In an open month a
figure is edited in place; in a locked month it is never changed: a changed figure becomes a
restatement (a new value that `restates` the old one, with a reason).

Every query here is set-based: checking 1 line or 1,000 lines costs the same number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import access, rules
from .i18n import Text, is_english
from .models import (
    STALE_MESSAGE,
    EntryBasis,
    EntryReopening,
    IndicatorValue,
    Metric,
    Milestone,
    MilestoneKind,
    PortfolioEntry,
    Project,
    StaleVersion,
    ValueKind,
    Zone,
)
from .money import CENT, MAX_AMOUNT, AmountScale, Currency
from .periods import DatePrecision, format_date, format_period, is_period_start
from .windows import entry_deadline, is_locked, window_label

DEFAULT_SCALE = AmountScale.WAN
# The milestones a month's entry asks about: reached or not yet.
MONTHLY_MILESTONES = (MilestoneKind.START, MilestoneKind.PRODUCTION, MilestoneKind.COMPLETION)
# Severities as the rule registry names them.
ERROR, WARNING = str(rules.Severity.ERROR), str(rules.Severity.WARNING)


# ---------------------------------------------------------------------------------------------
# What comes in, what goes out


@dataclass
class MonthlyLine:
    """One project's entry for the month, as the screen or a workbook row gives it."""

    project_id: int
    amount: Decimal | None = None  # base units (元); the month's amount or year-to-date, per `basis`
    scale: int | None = None  # AmountScale the staff used (kept for display); default 万元
    milestones: dict[str, tuple[date, str]] = field(default_factory=dict)  # kind → (actual date, precision)
    remark: str = ""
    reason: str = ""  # restatement reason (needed when the month is locked and a value changes)
    # The version of each stored cell the editor saw ("amount", "milestone:start" …; 0: none yet).
    # A cell saved by someone else since is refused with STALE_MESSAGE. Optional: without it the
    # versions loaded by check_month are the ones save_month holds on to.
    seen: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CellFinding:
    line: int  # index into the lines list
    column: str  # "amount", "milestone:<kind>", "remark", "reason", "project"
    rule_id: str  # a rules.RULES id, or a service id such as "unknown_project", "not_in_zone", "parse"
    severity: str  # "error" | "warning"
    message: Text  # rendered in the active language when shown (projects.i18n.both: both)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class MilestoneCell:
    """A milestone of a row: its plan (for reference) and the date it was reached."""

    kind: str
    label: Text
    planned: str  # 2022年3月, as reports write it; "" when unplanned
    actual: date | None
    actual_precision: str
    version: int  # 0 when the project has no such milestone yet
    ambiguous: bool = False  # several phased milestones of the kind: entered on the project's page

    @property
    def actual_display(self) -> str:
        return format_date(self.actual, self.actual_precision)


@dataclass
class SheetRow:
    project: Project
    portfolios: list[str]
    total_investment: Decimal | None
    planned_investment: Decimal | None  # the year's planned investment on the zone's portfolio
    previous_ytd: Decimal | None  # January to last month (0 in January)
    ytd: Decimal | None  # January to this month, if entered
    month_amount: Decimal | None  # this month's amount, when both year-to-date figures are known
    scale: int  # the unit the figures are shown and entered in
    remark: str
    value_id: int | None
    version: int  # version of this month's year-to-date value; 0 when not entered yet
    restated: bool  # this month's figure is a restatement of an earlier one
    milestones: dict[str, MilestoneCell]

    @property
    def versions(self) -> dict[str, int]:
        """The `seen` of a MonthlyLine made from this row."""
        seen = {"amount": self.version}
        seen.update({f"milestone:{kind}": cell.version for kind, cell in self.milestones.items()})
        return seen


@dataclass
class MonthlySheet:
    """What the entry screen and the workbook template show for a zone and month."""

    zone: Zone
    year: int
    month: int
    basis: str
    locked: bool
    deadline: date | None  # None: the zone sets no deadline, its months never lock
    window_label: str
    rows: list[SheetRow]
    reopened_until: date | None = None

    @property
    def period_display(self) -> str:
        return format_period(self.year, self.month, self.month)

    @property
    def ytd_period_display(self) -> str:
        return format_period(self.year, 1, self.month)


@dataclass
class MonthlyPlan:
    """What saving the lines would write, and what the rules found."""

    zone: Zone
    year: int
    month: int
    basis: str
    locked: bool
    lines: list[MonthlyLine]
    findings: list[CellFinding] = field(default_factory=list)
    creates: list[models.Model] = field(default_factory=list)  # new values (restatements too), milestones
    updates: list[models.Model] = field(default_factory=list)  # edited saved rows
    unchanged: int = 0
    confirm_warnings: bool = False
    # Versions loaded for the rows updated or restated: (model, pk) → version.
    expected: dict[tuple[type[models.Model], int], int] = field(default_factory=dict)
    saved: bool = False

    @property
    def errors(self) -> list[CellFinding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[CellFinding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors and (self.confirm_warnings or not self.warnings)

    def summary(self) -> dict[str, int]:
        values = [o for o in self.creates if isinstance(o, IndicatorValue)]
        return {
            "created": sum(1 for v in values if v.restates_id is None),
            "updated": sum(1 for o in self.updates if isinstance(o, IndicatorValue)),
            "restated": sum(1 for v in values if v.restates_id is not None),
            "milestones": sum(1 for o in [*self.creates, *self.updates] if isinstance(o, Milestone)),
            "unchanged": self.unchanged,
        }


def summary_text(summary: dict[str, int]) -> str:
    """新增2条、修改1条、更正1条、节点3个、未变5项."""
    labels = (
        ("created", _("新增{count}条")),
        ("updated", _("修改{count}条")),
        ("restated", _("更正{count}条")),
        ("milestones", _("节点{count}个")),
        ("unchanged", _("未变{count}项")),
    )
    return gettext("、").join(label.format(count=summary[key]) for key, label in labels)


# ---------------------------------------------------------------------------------------------
# Reading the month


@dataclass
class _Month:
    """Everything stored about a zone's month that the sheet and the check need, fetched in sets."""

    entries: dict[int, list[PortfolioEntry]]  # project id → its entries on the zone's portfolios
    previous: dict[int, IndicatorValue]  # project id → current January..M-1 value
    current: dict[int, IndicatorValue]  # project id → current January..M value
    milestones: dict[tuple[int, str], list[Milestone]]  # (project id, kind) → milestones
    reopened_until: date | None


def _month_window(zone: Zone, year: int, month: int) -> date | None:
    reopened = EntryReopening.objects.reopened_until({zone.pk}, {(year, month)})
    return reopened.get((zone.pk, year, month))


def _fetch(zone: Zone, year: int, month: int, project_ids: set[int] | None = None, user=None) -> _Month:
    """Four queries: the zone's portfolio entries, the year-to-date values of this month and the
    one before, the monthly milestones, the reopening of the month. With a `user`, only the
    entries of projects the user may read (a list may name a project they may not)."""
    entries_qs = (
        PortfolioEntry.objects.filter(portfolio__zone=zone, portfolio__year=year)
        .select_related("project", "portfolio")
        .order_by("portfolio__name", "project__name", "pk")
    )
    if project_ids is not None:
        entries_qs = entries_qs.filter(project__in=project_ids)
    if user is not None:
        entries_qs = entries_qs.filter(project__in=Project.objects.restrict(user).values("pk"))
    entries: dict[int, list[PortfolioEntry]] = defaultdict(list)
    for entry in entries_qs:
        entries[entry.project_id].append(entry)
    ids = set(entries)

    previous: dict[int, IndicatorValue] = {}
    current: dict[int, IndicatorValue] = {}
    for value in (
        IndicatorValue.objects.completed_investment(year)
        .filter(project__in=ids, end_month__in={month - 1, month})
        .select_related("metric", "project")
        .order_by("pk")
    ):
        # Two current figures for one month (two sources): the latest entered is the one shown.
        (current if value.end_month == month else previous)[value.project_id] = value

    milestones: dict[tuple[int, str], list[Milestone]] = defaultdict(list)
    for milestone in (
        Milestone.objects.filter(project__in=ids, kind__in=MONTHLY_MILESTONES)
        .select_related("project")
        .order_by("phase", "pk")
    ):
        milestones[(milestone.project_id, milestone.kind)].append(milestone)

    return _Month(entries, previous, current, milestones, _month_window(zone, year, month))


def _the_milestone(candidates: list[Milestone]) -> Milestone | bool | None:
    """The milestone a month's entry of its kind goes to: the one without a phase, or the only one.
    False when there are several phased ones (一期、二期): which one is meant cannot be guessed."""
    if not candidates:
        return None
    plain_ones = [m for m in candidates if not m.phase]
    if plain_ones:
        return plain_ones[0]
    return candidates[0] if len(candidates) == 1 else False


def _milestone_cell(kind: str, candidates: list[Milestone]) -> MilestoneCell:
    chosen = _the_milestone(candidates)
    label = MilestoneKind(kind).label
    if chosen is False:
        planned = ";".join(f"{m.phase}{m.planned_display}" for m in candidates if m.planned_display)
        return MilestoneCell(kind, label, planned, None, "", 0, ambiguous=True)
    if chosen is None:
        return MilestoneCell(kind, label, "", None, "", 0)
    return MilestoneCell(
        kind, label, chosen.planned_display, chosen.actual_date, chosen.actual_precision, chosen.version
    )


def monthly_sheet(zone: Zone, year: int, month: int, *, today: date | None = None, user=None) -> MonthlySheet:
    """Every project of the zone's portfolios of `year` (ordered by portfolio, then name) with its
    figures for `month`; with a `user`, those they may read. A constant number of queries,
    whatever the number of projects."""
    today = today or timezone.localdate()
    data = _fetch(zone, year, month, user=user)
    rows = []
    for project_id, entries in data.entries.items():
        project = entries[0].project
        value, before = data.current.get(project_id), data.previous.get(project_id)
        previous_ytd = Decimal(0) if month == 1 else (before.value if before else None)
        ytd = value.value if value else None
        month_amount = ytd - previous_ytd if ytd is not None and previous_ytd is not None else None
        plans = [e.planned_investment for e in entries if e.planned_investment is not None]
        rows.append(
            SheetRow(
                project=project,
                portfolios=list(dict.fromkeys(e.portfolio.name for e in entries)),
                total_investment=project.total_investment,
                planned_investment=plans[0] if plans else None,
                previous_ytd=previous_ytd,
                ytd=ytd,
                month_amount=month_amount,
                scale=(value.scale if value else None) or (before.scale if before else None) or DEFAULT_SCALE,
                remark=value.note if value else "",
                value_id=value.pk if value else None,
                version=value.version if value else 0,
                restated=bool(value and value.restates_id),
                milestones={
                    kind: _milestone_cell(kind, data.milestones.get((project_id, kind), []))
                    for kind in MONTHLY_MILESTONES
                },
            )
        )
    deadline_day = zone.entry_deadline_day
    return MonthlySheet(
        zone=zone,
        year=year,
        month=month,
        basis=zone.entry_basis,
        locked=is_locked(today, year, month, deadline_day, data.reopened_until),
        deadline=entry_deadline(year, month, deadline_day),
        window_label=window_label(year, month, deadline_day, today, data.reopened_until),
        rows=rows,
        reopened_until=data.reopened_until,
    )


# ---------------------------------------------------------------------------------------------
# Checking the lines


def amount_error(amount: Decimal) -> Text | None:
    """Why an amount in 元 cannot be stored, or None."""
    if not amount.is_finite():
        return _("金额不是有效数字")
    if abs(amount) >= MAX_AMOUNT:
        return _("金额过大")
    if amount != amount.quantize(CENT):
        return _("金额最多精确到分")
    return None


def year_to_date(basis: str, month: int, amount: Decimal, previous_ytd: Decimal | None) -> Decimal | None:
    """The year-to-date figure from what was entered: the figure itself, or the previous month's
    year-to-date figure plus the month's amount (None when the previous one is unknown)."""
    if basis == EntryBasis.YEAR_TO_DATE:
        return amount
    if month == 1:
        return amount
    return None if previous_ytd is None else previous_ytd + amount


def _milestone_error(kind: str, day: date, precision: str) -> Text | None:
    if kind not in MilestoneKind.values:
        return format_lazy(_("未知的节点类型“{kind}”"), kind=kind)
    if precision not in DatePrecision.values:
        return format_lazy(_("未知的日期精度“{precision}”"), precision=precision)
    if not is_period_start(day, precision):
        return _("按月、季度、半年或年填写时,日期应为该时段的第一天")
    return None


def _entry_reason(year: int, month: int) -> str:
    """The history's reason for what a month's entry changes, where a line gives none (stored)."""
    return gettext("月报填报 {period}").format(period=format_period(year, month, month))


def _rendered(chinese: str, english: str) -> Text:
    """A message rendered already (a rule's finding, projects.rules) as a message again: Chinese,
    or English when English is the active language."""
    return lazy(lambda: english if is_english() else chinese, str)()


class _Check:
    """The work of one check_month call: findings and the objects to write, with where each
    object's findings belong (line, column)."""

    def __init__(self, plan: MonthlyPlan, data: _Month, projects: dict[int, Project], metric: Metric | None):
        self.plan = plan
        self.data = data
        self.projects = projects
        self.metric = metric
        self.cells: dict[int, tuple[int, str]] = {}  # id(obj) → (line, column)
        self.refusals: dict[int, Text | None] = {}  # project id → why the user may not enter it
        self.reason = _entry_reason(plan.year, plan.month)

    def add(self, line: int, column: str, rule_id: str, message: Text, severity: str = ERROR) -> None:
        self.plan.findings.append(CellFinding(line, column, rule_id, severity, message))

    def stale(self, line: MonthlyLine, index: int, column: str, stored: models.Model | None) -> bool:
        seen = line.seen.get(column)
        if seen is None or seen == (stored.version if stored else 0):
            return False
        self.add(index, column, "stale", STALE_MESSAGE)
        return True

    def write(self, obj: models.Model, index: int, column: str, *, update: bool) -> None:
        (self.plan.updates if update else self.plan.creates).append(obj)
        self.cells[id(obj)] = (index, column)
        if update:
            self.plan.expected[(type(obj), obj.pk)] = obj.version

    def line(self, index: int, line: MonthlyLine, seen_projects: set[int]) -> None:
        project = self.projects.get(line.project_id)
        if project is None:
            self.add(
                index,
                "project",
                "unknown_project",
                format_lazy(_("项目编号{number}不存在"), number=line.project_id),
            )
            return
        zone, year = self.plan.zone, self.plan.year
        if line.project_id not in self.data.entries:
            self.add(
                index,
                "project",
                "not_in_zone",
                format_lazy(
                    _("“{project}”不在{zone}{year}年的调度清单中"),
                    project=project.name,
                    zone=zone.name,
                    year=year,
                ),
            )
            return
        if refusal := self.refusals.get(line.project_id):
            self.add(
                index,
                "project",
                "no_access",
                format_lazy(_("“{project}”:{refusal}"), project=project.name, refusal=refusal),
            )
            return
        if line.project_id in seen_projects:
            self.add(
                index,
                "project",
                "duplicate_project",
                format_lazy(_("“{project}”重复填报,每个项目只填一行"), project=project.name),
            )
            return
        seen_projects.add(line.project_id)
        self.amount(index, line, project)
        for kind, (day, precision) in line.milestones.items():
            self.milestone(index, line, project, kind, day, precision)

    def amount(self, index: int, line: MonthlyLine, project: Project) -> None:
        plan, data = self.plan, self.data
        stored = data.current.get(line.project_id)
        remark = (line.remark or "").strip()
        if line.amount is None:
            if stored is None:
                if remark:
                    self.add(
                        index, "remark", "remark_without_value", _("备注随完成投资保存,请先填写完成投资")
                    )
                return
            if remark == stored.note:
                return
            ytd, scale = stored.value, stored.scale
        else:
            if message := amount_error(line.amount):
                self.add(index, "amount", "parse", message)
                return
            if line.scale is not None and line.scale not in AmountScale.values:
                self.add(index, "amount", "parse", _("金额单位须为元、万元或亿元"))
                return
            if self.metric is None:
                message = _("指标目录中没有“完成投资”(completed_investment),请管理员先添加")
                self.add(index, "amount", "no_metric", message)
                return
            before = data.previous.get(line.project_id)
            previous_ytd = before.value if before else None
            ytd = year_to_date(plan.basis, plan.month, line.amount, previous_ytd)
            if ytd is None:
                self.add(
                    index,
                    "amount",
                    "missing_previous",
                    format_lazy(
                        _("缺少{period}累计完成投资,无法由当月值推算累计值;请先填报上月"),
                        period=format_period(plan.year, 1, plan.month - 1),
                    ),
                )
                return
            scale = line.scale or (stored.scale if stored else None) or DEFAULT_SCALE
            if stored is not None and stored.value == ytd and stored.note == remark:
                plan.unchanged += 1
                return
        if self.stale(line, index, "amount", stored):
            return
        reason = (line.reason or "").strip()
        if stored is not None and plan.locked:
            value = self._new_value(project, ytd, scale, remark)
            value.restates = stored
            value.restatement_reason = reason
            value._change_reason = reason or self.reason
            plan.expected[(IndicatorValue, stored.pk)] = stored.version
            self.write(value, index, "amount", update=False)
        elif stored is not None:
            stored.value, stored.scale, stored.note = ytd, scale, remark
            stored._change_reason = reason or self.reason
            self.write(stored, index, "amount", update=True)
        else:
            value = self._new_value(project, ytd, scale, remark)
            value._change_reason = reason or self.reason
            self.write(value, index, "amount", update=False)

    def _new_value(self, project: Project, ytd: Decimal, scale: int, remark: str) -> IndicatorValue:
        plan = self.plan
        return IndicatorValue(
            project=project,
            metric=self.metric,
            year=plan.year,
            start_month=1,
            end_month=plan.month,
            kind=ValueKind.ACTUAL,
            value=ytd,
            scale=scale,
            currency=Currency.CNY,
            note=remark,
        )

    def milestone(
        self, index: int, line: MonthlyLine, project: Project, kind: str, day: date, precision: str
    ) -> None:
        column = f"milestone:{kind}"
        if message := _milestone_error(kind, day, precision):
            self.add(index, column, "parse", message)
            return
        candidates = self.data.milestones.get((project.pk, kind), [])
        chosen = _the_milestone(candidates)
        if chosen is False:
            phases = "、".join(m.phase for m in candidates)
            self.add(
                index,
                column,
                "ambiguous_milestone",
                format_lazy(
                    _("该项目有多个“{milestone}”节点({phases}),请在项目页面分别填写"),
                    milestone=MilestoneKind(kind).label,
                    phases=phases,
                ),
            )
            return
        if chosen is not None and (chosen.actual_date, chosen.actual_precision) == (day, precision):
            self.plan.unchanged += 1
            return
        if self.stale(line, index, column, chosen):
            return
        reason = (line.reason or "").strip() or self.reason
        if chosen is None:
            milestone = Milestone(project=project, kind=kind, actual_date=day, actual_precision=precision)
            milestone._change_reason = reason
            self.write(milestone, index, column, update=False)
        else:
            chosen.actual_date, chosen.actual_precision = day, precision
            chosen._change_reason = reason
            self.write(chosen, index, column, update=True)

    def rules(self, today: date) -> None:
        objects = [*self.plan.creates, *self.plan.updates]
        for finding in rules.check(objects, today=today):
            index, column = self.cells[id(finding.obj)]
            if isinstance(finding.obj, IndicatorValue):
                column = {"restatement_reason": "reason", "note": "remark"}.get(finding.field, "amount")
            self.add(
                index,
                column,
                finding.rule_id,
                _rendered(finding.message, finding.message_en),
                finding.severity,
            )


def _access_refusal(user, zone: Zone | int | None) -> Text | None:
    """Why `user` may not enter the figures of the zone (or of a project of that zone), or None."""
    if user is None:
        return None
    return access.zone_edit_refusal(user, zone) or None


def check_month(
    zone: Zone,
    year: int,
    month: int,
    lines: list[MonthlyLine],
    *,
    basis: str | None = None,
    user=None,
    today: date | None = None,
    confirm_warnings: bool = False,
) -> MonthlyPlan:
    """What saving `lines` for the zone's month would write, and every finding in its cell.

    A month's amount becomes a year-to-date figure (previous year-to-date + amount); a
    year-to-date figure is taken as it is (`basis`, default the zone's entry basis). Unchanged
    cells are left alone. In an open month a stored figure is edited in place; in a locked month
    a changed figure becomes a restatement of the stored one, which needs a reason. A constant
    number of queries for any number of lines.
    """
    today = today or timezone.localdate()
    data = _fetch(zone, year, month, {line.project_id for line in lines}, user=user)
    plan = MonthlyPlan(
        zone=zone,
        year=year,
        month=month,
        basis=basis or zone.entry_basis,
        locked=is_locked(today, year, month, zone.entry_deadline_day, data.reopened_until),
        lines=lines,
        confirm_warnings=confirm_warnings,
    )
    if refusal := _access_refusal(user, zone):
        plan.findings = [CellFinding(i, "project", "no_access", ERROR, refusal) for i in range(len(lines))]
        return plan
    outside = {line.project_id for line in lines if line.project_id not in data.entries}
    projects = {entry[0].project_id: entry[0].project for entry in data.entries.values()}
    if outside:  # not on the zone's portfolios: unknown, or another zone's (unknown unless readable)
        readable = Project.objects.all() if user is None else Project.objects.restrict(user)
        projects.update(readable.in_bulk(outside))
    work = _Check(plan, data, projects, Metric.objects.filter(code=rules.COMPLETED_INVESTMENT).first())
    if user is not None:  # a project on the zone's list may be of a zone the user may not change
        work.refusals = {pk: _access_refusal(user, project.zone_id) for pk, project in projects.items()}
    seen_projects: set[int] = set()
    for index, line in enumerate(lines):
        work.line(index, line, seen_projects)
    work.rules(today)
    plan.findings = sorted(
        dict.fromkeys(plan.findings), key=lambda f: (f.line, f.column != "project", f.column)
    )
    return plan


# ---------------------------------------------------------------------------------------------
# Saving


def _claim(plan: MonthlyPlan) -> None:
    """Lock the rows the plan changes or restates and refuse (StaleVersion) when any of them was
    saved, restated or created by someone else since check_month read them."""
    by_model: dict[type[models.Model], dict[int, int]] = defaultdict(dict)
    for (model, pk), version in plan.expected.items():
        by_model[model][pk] = version
    for model, expected in by_model.items():
        stored = dict(
            model._base_manager.select_for_update()
            .filter(pk__in=expected)
            .order_by()  # default orderings join other tables, which FOR UPDATE would lock too
            .values_list("pk", "version")
        )
        for pk, version in expected.items():
            if stored.get(pk) != version:
                raise StaleVersion(model(pk=pk))
    values = [o for o in plan.creates if isinstance(o, IndicatorValue)]
    restated = [v.restates_id for v in values if v.restates_id]
    if restated and IndicatorValue.objects.filter(pk__in=restated, restated_by__isnull=False).exists():
        raise StaleVersion(IndicatorValue(pk=restated[0]))
    fresh = {v.project_id for v in values if v.restates_id is None}
    if fresh:
        taken = (
            IndicatorValue.objects.completed_investment(plan.year)
            .filter(project__in=fresh, end_month=plan.month)
            .first()
        )
        if taken is not None:
            raise StaleVersion(taken)
    milestones = {(m.project_id, m.kind) for m in plan.creates if isinstance(m, Milestone)}
    if milestones:
        projects = {project for project, _ in milestones}
        kinds = {kind for _, kind in milestones}
        for taken in Milestone.objects.filter(project__in=projects, kind__in=kinds, phase=""):
            if (taken.project_id, taken.kind) in milestones:
                raise StaleVersion(taken)


UPDATED_FIELDS = {
    IndicatorValue: ["value", "scale", "note", "version"],
    Milestone: ["actual_date", "actual_precision", "version"],
}


def save_month(plan: MonthlyPlan, *, user) -> dict[str, int]:
    """Write the plan, all of it or nothing, with a history row per change (who: `user`; why: the
    line's reason, or 月报填报 and the month). Raises ValueError when the plan has errors or
    unconfirmed warnings, StaleVersion when a row changed since check_month."""
    if not plan.ok:
        raise ValueError(gettext("月报数据有错误或警告尚未确认,未保存"))
    if plan.saved:
        raise ValueError(gettext("该月报数据已保存过"))
    reason = _entry_reason(plan.year, plan.month)
    with transaction.atomic():
        _claim(plan)
        for model, fields in UPDATED_FIELDS.items():
            rows = [o for o in plan.updates if isinstance(o, model)]
            for obj in rows:
                obj.version = plan.expected[(model, obj.pk)] + 1
            if rows:
                bulk_update_with_history(rows, model, fields, default_user=user, default_change_reason=reason)
        for model in (IndicatorValue, Milestone):
            rows = [o for o in plan.creates if isinstance(o, model)]
            if rows:
                bulk_create_with_history(rows, model, default_user=user, default_change_reason=reason)
    plan.saved = True
    return plan.summary()
