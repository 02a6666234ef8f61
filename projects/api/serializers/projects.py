"""Projects and their milestones."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import (
    Milestone,
    Project,
)
from projects.periods import MilestoneStatus, format_date, milestone_status

from .base import (
    PRECISION,
    QUALIFIER,
    SCALE,
    VERSIONED,
    Checked,
    Described,
    VersionedFields,
    ZoneField,
    _choices,
    _names,
)
from .sources import CitedSerializer
from .zones import DisplayField

# ---------------------------------------------------------------------------------------------
# Projects and milestones

# vocabulary: examples of what the sources write
EXAMPLES = {"phase": "一期、1号窑炉", "date": "2022年四季度", "amount": "106亿元"}

MILESTONE_HELP = {
    "kind": _choices(_("节点类型"), Milestone, "kind"),
    "phase": format_lazy(_("期次/部位,如{examples}"), examples=EXAMPLES["phase"]),
    "planned_date": _("计划日期(按精度取该时段第一天)"),
    "planned_precision": PRECISION,
    "planned_display": format_lazy(_("计划日期,按精度书写(如{example})"), example=EXAMPLES["date"]),
    "actual_date": _("实际日期,不能晚于今天"),
    "actual_precision": PRECISION,
    "actual_display": _("实际日期,按精度书写"),
    "status": _("状态(按今天计算):done 已完成、due 待完成、late 逾期、unscheduled 未排期"),
    "status_display": _("状态名称(中文)"),
}


class MilestoneStatusFields(serializers.Serializer):
    """The display and status fields every milestone representation carries."""

    kind_display = DisplayField(source="get_kind_display")
    planned_display = serializers.CharField(read_only=True)
    actual_display = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField()
    status_display = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=MilestoneStatus.choices))
    def get_status(self, milestone: Milestone) -> str:
        return self._status(milestone).value

    def get_status_display(self, milestone: Milestone) -> str:
        return str(self._status(milestone).label)

    @cached_property
    def _today(self) -> date:
        # Once per response (a list's items share one child serializer), not twice per milestone.
        return timezone.localdate()

    def _status(self, milestone: Milestone) -> MilestoneStatus:
        return milestone_status(
            milestone.planned_date, milestone.planned_precision, milestone.actual_date, self._today
        )


class ProjectMilestoneSerializer(Described, MilestoneStatusFields, serializers.ModelSerializer):
    """A milestone nested in its project (read only)."""

    class Meta:
        model = Milestone
        fields = [
            "id",
            "kind",
            "kind_display",
            "phase",
            "planned_date",
            "planned_precision",
            "planned_display",
            "actual_date",
            "actual_precision",
            "actual_display",
            "status",
            "status_display",
            "note",
        ]

    help_texts = MILESTONE_HELP


class ProjectSerializer(VersionedFields, Checked, CitedSerializer):
    zone = ZoneField(allow_null=True, required=False)
    zone_name = serializers.CharField(source="zone.name", read_only=True, allow_null=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True)
    industry_names = _names("industries")
    category_names = _names("categories")
    total_investment_display = serializers.CharField(read_only=True)
    stage_display = DisplayField(source="get_stage_display")
    planned_start_display = serializers.SerializerMethodField()
    planned_finish_display = serializers.SerializerMethodField()
    milestones = ProjectMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "zone",
            "zone_name",
            "name",
            "enterprise",
            "enterprise_name",
            "industries",
            "industry_names",
            "categories",
            "category_names",
            "total_investment",
            "total_investment_scale",
            "currency",
            "total_investment_qualifier",
            "total_investment_display",
            "capacity",
            "stage",
            "stage_display",
            "planned_start",
            "planned_start_precision",
            "planned_start_display",
            "planned_finish",
            "planned_finish_precision",
            "planned_finish_display",
            "description",
            "milestones",
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]

    help_texts = {
        "zone": _("所在区域ID(写入时也可填简称、全称或别名);来源未说明时为空"),
        "name": _("项目名称,在所在区域内唯一"),
        "enterprise": _("建设主体(企业)ID"),
        "enterprise_name": _("建设主体名称"),
        "categories": _("项目类别ID,如省大中型项目"),
        "category_names": _("项目类别名称"),
        "total_investment": format_lazy(
            _('总投资,以元(美元项目以美元)为单位的十进制字符串,如{example}为"10600000000.00"'),
            example=EXAMPLES["amount"],
        ),
        "total_investment_scale": SCALE,
        "total_investment_qualifier": QUALIFIER,
        "total_investment_display": format_lazy(
            _("总投资,按来源写法(如{example})"), example=EXAMPLES["amount"]
        ),
        "capacity": _("建设规模/产能,如年产3.7亿平方米光伏玻璃"),
        "stage": _choices(_("项目阶段"), Project, "stage"),
        "planned_start": _("计划开工日期(按精度取该时段第一天)"),
        "planned_start_precision": PRECISION,
        "planned_start_display": _("计划开工,按精度书写"),
        "planned_finish": _("计划竣工/投产日期,不早于计划开工"),
        "planned_finish_precision": PRECISION,
        "planned_finish_display": _("计划竣工/投产,按精度书写"),
        "description": _("项目简介"),
        "milestones": _("项目节点及其状态"),
    }

    def get_planned_start_display(self, project: Project) -> str:
        return format_date(project.planned_start, project.planned_start_precision)

    def get_planned_finish_display(self, project: Project) -> str:
        return format_date(project.planned_finish, project.planned_finish_precision)


class MilestoneSerializer(VersionedFields, Checked, MilestoneStatusFields, CitedSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    zone = serializers.IntegerField(source="project.zone_id", read_only=True, allow_null=True)
    zone_name = serializers.CharField(source="project.zone.name", read_only=True, allow_null=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "project_name",
            "zone",
            "zone_name",
            *ProjectMilestoneSerializer.Meta.fields[1:],
            "citations",
            "citation_ids",
            *VERSIONED,
            "confirm_warnings",
        ]

    help_texts = {**MILESTONE_HELP, "zone": _("项目所在区域ID")}
