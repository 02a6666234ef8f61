"""Serializers of the resource API: explicit fields, each described in Chinese and English.

Writes run the model's whole validation (full_clean: field validators, clean(), uniqueness) and
each database constraint with a message of its own, so that bad input is a 400 naming the field,
never an IntegrityError. Amounts are decimal strings in base units (元 or US$) with the scale the
source used beside them and a read-only display (`106亿元`).

The model's validation includes the rules of projects/rules/: the serializer hands the rules
the reason of the change (`change_reason`, kept in the record's history) and the client's
confirmation of warnings (`confirm_warnings` in the body or the query). Versioned records carry
their `version`; a write that names a version other than the current one is refused (409).

One module per concept, as NetBox's `api/serializers_/`; everything is re-exported here, so
`from projects.api.serializers import ProjectSerializer` does not depend on where it lives.
"""

from .base import (
    ASCII_DECIMAL,
    ASCII_INTEGER,
    FORM_ONLY_KEYS,
    HELP,
    INT64,
    ISO_DATE,
    MAX_LIST_ITEMS,
    MAX_NAMED_FIELDS,
    PRECISION,
    QUALIFIER,
    READ_ONLY_FIELD,
    SCALE,
    UNKNOWN_FIELD,
    VERSIONED,
    WRITES,
    Audited,
    BilingualErrors,
    Checked,
    Described,
    IsoDateField,
    ResourceSerializer,
    RestrictedRelations,
    StrictDecimalField,
    StrictId,
    StrictInput,
    StrictIntegerField,
    VersionedFields,
    ZoneField,
    ZoneFieldExtension,
    refuse_unexpected,
    restrict_relation,
)
from .indicators import (
    IndicatorValueSerializer,
    MetricSerializer,
)
from .portfolios import (
    PORTFOLIO_ENTRY_HELP,
    CampaignSerializer,
    PortfolioEntryBriefSerializer,
    PortfolioEntrySerializer,
    PortfolioSerializer,
)
from .projects import (
    MILESTONE_HELP,
    MilestoneSerializer,
    MilestoneStatusFields,
    ProjectMilestoneSerializer,
    ProjectSerializer,
)
from .sources import (
    CitationBriefSerializer,
    CitationSerializer,
    CitedSerializer,
    SourceCitationSerializer,
    SourceDocumentDetailSerializer,
    SourceDocumentSerializer,
)
from .zones import (
    DisplayField,
    EnterpriseSerializer,
    IndustrySerializer,
    ProjectCategorySerializer,
    ZoneSerializer,
)

__all__ = [
    "ASCII_DECIMAL",
    "ASCII_INTEGER",
    "FORM_ONLY_KEYS",
    "HELP",
    "INT64",
    "ISO_DATE",
    "MAX_LIST_ITEMS",
    "MAX_NAMED_FIELDS",
    "MILESTONE_HELP",
    "PORTFOLIO_ENTRY_HELP",
    "PRECISION",
    "QUALIFIER",
    "READ_ONLY_FIELD",
    "SCALE",
    "UNKNOWN_FIELD",
    "VERSIONED",
    "WRITES",
    "Audited",
    "BilingualErrors",
    "CampaignSerializer",
    "Checked",
    "CitationBriefSerializer",
    "CitationSerializer",
    "CitedSerializer",
    "Described",
    "DisplayField",
    "EnterpriseSerializer",
    "IndicatorValueSerializer",
    "IndustrySerializer",
    "IsoDateField",
    "MetricSerializer",
    "MilestoneSerializer",
    "MilestoneStatusFields",
    "PortfolioEntryBriefSerializer",
    "PortfolioEntrySerializer",
    "PortfolioSerializer",
    "ProjectCategorySerializer",
    "ProjectMilestoneSerializer",
    "ProjectSerializer",
    "ResourceSerializer",
    "RestrictedRelations",
    "SourceCitationSerializer",
    "SourceDocumentDetailSerializer",
    "SourceDocumentSerializer",
    "StrictDecimalField",
    "StrictId",
    "StrictInput",
    "StrictIntegerField",
    "VersionedFields",
    "ZoneField",
    "ZoneFieldExtension",
    "ZoneSerializer",
    "refuse_unexpected",
    "restrict_relation",
]
