"""The domain of DOMAIN.md: zones, projects, milestones, portfolios, indicators, campaigns, and
the source documents every recorded fact is cited from, one module per concept:

- base: field bounds, the queryset narrowed to a user (RestrictedQuerySet), optimistic versions
  (Versioned), and the natural-key manager every model with a natural key uses;
- sources: source documents, citations, and Cited (the base of every recorded fact);
- zones: zones, aliases, roles, reopened months, industries, enterprises;
- projects: project categories, projects and their milestones;
- portfolios: portfolios (调度清单) and their entries, campaigns (攻坚行动);
- indicators: the metric catalogue and indicator values;
- reports: report schedules, runs and files;
- intake: facts extracted from text, uploaded workbooks (import batches);
- tokens: API tokens.

Everything is imported from here (`from projects.models import Project`); the modules are where
the code lives, not an interface. None of them imports the rules, access, services, admin or API
when it is loaded, nor from inside a function (tests/test_layering.py, test_imports_acyclic.py):
RestrictedQuerySet.restrict calls the policy projects/apps.py hands it from projects.access.
"""

# Choices of projects.money and projects.periods that callers have always found here.
from ..money import Currency
from ..periods import DatePrecision, MilestoneStatus
from .base import (
    AMOUNT,
    DATE_RANGE,
    DATE_RANGE_MESSAGE,
    PERCENT,
    STALE_MESSAGE,
    VALUE,
    YEAR_RANGE,
    NaturalKeyManager,
    RestrictedManager,
    RestrictedQuerySet,
    StaleVersion,
    Versioned,
)
from .indicators import (
    SUBJECTS,
    FlowOrStock,
    IndicatorValue,
    IndicatorValueManager,
    IndicatorValueQuerySet,
    Metric,
    UnitKind,
    ValueKind,
)
from .intake import (
    ExtractedFact,
    ExtractedFactQuerySet,
    FactStatus,
    ImportBatch,
    ImportBatchQuerySet,
    ImportKind,
    ImportStatus,
)
from .portfolios import (
    Campaign,
    Portfolio,
    PortfolioEntry,
    PortfolioEntryManager,
)
from .projects import (
    Milestone,
    MilestoneKind,
    MilestoneQuerySet,
    Project,
    ProjectCategory,
    ProjectQuerySet,
    Stage,
    late_condition,
    related_count,
    started_condition,
)
from .reports import (
    MAX_RECIPIENTS,
    RECIPIENTS_MESSAGE,
    DeliveryStatus,
    ReportCadence,
    ReportFile,
    ReportFormat,
    ReportRun,
    ReportRunQuerySet,
    ReportSchedule,
    ReportScope,
    RunStatus,
    ScopeKind,
    default_formats,
)
from .sources import (
    Citation,
    Cited,
    SourceDocument,
)
from .tokens import (
    ApiToken,
)
from .zones import (
    Enterprise,
    EntryBasis,
    EntryReopening,
    EntryReopeningQuerySet,
    Industry,
    Zone,
    ZoneAlias,
    ZoneKind,
    ZoneMembership,
    ZoneMembershipQuerySet,
    ZoneQuerySet,
    ZoneRole,
)

__all__ = [
    "AMOUNT",
    "DATE_RANGE",
    "DATE_RANGE_MESSAGE",
    "MAX_RECIPIENTS",
    "PERCENT",
    "RECIPIENTS_MESSAGE",
    "STALE_MESSAGE",
    "SUBJECTS",
    "VALUE",
    "YEAR_RANGE",
    "ApiToken",
    "Campaign",
    "Citation",
    "Cited",
    "Currency",
    "DatePrecision",
    "DeliveryStatus",
    "Enterprise",
    "EntryBasis",
    "EntryReopening",
    "EntryReopeningQuerySet",
    "ExtractedFact",
    "ExtractedFactQuerySet",
    "FactStatus",
    "FlowOrStock",
    "ImportBatch",
    "ImportBatchQuerySet",
    "ImportKind",
    "ImportStatus",
    "IndicatorValue",
    "IndicatorValueManager",
    "IndicatorValueQuerySet",
    "Industry",
    "Metric",
    "Milestone",
    "MilestoneKind",
    "MilestoneQuerySet",
    "MilestoneStatus",
    "NaturalKeyManager",
    "Portfolio",
    "PortfolioEntry",
    "PortfolioEntryManager",
    "Project",
    "ProjectCategory",
    "ProjectQuerySet",
    "ReportCadence",
    "ReportFile",
    "ReportFormat",
    "ReportRun",
    "ReportRunQuerySet",
    "ReportSchedule",
    "ReportScope",
    "RestrictedManager",
    "RestrictedQuerySet",
    "RunStatus",
    "ScopeKind",
    "SourceDocument",
    "Stage",
    "StaleVersion",
    "UnitKind",
    "ValueKind",
    "Versioned",
    "Zone",
    "ZoneAlias",
    "ZoneKind",
    "ZoneMembership",
    "ZoneMembershipQuerySet",
    "ZoneQuerySet",
    "ZoneRole",
    "default_formats",
    "late_condition",
    "related_count",
    "started_condition",
]
