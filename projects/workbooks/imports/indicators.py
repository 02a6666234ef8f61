"""The indicators import: indicator values of zones, portfolios and projects, matched by subject,
indicator, period and kind; a changed actual of a locked month becomes a restatement (更正).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...models import (
    EntryReopening,
    FlowOrStock,
    ImportKind,
    IndicatorValue,
    Metric,
    Portfolio,
    Project,
    UnitKind,
    ValueKind,
    Zone,
)
from ...money import AmountScale
from ...periods import Period
from ...windows import is_locked
from ..layout import SUBJECT_KINDS, labels
from ..reader import Cells, Sheet, SheetRow
from .base import (
    ImportResult,
    RowPlan,
    ZoneInfo,
    _one,
    _readable,
    _Refusals,
    _required,
    _rule_findings,
    _sorted,
    _zone,
    _zones_named,
)
from .projects import _common_zone

# ---------------------------------------------------------------------------------------------
# 指标数值

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
    value_kinds = labels(ValueKind.choices)
    for row in cells.sheet.rows:
        if row.blank("value") and row.blank("yoy"):
            continue  # a row prepared by the template and left empty
        ok = all(
            [
                _required(cells, row, "subject_kind"),
                _required(cells, row, "subject"),
                _required(cells, row, "metric"),
                _required(cells, row, "year"),
                _required(cells, row, "period"),
            ]
        )
        subject_kind = cells.choice(row, "subject_kind", SUBJECT_KINDS)
        year = cells.integer(row, "year", low=1949, high=2200)
        period = cells.period(row, "period", year) if year is not None else None
        if period is not None and period.year != year:
            cells.add(
                row,
                "period",
                "parse",
                format_lazy(
                    _("时段的年份({period_year})与年度({year})不一致"), period_year=period.year, year=year
                ),
            )
            period = None
        kind = (
            cells.choice(row, "value_kind", value_kinds) if not row.blank("value_kind") else ValueKind.ACTUAL
        )
        yoy = cells.number(row, "yoy")
        if yoy is not None and yoy < -100:
            cells.add(row, "yoy", "parse", _("同比增长不能低于-100%"))
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
            within = _zone(cells, r.row, "subject_zone", self.zones.get(r.subject_zone), r.subject_zone)
            if within is None:
                return None
        if r.subject_kind == "zone":
            zone = _zone(cells, r.row, "subject", self.zones.get(r.subject), r.subject)
            return (zone, zone) if zone else None
        candidates: Sequence[Portfolio | Project]
        if r.subject_kind == "portfolio":
            candidates = self.portfolios.get((r.subject, r.year), [])
            unknown = format_lazy(_("找不到{year}年的调度清单“{name}”"), year=r.year, name=r.subject)
            ambiguous = format_lazy(
                _("“{name}”对应多个{year}年的调度清单,请写明全称或填写所在区域"), year=r.year, name=r.subject
            )
        else:
            candidates = self.projects.get(r.subject, [])
            unknown = format_lazy(_("找不到项目“{name}”"), name=r.subject)
            ambiguous = format_lazy(_("“{name}”对应多个项目,请写明全称或填写所在区域"), name=r.subject)
        if within is not None:
            candidates = [c for c in candidates if c.zone_id == within.pk]
        subject = _one(cells, r.row, "subject", candidates, "subject", unknown=unknown, ambiguous=ambiguous)
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
            format_lazy(_("指标“{metric}”不以金额计,“单位”列请留空"), metric=metric.name),
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
                format_lazy(_("找不到指标“{metric}”(名称或代码)"), metric=r.metric),
            )
        found = subjects.find(cells, r)
        if metric is None or found is None:
            continue
        subject, zone = found
        if (refused := refusal(zone.pk if zone else None)) is not None:
            cells.record(r.row, "subject", "no_access", refused)
            continue
        if metric.flow_or_stock == FlowOrStock.FLOW and r.period.is_point:
            cells.add(
                r.row,
                "period",
                "start_month_required",
                format_lazy(
                    _("“{metric}”是按时段累计的指标,时段请写作 1-5月、一季度 等,不能写时点"),
                    metric=metric.name,
                ),
            )
            continue
        figure, readable = _value_of(cells, r, metric)
        if readable and r.row.number not in cells.bad_rows:
            resolved.append((r, subject, zone, metric, figure))

    subject_field = {"zone": "zone_id", "portfolio": "portfolio_id", "project": "project_id"}
    existing: dict[tuple, list[IndicatorValue]] = defaultdict(list)
    if resolved:
        ids: dict[str, set[int]] = defaultdict(set)
        for r, subject, *_rest in resolved:
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

    plan = RowPlan(IndicatorValue, reason=gettext("Excel导入"))
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
                format_lazy(_("与第{row}行重复(同一主体、指标、时段和数值类型)"), row=seen[key]),
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
                format_lazy(
                    _("该主体、指标和时段已有{count}条数值(不同来源),请在后台逐条修改"), count=len(stored)
                ),
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
