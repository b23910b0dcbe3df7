"""Languages as data: Flask-Babel with the catalogues under translations/.

A page's language is the article's (or, for pages reached from an email, the language of the
inquiry that sent it), never the browser's: a patient who read an Arabic article gets an
Arabic form, thanks page, emails and questionnaire. Adding a language is adding a catalogue
(`pybabel init -l xx`); nothing here names one.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations, refresh
from jinja2 import pass_context

# Jinja's own newstyle wrappers (autoescape, `%` formatting), the ones install_gettext_callables
# applies; private names, pinned with Jinja2 in requirements.txt and covered by tests/test_i18n*.
from jinja2.ext import _make_new_gettext, _make_new_ngettext, _make_new_npgettext, _make_new_pgettext

from leads.config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
# The language the templates and code are written in: it needs no catalogue.
SOURCE_LANGUAGE = "en"
# Staff pages stay in the source language whatever DEFAULT_LANGUAGE says, until their catalogue exists.
STAFF_BLUEPRINTS = frozenset({"dashboard", "admin", "article_admin", "audit", "auth"})

babel = Babel()


@cache
def languages() -> tuple[str, ...]:
    """Every language offered: the source language and each one with a catalogue."""
    found = sorted(path.parent.parent.name for path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def supported(code: str | None) -> str | None:
    """`code` (e.g. "ar", "ar-SA", "AR") as an offered language, or None."""
    base = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return base if base in languages() else None


@cache
def direction(code: str) -> str:
    """ "rtl" or "ltr", from the CLDR data of the language."""
    try:
        return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"
    except (ValueError, UnknownLocaleError):
        return "ltr"


def use_language(code: str | None) -> str:
    """Set this request's language (an article's, an inquiry's); unknown codes give the default."""
    language = supported(code) or current_app.config["DEFAULT_LANGUAGE"]
    g.language = language
    refresh()  # drop a locale Flask-Babel may have cached earlier in the request
    return language


def in_language(code: str | None) -> AbstractContextManager:
    """Render something (an email) in `code`, outside or inside a request."""
    return force_locale(supported(code) or current_app.config["DEFAULT_LANGUAGE"])


def select_locale() -> str:
    if has_request_context() and request.blueprint in STAFF_BLUEPRINTS:
        return SOURCE_LANGUAGE
    return g.get("language") or current_app.config["DEFAULT_LANGUAGE"]


def current_language() -> str:
    return str(get_locale() or SOURCE_LANGUAGE)


def page_language() -> dict:
    """`lang` and `dir` of the document, for base.html and the email layout."""
    language = current_language()
    return {"page_lang": language, "page_dir": direction(language)}


def render_translations() -> dict:
    """The templates' gettext family, bound to the catalogue of the language this render is in.

    Flask-Babel's callables (the environment's globals) look up the locale and its catalogue
    again on every `{% trans %}`: a seventh of an inbox page's CPU. A render never changes
    language midway, so one lookup per render gives the same strings; a template rendered
    without Flask's render_template (no context processors) still gets the globals.
    """
    translations = get_translations()
    return {
        "gettext": _remembered(_make_new_gettext(translations.ugettext)),
        "ngettext": _make_new_ngettext(translations.ungettext),
        "pgettext": _make_new_pgettext(translations.upgettext),
        "npgettext": _make_new_npgettext(translations.unpgettext),
    }


def _remembered(gettext):
    """`gettext` that translates and formats a message without variables once per render: the
    inbox shows the same badges and placeholders on every one of its rows."""
    done: dict[tuple[str, bool], str] = {}

    @pass_context
    def remembered(context, string: str, **variables) -> str:
        if variables:
            return gettext(context, string, **variables)
        key = (string, context.eval_ctx.autoescape)  # Markup or str, as Jinja gives it
        if key not in done:
            done[key] = gettext(context, string)
        return done[key]

    return remembered


# CLDR names never change while the process runs; the inbox asks for one on every row.
@lru_cache(maxsize=256)
def language_name(code: str | None, shown_in: str = SOURCE_LANGUAGE) -> str:
    """ "Arabic" for "ar" (the dashboard's English); with shown_in="ar", "العربية" (a language link)."""
    try:
        return Locale.parse(code or SOURCE_LANGUAGE).get_display_name(shown_in) or str(code)
    except (ValueError, UnknownLocaleError):
        return str(code)


def region_name(code: str) -> str:
    """A country for the page's reader: "US" in English (the wording the form always had),
    "الولايات المتحدة" in Arabic, from the CLDR names of the page's language."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return code
    return Locale.parse(language).territories.get(code.upper(), code)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel; a DEFAULT_LANGUAGE without a catalogue stops start-up."""
    from leads.config import ConfigError

    if supported(app.config["DEFAULT_LANGUAGE"]) != app.config["DEFAULT_LANGUAGE"]:
        raise ConfigError(
            f"DEFAULT_LANGUAGE={app.config['DEFAULT_LANGUAGE']!r} has no catalogue; offered: {list(languages())}"
        )
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE_LANGUAGE)
    babel.init_app(app, locale_selector=select_locale)
    # `{% trans %}` blocks collapse their line breaks: the catalogue holds one-line messages.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.context_processor(page_language)
    app.context_processor(render_translations)
    app.add_template_global(direction, "text_direction")
    app.add_template_global(language_name)
    app.add_template_global(region_name)
    app.add_template_global(languages, "offered_languages")
