"""One message catalogue in the templates too (projects/i18n.py, tests/test_messages.py): every
Chinese text of a template under projects/templates is a message written once, in
{% translate %} or {% blocktranslate %}…{% endblocktranslate %}, and has its English in
projects/locale/en. Comments ({# #} and {% comment %}…{% endcomment %}) stay as they are.

Walked over every template, so a page that gains Chinese outside the tags fails here."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation

import projects

TEMPLATES = Path(projects.__file__).resolve().parent / "templates"
CJK = re.compile(r"[\u3400-\u9fff]")

# Templates converted in another share of the same change (issue 17), walked once it is merged:
# remove an entry at the merge (test_the_exclusions_are_still_needed says when).

# What a reader never sees, or sees through the catalogue: cut out before looking for Chinese.
# Each is replaced by its own line breaks, so that the line numbers stay those of the file.
SPARED = re.compile(
    r"\{#.*?#\}"
    r"|\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}"
    r"|\{%\s*(?:blocktranslate|blocktrans)\b.*?%\}.*?\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}"
    r"|\{%\s*(?:translate|trans)\s+(?:\"[^\"]*\"|'[^']*').*?%\}"
    r"|\b_\((?:\"[^\"]*\"|'[^']*')\)",  # a translated literal in a tag or filter: _("…")
    re.DOTALL,
)


@dataclass(frozen=True)
class Loose:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.text.strip()[:60]!r}"


def template_paths() -> list[str]:
    return sorted(path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html"))


def source(relative: str) -> str:
    return (TEMPLATES / relative).read_text(encoding="utf-8")


def loose_chinese(relative: str) -> list[Loose]:
    """The lines of a template with Chinese outside the translation tags and the comments."""
    text = SPARED.sub(lambda match: "\n" * match.group().count("\n"), source(relative))
    return [
        Loose(relative, number, line) for number, line in enumerate(text.splitlines(), 1) if CJK.search(line)
    ]


def msgids(relative: str) -> list[tuple[str | None, str]]:
    """(context, msgid) of a template's {% translate %} and {% blocktranslate %} tags, as gettext
    is asked for them (a blocktranslate's variables as %(name)s)."""
    nodelist = engines["django"].from_string(source(relative)).template.nodelist
    found = []
    for node in nodelist.get_nodes_by_type(TranslateNode):
        var = node.filter_expression.var
        context = node.message_context.resolve({}) if node.message_context else None
        found.append((context, str(getattr(var, "literal", None) or var)))
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        context = node.message_context.resolve({}) if node.message_context else None
        found.append((context, node.render_token_list(node.singular)[0]))
        if node.plural:
            found.append((context, node.render_token_list(node.plural)[0]))
    return found


WALKED = template_paths()


def test_no_template_shows_chinese_outside_the_translation_tags():
    loose = [str(found) for path in WALKED for found in loose_chinese(path)]
    assert not loose, f"{len(loose)} template lines with Chinese outside translate:\n" + "\n".join(loose[:80])


def test_every_template_message_has_its_english():
    missing = []
    with translation.override("en"):
        for path in WALKED:
            for context, msgid in msgids(path):
                if not CJK.search(msgid):
                    continue  # Django's own (English) msgids: Django's catalogues
                english = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                if english == msgid or CJK.search(english):
                    missing.append(f"{path}: {msgid[:60]!r}")
    assert not missing, f"{len(missing)} template messages without English:\n" + "\n".join(missing[:80])


def test_the_walk_finds_the_messages():
    # Not vacuous: the admin's pages and the outage page have their messages, and all are walked.
    assert len(WALKED) >= 19, WALKED
    found = {path: msgids(path) for path in WALKED}
    assert any(CJK.search(msgid) for _, msgid in found["projects/database_unavailable.html"])
    assert (
        sum(1 for path in found if path.startswith("admin/") for _, msgid in found[path] if CJK.search(msgid))
        > 100
    )


def test_the_walk_sees_what_it_must_refuse():
    sample = (
        "{% load i18n %}{# 注释 #}{% comment %}\n说明\n{% endcomment %}\n"
        '<p>{% translate "已翻译" %}</p>\n'
        "<p>{% blocktranslate with n=count %}共{{ n }}条\n记录{% endblocktranslate %}</p>\n"
        "<p>未翻译</p>\n"
        '<p>{{ value|default:"未填" }}</p>\n'
    )
    stripped = SPARED.sub(lambda match: "\n" * match.group().count("\n"), sample)
    lines = [number for number, line in enumerate(stripped.splitlines(), 1) if CJK.search(line)]
    assert lines == [7, 8]
