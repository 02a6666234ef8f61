"""The progress report (调度通报): is a zone on schedule for the year, and which projects lag?

The entry points: the queries (`queries.py`) fetch, a fixed number of them whatever the number of
projects or zones; the assembly (`assemble.py`) computes on what they fetched, with the measures of
`measures.py`; what a report holds is `contents.py`'s. The report of one zone and of every zone of
a campaign are built from the same queries.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..i18n import Text
from ..models import Campaign, Zone
from .assemble import assemble, campaign_standings
from .contents import CampaignReport, ProgressReport, month_end
from .measures import Basis, time_progress
from .queries import fetch, zone_tree


class ReportError(ValueError):
    """A report cannot be made for what was asked; the message says why (`str(error)` in the active
    language, `error.message` the lazy message, to render in either)."""

    def __init__(self, message: Text, field: str = "zone") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def resolve_zone(value: str | int, zones: QuerySet | None = None) -> Zone:
    """A zone by id, name, full name or alias among `zones` (by default all; a request's, those the
    user may read); ReportError when none or several match."""
    zones = Zone.objects.all() if zones is None else zones
    text = str(value).strip()
    if not text:
        raise ReportError(_("请指定区域(区域编号或名称)"))
    if text.isdecimal():
        zone = zones.filter(pk=int(text)).first()
        if zone is None:
            raise ReportError(format_lazy(_("区域编号 {number} 不存在"), number=text))
        return zone
    found = list(zones.matching(text)[:2])
    if not found:
        raise ReportError(format_lazy(_("未找到区域“{name}”"), name=text))
    if len(found) > 1:
        raise ReportError(format_lazy(_("区域名称“{name}”对应多个区域,请改用区域编号"), name=text))
    return found[0]


def progress_report(
    zone: Zone, year: int, month: int, basis: Basis = Basis.MONTH, projects: set[int] | None = None
) -> ProgressReport:
    """The progress report of `zone` and its sub-zones as of the end of `month` of `year`;
    with `projects`, its lagging projects and milestones due are of those projects only."""
    tree = zone_tree()
    data = fetch(tree, {zone.pk}, year, month, detail=True, projects=projects)
    return assemble(tree, zone.pk, data, year, month, Basis(basis))


def campaign_report(
    campaign: Campaign, year: int | None = None, month: int | None = None, basis: Basis = Basis.MONTH
) -> CampaignReport:
    """Every zone of the campaign at its checkpoint (or earlier, as of `month`), ranked."""
    checkpoint_month = campaign.checkpoint.month
    if year is None or month is None or (year, month) > (campaign.year, checkpoint_month):
        year, month = campaign.year, checkpoint_month
    if year != campaign.year:
        raise ReportError(format_lazy(_("统计截止月须在{year}年内"), year=campaign.year), field="as_of")
    basis = Basis(basis)
    tree = zone_tree()
    roots = [z.pk for z in campaign.zones.all()]
    data = fetch(tree, set(roots), year, month, detail=False)
    standings = campaign_standings(
        tree, roots, data, campaign.checkpoint, campaign.required_share, year, month, basis
    )
    as_of = month_end(year, month)
    return CampaignReport(
        campaign_id=campaign.pk,
        name=campaign.name,
        year=campaign.year,
        checkpoint=campaign.checkpoint,
        as_of=as_of,
        required_pct=campaign.required_share,
        basis=basis,
        time_progress=time_progress(as_of, basis),
        standings=standings,
    )
