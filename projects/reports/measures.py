"""The progress measures of a 调度通报, as exact decimals.

Percentages are Decimals in percent (70.1166… means 70.1166 %) and are never rounded here: a
report rounds only to show them (`round_percent`), so a figure derived from another is computed
from the exact value, not from a rounded one. Pure functions on plain values, no ORM.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from functools import wraps

from django.db.models.enums import TextChoices
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..money import plain

type Number = Decimal | int

# The arithmetic's own context, so a caller's global decimal settings cannot change a figure.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
HUNDRED = Decimal(100)
HALF_WAY = Decimal(50)


def _exact[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    @wraps(function)
    def in_context(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(_CONTEXT):
            return function(*args, **kwargs)

    return in_context


class Basis(TextChoices):
    """How time progress (序时进度) is counted; reports name the one they used."""

    MONTH = "month", _("按月计算(已过月数÷12)")
    DAY = "day", _("按日计算(已过天数÷全年天数)")


def round_percent(value: Decimal | None, places: int = 2) -> Decimal | None:
    """For presentation only: 70.1166… → 70.12 (half up, as reports round)."""
    if value is None:
        return None
    with localcontext(_CONTEXT):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@_exact
def _percent(part: Number | None, whole: Number | None) -> Decimal | None:
    """part / whole × 100, rounded once; None when a value is missing or the whole is 0."""
    if part is None or whole is None or whole == 0:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


@_exact
def time_progress(as_of: date, basis: Basis = Basis.MONTH) -> Decimal:
    """Share of the year elapsed. By month it counts as of the end of as_of's month (end of May
    = 5/12 = 41.666…%), as 月调度 does; by day, as_of's day of the year over 365 or 366."""
    if basis == Basis.DAY:
        days_in_year = 366 if calendar.isleap(as_of.year) else 365
        return Decimal(as_of.timetuple().tm_yday) * HUNDRED / days_in_year
    return Decimal(as_of.month) * HUNDRED / 12


def completion(actual: Number | None, target: Number | None) -> Decimal | None:
    """完成率: actual / target × 100."""
    return _percent(actual, target)


@_exact
def ahead_of_schedule(completion_pct: Decimal | None, time_pct: Decimal | None) -> Decimal | None:
    """超序时进度 in percentage points; negative means behind (滞后)."""
    if completion_pct is None or time_pct is None:
        return None
    return completion_pct - time_pct


def start_rate(started: Number | None, planned: Number | None) -> Decimal | None:
    """开工率: projects started / projects planned to start × 100."""
    return _percent(started, planned)


@_exact
def yoy_change(current: Number | None, previous: Number | None) -> Decimal | None:
    """同比 in percent: (current / previous − 1) × 100. None on a zero or negative base: growth
    from a loss has no meaning (statistics say 减亏/增亏 instead)."""
    if current is None or previous is None or previous <= 0:
        return None
    return (Decimal(current) - Decimal(previous)) * HUNDRED / Decimal(previous)


@dataclass(frozen=True)
class CheckpointVerdict:
    """Whether completion reached the share of the annual target due at a checkpoint."""

    required_pct: Decimal
    completion_pct: Decimal | None
    met: bool | None
    gap_pct: Decimal | None

    @property
    def label(self) -> str:
        if self.met is None:
            return gettext("无数据")
        if self.required_pct == HALF_WAY:
            return gettext("已过半") if self.met else gettext("未过半")
        return gettext("已达标") if self.met else gettext("未达标")


@_exact
def checkpoint_verdict(completion_pct: Decimal | None, required_pct: Decimal = HALF_WAY) -> CheckpointVerdict:
    """双过半 by default (≥ 50 % of the annual target at the end of June). For a checkpoint with
    a target of its own (Q1 开门红) pass that target's completion and 100; for 收官, 100."""
    if completion_pct is None:
        return CheckpointVerdict(required_pct, None, None, None)
    return CheckpointVerdict(
        required_pct, completion_pct, completion_pct >= required_pct, completion_pct - required_pct
    )


@_exact
def required_monthly_run_rate(
    target: Number | None, actual: Number | None, as_of_month: int, until_month: int = 12
) -> Decimal | None:
    """What each remaining month must add to reach `target` by the end of `until_month`
    (for a checkpoint share, pass target × share). 0 when reached; None when it is not reached
    and no month remains, or a value is missing."""
    if target is None or actual is None:
        return None
    remaining = Decimal(target) - Decimal(actual)
    if remaining <= 0:
        return Decimal(0)
    months_left = until_month - as_of_month
    if months_left <= 0:
        return None
    return remaining / months_left


@_exact
def projection_at_pace(actual: Number | None, months_elapsed: int, months_total: int = 12) -> Decimal | None:
    """The year-end value if the pace so far continues: actual / months elapsed × months."""
    if actual is None or months_elapsed <= 0:
        return None
    return Decimal(actual) * months_total / months_elapsed


def stated_precision(value: Decimal) -> Decimal:
    """One unit in the last place a stated figure was written with: 70.11 → 0.01, 23 → 1.

    A stored value has lost how it was written (70.1100), so trailing zeros are dropped first;
    a figure written 70.10 is thus taken as 70.1, a wider tolerance, never a narrower one.
    """
    exponent = plain(value).as_tuple().exponent
    if not isinstance(exponent, int):  # 'n', 'N' or 'F': NaN or infinity was never written
        raise TypeError(f"{value} is not a stated figure")
    return Decimal(1).scaleb(min(exponent, 0))


@dataclass(frozen=True)
class Reconciliation:
    """A figure a source stated beside the one computed from the recorded inputs. `stated` is
    shown without storage zeros (70.11, not 70.1100); `difference` is computed − stated."""

    stated: Decimal
    computed: Decimal | None
    difference: Decimal | None
    tolerance: Decimal
    agrees: bool | None

    @property
    def label(self) -> str:
        """一致 when the computed figure rounds to the stated one; 在舍入误差内 when it differs by
        no more than one unit of the stated precision (truncated, or rounded from rounded inputs)."""
        if self.agrees is None:
            return gettext("无法核算")
        if not self.agrees:
            return gettext("不一致")
        assert self.computed is not None
        with localcontext(_CONTEXT):
            rounded = self.computed.quantize(self.tolerance, rounding=ROUND_HALF_UP)
        return gettext("一致") if rounded == self.stated else gettext("在舍入误差内")


@_exact
def reconcile(stated: Decimal, computed: Decimal | None, precision: Decimal | None = None) -> Reconciliation:
    """Compare a stated figure with the computed one; a difference within one unit of the stated
    precision is explained by rounding or truncation, anything more is flagged.

    The precision is read from `stated` with trailing zeros dropped (a stored 70.1100 was
    written 70.11); pass `precision` when it is known otherwise, e.g. for an amount stored in
    元 but written in 亿元 (299.92亿元: 0.01 × 10^8).
    """
    tolerance = stated_precision(stated) if precision is None else precision
    shown = plain(stated) if precision is None else stated
    if computed is None:
        return Reconciliation(shown, None, None, tolerance, None)
    difference = computed - stated
    return Reconciliation(shown, computed, difference, tolerance, abs(difference) <= tolerance)
