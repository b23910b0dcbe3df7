"""Every email, as rendered: the clinic's details in the footer of each, and each HTML body
readable on a phone (390 px wide in Chromium, no sideways scrolling)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leads.consultations.emails import KEY_PREFIX
from leads.consultations.emails import KINDS as CONSULTATION_KINDS
from leads.extensions import db
from leads.mail.digest import digest_context
from leads.mail.render import render_email
from leads.models import Consultation, EmailKind, PatientMessage
from tests.dashboard.conftest import make_email, make_response
from tests.factories import make_article, make_inquiry, make_lead

pytestmark = pytest.mark.slow

CLINIC = {
    "CLINIC_NAME": "Example Clinic",
    "CLINIC_ADDRESS": "1 Example Street; Springfield 12345",
    "CLINIC_PHONE": "+1 555 010 0000",
    "PRIVACY_NOTICE_URL": "https://clinic.example/privacy",
}
# Long words are what push an email past a phone's width (titles in German, names, pasted links).
LONG_TITLE = "Wirbelsäulenkanalverengungsstammzellentherapieberatungsgespräch for spinal stenosis"


def _rendered_emails(app):
    """One rendered email of every kind, with the longest content a patient can bring."""
    article = make_article(title=LONG_TITLE)
    lead = make_lead(full_name="Maximilianaalexandrinafeatherstonehaughcholmondeley Smith")
    inquiry = make_inquiry(lead, article=article)
    make_response(inquiry, red_flags=["bladder_bowel"])
    consultation = Consultation(
        lead_id=lead.id, uid="layout@clinic.example", starts_at=datetime(2031, 3, 4, 15, tzinfo=UTC)
    )
    db.session.add(consultation)
    db.session.flush()
    rendered = {}
    for kind in EmailKind:
        # A consultation email names its consultation in its key, as booking writes it.
        key = (
            {"idempotency_key": f"{KEY_PREFIX}{consultation.id}:{kind}:0"}
            if kind in CONSULTATION_KINDS
            else {}
        )
        row = make_email(
            lead, kind=kind, inquiry_id=inquiry.id, sequence=1 if kind == EmailKind.REMINDER else 0, **key
        )
        if kind == EmailKind.COORDINATOR_MESSAGE:
            db.session.add(
                PatientMessage(lead_id=lead.id, email_id=row.id, subject=LONG_TITLE, body=LONG_TITLE)
            )
            db.session.flush()
        context = digest_context() if kind == EmailKind.DIGEST else None
        rendered[kind] = render_email(row, "someone@clinic.example", context)
    db.session.commit()
    return rendered


@pytest.fixture
def emails(make_app):
    app = make_app(**CLINIC)
    with app.app_context():
        yield _rendered_emails(app)


def test_every_email_names_the_clinic_its_address_phone_and_privacy_notice(emails):
    assert set(emails) == set(EmailKind)
    for kind, email in emails.items():
        for body in (email.text, email.html):
            for detail in ("Example Clinic", "1 Example Street", "Springfield 12345", "+1 555 010 0000"):
                assert detail in body, (kind, detail)
            assert "https://clinic.example/privacy" in body, kind


def test_every_html_email_fits_a_phone_screen(emails, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for kind, email in emails.items():
            page.set_content(email.html)
            overflow = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
            )
            assert max(overflow[:2]) <= overflow[2], (kind, overflow)
            # Readable: body text at least 16 px, not shrunk to fit.
            size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('p')).fontSize)")
            assert size >= 16, (kind, size)
    finally:
        page.close()
