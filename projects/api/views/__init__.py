"""The resource endpoints under /api/: one ModelViewSet per resource, all on one router.

Every viewset reads through projects.access (a user sees the rows of their zones) and writes
inside a transaction that projects.access checks after the save, so a refused write is a 403 and
leaves nothing behind. Each queryset fetches its relations in a fixed number of queries, however
many rows a page has (tests/test_api_queries.py).

Versioned records (projects.models.Versioned) carry their version as a strong ETag (`"3"`) on
reads and writes of one record. A PUT, PATCH or DELETE with If-Match is made only on the version
it names (otherwise 412); a `version` in the body is checked the same way (otherwise 409); without
either, the write is made on the version read in the same request, and a save that loses a race
with another one is refused too (409). Records with a history answer GET …/<id>/history/.
"""

from .base import (
    ResourceViewSet,
    VersionedViewSet,
    WithHistory,
    if_match_passes,
    version_etag,
)
from .resources import (
    CampaignViewSet,
    CitationViewSet,
    EnterpriseViewSet,
    IndicatorValueViewSet,
    IndustryViewSet,
    MetricViewSet,
    MilestoneViewSet,
    PortfolioEntryViewSet,
    PortfolioViewSet,
    ProjectCategoryViewSet,
    ProjectViewSet,
    SourceDocumentViewSet,
    ZoneViewSet,
    citations,
    milestones_with_status,
    unknown_address,
)
from .schema import (
    BAD_REQUEST,
    CONFIRM_WARNINGS,
    CONFLICT,
    ETAG,
    FORBIDDEN,
    ID,
    IF_MATCH,
    NO_SUCH_PAGE,
    NOT_FOUND,
    PRECONDITION_FAILED,
    STALE,
    CodedDetailSerializer,
    ConflictSerializer,
    DeleteConflictSerializer,
    DetailSerializer,
    FieldErrorSerializer,
    ValidationErrorSerializer,
    delete_conflict,
    documented,
    has_history,
)

__all__ = [
    "BAD_REQUEST",
    "CONFIRM_WARNINGS",
    "CONFLICT",
    "ETAG",
    "FORBIDDEN",
    "ID",
    "IF_MATCH",
    "NOT_FOUND",
    "NO_SUCH_PAGE",
    "PRECONDITION_FAILED",
    "STALE",
    "CampaignViewSet",
    "CitationViewSet",
    "CodedDetailSerializer",
    "ConflictSerializer",
    "DeleteConflictSerializer",
    "DetailSerializer",
    "EnterpriseViewSet",
    "FieldErrorSerializer",
    "IndicatorValueViewSet",
    "IndustryViewSet",
    "MetricViewSet",
    "MilestoneViewSet",
    "PortfolioEntryViewSet",
    "PortfolioViewSet",
    "ProjectCategoryViewSet",
    "ProjectViewSet",
    "ResourceViewSet",
    "SourceDocumentViewSet",
    "ValidationErrorSerializer",
    "VersionedViewSet",
    "WithHistory",
    "ZoneViewSet",
    "citations",
    "delete_conflict",
    "documented",
    "has_history",
    "if_match_passes",
    "milestones_with_status",
    "unknown_address",
    "version_etag",
]
