"""The rules on projects and milestones: their planned and actual dates in order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from ..periods import format_date, period_end, period_start
from .base import Context, Severity, rule

# ---------------------------------------------------------------------------------------------
# Projects and milestones


@rule(
    "finish_before_start",
    Severity.ERROR,
    fields={"Project": "planned_finish"},
    title=_("计划竣工不能早于计划开工"),
    applies_to=_("项目"),
    message=_("计划竣工/投产({finish})早于计划开工({start})"),
)
def _finish_before_start(projects: list[Model], context: Context) -> Iterator:
    for p in projects:
        if not (
            p.planned_start and p.planned_finish and p.planned_start_precision and p.planned_finish_precision
        ):
            continue
        if period_end(p.planned_finish, p.planned_finish_precision) < period_start(
            p.planned_start, p.planned_start_precision
        ):
            yield (
                p,
                {
                    "finish": format_date(p.planned_finish, p.planned_finish_precision),
                    "start": format_date(p.planned_start, p.planned_start_precision),
                },
            )


@rule(
    "actual_date_in_future",
    Severity.ERROR,
    fields={"Milestone": "actual_date"},
    title=_("节点实际日期不能晚于今天"),
    applies_to=_("项目节点"),
    message=_("实际日期{date}晚于今天({today});尚未发生的节点请填计划日期"),
)
def _actual_date_in_future(milestones: list[Model], context: Context) -> Iterator:
    for m in milestones:
        if (
            m.actual_date
            and m.actual_precision
            and period_start(m.actual_date, m.actual_precision) > context.today
        ):
            yield (
                m,
                {"date": format_date(m.actual_date, m.actual_precision), "today": context.today.isoformat()},
            )


@rule(
    "production_before_start",
    Severity.ERROR,
    fields={"Milestone": "actual_date"},
    title=_("投产不能早于开工"),
    applies_to=_("项目节点"),
    message=_("{project}{phase}投产({production})早于开工({start})"),
)
def _production_before_start(milestones: list[Model], context: Context) -> Iterator:
    relevant = [m for m in milestones if m.kind in ("start", "production") and m.project_id]
    if not relevant:
        return
    from ..models import Milestone

    dates: dict[tuple[int, str, str], tuple[date, str]] = {}
    batch = {m.pk for m in relevant if m.pk}
    stored = (
        Milestone.objects.filter(
            project_id__in={m.project_id for m in relevant}, kind__in=["start", "production"]
        )
        .exclude(pk__in=batch)
        .values_list(
            "project_id",
            "phase",
            "kind",
            "actual_date",
            "actual_precision",
            "planned_date",
            "planned_precision",
        )
    )
    for project_id, phase, kind, actual, actual_precision, planned, planned_precision in stored:
        if (when := _milestone_date(actual, actual_precision, planned, planned_precision)) is not None:
            dates[(project_id, phase, kind)] = when
    for m in relevant:
        when = _milestone_date(m.actual_date, m.actual_precision, m.planned_date, m.planned_precision)
        if when is not None:
            dates[(m.project_id, m.phase, m.kind)] = when
    for m in relevant:
        start = dates.get((m.project_id, m.phase, "start"))
        production = dates.get((m.project_id, m.phase, "production"))
        if start is None or production is None:
            continue
        if period_end(*production) < period_start(*start):
            yield (
                m,
                {
                    "project": m.project.name,
                    "phase": m.phase,
                    "production": format_date(*production),
                    "start": format_date(*start),
                },
            )


def _milestone_date(actual: date | None, actual_precision: str, planned: date | None, planned_precision: str):
    """The date a milestone is (or is planned to be) reached, with its precision."""
    if actual and actual_precision:
        return actual, actual_precision
    if planned and planned_precision:
        return planned, planned_precision
    return None
