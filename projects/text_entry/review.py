"""Reviewing facts: fact_accept records an indicator value, a project or a milestone cited to its
sentence (zone rights, then the rules through full_clean, in one transaction), with the reviewer's
corrections; fact_reject and fact_reopen; warnings_only says a refusal is only rules' warnings.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext

from .. import access, rules
from ..extraction import (
    CandidateKind,
    Measure,
)
from ..models import (
    Citation,
    ExtractedFact,
    FactStatus,
    IndicatorValue,
    Milestone,
    Project,
)
from ..money import ParsedAmount
from ..periods import format_date
from ..rules import RULES
from .documents import FIGURE_FIELDS, FIGURES, MILESTONE_FIELDS, PROJECT_FIELDS, fields_of
from .drafts import Draft, fact_draft, shown

# ---------------------------------------------------------------------------------------------
# Reviewing


def _label(model: type[Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _readable_errors(error: ValidationError, model: type[Model]) -> ValidationError:
    """The errors of full_clean as one list of Chinese sentences: a rule's with its id (as the
    admin forms show them), a field's with the field's name. Codes are kept (warnings_only)."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    found = []
    for name, errors in by_field.items():
        for item in errors:
            text = " ".join(item)
            rule = RULES.get(item.code or "")
            if rule is not None and rule.is_error:
                text = f"[{rule.id}] {text}"
            elif rule is not None:
                text = gettext("[{rule}] 警告:{message}").format(rule=rule.id, message=text)
            elif name != NON_FIELD_ERRORS:
                text = f"{_label(model, name)}:{text}"
            found.append(ValidationError(text, code=item.code))
    return ValidationError(found)


def warnings_only(error: ValidationError) -> bool:
    """All of the refusal is warnings of the rules: accepting with confirm_warnings=True passes."""
    items = (
        error.error_list
        if not hasattr(error, "error_dict")
        else [e for es in error.error_dict.values() for e in es]
    )
    return bool(items) and all(
        (rule := RULES.get(item.code or "")) is not None and not rule.is_error for item in items
    )


class _Recording:
    """Saves the records of one acceptance: the zone check, the rules, the history's reason."""

    def __init__(self, fact: ExtractedFact, user, confirm_warnings: bool) -> None:
        self.fact = fact
        self.user = user
        self.confirm_warnings = confirm_warnings
        self.notes: list[str] = []

    def save(self, record: Model, *, before: set[int | None] | None = None) -> Model:
        access.check_can_edit(self.user, record, before=before)
        record._change_reason = gettext("据来源文档{document}采纳").format(document=self.fact.document.key)
        record._history_user = self.user
        try:
            with rules.enforced(record, confirmed=self.confirm_warnings):
                record.full_clean()
        except ValidationError as error:
            raise _readable_errors(error, type(record)) from None
        record.save()
        return record

    def link(self, record: Model) -> Model:
        """An existing record the fact states again: only its citations change."""
        access.check_can_edit(self.user, record, before=access.zones_of(record))
        return record


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _record_figure(values: dict[str, Any], draft: Draft, recording: _Recording) -> IndicatorValue:
    for name in ("zone", "metric", "period", "measure", "value"):
        if values[name] in (None, ""):
            missing = draft.missing.get(name) or gettext("请填写{field}").format(field=FIGURE_FIELDS[name])
            raise _refuse(missing, f"{name}_missing")
    zone, metric, period, measure, value = (
        values[n] for n in ("zone", "metric", "period", "measure", "value")
    )
    figure = IndicatorValue(
        zone=zone,
        metric=metric,
        year=period.year,
        start_month=period.start_month,
        end_month=period.end_month,
        kind=values["value_kind"],
    )
    if measure == Measure.LEVEL:
        if isinstance(value, ParsedAmount):
            figure.value, figure.scale, figure.currency = value.value, value.scale, value.currency
            figure.qualifier = value.qualifier
        else:
            figure.value, figure.qualifier = value, draft.fixed.get("qualifier", "")
        if value == draft.values["value"]:  # a corrected value drops the range the text gave
            figure.value_upper = draft.fixed.get("value_upper")
        stated = ("value", "value_upper", "scale", "currency", "qualifier")
        compared = ("value", "value_upper", "currency")
    elif isinstance(value, ParsedAmount):
        raise _refuse(gettext("增速、占比须填百分数,如12.5"), "not_a_percent")
    elif measure == Measure.GROWTH:
        figure.yoy_growth, stated, compared = value, ("yoy_growth",), ("yoy_growth",)
    else:
        figure.share, stated, compared = value, ("share",), ("share",)
    existing = (
        IndicatorValue.objects.current()
        .filter(zone=zone, metric=metric, year=period.year, end_month=period.end_month, kind=figure.kind)
        .filter(Q(start_month=period.start_month) if period.start_month else Q(start_month__isnull=True))
        .select_related("zone", "metric")
        .order_by("pk")
        .first()
    )
    if existing is None:
        return recording.save(figure)
    if getattr(existing, compared[0]) is None:  # the same figure's other half: 增速 beside 数值
        before = access.zones_of(existing)
        for name in stated:
            setattr(existing, name, getattr(figure, name))
        return recording.save(existing, before=before)
    if all(getattr(existing, name) == getattr(figure, name) for name in compared):
        return recording.link(existing)
    conflict = gettext(
        "已登记{zone}{period}{metric}{kind}值{recorded},与本条({given})不同;"
        "不覆盖已登记的数值,请核对后在“指标数值”中更正,或驳回本条"
    )
    raise _refuse(
        conflict.format(
            zone=existing.zone,
            period=existing.period_display,
            metric=metric,
            kind=existing.get_kind_display(),
            recorded=_stated(existing, compared[0]),
            given=_stated(figure, compared[0]),
        ),
        "conflict",
    )


def _stated(figure: IndicatorValue, name: str) -> str:
    """A figure's value, growth or share as the conflict message writes it."""
    if name == "yoy_growth":
        return gettext("同比增长{growth}%").format(growth=shown(name, figure.yoy_growth))
    if name == "share":
        return gettext("占比{share}%").format(share=shown(name, figure.share))
    return figure.value_display


def _record_project(values: dict[str, Any], draft: Draft, recording: _Recording) -> Project:
    name = (values["name"] or "").strip()
    if not name:
        raise _refuse(gettext("请填写项目名称"), "name_missing")
    zone, investment = values["zone"], values["investment"]
    project = Project.objects.filter(Q(zone=zone) if zone else Q(zone__isnull=True), name=name).first()
    if project is None:
        project = Project(
            zone=zone, name=name, capacity=values["capacity"] or "", stage=values["stage"] or ""
        )
        if investment is not None:
            project.total_investment, project.total_investment_scale = investment.value, investment.scale
            project.currency, project.total_investment_qualifier = investment.currency, investment.qualifier
        return recording.save(project)
    before, filled = access.zones_of(project), False
    if investment is not None:
        if project.total_investment is None:
            project.total_investment, project.total_investment_scale = investment.value, investment.scale
            project.currency, project.total_investment_qualifier = investment.currency, investment.qualifier
            filled = True
        elif (project.total_investment, project.currency) != (investment.value, investment.currency):
            recording.notes.append(
                gettext("{field}未覆盖(已登记{recorded},本条{given})").format(
                    field=PROJECT_FIELDS["investment"],
                    recorded=project.total_investment_display,
                    given=investment,
                )
            )
    for name_ in ("capacity", "stage"):
        given = values[name_] or ""
        if given and not getattr(project, name_):
            setattr(project, name_, given)
            filled = True
        elif given and getattr(project, name_) != given:
            recording.notes.append(
                gettext("{field}未覆盖(已登记{recorded},本条{given})").format(
                    field=PROJECT_FIELDS[name_],
                    recorded=shown(name_, getattr(project, name_)),
                    given=shown(name_, given),
                )
            )
    return recording.save(project, before=before) if filled else recording.link(project)


def _record_milestone(values: dict[str, Any], draft: Draft, recording: _Recording) -> Milestone:
    for name in ("project", "date"):
        if values[name] is None:
            missing = draft.missing.get(name) or gettext("请填写{field}").format(field=MILESTONE_FIELDS[name])
            raise _refuse(missing, f"{name}_missing")
    project, event, (day, precision) = values["project"], values["event"], values["date"]
    date_field, precision_field = (
        ("actual_date", "actual_precision")
        if values["value_kind"] == "actual"
        else ("planned_date", "planned_precision")
    )
    milestone = (
        Milestone.objects.filter(project=project, kind=event, phase="").select_related("project").first()
    )
    if milestone is None:
        milestone = Milestone(project=project, kind=event, **{date_field: day, precision_field: precision})
        return recording.save(milestone)
    stored = getattr(milestone, date_field), getattr(milestone, precision_field)
    if stored[0] is None:
        setattr(milestone, date_field, day)
        setattr(milestone, precision_field, precision)
        return recording.save(milestone, before=access.zones_of(milestone))
    if stored == (day, precision):
        return recording.link(milestone)
    conflict = (
        gettext(
            "{milestone}已登记实际日期{recorded},与本条({given})不同;"
            "不覆盖已登记的日期,请核对后在项目节点中修改,或驳回本条"
        )
        if date_field == "actual_date"
        else gettext(
            "{milestone}已登记计划日期{recorded},与本条({given})不同;"
            "不覆盖已登记的日期,请核对后在项目节点中修改,或驳回本条"
        )
    )
    raise _refuse(
        conflict.format(
            milestone=milestone, recorded=format_date(*stored), given=format_date(day, precision)
        ),
        "conflict",
    )


RECORDERS = {CandidateKind.PROJECT: _record_project, CandidateKind.MILESTONE: _record_milestone}
RECORD_FIELDS = {Project: "project", Milestone: "milestone", IndicatorValue: "indicator_value"}


def _corrected(draft: Draft, corrections: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The draft's values with the corrections, and a note per field that changed:
    “指标: 营业收入 → 工业营收”."""
    labels = fields_of(draft.kind)
    unknown = set(corrections) - set(labels)
    if unknown:
        raise ValueError(f"unknown corrections for a {draft.kind} fact: {sorted(unknown)}")
    values, notes = dict(draft.values), []
    for name, value in corrections.items():
        if value == draft.values[name]:
            continue
        said = shown(name, draft.values[name])
        if draft.values[name] in (None, "") and draft.said.get(name):
            said = draft.said[name]
        notes.append(f"{labels[name]}: {said} → {shown(name, value)}")
        values[name] = value
    return values, notes


def _citation(fact: ExtractedFact) -> Citation:
    """The fact's sentence as a citation of its document (the same span is one citation)."""
    document = fact.document
    citation, _ = Citation.objects.get_or_create(
        document=document,
        start=fact.sentence_start,
        end=fact.sentence_end,
        defaults={"quote": document.text[fact.sentence_start : fact.sentence_end]},
    )
    return citation


def _locked_fact(fact: ExtractedFact, user) -> ExtractedFact:
    """The fact as stored, locked until the transaction ends (two reviewers, one decision)."""
    locked = (
        ExtractedFact.objects.select_for_update(of=("self",)).select_related("document__zone").get(pk=fact.pk)
    )
    access.check_can_edit(user, locked)
    return locked


def _status_refusal(fact: ExtractedFact, message: str) -> ValidationError:
    """`message` names the fact's status ({status}) and its reviewer ({reviewer})."""
    reviewer = f"({fact.reviewed_by})" if fact.reviewed_by_id else ""
    return _refuse(message.format(status=fact.get_status_display(), reviewer=reviewer), "already_reviewed")


def fact_accept(
    *,
    fact: ExtractedFact,
    user,
    corrections: dict[str, Any] | None = None,
    confirm_warnings: bool = False,
) -> Model:
    """Turn a pending fact into a record, cited to the fact's sentence, in one transaction:

    - a figure → an IndicatorValue of its zone, metric, period and kind (value in base units,
      growth as yoy_growth, share as share). Where the current value for the same zone, metric,
      period and kind states the same figure, the fact is linked to it; where it lacks this
      half (the growth rate beside an amount), that half is filled in; a different figure is
      refused, never overwritten;
    - a project → the project of that name in that zone, its empty fields filled, or a new one;
    - a milestone → its date on the project's milestone of that kind, planned or actual.

    `corrections` override the draft (fact_draft) by field of `fields_of(fact.kind)`: typed
    values (Zone, Metric, Project, Period, ParsedAmount for amounts, Decimal, (date, precision));
    the fields that differ are noted on the fact. Raises ValidationError (Chinese) when the fact
    is not pending or the record breaks a rule (warnings pass with confirm_warnings=True), and
    PermissionDenied without edit rights on the record; then nothing is written.
    """
    with transaction.atomic():
        stored = _locked_fact(fact, user)
        if stored.status != FactStatus.PENDING:
            raise _status_refusal(stored, gettext("该事实{status}{reviewer},不能再采纳"))
        document = stored.document
        if document.text[stored.start : stored.end] != stored.quote:
            raise _refuse(gettext("来源文档的全文已被修改,本条的位置已失效;请重新从文本提取"), "text_changed")
        draft = fact_draft(stored, user=user)
        values, notes = _corrected(draft, corrections or {})
        recording = _Recording(stored, user, confirm_warnings)
        if stored.kind in FIGURES:
            record = _record_figure(values, draft, recording)
        else:
            record = RECORDERS[stored.kind](values, draft, recording)
        record.citations.add(_citation(stored))
        stored.status = FactStatus.ACCEPTED
        setattr(stored, RECORD_FIELDS[type(record)], record)
        stored.note = ";".join([*notes, *recording.notes])
        stored.reviewed_by, stored.reviewed_at = user, timezone.now()
        stored.save()
    fact.refresh_from_db()
    return record


def fact_reject(*, fact: ExtractedFact, user, reason: str = "") -> ExtractedFact:
    """Set a pending fact aside: nothing is recorded; the reason is kept on it."""
    with transaction.atomic():
        stored = _locked_fact(fact, user)
        if stored.status != FactStatus.PENDING:
            raise _status_refusal(stored, gettext("该事实{status}{reviewer},不能再驳回"))
        stored.status, stored.note = FactStatus.REJECTED, reason.strip()
        stored.reviewed_by, stored.reviewed_at = user, timezone.now()
        stored.save()
    fact.refresh_from_db()
    return fact


def fact_reopen(*, fact: ExtractedFact, user) -> ExtractedFact:
    """A rejected fact back to pending. An accepted one cannot be: its record exists, and is
    corrected or deleted where it is kept."""
    with transaction.atomic():
        stored = _locked_fact(fact, user)
        if stored.status == FactStatus.ACCEPTED:
            record = stored.project or stored.milestone or stored.indicator_value
            raise _refuse(
                gettext("该事实已采纳,已据此登记“{record}”,不能重新审核;如有错误,请修改或删除该记录").format(
                    record=record
                ),
                "accepted",
            )
        if stored.status == FactStatus.REJECTED:
            stored.status, stored.note = FactStatus.PENDING, ""
            stored.reviewed_by, stored.reviewed_at = None, None
            stored.save()
    fact.refresh_from_db()
    return fact
