"""A Chinese user's admin shows no English: every page the admin builds (the index, each model's
list, add, change, history and delete page, the password change) is read as a reader sees it, and
a word of Latin letters must come from the data (a metric's code, an enterprise's name) or be one the
tracker means to show (an acronym, a setting's name). Django 6.1 and django-tasks-db leave some of
their labels untranslated in Chinese; the tracker's catalogue (projects/locale) supplies them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import reverse

from projects.models import ReportSchedule, ZoneMembership, ZoneRole
from projects.tokens import api_token_create

from .factories import ReportScheduleFactory

ACRONYMS = {"API", "PDF", "HTML", "XLSX", "xlsx", "Excel", "SHA-256", "LDAP", "CNY", "USD", "ID", "Token"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")  # an address, an example of one in a help text
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")


class VisibleText(HTMLParser):
    """The text a reader sees: text outside script and style, and the labels a pointer or a screen
    reader shows (title, placeholder, aria-label, a button's value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        attrs = dict(attrs)
        self.parts += [attrs[name] for name in ("title", "placeholder", "aria-label") if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def latin_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return {word for part in parser.parts for word in WORD.findall(EMAIL.sub("", part))}


def data_words() -> set[str]:
    """Every Latin word stored in a text column of any row: the data's own, shown as it is."""
    words = set()
    for model in apps.get_models():
        columns = [f.attname for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        for row in model._default_manager.values_list(*columns):
            words |= {
                word
                for value in row
                if isinstance(value, (str, list, dict))
                for word in WORD.findall(str(value))
            }
    return words


def shown_by_the_data(word: str, data: set[str]) -> bool:
    """A word of the data, or hex digits of one (a password's hash, shown cut short)."""
    if word in data:
        return True
    return re.fullmatch("[0-9a-f]+", word) is not None and any(word in stored for stored in data)


def admin_pages(rows: dict) -> list[str]:
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        if (row := rows.get(model)) is not None:
            pages += [reverse(f"{name}_{page}", args=[row.pk]) for page in ("change", "history", "delete")]
    return pages


@pytest.fixture
def chief(client, django_user_model, seeded):
    user = django_user_model.objects.create_superuser("chief", password="pw-for-tests-only")
    client.force_login(user)
    zone = apps.get_model("projects", "Zone").objects.order_by("pk").first()
    ZoneMembership.objects.create(user=user, zone=zone, role=ZoneRole.EDITOR)
    ReportScheduleFactory(zone=zone)
    api_token_create(user=user, days=30)
    return user


def test_no_admin_page_shows_english_to_a_chinese_user(client, chief):
    rows = {model: model._default_manager.order_by("pk").first() for model in admin.site._registry}
    data = data_words()
    allowed = ACRONYMS | {name for name in dir(settings) if name.isupper()} | {chief.username}
    english: dict[str, set[str]] = {}
    pages = admin_pages(rows)
    for url in pages:
        response = client.get(url)
        if response.status_code in (302, 403):  # a page the model's admin does not offer
            continue
        assert response.status_code == 200, (url, response.status_code)
        if words := {
            w for w in latin_words(response.content.decode()) - allowed if not shown_by_the_data(w, data)
        }:
            english[url] = words
    assert sum(rows[m] is not None for m in rows) >= 15 and len(pages) > 70, (len(pages), rows)
    assert not english, english


def test_the_check_finds_english_where_a_label_is_not_translated(client, chief):
    """The reading above sees an untranslated label: Django's own, with the catalogue switched off."""
    from django.utils import translation

    with translation.override("en"):
        page = client.get(reverse("admin:projects_project_add"), headers={"accept-language": "en"})
    assert {"Select", "option"} <= latin_words(page.content.decode())


def test_link_tables_are_named_in_chinese(chief):
    link = apps.get_model("projects", "Project").citations.through
    assert link._meta.verbose_name == "项目与引文的关联"
    row = link.objects.first()
    assert str(row) == f"项目 {row.project_id} — 引文 {row.citation_id}"
    assert ReportSchedule.objects.exists()
