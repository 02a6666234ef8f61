"""Zones, industries, project categories and enterprises."""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from projects.models import (
    Enterprise,
    Industry,
    ProjectCategory,
    Zone,
)

from .base import Audited, ResourceSerializer, ZoneField, _choices, _names
from .sources import CitedSerializer

# vocabulary: examples of the register's names, as the sources write them
EXAMPLES = {"zone": "上饶经开区", "industry": "光伏新能源", "category": "省大中型项目"}

# ---------------------------------------------------------------------------------------------
# Zones, industries, enterprises


class DisplayField(serializers.CharField):
    """A choice's label (source "get_<field>_display"), read only. Calls the method directly:
    DRF inspects a callable source's signature on every value, a third of a project page's time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance: Any) -> str:
        return getattr(instance, self.source)()


class ZoneSerializer(Audited, CitedSerializer):
    parent = ZoneField(allow_null=True, required=False)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    kind_display = DisplayField(source="get_kind_display")
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="alias", many=True, read_only=True)
    industry_names = _names("industries")

    class Meta:
        model = Zone
        fields = [
            "id",
            "name",
            "full_name",
            "kind",
            "kind_display",
            "parent",
            "parent_name",
            "children",
            "aliases",
            "area_km2",
            "industries",
            "industry_names",
            "description",
            "citations",
            "citation_ids",
            "change_reason",
        ]

    help_texts = {
        "name": format_lazy(_("区域简称,如{example}"), example=EXAMPLES["zone"]),
        "full_name": _("全称,如上饶经济技术开发区"),
        "kind": _choices(_("区域类型"), Zone, "kind"),
        "parent": _("上级区域ID(写入时也可填名称)"),
        "parent_name": _("上级区域简称"),
        "children": _("直接下级区域ID"),
        "aliases": _("别名,如南昌经开区又称赣江新区经开组团"),
        "area_km2": _("面积(平方公里)"),
        "industries": _("主导产业链ID"),
        "industry_names": _("主导产业链名称"),
    }


class IndustrySerializer(CitedSerializer):
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Industry
        fields = ["id", "name", "parent", "parent_name", "description", "citations", "citation_ids"]

    help_texts = {
        "name": format_lazy(_("产业链名称,如{example}"), example=EXAMPLES["industry"]),
        "parent": _("上级产业链ID"),
        "parent_name": _("上级产业链名称"),
    }


class ProjectCategorySerializer(ResourceSerializer):
    class Meta:
        model = ProjectCategory
        fields = ["id", "name", "description"]

    help_texts = {
        "name": format_lazy(_("项目类别名称,如{example}"), example=EXAMPLES["category"]),
        "description": _("分类标准,如投资额门槛"),
    }


class EnterpriseSerializer(CitedSerializer):
    zone = ZoneField(allow_null=True, required=False)
    zone_name = serializers.CharField(source="zone.name", read_only=True, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    industry_names = _names("industries")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "short_name",
            "parent",
            "parent_name",
            "zone",
            "zone_name",
            "industries",
            "industry_names",
            "description",
            "citations",
            "citation_ids",
        ]

    help_texts = {
        "name": _("企业名称(文中最完整的称呼)"),
        "short_name": _("简称"),
        "parent": _("母公司ID"),
        "parent_name": _("母公司名称"),
    }
