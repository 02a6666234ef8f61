"""Zones, industries, project categories and enterprises."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from projects.models import (
    Enterprise,
    Industry,
    ProjectCategory,
    Zone,
)

from .base import Audited, ResourceSerializer, ZoneField, _choices, _names
from .sources import CitedSerializer

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
        "name": "区域简称,如上饶经开区 / Short name, e.g. 上饶经开区",
        "full_name": "全称,如上饶经济技术开发区 / Full name",
        "kind": f"区域类型:{_choices(Zone, 'kind')} / Kind of zone",
        "parent": "上级区域ID(写入时也可填名称) / Parent zone id (a name is accepted on input)",
        "parent_name": "上级区域简称 / Parent zone name",
        "children": "直接下级区域ID / Ids of the zones directly below",
        "aliases": "别名,如南昌经开区又称赣江新区经开组团 / Other names of the zone",
        "area_km2": "面积(平方公里) / Area in square kilometres",
        "industries": "主导产业链ID / Ids of the leading industrial chains",
        "industry_names": "主导产业链名称 / Names of the leading industrial chains",
    }


class IndustrySerializer(CitedSerializer):
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)

    class Meta:
        model = Industry
        fields = ["id", "name", "parent", "parent_name", "description", "citations", "citation_ids"]

    help_texts = {
        "name": "产业链名称,如光伏新能源 / Industrial chain, e.g. 光伏新能源",
        "parent": "上级产业链ID / Parent industry id",
        "parent_name": "上级产业链名称 / Parent industry name",
    }


class ProjectCategorySerializer(ResourceSerializer):
    class Meta:
        model = ProjectCategory
        fields = ["id", "name", "description"]

    help_texts = {
        "name": "项目类别名称,如省大中型项目 / Project category, e.g. 省大中型项目",
        "description": "分类标准,如投资额门槛 / What puts a project in the category",
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
        "name": "企业名称(文中最完整的称呼) / Enterprise name, as fully as the source gives it",
        "short_name": "简称 / Short name",
        "parent": "母公司ID / Parent company id",
        "parent_name": "母公司名称 / Parent company name",
    }
