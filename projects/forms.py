"""Admin forms: amounts entered the way staff write them, citations located in their text."""

import re
from decimal import Decimal

from django import forms

from .models import (
    Citation,
    IndicatorValue,
    PortfolioEntry,
    Project,
    ReportFormat,
    ReportSchedule,
    default_formats,
)
from .money import from_base, to_base
from .provenance import QuoteNotFound, locate_quote

CENT = Decimal("0.01")


class AmountInputMixin:
    """Shows and takes amounts in the scale chosen beside them (106 亿元), stores base units.

    `amount_fields` maps each amount field to its scale field.
    """

    amount_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field, scale_field in self.amount_fields.items():
            if field not in self.fields:
                continue
            model_field = self.fields[field]
            self.fields[field] = forms.DecimalField(
                label=model_field.label.replace("(元)", ""),
                required=model_field.required,
                max_digits=24,
                decimal_places=8,
                min_value=getattr(model_field, "min_value", None),
                help_text="按所选单位填写,如106并选“亿元”",
            )
            value, scale = getattr(self.instance, field), getattr(self.instance, scale_field)
            if value is not None and scale:
                self.initial[field] = from_base(value, scale)

    def clean(self) -> dict:
        cleaned = super().clean()
        for field, scale_field in self.amount_fields.items():
            value, scale = cleaned.get(field), cleaned.get(scale_field)
            if value is None or field not in self.fields:
                continue
            if not scale:
                continue  # not an amount (an indicator counted in 个 or %)
            base = to_base(value, int(scale))
            if base != base.quantize(CENT):
                self.add_error(field, "金额最多精确到分")
                continue
            cleaned[field] = base.quantize(CENT)
        return cleaned


class ProjectForm(AmountInputMixin, forms.ModelForm):
    amount_fields = {"total_investment": "total_investment_scale"}

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

    class Meta:
        model = PortfolioEntry
        fields = ["portfolio", "project", "planned_investment", "planned_investment_scale", "citations"]


class IndicatorValueForm(AmountInputMixin, forms.ModelForm):
    amount_fields = {"value": "scale", "value_upper": "scale"}

    class Meta:
        model = IndicatorValue
        fields = [
            "zone",
            "portfolio",
            "project",
            "enterprise",
            "metric",
            "year",
            "start_month",
            "end_month",
            "kind",
            "value",
            "value_upper",
            "scale",
            "currency",
            "qualifier",
            "yoy_growth",
            "rank",
            "rank_scope",
            "share",
            "share_scope",
            "note",
            "citations",
        ]


class CitationForm(forms.ModelForm):
    """Staff paste the sentence; the offsets are found in the document's text."""

    class Meta:
        model = Citation
        fields = ["document", "quote", "start"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].required = False
        self.fields["start"].help_text = "留空则自动查找;原文在全文中出现多次时须填写"

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
        label="格式",
        choices=ReportFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=default_formats,
    )
    recipients = forms.CharField(
        label="收件人",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 50}),
        help_text="电子邮箱地址,每行一个(也可用逗号或分号分隔);留空则只生成、不发送",
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
