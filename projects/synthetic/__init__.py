"""Synthetic data at province scale: one province's zones, projects, milestones, portfolios, monthly
completed investment and zone indicators, made up but shaped like the seeds, for benchmarks and
load tests (`manage.py generate_synthetic`).

Deterministic: everything is drawn from `random.Random(seed)` and dated relative to `spec.end` (the
last month of data), never to today. The same spec on an empty database gives the same rows.

Two halves, as elsewhere: the row-making is plain arithmetic on tuples (`_Plan`); `generate` writes
the tuples in one transaction, with COPY on PostgreSQL and bulk_create in batches elsewhere. Rows
carry explicit ids (taken after the largest id present, with the tables locked on PostgreSQL), so
projects can point at zones and figures at projects without reading anything back. Large tables
are loaded without their secondary indexes and foreign keys, made again at the end (PostgreSQL).

Every synthetic zone and enterprise name starts with SYNTHETIC_PREFIX, so synthetic data never
collides with the seeds and is easy to recognise. No citations and no history rows are made.
"""

from .plan import (
    _Plan as _Plan,
)
from .spec import (
    CAMPAIGN_NAME,
    CITIES,
    COMPANY_FORMS,
    DEFAULT_END,
    FACILITIES,
    GAPS,
    INDUSTRIES,
    INVESTMENT_SEASON,
    KIND_ORDER,
    KIND_WEIGHT,
    LATE_SHARE,
    MAX_MONTHS,
    METRICS,
    ORDINALS,
    PLACE_CHARS,
    PORTFOLIO_NAME,
    PRODUCTS,
    SEASON_TOTAL,
    STAGE_REACHED,
    STAGE_WEIGHTS,
    SYLLABLES,
    SYNTHETIC_NOTE,
    SYNTHETIC_PREFIX,
    TRADES,
    WAN,
    YI,
    ZONE_METRICS,
    Progress,
    SyntheticError,
    SyntheticSpec,
    month_date,
    month_index,
    quarter_start,
)
from .writing import (
    BATCH,
    BULK_LOAD_ROWS,
    ENTERPRISE_FIELDS,
    ENTRY_FIELDS,
    INVESTMENT_FIELDS,
    MILESTONE_FIELDS,
    PORTFOLIO_FIELDS,
    PROJECT_FIELDS,
    TABLES,
    ZONE_FIELDS,
    ZONE_INDICATOR_FIELDS,
    existing_synthetic_zones,
    generate,
)

__all__ = [
    "BATCH",
    "BULK_LOAD_ROWS",
    "CAMPAIGN_NAME",
    "CITIES",
    "COMPANY_FORMS",
    "DEFAULT_END",
    "ENTERPRISE_FIELDS",
    "ENTRY_FIELDS",
    "FACILITIES",
    "GAPS",
    "INDUSTRIES",
    "INVESTMENT_FIELDS",
    "INVESTMENT_SEASON",
    "KIND_ORDER",
    "KIND_WEIGHT",
    "LATE_SHARE",
    "MAX_MONTHS",
    "METRICS",
    "MILESTONE_FIELDS",
    "ORDINALS",
    "PLACE_CHARS",
    "PORTFOLIO_FIELDS",
    "PORTFOLIO_NAME",
    "PRODUCTS",
    "PROJECT_FIELDS",
    "SEASON_TOTAL",
    "STAGE_REACHED",
    "STAGE_WEIGHTS",
    "SYLLABLES",
    "SYNTHETIC_NOTE",
    "SYNTHETIC_PREFIX",
    "TABLES",
    "TRADES",
    "WAN",
    "YI",
    "ZONE_FIELDS",
    "ZONE_INDICATOR_FIELDS",
    "ZONE_METRICS",
    "Progress",
    "SyntheticError",
    "SyntheticSpec",
    "existing_synthetic_zones",
    "generate",
    "month_date",
    "month_index",
    "quarter_start",
]
