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

Modules: base (what the kinds share: results, refusals, lookups), monthly, projects, indicators
(one kind each), batches (check and commit, the ImportBatch).
"""

from __future__ import annotations

from .base import MAX_STORED_FINDINGS, ImportRefused, ImportResult, RowPlan, ZoneInfo
from .batches import (
    COLUMNS,
    RECORDED_FIELDS,
    STALE_IMPORT,
    check_import,
    commit_import,
    import_batch_check,
    import_batch_commit,
    record_check,
    refusal,
)
from .indicators import FIGURE_FIELDS, INDICATOR_FIELD_COLUMNS
from .monthly import MONTHLY_CELL_COLUMNS
from .projects import PROJECT_FIELD_COLUMNS

__all__ = [
    "COLUMNS",
    "FIGURE_FIELDS",
    "INDICATOR_FIELD_COLUMNS",
    "MAX_STORED_FINDINGS",
    "MONTHLY_CELL_COLUMNS",
    "PROJECT_FIELD_COLUMNS",
    "RECORDED_FIELDS",
    "STALE_IMPORT",
    "ImportRefused",
    "ImportResult",
    "RowPlan",
    "ZoneInfo",
    "check_import",
    "commit_import",
    "import_batch_check",
    "import_batch_commit",
    "record_check",
    "refusal",
]
