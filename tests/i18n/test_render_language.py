"""Each render gets the catalogue of the language it is in: consecutive requests of one process
switch between Arabic and English, and an email rendered in another language inside a request
(leads.i18n.in_language) gets its own language, the page's coming back after it."""

from __future__ import annotations

from flask import render_template_string

from leads.extensions import db
from leads.i18n import in_language, use_language
from tests.factories import make_article
from tests.i18n.test_arabic_journey import page

TEMPLATE = "{% trans %}Ask about this treatment{% endtrans %}|{{ _('Ask about this treatment') }}"
ARABIC = "اسأل عن هذا العلاج"
ENGLISH = "Ask about this treatment"


def test_consecutive_pages_switch_between_arabic_and_english(client, arabic_article):
    english_article = make_article()
    db.session.commit()
    for article, lang, title in [
        (arabic_article, "ar", ARABIC),
        (english_article, "en", ENGLISH),
        (arabic_article, "ar", ARABIC),
        (english_article, "en", ENGLISH),
    ]:
        doc = page(client.get(f"/{article.slug}/"))
        assert doc.html["lang"] == lang
        assert doc.select_one("#inquiry-title").get_text() == title


def test_a_render_in_another_language_inside_a_request_gets_that_language(app):
    with app.test_request_context("/"):
        use_language("en")
        assert render_template_string(TEMPLATE) == f"{ENGLISH}|{ENGLISH}"
        with in_language("ar"):
            assert render_template_string(TEMPLATE) == f"{ARABIC}|{ARABIC}"
        assert render_template_string(TEMPLATE) == f"{ENGLISH}|{ENGLISH}"
        use_language("ar")
        assert render_template_string(TEMPLATE) == f"{ARABIC}|{ARABIC}"


def test_language_names_follow_the_language_asked_for(app):
    from leads.i18n import language_name

    assert language_name("ar") == "Arabic"
    assert language_name("ar", "ar") == "العربية"
    assert language_name("en", "ar") == "الإنجليزية"
    assert language_name("xx-not-a-language") == "xx-not-a-language"


def test_a_repeated_message_keeps_jinjas_escaping_rules_within_one_render(app):
    # Translated text is Markup where autoescaping is on, a plain string where it is off; a
    # message met in both places of one render gets each, as with Flask-Babel's own callables.
    template = "{{ _('<b>')|e }}{% autoescape false %}{{ _('<b>')|e }}{% endautoescape %}{{ _('<b>')|e }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "<b>&lt;b&gt;<b>"
        assert (
            render_template_string("{% trans %}100%{% endtrans %} {% trans %}100%{% endtrans %}")
            == "100% 100%"
        )
