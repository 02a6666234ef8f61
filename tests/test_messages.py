"""One message catalogue (projects/i18n.py): every Chinese text of projects/ a user can see is
written once, through gettext, and has its English in projects/locale/en. Walked over the
source, so a message added anywhere without gettext, or without its English, fails here.

Chinese that is not a message — the vocabulary the tracker reads in or writes as the sources
do (period names such as 1-5月, amounts' units, the extraction lexicon, synthetic names) — is
exempt by module (VOCABULARY, each with its reason) or by a `# vocabulary: <reason>` comment on
the statement's first line or the line above it."""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

import projects

ROOT = Path(projects.__file__).resolve().parent
CJK = re.compile(r"[\u3400-\u9fff]")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "gettext_noop",
}
MARK = re.compile(r"#\s*vocabulary:\s*\S")

# Modules whose Chinese is vocabulary, not messages (relative to projects/).
VOCABULARY = {
    "extraction/lexicon.py": "the words the figure reader looks for in the sources",
    "extraction/evaluation": "the hand annotation's vocabulary",
    "synthetic": "names and words of the generated province",
    "migrations": "frozen history: migrations keep the texts they were written with",
}


@dataclass(frozen=True)
class Literal:
    path: str
    line: int
    text: str
    msgid: bool  # the message of a gettext call
    context: str | None = None  # pgettext's context

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.text[:60]!r}"


def _exempt_module(relative: str) -> bool:
    return any(relative == key or relative.startswith(key.rstrip("/") + "/") for key in VOCABULARY)


def literals() -> Iterator[Literal]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if _exempt_module(relative):
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if not CJK.search(node.value):
                continue
            parent = parents.get(node)
            if isinstance(parent, ast.Expr):  # a docstring or a bare string: not shown to anyone
                continue
            exempt = False
            walker: ast.AST | None = node
            while walker is not None:
                if isinstance(walker, ast.stmt):
                    for number in (walker.lineno, walker.lineno - 1):
                        if 0 < number <= len(lines) and MARK.search(lines[number - 1]):
                            exempt = True
                walker = parents.get(walker)
            function = (
                getattr(parent.func, "id", None) or getattr(parent.func, "attr", None)
                if isinstance(parent, ast.Call)
                else None
            )
            context = None
            if function in {"pgettext", "pgettext_lazy"}:  # pgettext(context, message)
                assert isinstance(parent, ast.Call)
                msgid = len(parent.args) > 1 and parent.args[1] is node
                if msgid and isinstance(parent.args[0], ast.Constant):
                    context = parent.args[0].value
            else:
                msgid = function in GETTEXT and isinstance(parent, ast.Call) and parent.args[:1] == [node]
            if exempt and not msgid:  # vocabulary; a message (in gettext) inside it is still one
                continue
            yield Literal(relative, node.lineno, node.value, msgid, context)


ALL = list(literals())
# A placeholder's name (str.format's, or %-format's); the English may format it otherwise.
PLACEHOLDER = re.compile(r"\{([a-z_][a-z_0-9]*)(?:![rsa])?(?::[^{}]*)?\}|%\(([a-z_]+)\)[sd]|(%[sd])")


def test_every_chinese_text_goes_through_gettext():
    loose = [str(found) for found in ALL if not found.msgid]
    assert not loose, f"{len(loose)} Chinese texts outside gettext:\n" + "\n".join(loose[:80])


def test_the_walk_finds_the_messages():
    # The walk is not vacuous: the models, the rules, the admin and the API have their messages.
    places = {found.path.split("/")[0] for found in ALL if found.msgid}
    assert {"models", "rules", "admin", "api"} <= places, places
    assert len({found.text for found in ALL if found.msgid}) > 500


@pytest.mark.parametrize("language", ["en"])
def test_every_message_has_its_english(language):
    missing, mixed = [], []
    with translation.override(language):
        for found in ALL:
            if not found.msgid:
                continue
            english = (
                translation.pgettext(found.context, found.text)
                if found.context
                else translation.gettext(found.text)
            )
            if english == found.text or CJK.search(english):
                missing.append(str(found))
            elif sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(found.text)):
                mixed.append(f"{found}: {english!r}")
    assert not missing, f"{len(missing)} messages without English:\n" + "\n".join(missing[:80])
    assert not mixed, "English with other placeholders than its Chinese:\n" + "\n".join(mixed[:40])


def test_no_message_is_written_in_two_languages_by_hand():
    twice = [str(found) for found in ALL if re.search(r" / [A-Za-z]{3,}", found.text)]
    assert not twice, "messages that carry their own English:\n" + "\n".join(twice)


def _catalogue_msgids() -> set[tuple[str | None, str]]:
    """(context, msgid) of every entry of the English catalogue (a PO file: keywords followed by
    quoted strings, continued on the next lines)."""
    source = (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = set()
    for block in source.split("\n\n"):
        fields: dict[str, str] = {}
        keyword = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if match := re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line):
                keyword = match[1]
                fields[keyword] = match[2]
            elif keyword and (match := re.match(r'"(.*)"$', line)):
                fields[keyword] += match[1]
        if fields.get("msgid"):
            context = _unescape(fields["msgctxt"]) if "msgctxt" in fields else None
            found.add((context, _unescape(fields["msgid"])))
    return found


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def test_the_catalogue_lists_the_messages_of_the_code_and_no_others():
    # `make catalogue` keeps the list in step with the code: a message the code no longer says is
    # not kept, so the catalogue's size is the size of what is said.
    catalogue = _catalogue_msgids()
    in_code = {(found.context, found.text) for found in ALL if found.msgid}
    assert in_code - catalogue == set(), "messages missing from the catalogue (make catalogue)"
    templates = "".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "templates").rglob("*") if path.is_file()
    )
    stale = [
        msgid
        for context, msgid in catalogue - in_code
        if CJK.search(msgid)
        and not all(run in templates for run in re.findall(r"[\u3400-\u9fff]{2,}", msgid))
    ]
    assert stale == [], "catalogue entries the code no longer says"
