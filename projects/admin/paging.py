"""Paging of the admin's large tables (projects, milestones, indicator values, portfolio entries):
no COUNT(*) over a whole table of a province's 50,000 projects and millions of figures.

Django's changelist counts every matching row to number its pages, and counts the table once more
for "共 N 条" (`show_full_result_count`). Here:
- the rows are counted only up to a bound (LIMIT inside the count): up to it the count is exact,
  as staff expect of a zone's list;
- beyond the bound, an unfiltered list on PostgreSQL takes the planner's estimate of the table's
  rows (`pg_class.reltuples`, kept by ANALYZE and autovacuum; the PostgreSQL wiki's "Count
  estimate") and says "约 50,000 条"; a filtered one, or one on SQLite, says "10,000 条以上" and
  pages through the first 10,000 rows (a narrower filter or a search finds the rest).
The same queries run whatever the size of the table: one bounded count, and on PostgreSQL for an
unfiltered list one look-up of the estimate.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext

COUNT_BOUND = 10_000


def estimated_rows(queryset: QuerySet) -> int | None:
    """The planner's estimate of the rows of the queryset's table on PostgreSQL, None elsewhere or
    where the table was never analysed (reltuples is -1 then)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


def is_unfiltered(queryset: QuerySet) -> bool:
    """True when the queryset reads every row of its table (no WHERE, no HAVING, no DISTINCT)."""
    query = queryset.query
    return not query.where and not query.distinct and not query.combinator and not query.is_sliced


class LargeTablePaginator(Paginator):
    """A changelist paginator whose count never scans a whole large table (see the module)."""

    bound = COUNT_BOUND
    exact = True  # the count is every matching row
    estimated = False  # the count is the planner's estimate of the table

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        estimate = estimated_rows(queryset) if is_unfiltered(queryset) else None
        # Counted without the changelist's annotations (citation counts, late milestones …) and
        # ordering: only the rows' keys, up to the bound, are read.
        counted = queryset.order_by().values("pk")[: self.bound + 1].count()
        if counted <= self.bound:
            self.exact = True
            return counted
        self.exact = False
        if estimate is not None and estimate > self.bound:
            self.estimated = True
            return estimate
        return self.bound

    @cached_property
    def count_label(self) -> str:
        """How the changelist states a count that is not exact: an estimate, or a lower bound;
        empty when it is exact (the changelist then says it as Django does)."""
        count = self.count
        if self.exact:
            return ""
        if self.estimated:
            return gettext("约 {count} 条").format(count=f"{count:,}")
        return gettext("{count} 条以上").format(count=f"{self.bound:,}")


class LargeTableAdmin:
    """Mixin for the ModelAdmin of a large table: bounded counts and no count of the whole table."""

    paginator = LargeTablePaginator
    show_full_result_count = False
