"""Drafts of facts to review: what accepting a fact records unless corrected (fact_draft), read from
the extractor's reading and looked up in the catalogue once per document (Lookups); and the words
the review page shows for a reading and a value (reading_words, shown).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext

from ..extraction import (
    CandidateKind,
    Measure,
)
from ..i18n import Text
from ..models import (
    ExtractedFact,
    FactStatus,
    Metric,
    MilestoneKind,
    Project,
    SourceDocument,
    Stage,
    ValueKind,
    Zone,
)
from ..money import AmountScale, Currency, ParsedAmount, plain, qualify
from ..periods import DatePrecision, Period, PeriodParseError, format_date, format_period
from .documents import FIGURES, MILESTONE_VALUE_KINDS, RECORDED_MEASURES

# ---------------------------------------------------------------------------------------------
# Drafts: what accepting a fact records unless corrected


def _decimal(text: object) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def amount_scale(multiplier: int | None) -> int:
    """The AmountScale (元, 万元, 亿元) nearest to a written unit's multiplier: 万亿 → 亿元,
    千元 → 万元; a tie goes to the smaller unit."""
    exponent = math.log10(multiplier) if multiplier and multiplier > 0 else 0
    return min(AmountScale.values, key=lambda scale: (abs(math.log10(scale) - exponent), scale))


def _amount(
    value: Decimal | None, multiplier: int | None, currency: str, qualifier: str
) -> ParsedAmount | None:
    """An amount of the reading in base units at its nearest scale; None without a value or in a
    currency the tracker does not keep (the reviewer converts it and types it in)."""
    if value is None or (currency and currency not in Currency.values):
        return None
    return ParsedAmount(
        value=value * (multiplier or 1),
        scale=amount_scale(multiplier),
        currency=currency or Currency.CNY,
        qualifier=qualifier or "",
    )


class Lookups:
    """What the drafts of a document's facts are looked up in, loaded once for all of them: the
    metric catalogue, the zones their subjects name, and the projects their milestones name —
    with a `user`, among the zones and projects they may read (another zone's is "not on
    record" to them, as one that does not exist)."""

    def __init__(self, document: SourceDocument, facts: Iterable[ExtractedFact], user=None) -> None:
        readings = [fact.reading for fact in facts]
        self.document = document
        self.user = user
        self.metrics = {metric.code: metric for metric in Metric.objects.order_by("name")}
        subjects = {r.get("subject") for r in readings if r.get("subject_kind") == "zone"} - {None, ""}
        self.zones = self._zones_named(subjects)
        names = {r.get("name") for r in readings if r.get("kind") == CandidateKind.MILESTONE} - {None, ""}
        self.projects = self._projects_named(names)

    def _rows(self, model: type[Model]) -> QuerySet:
        rows = model._default_manager.all()
        return rows if self.user is None else rows.restrict(self.user)

    def _zones_named(self, names: set[str]) -> dict[str, Zone]:
        if not names:
            return {}
        found = (
            self._rows(Zone)
            .filter(Q(name__in=names) | Q(full_name__in=names) | Q(aliases__alias__in=names))
            .distinct()
            .prefetch_related("aliases")
        )
        by_name = {}
        for zone in found:
            for surface in (zone.name, zone.full_name, *(alias.alias for alias in zone.aliases.all())):
                if surface in names:
                    by_name[surface] = zone
        return by_name

    def _projects_named(self, names: set[str]) -> dict[str, Project]:
        """A milestone's project: the one accepted from this document under the name the text
        gives (even if its name was corrected), else the project of that name in the document's
        zone (without a zone: a project of that name without a zone)."""
        if not names:
            return {}
        found: dict[str, Project] = {}
        accepted = (
            ExtractedFact.objects.filter(
                document=self.document, kind=CandidateKind.PROJECT, status=FactStatus.ACCEPTED
            )
            .exclude(project=None)
            .select_related("project__zone")
            .order_by("reviewed_at", "pk")
        )
        for fact in accepted:
            if fact.reading.get("name") in names:
                found.setdefault(fact.reading["name"], fact.project)
        rest = names - found.keys()
        if rest:
            zone_id = self.document.zone_id
            in_zone = Q(zone_id=zone_id) if zone_id else Q(zone__isnull=True)
            for project in self._rows(Project).filter(in_zone, name__in=rest).select_related("zone"):
                found[project.name] = project
        return found

    def subject_zone(self, reading: dict[str, Any]) -> tuple[Zone | None, str]:
        """The zone a fact is about: the zone its subject names, or, when the text names none,
        the document's. A subject that is no zone on record gives none, and says so."""
        subject = reading.get("subject") or ""
        if reading.get("subject_kind") == "zone" and subject:
            zone = self.zones.get(subject)
            if zone is None:
                return None, gettext("文中主体“{subject}”不是已登记的区域,请选择区域").format(subject=subject)
            return zone, ""
        return self.document.zone, ""


@dataclass
class Draft:
    """What accepting a fact records unless corrected: a value per field of `fields_of(kind)`
    (None when the text does not give it), what the text said where the catalogue has nothing
    (`said`), why a required value is missing (`missing`), and values not offered for
    correction (`fixed`: a range's upper end, a qualifier)."""

    kind: str
    values: dict[str, Any]
    said: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)


def _period(reading: dict[str, Any], document: SourceDocument) -> Period | None:
    ref = reading.get("period")
    if not ref:
        return None
    year = ref.get("year") or document.subject_year
    if year is None or not ref.get("end_month"):
        return None
    try:
        return Period(year, ref.get("start_month"), ref["end_month"])
    except PeriodParseError:
        return None


def _figure_draft(fact: ExtractedFact, lookups: Lookups) -> Draft:
    r = fact.reading
    zone, zone_problem = lookups.subject_zone(r)
    metric = lookups.metrics.get(r.get("metric_code") or "")
    measure = r.get("measure") or Measure.LEVEL
    number, upper = _decimal(r.get("value")), _decimal(r.get("value_upper"))
    if measure == Measure.DECLINE and number is not None:  # 下降3.2% is a growth of -3.2%
        measure, number = Measure.GROWTH, -number
    draft = Draft(fact.kind, {}, fixed={"qualifier": r.get("qualifier") or ""})
    if measure == Measure.LEVEL and fact.kind == CandidateKind.AMOUNT:
        value = _amount(number, r.get("scale"), r.get("currency"), r.get("qualifier"))
        upper_value = _amount(upper, r.get("scale"), r.get("currency"), "")
        draft.fixed["value_upper"] = upper_value.value if upper_value else None
    elif fact.kind == CandidateKind.COUNT and number is not None:  # 1.2万家 is 12000
        value = plain(number * (r.get("scale") or 1))
        draft.fixed["value_upper"] = plain(upper * (r.get("scale") or 1)) if upper is not None else None
    else:
        value = number
        draft.fixed["value_upper"] = upper
    value_kind = r.get("value_kind") if r.get("value_kind") in ValueKind.values else ValueKind.ACTUAL
    draft.values = {
        "zone": zone,
        "metric": metric,
        "period": _period(r, fact.document),
        "value_kind": value_kind,
        "value": value,
        "measure": measure if measure in RECORDED_MEASURES else "",
    }
    if zone_problem:
        draft.missing["zone"] = zone_problem
    if metric is None:
        said = r.get("metric") or ""
        draft.said["metric"] = said
        draft.missing["metric"] = (
            gettext("文中指标为“{metric}”,指标目录中没有对应的指标,请选择").format(metric=said)
            if said
            else gettext("未识别出指标,请选择")
        )
    if draft.values["period"] is None:
        draft.missing["period"] = gettext("未识别出时段(或缺少年份),请填写,如2022年1-5月")
    if draft.values["measure"] == "":
        draft.said["measure"] = str(Measure(measure).label) if measure in Measure.values else measure
        draft.missing["measure"] = gettext("文中为增减量,不能记为指标数值;请选择性质(数值、增速、占比)或驳回")
    if value is None:
        currency = r.get("currency") or ""
        draft.missing["value"] = (
            gettext("台账只记人民币和美元,请将{currency}金额换算后填写").format(currency=currency)
            if currency and currency not in Currency.values
            else gettext("未识别出数值,请填写")
        )
    return draft


def _project_draft(fact: ExtractedFact, lookups: Lookups) -> Draft:
    r = fact.reading
    zone, zone_problem = lookups.subject_zone(r)
    investment = r.get("investment") or {}
    draft = Draft(
        fact.kind,
        {
            "name": r.get("name") or fact.quote,
            "zone": zone,
            "investment": _amount(
                _decimal(investment.get("value")),
                investment.get("scale"),
                investment.get("currency") or "",
                investment.get("qualifier") or "",
            ),
            "capacity": r.get("capacity") or "",
            "stage": r.get("stage") if r.get("stage") in Stage.values else "",
        },
    )
    if zone_problem:
        draft.missing["zone"] = zone_problem
    return draft


def _milestone_draft(fact: ExtractedFact, lookups: Lookups) -> Draft:
    r = fact.reading
    name = r.get("name") or ""
    day = None
    if (ref := r.get("date")) and ref.get("date") and ref.get("precision") in DatePrecision.values:
        day = (date.fromisoformat(ref["date"]), ref["precision"])
    draft = Draft(
        fact.kind,
        {
            "project": lookups.projects.get(name),
            "event": r.get("event") if r.get("event") in MilestoneKind.values else MilestoneKind.OTHER,
            "date": day,
            "value_kind": "actual" if r.get("value_kind") == ValueKind.ACTUAL else "plan",
        },
        said={"project": name},
    )
    if draft.values["project"] is None:
        draft.missing["project"] = (
            gettext("项目“{project}”尚未登记:请先采纳或选择项目").format(project=name)
            if name
            else gettext("请先采纳或选择项目")
        )
    if day is None:
        draft.missing["date"] = gettext("未识别出日期,请填写日期,如3月18日")
    return draft


def fact_draft(fact: ExtractedFact, lookups: Lookups | None = None, *, user=None) -> Draft:
    """What accepting `fact` records unless corrected, as far as `user` may see. `lookups` (built
    once for all the facts of a page) saves the queries of looking each up."""
    lookups = lookups or Lookups(fact.document, [fact], user)
    if fact.kind in FIGURES:
        return _figure_draft(fact, lookups)
    if fact.kind == CandidateKind.PROJECT:
        return _project_draft(fact, lookups)
    if fact.kind == CandidateKind.MILESTONE:
        return _milestone_draft(fact, lookups)
    raise ValidationError(gettext("时段和日期只用于说明其他事实,不能单独采纳"), code="not_recordable")


# ---------------------------------------------------------------------------------------------
# Words for people


def shown(name: str, value: Any) -> str:
    """A draft's value as the review page and the review note write it."""
    if value is None or value == "":
        return gettext("空")
    if isinstance(value, Period):
        return str(value)
    if isinstance(value, ParsedAmount):
        return str(value)
    if isinstance(value, Decimal):
        return f"{plain(value):f}"
    if isinstance(value, tuple):
        return format_date(*value)
    labels: dict[str, dict[str, Text]] = {
        "value_kind": {**dict(ValueKind.choices), **MILESTONE_VALUE_KINDS},
        "measure": dict(Measure.choices),
        "stage": dict(Stage.choices),
        "event": dict(MilestoneKind.choices),
    }
    return str(labels.get(name, {}).get(value, value))


def reading_words(reading: dict[str, Any]) -> str:
    """The extractor's reading in words: “157.56亿元 · 营业收入 · 2022年1-5月 · 实际”."""
    kind = reading.get("kind")
    parts: list[str] = []
    period = reading.get("period")
    period_text = ""
    if period:
        if period.get("year") and period.get("end_month"):
            period_text = format_period(period["year"], period.get("start_month"), period["end_month"])
        else:
            period_text = period.get("text") or ""
    day = reading.get("date") or {}
    day_text = ""
    if day.get("date") and day.get("precision") in DatePrecision.values:
        day_text = format_date(date.fromisoformat(day["date"]), day["precision"])
    if kind in FIGURES:
        value = reading.get("value") or ""
        if reading.get("value_upper"):
            value = f"{value}-{reading['value_upper']}"
        parts.append(qualify(value, reading.get("unit") or "", reading.get("qualifier") or ""))
        parts.append(reading.get("metric") or gettext("指标未识别"))
        if reading.get("measure") and reading["measure"] != Measure.LEVEL:
            parts.append(shown("measure", reading["measure"]))
        parts.append(period_text or gettext("时段未识别"))
        parts.append(shown("value_kind", reading.get("value_kind") or ValueKind.ACTUAL))
        if reading.get("subject"):
            parts.append(gettext("主体:{subject}").format(subject=reading["subject"]))
    elif kind == CandidateKind.PROJECT:
        parts.append(gettext("项目:{project}").format(project=reading.get("name") or reading.get("quote")))
        if investment := reading.get("investment"):
            amount = qualify(
                investment.get("value") or "", investment.get("unit") or "", investment.get("qualifier") or ""
            )
            parts.append(gettext("总投资{amount}").format(amount=amount))
        if reading.get("capacity"):
            parts.append(reading["capacity"])
        if reading.get("stage"):
            parts.append(shown("stage", reading["stage"]))
    elif kind == CandidateKind.MILESTONE:
        parts.append(reading.get("name") or gettext("项目未识别"))
        parts.append(shown("event", reading.get("event") or ""))
        parts.append(day_text or gettext("日期未识别"))
        parts.append(
            str(MILESTONE_VALUE_KINDS["actual" if reading.get("value_kind") == ValueKind.ACTUAL else "plan"])
        )
    elif kind == CandidateKind.PERIOD:
        parts.append(gettext("时段:{period}").format(period=period_text or reading.get("quote")))
    elif kind == CandidateKind.DATE:
        parts.append(gettext("日期:{date}").format(date=day_text or reading.get("quote")))
    return " · ".join(part for part in parts if part)
