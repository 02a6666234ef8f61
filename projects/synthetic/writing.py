"""Writing the plan: the tables and their columns, the writer (COPY on PostgreSQL, bulk_create
in batches elsewhere), ids after the largest present, the indexes rebuilt after a large load,
and generate()."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models, transaction

from ..models import (
    Campaign,
    Enterprise,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    Zone,
)
from .plan import _Plan
from .spec import (
    CAMPAIGN_NAME,
    INDUSTRIES,
    METRICS,
    SYNTHETIC_NOTE,
    SYNTHETIC_PREFIX,
    Progress,
    SyntheticError,
    SyntheticSpec,
)

# ---------------------------------------------------------------------------------------------
# Writing


ZONE_FIELDS = (
    "id",
    "name",
    "full_name",
    "kind",
    "parent_id",
    "area_km2",
    "entry_deadline_day",
    "entry_basis",
)
ENTERPRISE_FIELDS = ("id", "name", "short_name", "zone_id")
PROJECT_FIELDS = (
    "id",
    "zone_id",
    "name",
    "enterprise_id",
    "total_investment",
    "total_investment_scale",
    "currency",
    "capacity",
    "stage",
    "planned_start",
    "planned_start_precision",
    "planned_finish",
    "planned_finish_precision",
)
MILESTONE_FIELDS = (
    "id",
    "project_id",
    "kind",
    "planned_date",
    "planned_precision",
    "actual_date",
    "actual_precision",
)

PORTFOLIO_FIELDS = ("id", "zone_id", "name", "year", "description")
ENTRY_FIELDS = ("id", "portfolio_id", "project_id", "planned_investment", "planned_investment_scale")
INVESTMENT_FIELDS = (
    "id",
    "project_id",
    "metric_id",
    "year",
    "start_month",
    "end_month",
    "kind",
    "value",
    "scale",
    "currency",
)
ZONE_INDICATOR_FIELDS = (
    "id",
    "zone_id",
    "metric_id",
    "year",
    "start_month",
    "end_month",
    "kind",
    "value",
    "scale",
    "currency",
    "yoy_growth",
)
# Table label -> model, in the order they are written.
TABLES: dict[str, type[models.Model]] = {
    "zones": Zone,
    "enterprises": Enterprise,
    "projects": Project,
    "milestones": Milestone,
    "portfolios": Portfolio,
    "portfolio_entries": PortfolioEntry,
    "completed_investment": IndicatorValue,
    "zone_indicators": IndicatorValue,
    "campaign_zones": Campaign.zones.through,
    "zone_industries": Zone.industries.through,
    "enterprise_industries": Enterprise.industries.through,
    "project_industries": Project.industries.through,
}
BATCH = 2000
BULK_LOAD_ROWS = 50_000  # from this many new rows a table's indexes are rebuilt rather than kept up


class _Writer:
    """Writes tuples of the named fields (attnames), the model's defaults filling the others."""

    def __init__(self, progress: Progress | None) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.progress = progress or (lambda label, done, total: None)

    def write(
        self,
        label: str,
        model: type[models.Model],
        names: Sequence[str],
        rows: Iterable[tuple],
        total: int | None = None,
    ) -> int:
        if total is None:
            total = len(rows)  # type: ignore[arg-type]
        fields = [model._meta.get_field(name.removesuffix("_id")) for name in names]
        others = [f for f in model._meta.concrete_fields if f not in fields]
        defaults = tuple(f.get_default() for f in others)
        self.progress(label, 0, total)
        if self.postgres:
            done = self._copy(label, model, [*fields, *others], rows, defaults, total)
        else:
            done = self._bulk_create(
                label, model, [f.attname for f in fields + others], rows, defaults, total
            )
        self.progress(label, done, total)
        return done

    def _copy(self, label, model, fields, rows, defaults, total) -> int:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        done = 0
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + defaults)
                    done += 1
                    if done % 100_000 == 0:
                        self.progress(label, done, total)
        return done

    def _bulk_create(self, label, model, attnames, rows, defaults, total) -> int:
        done, batch = 0, []
        for row in rows:
            batch.append(model(**dict(zip(attnames, row + defaults, strict=True))))
            if len(batch) == BATCH:
                model.objects.bulk_create(batch)
                done += len(batch)
                batch = []
                self.progress(label, done, total)
        model.objects.bulk_create(batch)
        return done + len(batch)


def _first_ids() -> dict[str, int]:
    """The first id after the largest present, per table label (figures share IndicatorValue)."""
    ids = {}
    for label, model in TABLES.items():
        largest = model.objects.aggregate(largest=models.Max("pk"))["largest"] or 0
        ids[label] = largest + 1
    return ids


def _metrics() -> dict[str, int]:
    """Ids of the metrics the generator writes, creating those the catalogue lacks as the seeds
    define them."""
    found = dict(Metric.objects.filter(code__in=METRICS).values_list("code", "pk"))
    for code, (name, unit_kind, unit, flow_or_stock) in METRICS.items():
        if code not in found:
            found[code] = Metric.objects.create(
                code=code, name=name, unit_kind=unit_kind, unit=unit, flow_or_stock=flow_or_stock
            ).pk
    return found


def _industries() -> dict[str, int]:
    """Industry ids per chain the generator uses: the seeds' industries where they have one of that
    name, created otherwise."""
    found = dict(Industry.objects.filter(name__in=INDUSTRIES.values()).values_list("name", "pk"))
    for name in INDUSTRIES.values():
        if name not in found:
            found[name] = Industry.objects.create(name=name).pk
    return {trade: found[name] for trade, name in INDUSTRIES.items()}


def existing_synthetic_zones() -> int:
    return Zone.objects.filter(name__startswith=SYNTHETIC_PREFIX).count()


def generate(spec: SyntheticSpec, progress: Progress | None = None) -> dict[str, int]:
    """Fill the database with the synthetic province of `spec`, all in one transaction; returns the
    number of rows written per table label. Refuses a database that has synthetic data already.

    `progress(label, rows written, rows in all)` is called as each table starts (0 written), every
    100,000 rows and when it is done."""
    if errors := spec.errors():
        raise SyntheticError(";".join(errors))
    writer = _Writer(progress)
    with transaction.atomic():
        if writer.postgres:
            tables = sorted({m._meta.db_table for m in TABLES.values()} | {Campaign._meta.db_table})
            with connection.cursor() as cursor:
                # Explicit ids: nobody else may insert into these tables until we commit.
                quote = connection.ops.quote_name
                cursor.execute(f"LOCK TABLE {', '.join(map(quote, tables))} IN SHARE ROW EXCLUSIVE MODE")
        if found := existing_synthetic_zones():
            raise SyntheticError(
                f"数据库中已有样本数据(名称以“{SYNTHETIC_PREFIX}”开头的区域{found}个),未生成任何数据。"
                "如需重新生成,请换一个空数据库,或删除并重建当前数据库后执行 manage.py migrate"
                "(PostgreSQL:dropdb、createdb;SQLite:删除数据库文件),再运行本命令"
            )
        metrics = _metrics()
        plan = _Plan(spec, _first_ids())
        writer.progress("plan", 0, spec.projects)
        plan.make_zones()
        plan.make_enterprises()
        plan.make_projects()
        portfolios, entries, work = plan.portfolio_plan()
        investment_count = plan.investment_count(work)
        plan.ids["zone_indicators"] = plan.ids["completed_investment"] + investment_count
        indicators = plan.indicator_rows(metrics)
        campaign = _campaign(spec.end.year)
        first = plan.take_ids("campaign_zones", len(plan.zones))
        links = {"campaign_zones": [(first + i, campaign.pk, row[0]) for i, row in enumerate(plan.zones)]}
        milestone_count = sum(len(t.milestones) for t in plan.timelines)
        links.update(plan.industry_links(_industries()))
        writer.progress("plan", spec.projects, spec.projects)

        sizes = {
            Project: len(plan.projects),
            Milestone: milestone_count,
            PortfolioEntry: len(entries),
            IndicatorValue: investment_count + len(indicators),
            Project.industries.through: len(links["project_industries"]),
        }
        rebuilt = [m for m, n in sizes.items() if n >= BULK_LOAD_ROWS] if writer.postgres else []
        counts: dict[str, int] = {}
        with _indexes_rebuilt_after(rebuilt, writer.progress):
            counts["zones"] = writer.write("zones", Zone, ZONE_FIELDS, plan.zones)
            counts["enterprises"] = writer.write(
                "enterprises", Enterprise, ENTERPRISE_FIELDS, plan.enterprises
            )
            counts["projects"] = writer.write("projects", Project, PROJECT_FIELDS, plan.projects)
            counts["milestones"] = writer.write(
                "milestones",
                Milestone,
                MILESTONE_FIELDS,
                (m for t in plan.timelines for m in t.milestones),
                milestone_count,
            )
            counts["portfolios"] = writer.write("portfolios", Portfolio, PORTFOLIO_FIELDS, portfolios)
            counts["portfolio_entries"] = writer.write(
                "portfolio_entries", PortfolioEntry, ENTRY_FIELDS, entries
            )
            counts["completed_investment"] = writer.write(
                "completed_investment",
                IndicatorValue,
                INVESTMENT_FIELDS,
                plan.investment_rows(work, metrics["completed_investment"]),
                investment_count,
            )
            counts["zone_indicators"] = writer.write(
                "zone_indicators", IndicatorValue, ZONE_INDICATOR_FIELDS, indicators
            )
            counts["campaigns"] = 1
            for label, rows in links.items():
                through = TABLES[label]
                owner, industry = (f.attname for f in through._meta.concrete_fields if f.is_relation)
                counts[label] = writer.write(label, through, ("id", owner, industry), rows)

        if writer.postgres:
            filled = list(dict.fromkeys([*TABLES.values(), Campaign]))
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), filled):
                    cursor.execute(statement)
                writer.progress("analyze", 0, len(filled))
                for model in filled:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
                writer.progress("analyze", len(filled), len(filled))
    return counts


@contextmanager
def _indexes_rebuilt_after(tables: list[type[models.Model]], progress: Progress) -> Iterator[None]:
    """PostgreSQL's advice for loading much data ("Populating a Database"): drop the tables'
    secondary indexes, unique and foreign-key constraints, load, then make them again: one sort
    per index and one join per foreign key instead of an index entry and a check per row.

    Inside the caller's transaction: if anything fails, the old definitions come back with the
    rollback. Primary keys and CHECK constraints stay."""
    quote = connection.ops.quote_name
    restore: list[str] = []
    if not tables:
        yield
        return
    with connection.cursor() as cursor:
        # Rows written so far (metrics, industries, the campaign) wait for their deferred foreign-key
        # checks; PostgreSQL alters no table with checks pending, so run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in tables:
            table = quote(model._meta.db_table)
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname",
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
                restore.append(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                " WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid) ORDER BY 1",
                [model._meta.db_table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                restore.insert(0, definition)  # indexes first: the foreign-key checks can use them
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        progress("indexes", 0, len(restore))
        for done, statement in enumerate(restore, start=1):
            cursor.execute(statement)
            if done % 10 == 0 and done < len(restore):
                progress("indexes", done, len(restore))
        progress("indexes", len(restore), len(restore))


def _campaign(year: int) -> Campaign:
    """强攻二季度、确保双过半 for the last year (the name gets the prefix if the seeds have one that year)."""
    name = CAMPAIGN_NAME
    if Campaign.objects.filter(name=name, year=year).exists():
        name = f"{SYNTHETIC_PREFIX}{CAMPAIGN_NAME}"
    return Campaign.objects.create(
        name=name,
        year=year,
        start_month=4,
        end_month=6,
        checkpoint=date(year, 6, 30),
        required_share=Decimal(50),
        description=f"二季度攻坚,6月30日前完成全年目标的一半。{SYNTHETIC_NOTE}",
    )
