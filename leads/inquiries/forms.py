"""The inquiry form: what a patient may send, and the messages when something is off."""

from __future__ import annotations

import functools
import unicodedata
import uuid

import phonenumbers
from babel import support
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length, Optional

from leads.models import ContactMethod

NAME_MAX = 120
MESSAGE_MAX = 2000
PHONE_MAX = 40
UTM_MAX = 200
URL_MAX = 1000
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
REPLACEMENT_CHAR = "\ufffd"
# Line and paragraph separators act like newlines; Cc covers NUL, CR, LF, tab and the rest.
_LINE_BREAKS = {"\u2028", "\u2029", "\x85"}


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in _LINE_BREAKS


class NonAsciiLocalPart(EmailNotValidError):
    """`jöhn@example.org`: valid, but it needs SMTPUTF8, which neither our sender nor most mail
    servers speak, so the confirmation could never leave. An internationalized domain is fine:
    it is sent in its ASCII (punycode) form (leads/mail/delivery.py)."""


def normalize_email(value: str) -> str:
    """The deduplication key: email-validator's normal form, lower-cased as a whole.

    Mail providers treat the local part case-insensitively in practice, and one person typing
    `Ana@` once and `ana@` later must stay one lead. Raises EmailNotValidError (NonAsciiLocalPart
    for an address we could not send to).
    """
    valid = validate_email(value.strip(), check_deliverability=False)
    if not valid.local_part.isascii():
        raise NonAsciiLocalPart("internationalized characters before the @")
    return valid.normalized.lower()


# International call prefixes people type instead of "+": 00 (most of the world), 011 (North America).
INTERNATIONAL_PREFIXES = ("011", "00")


def _parse_valid(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _international_form(value: str) -> str | None:
    """`0044 20...` or `011 44 20...` as `+4420...`, whatever the default region's own prefix is."""
    if value.lstrip().startswith("+"):
        return None
    digits = phonenumbers.normalize_digits_only(value)
    for prefix in INTERNATIONAL_PREFIXES:
        if digits.startswith(prefix):
            return "+" + digits[len(prefix) :]
    return None


def normalize_phone(value: str, region: str) -> str:
    """E.164 form of a phone number; raises ValueError with a patient-facing message.

    A national number of the default region wins; otherwise a leading 00 or 011 is read as
    the international prefix (phonenumbers only knows the default region's own prefix).
    """
    international = _international_form(value)
    number = _parse_valid(value, region) or (_parse_valid(international, None) if international else None)
    if number is not None:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    try:
        phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError(_("Please enter a phone number we can call, for example +1 507 555 0123.")) from None
    raise ValueError(_("That phone number does not look complete. Please check it, with the country code."))


def clean_hidden(value: str | None, limit: int) -> str | None:
    """Tracking values come from the URL or headers, not the patient: trimmed, never refused."""
    if not value:
        return None
    # Printable text has no control characters (nor line separators): most values, kept as they are.
    if not value.isprintable():
        value = "".join(char for char in value if not _is_control(char))
    cleaned = value.strip()
    return cleaned[:limit] or None


class NoControlCharacters:
    """Refuse control characters (CR/LF, NUL...) and bytes that were not valid UTF-8."""

    def __init__(self, allow_newlines: bool = False) -> None:
        self.allowed = {"\r", "\n", "\t"} if allow_newlines else set()

    def __call__(self, form: FlaskForm, field) -> None:
        value = field.data or ""
        if REPLACEMENT_CHAR in value:
            raise ValidationError(
                _("Some characters could not be read (the text was not valid UTF-8). Please retype them.")
            )
        if any(_is_control(char) and char not in self.allowed for char in value):
            if self.allowed:
                raise ValidationError(_("Please remove the special control characters from your message."))
            raise ValidationError(_("Please use letters, spaces and punctuation only, on a single line."))


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; the template renders it as a fieldset."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NormalizedContact:
    """Inline validators for a form's `email` and `phone` fields; they keep the normalised values
    (email-validator's address, E.164) for the service. The public form and the coordinators'
    contact form read a person's details by the same rules."""

    normalized_email: str = ""
    normalized_phone: str | None = None

    def validate_email(self, field) -> None:
        try:
            self.normalized_email = normalize_email(field.data or "")
        except NonAsciiLocalPart:
            raise ValidationError(
                _(
                    "We cannot send email to an address with letters like ü or ش before the @. "
                    "Please use an address with only Latin letters, digits and . _ - + there."
                )
            ) from None
        except EmailNotValidError:
            raise ValidationError(_("Please enter a valid email address, like name@example.com.")) from None

    def validate_phone(self, field) -> None:
        value = (field.data or "").strip()
        if not value:
            self.normalized_phone = None
            return
        try:
            self.normalized_phone = normalize_phone(value, current_app.config["PHONE_DEFAULT_REGION"])
        except ValueError as error:
            raise ValidationError(str(error)) from None


class _WTFormsMessages:
    """WTForms' own messages in the page's language, read from disk once per language and process
    (Flask-WTF reads and parses the catalogue again in every request)."""

    @staticmethod
    @functools.cache
    def _catalogue(locale: str) -> support.Translations:
        return support.Translations.load(messages_path(), [locale], domain="wtforms")

    def _current(self) -> support.Translations:
        return self._catalogue(str(get_locale()))

    def gettext(self, string: str) -> str:
        return self._current().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._current().ungettext(singular, plural, n)


_wtforms_messages = _WTFormsMessages()


class InquiryForm(NormalizedContact, FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _wtforms_messages

    full_name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(
                max=NAME_MAX, message=_l("Please keep your name under %(count)d characters.", count=NAME_MAX)
            ),
            NoControlCharacters(),
        ],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=320, message=_l("That email address is too long.")),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"},
    )
    phone = TelField(
        _l("Phone number (optional)"),
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("That phone number is too long.")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": PHONE_MAX},
    )
    preferred_contact = RadioField(
        _l("How should we contact you?"),
        choices=[
            SelectChoice(ContactMethod.EMAIL.value, _l("Email")),
            SelectChoice(ContactMethod.PHONE.value, _l("Phone")),
        ],
        default=ContactMethod.EMAIL.value,
        validate_choice=True,
    )
    symptoms = MultiCheckboxField(
        _l("Which of these do you have?"),
        choices=[],
        invalid_choice_message=_l("Please choose only from the symptoms listed."),
    )
    message = TextAreaField(
        _l("Anything else you would like us to know? (optional)"),
        validators=[
            Optional(),
            Length(
                max=MESSAGE_MAX,
                message=_l("Please keep your message under %(count)d characters.", count=MESSAGE_MAX),
            ),
            NoControlCharacters(allow_newlines=True),
        ],
        render_kw={"rows": 5, "maxlength": MESSAGE_MAX},
    )
    consent = BooleanField(
        _l("I agree"),
        validators=[DataRequired(_l("Please tick the consent box so we may store your details and reply."))],
    )
    # The honeypot: hidden from people by CSS and from screen readers; bots fill it in.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    # Not restored by the browser on Back: a restored id would make an edited form look like a resend.
    submission_id = HiddenField(render_kw={"autocomplete": "off"})
    utm_source = HiddenField()
    utm_medium = HiddenField()
    utm_campaign = HiddenField()
    utm_term = HiddenField()
    utm_content = HiddenField()
    referrer = HiddenField()
    landing_page = HiddenField()

    def validate_preferred_contact(self, field) -> None:
        if field.data == ContactMethod.PHONE and not (self.phone.data or "").strip():
            raise ValidationError(_("You chose a phone call: please give a phone number, or choose email."))

    def tracking(self) -> dict[str, str | None]:
        """The hidden UTM, referrer and landing-page values, cleaned and bounded."""
        values = {name: clean_hidden(getattr(self, name).data, UTM_MAX) for name in UTM_FIELDS}
        values["referrer"] = clean_hidden(self.referrer.data, URL_MAX)
        values["landing_page"] = clean_hidden(self.landing_page.data, URL_MAX)
        return values

    @property
    def is_spam(self) -> bool:
        return bool((self.website.data or "").strip())


def _valid_submission_id(value: str | None) -> bool:
    return bool(value) and len(value) == 32 and all(char in "0123456789abcdef" for char in value)


def build_form(
    symptoms: list[str], formdata=None, initial: dict | None = None, form_class: type | None = None
) -> InquiryForm:
    """The form for one article: its symptoms are the only choices.

    `formdata=None` builds a fresh form (GET) with a new one-time submission id.
    """
    form_class = form_class or InquiryForm
    if formdata is None:
        form = form_class(formdata=None, data=initial or {})
    else:
        form = form_class(formdata=formdata)
    form.symptoms.choices = [SelectChoice(symptom) for symptom in symptoms]
    if not _valid_submission_id(form.submission_id.data):
        # A form without a usable id still stores once: it just cannot be deduplicated.
        form.submission_id.data = uuid.uuid4().hex
    return form


def tracking_from_request(args, referrer: str | None, url: str) -> dict[str, str | None]:
    """UTM parameters, Referer and landing URL of the GET that showed the form."""
    values: dict[str, str | None] = {name: clean_hidden(args.get(name), UTM_MAX) for name in UTM_FIELDS}
    values["referrer"] = clean_hidden(referrer, URL_MAX)
    values["landing_page"] = clean_hidden(url, URL_MAX)
    return values
