"""The projects import: projects created or updated, matched by (zone, name)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...models import (
    Enterprise,
    ImportKind,
    Project,
    Stage,
    Zone,
)
from ...money import AmountScale
from ..layout import labels
from ..reader import Cells, Sheet, SheetRow
from .base import (
    ImportResult,
    RowPlan,
    _one,
    _readable,
    _Refusals,
    _required,
    _rule_findings,
    _sorted,
    _zone,
    _zones_named,
)

# ---------------------------------------------------------------------------------------------
# 项目

PROJECT_FIELD_COLUMNS = {
    "planned_finish": "planned_finish",
    "planned_start": "planned_start",
    "total_investment": "total_investment",
}


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
    stages = labels(Stage.choices)
    for row in cells.sheet.rows:
        zone_ok = _required(cells, row, "zone")
        name_ok = _required(cells, row, "name")
        changes: dict[str, object] = {}
        scale = cells.unit(row, "unit", AmountScale.YI)
        if (amount := cells.amount(row, "total_investment", scale)) is not None:
            changes.update(
                total_investment=amount.value,
                total_investment_scale=amount.scale,
                currency=amount.currency,
                total_investment_qualifier=amount.qualifier,
            )
        if (stage := cells.choice(row, "stage", stages)) is not None:
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
        if (zone := _zone(cells, p.row, "zone", zones.get(p.zone_name), p.zone_name)) is not None:
            zone_of[id(p)] = zone
    stored = {
        (project.zone_id, project.name): project
        for project in Project.objects.filter(
            zone_id__in={z.pk for z in zone_of.values()}, name__in={p.name for p in parsed}
        )
    }
    refusal = _Refusals(user)
    plan = RowPlan(Project, reason=gettext("Excel导入"))
    objects: dict[int, tuple[SheetRow, models.Model]] = {}
    seen: dict[tuple[int, str], int] = {}
    zone_ids: set[int] = set()
    for p in parsed:
        zone = zone_of.get(id(p))
        if zone is None:
            continue
        zone_ids.add(zone.pk)
        if (refused := refusal(zone.pk)) is not None:
            cells.record(p.row, "zone", "no_access", refused)
            continue
        key = (zone.pk, p.name)
        if key in seen:
            cells.add(
                p.row,
                "name",
                "duplicate_row",
                format_lazy(_("与第{row}行重复(同一区域的同名项目)"), row=seen[key]),
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
                "enterprise",
                unknown=format_lazy(_("找不到企业“{name}”"), name=p.enterprise),
                ambiguous=format_lazy(_("“{name}”对应多个企业,请写明全称"), name=p.enterprise),
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
                row, "planned_finish", "finish_before_start", _("计划竣工/投产日期不能早于计划开工日期")
            )


def _common_zone(zone_ids: set[int]) -> Zone | None:
    """The zone a batch belongs to: the one zone of its rows, or the nearest above them all."""
    if not zone_ids:
        return None
    zone_id = next(iter(zone_ids)) if len(zone_ids) == 1 else Zone.objects.common_ancestor(sorted(zone_ids))
    return Zone.objects.filter(pk=zone_id).first() if zone_id else None
