"""The expected reply time and the way of reply, worded one way everywhere: the form, the thanks
pages, the emails.

Both phrases come from the settings that also drive the dashboard's due times
(FIRST_RESPONSE_BUSINESS_DAYS, URGENT_RESPONSE_MINUTES), so a promise and its deadline agree.
"""

from __future__ import annotations

from flask import Flask, current_app

_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _count(number: int, unit: str) -> str:
    return f"{_WORDS.get(number, number)} {unit}{'' if number == 1 else 's'}"


def reply_time() -> str:
    """When a care coordinator first replies: "within one working day"."""
    return f"within {_count(current_app.config['FIRST_RESPONSE_BUSINESS_DAYS'], 'working day')}"


def urgent_reply_time() -> str:
    """When the clinic contacts a patient who reported a red flag: "within an hour"."""
    minutes = current_app.config["URGENT_RESPONSE_MINUTES"]
    if minutes == 60:
        return "within an hour"
    if minutes % 60 == 0:
        return f"within {_count(minutes // 60, 'hour')}"
    return f"within {minutes} minutes"


# How the patient asked to be contacted (ContactMethod), as the patient reads it.
_CONTACT_PHRASES = {"phone": "by phone", "email": "by email"}


def contact_method(method: str | None) -> str:
    """ "by phone" or "by email": the way the patient chose on the inquiry form."""
    return _CONTACT_PHRASES.get(method or "", "by email")


# What that contact is, as a noun: "That call is not emergency care."
_CONTACT_NOUNS = {"phone": "call", "email": "email"}


def contact_noun(method: str | None) -> str:
    """ "call" or "email": the contact `contact_method` promises, named as a thing."""
    return _CONTACT_NOUNS.get(method or "", "email")


def init_app(app: Flask) -> None:
    """Offer the phrases to every template, emails included."""
    for helper in (reply_time, urgent_reply_time, contact_method, contact_noun):
        app.add_template_global(helper)
