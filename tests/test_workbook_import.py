"""Workbook imports: the dry run finds every mistake with its row, column and rule id and writes
nothing; the commit writes all or nothing, with history rows from the bulk path; lookups and
rules run in sets (the same number of queries for 5 rows as for 200)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from projects.models import (
    STALE_MESSAGE,
    EntryBasis,
    IndicatorValue,
    Milestone,
    MilestoneKind,
    PortfolioEntry,
    Project,
    Stage,
    UnitKind,
    ValueKind,
    ZoneRole,
)
from projects.money import AmountScale
from projects.workbooks.imports import ImportRefused, check_import, commit_import
from projects.workbooks.template import indicators_template, monthly_template, projects_template
from tests.factories import (
    EnterpriseFactory,
    IndicatorValueFactory,
    MetricFactory,
    PortfolioEntryFactory,
    PortfolioFactory,
    ProjectFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2022, 6, 3)  # May 2022 open until 10 June; April locked since 10 May
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def ytd(project, month: int, wan: str, metric, **fields) -> IndicatorValue:
    return IndicatorValueFactory(
        zone=None,
        project=project,
        metric=metric,
        year=2022,
        start_month=1,
        end_month=month,
        value=Decimal(wan) * WAN,
        scale=AmountScale.WAN,
        note="",
        **fields,
    )


@pytest.fixture
def zone(investment):
    """赣县区's 2022 portfolio: three projects with their January-April figures."""
    zone = ZoneFactory(name="赣县区", entry_deadline_day=10)
    portfolio = PortfolioFactory(zone=zone, name="市级工业倍增升级重点调度项目", year=2022)
    for name, total, april in (
        ("寒锐新能源项目", 100, "52000"),
        ("粤磁稀土项目", 20, "8000"),
        ("师大附中分校项目", 5, "10000"),
    ):
        project = ProjectFactory(zone=zone, name=name, total_investment=total * YI)
        PortfolioEntryFactory(portfolio=portfolio, project=project, planned_investment=3 * YI)
        ytd(project, 4, april, investment)
    return zone


@pytest.fixture
def editor(zone):
    return ZoneMembershipFactory(zone=zone, role=ZoneRole.EDITOR).user


def project(name: str) -> Project:
    return Project.objects.get(name=name)


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filled(content: bytes, changes: dict[tuple[str, str], object], *, by: str = "项目名称") -> bytes:
    """The workbook with cells set: {(row key (the value in column `by`), header): value}."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[2]}
    rows = {sheet.cell(row=r, column=columns[by]).value: r for r in range(3, sheet.max_row + 1)}
    for (key, header), value in changes.items():
        sheet.cell(row=rows[key], column=columns[header], value=value)
    return save(book)


def appended(content: bytes, rows: list[dict[str, object]]) -> bytes:
    """The workbook with rows added below its last row: [{header: value}]."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[2]}
    first = sheet.max_row + 1
    for offset, values in enumerate(rows):
        for header, value in values.items():
            sheet.cell(row=first + offset, column=columns[header], value=value)
    return save(book)


def found(result) -> set[tuple[int, str, str]]:
    return {(f.row, f.column, f.rule_id) for f in result.findings}


def counts() -> tuple[int, ...]:
    return (
        IndicatorValue.objects.count(),
        Milestone.objects.count(),
        Project.objects.count(),
        IndicatorValue.history.count(),
        Milestone.history.count(),
        Project.history.count(),
    )


def may_template(zone, today=TODAY) -> bytes:
    return monthly_template(zone, 2022, 5, today=today)


# ---------------------------------------------------------------------------------------------
# 月报


def row_of(content: bytes, name: str) -> int:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == name)


def test_dry_run_finds_every_mistake_with_row_column_and_rule(zone, editor):
    other = ProjectFactory(zone=zone, name="清单外项目")  # 赣县区's, but not on its portfolio
    hidden = ProjectFactory(name="外区项目")  # another zone's: unknown to 赣县区's editor
    template = may_template(zone)
    content = filled(
        template,
        {
            ("寒锐新能源项目", "本月完成投资"): "12x万元",
            ("寒锐新能源项目", "开工日期"): "2022-07-01",
            ("粤磁稀土项目", "单位"): "千元",
            ("粤磁稀土项目", "本月完成投资"): 300,
            ("粤磁稀土项目", "开工日期"): "4月20日",
            ("粤磁稀土项目", "投产日期"): "2022年3月",
            ("师大附中分校项目", "本月完成投资"): "5亿元",
        },
    )
    content = appended(
        content,
        [
            {"项目编号": other.pk, "本月完成投资": 10},
            {"项目名称": "删掉编号的行", "本月完成投资": 10},
            {"项目编号": hidden.pk, "本月完成投资": 10},
        ],
    )
    before = counts()
    result = check_import("monthly", content, user=editor, today=TODAY)
    assert counts() == before  # a dry run writes nothing
    hanrui, yuci, school = (
        row_of(template, n) for n in ("寒锐新能源项目", "粤磁稀土项目", "师大附中分校项目")
    )
    assert found(result) == {
        (hanrui, "G 本月完成投资", "parse"),
        (hanrui, "I 开工日期", "actual_date_in_future"),
        (yuci, "H 单位", "parse"),
        (yuci, "I 开工日期", "production_before_start"),  # both dates are named: either may be wrong
        (yuci, "J 投产日期", "production_before_start"),
        (school, "G 本月完成投资", "investment_over_total"),
        (6, "A 项目编号", "not_in_zone"),
        (7, "A 项目编号", "missing_project"),
        (8, "A 项目编号", "unknown_project"),
    }
    messages = {(f.row, f.rule_id): f.message for f in result.findings}
    assert messages[(8, "unknown_project")] == f"项目编号{hidden.pk}不存在"
    assert messages[(hanrui, "parse")].startswith("不支持的币种或单位“x万元”")
    assert messages[(yuci, "parse")] == "单位“千元”无法识别,可选 万元、亿元、元"
    assert messages[(7, "missing_project")].startswith("缺少项目编号")
    assert messages[(school, "investment_over_total")] == (
        "师大附中分校项目2022年1-5月累计完成投资6亿元超过项目总投资5亿元"
    )
    assert messages[(hanrui, "actual_date_in_future")].startswith("实际日期2022年7月1日晚于今天")
    assert all(f.severity == "error" and f.message and f.message_en for f in result.findings)
    assert not result.ok
    with pytest.raises(ImportRefused):
        commit_import(result, user=editor)
    assert counts() == before


def test_year_to_date_entry_may_not_decrease(zone, editor):
    zone.entry_basis = EntryBasis.YEAR_TO_DATE
    zone.save()
    content = filled(may_template(zone), {("寒锐新能源项目", "1-5月累计完成投资"): "4.5亿元"})
    result = check_import("monthly", content, user=editor, today=TODAY)
    [finding] = result.findings
    assert (finding.column, finding.rule_id) == ("G 1-5月累计完成投资", "investment_decreases")
    assert finding.message == (
        "2022年1-5月累计完成投资4.5亿元少于2022年1-4月已报的5.2亿元:同一年度内的累计值不能减少"
    )


def test_good_workbook_commits_everything_with_history(zone, editor):
    content = filled(
        may_template(zone),
        {
            ("寒锐新能源项目", "本月完成投资"): 8000,
            ("寒锐新能源项目", "备注"): "设备安装完成",
            ("粤磁稀土项目", "本月完成投资"): "0.05亿元",
            ("师大附中分校项目", "开工日期"): "5月8日",
        },
    )
    history_before = (IndicatorValue.history.count(), Milestone.history.count())
    result = check_import("monthly", content, user=editor, today=TODAY)
    assert result.findings == []
    assert result.ok
    assert commit_import(result, user=editor) == {
        "created": 2,
        "updated": 0,
        "restated": 0,
        "milestones": 1,
        "unchanged": 0,
    }
    may = IndicatorValue.objects.completed_investment(2022).filter(end_month=5)
    values = {v.project.name: (v.value, v.scale, v.note) for v in may}
    assert values == {
        "寒锐新能源项目": (Decimal(60000) * WAN, AmountScale.WAN, "设备安装完成"),
        "粤磁稀土项目": (Decimal(8500) * WAN, AmountScale.YI, ""),
    }
    started = Milestone.objects.get(project=project("师大附中分校项目"), kind=MilestoneKind.START)
    assert (started.actual_date, started.actual_precision) == (date(2022, 5, 8), "day")
    assert (IndicatorValue.history.count(), Milestone.history.count()) == (
        history_before[0] + 2,
        history_before[1] + 1,
    )
    created = IndicatorValue.history.filter(end_month=5).first()
    assert created.history_user == editor
    assert created.history_type == "+"
    assert created.history_change_reason == "月报填报 2022年5月"


def test_one_bad_row_and_nothing_is_written(zone, editor):
    content = filled(
        may_template(zone),
        {("寒锐新能源项目", "本月完成投资"): 8000, ("粤磁稀土项目", "本月完成投资"): "五百万元"},
    )
    before = counts()
    result = check_import("monthly", content, user=editor, today=TODAY)
    assert [f.rule_id for f in result.errors] == ["parse"]
    assert "请用阿拉伯数字填写" in result.errors[0].message
    with pytest.raises(ImportRefused) as refused:
        commit_import(result, user=editor)
    assert refused.value.message == "文件有错误,未导入任何数据"
    assert counts() == before


def test_locked_month_change_is_a_restatement_that_needs_a_reason(zone, editor, investment):
    hanrui = project("寒锐新能源项目")
    may = ytd(hanrui, 5, "60000", investment)
    late = date(2022, 6, 20)  # May locked since 10 June
    template = may_template(zone, today=late)
    content = filled(template, {("寒锐新能源项目", "本月完成投资"): 9000})
    result = check_import("monthly", content, user=editor, today=late)
    assert found(result) == {(row_of(template, "寒锐新能源项目"), "M 更正原因", "restatement_without_reason")}

    content = filled(content, {("寒锐新能源项目", "更正原因"): "统计口径更正"})
    result = check_import("monthly", content, user=editor, today=late)
    assert result.findings == []
    assert commit_import(result, user=editor)["restated"] == 1
    correction = IndicatorValue.objects.get(restates=may)
    assert (correction.value, correction.restatement_reason) == (Decimal(61000) * WAN, "统计口径更正")
    may.refresh_from_db()
    assert may.value == Decimal(60000) * WAN  # never changed in place
    assert IndicatorValue.objects.completed_investment(2022).get(project=hanrui, end_month=5) == correction


def test_a_warning_needs_confirmation(investment, editor, zone):
    big = ProjectFactory(zone=zone, name="千亿项目", total_investment=1000 * YI)
    PortfolioEntryFactory(portfolio=zone.portfolios.get(), project=big)
    for month in (1, 2, 3, 4):
        ytd(big, month, str(1000 * month), investment)
    content = filled(may_template(zone), {("千亿项目", "本月完成投资"): 100000})
    result = check_import("monthly", content, user=editor, today=TODAY)
    [warning] = result.findings
    assert (warning.rule_id, warning.severity, warning.column) == ("outlier", "warning", "G 本月完成投资")
    assert not result.ok
    with pytest.raises(ImportRefused):
        commit_import(result, user=editor)
    confirmed = check_import("monthly", content, user=editor, today=TODAY, confirm_warnings=True)
    assert confirmed.ok
    assert commit_import(confirmed, user=editor)["created"] == 1


def test_a_change_made_after_the_check_refuses_the_whole_commit(zone, editor, investment):
    content = filled(
        may_template(zone),
        {("寒锐新能源项目", "本月完成投资"): 8000, ("粤磁稀土项目", "本月完成投资"): 500},
    )
    result = check_import("monthly", content, user=editor, today=TODAY)
    assert result.ok
    ytd(project("寒锐新能源项目"), 5, "59000", investment)  # someone else enters May meanwhile
    before = counts()
    with pytest.raises(ImportRefused) as refused:
        commit_import(result, user=editor)
    assert "未导入任何数据" in refused.value.message
    assert counts() == before
    assert not IndicatorValue.objects.filter(project__name="粤磁稀土项目", end_month=5).exists()


def test_rows_of_a_zone_the_user_may_not_edit_are_refused(zone):
    viewer = ZoneMembershipFactory(zone=zone, role=ZoneRole.VIEWER).user  # reads 赣县区, no more
    content = filled(may_template(zone), {("寒锐新能源项目", "本月完成投资"): 8000})
    result = check_import("monthly", content, user=viewer, today=TODAY)
    assert {f.rule_id for f in result.findings} == {"no_access"}
    assert len(result.findings) == 3
    assert "赣县区" in result.findings[0].message
    stranger = ZoneMembershipFactory(role=ZoneRole.EDITOR).user  # editor of another zone
    [unknown] = check_import("monthly", content, user=stranger, today=TODAY).findings
    assert (unknown.rule_id, unknown.message) == ("file", "模板所属的区域已不存在")


def test_a_file_that_is_not_a_workbook_is_one_error(editor):
    result = check_import("monthly", b"not a workbook", user=editor)
    [finding] = result.findings
    assert (finding.row, finding.rule_id) == (0, "file")
    assert "请上传 Excel 工作簿" in finding.message


def test_a_monthly_workbook_without_its_meta_sheet_is_refused(zone, editor):
    book = load_workbook(io.BytesIO(may_template(zone)))
    del book["_meta"]
    [finding] = check_import("monthly", save(book), user=editor).findings
    assert "_meta" in finding.message


def test_a_template_of_another_kind_is_named(zone, editor):
    [finding] = check_import("projects", may_template(zone), user=editor).findings
    assert finding.message.startswith("这是“月报数据”模板,不是“项目”模板")


# ---------------------------------------------------------------------------------------------
# 项目


def test_projects_import_creates_and_updates_by_zone_and_name(zone, editor):
    enterprise = EnterpriseFactory(name="赣州寒锐新能源科技有限公司", short_name="寒锐新能源", zone=zone)
    hanrui = project("寒锐新能源项目")
    content = filled(
        projects_template(zone), {("寒锐新能源项目", "总投资"): "120亿元", ("寒锐新能源项目", "阶段"): "投产"}
    )
    content = appended(
        content,
        [
            {
                "区域": "赣县区",
                "项目名称": "年产10万吨三元前驱体项目",
                "总投资": 5000,
                "单位": "万元",
                "阶段": "前期",
                "计划开工": "2022年7月",
                "计划竣工": "2023年二季度",
                "企业": "寒锐新能源",
                "简介": "钴新材料",
            }
        ],
    )
    history = Project.history.count()
    result = check_import("projects", content, user=editor, today=TODAY)
    assert result.findings == []
    assert commit_import(result, user=editor) == {"created": 1, "updated": 1, "restated": 0, "unchanged": 2}
    hanrui_version = hanrui.version
    hanrui.refresh_from_db()
    assert (hanrui.total_investment, hanrui.stage, hanrui.version) == (
        120 * YI,
        Stage.PRODUCTION,
        hanrui_version + 1,
    )
    new = Project.objects.get(zone=zone, name="年产10万吨三元前驱体项目")
    assert (new.total_investment, new.total_investment_scale) == (5000 * WAN, AmountScale.WAN)
    assert (new.planned_start, new.planned_start_precision) == (date(2022, 7, 1), "month")
    assert (new.planned_finish, new.planned_finish_precision) == (date(2023, 4, 1), "quarter")
    assert new.enterprise == enterprise
    assert Project.history.count() == history + 2
    assert set(Project.history.filter(history_user=editor).values_list("history_type", flat=True)) == {
        "+",
        "~",
    }


def test_projects_dry_run_finds_every_mistake(zone, editor):
    elsewhere = ZoneFactory(name="南康区")
    editor.zone_memberships.create(zone=elsewhere, role=ZoneRole.VIEWER)  # read, not changed
    content = appended(
        projects_template(),
        [
            {"区域": "不存在区", "项目名称": "甲项目"},
            {"区域": "南康区", "项目名称": "乙项目"},
            {"区域": "赣县区", "项目名称": "丙项目", "计划开工": "2023年", "计划竣工": "2022年6月"},
            {"区域": "赣县区", "项目名称": "丙项目"},
            {"区域": "赣县区", "项目名称": "丁项目", "总投资": "约", "阶段": "施工中", "企业": "无名公司"},
            {"项目名称": "戊项目"},
        ],
    )
    before = counts()
    result = check_import("projects", content, user=editor, today=TODAY)
    assert counts() == before
    assert found(result) == {
        (3, "A 区域", "unknown_zone"),
        (4, "A 区域", "no_access"),
        (5, "G 计划竣工", "finish_before_start"),
        (6, "B 项目名称", "duplicate_row"),
        (7, "C 总投资", "parse"),
        (7, "E 阶段", "parse"),
        (7, "H 企业", "unknown_enterprise"),
        (8, "A 区域", "required"),
    }
    refusal = next(f for f in result.findings if f.rule_id == "no_access")
    assert refusal.message == f"您对“{elsewhere.name}”只有只读权限"
    assert refusal.message_en == f"You have read-only access to zone {elsewhere.name}"


def test_unchanged_projects_are_left_alone(zone, editor):
    before = counts()
    result = check_import("projects", projects_template(zone), user=editor, today=TODAY)
    assert result.summary() == {"created": 0, "updated": 0, "restated": 0, "unchanged": 3}
    commit_import(result, user=editor)
    assert counts() == before


# ---------------------------------------------------------------------------------------------
# 指标数值


@pytest.fixture
def revenue():
    return MetricFactory(name="营业收入", code="operating_revenue_t")


@pytest.fixture
def firms():
    return MetricFactory(
        name="规上企业数", code="above_size_t", unit_kind=UnitKind.COUNT, unit="家", flow_or_stock="stock"
    )


def indicator_rows(rows: list[dict[str, object]]) -> bytes:
    return appended(indicators_template(), rows)


def test_indicators_import_creates_updates_and_restates(zone, editor, revenue, firms, investment):
    april = IndicatorValueFactory(
        zone=zone, metric=revenue, end_month=4, value=150 * YI, scale=AmountScale.YI
    )
    target = IndicatorValueFactory(
        zone=zone, metric=revenue, end_month=12, kind=ValueKind.TARGET, value=500 * YI
    )
    content = indicator_rows(
        [
            {
                "主体类型": "区域",
                "主体名称": "赣县区",
                "指标": "营业收入",
                "年度": 2022,
                "时段": "1-5月",
                "数值": "157.56亿元",
                "同比增长%": "12.24%",
            },
            {
                "主体类型": "区域",
                "主体名称": "赣县区",
                "指标": "above_size_t",
                "年度": 2022,
                "时段": "截至5月底",
                "数值": "142家",
            },
            {
                "主体类型": "区域",
                "主体名称": "赣县区",
                "指标": "营业收入",
                "年度": 2022,
                "时段": "1-4月",
                "数值": 151,
                "原因": "企业补报",
            },
            {
                "主体类型": "区域",
                "主体名称": "赣县区",
                "指标": "营业收入",
                "年度": 2022,
                "时段": "全年",
                "数值类型": "目标",
                "数值": 520,
                "原因": "年中调整",
            },
            {
                "主体类型": "调度清单",
                "主体名称": "市级工业倍增升级重点调度项目",
                "指标": "完成投资",
                "年度": 2022,
                "时段": "1-5月",
                "数值": "58.33亿元",
            },
        ]
    )
    history = IndicatorValue.history.count()
    result = check_import("indicators", content, user=editor, today=TODAY)
    assert result.findings == []
    assert commit_import(result, user=editor) == {"created": 3, "updated": 1, "restated": 1, "unchanged": 0}
    may = IndicatorValue.objects.get(zone=zone, metric=revenue, end_month=5)
    assert (may.value, may.scale, may.yoy_growth) == (
        Decimal("157.56") * YI,
        AmountScale.YI,
        Decimal("12.24"),
    )
    assert IndicatorValue.objects.get(zone=zone, metric=firms).value == 142
    correction = IndicatorValue.objects.get(restates=april)  # April is locked: restated, not edited
    assert (correction.value, correction.restatement_reason) == (151 * YI, "企业补报")
    target.refresh_from_db()
    assert target.value == 520 * YI
    assert target.history.first().history_change_reason == "年中调整"
    assert IndicatorValue.objects.get(portfolio__zone=zone, metric=investment).value == Decimal("58.33") * YI
    assert IndicatorValue.history.count() == history + 5


def test_indicators_dry_run_finds_every_mistake(zone, editor, revenue, firms):
    IndicatorValueFactory(zone=zone, metric=revenue, end_month=4, value=150 * YI, scale=AmountScale.YI)
    IndicatorValueFactory(zone=zone, metric=revenue, end_month=12, kind=ValueKind.TARGET, value=500 * YI)
    editor.zone_memberships.create(zone=ZoneFactory(name="南康区"), role=ZoneRole.VIEWER)
    ZoneFactory(name="于都县")  # neither read nor changed: unknown to the editor
    base = {"主体类型": "区域", "主体名称": "赣县区", "年度": 2022}
    content = indicator_rows(
        [
            {**base, "指标": "不存在的指标", "时段": "1-5月", "数值": 1},
            {**base, "指标": "规上企业数", "时段": "截至5月底", "数值": 142, "单位": "亿元"},
            {**base, "指标": "营业收入", "时段": "截至5月底", "数值": 150},
            {**base, "指标": "营业收入", "时段": "1-4月", "数值": 151},
            {**base, "指标": "营业收入", "时段": "全年", "数值类型": "目标", "数值": 520},
            {**base, "主体名称": "南康区", "指标": "营业收入", "时段": "1-5月", "数值": 10},
            {**base, "指标": "营业收入", "时段": "13月", "数值": 10},
            {
                **base,
                "主体类型": "项目",
                "主体名称": "没有的项目",
                "指标": "营业收入",
                "时段": "1-5月",
                "数值": 10,
            },
            {**base, "主体名称": "于都县", "指标": "营业收入", "时段": "1-5月", "数值": 10},
        ]
    )
    before = counts()
    result = check_import("indicators", content, user=editor, today=TODAY)
    assert counts() == before
    assert found(result) == {
        (3, "D 指标", "unknown_metric"),
        (4, "I 单位", "unit_mismatch"),
        (5, "F 时段", "start_month_required"),
        (6, "L 原因", "restatement_without_reason"),
        (7, "H 数值", "target_change_without_reason"),
        (8, "B 主体名称", "no_access"),
        (9, "F 时段", "parse"),
        (10, "B 主体名称", "unknown_subject"),
        (11, "B 主体名称", "unknown_zone"),
    }


# ---------------------------------------------------------------------------------------------
# Set-based: the same number of queries for 5 rows and for 200


def queries_of_check(kind: str, content: bytes, user_pk: int) -> int:
    user = get_user_model().objects.get(pk=user_pk)  # a fresh user object: its zones are loaded once
    with CaptureQueriesContext(connection) as captured:
        result = check_import(kind, content, user=user, today=TODAY)
    assert result.errors == [], result.errors[:3]
    return len(captured)


def grow_portfolio(zone, investment, first: int, n: int) -> None:
    portfolio = zone.portfolios.get()
    names = [f"批量项目{i}" for i in range(first, first + n)]
    projects = Project.objects.bulk_create(
        [Project(zone=zone, name=name, total_investment=10 * YI) for name in names]
    )
    PortfolioEntry.objects.bulk_create([PortfolioEntry(portfolio=portfolio, project=p) for p in projects])
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                project=p,
                metric=investment,
                year=2022,
                start_month=1,
                end_month=4,
                value=WAN,
                scale=AmountScale.WAN,
                currency="CNY",
            )
            for p in projects
        ]
    )


def monthly_file(zone) -> bytes:
    book = load_workbook(io.BytesIO(may_template(zone)))
    sheet = book.worksheets[0]
    for row in range(3, sheet.max_row + 1):
        sheet.cell(row=row, column=7, value=100)  # 本月完成投资
        sheet.cell(row=row, column=9, value="2022年5月")  # 开工日期
    return save(book)


def test_monthly_check_costs_the_same_queries_for_5_and_200_rows(
    zone, editor, investment, django_assert_max_num_queries
):
    grow_portfolio(zone, investment, 0, 2)
    few = queries_of_check("monthly", monthly_file(zone), editor.pk)
    grow_portfolio(zone, investment, 2, 195)
    content = monthly_file(zone)
    assert len(load_workbook(io.BytesIO(content)).worksheets[0]["A"]) == 2 + 200
    assert queries_of_check("monthly", content, editor.pk) == few
    with django_assert_max_num_queries(15):
        check_import("monthly", content, user=editor, today=TODAY)


def projects_file(n: int) -> bytes:
    rows = [
        {
            "区域": "赣县区",
            "项目名称": f"新项目{i}",
            "总投资": f"{i + 1}亿元",
            "阶段": "前期",
            "计划开工": "2022年9月",
        }
        for i in range(n)
    ]
    rows += [{"区域": "赣县区", "项目名称": "寒锐新能源项目", "总投资": "120亿元", "变更原因": "追加投资"}]
    return appended(projects_template(), rows)


def test_projects_check_costs_the_same_queries_for_5_and_200_rows(
    zone, editor, django_assert_max_num_queries
):
    EnterpriseFactory(name="某公司")
    few = queries_of_check("projects", projects_file(5), editor.pk)
    assert queries_of_check("projects", projects_file(200), editor.pk) == few
    with django_assert_max_num_queries(10):
        check_import("projects", projects_file(200), user=editor, today=TODAY)


def indicators_file(n: int) -> bytes:
    rows = [
        {
            "主体类型": "区域",
            "主体名称": "赣县区",
            "指标": "营业收入",
            "年度": 1990 + i,
            "时段": "1-5月",
            "数值": i + 1,
            "同比增长%": 5,
        }
        for i in range(n)
    ]
    rows += [
        {
            "主体类型": "项目",
            "主体名称": "寒锐新能源项目",
            "指标": "营业收入",
            "年度": 2021,
            "时段": "全年",
            "数值": 3,
        }
    ]
    rows += [
        {
            "主体类型": "调度清单",
            "主体名称": "市级工业倍增升级重点调度项目",
            "指标": "完成投资",
            "年度": 2022,
            "时段": "1-3月",
            "数值": 3,
        }
    ]
    return appended(indicators_template(), rows)


def test_indicators_check_costs_the_same_queries_for_5_and_200_rows(
    zone, editor, revenue, django_assert_max_num_queries
):
    zone.entry_deadline_day = None  # no reporting windows: past years stay open
    zone.save()
    for year in (1990, 1991, 2100, 2150):  # stored values to update
        IndicatorValueFactory(
            zone=zone, metric=revenue, year=year, end_month=5, value=YI, scale=AmountScale.YI
        )
    few = queries_of_check("indicators", indicators_file(5), editor.pk)
    assert queries_of_check("indicators", indicators_file(200), editor.pk) == few
    with django_assert_max_num_queries(15):
        check_import("indicators", indicators_file(200), user=editor, today=TODAY)


def test_a_handwritten_workbook_with_the_headers_anywhere_near_the_top_is_read(zone, editor, revenue):
    book = Workbook()
    sheet = book.active
    sheet.append(["赣县区指标"])
    sheet.append([])
    sheet.append(["主体名称", "主体类型", "指标", "年度", "时段", "数值"])
    sheet.append(["赣县区", "区域", "营业收入", 2022, "1-5月", "157.56亿元"])
    result = check_import("indicators", save(book), user=editor, today=TODAY)
    assert result.findings == []
    assert result.summary()["created"] == 1


def test_a_milestone_reached_earlier_is_corrected_in_an_open_month(zone, editor):
    hanrui = project("寒锐新能源项目")
    started = Milestone.objects.create(
        project=hanrui, kind=MilestoneKind.START, actual_date=date(2022, 5, 1), actual_precision="month"
    )
    content = filled(may_template(zone), {("寒锐新能源项目", "开工日期"): "2022-05-18"})
    result = check_import("monthly", content, user=editor, today=TODAY)
    assert result.findings == []
    assert commit_import(result, user=editor)["milestones"] == 1
    started.refresh_from_db()
    assert (started.actual_date, started.actual_precision, started.version) == (date(2022, 5, 18), "day", 2)
    assert started.history.first().history_type == "~"


def test_a_figure_changed_by_someone_else_since_the_download_is_refused(zone, editor, investment):
    template = may_template(zone)
    ytd(project("寒锐新能源项目"), 5, "59000", investment)  # entered on the 月报填报 screen meanwhile
    content = filled(
        template,
        {("寒锐新能源项目", "本月完成投资"): 8000, ("粤磁稀土项目", "本月完成投资"): 500},
    )
    result = check_import("monthly", content, user=editor, today=TODAY)
    assert found(result) == {(row_of(template, "寒锐新能源项目"), "G 本月完成投资", "stale")}
    assert result.findings[0].message == STALE_MESSAGE
    # the figure as it now stands, downloaded again, takes the change
    fresh = filled(may_template(zone), {("寒锐新能源项目", "本月完成投资"): 8000})
    assert check_import("monthly", fresh, user=editor, today=TODAY).findings == []
