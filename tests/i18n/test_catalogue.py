"""#13: every patient-facing string comes from the catalogue, and every catalogue translates all of it.

The templates are parsed with Jinja's own parser: the literal text between tags (what `{% trans %}`
and `_()` do not cover) must hold no words, in the page text nor in the attributes people read
(aria-label, alt, title, placeholder); string constants passed to macros (hints, labels) must go
through `_()` too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup, Comment, Doctype
from jinja2 import nodes

from leads.i18n import SOURCE_LANGUAGE, TRANSLATIONS_DIR, languages

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Everything a patient (or a visitor) can see: the pages of the journey and the patient emails.
PATIENT_TEMPLATES = [
    "base.html",
    "_form.html",
    "articles/index.html",
    "articles/show.html",
    "articles/_emergency.html",
    "inquiries/_form.html",
    "inquiries/thanks.html",
    "questionnaire/form.html",
    "questionnaire/thanks.html",
    "questionnaire/answered.html",
    "unsubscribe/confirm.html",
    "unsubscribe/done.html",
    "errors/error.html",
    "clinic/_footer.html",
    "clinic/_consent_privacy.html",
    "clinic/privacy.html",
    "questionnaire/_urgent.html",
    "embed/base.html",
    "embed/form.html",
    "embed/thanks.html",
    *(
        f"emails/{name}.{ext}"
        for name in (
            "_patient_footer",
            "_clinic_footer",
            "confirmation",
            "questionnaire",
            "reminder",
            "coordinator_message",
            "consultation_invite",
            "consultation_cancel",
            "consultation_reminder",
            "_consultation_details",
        )
        for ext in ("html", "txt")
    ),
    "emails/_layout.html",
    "emails/_button.html",
]
# The dashboard stays in English, but its words go through the catalogue too (#13 item 5).
STAFF_FOLDERS = (
    "dashboard",
    "admin",
    "audit",
    "auth",
    "consultations",
    "conversations",
    "inbound",
    "wordpress",
    "api",
    "webhooks",
)
STAFF_TEMPLATES = sorted(
    [
        str(path.relative_to(TEMPLATES))
        for folder in STAFF_FOLDERS
        for path in (TEMPLATES / folder).glob("*.html")
    ]
    + [str(path.relative_to(TEMPLATES)) for path in (TEMPLATES / "articles").glob("admin*.html")]
)
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
# data-confirm is the question static/js shows before a destructive action.
READ_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder", "data-confirm")
# Keyword arguments that name layout or markup, not words for people.
MARKUP_KWARGS = {"class", "layout", "autocomplete", "dir", "inputmode"}
WORD = re.compile(r"[^\W\d_]{2,}")
PLACEHOLDER = "\u2063"  # where an expression is printed: joins text without adding words


def _words(text: str) -> str:
    """The words of `text`; tokens glued to an expression or hyphenated ("{{ f.id }}-hint",
    "article-page") are ids and class names built by the template, not words."""
    tokens = [
        token
        for token in text.split()
        if PLACEHOLDER not in token and "-" not in token and WORD.search(token)
    ]
    return " ".join(tokens)


def _untranslated_text(source: str, env) -> list[str]:
    """Words in a template's literal text, once every `{{ }}` and `{% %}` is taken out."""
    ast = env.parse(source)
    literal = PLACEHOLDER.join(node.data for node in ast.find_all(nodes.TemplateData))
    doc = BeautifulSoup(literal, "html.parser")
    found = []
    for skipped in doc.find_all(string=lambda s: isinstance(s, (Comment, Doctype))):
        skipped.extract()
    for text in doc.find_all(string=True):
        if text.parent.name not in ("style", "script") and _words(text):
            found.append(_words(text))
    for tag in doc.find_all(True):
        found += [_words(tag[name]) for name in READ_ATTRIBUTES if _words(tag.get(name, ""))]
    return found


def _untranslated_constants(source: str, env) -> list[str]:
    """Text constants printed or passed to macros without `_()` around them."""
    ast = env.parse(source)
    inside = set()
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT:
            inside |= {id(const) for const in call.find_all(nodes.Const)}
    for keyword in ast.find_all(nodes.Keyword):
        if keyword.key in MARKUP_KWARGS:
            inside |= {id(const) for const in keyword.find_all(nodes.Const)}
    return [
        const.value
        for const in ast.find_all(nodes.Const)
        if isinstance(const.value, str) and id(const) not in inside and " " in const.value.strip()
        if WORD.search(const.value)
    ]


@pytest.mark.parametrize("name", PATIENT_TEMPLATES)
def test_patient_facing_templates_carry_no_text_outside_the_catalogue(app, name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert _untranslated_text(source, app.jinja_env) == []
    assert _untranslated_constants(source, app.jinja_env) == []


def test_the_staff_templates_are_all_listed():
    """A glob that matched nothing would make the test below pass on no template at all."""
    assert len(STAFF_TEMPLATES) >= 28
    assert "dashboard/inbox.html" in STAFF_TEMPLATES
    assert "articles/admin_article.html" in STAFF_TEMPLATES


@pytest.mark.parametrize("name", STAFF_TEMPLATES)
def test_staff_templates_carry_no_text_outside_the_catalogue(app, name):
    """Staff pages are shown in English, but translatable: their words are catalogue messages."""
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert _untranslated_text(source, app.jinja_env) == []
    assert _untranslated_constants(source, app.jinja_env) == []


def test_the_scanner_finds_what_it_must(app):
    """Without this, the test above could pass on a scanner that sees nothing."""
    env = app.jinja_env
    assert _untranslated_text('<p>Hello {{ name }}</p><a aria-label="Go home">x</a>', env) == [
        "Hello",
        "Go home",
    ]
    assert _untranslated_text("<p>{{ _('Hello') }} {% trans %}Bye{% endtrans %}</p>", env) == []
    assert _untranslated_constants('{{ forms.field(f, hint="Tick all that apply.") }}', env) == [
        "Tick all that apply."
    ]
    assert _untranslated_constants('{{ forms.field(f, hint=_("Tick all that apply.")) }}', env) == []


def _catalogue(language: str):
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file)


def test_every_language_translates_every_message_of_the_template():
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as file:
        template = read_po(file)
    wanted = {message.id for message in template if message.id}
    assert len(languages()) > 1
    for language in languages():
        if language == SOURCE_LANGUAGE:
            continue
        catalogue = _catalogue(language)
        untranslated = [
            message.id
            for message in catalogue
            if message.id
            and (
                message.fuzzy
                or not all(message.string if isinstance(message.string, tuple) else [message.string])
            )
        ]
        assert untranslated == [], language
        assert wanted - {message.id for message in catalogue} == set(), language


def test_the_template_lists_every_message_in_the_code(tmp_path):
    """A message added to a template or to the code but not extracted would show in English."""
    from babel.messages.frontend import CommandLineInterface

    root = TRANSLATIONS_DIR.parent
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(root / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(fresh),
            # The root itself: babel.cfg's patterns (leads/**.py, templates/**) are relative to it.
            str(root),
        ]
    )
    with fresh.open("rb") as file:
        extracted = {message.id for message in read_po(file) if message.id}
    assert len(extracted) > 100  # the extraction itself found the messages
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as file:
        listed = {message.id for message in read_po(file) if message.id}
    assert extracted - listed == set()
