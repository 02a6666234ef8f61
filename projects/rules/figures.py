"""The rules on indicator values (figures): investment decreases and totals, units, outliers,
targets changed without a reason, locked months and restatements."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..money import format_amount, plain
from ..periods import format_period
from ..windows import entry_deadline, is_locked
from .base import (
    COMPLETED_INVESTMENT,
    OUTLIER_FACTOR,
    OUTLIER_MIN_HISTORY,
    Context,
    Severity,
    _amount,
    _is_completed_investment,
    _reason,
    _subject_key,
    _zone_id,
    rule,
)

# ---------------------------------------------------------------------------------------------
# Indicator values


@rule(
    "investment_decreases",
    Severity.ERROR,
    fields={"IndicatorValue": "value"},
    title=_("累计完成投资不能减少"),
    applies_to=_("指标数值(完成投资)"),
    message=_("{period}累计完成投资{value}少于{other_period}已报的{other}:同一年度内的累计值不能减少"),
)
def _investment_decreases(values: list[Model], context: Context) -> Iterator:
    values = [v for v in values if _is_completed_investment(v) and _subject_key(v)]
    if not values:
        return
    from ..models import IndicatorValue

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
    title=_("完成投资不能超过项目总投资"),
    applies_to=_("指标数值(项目完成投资)"),
    message=_("{project}{period}累计完成投资{value}超过项目总投资{total}"),
)
def _investment_over_total(values: list[Model], context: Context) -> Iterator:
    values = [v for v in values if _is_completed_investment(v) and v.project_id]
    if not values:
        return
    from ..models import Project

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
    title=_("计量单位须与指标一致"),
    applies_to=_("指标数值"),
    message=_("指标“{metric}”{expected},不能{given}"),
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
                    "expected": _("以金额计"),
                    "given": _("不选金额单位(元、万元、亿元)"),
                },
            )
        elif is_amount and v.scale and not v.currency:
            yield (
                v,
                {
                    "metric": metric.name,
                    "expected": _("以金额计"),
                    "given": _("不选币种"),
                },
            )
        elif not is_amount and (v.scale or v.currency):
            unit = metric.unit or metric.get_unit_kind_display()
            yield (
                v,
                {
                    "metric": metric.name,
                    "expected": format_lazy(_("以“{unit}”计"), unit=unit),
                    "given": _("填写金额单位或币种"),
                },
            )


@rule(
    "outlier",
    Severity.WARNING,
    fields={"IndicatorValue": "value"},
    title=_("数值远离本区域该指标的历史水平"),
    applies_to=_("指标数值"),
    message=_("{subject}{metric}{period}为{value},按月折算为历史中位数的{ratio}倍,请核对单位和数值"),
)
def _outlier(values: list[Model], context: Context) -> Iterator:
    values = [
        v
        for v in values
        if v.value is not None and v.metric_id is not None and _subject_key(v) and v.value > 0
    ]
    if not values:
        return
    from ..models import IndicatorValue

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
    title=_("年度开始后修改目标须说明原因"),
    applies_to=_("指标数值(目标、计划)、调度清单项目(年度计划投资)"),
    message=_("{year}年已开始,修改{what}(原为{before})须填写变更原因"),
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
                    "what": format_lazy(_("{kind}值"), kind=obj.get_kind_display()),
                    "before": before.value_display or pgettext_lazy("value before", "空"),
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
                    "what": _("年度计划投资"),
                    "before": before.planned_investment_display or pgettext_lazy("value before", "空"),
                },
            )


@rule(
    "locked_month",
    Severity.ERROR,
    fields={"IndicatorValue": "value"},
    title=_("已锁定月份的数值不能直接修改或删除"),
    applies_to=_("指标数值(实际值;删除时含更正数值及被更正的原数值)"),
    message=_(
        "{zone}{year}年{month}月的数据已于{deadline}截止锁定,不能直接{action};请新增更正数值并填写更正原因,或请管理员重新开放"
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
        action = pgettext_lazy("locked month", "修改") if v.pk else pgettext_lazy("locked month", "补报")
        yield v, {**params, "action": action}


def _in_locked_months(
    values: list[Model], zone_of: dict[int, int | None], context: Context
) -> Iterator[tuple[Model, dict[str, Any]]]:
    """The values (`zone_of`: id(value) → its zone) whose month is locked on context.today, with
    what the message says: the zone, the month, the deadline. Two queries for any number of values."""
    if not values:
        return
    from ..models import EntryReopening, Zone

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
                    "deadline": format_lazy(
                        _("{year}年{month}月{day}日"),
                        year=deadline.year,
                        month=deadline.month,
                        day=deadline.day,
                    ),
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
    title=_("更正须填写原因"),
    applies_to=_("指标数值(更正)"),
    message=_("更正{period}的数值须填写更正原因"),
)
def _restatement_without_reason(values: list[Model], context: Context) -> Iterator:
    for v in values:
        if v.restates_id is not None and not (v.restatement_reason or "").strip():
            yield v, {"period": format_period(v.year, v.start_month, v.end_month)}
