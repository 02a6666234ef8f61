"""Query parameters of the list endpoints (django-filter), described in Chinese and English.

A zone is given by id or by name (short name, full name or alias) and always includes its
sub-zones: ?zone=上饶市 lists the projects of 上饶经开区 and 综合园 too. A zone, metric, industry or
category that does not exist, or a period that cannot be read, is a 400 saying so, not an empty
list.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.utils import translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import BooleanFilter, DjangoFilterBackend
from rest_framework import filters as drf_filters
from rest_framework.exceptions import ErrorDetail, ValidationError

from projects.i18n import Text, is_english
from projects.models import (
    Campaign,
    Citation,
    Enterprise,
    FlowOrStock,
    IndicatorValue,
    Industry,
    Metric,
    Milestone,
    MilestoneKind,
    Portfolio,
    PortfolioEntry,
    Project,
    ProjectCategory,
    SourceDocument,
    Stage,
    UnitKind,
    ValueKind,
    Zone,
    ZoneKind,
)
from projects.periods import MilestoneStatus, Period, PeriodParseError, parse_period

from .exceptions import BilingualValidationError

# vocabulary: the forms of a period projects.periods reads, shown as the sources write them
PERIOD_FORMS = "2022年1-5月、1-5月、一季度、上半年、前三季度、全年、截至5月底"
# vocabulary: examples of periods as the sources write them
PERIOD_EXAMPLES = "“2022年1-5月”“一季度”“上半年”“截至5月底”"


def unreadable(error: Exception, english: Text) -> str:
    """Why a text could not be read, in the active language: in Chinese the parser's own reason
    (projects.periods and projects.provenance give theirs in Chinese only), in English `english`
    (the API renders an error a second time in English)."""
    return str(english) if is_english() else str(error)


def unreadable_period(error: PeriodParseError, text: str) -> str:
    """A period that projects.periods cannot read, in the active language."""
    return unreadable(
        error, format_lazy(_("无法识别的时段“{text}”:可写作 {forms},可带年份"), text=text, forms=PERIOD_FORMS)
    )


MONTH_FORMAT = _("请按 YYYY-MM 写月份,如 2022-05")


def unreadable_month(error: PeriodParseError) -> str:
    """A year and month that projects.periods cannot read, in the active language."""
    return unreadable(error, MONTH_FORMAT)


def listed(choices: Any) -> Any:
    """The choices as a description lists them, "value label、value label", in the language active
    when it is shown."""

    def render() -> str:
        pair = gettext("{value} {label}")
        return gettext("、").join(pair.format(value=value, label=label) for value, label in choices)

    return lazy(render, str)()


class LookupFailed(ValueError):
    """A row named by id or name that is not among those the user may read."""

    def __init__(self, code: str, message: Text) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def parse_id(text: str) -> int | None:
    """An id written in ASCII digits, else None: "³" and "१२" are digits but no id, and no id has
    more than 19 digits (int() refuses 4,300 and more)."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 19 else None


def lookup_zone(value: object, zones: QuerySet | None = None) -> Zone:
    """The zone with this id, or with this name, full name or alias, among `zones` (the zones the
    user may read: one they may not is unknown, exactly as one that does not exist)."""
    zones = Zone.objects.all() if zones is None else zones
    text = str(value).strip()
    if text.isascii() and text.isdecimal():  # an id; "१२" is a name (and no zone's)
        pk = parse_id(text)
        zone = zones.filter(pk=pk).first() if pk is not None else None
        if zone is None:
            raise LookupFailed("unknown_zone", format_lazy(_("没有ID为{id}的区域"), id=text))
        return zone
    found = list(zones.matching(text)[:2])
    if not found:
        raise LookupFailed(
            "unknown_zone", format_lazy(_("没有名为“{name}”的区域(按简称、全称或别名查找)"), name=text)
        )
    if len(found) > 1:
        raise LookupFailed(
            "ambiguous_zone", format_lazy(_("名称“{name}”对应多个区域,请改用区域ID"), name=text)
        )
    return found[0]


def lookup_named(
    model: type[Model], value: object, name_field: str = "name", rows: QuerySet | None = None
) -> Model:
    """The row of `model` with this id, or with this name (or code), among `rows` (those the user
    may read)."""
    rows = model._default_manager.all() if rows is None else rows
    text = str(value).strip()
    pk = parse_id(text)
    lookup = {"pk": pk} if pk is not None else {name_field: text}
    found = rows.filter(**lookup).first()
    if found is None:
        raise LookupFailed(
            f"unknown_{model._meta.model_name}",
            format_lazy(_("没有“{text}”这一{model}"), text=text, model=model._meta.verbose_name),
        )
    return found


# ---------------------------------------------------------------------------------------------
# Form fields and filters


class LookupField(forms.CharField):
    """A query parameter naming a row by id or name; cleans to the row."""

    def __init__(self, *args: Any, lookup: Any, **kwargs: Any) -> None:
        self.lookup = lookup
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return self.lookup(value)
        except LookupFailed as failure:
            raise forms.ValidationError(str(failure.message), code=failure.code) from None


class ZoneFilter(django_filters.CharFilter):
    """Rows of the zone or any of its sub-zones, through one or several zone lookups (an
    indicator value belongs to a zone through any of its four subjects)."""

    field_class = LookupField

    def __init__(self, *args: Any, paths: tuple[str, ...] = ("zone",), **kwargs: Any) -> None:
        self.paths = paths
        kwargs.setdefault("lookup", lookup_zone)
        super().__init__(*args, **kwargs)

    def restrict(self, user: Any) -> None:
        self.extra["lookup"] = partial(lookup_zone, zones=Zone.objects.restrict(user))

    def filter(self, qs: QuerySet, value: Zone | None) -> QuerySet:
        if value is None:
            return qs
        ids = Zone.objects.subtree_ids(value)
        condition = Q()
        for path in self.paths:
            condition |= Q(**{f"{path}__in": ids})
        qs = qs.filter(condition)
        return qs.distinct() if self.distinct else qs


class NamedFilter(django_filters.CharFilter):
    """Rows related to the row named by id or name (`name_field`, e.g. a metric's code)."""

    field_class = LookupField

    def __init__(self, *args: Any, model: type[Model], name_field: str = "name", **kwargs: Any) -> None:
        # Not `model`: django-filter sets that of every filter to its filter set's model.
        self.target, self.name_field = model, name_field
        kwargs.setdefault("lookup", partial(lookup_named, model, name_field=name_field))
        super().__init__(*args, **kwargs)

    def restrict(self, user: Any) -> None:
        rows = self.target._default_manager.restrict(user)
        self.extra["lookup"] = partial(lookup_named, self.target, name_field=self.name_field, rows=rows)

    def filter(self, qs: QuerySet, value: Model | None) -> QuerySet:
        if value is None:
            return qs
        qs = qs.filter(**{self.field_name: value})
        return qs.distinct() if self.distinct else qs


class YearFilter(django_filters.NumberFilter):
    """A calendar year, 1-9999: a date's year lookup cannot be built for year 0 or 10000 (a 400,
    not a server error)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class PeriodFilter(django_filters.CharFilter):
    """Values stated for exactly this period; the form has parsed the text into a Period."""

    def filter(self, qs: QuerySet, value: Period | None) -> QuerySet:
        if not isinstance(value, Period):
            return qs
        return qs.filter(year=value.year, start_month=value.start_month, end_month=value.end_month)


class IncludeRestatedFilter(BooleanFilter):  # DRF's flavour: reads 1/0 as well as true/false
    """Values replaced by a restatement (更正) are left out unless asked for: reports count the
    current values, and so does a list by default."""

    def filter(self, qs: QuerySet, value: bool | None) -> QuerySet:
        return qs if value else qs.current()


class PeriodForm(forms.Form):
    """Reads ?period=… with parse_period; a period without a year takes ?year=…"""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        text = cleaned.get("period")
        if text:
            try:
                cleaned["period"] = parse_period(text, year=cleaned.get("year"))
            except PeriodParseError as error:
                self.add_error(
                    "period", forms.ValidationError(unreadable_period(error, text), code="invalid_period")
                )
        return cleaned


def choices_help(what: Text, choices: Any) -> Any:
    """A description naming the field (`what`) and listing its choices."""
    return format_lazy(_("{what}:{choices}"), what=what, choices=listed(choices))


ZONE_HELP = _("区域ID或名称(简称、全称、别名),含其下级区域")
YEAR_HELP = _("年度,如2022")


# ---------------------------------------------------------------------------------------------
# Filter sets


class RestrictedFilterSet(django_filters.FilterSet):
    """A filter set whose filters naming a row (by id or name) choose among the rows the user may
    read (QuerySet.restrict): a zone, project or portfolio of another zone is "unknown", exactly
    as one that does not exist, so a filter cannot tell whether it exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # self.filters is this instance's deep copy
        user = getattr(self.request, "user", None) or AnonymousUser()
        for filter_ in self.filters.values():
            if isinstance(getattr(filter_, "queryset", None), QuerySet):  # ModelChoiceFilter & co.
                filter_.queryset = filter_.queryset.restrict(user)
            if hasattr(filter_, "restrict"):
                filter_.restrict(user)


class ZoneFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(
        paths=("pk",), help_text=_("区域ID或名称(简称、全称、别名),含其下级区域;返回该区域本身及下级")
    )
    parent = ZoneFilter(paths=("parent",), help_text=_("上级区域ID或名称,列出其全部下级区域"))
    kind = django_filters.MultipleChoiceFilter(
        choices=ZoneKind.choices, distinct=False, help_text=choices_help(_("区域类型"), ZoneKind.choices)
    )

    class Meta:
        model = Zone
        fields = ["zone", "parent", "kind"]


class EnterpriseFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(help_text=ZONE_HELP)
    industry = NamedFilter(
        field_name="industries",
        model=Industry,
        distinct=True,
        help_text=_("产业链ID或名称"),
    )

    class Meta:
        model = Enterprise
        fields = ["zone", "industry"]


class ProjectFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(help_text=ZONE_HELP)
    # A choice of a row's own column joins nothing: no DISTINCT (django-filter's default for
    # multiple choices), which would make PostgreSQL sort whole rows for the page and its count.
    stage = django_filters.MultipleChoiceFilter(
        choices=Stage.choices,
        distinct=False,
        help_text=choices_help(_("项目阶段(可多选)"), Stage.choices),
    )
    industry = NamedFilter(
        field_name="industries",
        model=Industry,
        distinct=True,
        help_text=_("产业链ID或名称"),
    )
    category = NamedFilter(
        field_name="categories",
        model=ProjectCategory,
        distinct=True,
        help_text=_("项目类别ID或名称"),
    )
    enterprise = NamedFilter(model=Enterprise, help_text=_("建设主体(企业)ID或名称"))
    portfolio = django_filters.ModelChoiceFilter(
        field_name="portfolios",
        queryset=Portfolio.objects.all(),
        distinct=True,
        help_text=_("调度清单ID:清单内的项目"),
    )
    total_investment_min = django_filters.NumberFilter(
        field_name="total_investment",
        lookup_expr="gte",
        help_text=_("总投资下限(元,含)"),
    )
    total_investment_max = django_filters.NumberFilter(
        field_name="total_investment",
        lookup_expr="lte",
        help_text=_("总投资上限(元,含)"),
    )

    class Meta:
        model = Project
        fields = [
            "zone",
            "stage",
            "industry",
            "category",
            "enterprise",
            "portfolio",
            "total_investment_min",
            "total_investment_max",
        ]


class MilestoneFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(
        paths=("project__zone",), help_text=_("区域ID或名称(简称、全称、别名),含其下级区域(按项目所在区域)")
    )
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), help_text=_("项目ID"))
    kind = django_filters.MultipleChoiceFilter(
        choices=MilestoneKind.choices,
        distinct=False,
        help_text=choices_help(_("节点类型"), MilestoneKind.choices),
    )
    status = django_filters.MultipleChoiceFilter(
        field_name="status_code",
        choices=MilestoneStatus.choices,
        distinct=False,
        help_text=choices_help(_("节点状态(按今天计算)"), MilestoneStatus.choices),
    )
    planned_year = YearFilter(field_name="planned_date", lookup_expr="year", help_text=_("计划日期所在年度"))
    actual_year = YearFilter(field_name="actual_date", lookup_expr="year", help_text=_("实际日期所在年度"))

    class Meta:
        model = Milestone
        fields = ["zone", "project", "kind", "status", "planned_year", "actual_year"]


class PortfolioFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(help_text=ZONE_HELP)
    year = YearFilter(help_text=YEAR_HELP)
    category = NamedFilter(model=ProjectCategory, help_text=_("项目类别ID或名称"))

    class Meta:
        model = Portfolio
        fields = ["zone", "year", "category"]


class PortfolioEntryFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(
        paths=("portfolio__zone",), help_text=_("区域ID或名称(简称、全称、别名),含其下级区域(按清单所属区域)")
    )
    portfolio = django_filters.ModelChoiceFilter(queryset=Portfolio.objects.all(), help_text=_("调度清单ID"))
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), help_text=_("项目ID"))
    year = YearFilter(field_name="portfolio__year", help_text=_("清单年度"))

    class Meta:
        model = PortfolioEntry
        fields = ["zone", "portfolio", "project", "year"]


class MetricFilterSet(RestrictedFilterSet):
    unit_kind = django_filters.ChoiceFilter(
        choices=UnitKind.choices, help_text=choices_help(_("计量类型"), UnitKind.choices)
    )
    flow_or_stock = django_filters.ChoiceFilter(
        choices=FlowOrStock.choices, help_text=choices_help(_("流量或存量"), FlowOrStock.choices)
    )

    class Meta:
        model = Metric
        fields = ["unit_kind", "flow_or_stock"]


class IndicatorValueFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(
        paths=("zone", "portfolio__zone", "project__zone", "enterprise__zone"),
        help_text=_("区域ID或名称(简称、全称、别名),含其下级区域;含区域内清单、项目、企业的数值"),
    )
    portfolio = django_filters.ModelChoiceFilter(queryset=Portfolio.objects.all(), help_text=_("调度清单ID"))
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), help_text=_("项目ID"))
    enterprise = NamedFilter(model=Enterprise, help_text=_("企业ID或名称"))
    metric = NamedFilter(model=Metric, name_field="code", help_text=_("指标代码或ID"))
    year = YearFilter(help_text=YEAR_HELP)
    period = PeriodFilter(
        help_text=format_lazy(_("时段,如{examples};不写年份时取 year 参数"), examples=PERIOD_EXAMPLES)
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=ValueKind.choices,
        distinct=False,
        help_text=choices_help(_("数值类型(可多选)"), ValueKind.choices),
    )
    end_month = django_filters.NumberFilter(help_text=_("截止月(1-12)"))
    include_restated = IncludeRestatedFilter(
        help_text=_("为 1 时连同已被更正的原数值一并列出(默认只列当前有效的数值)")
    )

    class Meta:
        model = IndicatorValue
        form = PeriodForm
        fields = [
            "zone",
            "portfolio",
            "project",
            "enterprise",
            "metric",
            "year",
            "period",
            "kind",
            "end_month",
            "include_restated",
        ]


class CampaignFilterSet(RestrictedFilterSet):
    zone = ZoneFilter(
        paths=("zones",), distinct=True, help_text=_("区域ID或名称(简称、全称、别名),含其下级区域(参与区域)")
    )
    year = YearFilter(help_text=YEAR_HELP)

    class Meta:
        model = Campaign
        fields = ["zone", "year"]


class SourceDocumentFilterSet(RestrictedFilterSet):
    published_year = YearFilter(field_name="published_on", lookup_expr="year", help_text=_("发布年度"))

    class Meta:
        model = SourceDocument
        fields = ["published_year"]


class CitationFilterSet(RestrictedFilterSet):
    document = NamedFilter(model=SourceDocument, name_field="key", help_text=_("来源文档ID或标识"))

    class Meta:
        model = Citation
        fields = ["document"]


# ---------------------------------------------------------------------------------------------
# Backends


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with its 400s in Chinese and English."""

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            with translation.override("en"):
                english = self.get_filterset(request, queryset, view)
                english.is_valid()
                english_errors = ValidationError(_form_errors(english)).detail
            raise BilingualValidationError(_form_errors(filterset), english_errors)
        return filterset.qs


def _form_errors(filterset: django_filters.FilterSet) -> dict[str, list[ErrorDetail]]:
    return {
        field: [
            ErrorDetail(str(e.message % e.params if e.params else e.message), code=e.code or "invalid")
            for e in errors.as_data()
        ]
        for field, errors in filterset.form.errors.items()
    }


class SearchFilter(drf_filters.SearchFilter):
    search_description = _("搜索词,按名称等字段模糊匹配")


class OrderingFilter(drf_filters.OrderingFilter):
    """DRF's ordering, ending with the primary key so that pages never overlap or skip rows."""

    ordering_description = _("排序字段,逗号分隔,前加“-”为降序,如 -total_investment")

    def get_ordering(self, request: Any, queryset: QuerySet, view: Any) -> list[str]:
        ordering = list(
            super().get_ordering(request, queryset, view)
            or queryset.query.order_by
            or queryset.model._meta.ordering
        )
        return ordering if {"pk", "-pk", "id", "-id"} & set(ordering) else [*ordering, "pk"]
