"""What a figure belongs to is read from the words around it: its metric named just before it
(or after a count), a growth rate qualifying the figure before it, the period at the head of
its sentence or paragraph, 预计/力争/计划 for forecasts, targets and plans, the zone last named;
and projects and milestones are found by their names and events."""

from decimal import Decimal

from projects.extraction import Lexicon, extract

LEXICON = Lexicon.build(
    metrics=[
        ("operating_revenue", "营业收入"),
        ("industrial_output", "工业总产值"),
        ("total_investment", "总投资"),
        ("above_size_enterprises", "规上企业数"),
        ("listed_enterprises", "上市企业数"),
        ("start_rate", "开工率"),
    ],
    zones=[("赣县区", "赣县区"), ("上饶经济技术开发区", "上饶经开区"), ("上饶经开区", "上饶经开区")],
)


def figures(text: str, **kwargs):
    return [c for c in extract(text, lexicon=LEXICON, **kwargs) if c.value is not None]


def test_metric_named_before_the_figure_and_growth_after_it():
    text = "今年1月至5月,该区实现营业收入157.56亿元,同比增长12.24%;工业总产值133.87亿元。"
    revenue, growth, output = figures(text, year=2022, zone="赣县区")
    assert (revenue.metric_code, revenue.measure, revenue.value) == (
        "operating_revenue",
        "level",
        Decimal("157.56"),
    )
    assert (growth.metric_code, growth.measure, growth.value) == (
        "operating_revenue",
        "growth",
        Decimal("12.24"),
    )
    assert output.metric_code == "industrial_output"
    for candidate in (revenue, growth, output):
        assert (candidate.period.year, candidate.period.start_month, candidate.period.end_month) == (
            2022,
            1,
            5,
        )
        assert (candidate.subject, candidate.value_kind) == ("赣县区", "actual")


def test_catalogue_names_are_found_the_way_texts_write_them():
    (listed,) = figures("全区上市企业达7家。")
    assert (listed.metric_code, listed.metric) == ("listed_enterprises", "上市企业")


def test_a_count_takes_the_noun_after_it_when_none_comes_before():
    (count,) = figures("目前,全区共有90家专精特新企业。")
    assert count.metric == "专精特新企业"


def test_an_unknown_metric_keeps_the_words_of_the_text():
    (spending,) = figures("全年研发经费投入达12.5亿元。", year=2023)
    assert (spending.metric, spending.metric_code) == ("研发经费投入", "")


def test_forecasts_targets_and_plans():
    text = "2022年营业收入预计将达40亿元。力争全年营业收入突破200亿元,同比增长15%。计划投资83.19亿元。"
    forecast, target, target_growth, plan = figures(text, year=2022)
    assert forecast.value_kind == "forecast"
    assert (target.value_kind, target_growth.value_kind, target_growth.measure) == (
        "target",
        "target",
        "growth",
    )
    assert plan.value_kind == "plan"


def test_declines_and_shares():
    decline, share = figures("工业用电量下降3.2%,占全市比重达41.5%。")
    assert (decline.measure, share.measure) == ("decline", "share")


def test_the_subject_is_the_zone_last_named():
    text = "上饶经济技术开发区营收1497亿元。赣县区营业收入157.56亿元。该区新增规上企业19家。"
    assert [c.subject for c in figures(text, zone="上饶经开区")] == ["上饶经开区", "赣县区", "赣县区"]


def test_a_zone_the_catalogue_does_not_know_is_still_a_subject():
    (figure,) = figures("章江高新区实现营业收入86亿元。")
    assert figure.subject == "章江高新区"


def test_projects_with_investment_capacity_and_milestones():
    text = "总投资106亿元的年产3.7亿平方米光伏玻璃项目于2022年3月18日开工,计划第四季度投产。"
    candidates = extract(text, year=2022, lexicon=LEXICON)
    (project,) = [c for c in candidates if c.kind == "project"]
    assert project.name == "年产3.7亿平方米光伏玻璃项目"
    assert project.investment["quote"] == "106亿元"
    assert project.capacity.startswith("年产3.7亿平方米")
    milestones = [
        (c.event, c.date.date.isoformat(), c.date.precision, c.value_kind)
        for c in candidates
        if c.kind == "milestone"
    ]
    assert milestones == [
        ("start", "2022-03-18", "day", "actual"),
        ("production", "2022-10-01", "quarter", "plan"),
    ]


def test_projects_listed_before_their_head_word_are_each_a_project():
    text = "引进创基真无线耳机、大森鸿运科技、东超科技等项目。紧盯重点项目,落地一批项目。"
    names = [c.name for c in extract(text, lexicon=LEXICON) if c.kind == "project"]
    assert names == ["创基真无线耳机项目", "大森鸿运科技项目", "东超科技项目"]


def test_a_project_on_record_is_found_by_its_name():
    lexicon = Lexicon.build(projects=["华能二期"])
    names = [
        c.name
        for c in extract("华能二期2台100万千瓦的机组将于10月投入试运行。", lexicon=lexicon)
        if c.kind == "project"
    ]
    assert names == ["华能二期"]


def test_a_projects_stage_is_what_has_happened_not_what_is_planned():
    text = "欣旺达动力电池项目已于3月开工,计划年底投产。"
    (project,) = [c for c in extract(text, year=2023) if c.kind == "project"]
    assert project.stage == "construction"
