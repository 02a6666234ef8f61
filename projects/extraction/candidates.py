"""What the extractor proposes: a candidate fact, with the exact words it was read from.

Plain values only, so that the admin stores them, the API returns them and the evaluation
scores them the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models.enums import TextChoices
from django.utils.translation import gettext_lazy as _


class CandidateKind(TextChoices):
    AMOUNT = "amount", _("金额")
    PERCENT = "percent", _("百分比")
    COUNT = "count", _("数量")
    QUANTITY = "quantity", _("实物量")
    RATIO = "ratio", _("倍数")
    SCORE = "score", _("分值")
    PERIOD = "period", _("时段")
    DATE = "date", _("日期")
    PROJECT = "project", _("项目")
    MILESTONE = "milestone", _("节点")


FIGURE_KINDS = frozenset(
    {
        CandidateKind.AMOUNT,
        CandidateKind.PERCENT,
        CandidateKind.COUNT,
        CandidateKind.QUANTITY,
        CandidateKind.RATIO,
        CandidateKind.SCORE,
    }
)
TIME_KINDS = frozenset({CandidateKind.PERIOD, CandidateKind.DATE})


class Measure(TextChoices):
    """What a figure says about its metric."""

    LEVEL = "level", _("数值")
    GROWTH = "growth", _("增速")
    DECLINE = "decline", _("降幅")
    SHARE = "share", _("占比")
    CHANGE = "change", _("增减量")


@dataclass(frozen=True)
class PeriodRef:
    """A cumulative period of a year (start_month None: a point in time, 截至5月底)."""

    year: int | None
    start_month: int | None
    end_month: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DateRef:
    """A date at its precision, stored as the first day of its period."""

    date: date | None
    precision: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "precision": self.precision,
            "text": self.text,
        }


@dataclass(frozen=True)
class Candidate:
    """One candidate fact. `quote == text[start:end]` of the text it was read from, and the
    sentence [sentence_start, sentence_end) holding it is what a citation of it quotes.

    For figures `value` is the number as written before the unit (157.56 of 157.56亿元) and
    `scale` what the unit's 万/亿 multiplies it by; `unit` is written as the text does (亿元, %,
    个百分点, 家, 万吨). For a project `name` is its name, for a milestone `event` its kind.
    """

    kind: str
    quote: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    value: Decimal | None = None
    value_upper: Decimal | None = None
    unit: str = ""
    scale: int | None = None
    currency: str = ""
    qualifier: str = ""
    measure: str = ""
    subject: str = ""
    subject_kind: str = ""
    metric: str = ""
    metric_code: str = ""
    value_kind: str = ""
    period: PeriodRef | None = None
    date: DateRef | None = None
    name: str = ""
    event: str = ""
    capacity: str = ""
    stage: str = ""
    investment: dict[str, Any] | None = field(default=None)

    @property
    def base_value(self) -> Decimal | None:
        """The value in base units: 1.5 at 亿元 → 150000000."""
        if self.value is None:
            return None
        return self.value * (self.scale or 1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: decimals as strings, dates in ISO form."""
        data = {
            name: getattr(self, name)
            for name in (
                "kind", "quote", "start", "end", "sentence_start", "sentence_end", "unit", "scale",
                "currency", "qualifier", "measure", "subject", "subject_kind", "metric",
                "metric_code", "value_kind", "name", "event", "capacity", "stage", "investment",
            )
        }  # fmt: skip
        data["value"] = _decimal_text(self.value)
        data["value_upper"] = _decimal_text(self.value_upper)
        data["period"] = self.period.to_dict() if self.period else None
        data["date"] = self.date.to_dict() if self.date else None
        return data


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"
