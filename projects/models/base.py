"""What every model of the tracker shares: the calendar and number bounds of its fields, the
queryset narrowed to what a user may do, optimistic versions, and the natural-key manager."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, models, router, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..periods import MAX_YEAR, MIN_YEAR, is_period_start

# The register's calendar (the years of projects.periods): a date or year outside it is a typing
# error (0001-01-01, 20220101 read as a year), refused wherever it is entered: admin, API, imports.
DATE_RANGE_MESSAGE = format_lazy(
    _("日期须在{min_year}-01-01至{max_year}-12-31之间"), min_year=MIN_YEAR, max_year=MAX_YEAR
)
DATE_RANGE = [
    MinValueValidator(date(MIN_YEAR, 1, 1), message=DATE_RANGE_MESSAGE),
    MaxValueValidator(date(MAX_YEAR, 12, 31), message=DATE_RANGE_MESSAGE),
]
YEAR_RANGE = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]

AMOUNT = {"max_digits": 20, "decimal_places": 2}  # base units (元 / US$), up to 10^18
VALUE = {"max_digits": 24, "decimal_places": 4}  # amounts, counts, percents, scores
PERCENT = {"max_digits": 9, "decimal_places": 4}


def natural_filter(**lookups: object) -> dict[str, object]:
    """Lookups for get_by_natural_key in which None means "is empty"."""
    return {
        (f"{field}__isnull" if value is None else field): (True if value is None else value)
        for field, value in lookups.items()
    }


def fuzzy_date_errors(obj: models.Model, *pairs: tuple[str, str]) -> dict[str, ValidationError]:
    """Validation errors of (date field, precision field) pairs: a date needs its precision and
    is stored as the first day of its period."""
    errors = {}
    for date_field, precision_field in pairs:
        day, precision = getattr(obj, date_field), getattr(obj, precision_field)
        if day and not precision:
            errors[precision_field] = ValidationError(_("填写日期时须选择精度"), code="precision_required")
        elif day and not is_period_start(day, precision):
            errors[date_field] = ValidationError(
                _("按月、季度、半年或年填写时,日期应为该时段的第一天"), code="not_period_start"
            )
    return errors


# ---------------------------------------------------------------------------------------------
# Constraints whose violation is an error of one field


class FieldConstraint:
    """A constraint whose violation is an error of `field` (None: of the whole row), as a form,
    the admin and the API show it. `field` lives in Python only: deconstruct() gives Django's own
    class (`django_path`), so migrations hold plain Django constraints, and the constraint equals
    its plain twin. Django renders violation_error_message as a %-template (%(name)s): a literal
    percent sign is written %%."""

    django_path: str

    def __init__(self, *args: Any, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field = field

    def validate(
        self,
        model: type[models.Model],
        instance: models.Model,
        exclude: set[str] | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)  # type: ignore[misc]
        except ValidationError as error:
            if self.field is None:
                raise
            raise ValidationError({self.field: [error]}) from None

    def deconstruct(self) -> tuple[str, Sequence[Any], dict[str, Any]]:
        _path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return self.django_path, args, kwargs

    def clone(self) -> Any:
        _path, args, kwargs = self.deconstruct()
        return type(self)(*args, field=self.field, **kwargs)


class FieldCheckConstraint(FieldConstraint, models.CheckConstraint):
    django_path = "django.db.models.CheckConstraint"


class FieldUniqueConstraint(FieldConstraint, models.UniqueConstraint):
    django_path = "django.db.models.UniqueConstraint"


# ---------------------------------------------------------------------------------------------
# Access


class RestrictedQuerySet(models.QuerySet):
    """Every queryset of the tracker's models can be narrowed to what a user may do with it:
    `Project.objects.restrict(user, "change")`. The rules (zone roles) live in projects.access,
    the one place that decides, for the API, the admin, imports, text entry and reports alike.
    access reads these models, so the models do not import it: the app's ready() hands its
    `restrict` in as `policy` (projects/apps.py), and no import loop exists."""

    policy: ClassVar[Callable[[models.QuerySet, Any, str], models.QuerySet] | None] = None

    def restrict(self, user, action: str = "view") -> models.QuerySet:
        """The rows `user` may see ("view"), change ("change") or delete ("delete")."""
        policy = RestrictedQuerySet.policy
        if policy is None:
            raise ImproperlyConfigured("projects.access has not been given to the models: is the app ready?")
        return policy(self, user, action)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


class NaturalKeyManager(RestrictedManager):
    """The manager of a model with a natural key (fixtures and seeds name rows by it): the lookups
    that find a row from the values of its `natural_key()`, in the same order, where None means
    "is empty". `NaturalKeyManager("zone__name", "name")`; a model with a queryset of its own
    uses `NaturalKeyManager.from_queryset(ItsQuerySet)(...)`."""

    def __init__(self, *lookups: str) -> None:
        super().__init__()
        self.natural_key_lookups = lookups

    def get_by_natural_key(self, *key: object) -> models.Model:
        if len(key) != len(self.natural_key_lookups):
            raise TypeError(
                f"get_by_natural_key() of {self.model.__name__} takes {len(self.natural_key_lookups)} "
                f"values ({', '.join(self.natural_key_lookups)}), {len(key)} given"
            )
        return self.get(**natural_filter(**dict(zip(self.natural_key_lookups, key, strict=True))))


# ---------------------------------------------------------------------------------------------
# Versions (optimistic concurrency)


STALE_MESSAGE = _("该记录已被他人修改,您的修改未保存。请重新打开记录,核对最新内容后再修改")


class StaleVersion(Exception):
    """A save based on a version of the record that someone else has since replaced."""

    def __init__(self, obj: models.Model) -> None:
        self.obj = obj
        super().__init__(STALE_MESSAGE)


class Versioned(models.Model):
    """Optimistic concurrency: every save of an existing row claims its version with a
    conditional UPDATE, so a save made on a stale copy is refused instead of overwriting.

    Forms and the API put the version the editor saw into `version` before saving.
    """

    version = models.PositiveIntegerField(
        _("版本"), default=1, editable=False, help_text=_("每次保存加一,用于发现他人同时所作的修改")
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self._state.adding or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        expected = self.version
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=expected)
                .update(version=expected + 1)
            )
            if not claimed:
                raise StaleVersion(self)
            self.version = expected + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            try:
                super().save(*args, **kwargs)
            except BaseException:
                self.version = expected
                raise
