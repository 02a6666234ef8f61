"""Portfolios (调度清单), their entries, and campaigns (攻坚行动) with their checkpoints."""

from __future__ import annotations

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


PORTFOLIO_ENTRY_HELP = {
    "portfolio": "调度清单ID / Portfolio id",
    "planned_investment": (
        "年度计划投资,以元为单位的十进制字符串 / Planned investment for the year in base units"
    ),
    "planned_investment_scale": SCALE,
    "planned_investment_display": (
        "年度计划投资,按来源写法(如3亿元) / Planned investment as the source writes it"
    ),
    "stage": f"项目阶段:{_choices(Project, 'stage')} / Stage of the project",
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
        "zone": "区域ID(写入时也可填名称) / Zone id (a name is accepted on input)",
        "name": "清单名称,如市级重点调度项目 / Portfolio name, e.g. 市级重点调度项目",
        "category": "项目类别ID / Project category id",
        "category_name": "项目类别名称 / Project category name",
        "entries": "清单内的项目及其年度计划投资 / Projects on the list with their planned investment",
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
        "name": "攻坚行动名称,如强攻二季度、确保双过半 / Campaign name",
        "zones": "参与区域ID(写入时也可填名称) / Participating zone ids (names are accepted on input)",
        "zone_names": "参与区域简称 / Participating zone names",
        "start_month": "起始月 / First month of the campaign",
        "end_month": "截止月 / Last month of the campaign",
        "checkpoint": "考核时点,如2022-06-30 / Checkpoint date, e.g. 2022-06-30",
        "required_share": (
            "考核时点应完成全年目标的百分比(双过半为50);有单列目标时为空 / Share of the annual target due "
            "at the checkpoint in percent (50 for 双过半); empty when a target of its own is set"
        ),
    }
