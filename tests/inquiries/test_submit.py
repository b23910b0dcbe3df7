"""Submitting the inquiry form: what is stored, once, and what the patient sees."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bs4 import BeautifulSoup

from leads.extensions import db
from leads.mail.render import render_email
from leads.mail.rules import cancel_reason
from leads.models import EmailKind, Inquiry, Lead, LeadEvent, OutboundEmail, SpamSubmission
from leads.models.base import utcnow
from leads.timeline import EventKind
from tests.factories import SEED_SYMPTOMS, make_article, make_inquiry, make_lead
from tests.inquiries.conftest import NOTHING, counts, post_with_dead_broker, valid_form


def _new_id() -> str:
    return uuid.uuid4().hex


def test_valid_inquiry_stores_lead_inquiry_and_redirects_to_thanks(app, client, article, page_url):
    response = client.post(
        page_url,
        data=valid_form(email="  Ana.Silva@EXAMPLE.com ", phone="(507) 555-0123", preferred_contact="phone"),
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/{article.slug}/thanks"
    lead = db.session.scalars(db.select(Lead)).one()
    assert lead.full_name == "Ana Silva"
    assert lead.email == "ana.silva@example.com"
    assert lead.phone == "+15075550123"
    assert lead.preferred_contact == "phone"
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    assert inquiry.lead_id == lead.id and inquiry.article_id == article.id
    assert inquiry.symptoms == [SEED_SYMPTOMS[0], SEED_SYMPTOMS[3]]
    assert inquiry.message == "I have had back pain for two years."
    assert inquiry.consent_text == app.config["CONSENT_TEXT"]
    assert inquiry.consent_version == app.config["CONSENT_VERSION"]
    assert inquiry.consented_at is not None
    event = db.session.scalars(db.select(LeadEvent)).one()
    assert event.kind == "inquiry_received"
    assert event.data == {"inquiry_id": inquiry.id, "article_id": article.id}


def test_a_repeated_symptom_is_stored_once(client, page_url):
    symptoms = [SEED_SYMPTOMS[2], SEED_SYMPTOMS[0], SEED_SYMPTOMS[2], SEED_SYMPTOMS[2]]
    assert client.post(page_url, data=valid_form(symptoms=symptoms)).status_code == 303
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    assert inquiry.symptoms == [SEED_SYMPTOMS[2], SEED_SYMPTOMS[0]]


def test_phone_region_disclaimer_and_consent_come_from_the_settings(make_app):
    settings = {
        "PHONE_DEFAULT_REGION": "gb",
        "MEDICAL_DISCLAIMER": "Our own disclaimer for this test.",
        "CONSENT_TEXT": "Consent worded for this test.",
        "CONSENT_VERSION": "test-7",
    }
    app = make_app(env=settings, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        article = make_article()
        db.session.commit()
        client = app.test_client()
        page = BeautifulSoup(client.get(f"/{article.slug}/").get_data(as_text=True), "html.parser")
        assert page.find(class_="disclaimer").get_text(strip=True) == settings["MEDICAL_DISCLAIMER"]
        assert page.find("label", attrs={"for": "consent"}).get_text() == settings["CONSENT_TEXT"]

        response = client.post(f"/{article.slug}/", data=valid_form(phone="020 7946 0958"))

        assert response.status_code == 303
        assert db.session.scalars(db.select(Lead)).one().phone == "+442079460958"
        inquiry = db.session.scalars(db.select(Inquiry)).one()
        assert (inquiry.consent_text, inquiry.consent_version) == ("Consent worded for this test.", "test-7")


def test_thanks_page_says_what_happens_next_without_personal_data(client, article, page_url):
    client.post(page_url, data=valid_form())

    response = client.get(f"/{article.slug}/thanks")

    text = " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text().split())
    assert response.status_code == 200
    assert "confirmation email" in text
    assert "short questionnaire" in text
    assert "Within one working day" in text
    assert "seek emergency care" in text
    for personal in ("Ana", "Silva", "ana.silva", "555", "back pain for two years", SEED_SYMPTOMS[3]):
        assert personal not in text


def test_outbox_rows_are_written_in_the_same_transaction(app, client, page_url):
    before = utcnow()
    client.post(page_url, data=valid_form())

    inquiry = db.session.scalars(db.select(Inquiry)).one()
    rows = {row.kind: row for row in db.session.scalars(db.select(OutboundEmail))}
    assert set(rows) == {EmailKind.CONFIRMATION, EmailKind.QUESTIONNAIRE, EmailKind.REMINDER}
    assert all(row.inquiry_id == inquiry.id and row.lead_id == inquiry.lead_id for row in rows.values())
    assert rows[EmailKind.CONFIRMATION].due_at <= utcnow()
    assert rows[EmailKind.CONFIRMATION].due_at >= before - timedelta(seconds=1)
    delay = timedelta(seconds=app.config["QUESTIONNAIRE_DELAY_SECONDS"])
    assert rows[EmailKind.QUESTIONNAIRE].due_at == rows[EmailKind.CONFIRMATION].due_at + delay
    assert rows[EmailKind.QUESTIONNAIRE].due_at > utcnow()


def test_same_email_in_another_case_is_the_same_lead_back_at_the_top_with_its_details_kept(
    client, article, page_url
):
    old_lead = make_lead(email="ana.silva@example.com", last_inquiry_at=utcnow() - timedelta(days=30))
    old_inquiry = make_inquiry(lead=old_lead, article=make_article())
    other = make_lead(last_inquiry_at=utcnow() - timedelta(days=1))
    db.session.commit()

    response = client.post(
        page_url,
        data=valid_form(email="ANA.Silva@Example.COM", full_name="Ana M. Silva", submission_id=_new_id()),
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 2
    lead = db.session.get(Lead, old_lead.id)
    assert len(lead.inquiries) == 2
    assert lead.inquiries[0].id == old_inquiry.id
    # The name typed this time stays on the inquiry until a coordinator accepts it.
    assert lead.full_name == old_lead.full_name and lead.inquiries[1].full_name == "Ana M. Silva"
    top = db.session.scalars(db.select(Lead).order_by(Lead.last_inquiry_at.desc())).first()
    assert top.id == lead.id and lead.last_inquiry_at > db.session.get(Lead, other.id).last_inquiry_at


def test_double_submit_of_the_same_form_stores_one_inquiry(client, article, page_url):
    form = valid_form(submission_id=_new_id())

    first = client.post(page_url, data=form)
    second = client.post(page_url, data=form)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == f"/{article.slug}/thanks"
    assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 1, "OutboundEmail": 4}


def test_the_submission_id_is_not_restored_by_the_browser(client, page_url):
    """A restored id on Back would make the edited form look like a resend of the first one."""
    soup = BeautifulSoup(client.get(page_url).get_data(as_text=True), "html.parser")
    assert soup.find("input", attrs={"name": "submission_id"})["autocomplete"] == "off"


def test_the_same_submission_id_with_other_details_is_stored_as_a_new_inquiry(client, page_url):
    """Back, correct the address, send: before, the corrected inquiry was silently dropped."""
    form = valid_form(submission_id=_new_id())
    assert client.post(page_url, data=form).status_code == 303
    corrected = {**form, "email": "ana.corrected@example.com"}
    assert client.post(page_url, data=corrected).status_code == 303

    inquiries = db.session.scalars(db.select(Inquiry).order_by(Inquiry.id)).all()
    assert [inquiry.lead.email for inquiry in inquiries] == [
        "ana.silva@example.com",
        "ana.corrected@example.com",
    ]
    assert inquiries[0].submission_id == form["submission_id"] != inquiries[1].submission_id
    # The corrected address is owed its own confirmation.
    assert counts()["OutboundEmail"] == 8


def test_each_rendered_form_has_its_own_submission_id(client, page_url):
    ids = set()
    for _ in range(2):
        soup = BeautifulSoup(client.get(page_url).get_data(as_text=True), "html.parser")
        ids.add(soup.find("input", attrs={"name": "submission_id"})["value"])
    assert len(ids) == 2 and all(len(value) == 32 for value in ids)


def test_honeypot_answers_like_success_and_keeps_nothing_personal(client, article, page_url):
    response = client.post(page_url, data=valid_form(website="http://spam.example"))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/{article.slug}/thanks"
    assert counts() == {**NOTHING, "SpamSubmission": 1}
    spam = db.session.scalars(db.select(SpamSubmission)).one()
    assert (spam.article_id, spam.reason) == (article.id, "honeypot")


def test_honeypot_is_hidden_from_people_and_screen_readers(client, page_url):
    soup = BeautifulSoup(client.get(page_url).get_data(as_text=True), "html.parser")
    field = soup.find("input", attrs={"name": "website"})
    assert field["tabindex"] == "-1" and field["autocomplete"] == "off"
    wrapper = field.find_parent("div")
    assert wrapper["aria-hidden"] == "true" and "hp" in wrapper["class"]


def test_new_inquiry_from_an_unsubscribed_lead_is_a_re_opt_in_owed_its_emails(client, page_url):
    lead = make_lead(email="ana.silva@example.com", unsubscribed_at=utcnow())
    db.session.commit()

    response = client.post(page_url, data=valid_form())

    # The same page as anyone's: whoever typed this address learns nothing about its owner.
    assert response.status_code == 303 and response.headers["Location"].endswith("/thanks")
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).unsubscribed_at is None
    rows = db.session.scalars(db.select(OutboundEmail)).all()
    # This inquiry's confirmation and questionnaire, and no reminders for someone who once said stop.
    assert sorted(row.kind for row in rows) == [EmailKind.CONFIRMATION, EmailKind.QUESTIONNAIRE]
    assert [cancel_reason(row) for row in rows] == [None, None]
    event = db.session.scalars(db.select(LeadEvent).where(LeadEvent.kind == EventKind.RESUBSCRIBED)).one()
    assert event.data == {"inquiry_id": rows[0].inquiry_id, "via": "inquiry"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "stop emailing" not in page and "unsubscribe" not in page.lower()
    # The address's owner is told, in the confirmation, with the way to stop again.
    confirmation = next(row for row in rows if row.kind == EmailKind.CONFIRMATION)
    rendered = render_email(confirmation, "ana.silva@example.com")
    for body in (rendered.text, rendered.html):
        assert "You had asked us to stop emailing you" in " ".join(body.split())
        assert "To stop our emails again, use the unsubscribe link below" in " ".join(body.split())


def test_the_confirmation_of_a_subscribed_patient_says_nothing_about_unsubscribing(client, page_url):
    assert client.post(page_url, data=valid_form()).status_code == 303
    confirmation = db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.CONFIRMATION)
    ).one()
    rendered = render_email(confirmation, "ana.silva@example.com")
    assert "stop emailing" not in rendered.text + rendered.html


def test_utm_referrer_and_landing_page_travel_from_the_get_to_the_inquiry(client, page_url):
    landing = (
        f"{page_url}?utm_source=news&utm_medium=email&utm_campaign=spring&utm_term=stenosis&utm_content=a"
    )
    page = client.get(landing, headers={"Referer": "https://search.example/?q=stenosis"})
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    form = {field["name"]: field.get("value", "") for field in soup.select("form input[type=hidden]")}

    client.post(page_url, data=valid_form(**form))

    inquiry = db.session.scalars(db.select(Inquiry)).one()
    assert (inquiry.utm_source, inquiry.utm_medium, inquiry.utm_campaign) == ("news", "email", "spring")
    assert (inquiry.utm_term, inquiry.utm_content) == ("stenosis", "a")
    assert inquiry.referrer == "https://search.example/?q=stenosis"
    assert inquiry.landing_page == f"http://clinic.test{landing}"
    assert inquiry.submission_id == form["submission_id"]


def test_tracking_values_are_bounded_and_cleaned(client, page_url):
    client.post(
        page_url,
        data=valid_form(
            utm_source="x" * 5000, referrer="https://a.example/\r\n" + "y" * 5000, landing_page="\x07"
        ),
    )
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    assert inquiry.utm_source == "x" * 200
    assert len(inquiry.referrer) == 1000 and "\r" not in inquiry.referrer and "\n" not in inquiry.referrer
    assert inquiry.landing_page is None


def test_rate_limit_answers_429_with_a_friendly_page(make_app):
    # Explicitly on: the limiter is one shared object and keeps the last app's setting otherwise.
    app = make_app(INQUIRY_RATE_LIMIT="2 per minute", RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)
    # Addresses of this test alone, so a shared Redis never carries counts over from another test.
    first_ip, second_ip = (f"2001:db8::{uuid.uuid4().hex[:4]}:{n}" for n in (1, 2))
    with app.app_context():
        article = make_article()
        db.session.commit()
        url = f"/{article.slug}/"
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = first_ip
        statuses = [
            client.post(url, data=valid_form(submission_id=_new_id(), message=f"Try {n}")).status_code
            for n in range(3)
        ]
        assert statuses == [303, 303, 429]
        response = client.post(url, data=valid_form(submission_id=_new_id(), message="Typed with care."))
        assert "Please wait a moment" in response.get_data(as_text=True)
        # The patient's words come back with the request to wait, not a page without the form.
        assert "Typed with care." in response.get_data(as_text=True)
        assert int(response.headers["Retry-After"]) > 0
        assert client.get(url).status_code == 200  # reading is never limited
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = second_ip
        assert other.post(url, data=valid_form(submission_id=_new_id(), message="Other")).status_code == 303
        assert counts()["Inquiry"] == 3


def _limited_client(make_app, **config):
    # Explicitly on: the limiter is one shared object and keeps the last app's setting otherwise.
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False, **config)
    client = app.test_client()
    # An address of this test alone, so a shared Redis never carries counts over from another test.
    client.environ_base["REMOTE_ADDR"] = f"2001:db8::{uuid.uuid4().hex[:4]}:9"
    return app, client


def test_typing_mistakes_do_not_use_up_the_rate_limit(make_app):
    app, client = _limited_client(make_app, INQUIRY_RATE_LIMIT="2 per minute")
    with app.app_context():
        article = make_article()
        db.session.commit()
        url = f"/{article.slug}/"
        mistakes = [
            client.post(url, data=valid_form(submission_id=_new_id(), email="ana@")).status_code
            for _ in range(5)
        ]
        stored = [
            client.post(url, data=valid_form(submission_id=_new_id(), message=f"Try {n}")).status_code
            for n in range(3)
        ]

        assert mistakes == [422] * 5
        # The limit counts what was stored: two, then the third is refused.
        assert stored == [303, 303, 429]
        assert counts()["Inquiry"] == 2


def test_every_post_counts_against_the_higher_ceiling(make_app):
    app, client = _limited_client(
        make_app, INQUIRY_RATE_LIMIT="2 per minute", INQUIRY_POST_LIMIT="4 per minute"
    )
    with app.app_context():
        article = make_article()
        db.session.commit()
        url = f"/{article.slug}/"
        statuses = [
            client.post(url, data=valid_form(submission_id=_new_id(), email="ana@")).status_code
            for _ in range(5)
        ]

        assert statuses == [422, 422, 422, 422, 429]
        assert client.post(url, data=valid_form(submission_id=_new_id())).status_code == 429
        assert counts()["Inquiry"] == 0


def test_submission_succeeds_quickly_when_the_broker_is_down(make_app):
    app, response, elapsed = post_with_dead_broker(make_app)
    assert response.status_code == 303
    assert elapsed < 2.0, f"publish blocked the request for {elapsed:.1f}s"
    with app.app_context():
        assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 1, "OutboundEmail": 4}
