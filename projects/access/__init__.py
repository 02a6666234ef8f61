"""Who may read and change what: zone roles (区域权限), one place for every path.

Every queryset a user reaches comes through `restrict(queryset, user, action)` ("view", "change"
or "delete"), which the models' querysets offer as `Project.objects.restrict(user, "change")`:
the API's lists, objects and every related field a client writes (RestrictedRelations in
projects/api/serializers/base.py, RestrictedFilterSet in projects/api/filters.py), the admin's lists,
dropdowns, autocompletes and inline rows, the 月报 service, the workbook imports and templates,
text entry, reports, report runs and their files. A related row the user may not read is refused
exactly as one that does not exist (the same 400, the same admin message): no path tells another
zone's rows from missing ones. Whether a write is allowed (edit_refusal, zone_edit_refusal,
reopen_refusal) is asked here too, before the write is validated (prospective_refusal) and again
after it is saved, in the same transaction (check_can_edit).

A user belongs to zones with a role (ZoneMembership): an editor (编辑) changes the data of the
zone and of every zone below it, a viewer (只读) reads them. Superusers read and change everything.
Django's model permissions are not consulted for the tracker's models: the zone role decides.

Whose data a row is ("zone paths"), known here only:
- Zone: the zone itself; its place in the tree belongs to its parent, so creating a zone or moving
  it needs an editor of the new parent, and a top-level zone is for superusers only;
- Enterprise, Project, Portfolio, ZoneAlias: their zone; Milestone: its project's zone;
  PortfolioEntry: its portfolio's zone (a portfolio is its zone's list, whatever the project);
- IndicatorValue: its subject's zone (the zone, or the zone of its portfolio, project or enterprise);
- Campaign: all its zones; readable with any of them, editable with every one of them.
- ReportSchedule, ReportRun: the zone the report is about (ReportScope.owner_zone_id);
  ReportFile: its run's.
Rows without a zone (a project or enterprise whose source names no zone, a campaign without
zones) are readable by every authenticated user and editable by superusers only.
Reference data: sources and citations are written by any user with an editor role somewhere
and deleted by superusers; metrics, industries and project categories by superusers only.
Source documents may have a zone (a text a zone's office entered for extraction): such a document
is that zone's data, read by the zone's members (and those of zones above it) and written by its
editors; a document without a zone stays reference data. Its citations and extracted facts follow
it (a citation quotes the text). Documents and citations are deleted by superusers only, with or
without a zone.
Anonymous users read everything when settings.API_READ_PUBLIC is on, nothing otherwise.
A zone's months are reopened (EntryReopening) by editors of a zone above it and superusers, never
by the zone's own office. Users, as the rows a record points at (who uploaded, who reviewed), are
read by superusers, and each user reads themself; an import batch by the readers of its zone and
by its uploader.

The user's zones are computed once (one query: the zone tree with the user's roles) and kept on
the user object, which lives for one request; `forget(user)` drops them after a change.

The package, by concern: `paths` (whose data a row is), `zones` (the user's zones), `reading`
(`restrict` and the readable querysets), `refusals` (changing and deleting), `reopening` (locked
months reopened) and `roles` (granting zone roles).
"""

from .paths import (
    DOCUMENT_ZONES,
    EDITORS_WRITE,
    REFERENCE_FIELDS,
    REFERENCE_MODELS,
    SUPERUSERS_WRITE,
    ZONE_FIELDS,
    ZONE_PATHS,
    ZonePath,
)
from .reading import ACTIONS, deletable, editable, field_choices, readable, restrict
from .refusals import (
    SUPERUSERS_ONLY,
    TOP_LEVEL_REFUSAL,
    can_delete,
    can_edit,
    can_edit_zone,
    can_read,
    can_write,
    check_can_delete,
    check_can_edit,
    edit_refusal,
    prospective_refusal,
    read_refusal,
    write_refusal,
    zone_edit_refusal,
    zones_of,
)
from .reopening import REOPEN_REFUSAL, can_reopen, reopen_refusal, reopenable_zones, supervised_zones
from .roles import let_into_admin, zone_membership_grant, zone_membership_revoke
from .zones import ZoneAccess, forget, is_editor, is_member, zone_access

__all__ = [
    "ACTIONS",
    "DOCUMENT_ZONES",
    "EDITORS_WRITE",
    "REFERENCE_FIELDS",
    "REFERENCE_MODELS",
    "REOPEN_REFUSAL",
    "SUPERUSERS_ONLY",
    "SUPERUSERS_WRITE",
    "TOP_LEVEL_REFUSAL",
    "ZONE_FIELDS",
    "ZONE_PATHS",
    "ZoneAccess",
    "ZonePath",
    "can_delete",
    "can_edit",
    "can_edit_zone",
    "can_read",
    "can_reopen",
    "can_write",
    "check_can_delete",
    "check_can_edit",
    "deletable",
    "edit_refusal",
    "editable",
    "field_choices",
    "forget",
    "is_editor",
    "is_member",
    "let_into_admin",
    "prospective_refusal",
    "read_refusal",
    "readable",
    "reopen_refusal",
    "reopenable_zones",
    "restrict",
    "supervised_zones",
    "write_refusal",
    "zone_access",
    "zone_edit_refusal",
    "zone_membership_grant",
    "zone_membership_revoke",
    "zones_of",
]
