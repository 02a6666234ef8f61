"""Workbook imports: a check (dry run) that finds every row's problems (row, column, rule id,
message) without writing anything, and a commit that writes everything or nothing.

Kinds (ImportKind):
- monthly: the monthly template of a zone → projects.monthly_entry (the service the 月报填报 screen uses);
- projects: projects created or updated, matched by (zone, name);
- indicators: indicator values of zones, portfolios and projects, matched by subject, indicator,
  period and kind; a changed actual of a locked month becomes a restatement (更正) with its reason.

Set-based throughout: every zone, project, metric … a file refers to is looked up in one query
per model, the rules of projects.rules run once on the whole batch, and the writes are bulk writes
with their history rows (simple_history.utils.bulk_create_with_history / bulk_update_with_history).
The number of queries does not depend on the number of rows.

Every upload is recorded as an ImportBatch (its findings and counts, and its file for a stated
time: projects.uploads); committing a batch checks the stored file again, since the data may have
changed since the dry run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .. import access, rules, uploads
from ..models import (
    STALE_MESSAGE,
    Enterprise,
    EntryBasis,
    EntryReopening,
    FlowOrStock,
    ImportBatch,
    ImportKind,
    ImportStatus,
    IndicatorValue,
    Metric,
    Portfolio,
    Project,
    Stage,
    StaleVersion,
    UnitKind,
    ValueKind,
    Zone,
)
from ..money import AmountScale, Currency
from ..monthly_entry import CellFinding, MonthlyLine, MonthlyPlan, check_month, save_month
from ..periods import Period
from ..windows import is_locked
from .layout import INDICATOR_COLUMNS, MILESTONE_COLUMNS, MONTHLY_COLUMNS, PROJECT_COLUMNS, SUBJECT_KINDS
from .reader import ERROR, WARNING, Cells, RowFinding, Sheet, SheetRow, WorkbookError, labels, read_sheet

MAX_STORED_FINDINGS = 10_000  # an ImportBatch keeps this many findings (the counts are always complete)

# English for the findings of the import itself (the rules' own are in projects.rules).
ENGLISH = {
    "file": "The file cannot be imported.",
    "parse": "The cell cannot be read.",
    "no_access": "You may not change data of this zone.",
    "unknown_project": "There is no project with this number.",
    "not_in_zone": "The project is not on the zone's portfolios of the year.",
    "duplicate_project": "The project appears more than once.",
    "duplicate_row": "The same record appears more than once in the file.",
    "missing_project": "The project number is missing.",
    "remark_without_value": "A remark is saved with the completed investment: enter the amount too.",
    "missing_previous": (
        "Last month's year-to-date figure is missing: the month's amount cannot become a year-to-date figure."
    ),
    "no_metric": "The metric completed_investment is missing from the catalogue.",
    "ambiguous_milestone": "The project has several milestones of this kind: enter them on its page.",
    "stale": "Someone else changed this record since it was read; nothing was saved.",
    "not_exact": "A monthly figure must be exact (no 约, 余 …).",
    "not_yuan": "Completed investment is reported in yuan (CNY).",
    "unknown_zone": "No zone of this name.",
    "ambiguous_zone": "Several zones go by this name.",
    "unknown_enterprise": "No enterprise of this name.",
    "ambiguous_enterprise": "Several enterprises go by this name.",
    "unknown_metric": "No indicator of this name or code.",
    "unknown_subject": "No zone, portfolio or project of this name.",
    "ambiguous_subject": "Several portfolios or projects go by this name: give the zone.",
    "ambiguous_value": (
        "Several current values exist for this subject, indicator and period: edit them in the admin."
    ),
    "start_month_required": "A flow indicator needs a cumulative period (1-5月), not a point in time.",
    "required": "This column is required.",
}


def english(rule_id: str) -> str:
    """English for a finding given without its parameters: the import's own text, or the rule's
    message with its placeholders elided."""
    if rule_id in ENGLISH:
        return ENGLISH[rule_id]
    if rule_id in rules.RULES:
        return re.sub(r"\{[^}]*\}", "…", rules.RULES[rule_id].message_en)
    return "See the Chinese message."


class ImportRefused(Exception):
    """A commit that did not happen (nothing was written), with the reason in Chinese and English."""

    def __init__(self, message: str, message_en: str) -> None:
        self.message = message
        self.message_en = message_en
        super().__init__(message)


# ---------------------------------------------------------------------------------------------
# Results and plans


@dataclass
class RowPlan:
    """What an import of projects or indicator values would write."""

    model: type[models.Model]
    creates: list[models.Model] = field(default_factory=list)
    updates: list[models.Model] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)  # the fields the updates change
    expected: dict[int, int] = field(default_factory=dict)  # pk → version of rows updated or restated
    unchanged: int = 0
    reason: str = ""  # the history's reason where a row gives none

    def summary(self) -> dict[str, int]:
        restated = sum(1 for obj in self.creates if getattr(obj, "restates_id", None))
        return {
            "created": len(self.creates) - restated,
            "updated": len(self.updates),
            "restated": restated,
            "unchanged": self.unchanged,
        }

    def save(self, user) -> dict[str, int]:
        """Lock the rows updated or restated, refuse (StaleVersion) when any changed since the
        check, then bulk-write with history. Call inside transaction.atomic()."""
        model = self.model
        if self.expected:
            # Ordered by pk only: the models' default orderings join nullable relations, which
            # PostgreSQL cannot lock (and a fixed order keeps two imports from deadlocking).
            stored = dict(
                model._base_manager.select_for_update()
                .filter(pk__in=list(self.expected))
                .order_by("pk")
                .values_list("pk", "version")
            )
            for pk, version in self.expected.items():
                if stored.get(pk) != version:
                    raise StaleVersion(model(pk=pk))
        restated = [obj.restates_id for obj in self.creates if getattr(obj, "restates_id", None)]
        if restated and IndicatorValue.objects.filter(pk__in=restated, restated_by__isnull=False).exists():
            raise StaleVersion(IndicatorValue(pk=restated[0]))
        if self.updates:
            for obj in self.updates:
                obj.version = self.expected[obj.pk] + 1
            bulk_update_with_history(
                self.updates,
                model,
                sorted(self.fields | {"version"}),
                default_user=user,
                default_change_reason=self.reason,
            )
        if self.creates:
            bulk_create_with_history(
                self.creates, model, default_user=user, default_change_reason=self.reason
            )
        return self.summary()


@dataclass
class ImportResult:
    """A checked workbook: its findings and what committing it would write."""

    kind: str
    rows: int = 0
    findings: list[RowFinding] = field(default_factory=list)
    zone: Zone | None = None
    year: int | None = None
    month: int | None = None
    confirm_warnings: bool = False
    plan: MonthlyPlan | RowPlan | None = None
    file_name: str = ""

    @property
    def errors(self) -> list[RowFinding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[RowFinding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        """Nothing stands in the way of a commit: no error, and warnings (if any) confirmed."""
        return self.plan is not None and not self.errors and (self.confirm_warnings or not self.warnings)

    def summary(self) -> dict[str, int]:
        return self.plan.summary() if self.plan is not None else {}


def _sorted(findings: list[RowFinding]) -> list[RowFinding]:
    return sorted(dict.fromkeys(findings), key=lambda f: (f.row, f.severity != ERROR, f.column))


def _file_error(kind: str, error: WorkbookError, file_name: str) -> ImportResult:
    finding = RowFinding(0, "", "file", ERROR, error.message, error.message_en)
    return ImportResult(kind=kind, findings=[finding], file_name=file_name)


# ---------------------------------------------------------------------------------------------
# Lookups shared by the kinds: one query each


@dataclass(frozen=True)
class ZoneInfo:
    pk: int
    name: str
    deadline_day: int | None


def _readable(model: type[models.Model], user) -> models.QuerySet:
    """The rows of `model` a file may name: those the importing user may read (another zone's
    project or enterprise is unknown to them, exactly as one that does not exist)."""
    return model._default_manager.restrict(user)


def _zones_named(names: set[str], user) -> dict[str, list[ZoneInfo]]:
    """Zones the user may read by any of their names (short, full, alias), in one query."""
    if not names:
        return {}
    found: dict[str, dict[int, ZoneInfo]] = defaultdict(dict)
    rows = (
        _readable(Zone, user)
        .filter(Q(name__in=names) | Q(full_name__in=names) | Q(aliases__alias__in=names))
        .values_list("pk", "name", "full_name", "aliases__alias", "entry_deadline_day")
    )
    for pk, name, full_name, alias, deadline_day in rows:
        info = ZoneInfo(pk, name, deadline_day)
        for known in (name, full_name, alias):
            if known in names:
                found[known][pk] = info
    return {name: list(zones.values()) for name, zones in found.items()}


class _Refusals:
    """Why the user may not change a zone's data (Chinese, English), per zone, from the user's
    zones computed once (projects.access)."""

    def __init__(self, user) -> None:
        self.user = user
        self.cache: dict[int | None, tuple[str, str] | None] = {}

    def __call__(self, zone_id: int | None) -> tuple[str, str] | None:
        if zone_id not in self.cache:
            refusal = access.zone_edit_refusal(self.user, zone_id)
            if refusal:
                chinese, _, english_text = refusal.partition(" / ")
                self.cache[zone_id] = (chinese, english_text or ENGLISH["no_access"])
            else:
                self.cache[zone_id] = None
        return self.cache[zone_id]


def _one(
    cells: Cells, row: SheetRow, key: str, candidates: list | None, what: str, name: str, rule: str
) -> Any | None:
    """The single candidate a name refers to, or a finding (unknown_… / ambiguous_…)."""
    if not candidates:
        cells.add(row, key, f"unknown_{rule}", f"找不到{what}“{name}”", message_en=ENGLISH[f"unknown_{rule}"])
        return None
    if len(candidates) > 1:
        cells.add(
            row,
            key,
            f"ambiguous_{rule}",
            f"“{name}”对应多个{what},请写明全称" + ("或填写所在区域" if rule == "subject" else ""),
            message_en=ENGLISH[f"ambiguous_{rule}"],
        )
        return None
    return candidates[0]


def _rule_findings(
    cells: Cells,
    objects: dict[int, tuple[SheetRow, models.Model]],
    columns: dict[str, str],
    default: str,
    today,
) -> None:
    """Run the rules on every object at once; each finding goes to its object's row and column."""
    for finding in rules.check([obj for _, obj in objects.values()], today=today):
        row, _ = objects[id(finding.obj)]
        cells.add(
            row,
            columns.get(finding.field, default),
            finding.rule_id,
            finding.message,
            severity=finding.severity,
            message_en=finding.message_en,
        )


def _required(cells: Cells, row: SheetRow, key: str, header: str) -> bool:
    if row.blank(key):
        cells.add(row, key, "required", f"请填写“{header}”", message_en=ENGLISH["required"])
        return False
    return True


# ---------------------------------------------------------------------------------------------
# 月报


def _monthly_meta(sheet: Sheet, zone: Zone | None, user) -> tuple[Zone, int, int, str]:
    meta = sheet.meta
    try:
        zone_id, year, month = int(meta["zone_id"]), int(meta["year"]), int(meta["month"])
    except (KeyError, ValueError):
        raise WorkbookError(
            "找不到模板信息(隐藏的 _meta 工作表):请在台账中下载本区域当月的月报模板后填写",
            "The template's hidden _meta sheet is missing: download the zone's monthly template.",
        ) from None
    found = _readable(Zone, user).filter(pk=zone_id).first()
    if found is None:  # or one the user may not read: the same words, nothing learnt
        raise WorkbookError("模板所属的区域已不存在", "The template's zone no longer exists.")
    if zone is not None and zone.pk != found.pk:
        raise WorkbookError(
            f"该模板属于{found.name},不是{zone.name}",
            f"The template belongs to {found.name}, not {zone.name}.",
        )
    if not 1 <= month <= 12:
        raise WorkbookError("模板信息中的月份无效", "The template's month is invalid.")
    has_month, has_ytd = sheet.has("month_amount"), sheet.has("ytd_amount")
    if has_month == has_ytd:
        raise WorkbookError(
            f"“本月完成投资”和“1-{month}月累计完成投资”两列须有且只有一列",
            "The sheet needs exactly one amount column: the month's amount or the year-to-date one.",
        )
    if has_ytd:
        header = sheet.columns["ytd_amount"][1]
        stated = int(re.search(r"(\d{1,2})月", header).group(1))
        if stated != month:
            raise WorkbookError(
                f"“{header}”与模板的月份({year}年{month}月)不一致",
                f"The column {header} does not match the template's month ({year}-{month:02d}).",
            )
    return found, year, month, EntryBasis.MONTH if has_month else EntryBasis.YEAR_TO_DATE


MONTHLY_CELL_COLUMNS = {"project": "project_id", "remark": "remark", "reason": "reason"}


def _check_monthly(
    sheet: Sheet, *, user, zone: Zone | None, today: date | None, confirm_warnings: bool
) -> ImportResult:
    zone, year, month, basis = _monthly_meta(sheet, zone, user)
    amount_key = "month_amount" if basis == EntryBasis.MONTH else "ytd_amount"
    cells = Cells(sheet)
    lines: list[MonthlyLine] = []
    line_rows: list[SheetRow] = []
    for row in sheet.rows:
        if row.blank("project_id"):
            cells.add(
                row,
                "project_id",
                "missing_project",
                "缺少项目编号:请勿删除或修改模板中的项目编号;新项目请先在台账中登记并加入调度清单",
                message_en=ENGLISH["missing_project"],
            )
            continue
        project_id = cells.integer(row, "project_id", low=1, high=2**31 - 1, what="项目编号")
        if project_id is None:
            continue
        scale = cells.unit(row, "unit", AmountScale.WAN)
        parsed = cells.amount(row, amount_key, scale)
        if parsed is not None and parsed.qualifier:
            cells.add(
                row,
                amount_key,
                "not_exact",
                "月报的完成投资应为确数,不能带“约”“余”等限定词",
                message_en=ENGLISH["not_exact"],
            )
            parsed = None
        if parsed is not None and parsed.currency != Currency.CNY:
            cells.add(row, amount_key, "not_yuan", "完成投资以人民币(元)填报", message_en=ENGLISH["not_yuan"])
            parsed = None
        milestones = {}
        for kind in MILESTONE_COLUMNS:
            if sheet.has(kind) and (reached := cells.date(row, kind, year)) is not None:
                milestones[kind] = reached
        lines.append(
            MonthlyLine(
                project_id=project_id,
                amount=parsed.value if parsed else None,
                scale=parsed.scale if parsed else None,
                milestones=milestones,
                remark=cells.text(row, "remark"),
                reason=cells.text(row, "reason"),
                seen=sheet.versions.get(project_id, {}),
            )
        )
        line_rows.append(row)
    plan = check_month(
        zone, year, month, lines, basis=basis, user=user, today=today, confirm_warnings=confirm_warnings
    )
    for finding in plan.findings:
        cells.add(
            line_rows[finding.line],
            _monthly_column(finding, amount_key),
            finding.rule_id,
            finding.message,
            severity=finding.severity,
            message_en=english(finding.rule_id),
        )
    return ImportResult(
        kind=ImportKind.MONTHLY,
        rows=len(sheet.rows),
        findings=_sorted(cells.findings),
        zone=zone,
        year=year,
        month=month,
        confirm_warnings=confirm_warnings,
        plan=plan,
    )


def _monthly_column(finding: CellFinding, amount_key: str) -> str | None:
    if finding.column == "amount":
        return amount_key
    if finding.column.startswith("milestone:"):
        return finding.column.removeprefix("milestone:")
    return MONTHLY_CELL_COLUMNS.get(finding.column)


# ---------------------------------------------------------------------------------------------
# 项目

PROJECT_FIELD_COLUMNS = {
    "planned_finish": "planned_finish",
    "planned_start": "planned_start",
    "total_investment": "total_investment",
}
STAGES = labels(Stage.choices)


@dataclass
class _ProjectRow:
    row: SheetRow
    zone_name: str
    name: str
    changes: dict[str, object]
    enterprise: str
    reason: str


def _read_project_rows(cells: Cells) -> list[_ProjectRow]:
    found = []
    for row in cells.sheet.rows:
        zone_ok = _required(cells, row, "zone", "区域")
        name_ok = _required(cells, row, "name", "项目名称")
        changes: dict[str, object] = {}
        scale = cells.unit(row, "unit", AmountScale.YI)
        if (amount := cells.amount(row, "total_investment", scale)) is not None:
            changes.update(
                total_investment=amount.value,
                total_investment_scale=amount.scale,
                currency=amount.currency,
                total_investment_qualifier=amount.qualifier,
            )
        if (stage := cells.choice(row, "stage", STAGES, "阶段")) is not None:
            changes["stage"] = stage
        for key in ("planned_start", "planned_finish"):
            if (when := cells.date(row, key, None)) is not None:
                changes[key], changes[f"{key}_precision"] = when
        if description := cells.text(row, "description"):
            changes["description"] = description
        name = cells.text(row, "name", max_length=200)
        if zone_ok and name_ok and name:
            found.append(
                _ProjectRow(
                    row,
                    cells.text(row, "zone"),
                    name,
                    changes,
                    cells.text(row, "enterprise"),
                    cells.text(row, "reason"),
                )
            )
    return found


def _check_projects(sheet: Sheet, *, user, today: date | None, confirm_warnings: bool) -> ImportResult:
    cells = Cells(sheet)
    parsed = _read_project_rows(cells)
    zones = _zones_named({p.zone_name for p in parsed}, user)
    enterprise_names = {p.enterprise for p in parsed if p.enterprise}
    enterprises: dict[str, set[int]] = defaultdict(set)
    if enterprise_names:
        for pk, name, short_name in (
            _readable(Enterprise, user)
            .filter(Q(name__in=enterprise_names) | Q(short_name__in=enterprise_names))
            .values_list("pk", "name", "short_name")
        ):
            for known in (name, short_name):
                if known in enterprise_names:
                    enterprises[known].add(pk)
    zone_of = {}
    for p in parsed:
        if (
            zone := _one(cells, p.row, "zone", zones.get(p.zone_name), "区域", p.zone_name, "zone")
        ) is not None:
            zone_of[id(p)] = zone
    stored = {
        (project.zone_id, project.name): project
        for project in Project.objects.filter(
            zone_id__in={z.pk for z in zone_of.values()}, name__in={p.name for p in parsed}
        )
    }
    refusal = _Refusals(user)
    plan = RowPlan(Project, reason="Excel导入")
    objects: dict[int, tuple[SheetRow, models.Model]] = {}
    seen: dict[tuple[int, str], int] = {}
    zone_ids: set[int] = set()
    for p in parsed:
        zone = zone_of.get(id(p))
        if zone is None:
            continue
        zone_ids.add(zone.pk)
        if (refused := refusal(zone.pk)) is not None:
            cells.add(p.row, "zone", "no_access", refused[0], message_en=refused[1])
            continue
        key = (zone.pk, p.name)
        if key in seen:
            cells.add(
                p.row,
                "name",
                "duplicate_row",
                f"与第{seen[key]}行重复(同一区域的同名项目)",
                message_en=ENGLISH["duplicate_row"],
            )
            continue
        seen[key] = p.row.number
        changes = dict(p.changes)
        if p.enterprise:
            enterprise = _one(
                cells,
                p.row,
                "enterprise",
                sorted(enterprises.get(p.enterprise, ())),
                "企业",
                p.enterprise,
                "enterprise",
            )
            if enterprise is None:
                continue
            changes["enterprise_id"] = enterprise
        if p.row.number in cells.bad_rows:
            continue
        project = stored.get(key)
        if project is None:
            project = Project(zone_id=zone.pk, name=p.name, **changes)
            plan.creates.append(project)
        else:
            changed = {name: value for name, value in changes.items() if getattr(project, name) != value}
            if not changed:
                plan.unchanged += 1
                continue
            for name, value in changed.items():
                setattr(project, name, value)
            plan.fields |= set(changed)
            plan.expected[project.pk] = project.version
            plan.updates.append(project)
        project._change_reason = p.reason
        objects[id(project)] = (p.row, project)
    _rule_findings(cells, objects, PROJECT_FIELD_COLUMNS, "name", today)
    _finish_not_before_start(cells, objects.values())
    return ImportResult(
        kind=ImportKind.PROJECTS,
        rows=len(sheet.rows),
        findings=_sorted(cells.findings),
        zone=_common_zone(zone_ids),
        confirm_warnings=confirm_warnings,
        plan=plan,
    )


def _finish_not_before_start(cells: Cells, objects) -> None:
    """The database's check on the stored dates (first days of their periods), where the rule
    (which compares whole periods) lets a pair through: 3月18日 to 2022年3月."""
    flagged = {f.row for f in cells.findings if f.rule_id == "finish_before_start"}
    for row, project in objects:
        start, finish = project.planned_start, project.planned_finish
        if start and finish and finish < start and row.number not in flagged:
            cells.add(
                row,
                "planned_finish",
                "finish_before_start",
                "计划竣工/投产日期不能早于计划开工日期",
                message_en="The planned finish cannot be before the planned start.",
            )


def _common_zone(zone_ids: set[int]) -> Zone | None:
    """The zone a batch belongs to: the one zone of its rows, or the nearest above them all."""
    if not zone_ids:
        return None
    zone_id = next(iter(zone_ids)) if len(zone_ids) == 1 else Zone.objects.common_ancestor(sorted(zone_ids))
    return Zone.objects.filter(pk=zone_id).first() if zone_id else None


# ---------------------------------------------------------------------------------------------
# 指标数值

VALUE_KINDS = labels(ValueKind.choices)
INDICATOR_FIELD_COLUMNS = {
    "value": "value",
    "scale": "unit",
    "restatement_reason": "reason",
    "yoy_growth": "yoy",
    "note": "note",
}
FIGURE_FIELDS = ("value", "scale", "currency", "qualifier", "yoy_growth", "note")


@dataclass
class _IndicatorRow:
    row: SheetRow
    subject_kind: str
    subject: str
    subject_zone: str
    metric: str
    year: int
    period: Period
    kind: str
    scale: int | None
    yoy: Decimal | None
    note: str
    reason: str


def _read_indicator_rows(cells: Cells) -> list[_IndicatorRow]:
    found = []
    for row in cells.sheet.rows:
        if row.blank("value") and row.blank("yoy"):
            continue  # a row prepared by the template and left empty
        ok = all(
            [
                _required(cells, row, "subject_kind", "主体类型"),
                _required(cells, row, "subject", "主体名称"),
                _required(cells, row, "metric", "指标"),
                _required(cells, row, "year", "年度"),
                _required(cells, row, "period", "时段"),
            ]
        )
        subject_kind = cells.choice(row, "subject_kind", SUBJECT_KINDS, "主体类型")
        year = cells.integer(row, "year", low=1949, high=2200, what="年度")
        period = cells.period(row, "period", year) if year is not None else None
        if period is not None and period.year != year:
            cells.add(row, "period", "parse", f"时段的年份({period.year})与年度({year})不一致")
            period = None
        kind = (
            cells.choice(row, "value_kind", VALUE_KINDS, "数值类型")
            if not row.blank("value_kind")
            else ValueKind.ACTUAL
        )
        yoy = cells.number(row, "yoy")
        if yoy is not None and yoy < -100:
            cells.add(row, "yoy", "parse", "同比增长不能低于-100%")
            yoy = None
        scale = cells.unit(row, "unit", AmountScale.YI) if not row.blank("unit") else None
        if ok and subject_kind and year is not None and period is not None and kind:
            found.append(
                _IndicatorRow(
                    row,
                    subject_kind,
                    cells.text(row, "subject"),
                    cells.text(row, "subject_zone"),
                    cells.text(row, "metric"),
                    year,
                    period,
                    kind,
                    scale,
                    yoy,
                    cells.text(row, "note"),
                    cells.text(row, "reason"),
                )
            )
    return found


@dataclass
class _Subjects:
    """Zones, portfolios and projects the rows name, each fetched in one query."""

    zones: dict[str, list[ZoneInfo]]
    portfolios: dict[tuple[str, int], list[Portfolio]]
    projects: dict[str, list[Project]]

    @classmethod
    def fetch(cls, rows: list[_IndicatorRow], user) -> _Subjects:
        zone_names = {r.subject for r in rows if r.subject_kind == "zone"} | {
            r.subject_zone for r in rows if r.subject_zone
        }
        portfolio_rows = [r for r in rows if r.subject_kind == "portfolio"]
        project_names = {r.subject for r in rows if r.subject_kind == "project"}
        portfolios: dict[tuple[str, int], list[Portfolio]] = defaultdict(list)
        if portfolio_rows:
            for portfolio in (
                _readable(Portfolio, user)
                .filter(
                    name__in={r.subject for r in portfolio_rows}, year__in={r.year for r in portfolio_rows}
                )
                .select_related("zone")
            ):
                portfolios[(portfolio.name, portfolio.year)].append(portfolio)
        projects: dict[str, list[Project]] = defaultdict(list)
        if project_names:
            for project in _readable(Project, user).filter(name__in=project_names).select_related("zone"):
                projects[project.name].append(project)
        return cls(_zones_named(zone_names, user), portfolios, projects)

    def find(self, cells: Cells, r: _IndicatorRow) -> tuple[models.Model | ZoneInfo, ZoneInfo | None] | None:
        """(subject, the zone whose data it is) of a row, or None after a finding."""
        within = None
        if r.subject_zone:
            within = _one(
                cells, r.row, "subject_zone", self.zones.get(r.subject_zone), "区域", r.subject_zone, "zone"
            )
            if within is None:
                return None
        if r.subject_kind == "zone":
            zone = _one(cells, r.row, "subject", self.zones.get(r.subject), "区域", r.subject, "zone")
            return (zone, zone) if zone else None
        if r.subject_kind == "portfolio":
            candidates = self.portfolios.get((r.subject, r.year), [])
            what = f"{r.year}年的调度清单"
        else:
            candidates = self.projects.get(r.subject, [])
            what = "项目"
        if within is not None:
            candidates = [c for c in candidates if c.zone_id == within.pk]
        subject = _one(cells, r.row, "subject", candidates, what, r.subject, "subject")
        if subject is None:
            return None
        zone = subject.zone
        return subject, (ZoneInfo(zone.pk, zone.name, zone.entry_deadline_day) if zone else None)


def _value_of(cells: Cells, r: _IndicatorRow, metric: Metric) -> tuple[dict[str, object], bool]:
    """The figure fields a row gives (value, scale, currency, qualifier) and whether they read."""
    row = r.row
    if row.blank("value"):
        return {}, True
    if metric.unit_kind == UnitKind.AMOUNT:
        parsed = cells.amount(row, "value", r.scale or AmountScale.YI)
        if parsed is None:
            return {}, False
        return {
            "value": parsed.value,
            "scale": parsed.scale,
            "currency": parsed.currency,
            "qualifier": parsed.qualifier,
        }, True
    if r.scale is not None:
        cells.add(
            row,
            "unit",
            "unit_mismatch",
            f"指标“{metric.name}”不以金额计,“单位”列请留空",
            message_en=english("unit_mismatch"),
        )
        return {}, False
    number = cells.number(row, "value", unit=metric.unit)
    if number is None:
        return {}, False
    return {"value": number, "scale": None, "currency": "", "qualifier": ""}, True


def _check_indicators(sheet: Sheet, *, user, today: date | None, confirm_warnings: bool) -> ImportResult:
    today = today or timezone.localdate()
    cells = Cells(sheet)
    parsed = _read_indicator_rows(cells)
    texts = {r.metric for r in parsed}
    metrics: dict[str, Metric] = {}
    for metric in Metric.objects.filter(Q(name__in=texts) | Q(code__in=texts)):
        metrics[metric.name] = metrics[metric.code] = metric
    subjects = _Subjects.fetch(parsed, user)
    refusal = _Refusals(user)

    resolved = []  # (row, subject, zone, metric, figure)
    for r in parsed:
        metric = metrics.get(r.metric)
        if metric is None:
            cells.add(
                r.row,
                "metric",
                "unknown_metric",
                f"找不到指标“{r.metric}”(名称或代码)",
                message_en=ENGLISH["unknown_metric"],
            )
        found = subjects.find(cells, r)
        if metric is None or found is None:
            continue
        subject, zone = found
        if (refused := refusal(zone.pk if zone else None)) is not None:
            cells.add(r.row, "subject", "no_access", refused[0], message_en=refused[1])
            continue
        if metric.flow_or_stock == FlowOrStock.FLOW and r.period.is_point:
            cells.add(
                r.row,
                "period",
                "start_month_required",
                f"“{metric.name}”是按时段累计的指标,时段请写作 1-5月、一季度 等,不能写时点",
                message_en=ENGLISH["start_month_required"],
            )
            continue
        figure, readable = _value_of(cells, r, metric)
        if readable and r.row.number not in cells.bad_rows:
            resolved.append((r, subject, zone, metric, figure))

    subject_field = {"zone": "zone_id", "portfolio": "portfolio_id", "project": "project_id"}
    existing: dict[tuple, list[IndicatorValue]] = defaultdict(list)
    if resolved:
        ids: dict[str, set[int]] = defaultdict(set)
        for r, subject, *_ in resolved:
            ids[r.subject_kind].add(subject.pk)
        in_subjects = Q()
        for kind, pks in ids.items():
            in_subjects |= Q(**{f"{subject_field[kind]}__in": pks})
        metric_ids = {metric.pk for _, _, _, metric, _ in resolved}
        years = {r.year for r, *_ in resolved}
        for value in IndicatorValue.objects.current().filter(
            in_subjects, metric__in=metric_ids, year__in=years
        ):
            kind = value.subject_field
            existing[
                (
                    kind,
                    getattr(value, f"{kind}_id"),
                    value.metric_id,
                    value.year,
                    value.start_month,
                    value.end_month,
                    value.kind,
                )
            ].append(value)
    zone_ids = {zone.pk for _, _, zone, _, _ in resolved if zone}
    reopened = EntryReopening.objects.reopened_until(
        zone_ids, {(r.year, r.period.end_month) for r, *_ in resolved}
    )

    plan = RowPlan(IndicatorValue, reason="Excel导入")
    objects: dict[int, tuple[SheetRow, models.Model]] = {}
    seen: dict[tuple, int] = {}
    for r, subject, zone, metric, figure in resolved:
        key = (
            r.subject_kind,
            subject.pk,
            metric.pk,
            r.year,
            r.period.start_month,
            r.period.end_month,
            r.kind,
        )
        if key in seen:
            cells.add(
                r.row,
                "subject",
                "duplicate_row",
                f"与第{seen[key]}行重复(同一主体、指标、时段和数值类型)",
                message_en=ENGLISH["duplicate_row"],
            )
            continue
        seen[key] = r.row.number
        figure = {
            **figure,
            **({"yoy_growth": r.yoy} if r.yoy is not None else {}),
            **({"note": r.note} if r.note else {}),
        }
        stored = existing.get(key, [])
        if len(stored) > 1:
            cells.add(
                r.row,
                "value",
                "ambiguous_value",
                f"该主体、指标和时段已有{len(stored)}条数值(不同来源),请在后台逐条修改",
                message_en=ENGLISH["ambiguous_value"],
            )
            continue
        if stored:
            value = stored[0]
            value.metric = metric
            _attach(value, r.subject_kind, subject)
            changed = {name: v for name, v in figure.items() if getattr(value, name) != v}
            if not changed:
                plan.unchanged += 1
                continue
            locked = (
                r.kind == ValueKind.ACTUAL
                and zone is not None
                and is_locked(
                    today,
                    r.year,
                    r.period.end_month,
                    zone.deadline_day,
                    reopened.get((zone.pk, r.year, r.period.end_month)),
                )
            )
            plan.expected[value.pk] = value.version
            if locked:
                obj = _new_value(
                    r, subject, metric, {**{f: getattr(value, f) for f in FIGURE_FIELDS}, **changed}
                )
                obj.restates = value
                obj.restatement_reason = r.reason
                plan.creates.append(obj)
            else:
                for name, v in changed.items():
                    setattr(value, name, v)
                plan.fields |= set(changed)
                plan.updates.append(value)
                obj = value
        else:
            obj = _new_value(r, subject, metric, figure)
            plan.creates.append(obj)
        obj._change_reason = r.reason
        objects[id(obj)] = (r.row, obj)
    _rule_findings(cells, objects, INDICATOR_FIELD_COLUMNS, "value", today)
    return ImportResult(
        kind=ImportKind.INDICATORS,
        rows=len(sheet.rows),
        findings=_sorted(cells.findings),
        zone=_common_zone(zone_ids),
        confirm_warnings=confirm_warnings,
        plan=plan,
    )


def _attach(value: IndicatorValue, kind: str, subject: models.Model | ZoneInfo) -> None:
    """Give a value its subject object, so that the rules need no query per row to reach it."""
    if kind == "zone":
        value.zone = Zone(pk=subject.pk, name=subject.name, entry_deadline_day=subject.deadline_day)
    else:
        setattr(value, kind, subject)


def _new_value(r: _IndicatorRow, subject, metric: Metric, figure: dict[str, object]) -> IndicatorValue:
    value = IndicatorValue(
        metric=metric,
        year=r.year,
        start_month=r.period.start_month,
        end_month=r.period.end_month,
        kind=r.kind,
        **figure,
    )
    _attach(value, r.subject_kind, subject)
    return value


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


STALE_IMPORT = (
    f"{STALE_MESSAGE}(导入检查之后有记录被他人修改),本次未导入任何数据;请重新检查后再导入",
    "Someone changed records after the check; nothing was imported. Check the file again, then import.",
)


def refusal(result: ImportResult) -> ImportRefused | None:
    """Why a checked workbook cannot be committed as it is, or None."""
    if result.plan is None or result.errors:
        return ImportRefused("文件有错误,未导入任何数据", "The file has errors; nothing was imported.")
    if not result.ok:
        return ImportRefused(
            "有警告尚未确认,未导入任何数据;请核对后勾选确认警告再导入",
            "Warnings are not confirmed; nothing was imported. Check them, then confirm.",
        )
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
        raise ImportRefused(*STALE_IMPORT) from None
    except IntegrityError as error:
        raise ImportRefused(
            f"数据与已有记录冲突,未导入任何数据:{error}",
            f"The data conflicts with existing records; nothing was imported: {error}",
        ) from None


# ---------------------------------------------------------------------------------------------
# ImportBatch: every upload recorded


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
        raise ImportRefused("该文件已经导入过", "This file has already been imported.")
    if result is None and batch.content is None:
        zh, en = uploads.missing_file(batch)
        raise ImportRefused(
            f"{zh},未导入任何数据;请重新上传该文件", f"{en} Nothing was imported; upload it again."
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
            raise ImportRefused("该文件已经导入过", "This file has already been imported.")
        summary = commit_import(result, user=user)
        batch.status = ImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        record_check(batch, result)
    return result, summary
