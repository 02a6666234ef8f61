"""Portfolios (调度清单), their entries, and campaigns (攻坚行动) with their checkpoints."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from projects.models import (
    Campaign,
    Portfolio,
    PortfolioEntry,
    Project,
)

from .base import (
    SCALE,
    VERSIONED,
    Checked,
    Described,
    RestrictedRelations,
    VersionedFields,
    ZoneField,
    _choices,
    _names,
)
from .sources import CitedSerializer

# ---------------------------------------------------------------------------------------------
# Portfolios


# vocabulary: a portfolio's name as the sources write it
PORTFOLIO_EXAMPLE = "市级重点调度项目"

PORTFOLIO_ENTRY_HELP = {
    "portfolio": _("调度清单ID"),
    "planned_investment": _("年度计划投资,以元为单位的十进制字符串"),
    "planned_investment_scale": SCALE,
    "planned_investment_display": _("年度计划投资,按来源写法(如3亿元)"),
    "stage": _choices(_("项目阶段"), Project, "stage"),
}


class PortfolioEntryBriefSerializer(RestrictedRelations, Described, serializers.ModelSerializer):
    """A project on a portfolio, nested in the portfolio."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    stage = serializers.CharField(source="project.stage", read_only=True)
    planned_investment_display = serializers.CharField(read_only=True)

    class Meta:
        model = PortfolioEntry
        fields = [
            "id",
            "project",
            "project_name",
            "stage",
            "planned_investment",
            "planned_investment_scale",
            "planned_investment_display",
        ]

    help_texts = PORTFOLIO_ENTRY_HELP


class PortfolioSerializer(VersionedFields, CitedSerializer):
    zone = ZoneField()
    zone_name = serializers.CharField(source="zone.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    entries = PortfolioEntryBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Portfolio
        fields = [
            "id",
            "zone",
            "zone_name",
            "name",
            "year",
            "category",
            "category_name",
            "description",
            "entries",
            "citations",
            "citation_ids",
            *VERSIONED,
        ]

    help_texts = {
        "zone": _("区域ID(写入时也可填名称)"),
        "name": format_lazy(_("清单名称,如{example}"), example=PORTFOLIO_EXAMPLE),
        "category": _("项目类别ID"),
        "category_name": _("项目类别名称"),
        "entries": _("清单内的项目及其年度计划投资"),
    }


class PortfolioEntrySerializer(VersionedFields, Checked, CitedSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    planned_investment_display = serializers.CharField(read_only=True)

    class Meta:
        model = PortfolioEntry
        fields = [
            "id",
            "portfolio",
            "project",
            "project_name",
            "planned_investment",
            "planned_investment_scale",
            "planned_investment_display",
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]

    help_texts = PORTFOLIO_ENTRY_HELP


# ---------------------------------------------------------------------------------------------
# Campaigns


class CampaignSerializer(CitedSerializer):
    zones = ZoneField(many=True, required=False)
    zone_names = _names("zones")
    period_display = serializers.CharField(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "year",
            "zones",
            "zone_names",
            "start_month",
            "end_month",
            "period_display",
            "checkpoint",
            "required_share",
            "description",
            "citations",
            "citation_ids",
        ]

    help_texts = {
        "name": _("攻坚行动名称,如强攻二季度、确保双过半"),
        "zones": _("参与区域ID(写入时也可填名称)"),
        "zone_names": _("参与区域简称"),
        "start_month": _("起始月"),
        "end_month": _("截止月"),
        "checkpoint": _("考核时点,如2022-06-30"),
        "required_share": _("考核时点应完成全年目标的百分比(双过半为50);有单列目标时为空"),
    }
