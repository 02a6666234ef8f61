"""Whose data a row is: the zone paths of each model (ZONE_PATHS), the reference data and who
writes it, the zone fields and the foreign keys that only point at a row."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from ..models import (
    Citation,
    Enterprise,
    EntryReopening,
    ExtractedFact,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    Portfolio,
    PortfolioEntry,
    Project,
    ProjectCategory,
    ReportFile,
    ReportRun,
    ReportSchedule,
    SourceDocument,
    Zone,
    ZoneAlias,
    ZoneMembership,
)

# ---------------------------------------------------------------------------------------------
# Whose data a row is


@dataclass(frozen=True)
class ZonePath:
    """A lookup from a row to the zone its data belongs to."""

    lookup: str  # "project__zone": the zone id is row.project.zone_id
    subject: str | None = None  # the path applies only when this foreign key is set
    zoneless: bool = False  # the zone may be empty


ZONE_PATHS: dict[type[Model], tuple[ZonePath, ...]] = {
    Zone: (ZonePath("pk"),),
    ZoneAlias: (ZonePath("zone"),),
    Enterprise: (ZonePath("zone", zoneless=True),),
    Project: (ZonePath("zone", zoneless=True),),
    Milestone: (ZonePath("project__zone", zoneless=True),),
    Portfolio: (ZonePath("zone"),),
    PortfolioEntry: (ZonePath("portfolio__zone"),),
    IndicatorValue: (
        ZonePath("zone", subject="zone"),
        ZonePath("portfolio__zone", subject="portfolio"),
        ZonePath("project__zone", subject="project", zoneless=True),
        ZonePath("enterprise__zone", subject="enterprise", zoneless=True),
    ),
    # A report's zone is the zone it is about (see ReportScope); a campaign report whose zones
    # share no ancestor has none and is for superusers only.
    ReportSchedule: (ZonePath("zone"),),
    ReportRun: (ZonePath("zone"),),
    ReportFile: (ZonePath("run__zone"),),
    # A reopening is read with its zone; it is made by those above the zone (reopen_refusal).
    EntryReopening: (ZonePath("zone"),),
}

# Reference data has no zone: (who writes it, English name for messages).
EDITORS_WRITE = (SourceDocument, Citation, ExtractedFact)
SUPERUSERS_WRITE = (Metric, Industry, ProjectCategory, ZoneMembership)
REFERENCE_MODELS = (*EDITORS_WRITE, Metric, Industry, ProjectCategory)

# Source documents that have a zone are its data, and their citations and extracted facts with
# them; those without one are reference data (the lookup to the zone).
DOCUMENT_ZONES: dict[type[Model], str] = {
    SourceDocument: "zone",
    Citation: "document__zone",
    ExtractedFact: "document__zone",
}

# The field that puts a row in a zone, where it may be left empty (only superusers may).
ZONE_FIELDS: dict[type[Model], str] = {Project: "zone", Enterprise: "zone"}

# Foreign keys that only point at a row (the row is not changed): readable targets suffice.
# Every other foreign key to zoned data offers only rows the user may edit.
REFERENCE_FIELDS: dict[type[Model], frozenset[str]] = {
    Project: frozenset({"enterprise"}),
    Enterprise: frozenset({"parent"}),
    PortfolioEntry: frozenset({"project"}),
}
