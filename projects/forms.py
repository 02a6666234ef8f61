"""Admin forms: amounts and dates entered the way staff write them, citations located in their text."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .indicator_fields import ENTERED_FIELDS, PERIOD_FIELDS
from .models import (
    Citation,
    IndicatorValue,
    PortfolioEntry,
    Project,
    ReportFormat,
    ReportSchedule,
    default_formats,
)
from .money import AmountParseError, Currency, from_base, parse_amount, parse_number, plain
from .periods import DatePrecision, PeriodParseError, format_date, parse_date, parse_period
from .provenance import QuoteNotFound, locate_quote

AMOUNT_HELP = _("可写作106亿元、274.82万元、1.74亿美元、约106亿元;只填数字时按所选单位")
AMOUNT_OR_NUMBER_HELP = _(
    "可写作106亿元、274.82万元、1.74亿美元、约106亿元;只填数字时按所选单位;非金额指标只填数字"
)
# The unit at the end of an amount's label, “总投资(元)”: the input is shown in its own unit.
UNIT_SUFFIX = re.compile(r"\s*[((][^()()]*[))]$")


def without_unit(label: object) -> str:
    """An amount field's label without its unit in brackets (总投资(元) → 总投资)."""
    return UNIT_SUFFIX.sub("", str(label))


class AmountInputMixin:
    """Takes amounts as staff type them (106亿元, 约274.82万元, or 106 with 亿元 chosen beside it),
    shows them in their scale (106 with 亿元 selected), stores base units.

    `amount_fields` maps each amount field to its scale field; a unit, currency or qualifier
    typed in the text wins over the one chosen beside it and is stored in `currency_field` and
    `qualifier_fields`. A form without a currency field states it through `fixed_currency`.
    """

    amount_fields: dict[str, str] = {}
    currency_field: str | None = None
    qualifier_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field, scale_field in self.amount_fields.items():
            if field not in self.fields:
                continue
            model_field = self.fields[field]
            scale_optional = not self._scale_required(scale_field)
            self.fields[field] = forms.CharField(
                label=without_unit(model_field.label),
                required=model_field.required,
                max_length=50,
                help_text=AMOUNT_OR_NUMBER_HELP if scale_optional else AMOUNT_HELP,
            )
            value, scale = getattr(self.instance, field), getattr(self.instance, scale_field)
            if value is not None:
                # a string, so that an untouched input does not count as a change
                self.initial[field] = str(from_base(value, scale) if scale else plain(value))

    def _scale_required(self, scale_field: str) -> bool:
        """False where a figure may be no amount at all (an indicator counted in 个 or %)."""
        return scale_field not in self.fields or self.fields[scale_field].required

    def fixed_currency(self, cleaned: dict) -> str | None:
        """The currency when the form has no currency field to set (an entry's is its project's)."""
        return getattr(self.instance, self.currency_field, None) if self.currency_field else None

    def clean(self) -> dict:
        cleaned = super().clean()
        self._units_used: dict[str, tuple[str, int | None]] = {}  # scale field → (amount field, scale)
        self._currency_used: tuple[str, str] | None = None  # (amount field, currency)
        for field, scale_field in self.amount_fields.items():
            if field in self.fields and field in cleaned:
                try:
                    self._clean_amount(cleaned, field, scale_field)
                except ValidationError as error:
                    self.add_error(field, error)
        return cleaned

    def _clean_amount(self, cleaned: dict, field: str, scale_field: str) -> None:
        """Read one amount input into base units; keep the unit, currency and qualifier it states."""
        text = cleaned[field]
        if not text:
            cleaned[field] = None
            return
        if scale_field in self.fields:
            scale = cleaned.get(scale_field)
        else:
            scale = getattr(self.instance, scale_field)
        if self.currency_field in self.fields:
            currency = cleaned.get(self.currency_field)
        else:
            currency = self.fixed_currency(cleaned)
        if not scale and not self._scale_required(scale_field):
            number = parse_number(text)
            if number is not None:  # not an amount: a count or a percentage
                self._check_same_unit(field, scale_field, None)
                cleaned[field] = number
                return
        try:
            amount = parse_amount(text, scale or None, currency or None)
        except AmountParseError as error:
            raise ValidationError(str(error), code="invalid") from None
        self._check_same_unit(field, scale_field, amount.scale)
        if self.currency_field in self.fields:
            other, other_currency = self._currency_used = self._currency_used or (field, amount.currency)
            if amount.currency != other_currency:
                raise ValidationError(
                    gettext("与“{other}”的币种不一致").format(other=self.fields[other].label), code="currency"
                )
            cleaned[self.currency_field] = amount.currency
        elif currency and amount.currency != currency:
            raise ValidationError(
                gettext("币种须为{currency}").format(currency=Currency(currency).label), code="currency"
            )
        if amount.qualifier:
            if self.qualifier_fields.get(field) not in self.fields:
                raise ValidationError(gettext("此栏不填限定词(约、超、余等)"), code="qualifier")
            cleaned[self.qualifier_fields[field]] = amount.qualifier
        cleaned[scale_field] = amount.scale
        cleaned[field] = amount.value

    def _check_same_unit(self, field: str, scale_field: str, scale: int | None) -> None:
        """Inputs sharing one scale field (a range's two ends) must be in the same unit."""
        other, other_scale = self._units_used.setdefault(scale_field, (field, scale))
        if scale != other_scale:
            raise ValidationError(
                gettext("与“{other}”的单位不一致,请用同一单位").format(other=self.fields[other].label),
                code="unit",
            )


# ---------------------------------------------------------------------------------------------
# Dates at their precision


class FuzzyDateField(forms.CharField):
    """A date as staff write it, at its precision (3月18日, 2022年3月, 四季度, 上半年, 2022年).

    Cleans to (first day of the period, DatePrecision), or None when left empty. Text without a
    year takes `default_year`, which the form sets to the year of the period being entered
    (`form.fields[name].default_year = 2022`); with neither, the input is refused.
    """

    def __init__(self, *, default_year: int | None = None, **kwargs) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", _("可写作3月18日、2022年3月、一季度、上半年、2022年"))
        super().__init__(**kwargs)
        self.default_year = default_year

    def prepare_value(self, value: object) -> object:
        """A stored (date, precision), or a plain date, shown the way reports write it."""
        if isinstance(value, tuple):
            return format_date(*value)
        if isinstance(value, date):
            return format_date(value, DatePrecision.DAY)
        return value

    def clean(self, value: object) -> tuple[date, str] | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_date(text, self.default_year)
        except PeriodParseError as error:
            raise ValidationError(str(error), code="invalid") from None

    def has_changed(self, initial: object, data: object) -> bool:
        return (self.prepare_value(initial) or "") != self.to_python(data)


class ProjectForm(AmountInputMixin, forms.ModelForm):
    amount_fields = {"total_investment": "total_investment_scale"}
    currency_field = "currency"
    qualifier_fields = {"total_investment": "total_investment_qualifier"}

    class Meta:
        model = Project
        fields = [
            "zone",
            "name",
            "enterprise",
            "stage",
            "industries",
            "categories",
            "total_investment",
            "total_investment_scale",
            "currency",
            "total_investment_qualifier",
            "capacity",
            "planned_start",
            "planned_start_precision",
            "planned_finish",
            "planned_finish_precision",
            "description",
            "citations",
        ]


class PortfolioEntryForm(AmountInputMixin, forms.ModelForm):
    amount_fields = {"planned_investment": "planned_investment_scale"}

    def fixed_currency(self, cleaned: dict) -> str | None:
        project = cleaned.get("project") or getattr(self.instance, "project", None)
        return project.currency if project is not None else None

    class Meta:
        model = PortfolioEntry
        fields = ["portfolio", "project", "planned_investment", "planned_investment_scale", "citations"]


class IndicatorValueForm(AmountInputMixin, forms.ModelForm):
    amount_fields = {"value": "scale", "value_upper": "scale"}
    currency_field = "currency"
    qualifier_fields = {"value": "qualifier"}

    period = forms.CharField(
        label=_("时段"),
        required=False,
        help_text=_(
            "可直接写 1-5月、一季度、上半年、前三季度、全年、截至5月底(按所填年度);填写后代替起始月和截止月"
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "end_month" in self.fields:
            self.fields["end_month"].required = False  # or given by the period

    def clean(self) -> dict:
        cleaned = super().clean()
        text = (cleaned.get("period") or "").strip()
        if text:
            try:
                period = parse_period(text, cleaned.get("year"))
            except PeriodParseError as error:
                self.add_error("period", str(error))
                return cleaned
            cleaned["year"], cleaned["start_month"], cleaned["end_month"] = (
                period.year,
                period.start_month,
                period.end_month,
            )
            for name in PERIOD_FIELDS:
                self.errors.pop(name, None)  # the period replaces what the boxes said
        elif cleaned.get("end_month") is None and "end_month" not in self.errors:
            self.add_error("end_month", gettext("请填写截止月,或在“时段”中写明,如1-5月"))
        return cleaned

    class Meta:
        model = IndicatorValue
        fields = [*ENTERED_FIELDS, "citations"]


class CitationForm(forms.ModelForm):
    """Staff paste the sentence; the offsets are found in the document's text."""

    class Meta:
        model = Citation
        fields = ["document", "quote", "start"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "start" in self.fields:  # a read-only page (a viewer's) has no fields to fill
            self.fields["start"].required = False
            self.fields["start"].help_text = gettext("留空则自动查找;原文在全文中出现多次时须填写")

    def clean(self) -> dict:
        cleaned = super().clean()
        document, quote = cleaned.get("document"), cleaned.get("quote")
        if document is None or not quote:
            return cleaned
        try:
            cleaned["start"] = locate_quote(document.text, quote, cleaned.get("start"))
        except QuoteNotFound as error:
            self.add_error("quote", str(error))
            return cleaned
        self.instance.end = cleaned["start"] + len(quote)
        return cleaned


class ReportScheduleForm(forms.ModelForm):
    """Formats as check boxes, recipients one address per line."""

    formats = forms.MultipleChoiceField(
        label=_("格式"),
        choices=ReportFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=default_formats,
    )
    recipients = forms.CharField(
        label=_("收件人"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 50}),
        help_text=_("电子邮箱地址,每行一个(也可用逗号或分号分隔);留空则只生成、不发送"),
    )

    class Meta:
        model = ReportSchedule
        fields = [
            "name",
            "zone",
            "portfolio",
            "campaign",
            "cadence",
            "due_day",
            "basis",
            "formats",
            "recipients",
            "active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["recipients"] = "\n".join(self.instance.recipients)

    def clean_formats(self) -> list[str]:
        return [value for value in ReportFormat.values if value in self.cleaned_data["formats"]]

    def clean_recipients(self) -> list[str]:
        text = self.cleaned_data["recipients"]
        return [part.strip() for part in re.split(r"[\s,;,;、]+", text) if part.strip()]
