"""What the kinds of workbook import share: ImportRefused, the result of a check (ImportResult,
RowPlan), and the lookups every kind makes in one query per model (zones by name, readable rows,
refusals, rule findings).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ... import access, rules
from ...i18n import Text, both, in_chinese, in_english
from ...models import (
    IndicatorValue,
    StaleVersion,
    Zone,
)
from ...monthly_entry import MonthlyPlan
from ..reader import ERROR, WARNING, Cells, RowFinding, SheetRow, WorkbookError

MAX_STORED_FINDINGS = 10_000  # an ImportBatch keeps this many findings (the counts are always complete)


class ImportRefused(Exception):
    """A commit that did not happen (nothing was written), with the reason in Chinese and English."""

    def __init__(self, reason: Text) -> None:
        self.reason = reason  # the message, rendered in the active language when shown
        super().__init__(reason)

    @property
    def message(self) -> str:
        return in_chinese(self.reason)

    @property
    def message_en(self) -> str:
        return in_english(self.reason)


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
    reason: str = ""  # the history's reason where a row gives none (stored: a str)

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
    finding = RowFinding(0, "", "file", ERROR, *both(error.reason))
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
            self.cache[zone_id] = both(refusal) if refusal else None
        return self.cache[zone_id]


def _one(
    cells: Cells,
    row: SheetRow,
    key: str,
    candidates: Sequence[Any] | None,
    rule: str,
    *,
    unknown: Text,
    ambiguous: Text,
) -> Any | None:
    """The single candidate a name refers to, or a finding (unknown_… / ambiguous_…)."""
    if not candidates:
        cells.add(row, key, f"unknown_{rule}", unknown)
        return None
    if len(candidates) > 1:
        cells.add(row, key, f"ambiguous_{rule}", ambiguous)
        return None
    return candidates[0]


def _zone(
    cells: Cells, row: SheetRow, key: str, candidates: list[ZoneInfo] | None, name: str
) -> ZoneInfo | None:
    """The zone a name refers to, or a finding (unknown_zone / ambiguous_zone)."""
    return _one(
        cells,
        row,
        key,
        candidates,
        "zone",
        unknown=format_lazy(_("找不到区域“{name}”"), name=name),
        ambiguous=format_lazy(_("“{name}”对应多个区域,请写明全称"), name=name),
    )


def _rule_findings(
    cells: Cells,
    objects: dict[int, tuple[SheetRow, models.Model]],
    columns: dict[str, str],
    default: str,
    today,
) -> None:
    """Run the rules on every object at once; each finding goes to its object's row and column."""
    for finding in rules.check([obj for _row, obj in objects.values()], today=today):
        row = objects[id(finding.obj)][0]
        cells.record(
            row,
            columns.get(finding.field, default),
            finding.rule_id,
            (finding.message, finding.message_en),
            severity=finding.severity,
        )


def _required(cells: Cells, row: SheetRow, key: str) -> bool:
    if row.blank(key):
        cells.add(row, key, "required", format_lazy(_("请填写“{column}”"), column=cells.sheet.header(key)))
        return False
    return True
