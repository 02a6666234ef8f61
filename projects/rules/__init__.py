"""The validation rules of data entry: one registry, applied the same way by admin forms, API
writes and workbook imports.

Each rule has an id, a severity (an error blocks the save, a warning asks for confirmation) and a
message in Chinese and English. A rule checks a whole batch of objects at once: `check(objects)`
runs a constant number of queries however many objects there are, so an import of 100,000 rows is
validated in sets, and a single admin form is validated by the very same code.

Objects may be unsaved (pk None) or edited copies of saved rows; a saved row's stored state is
read once per batch where a rule compares before and after. The reason for a change is read from
`obj._change_reason` (django-simple-history keeps it).

The models do not know the rules: each path that saves data (the admin's forms, the API's writes,
text entry; imports and the monthly entry check whole batches with `check`) validates a row inside
`enforced(obj, confirmed=…)`, which runs `enforce` at the end of the row's own `clean()`, saying
whether the editor confirmed the warnings.

Deletes are checked too (`check_deletable`, at the end): a figure of a locked month is neither
changed nor deleted, by anyone, whatever the path and whatever the cascade that would remove it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router
from django.db.models import CASCADE, DB_CASCADE, Model, ProtectedError, Q, RestrictedError, TextChoices
from django.db.models.deletion import Collector, get_candidate_relations_to_delete
from django.utils import timezone

from .money import AmountScale, format_amount, plain
from .periods import format_date, format_period, period_end, period_start
from .windows import entry_deadline, is_locked

COMPLETED_INVESTMENT = "completed_investment"
OUTLIER_FACTOR = Decimal(10)  # a value ten times above or below the usual is an outlier
OUTLIER_MIN_HISTORY = 3  # …judged only against at least three earlier values


class Severity(TextChoices):
    ERROR = "error", "错误"
    WARNING = "warning", "警告"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    applies_to: str
    fields: dict[str, str]  # the model (class name) checked → the field its message belongs to
    message: str  # str.format template, Chinese
    message_en: str
    check: Callable[[list[Model], Context], Iterator[tuple[Model, dict[str, Any]]]] = field(repr=False)

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class Finding:
    rule: Rule
    obj: Model = field(compare=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def severity(self) -> str:
        return str(self.rule.severity)

    @property
    def field(self) -> str:
        return self.rule.fields[type(self.obj).__name__]

    @property
    def is_error(self) -> bool:
        return self.rule.is_error

    @property
    def message(self) -> str:
        return self.rule.message.format(**self.params)

    @property
    def message_en(self) -> str:
        return self.rule.message_en.format(**self.params)

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule_id, "severity": self.severity, "field": self.field, "message": self.message}

    def as_validation_error(self) -> ValidationError:
        # Django formats a message with its params by `%`: the formatted text must keep its
        # own percent signs (12.5%) as they are.
        return ValidationError(self.message.replace("%", "%%"), code=self.rule_id, params=self.params)


@dataclass
class Context:
    """What the rules of one batch share: today's date, and stored rows loaded once."""

    today: date
    _stored: dict[type[Model], dict[int, Model]] = field(default_factory=dict)

    def stored(self, objects: list[Model]) -> dict[int, Model]:
        """The saved state of the objects that are already rows, by pk, in one query per model."""
        if not objects:
            return {}
        model = type(objects[0])
        cache = self._stored.setdefault(model, {})
        missing = {obj.pk for obj in objects if obj.pk is not None and obj.pk not in cache}
        if missing:
            cache.update(model._base_manager.in_bulk(missing))
        return cache


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    severity: Severity,
    *,
    fields: dict[str, str],
    title: str,
    applies_to: str,
    message: str,
    message_en: str,
) -> Callable:
    def register(check: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, severity, title, applies_to, fields, message, message_en, check)
        return check

    return register


def check(objects: Iterable[Model], *, today: date | None = None) -> list[Finding]:
    """Every finding of every rule for the objects, in registry order."""
    by_model: dict[str, list[Model]] = defaultdict(list)
    for obj in objects:
        by_model[type(obj).__name__].append(obj)
    context = Context(today or timezone.localdate())
    findings = []
    for registered in RULES.values():
        for model_name in registered.fields:
            if batch := by_model.get(model_name):
                findings += [
                    Finding(registered, obj, params) for obj, params in registered.check(batch, context)
                ]
    return findings


def enforce(obj: Model, *, confirmed: bool = False, today: date | None = None) -> None:
    """Raise the object's errors, and its warnings unless they are `confirmed`."""
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    for finding in check([obj], today=today):
        if finding.is_error or not confirmed:
            errors[finding.field].append(finding.as_validation_error())
    if errors:
        raise ValidationError(dict(errors))


@contextmanager
def enforced(obj: Model, *, confirmed: bool, today: date | None = None) -> Iterator[None]:
    """While the block validates `obj` (`obj.full_clean()`, a model form's validation), its
    `clean()` ends with `enforce(obj, confirmed=…)` once the model's own checks pass: the rules'
    errors join the model's, at the same fields and in the same order, before uniqueness and
    constraints are checked on the fields that passed."""
    if not any(type(obj).__name__ in registered.fields for registered in RULES.values()):
        yield
        return
    model_clean = obj.clean

    def clean() -> None:
        model_clean()
        if _complete(obj):
            enforce(obj, confirmed=confirmed, today=today)

    obj.clean = clean
    try:
        yield
    finally:
        del obj.clean


def _complete(obj: Model) -> bool:
    """A portfolio entry is checked once it has its portfolio and project (an inline row of a new
    portfolio has none yet); every other row always."""
    if type(obj).__name__ == "PortfolioEntry":
        return obj.portfolio_id is not None and obj.project_id is not None
    return True


# ---------------------------------------------------------------------------------------------
# Helpers


def _amount(value: Decimal, obj: Model) -> str:
    scale = getattr(obj, "scale", None) or AmountScale.WAN
    return format_amount(value, scale, getattr(obj, "currency", "") or "CNY")


def _is_completed_investment(value: Model) -> bool:
    return (
        value.metric_id is not None
        and value.metric.code == COMPLETED_INVESTMENT
        and value.kind == "actual"
        and value.start_month == 1
        and value.value is not None
    )


def _subject_key(value: Model) -> tuple[str, int] | None:
    subject = value.subject_field
    return (subject, getattr(value, f"{subject}_id")) if subject else None


def _reason(obj: Model) -> str:
    return (getattr(obj, "_change_reason", None) or "").strip()


def _zone_id(value: Model) -> int | None:
    """The zone a figure belongs to, for its reporting window."""
    match value.subject_field:
        case "zone":
            return value.zone_id
        case "portfolio":
            return value.portfolio.zone_id
        case "project":
            return value.project.zone_id
        case "enterprise":
            return value.enterprise.zone_id
    return None


# ---------------------------------------------------------------------------------------------
# Indicator values


@rule(
    "investment_decreases",
    Severity.ERROR,
    fields={"IndicatorValue": "value"},
    title="累计完成投资不能减少",
    applies_to="指标数值(完成投资)",
    message="{period}累计完成投资{value}少于{other_period}已报的{other}:同一年度内的累计值不能减少",
    message_en=(
        "Completed investment of {period} ({value}) is less than the {other} already reported for "
        "{other_period}: a year-to-date figure never decreases within a year."
    ),
)
def _investment_decreases(values: list[Model], context: Context) -> Iterator:
    values = [v for v in values if _is_completed_investment(v) and _subject_key(v)]
    if not values:
        return
    from .models import IndicatorValue

    keys = {(_subject_key(v), v.year, v.currency) for v in values}
    replaced = {v.pk for v in values if v.pk} | {v.restates_id for v in values if v.restates_id}
    # One condition per subject kind and year, not one per figure: a workbook of 100,000 figures
    # would otherwise build (quadratically) and send a query of 100,000 OR terms.
    ids: dict[tuple[str, int], set[int]] = defaultdict(set)
    for (subject, subject_id), year, _currency in keys:
        ids[(subject, year)].add(subject_id)
    subjects = Q()
    for (subject, year), subject_ids in ids.items():
        subjects |= Q(**{f"{subject}_id__in": sorted(subject_ids), "year": year})
    stored = (
        IndicatorValue.objects.current()
        .filter(
            subjects, metric__code=COMPLETED_INVESTMENT, kind="actual", start_month=1, value__isnull=False
        )
        .exclude(pk__in=replaced)
        .values_list(
            "zone_id", "portfolio_id", "project_id", "enterprise_id", "year", "currency", "end_month", "value"
        )
    )
    series: dict[tuple, list[tuple[int, Decimal, Model | None]]] = defaultdict(list)
    for zone_id, portfolio_id, project_id, enterprise_id, year, currency, end_month, amount in stored:
        subject = next(
            (name, pk)
            for name, pk in zip(
                ("zone", "portfolio", "project", "enterprise"),
                (zone_id, portfolio_id, project_id, enterprise_id),
                strict=True,
            )
            if pk is not None
        )
        series[(subject, year, currency)].append((end_month, amount, None))
    for v in values:
        series[(_subject_key(v), v.year, v.currency)].append((v.end_month, v.value, v))
    for v in values:
        points = series[(_subject_key(v), v.year, v.currency)]
        earlier = [(m, amount) for m, amount, other in points if m < v.end_month and other is not v]
        if earlier:
            month, amount = max(earlier, key=lambda point: point[1])
            if v.value < amount:
                yield v, _decrease_params(v, month, amount)
                continue
        later = [(m, amount) for m, amount, other in points if m > v.end_month and other is not v]
        if later:
            month, amount = min(later, key=lambda point: point[1])
            if v.value > amount:
                # the later month is the one now below this value
                yield v, _decrease_params(v, month, amount, later=True)


def _decrease_params(v: Model, month: int, amount: Decimal, *, later: bool = False) -> dict[str, Any]:
    if later:
        return {
            "period": format_period(v.year, 1, month),
            "value": _amount(amount, v),
            "other_period": format_period(v.year, 1, v.end_month),
            "other": _amount(v.value, v),
        }
    return {
        "period": format_period(v.year, 1, v.end_month),
        "value": _amount(v.value, v),
        "other_period": format_period(v.year, 1, month),
        "other": _amount(amount, v),
    }


@rule(
    "investment_over_total",
    Severity.ERROR,
    fields={"IndicatorValue": "value"},
    title="完成投资不能超过项目总投资",
    applies_to="指标数值(项目完成投资)",
    message="{project}{period}累计完成投资{value}超过项目总投资{total}",
    message_en=(
        "Completed investment of {project} for {period} ({value}) exceeds the project's total "
        "investment ({total})."
    ),
)
def _investment_over_total(values: list[Model], context: Context) -> Iterator:
    values = [v for v in values if _is_completed_investment(v) and v.project_id]
    if not values:
        return
    from .models import Project

    projects = Project.objects.only("name", "total_investment", "total_investment_scale", "currency").in_bulk(
        {v.project_id for v in values}
    )
    for v in values:
        project = projects.get(v.project_id)
        if project is None or project.total_investment is None or project.currency != v.currency:
            continue
        if v.value > project.total_investment:
            yield (
                v,
                {
                    "project": project.name,
                    "period": format_period(v.year, 1, v.end_month),
                    "value": _amount(v.value, v),
                    "total": format_amount(
                        project.total_investment, project.total_investment_scale, project.currency
                    ),
                },
            )


@rule(
    "unit_mismatch",
    Severity.ERROR,
    fields={"IndicatorValue": "scale"},
    title="计量单位须与指标一致",
    applies_to="指标数值",
    message="指标“{metric}”{expected},不能{given}",
    message_en="The metric “{metric}” is {expected_en}; the value cannot {given_en}.",
)
def _unit_mismatch(values: list[Model], context: Context) -> Iterator:
    for v in values:
        if v.metric_id is None:
            continue
        metric = v.metric
        is_amount = metric.unit_kind == "amount"
        if is_amount and v.value is not None and not v.scale:
            yield (
                v,
                {
                    "metric": metric.name,
                    "expected": "以金额计",
                    "given": "不选金额单位(元、万元、亿元)",
                    "expected_en": "an amount",
                    "given_en": "be given without a unit of money (元, 万元, 亿元)",
                },
            )
        elif is_amount and v.scale and not v.currency:
            yield (
                v,
                {
                    "metric": metric.name,
                    "expected": "以金额计",
                    "given": "不选币种",
                    "expected_en": "an amount",
                    "given_en": "be given without a currency",
                },
            )
        elif not is_amount and (v.scale or v.currency):
            unit = metric.unit or metric.get_unit_kind_display()
            yield (
                v,
                {
                    "metric": metric.name,
                    "expected": f"以“{unit}”计",
                    "given": "填写金额单位或币种",
                    "expected_en": f"counted in “{unit}”",
                    "given_en": "have a unit of money or a currency",
                },
            )


@rule(
    "outlier",
    Severity.WARNING,
    fields={"IndicatorValue": "value"},
    title="数值远离本区域该指标的历史水平",
    applies_to="指标数值",
    message="{subject}{metric}{period}为{value},按月折算为历史中位数的{ratio}倍,请核对单位和数值",
    message_en=(
        "{metric} of {subject} for {period} is {value}: per month, {ratio} times the median of its "
        "history. Check the unit and the figure."
    ),
)
def _outlier(values: list[Model], context: Context) -> Iterator:
    values = [
        v
        for v in values
        if v.value is not None and v.metric_id is not None and _subject_key(v) and v.value > 0
    ]
    if not values:
        return
    from .models import IndicatorValue

    ids: dict[tuple[str, int, str], set[int]] = defaultdict(set)
    for v in values:
        subject, subject_id = _subject_key(v)
        ids[(subject, v.metric_id, v.kind)].add(subject_id)
    subjects = Q()
    for (subject, metric_id, kind), subject_ids in ids.items():  # one condition per kind of figure
        subjects |= Q(**{f"{subject}_id__in": sorted(subject_ids), "metric_id": metric_id, "kind": kind})
    exclude = {v.pk for v in values if v.pk} | {v.restates_id for v in values if v.restates_id}
    history: dict[tuple, list[Decimal]] = defaultdict(list)
    rows = (
        IndicatorValue.objects.current()
        .filter(subjects, value__gt=0)
        .exclude(pk__in=exclude)
        .values_list(
            "zone_id",
            "portfolio_id",
            "project_id",
            "enterprise_id",
            "metric_id",
            "kind",
            "start_month",
            "end_month",
            "value",
        )
    )
    # Amounts and counts that accumulate are compared per month; rates and scores as they are.
    flows = {
        v.metric_id
        for v in values
        if v.metric.flow_or_stock == "flow" and v.metric.unit_kind not in ("percent", "score")
    }
    for *subject_ids, metric_id, kind, start, end, amount in rows:
        history[(tuple(subject_ids), metric_id, kind)].append(
            _per_month(amount, start, end, metric_id in flows)
        )
    for v in values:
        ids = tuple(getattr(v, f"{s}_id") for s in ("zone", "portfolio", "project", "enterprise"))
        past = history.get((ids, v.metric_id, v.kind), [])
        if len(past) < OUTLIER_MIN_HISTORY:
            continue
        median = Decimal(statistics.median(past))
        rate = _per_month(v.value, v.start_month, v.end_month, v.metric_id in flows)
        if median <= 0:
            continue
        ratio = rate / median
        if ratio > OUTLIER_FACTOR or ratio < 1 / OUTLIER_FACTOR:
            yield (
                v,
                {
                    "subject": str(v.subject),
                    "metric": v.metric.name,
                    "period": format_period(v.year, v.start_month, v.end_month),
                    "value": v.value_display,
                    "ratio": f"{plain(ratio.quantize(Decimal('0.01')))}",
                },
            )


def _per_month(amount: Decimal, start: int | None, end: int, flow: bool) -> Decimal:
    """A flow stated for several months, per month; a stock as it is."""
    if not flow:
        return amount
    months = end - (start or 1) + 1
    return amount / months


@rule(
    "target_change_without_reason",
    Severity.ERROR,
    fields={"IndicatorValue": "value", "PortfolioEntry": "planned_investment"},
    title="年度开始后修改目标须说明原因",
    applies_to="指标数值(目标、计划)、调度清单项目(年度计划投资)",
    message="{year}年已开始,修改{what}(原为{before})须填写变更原因",
    message_en="{year} has begun: changing {what_en} (was {before}) needs a reason for the change.",
)
def _target_change_without_reason(objects: list[Model], context: Context) -> Iterator:
    stored = context.stored(objects)
    for obj in objects:
        before = stored.get(obj.pk) if obj.pk else None
        if before is None or _reason(obj):
            continue
        if type(obj).__name__ == "IndicatorValue":
            if obj.kind not in ("target", "plan") or context.today < date(obj.year, 1, 1):
                continue
            if (before.value, before.value_upper, before.scale) == (obj.value, obj.value_upper, obj.scale):
                continue
            yield (
                obj,
                {
                    "year": obj.year,
                    "what": f"{obj.get_kind_display()}值",
                    "what_en": f"a {obj.kind}",
                    "before": before.value_display or "空",
                },
            )
        else:  # PortfolioEntry: a project's planned investment for the portfolio's year
            if (
                context.today < date(obj.portfolio.year, 1, 1)
                or before.planned_investment == obj.planned_investment
            ):
                continue
            yield (
                obj,
                {
                    "year": obj.portfolio.year,
                    "what": "年度计划投资",
                    "what_en": "the planned investment of the year",
                    "before": before.planned_investment_display or "空",
                },
            )


@rule(
    "locked_month",
    Severity.ERROR,
    fields={"IndicatorValue": "value"},
    title="已锁定月份的数值不能直接修改或删除",
    applies_to="指标数值(实际值;删除时含更正数值及被更正的原数值)",
    message="{zone}{year}年{month}月的数据已于{deadline}截止锁定,不能直接{action};请新增更正数值并填写更正原因,或请管理员重新开放",
    message_en=(
        "{zone}'s figures for {year}-{month:02d} were locked after {deadline}: they cannot be "
        "{action_en} in place. Add a restatement with its reason, or ask an administrator to "
        "reopen the month."
    ),
)
def _locked_month(values: list[Model], context: Context) -> Iterator:
    stored = context.stored(values)
    candidates = []
    for v in values:
        if v.kind != "actual" or v.restates_id is not None:
            continue
        before = stored.get(v.pk) if v.pk else None
        if before is not None and _same_figure(before, v):
            continue
        candidates.append(v)
    zone_of = {id(v): _zone_id(v) for v in candidates}
    for v, params in _in_locked_months(candidates, zone_of, context):
        action = ("修改", "changed") if v.pk else ("补报", "added")
        yield v, {**params, "action": action[0], "action_en": action[1]}


def _in_locked_months(
    values: list[Model], zone_of: dict[int, int | None], context: Context
) -> Iterator[tuple[Model, dict[str, Any]]]:
    """The values (`zone_of`: id(value) → its zone) whose month is locked on context.today, with
    what the message says: the zone, the month, the deadline. Two queries for any number of values."""
    if not values:
        return
    from .models import EntryReopening, Zone

    zones = Zone.objects.only("name", "entry_deadline_day").in_bulk({z for z in zone_of.values() if z})
    months = {(v.year, v.end_month) for v in values}
    reopened = EntryReopening.objects.reopened_until(set(zones), months)
    for v in values:
        zone = zones.get(zone_of[id(v)])
        if zone is None:
            continue
        until = reopened.get((zone.pk, v.year, v.end_month))
        if is_locked(context.today, v.year, v.end_month, zone.entry_deadline_day, until):
            deadline = entry_deadline(v.year, v.end_month, zone.entry_deadline_day)
            yield (
                v,
                {
                    "zone": zone.name,
                    "year": v.year,
                    "month": v.end_month,
                    "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日",
                },
            )


def _same_figure(before: Model, after: Model) -> bool:
    fields = (
        "value",
        "value_upper",
        "scale",
        "currency",
        "yoy_growth",
        "rank",
        "share",
        "year",
        "start_month",
        "end_month",
        "metric_id",
    )
    return all(getattr(before, f) == getattr(after, f) for f in fields)


@rule(
    "restatement_without_reason",
    Severity.ERROR,
    fields={"IndicatorValue": "restatement_reason"},
    title="更正须填写原因",
    applies_to="指标数值(更正)",
    message="更正{period}的数值须填写更正原因",
    message_en="A restatement of the figure for {period} needs its reason.",
)
def _restatement_without_reason(values: list[Model], context: Context) -> Iterator:
    for v in values:
        if v.restates_id is not None and not (v.restatement_reason or "").strip():
            yield v, {"period": format_period(v.year, v.start_month, v.end_month)}


# ---------------------------------------------------------------------------------------------
# Projects and milestones


@rule(
    "finish_before_start",
    Severity.ERROR,
    fields={"Project": "planned_finish"},
    title="计划竣工不能早于计划开工",
    applies_to="项目",
    message="计划竣工/投产({finish})早于计划开工({start})",
    message_en="The planned finish ({finish}) is before the planned start ({start}).",
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
    title="节点实际日期不能晚于今天",
    applies_to="项目节点",
    message="实际日期{date}晚于今天({today});尚未发生的节点请填计划日期",
    message_en=(
        "The actual date {date} is after today ({today}); give a milestone not yet reached a planned date."
    ),
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
    title="投产不能早于开工",
    applies_to="项目节点",
    message="{project}{phase}投产({production})早于开工({start})",
    message_en="{project}{phase}: production ({production}) is before the start of construction ({start}).",
)
def _production_before_start(milestones: list[Model], context: Context) -> Iterator:
    relevant = [m for m in milestones if m.kind in ("start", "production") and m.project_id]
    if not relevant:
        return
    from .models import Milestone

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


# ---------------------------------------------------------------------------------------------
# Deletes: a figure of a locked month is not deleted either
#
# Every path that deletes rows asks `check_deletable` first: the API's destroy, the admin's
# delete view, its bulk action and inline rows (projects/admin/base.py). What a delete removes is found
# as Django's delete finds it, with its deletion Collector, so a cascade added to the models later
# (a new foreign key to projects or zones, say) is covered without an edit here.


class LockedDelete(PermissionDenied):
    """A delete refused because it would remove figures of a locked month (rule locked_month).

    A PermissionDenied, so that a path that does not know it still refuses (Django's and DRF's 403)
    rather than deletes; the API answers it with a 409 (the record's state, not the user's role, is
    in the way), the admin with its refusal page. The message is "中文 / English"."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.messages = list(dict.fromkeys((f.message, f.message_en) for f in findings))
        zh, en = self.messages[0]
        if more := len(self.messages) - 1:
            zh += f"(另有{more}个已锁定月份的数值)"
            en += f" (Figures of {more} more locked months too.)"
        super().__init__(f"{zh} / {en}")


class _Deletion(Collector):
    """What a delete would remove, collected the way Model.delete() and QuerySet.delete() collect
    it, every row loaded (no fast deletes). A row that protects another (PROTECT, RESTRICT) is
    passed over rather than ending the walk, as in the admin's NestedObjects: the lock is reported
    even where the delete would be refused for a reference too (a restated original)."""

    def __init__(self, using: str) -> None:
        super().__init__(using, force_collection=True)

    def collect(self, objs: Iterable[Model], *args: Any, **kwargs: Any) -> None:
        try:
            super().collect(objs, *args, **kwargs)
        except (ProtectedError, RestrictedError):
            pass


def deleted_values(objects: Iterable[Model]) -> list[Model]:
    """Every IndicatorValue a delete of `objects` (model instances of any models, or a QuerySet)
    would remove: themselves, and the rows it cascades to. A constant number of queries per model
    the delete reaches, however many rows."""
    from .models import IndicatorValue

    by_model: dict[type[Model], list[Model]] = defaultdict(list)
    for obj in objects:
        if obj.pk is not None:
            by_model[type(obj)].append(obj)
    if not by_model:
        return []
    collector = _Deletion(router.db_for_write(next(iter(by_model))))
    for batch in by_model.values():
        collector.collect(batch)
    return [
        obj
        for model, instances in collector.data.items()
        if issubclass(model._meta.concrete_model, IndicatorValue)
        for obj in instances
    ]


def locked_values(values: Iterable[Model], *, today: date | None = None) -> list[Finding]:
    """The findings of rule locked_month for the stored IndicatorValues `values` if they were
    deleted: an actual figure of a month that is locked on `today` (no reopening runs), a
    restatement of it and a restated original alike (a restatement is how a locked month is
    corrected, and deleting the original would break the chain). Read as stored, whatever the
    objects in memory say (a form's row may carry edited fields): three queries for any number."""
    from .models import IndicatorValue

    ids = {v.pk for v in values if v.pk is not None}
    if not ids:
        return []
    stored = (
        IndicatorValue._base_manager.select_related("zone", "portfolio", "project", "enterprise", "metric")
        .filter(kind="actual")
        .in_bulk(ids)
    )
    figures = sorted(stored.values(), key=lambda v: (v.year, v.end_month, v.pk))  # months in order
    zone_of = {id(v): _zone_id(v) for v in figures}
    context = Context(today or timezone.localdate())
    return [
        Finding(RULES["locked_month"], v, {**params, "action": "删除", "action_en": "deleted"})
        for v, params in _in_locked_months(figures, zone_of, context)
    ]


def locked_in_deletion(objects: Iterable[Model], *, today: date | None = None) -> list[Finding]:
    """The locked figures a delete of `objects` would remove, itself or by cascade."""
    return locked_values(deleted_values(objects), today=today)


def check_deletable(objects: Iterable[Model], *, today: date | None = None) -> None:
    """Raise LockedDelete when a delete of `objects` would remove a figure of a locked month.
    Call it inside the delete's transaction, just before the delete."""
    if findings := locked_in_deletion(objects, today=today):
        raise LockedDelete(findings)


def deletes_reach(model: type[Model], target: type[Model]) -> bool:
    """Whether deleting a row of `model` can delete rows of `target` (itself, a cascade, or a
    multi-table child), from the model graph: for the API's schema."""
    seen: set[type[Model]] = set()
    todo = [model]
    while todo:
        current = todo.pop()._meta.concrete_model
        if issubclass(current, target):
            return True
        if current in seen:
            continue
        seen.add(current)
        todo.extend(current._meta.parents)  # a child's delete deletes its parent row too
        for relation in get_candidate_relations_to_delete(current._meta):
            if relation.on_delete in (CASCADE, DB_CASCADE):
                todo.append(relation.related_model)
    return False
