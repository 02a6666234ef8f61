"""The registry of the validation rules and how they are applied: Severity, Rule, Finding, the
batch Context, the `rule` decorator that registers a check in RULES, `check` (every finding for a
batch), `enforce` and `enforced` (a row's validation), and the helpers the rules share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, TextChoices
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..i18n import Text, in_english
from ..money import AmountScale, format_amount

COMPLETED_INVESTMENT = "completed_investment"
OUTLIER_FACTOR = Decimal(10)  # a value ten times above or below the usual is an outlier
OUTLIER_MIN_HISTORY = 3  # …judged only against at least three earlier values


class Severity(TextChoices):
    ERROR = "error", _("错误")
    WARNING = "warning", _("警告")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: Text
    applies_to: Text
    fields: dict[str, str]  # the model (class name) checked → the field its message belongs to
    message: Text  # str.format template, through gettext (Chinese; English in the catalogue)
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
    def text(self) -> Text:
        """The message, rendered in whichever language is active when it is read (its values
        too: a value that is itself a message follows the language)."""
        return format_lazy(self.rule.message, **self.params)

    @property
    def message(self) -> str:
        return str(self.text)

    @property
    def message_en(self) -> str:
        return in_english(self.text)

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule_id, "severity": self.severity, "field": self.field, "message": self.message}

    def as_validation_error(self) -> ValidationError:
        # No params: Django would format the message with them by `%` (and the text has its own
        # percent signs, 12.5%); the lazy text renders in the language of whoever reads it.
        return ValidationError(self.text, code=self.rule_id)


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
    title: Text,
    applies_to: Text,
    message: Text,
) -> Callable:
    def register(check: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, severity, title, applies_to, fields, message, check)
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
