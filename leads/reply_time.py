"""The expected reply time and the way of reply, worded one way everywhere: the form, the thanks
pages, the emails.

Both phrases come from the settings that also drive the dashboard's due times
(FIRST_RESPONSE_BUSINESS_DAYS, URGENT_RESPONSE_MINUTES), so a promise and its deadline agree.
Each is a whole phrase in the catalogue, so every language words it (and its plurals) its own way.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from leads.i18n import SOURCE_LANGUAGE, current_language

# English spells out small numbers ("within two working days"); other languages use digits
# and choose their own plural form from the number.
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _num(number: int) -> str:
    return _WORDS.get(number, str(number)) if current_language() == SOURCE_LANGUAGE else str(number)


def reply_time() -> str:
    """When a care coordinator first replies: "within one working day"."""
    days = current_app.config["FIRST_RESPONSE_BUSINESS_DAYS"]
    if days == 1:
        return _("within one working day")
    return ngettext("within %(count)s working day", "within %(count)s working days", days, count=_num(days))


def urgent_reply_time() -> str:
    """When the clinic contacts a patient who reported a red flag: "within an hour"."""
    minutes = current_app.config["URGENT_RESPONSE_MINUTES"]
    if minutes == 60:
        return _("within an hour")
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("within %(count)s hour", "within %(count)s hours", hours, count=_num(hours))
    return ngettext("within %(num)d minute", "within %(num)d minutes", minutes)


def contact_method(method: str | None) -> str:
    """ "by phone" or "by email": the way the patient chose on the inquiry form."""
    return _("by phone") if method == "phone" else _("by email")


def init_app(app: Flask) -> None:
    """Offer the phrases to every template, emails included."""
    for helper in (reply_time, urgent_reply_time, contact_method):
        app.add_template_global(helper)
