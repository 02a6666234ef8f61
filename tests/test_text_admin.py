"""从文本提取 in the admin (projects/admin/text_entry.py), with the Django test client: paste or upload a
text, see its candidates on the review page, accept (with corrections), reject, act on several at
once; viewers look without reviewing, other zones see nothing.

Tests that act on a fact find it by its quote (an amount written 218.5亿元 is found by any
reading of the article) and post every field of its row, so that they do not depend on how the
extractor currently reads the words around it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape
from io import BytesIO

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from projects import access
from projects.admin.text_entry_forms import Choices, FactForm
from projects.extraction import Candidate, DateRef, PeriodRef, sentences
from projects.models import (
    ExtractedFact,
    FactStatus,
    IndicatorValue,
    Metric,
    Project,
    SourceDocument,
    UnitKind,
    Zone,
    ZoneRole,
)
from projects.text_entry import Lookups, fact_accept, fact_draft, fact_reject, reading_words
from tests.factories import (
    IndicatorValueFactory,
    MetricFactory,
    UserFactory,
    ZoneFactory,
    ZoneMembershipFactory,
)

YI = Decimal(100_000_000)
EXTRACT = reverse("admin:projects_sourcedocument_extract")
ARTICLE = (
    "新余高新区上半年主要经济指标稳中有进\n"
    "今年1-6月,新余高新区实现营业收入218.5亿元,同比增长14.3%;完成固定资产投资56.2亿元。\n"
    "园区新增规上企业12家。年产20GW光伏组件项目总投资32亿元,于3月18日正式开工。\n"
)


@pytest.fixture
def zone(db) -> Zone:
    return ZoneFactory(name="新余高新区")


@pytest.fixture
def metrics(db) -> dict[str, Metric]:
    rows = [
        ("operating_revenue", "营业收入", UnitKind.AMOUNT, ""),
        ("industrial_revenue", "工业营收", UnitKind.AMOUNT, ""),
        ("fixed_asset_investment", "固定资产投资", UnitKind.AMOUNT, ""),
        ("new_above_size_enterprises", "新增规上企业数", UnitKind.COUNT, "家"),
    ]
    return {
        code: MetricFactory(code=code, name=name, unit_kind=kind, unit=unit, flow_or_stock="flow")
        for code, name, kind, unit in rows
    }


def member(zone: Zone, role: str):
    user = UserFactory()
    ZoneMembershipFactory(user=user, zone=zone, role=role)
    return user


@pytest.fixture
def editor(zone):
    return member(zone, ZoneRole.EDITOR)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def paste(client, text: str = ARTICLE, **fields):
    data = {"title": "新余高新区上半年经济运行", "zone": Zone.objects.get(name="新余高新区").pk,
            "subject_year": "2023", "text": text, **fields}  # fmt: skip
    return client.post(EXTRACT, data)


@pytest.fixture
def document(editor_client, metrics) -> SourceDocument:
    response = paste(editor_client)
    assert response.status_code == 302, response.content.decode()
    editor_client.get(response.url)  # its message shown
    return SourceDocument.objects.get()


def review_url(document: SourceDocument, query: str = "") -> str:
    return reverse("admin:projects_sourcedocument_review", args=[document.pk]) + query


def found(document: SourceDocument, quote: str, kind: str = "amount") -> ExtractedFact:
    return document.extracted_facts.get(quote=quote, kind=kind)


def row_data(fact: ExtractedFact, user, **changes: object) -> dict[str, str]:
    """The row's fields as the page fills them in, with `changes` typed over them."""
    lookups = Lookups(fact.document, [fact])
    choices = Choices(
        zones={z.pk: z for z in access.editable(Zone.objects.all(), user)},
        metrics={m.pk: m for m in lookups.metrics.values()},
        projects={p.pk: p for p in access.editable(Project.objects.all(), user)},
    )
    form = FactForm(fact=fact, draft=fact_draft(fact, lookups), choices=choices, superuser=user.is_superuser)
    data = {}
    for name in form.fields:
        value = changes.get(name, form[name].value())
        if name != "confirm" and value is not None:
            data[form.add_prefix(name)] = str(value)
    return data


def figure_row(fact: ExtractedFact, user, metric: Metric, **changes: object) -> dict[str, str]:
    """Every field of a figure's row typed in: nothing left to the reading."""
    fields = {"zone": fact.document.zone_id, "metric": metric.pk, "period": "2023年1-6月",
              "value_kind": "actual", "measure": "level", "value": fact.quote, **changes}  # fmt: skip
    return row_data(fact, user, **fields)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def page_text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


# ---------------------------------------------------------------------------------------------
# Pasting and uploading


def test_the_documents_list_offers_extraction_and_the_review(editor_client, document):
    page = editor_client.get(reverse("admin:projects_sourcedocument_changelist")).content.decode()
    assert f'href="{EXTRACT}" class="addlink extract-link">从文本提取' in page
    pending = document.extracted_facts.recordable().pending().count()
    assert f'href="{review_url(document)}" class="review-link">待审核{pending}条' in page
    change = editor_client.get(reverse("admin:projects_sourcedocument_change", args=[document.pk]))
    assert f'href="{review_url(document)}" class="review-link">审核提取的事实' in change.content.decode()


def test_a_pasted_article_becomes_a_document_whose_candidates_are_listed(
    editor_client, metrics, editor, zone
):
    response = paste(editor_client)
    document = SourceDocument.objects.get()
    assert response.url == review_url(document)
    assert (document.zone, document.subject_year, document.created_by, document.text) == (
        zone,
        2023,
        editor,
        ARTICLE,
    )

    page = editor_client.get(response.url)
    recordable = list(document.extracted_facts.recordable())
    times = document.extracted_facts.count() - len(recordable)
    assert messages_of(page) == [f"识别出{len(recordable)}条候选事实(另有{times}处时段、日期),请逐条审核"]
    html = page.content.decode()
    assert len(recordable) >= 5
    for fact in recordable:  # a row each, with its reading in words and the fields to correct
        assert f'id="fact-{fact.pk}"' in html
        assert f'name="accept" value="{fact.pk}"' in html
        assert escape(reading_words(fact.reading)) in html
    for fact in document.extracted_facts.all():  # every candidate is marked in the text
        assert escape(f"{fact.get_kind_display()}:{reading_words(fact.reading)}") in html
    assert "218.5亿元" in page_text(page)
    assert page.context["counts"] == {
        "pending": len(recordable),
        "accepted": 0,
        "rejected": 0,
        "all": len(recordable),
    }


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("报道.txt", ARTICLE.encode("utf-8"), ARTICLE),
        ("报道.txt", b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8"), ARTICLE),
        ("县区月报.TXT", ARTICLE.encode("gb18030"), ARTICLE),
        ("报道.docx", docx_bytes(ARTICLE.splitlines()), ARTICLE.rstrip("\n")),
    ],
)
def test_uploaded_files_are_read_as_text(editor_client, metrics, name, content, expected):
    response = paste(editor_client, text="", upload=SimpleUploadedFile(name, content))
    assert response.status_code == 302, page_text(response)
    document = SourceDocument.objects.get()
    assert (document.text, document.file_path) == (expected, name)
    assert document.extracted_facts.filter(quote="218.5亿元").exists()


@pytest.mark.parametrize(
    ("text", "upload", "message"),
    [
        ("", None, "请粘贴正文或上传文件"),
        (ARTICLE, ("报道.txt", ARTICLE.encode()), "请只粘贴正文或只上传文件,不要同时提供"),
        ("", ("报道.pdf", b"%PDF-1.4 ..."), "只能上传 .txt 文本文件或 .docx Word 文档"),
        ("", ("报道.doc", b"\xd0\xcf\x11\xe0"), "旧版 .doc 请另存为 .docx"),
        ("", ("报道.docx", b"PK\x03\x04 damaged"), "无法读取该 Word 文档:文件已损坏或不是 .docx 格式"),
        (
            "",
            ("报道.txt", b"\x81\x20\x81\x20"),
            "无法读取该文本文件:请保存为 UTF-8 或 GB18030 编码的 .txt 文件",
        ),
        ("", ("报道.txt", b"a" * (2 * 1024 * 1024 + 1)), "文件超过2MB,请分成几个文件录入"),
    ],
)
def test_bad_input_is_refused_with_its_reason(editor_client, metrics, text, upload, message):
    extra = {"upload": SimpleUploadedFile(*upload)} if upload else {}
    response = paste(editor_client, text=text, **extra)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not SourceDocument.objects.exists()


def test_the_same_text_again_opens_the_stored_review(editor_client, document):
    response = paste(editor_client, text=ARTICLE.replace("\n", "\r\n"), title="再贴一次")
    assert response.url == review_url(document)
    assert SourceDocument.objects.count() == 1
    assert (
        messages_of(editor_client.get(response.url))[0]
        == f"相同的文本已经录入过(“{document}”),以下是它的审核页面"
    )


# ---------------------------------------------------------------------------------------------
# Reviewing


def test_accepting_with_a_corrected_metric_records_it_and_notes_the_correction(
    editor_client, document, editor, metrics
):
    fact = found(document, "218.5亿元")
    data = figure_row(fact, editor, metrics["industrial_revenue"])
    response = editor_client.post(review_url(document), {**data, "accept": fact.pk})
    assert response.status_code == 302
    value = IndicatorValue.objects.get()
    assert (value.metric.code, value.value, value.scale, value.year, value.start_month, value.end_month) == (
        "industrial_revenue", Decimal("218.5") * YI, 100_000_000, 2023, 1, 6,
    )  # fmt: skip
    citation = value.citations.get()
    assert citation.quote == document.text[citation.start : citation.end]
    assert "218.5亿元" in citation.quote
    fact.refresh_from_db()
    assert fact.status == FactStatus.ACCEPTED and fact.indicator_value == value
    assert re.search(r"指标: .+ → 工业营收", fact.note)

    accepted = editor_client.get(review_url(document, "?status=accepted"))
    assert messages_of(accepted)[0].startswith("已采纳“218.5亿元”")
    html = accepted.content.decode()
    row = html[html.index(f'id="fact-{fact.pk}"') :]
    assert 'class="record-link"' in row and "审核说明:指标:" in unescape(row)
    assert accepted.context["counts"]["accepted"] == 1


def test_a_refused_row_says_why_and_keeps_what_was_typed(editor_client, document, editor, metrics, zone):
    fact = found(document, "218.5亿元")
    data = figure_row(fact, editor, metrics["operating_revenue"], period="2023年13月")
    response = editor_client.post(review_url(document), {**data, "accept": fact.pk})
    assert response.status_code == 200
    row = response.context["groups"]
    form = next(r.form for g in row for r in g.rows if r.fact == fact)
    assert form.errors["period"] == ["无法识别的时段“2023年13月”：月份须在1至12之间"]
    assert 'value="2023年13月"' in response.content.decode()
    assert not IndicatorValue.objects.exists()

    IndicatorValueFactory(
        zone=zone, metric=metrics["operating_revenue"], year=2023, start_month=1, end_month=6, value=200 * YI
    )
    data = figure_row(fact, editor, metrics["operating_revenue"], value="218.50亿元")
    response = editor_client.post(review_url(document), {**data, "accept": fact.pk})
    rows = {r.fact.pk: r for g in response.context["groups"] for r in g.rows}
    assert rows[fact.pk].errors == [
        "已登记新余高新区2023年上半年营业收入实际值200亿元,与本条(218.5亿元)不同;"
        "不覆盖已登记的数值,请核对后在“指标数值”中更正,或驳回本条"
    ]
    assert 'value="218.50亿元"' in response.content.decode()
    others = [r for r in rows.values() if r.fact != fact]
    assert others and all(r.form is not None and not r.form.is_bound and not r.errors for r in others)
    assert IndicatorValue.objects.count() == 1
    fact.refresh_from_db()
    assert fact.status == FactStatus.PENDING


def test_rejecting_with_a_reason_and_reopening(editor_client, document, editor):
    fact = found(document, "12家", "count")
    response = editor_client.post(
        review_url(document), {f"f{fact.pk}-reason": "统计口径不同", "reject": fact.pk}
    )
    assert response.status_code == 302
    fact.refresh_from_db()
    assert (fact.status, fact.note, fact.reviewed_by) == ("rejected", "统计口径不同", editor)
    rejected = editor_client.get(review_url(document, "?status=rejected"))
    assert "已驳回:统计口径不同" in page_text(rejected)
    editor_client.post(review_url(document, "?status=rejected"), {"reopen": fact.pk})
    fact.refresh_from_db()
    assert fact.status == FactStatus.PENDING


def add_fact(document: SourceDocument, quote: str, **reading) -> ExtractedFact:
    start = document.text.index(quote)
    sentence = next((a, b) for a, b in sentences(document.text) if a <= start < b)
    candidate = Candidate("amount", quote, start, start + len(quote), *sentence, **reading)
    fact, _ = ExtractedFact.objects.update_or_create(
        document=document, kind="amount", start=start, end=start + len(quote),
        defaults={"quote": quote, "sentence_start": sentence[0], "sentence_end": sentence[1],
                  "reading": candidate.to_dict()},
    )  # fmt: skip
    return fact


def test_bulk_acceptance_takes_the_readings_and_reports_each_row(editor_client, document, metrics):
    amount = {
        "unit": "亿元",
        "scale": 100_000_000,
        "currency": "CNY",
        "measure": "level",
        "value_kind": "actual",
    }
    h1 = PeriodRef(2023, 1, 6, "今年1-6月")
    revenue = add_fact(
        document,
        "218.5亿元",
        value=Decimal("218.5"),
        metric="营业收入",
        metric_code="operating_revenue",
        period=h1,
        **amount,
    )
    undated = add_fact(document, "56.2亿元", value=Decimal("56.2"), metric="固定资产投资",
                       metric_code="fixed_asset_investment", period=None, **amount)  # fmt: skip
    response = editor_client.post(
        review_url(document), {"selected": [revenue.pk, undated.pk], "bulk_accept": "1"}
    )
    assert response.status_code == 302
    shown = messages_of(editor_client.get(review_url(document)))
    assert shown[0].startswith("已采纳“218.5亿元”(218.5亿元 · 营业收入 · 2023年上半年 · 实际")
    assert shown[1] == (
        "未采纳“56.2亿元”(56.2亿元 · 固定资产投资 · 时段未识别 · 实际):"
        "未识别出时段(或缺少年份),请填写,如2022年1-5月"
    )
    value = IndicatorValue.objects.get()
    assert (value.metric.code, value.value) == ("operating_revenue", Decimal("218.5") * YI)
    undated.refresh_from_db()
    assert undated.status == FactStatus.PENDING

    others = list(document.extracted_facts.recordable().pending().values_list("pk", flat=True))
    editor_client.post(
        review_url(document), {"selected": others, "bulk_reject": "1", "bulk_reason": "非本区数据"}
    )
    assert set(document.extracted_facts.recordable().values_list("status", flat=True)) == {
        "accepted",
        "rejected",
    }
    assert set(document.extracted_facts.filter(status="rejected").values_list("note", flat=True)) == {
        "非本区数据"
    }


def test_a_viewer_reads_the_review_but_cannot_accept(client, document, zone):
    viewer = member(zone, ZoneRole.VIEWER)
    client.force_login(viewer)
    page = client.get(review_url(document))
    assert page.status_code == 200
    assert 'name="accept"' not in page.content.decode()
    assert "您对本文档只有查看权限" in page_text(page)
    fact = found(document, "218.5亿元")
    refused = client.post(review_url(document), {"accept": fact.pk})
    assert refused.status_code == 403
    assert "您对“新余高新区”只有只读权限" in page_text(refused)
    fact.refresh_from_db()
    assert fact.status == FactStatus.PENDING and not IndicatorValue.objects.exists()
    assert client.get(EXTRACT).status_code == 403  # no editor role anywhere


def test_other_zones_see_neither_the_document_nor_its_facts(client, document):
    stranger = member(ZoneFactory(name="分宜县"), ZoneRole.EDITOR)
    client.force_login(stranger)
    # As for a document that does not exist: a 404, and the admin's "不存在" redirect.
    assert client.get(review_url(document)).status_code == 404
    change = client.get(reverse("admin:projects_sourcedocument_change", args=[document.pk]))
    assert change.status_code == 302 and change.url == reverse("admin:index")
    listed = client.get(reverse("admin:projects_sourcedocument_changelist"))
    assert document.key not in listed.content.decode()
    facts = client.get(reverse("admin:projects_extractedfact_changelist"))
    assert facts.status_code == 200 and "218.5亿元" not in facts.content.decode()
    extract_page = client.get(EXTRACT)
    assert [z.name for z in extract_page.context["form"].fields["zone"].queryset] == ["分宜县"]


def test_the_facts_list_is_read_only_and_filtered(editor_client, document):
    url = reverse("admin:projects_extractedfact_changelist")
    listed = editor_client.get(url + "?status__exact=pending&kind__exact=amount")
    assert listed.status_code == 200
    shown = {fact.pk for fact in listed.context["cl"].result_list}
    assert shown == set(document.extracted_facts.filter(kind="amount").values_list("pk", flat=True))
    assert f"{review_url(document)}?status=all#fact-" in listed.content.decode()
    fact = found(document, "218.5亿元")
    detail = editor_client.get(reverse("admin:projects_extractedfact_change", args=[fact.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert editor_client.get(reverse("admin:projects_extractedfact_add")).status_code == 403


def reviewed_document(n: int, zone: Zone, user) -> None:
    """A document with a figure, a project and its milestone accepted, and a figure rejected."""
    project = f"年产{n}万吨新材料项目"
    text = f"今年1-{n + 1}月实现营业收入{n}亿元,新增就业{n}人。{project}总投资{n}亿元,于3月1日开工。"
    document = SourceDocument.objects.create(
        key=f"reviewed-{n}", title="报道", text=text, zone=zone, subject_year=2023
    )

    def fact(quote: str, kind: str, **reading) -> ExtractedFact:
        start = text.index(quote)
        sentence = next((a, b) for a, b in sentences(text) if a <= start < b)
        candidate = Candidate(kind, quote, start, start + len(quote), *sentence, **reading)
        return ExtractedFact.objects.create(
            document=document, kind=kind, quote=quote, start=start, end=start + len(quote),
            sentence_start=sentence[0], sentence_end=sentence[1], reading=candidate.to_dict(),
        )  # fmt: skip

    h1 = PeriodRef(2023, 1, n + 1, f"今年1-{n + 1}月")  # each document its own period: no conflicts
    amount = {"unit": "亿元", "scale": 100_000_000, "currency": "CNY", "measure": "level", "period": h1}
    fact_accept(
        fact=fact(f"{n}亿元", "amount", value=Decimal(n), metric_code="operating_revenue", **amount),
        user=user,
    )
    fact_reject(
        fact=fact(f"{n}人", "count", value=Decimal(n), unit="人", period=h1), user=user, reason="不登记"
    )
    fact_accept(
        fact=fact(project, "project", name=project, subject_kind="zone", subject=zone.name), user=user
    )
    when = DateRef(date(2023, 3, 1), "day", "3月1日")
    fact_accept(
        fact=fact("开工", "milestone", name=project, event="start", value_kind="actual", date=when), user=user
    )


def test_the_facts_list_costs_the_same_queries_for_few_or_many_rows(editor_client, editor, zone, metrics):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = editor_client.get(reverse("admin:projects_extractedfact_changelist"))
        assert response.status_code == 200
        return len(captured), response.context["cl"].result_count

    reviewed_document(1, zone, editor)
    few, few_rows = queries()
    for n in range(2, 6):
        reviewed_document(n, zone, editor)
    many, many_rows = queries()
    assert (few_rows, many_rows) == (4, 20)
    assert many == few


def test_the_review_page_costs_the_same_queries_for_few_or_many_facts(editor_client, metrics, zone):
    def queries(text: str) -> int:
        paste(editor_client, text=text, title=text[:10])
        document = SourceDocument.objects.latest("pk")
        editor_client.get(review_url(document))  # the session, once
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(review_url(document)).status_code == 200
        return len(captured), document.extracted_facts.count()

    sentence = "今年1-{m}月,新余高新区实现营业收入{v}亿元,同比增长{g}%,新增规上企业{m}家。"
    few, few_facts = queries(sentence.format(m=2, v=31, g=5))
    many, many_facts = queries("".join(sentence.format(m=m, v=30 + m, g=m) for m in range(2, 12)))
    assert many_facts >= 3 * few_facts
    assert many == few


def test_the_year_is_asked_for_when_neither_it_nor_the_date_is_given(editor_client, metrics):
    response = paste(editor_client, subject_year="")
    assert response.status_code == 200
    assert "请填写文中所述年份" in page_text(response)
    assert not SourceDocument.objects.exists()
    response = paste(editor_client, subject_year="", published="2022年6月8日")
    assert response.status_code == 302
    assert SourceDocument.objects.get().subject_year == 2022


def test_a_document_entered_without_facts_is_read_on_request(editor_client, zone, metrics):
    document = SourceDocument.objects.create(
        key="entered-by-hand", title="手工录入的文档", text=ARTICLE, zone=zone, subject_year=2023
    )
    response = editor_client.get(review_url(document))
    assert "识别本文的事实" in page_text(response)
    response = editor_client.post(review_url(document), {"extract": "1"}, follow=True)
    added = document.extracted_facts.count()
    assert added > 0
    assert messages_of(response)[-1] == f"识别出{added}条新的候选事实"
    fact = found(document, "218.5亿元")
    ExtractedFact.objects.filter(pk=fact.pk).update(status=FactStatus.REJECTED, note="试")
    response = editor_client.post(review_url(document), {"extract": "1"}, follow=True)
    assert messages_of(response)[-1] == "没有识别出新的候选事实"
    assert document.extracted_facts.count() == added
    assert found(document, "218.5亿元").status == FactStatus.REJECTED  # reviewed facts stay as they are


def test_the_full_text_greys_the_numbers_no_fact_covers(editor_client, zone, metrics):
    response = paste(editor_client, text="引进“5020”项目9个,列全省第一,G60走廊。")
    page = editor_client.get(response.url).content.decode()
    assert re.findall(r"<span class=\"unread\" title=\"未识别的数字\">([^<]*)</span>", page) == ["5020", "60"]
