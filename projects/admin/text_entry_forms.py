"""The forms of 从文本提取 (projects/admin/text_entry.py): the extract form (a text or a file and
what it is about) and the review page's row form, one per pending fact (FactForm: its fields
prefilled from the reading, its choices among the rows the user may pick)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access
from ..extraction import MAX_TEXT_LENGTH, CandidateKind
from ..forms import FuzzyDateField
from ..models import (
    ExtractedFact,
    Metric,
    MilestoneKind,
    Project,
    Stage,
    ValueKind,
    Zone,
)
from ..money import AmountParseError, AmountScale, Currency, ParsedAmount, parse_amount, parse_number
from ..periods import PeriodParseError, parse_period
from ..text_entry import (
    FIGURES,
    MAX_UPLOAD,
    MILESTONE_VALUE_KINDS,
    RECORDED_MEASURES,
    Draft,
    shown,
    text_of_upload,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CHOOSE = ("", _("—请选择—"))


class ExtractForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=300)
    zone = forms.ModelChoiceField(
        label=_("所属区域"),
        queryset=Zone.objects.none(),
        required=False,
        empty_label=_("(不指定,作为公共资料)"),
        help_text=_(
            "文中数字默认归属的区域;选择后该文本只有这一区域(及其上级区域)的人员可见。留空则作为公共资料"
        ),
    )
    subject_year = forms.IntegerField(
        label=_("所述年份"),
        min_value=1978,
        max_value=2100,
        required=False,
        help_text=_("文中“今年”“1-5月”等未写年份的时段和日期按此年份理解;留空则按发布日期的年份"),
    )
    publisher = forms.CharField(label=_("发布者"), max_length=200, required=False)
    published = FuzzyDateField(
        label=_("发布日期"), required=False, help_text=_("可写作2022年6月8日、2022年6月")
    )
    text = forms.CharField(
        label=_("正文"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100}),
        help_text=format_lazy(_("粘贴新闻报道、讲话或工作报告的全文,不超过{most}字"), most=MAX_TEXT_LENGTH),
    )
    upload = forms.FileField(
        label=_("上传文件"),
        required=False,
        help_text=_(".txt 文本文件(UTF-8 或 GB18030 编码)或 .docx Word 文档,不超过2MB;与正文二选一"),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zones = Zone.objects.restrict(user, "change").order_by("name")
        self.fields["zone"].queryset = zones
        if not self.is_bound:
            roots = access.zone_access(user).editor_roots
            if len(roots) == 1 and not user.is_superuser:
                self.initial["zone"] = next(iter(roots))

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(gettext("文件超过2MB,请分成几个文件录入"))
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        text, upload = cleaned.get("text") or "", cleaned.get("upload")
        if "upload" in self.errors:
            return cleaned
        if text.strip() and upload:
            raise forms.ValidationError(gettext("请只粘贴正文或只上传文件,不要同时提供"))
        if not text.strip() and not upload:
            raise forms.ValidationError(gettext("请粘贴正文或上传文件"))
        if not cleaned.get("subject_year") and not cleaned.get("published"):
            # A wrong year would date every 1-5月 of the text wrongly: never assume this year's.
            self.add_error(
                "subject_year", gettext("请填写文中所述年份(“今年”“1-5月”指哪一年),或填写发布日期")
            )
            return cleaned
        cleaned["file_name"] = ""
        if upload:
            try:
                cleaned["text"] = text_of_upload(name=upload.name, content=upload.read())
            except ValidationError as error:
                self.add_error("upload", error)
                return cleaned
            cleaned["file_name"] = upload.name
        if len(cleaned["text"]) > MAX_TEXT_LENGTH:
            self.add_error(
                "upload" if upload else "text",
                gettext("正文共{length}字,超过{most}字的上限,请分成几篇录入").format(
                    length=len(cleaned["text"]), most=MAX_TEXT_LENGTH
                ),
            )
        return cleaned


@dataclass
class Choices:
    """The options of the review page's dropdowns, loaded once for all its rows."""

    zones: dict[int, Zone]
    metrics: dict[int, Metric]
    projects: dict[int, Project]

    @staticmethod
    def options(rows: dict[int, Model], extra: Model | None = None) -> list[tuple[Any, StrOrPromise]]:
        found = dict(rows)
        if extra is not None:
            found.setdefault(extra.pk, extra)
        return [CHOOSE, *((pk, str(row)) for pk, row in found.items())]


class FactForm(forms.Form):
    """One pending fact's fields, prefilled from its draft (text_entry.fact_draft); `corrections()`
    gives what fact_accept takes. Prefixed by the fact, so that every row has its own names."""

    use_required_attribute = False  # 驳回 posts the row without filling it in
    confirm = forms.BooleanField(label=_("确认警告后采纳"), required=False)

    def __init__(self, *args, fact: ExtractedFact, draft: Draft, choices: Choices, superuser: bool, **kwargs):
        super().__init__(*args, prefix=f"f{fact.pk}", **kwargs)
        self.fact, self.draft, self.choices = fact, draft, choices
        values, missing = draft.values, draft.missing
        document = fact.document

        def required(name: str, label: str) -> dict:
            return {
                "error_messages": {
                    "required": missing.get(name) or gettext("请填写{field}").format(field=label)
                }
            }

        def select(name: str, label: str, rows: dict[int, Model], **kwargs) -> forms.TypedChoiceField:
            current = values.get(name)
            return forms.TypedChoiceField(
                label=label,
                choices=Choices.options(rows, current),
                coerce=int,
                empty_value=None,
                **{"required": True, **required(name, label), **kwargs},
            )

        initial: dict[str, Any] = {}
        if fact.kind in FIGURES:
            self.fields["zone"] = select("zone", gettext("区域"), choices.zones)
            self.fields["metric"] = select("metric", gettext("指标"), choices.metrics)
            self.fields["period"] = forms.CharField(
                label=gettext("时段"), max_length=40, **required("period", gettext("时段"))
            )
            self.fields["value_kind"] = forms.ChoiceField(
                label=gettext("数值类型"), choices=ValueKind.choices
            )
            self.fields["value"] = forms.CharField(
                label=gettext("数值"), max_length=50, **required("value", gettext("数值"))
            )
            self.fields["measure"] = forms.ChoiceField(
                label=gettext("性质"),
                choices=[CHOOSE, *RECORDED_MEASURES.items()],
                **required("measure", gettext("性质")),
            )
            initial["period"] = str(values["period"]) if values["period"] else ""
            initial["value"] = shown("value", values["value"]) if values["value"] is not None else ""
            initial.update(value_kind=values["value_kind"], measure=values["measure"])
        elif fact.kind == CandidateKind.PROJECT:
            self.fields["name"] = forms.CharField(label=gettext("名称"), max_length=200)
            self.fields["zone"] = select("zone", gettext("区域"), choices.zones, required=not superuser)
            self.fields["investment"] = forms.CharField(
                label=gettext("总投资"), max_length=50, required=False
            )
            self.fields["capacity"] = forms.CharField(label=gettext("产能"), max_length=300, required=False)
            self.fields["stage"] = forms.ChoiceField(
                label=gettext("阶段"), choices=[CHOOSE, *Stage.choices], required=False
            )
            initial.update(name=values["name"], capacity=values["capacity"], stage=values["stage"])
            initial["investment"] = str(values["investment"]) if values["investment"] else ""
        else:
            self.fields["project"] = select("project", gettext("项目"), choices.projects)
            self.fields["event"] = forms.ChoiceField(label=gettext("节点"), choices=MilestoneKind.choices)
            self.fields["date"] = FuzzyDateField(
                label=gettext("日期"),
                default_year=document.subject_year,
                help_text="",
                **required("date", gettext("日期")),
            )
            self.fields["value_kind"] = forms.ChoiceField(
                label=gettext("计划/实际"), choices=list(MILESTONE_VALUE_KINDS.items())
            )
            initial.update(event=values["event"], date=values["date"], value_kind=values["value_kind"])
        for name in ("zone", "metric", "project"):
            if name in self.fields and values.get(name) is not None:
                initial[name] = values[name].pk
        self.initial = initial
        for name, hint in missing.items():  # what the reader could not tell, said before it is asked
            if name in self.fields:
                self.fields[name].help_text = hint
        self.fields["confirm"] = self.fields.pop("confirm")  # last

    def clean(self) -> dict:
        cleaned = super().clean()
        subject_year = self.fact.document.subject_year
        if text := (cleaned.get("period") or "").strip():
            try:
                cleaned["period"] = parse_period(text, subject_year)
            except PeriodParseError as error:
                self.add_error("period", str(error))
        if text := (cleaned.get("value") or "").strip():
            cleaned["value"] = self._value(text, cleaned.get("measure"))
        if text := (cleaned.get("investment") or "").strip():
            default = self.draft.values.get("investment")
            try:
                cleaned["investment"] = parse_amount(
                    text, default.scale if default else AmountScale.YI, default.currency if default else None
                )
            except AmountParseError as error:
                self.add_error("investment", str(error))
        else:
            cleaned["investment"] = None
        return cleaned

    def _value(self, text: str, measure: str | None) -> ParsedAmount | object:
        if measure == "level" and self.fact.kind == CandidateKind.AMOUNT:
            default = self.draft.values.get("value")
            scale, currency = (
                (default.scale, default.currency) if isinstance(default, ParsedAmount) else (None, None)
            )
            try:
                return parse_amount(text, scale or AmountScale.YI, currency or Currency.CNY)
            except AmountParseError as error:
                self.add_error("value", str(error))
                return None
        unit = self.fact.reading.get("unit") or ""
        number = parse_number(text.removesuffix(unit) if unit else text)
        if number is None:
            self.add_error("value", gettext("请填写数字,如12.5;金额写明单位,如157.56亿元"))
        return number

    def corrections(self) -> dict[str, Any]:
        """The typed values of the row, for fact_accept."""
        data = self.cleaned_data
        lookup = {
            "zone": self.choices.zones,
            "metric": self.choices.metrics,
            "project": self.choices.projects,
        }
        found = {}
        for name in self.fields:
            if name == "confirm":
                continue
            value = data.get(name)
            if name in lookup:
                current = self.draft.values.get(name)
                value = current if current is not None and current.pk == value else lookup[name].get(value)
            elif name in ("capacity", "name"):
                value = (value or "").strip()
            found[name] = value
        return found
