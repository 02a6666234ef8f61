"""Entry from text, the services (projects.text_entry): a text becomes a source document with
facts waiting for review; accepting a fact records exactly one project, milestone or indicator
value cited to the fact's sentence, or nothing at all; rejected facts can be reopened.

The facts of the acceptance tests are built from readings written here (the JSON form of the
extractor's Candidate), so that they test the mapping to records, not the extractor's current
reading of the article; the extraction tests check only what holds for any reading."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from hashlib import sha256

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import access
from projects.extraction import MAX_TEXT_LENGTH, Candidate, DateRef, PeriodRef, sentences
from projects.i18n import bilingual
from projects.models import (
    Citation,
    ExtractedFact,
    FactStatus,
    IndicatorValue,
    Metric,
    Milestone,
    Project,
    SourceDocument,
    UnitKind,
    ZoneAlias,
    ZoneRole,
)
from projects.money import AmountScale, ParsedAmount
from projects.periods import Period
from projects.text_entry import (
    document_extract,
    fact_accept,
    fact_reject,
    fact_reopen,
    lexicon_from_db,
    text_of_upload,
    warnings_only,
)
from tests.factories import (
    EnterpriseFactory,
    IndicatorValueFactory,
    MetricFactory,
    ProjectFactory,
    SourceDocumentFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

YI = Decimal(100_000_000)
ARTICLE = (
    "新余高新区上半年经济运行稳中有进\n"
    "今年1-6月,新余高新区实现营业收入218.5亿元,同比增长14.3%。规上工业增加值同比下降3.2%。\n"
    "园区新增规上企业12家,高新技术企业占比达41.5%,新增就业1.2万人。\n"
    "年产20GW光伏组件项目总投资32亿元,于3月18日正式开工,计划10月投产。\n"
    "全年营业收入力争突破450亿元。\n"
)
PROJECT = "年产20GW光伏组件项目"


# ---------------------------------------------------------------------------------------------
# The world: a zone with an editor, a viewer, the metrics the article names, its document


@pytest.fixture
def zone(db):
    return ZoneFactory(name="新余高新区", full_name="新余高新技术产业开发区")


@pytest.fixture
def metrics(db) -> dict[str, Metric]:
    rows = [
        ("operating_revenue", "营业收入", UnitKind.AMOUNT, "", "flow"),
        ("industrial_revenue", "工业营收", UnitKind.AMOUNT, "", "flow"),
        ("industrial_value_added", "规上工业增加值", UnitKind.AMOUNT, "", "flow"),
        ("new_above_size_enterprises", "新增规上企业数", UnitKind.COUNT, "家", "flow"),
        ("new_jobs", "新增就业", UnitKind.COUNT, "人", "flow"),
        ("high_tech_enterprises", "高新技术企业数", UnitKind.COUNT, "家", "stock"),
    ]
    return {
        code: MetricFactory(code=code, name=name, unit_kind=kind, unit=unit, flow_or_stock=flow)
        for code, name, kind, unit, flow in rows
    }


@pytest.fixture
def editor(zone):
    user = UserFactory(username="xinyu-editor")
    ZoneMembershipFactory(user=user, zone=zone, role=ZoneRole.EDITOR)
    return user


@pytest.fixture
def document(zone, editor) -> SourceDocument:
    return SourceDocumentFactory(
        key="xinyu-h1", text=ARTICLE, zone=zone, subject_year=2023, created_by=editor
    )


def fact_of(document: SourceDocument, quote: str, kind: str, *, after: str = "", **reading) -> ExtractedFact:
    """A pending fact of `quote` (the first after `after`), with the reading given."""
    start = document.text.index(quote, document.text.index(after) if after else 0)
    end = start + len(quote)
    sentence = next((a, b) for a, b in sentences(document.text) if a <= start and end <= b)
    candidate = Candidate(kind, quote, start, end, *sentence, **reading)
    return ExtractedFact.objects.create(
        document=document,
        kind=kind,
        quote=quote,
        start=start,
        end=end,
        sentence_start=sentence[0],
        sentence_end=sentence[1],
        reading=candidate.to_dict(),
    )


H1 = PeriodRef(2023, 1, 6, "今年1-6月")


def revenue(document: SourceDocument, quote: str = "218.5亿元", **changes) -> ExtractedFact:
    reading = {
        "value": Decimal("218.5"),
        "unit": "亿元",
        "scale": 100_000_000,
        "currency": "CNY",
        "measure": "level",
        "subject": "新余高新区",
        "subject_kind": "zone",
        "metric": "营业收入",
        "metric_code": "operating_revenue",
        "value_kind": "actual",
        "period": H1,
    }
    return fact_of(document, quote, "amount", **{**reading, **changes})


def growth(document: SourceDocument, quote: str = "14.3%", **changes) -> ExtractedFact:
    reading = {
        "value": Decimal(quote.rstrip("%")),
        "unit": "%",
        "scale": 1,
        "measure": "growth",
        "subject": "新余高新区",
        "subject_kind": "zone",
        "metric": "营业收入",
        "metric_code": "operating_revenue",
        "value_kind": "actual",
        "period": H1,
    }
    return fact_of(document, quote, "percent", **{**reading, **changes})


def project_fact(document: SourceDocument) -> ExtractedFact:
    investment = {"quote": "32亿元", "value": "32", "unit": "亿元", "scale": 100_000_000, "currency": "CNY",
                  "qualifier": "", "start": 0, "end": 0}  # fmt: skip
    return fact_of(
        document,
        PROJECT,
        "project",
        subject="新余高新区",
        subject_kind="zone",
        name=PROJECT,
        capacity="年产20GW光伏组件",
        stage="construction",
        investment=investment,
    )


def milestone_fact(document: SourceDocument, quote: str = "开工", **changes) -> ExtractedFact:
    reading = {
        "subject": PROJECT,
        "subject_kind": "project",
        "name": PROJECT,
        "event": "start",
        "value_kind": "actual",
        "date": DateRef(date(2023, 3, 18), "day", "3月18日"),
    }
    return fact_of(document, quote, "milestone", **{**reading, **changes})


def written() -> tuple[int, ...]:
    """What a refused acceptance must leave as it was: records, citations and their history."""
    return (
        IndicatorValue.objects.count(),
        Project.objects.count(),
        Milestone.objects.count(),
        Citation.objects.count(),
        IndicatorValue.history.count() + Project.history.count() + Milestone.history.count(),
    )


def sentence_of(fact: ExtractedFact) -> str:
    return fact.document.text[fact.sentence_start : fact.sentence_end]


def assert_cited(record, fact: ExtractedFact) -> None:
    citation = record.citations.get(document=fact.document)
    assert citation.quote == fact.document.text[citation.start : citation.end] == sentence_of(fact)
    assert (citation.start, citation.end) == (fact.sentence_start, fact.sentence_end)


# ---------------------------------------------------------------------------------------------
# The lexicon and the extraction


def test_lexicon_reads_the_catalogue_in_five_queries_however_large(zone, metrics, django_assert_num_queries):
    ZoneAlias.objects.create(zone=zone, alias="新余高新开发区")
    ProjectFactory(zone=zone, name=PROJECT)
    EnterpriseFactory(zone=zone, name="江西某某光伏科技有限公司", short_name="某某光伏")
    with django_assert_num_queries(5):
        lexicon = lexicon_from_db()
    assert lexicon.zones["新余高新技术产业开发区"] == lexicon.zones["新余高新开发区"] == "新余高新区"
    assert lexicon.metrics["营业收入"] == "operating_revenue"
    assert lexicon.metric_names["new_jobs"] == "新增就业"
    assert PROJECT in lexicon.projects
    assert {"江西某某光伏科技有限公司", "某某光伏"} <= set(lexicon.enterprises)

    for n in range(10):
        ZoneAlias.objects.create(zone=ZoneFactory(full_name=f"测试开发区{n}"), alias=f"测试{n}")
        ProjectFactory(zone=zone)
        MetricFactory()
    with django_assert_num_queries(5):
        lexicon = lexicon_from_db()
    assert len(lexicon.projects) == 11


@time_machine.travel("2024-01-05 10:00 +08:00", tick=False)
def test_a_text_is_stored_normalised_with_its_facts_and_nothing_is_recorded(zone, metrics, editor):
    pasted = "\ufeff" + ARTICLE.replace("\n", "\r\n")
    before = written()
    document, created = document_extract(
        title="新余高新区上半年经济运行", text=pasted, user=editor, zone=zone, subject_year=2023,
        publisher="新余日报", published_on=date(2023, 7, 1), published_precision="month", file_name="h1.txt",
    )  # fmt: skip
    assert created
    document.refresh_from_db()
    assert document.text == ARTICLE  # line ends \n, no BOM: the offsets are into this
    digest = sha256(ARTICLE.encode("utf-8")).hexdigest()
    assert document.sha256 == digest
    assert document.key == f"text-20240105-{digest[:8]}"
    assert (document.zone, document.subject_year, document.created_by) == (zone, 2023, editor)
    assert (document.publisher, document.published_on, document.file_path) == (
        "新余日报",
        date(2023, 7, 1),
        "h1.txt",
    )
    facts = list(document.extracted_facts.all())
    assert len(facts) >= 5
    for fact in facts:
        assert fact.status == FactStatus.PENDING
        assert fact.quote == document.text[fact.start : fact.end] == fact.reading["quote"]
        assert fact.sentence_start <= fact.start < fact.end <= fact.sentence_end
    assert "218.5亿元" in {fact.quote for fact in facts if fact.kind == "amount"}
    assert written() == before


def test_the_same_text_again_creates_nothing(document, zone, metrics, editor):
    first, created = document_extract(title="一", text=ARTICLE, user=editor, zone=zone, subject_year=2023)
    assert created
    counts = (SourceDocument.objects.count(), ExtractedFact.objects.count())
    again, created = document_extract(
        title="二", text=ARTICLE.replace("\n", "\r\n"), user=editor, zone=zone, subject_year=2023
    )
    assert (again, created) == (first, False)
    assert (SourceDocument.objects.count(), ExtractedFact.objects.count()) == counts


def test_empty_and_too_long_texts_are_refused(zone, editor):
    with pytest.raises(ValidationError, match="正文为空"):
        document_extract(title="空", text=" \r\n\ufeff ", user=editor, zone=zone)
    with pytest.raises(ValidationError, match=f"超过{MAX_TEXT_LENGTH}字的上限"):
        document_extract(title="长", text="字" * (MAX_TEXT_LENGTH + 1), user=editor, zone=zone)
    assert not SourceDocument.objects.exists()


def test_only_the_zones_editors_add_its_documents(zone, editor):
    viewer, stranger = UserFactory(), UserFactory()
    ZoneMembershipFactory(user=viewer, zone=zone, role=ZoneRole.VIEWER)
    ZoneMembershipFactory(user=stranger, zone=ZoneFactory(), role=ZoneRole.EDITOR)
    for user in (viewer, stranger):
        with pytest.raises(PermissionDenied, match="新余高新区"):
            document_extract(title="文", text=ARTICLE, user=user, zone=zone)
    assert not SourceDocument.objects.exists()
    # Without a zone a text is reference data: any editor adds it, a viewer does not.
    assert document_extract(title="文", text=ARTICLE, user=stranger)[1]
    with pytest.raises(PermissionDenied):
        document_extract(title="文", text=ARTICLE + "。", user=viewer)


def test_extraction_costs_the_same_queries_for_few_or_many_candidates(zone, metrics, editor):
    def queries(text: str) -> tuple[int, int]:
        access.forget(editor)  # the user's zones are loaded once a request: in both counts
        with CaptureQueriesContext(connection) as captured:
            document, _ = document_extract(title="文", text=text, user=editor, zone=zone, subject_year=2023)
        return len(captured), document.extracted_facts.count()

    sentence = "今年1-{m}月,新余高新区实现营业收入{v}亿元,同比增长{g}%。"
    few, few_facts = queries(sentence.format(m=2, v=31, g=5))
    many_text = "".join(sentence.format(m=m, v=30 + m, g=m) for m in range(2, 12))
    many, many_facts = queries(many_text)
    assert many_facts >= 3 * few_facts >= 6
    assert many == few


# ---------------------------------------------------------------------------------------------
# Accepting figures


def test_an_amount_becomes_the_zones_indicator_value_cited_to_its_sentence(document, metrics, editor, zone):
    fact = revenue(document)
    value = fact_accept(fact=fact, user=editor)

    assert IndicatorValue.objects.get() == value
    assert (value.zone, value.metric.code, value.year, value.start_month, value.end_month) == (
        zone, "operating_revenue", 2023, 1, 6,
    )  # fmt: skip
    assert (value.kind, value.value, value.scale, value.currency) == (
        "actual",
        Decimal("218.5") * YI,
        AmountScale.YI,
        "CNY",
    )
    assert value.yoy_growth is None
    assert_cited(value, fact)
    fact.refresh_from_db()
    assert (fact.status, fact.indicator_value, fact.reviewed_by, fact.note) == ("accepted", value, editor, "")
    assert fact.reviewed_at is not None
    record = value.history.get()
    assert record.history_change_reason == "据来源文档xinyu-h1采纳"
    assert record.history_user == editor


def test_the_growth_rate_completes_the_same_figure_and_a_decline_is_negative(document, metrics, editor):
    value = fact_accept(fact=revenue(document), user=editor)
    same = fact_accept(fact=growth(document), user=editor)
    assert same == value
    value.refresh_from_db()
    assert (value.value, value.yoy_growth) == (Decimal("218.5") * YI, Decimal("14.3"))
    assert value.citations.count() == 1  # one sentence states both
    assert value.history.first().history_change_reason == "据来源文档xinyu-h1采纳"

    decline = growth(
        document, "3.2%", measure="decline", metric="规上工业增加值", metric_code="industrial_value_added"
    )
    added = fact_accept(fact=decline, user=editor)
    assert (added.metric.code, added.value, added.yoy_growth) == (
        "industrial_value_added",
        None,
        Decimal("-3.2"),
    )
    assert IndicatorValue.objects.count() == 2

    restated = SourceDocumentFactory(key="restated", text="1-6月营业收入同比增长15%。", zone=document.zone)
    with pytest.raises(ValidationError, match=re.escape("实际值同比增长14.3%,与本条(同比增长15%)不同")):
        fact_accept(fact=growth(restated, "15%"), user=editor)


def test_counts_are_multiplied_out_and_shares_recorded_as_shares(document, metrics, editor):
    count = {"unit": "家", "scale": 1, "measure": "level", "value_kind": "actual", "period": H1}
    firms = fact_of(
        document, "12家", "count", value=Decimal(12), metric_code="new_above_size_enterprises", **count
    )
    jobs = fact_of(
        document,
        "1.2万人",
        "count",
        value=Decimal("1.2"),
        metric_code="new_jobs",
        **{**count, "unit": "万人", "scale": 10_000},
    )
    share = fact_of(
        document, "41.5%", "percent", value=Decimal("41.5"), unit="%", measure="share",
        metric_code="high_tech_enterprises", period=H1,
    )  # fmt: skip
    assert fact_accept(fact=firms, user=editor).value == 12
    recorded = fact_accept(fact=jobs, user=editor)
    assert (recorded.value, recorded.scale, recorded.currency) == (12_000, None, "")
    assert (fact_accept(fact=share, user=editor).share, recorded.share) == (Decimal("41.5"), None)


def test_an_equal_figure_is_linked_and_a_different_one_refused(document, metrics, editor, zone):
    earlier = SourceDocumentFactory(key="earlier", text="1-6月营业收入218.5亿元。")
    cited = Citation.objects.create(document=earlier, quote=earlier.text, start=0, end=len(earlier.text))
    stored = IndicatorValueFactory(
        zone=zone, metric=metrics["operating_revenue"], year=2023, start_month=1, end_month=6,
        value=Decimal("218.5") * YI, citations=[cited],
    )  # fmt: skip
    fact = revenue(document)
    assert fact_accept(fact=fact, user=editor) == stored
    assert IndicatorValue.objects.count() == 1
    assert {c.document.key for c in stored.citations.all()} == {"earlier", "xinyu-h1"}
    fact.refresh_from_db()
    assert (fact.status, fact.indicator_value) == ("accepted", stored)

    other = SourceDocumentFactory(
        key="other", text=ARTICLE.replace("218.5", "200"), zone=zone, subject_year=2023
    )
    conflicting = revenue(other, quote="200亿元", value=Decimal(200))
    before = written()
    with pytest.raises(ValidationError) as refused:
        fact_accept(fact=conflicting, user=editor)
    assert "已登记新余高新区2023年上半年营业收入实际值218.5亿元" in refused.value.messages[0]
    assert "200亿元" in refused.value.messages[0]
    assert written() == before
    conflicting.refresh_from_db()
    assert conflicting.status == FactStatus.PENDING
    assert stored.citations.count() == 2


def test_corrections_override_the_reading_and_are_noted(document, metrics, editor):
    fact = revenue(document)
    value = fact_accept(
        fact=fact,
        user=editor,
        corrections={
            "metric": metrics["industrial_revenue"],
            "period": Period(2023, 1, 5),
            "value": ParsedAmount(Decimal("218.5") * YI, AmountScale.YI, "CNY"),  # as read: not noted
            "value_kind": "actual",
        },
    )
    assert (value.metric.code, value.start_month, value.end_month) == ("industrial_revenue", 1, 5)
    assert value.value == Decimal("218.5") * YI
    fact.refresh_from_db()
    assert fact.note == "指标: 营业收入 → 工业营收;时段: 2023年上半年 → 2023年1-5月"


def test_a_figure_the_catalogue_cannot_place_needs_a_metric_and_a_period(document, metrics, editor):
    fact = revenue(document, metric="营收总额", metric_code="", period=None)
    before = written()
    with pytest.raises(ValidationError, match="文中指标为“营收总额”"):
        fact_accept(fact=fact, user=editor)
    with pytest.raises(ValidationError, match="未识别出时段"):
        fact_accept(fact=fact, user=editor, corrections={"metric": metrics["operating_revenue"]})
    assert written() == before
    fact_accept(
        fact=fact,
        user=editor,
        corrections={"metric": metrics["operating_revenue"], "period": Period(2023, 1, 6)},
    )
    fact.refresh_from_db()
    assert fact.note == "指标: 营收总额 → 营业收入;时段: 空 → 2023年上半年"


def test_an_amount_in_a_currency_not_kept_is_typed_in_converted(document, metrics, editor):
    euros = revenue(document, currency="EUR")
    with pytest.raises(ValidationError, match="台账只记人民币和美元,请将EUR金额换算后填写"):
        fact_accept(fact=euros, user=editor)
    converted = ParsedAmount(Decimal("1700") * YI, AmountScale.YI, "CNY")
    assert fact_accept(fact=euros, user=editor, corrections={"value": converted}).value == 1700 * YI


def test_a_rule_refusal_writes_nothing_and_says_why(document, metrics, editor):
    percent_as_amount = growth(document, measure="level")  # 14.3% as the revenue itself
    before = written()
    with pytest.raises(ValidationError) as refused:
        fact_accept(fact=percent_as_amount, user=editor)
    assert refused.value.messages == [
        "[unit_mismatch] 指标“营业收入”以金额计,不能不选金额单位(元、万元、亿元)"
    ]
    assert not warnings_only(refused.value)
    assert written() == before
    percent_as_amount.refresh_from_db()
    assert (percent_as_amount.status, percent_as_amount.indicator_value) == ("pending", None)


def test_a_warning_passes_once_confirmed(document, metrics, editor, zone):
    for month in (1, 2, 3):  # a history of about 30亿元 a month
        IndicatorValueFactory(zone=zone, metric=metrics["operating_revenue"], year=2022, start_month=1,
                              end_month=month, value=30 * month * YI)  # fmt: skip
    huge = revenue(document, value=Decimal("21850"))  # 21850亿元: a unit typed wrong
    with pytest.raises(ValidationError) as refused:
        fact_accept(fact=huge, user=editor)
    assert warnings_only(refused.value)
    assert refused.value.messages[0].startswith("[outlier] 警告:")
    value = fact_accept(fact=huge, user=editor, confirm_warnings=True)
    assert value.value == 21850 * YI


def test_periods_and_dates_are_not_accepted_alone(document, editor):
    period = fact_of(document, "今年1-6月", "period", period=H1)
    with pytest.raises(ValidationError, match="不能单独采纳"):
        fact_accept(fact=period, user=editor)


# ---------------------------------------------------------------------------------------------
# Projects and milestones


def test_a_project_is_created_then_linked_with_only_its_empty_fields_filled(document, editor, zone):
    fact = project_fact(document)
    project = fact_accept(fact=fact, user=editor)
    assert (project.zone, project.name, project.total_investment) == (zone, PROJECT, 32 * YI)
    assert (project.total_investment_scale, project.currency, project.capacity, project.stage) == (
        AmountScale.YI, "CNY", "年产20GW光伏组件", "construction",
    )  # fmt: skip
    assert_cited(project, fact)
    assert project.history.get().history_change_reason == "据来源文档xinyu-h1采纳"

    project.capacity, project.stage = "年产10GW光伏组件", ""
    project.save()
    again_text = f"{PROJECT}总投资32亿元。"
    again = SourceDocumentFactory(key="again", text=again_text, zone=zone)
    second = fact_of(
        again,
        PROJECT,
        "project",
        subject_kind="zone",
        name=PROJECT,
        capacity="年产20GW光伏组件",
        stage="production",
    )
    assert fact_accept(fact=second, user=editor) == project
    project.refresh_from_db()
    assert (project.capacity, project.stage) == ("年产10GW光伏组件", "production")  # kept, filled
    assert Project.objects.count() == 1 and project.citations.count() == 2
    second.refresh_from_db()
    assert second.note == "产能未覆盖(已登记年产10GW光伏组件,本条年产20GW光伏组件)"


def test_a_milestone_needs_its_project_and_records_the_date_it_states(document, editor):
    start = milestone_fact(document)
    before = written()
    with pytest.raises(ValidationError, match=f"项目“{PROJECT}”尚未登记:请先采纳或选择项目"):
        fact_accept(fact=start, user=editor)
    assert written() == before

    project = fact_accept(fact=project_fact(document), user=editor)
    milestone = fact_accept(fact=start, user=editor)
    assert (milestone.project, milestone.kind) == (project, "start")
    assert (milestone.actual_date, milestone.actual_precision, milestone.planned_date) == (
        date(2023, 3, 18),
        "day",
        None,
    )
    assert_cited(milestone, start)

    planned = milestone_fact(document, "投产", event="production", value_kind="plan",
                             date=DateRef(date(2023, 10, 1), "month", "10月"))  # fmt: skip
    production = fact_accept(fact=planned, user=editor)
    assert (production.planned_date, production.planned_precision, production.actual_date) == (
        date(2023, 10, 1), "month", None,
    )  # fmt: skip


def test_a_milestone_takes_the_project_chosen_and_refuses_another_date(document, editor, zone):
    chosen = ProjectFactory(zone=zone, name="光伏组件项目")
    fact = milestone_fact(document)
    milestone = fact_accept(fact=fact, user=editor, corrections={"project": chosen})
    assert milestone.project == chosen
    fact.refresh_from_db()
    assert fact.note == f"项目: {PROJECT} → 光伏组件项目"

    other = SourceDocumentFactory(key="other", text="该项目于4月1日开工。", zone=zone, subject_year=2023)
    later = fact_of(other, "开工", "milestone", name="光伏组件项目", event="start", value_kind="actual",
                    date=DateRef(date(2023, 4, 1), "day", "4月1日"))  # fmt: skip
    with pytest.raises(
        ValidationError, match=re.escape("已登记实际日期2023年3月18日,与本条(2023年4月1日)不同")
    ):
        fact_accept(fact=later, user=editor, corrections={"project": chosen})


# ---------------------------------------------------------------------------------------------
# Who may, and the review's states


def test_editors_of_other_zones_are_refused_and_nothing_is_written(document, metrics, editor, zone):
    other = ZoneFactory(name="分宜县")
    stranger = UserFactory()
    ZoneMembershipFactory(user=stranger, zone=other, role=ZoneRole.EDITOR)
    ZoneMembershipFactory(user=editor, zone=other, role=ZoneRole.VIEWER)
    fact = revenue(document)
    before = written()
    with pytest.raises(PermissionDenied, match="新余高新区"):
        fact_accept(fact=fact, user=stranger)  # the document is not theirs
    with pytest.raises(PermissionDenied, match="您对“分宜县”只有只读权限"):
        fact_accept(fact=fact, user=editor, corrections={"zone": other})  # nor is the zone chosen
    assert written() == before
    fact.refresh_from_db()
    assert fact.status == FactStatus.PENDING


def test_rejected_facts_are_reopened_accepted_ones_are_not(document, metrics, editor):
    fact = revenue(document)
    fact_reject(fact=fact, user=editor, reason="重复报道")
    fact.refresh_from_db()
    assert (fact.status, fact.note, fact.reviewed_by) == ("rejected", "重复报道", editor)
    with pytest.raises(ValidationError, match=re.escape("该事实已驳回(xinyu-editor),不能再采纳")):
        fact_accept(fact=fact, user=editor)

    fact_reopen(fact=fact, user=editor)
    fact.refresh_from_db()
    assert (fact.status, fact.note, fact.reviewed_by, fact.reviewed_at) == ("pending", "", None, None)
    value = fact_accept(fact=fact, user=editor)
    with pytest.raises(ValidationError, match=f"已据此登记“{value}”,不能重新审核"):
        fact_reopen(fact=fact, user=editor)
    with pytest.raises(ValidationError, match="不能再驳回"):
        fact_reject(fact=fact, user=editor)


def test_documents_of_a_zone_are_its_data_those_without_one_reference(document, metrics, editor, zone):
    parent_viewer, stranger, zone_viewer = UserFactory(), UserFactory(), UserFactory()
    zone.parent = ZoneFactory(name="新余市")
    zone.save()
    ZoneMembershipFactory(user=parent_viewer, zone=zone.parent, role=ZoneRole.VIEWER)
    ZoneMembershipFactory(user=zone_viewer, zone=zone, role=ZoneRole.VIEWER)
    ZoneMembershipFactory(user=stranger, zone=ZoneFactory(), role=ZoneRole.EDITOR)
    public = SourceDocumentFactory(key="public")
    public_quote = Citation.objects.create(document=public, quote=public.text[:5], start=0, end=5)
    fact = revenue(document)
    quote = fact_accept(fact=fact, user=editor).citations.get()
    documents, citations = SourceDocument.objects.all(), Citation.objects.all()
    for user in (editor, parent_viewer, zone_viewer):
        assert set(access.readable(documents, user)) == {document, public}
        assert set(access.readable(citations, user)) == {quote, public_quote}
        assert list(access.readable(ExtractedFact.objects.all(), user)) == [fact]
        assert (
            access.can_read(user, document) and access.can_read(user, fact) and access.can_read(user, quote)
        )
    assert set(access.readable(documents, stranger)) == {public}
    assert set(access.readable(citations, stranger)) == {public_quote}
    assert not access.readable(ExtractedFact.objects.all(), stranger).exists()
    assert not access.can_read(stranger, document) and access.can_read(stranger, public)
    assert not access.can_read(stranger, quote)
    assert access.can_edit(stranger, public_quote, stored=True) and not access.can_edit(
        stranger, quote, stored=True
    )

    assert access.can_edit(editor, document, stored=True) and access.can_edit(editor, fact, stored=True)
    assert set(access.editable(documents, editor)) == {document, public}
    assert not access.can_edit(zone_viewer, document, stored=True)
    assert set(access.editable(documents, stranger)) == {public}
    assert (
        bilingual(access.edit_refusal(stranger, document))
        == "您没有修改“新余高新区”数据的权限 / You may not change data of zone 新余高新区"
    )
    assert bilingual(access.edit_refusal(editor, document, delete=True)) == (
        "只有超级管理员可以删除来源文档 / Only superusers may delete records of “Source document”"
    )


def test_text_files_are_read_in_their_encoding_and_others_refused():
    text = "今年1-6月,实现营业收入218.5亿元。"
    for content in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("gb18030"),
                    text.encode("utf-16")):  # fmt: skip
        assert text_of_upload(name="报道.TXT", content=content).lstrip("\ufeff") == text
    with pytest.raises(ValidationError, match="无法读取该文本文件"):
        text_of_upload(name="坏.txt", content=b"\x81\x20abc")
    with pytest.raises(ValidationError, match=re.escape("只能上传 .txt 文本文件或 .docx Word 文档")):
        text_of_upload(name="报道.pdf", content=b"%PDF-1.4")
    with pytest.raises(ValidationError, match="无法读取该 Word 文档"):
        text_of_upload(name="报道.docx", content=b"PK\x03\x04 not really")
