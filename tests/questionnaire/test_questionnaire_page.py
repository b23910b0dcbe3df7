"""The questionnaire at /q/<token>: links, the form, storing answers and what they cause."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from leads.extensions import db
from leads.links import QUESTIONNAIRE, UNSUBSCRIBE
from leads.mail.render import render_email
from leads.models import EmailKind, EmailStatus, Lead, LeadEvent, OutboundEmail, QuestionnaireResponse
from leads.models.base import utcnow
from leads.questionnaire import scoring
from leads.questionnaire.questions import red_flag_label
from leads.timeline import EventKind
from leads.tokens import make_token
from tests.factories import SEED_SYMPTOMS, make_article, make_inquiry, make_lead
from tests.questionnaire.conftest import answers, make_scheduled_inquiry, old_token

STENOSIS_VERSION = "2026-11-v1"  # the version answers were stored with before profiles: unchanged


def url(inquiry_id: int) -> str:
    return f"/q/{make_token(QUESTIONNAIRE, inquiry_id)}"


def responses() -> list[QuestionnaireResponse]:
    return list(db.session.scalars(db.select(QuestionnaireResponse)))


def events(lead_id: int, kind: str) -> list[LeadEvent]:
    return list(
        db.session.scalars(db.select(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == kind))
    )


def emails(lead_id: int, kind: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            db.select(OutboundEmail).where(OutboundEmail.lead_id == lead_id, OutboundEmail.kind == kind)
        )
    )


def assert_private_headers(response) -> None:
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_checkbox_in_a_group_is_marked_required(client):
    """`required` on a checkbox makes the browser demand that very box: every treatment ticked."""
    page = BeautifulSoup(client.get(url(make_scheduled_inquiry().id)).text, "html.parser")
    grouped = page.select("fieldset input[type=checkbox]")
    assert {box["name"] for box in grouped} >= {"treatments", "imaging"}
    assert [box["name"] for box in grouped if box.has_attr("required")] == []


def test_form_asks_exactly_the_articles_symptoms(client):
    inquiry = make_scheduled_inquiry()
    response = client.get(url(inquiry.id))
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert [label.get_text(strip=True) for label in page.select(".symptom-present label")] == SEED_SYMPTOMS
    # Severity works without JavaScript: eleven radios, 0..10, each with its label.
    severity = page.select("input[name=symptom_0_severity]")
    assert [radio["value"] for radio in severity] == [str(n) for n in range(11)]
    assert all(page.select_one(f"label[for='{radio['id']}']") for radio in severity)
    assert len(page.select("input[type=radio][name^=red_flag_]")) == 10
    # The strict CSP holds only if the page has no inline script or style.
    assert not page.find("script") and not page.find("style") and not page.select("[style]")
    assert_private_headers(response)


def test_form_shows_no_personal_data(client):
    inquiry = make_scheduled_inquiry(full_name="Zelda Quuxington", email="zelda@example.com")
    text = client.get(url(inquiry.id)).text
    assert "Zelda" not in text and "zelda@example.com" not in text


def test_expired_link_gets_a_friendly_page(client):
    inquiry = make_scheduled_inquiry()
    token = old_token(QUESTIONNAIRE, inquiry.id, age_seconds=31 * 86400)
    response = client.get(f"/q/{token}")
    assert response.status_code == 410
    assert "This link has expired" in response.text and "contact us" in response.text
    assert_private_headers(response)
    # The same age is fine while within QUESTIONNAIRE_TTL_DAYS.
    assert client.get(f"/q/{old_token(QUESTIONNAIRE, inquiry.id, age_seconds=29 * 86400)}").status_code == 200


@pytest.mark.parametrize(
    "problem", ["altered", "other_purpose", "unknown_inquiry", "erased_lead", "not_an_id"]
)
def test_invalid_links_get_the_same_page(client, problem):
    inquiry = make_scheduled_inquiry()
    token = make_token(QUESTIONNAIRE, inquiry.id)
    if problem == "altered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif problem == "other_purpose":
        token = make_token(UNSUBSCRIBE, inquiry.id)
    elif problem == "unknown_inquiry":
        token = make_token(QUESTIONNAIRE, inquiry.id + 1000)
    elif problem == "erased_lead":
        inquiry.lead.erased_at = utcnow()
        db.session.commit()
    elif problem == "not_an_id":
        from leads.tokens import _serializer

        token = _serializer(QUESTIONNAIRE).dumps("1 OR 1=1")
    for response in (client.get(f"/q/{token}"), client.post(f"/q/{token}", data=answers())):
        assert response.status_code == 404
        assert "This link is not valid" in response.text
        assert_private_headers(response)
    assert responses() == []


def test_full_answer_is_stored_with_version_and_score(client, published):
    inquiry = make_scheduled_inquiry()
    lead_id, inquiry_id = inquiry.lead_id, inquiry.id
    response = client.post(url(inquiry_id), data=answers(hopes="  Walk my dog again.  "))
    assert response.status_code == 200
    assert "we have your answers" in response.text
    assert "seek urgent medical care" not in response.text
    assert_private_headers(response)

    [stored] = responses()
    assert (stored.inquiry_id, stored.lead_id, stored.questionnaire_version) == (
        inquiry_id,
        lead_id,
        STENOSIS_VERSION,
    )
    assert stored.answers["asked_symptoms"] == SEED_SYMPTOMS
    assert stored.answers["symptoms"][0] == {
        "label": "Lower back pain",
        "present": True,
        "severity": 8,
        "duration": "gt_1y",
    }
    assert stored.answers["symptoms"][1]["present"] is False
    assert stored.answers["hopes"] == "Walk my dog again."
    assert stored.red_flags == []
    # 3 of 5 symptoms at 8/10 -> 19, claudication 25, > 1 year 15, two treatments 6, MRI 10.
    assert stored.score == scoring.score(stored.answers) == 75
    lead = db.session.get(Lead, lead_id)
    assert lead.score == 75 and lead.is_urgent is False
    assert len(events(lead_id, EventKind.QUESTIONNAIRE_ANSWERED)) == 1
    assert events(lead_id, EventKind.RED_FLAG) == []
    assert published == []


def test_answering_cancels_the_invitation_and_reminders_of_that_inquiry(client, published):
    inquiry = make_scheduled_inquiry()
    other = make_scheduled_inquiry()
    client.post(url(inquiry.id), data=answers())
    db.session.expire_all()
    for kind in (EmailKind.QUESTIONNAIRE, EmailKind.REMINDER):
        assert {row.status for row in emails(inquiry.lead_id, kind)} == {EmailStatus.CANCELLED}
        assert {row.status for row in emails(other.lead_id, kind)} == {EmailStatus.PENDING}
    assert {row.status for row in emails(inquiry.lead_id, EmailKind.CONFIRMATION)} == {EmailStatus.PENDING}


def test_lead_score_keeps_the_higher_value(client, published):
    inquiry = make_scheduled_inquiry(score=90)
    client.post(url(inquiry.id), data=answers())
    db.session.expire_all()
    assert db.session.get(Lead, inquiry.lead_id).score == 90
    assert responses()[0].score == 75


def test_red_flag_makes_the_lead_urgent_and_alerts_each_coordinator(alert_app, published):
    client = alert_app.test_client()
    inquiry = make_scheduled_inquiry()
    lead_id = inquiry.lead_id
    response = client.post(url(inquiry.id), data=answers(red_flag="saddle_numbness"))
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    notice = page.select_one(".urgent-care[role=alert]")
    assert notice is not None and "seek urgent medical care now" in notice.get_text().lower()
    assert "emergency" in notice.get_text()
    assert_one_coherent_urgent_page(page)

    db.session.expire_all()
    assert db.session.get(Lead, lead_id).is_urgent is True
    [stored] = responses()
    assert db.session.get(Lead, lead_id).urgent_since == stored.submitted_at
    assert stored.red_flags == ["saddle_numbness"]
    alerts = emails(lead_id, EmailKind.URGENT_ALERT)
    assert sorted(row.recipient for row in alerts) == ["a@clinic.example", "b@clinic.example"]
    assert {row.status for row in alerts} == {EmailStatus.PENDING}
    assert sorted(published) == sorted(row.id for row in alerts)
    [flag_event] = events(lead_id, EventKind.RED_FLAG)
    assert flag_event.data["flags"] == ["saddle_numbness"]


def test_second_submission_is_refused_politely(client, published):
    inquiry = make_scheduled_inquiry()
    first = client.post(url(inquiry.id), data=answers())
    assert first.status_code == 200
    second = client.post(url(inquiry.id), data=answers(red_flag="fall_injury"))
    assert second.status_code == 409
    assert "We have received the answers to this questionnaire" in second.text
    again = client.get(url(inquiry.id))
    assert again.status_code == 200 and "We have received the answers" in again.text
    assert len(responses()) == 1
    assert responses()[0].red_flags == []


def test_second_submission_in_a_race_is_refused_by_the_unique_constraint(client, published, monkeypatch):
    inquiry = make_scheduled_inquiry()
    lead_id = inquiry.lead_id
    assert client.post(url(inquiry.id), data=answers()).status_code == 200
    # Both requests passed the "already answered?" check before either committed.
    monkeypatch.setattr("leads.questionnaire.service.existing_response", lambda inquiry_id: None)
    response = client.post(url(inquiry.id), data=answers(red_flag="fall_injury"))
    assert response.status_code == 409
    assert "We have received the answers" in response.text
    assert len(responses()) == 1
    assert len(events(lead_id, EventKind.QUESTIONNAIRE_ANSWERED)) == 1
    assert db.session.get(Lead, lead_id).is_urgent is False


def assert_one_coherent_urgent_page(page: BeautifulSoup) -> None:
    """Urgent care first; what the clinic does, within the urgent target; nothing telling the patient to wait."""
    text = " ".join(page.get_text().split())
    assert page.select_one("h1").get_text(strip=True) == "Please seek urgent medical care now"
    assert "try to reach you within an hour, by email" in text
    for contradiction in ("do not need to do anything else", "working day", "usually within"):
        assert contradiction not in text


def test_the_urgent_page_follows_the_urgent_response_setting(make_app, published):
    app = make_app(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, URGENT_RESPONSE_MINUTES=30)
    with app.app_context():
        inquiry = make_scheduled_inquiry()
        text = app.test_client().post(url(inquiry.id), data=answers(red_flag="fall_injury")).text
    assert "try to reach you within 30 minutes" in text


def test_an_answered_link_shows_only_that_the_answers_arrived(client, published):
    """Whoever opens the link later (a forwarded email, a shared computer) learns nothing about the answers."""
    inquiry = make_scheduled_inquiry()
    client.post(url(inquiry.id), data=answers(red_flag="bladder_bowel", hopes="Walk my dog again."))
    for response in (client.get(url(inquiry.id)), client.post(url(inquiry.id), data=answers())):
        page = BeautifulSoup(response.text, "html.parser")
        text = " ".join(page.get_text().split()).lower()
        assert "we have received the answers to this questionnaire" in text
        assert page.select_one(".urgent-care") is None
        for leak in ("urgent", "emergency", "red flag", "walk my dog", "bladder"):
            assert leak not in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"symptom_0_severity": "11"}, "Please choose one of the options given."),
        ({"symptom_0_severity": None}, "how bad “Lower back pain” is"),
        ({"symptom_2_duration": "forever"}, "Please choose one of the options given."),
        ({"red_flag_bladder_bowel": None, "red_flag_fall_injury": None}, "Please answer yes or no."),
        ({"symptom_1_present": "y"}, "how bad “Leg pain or cramping” is"),
        ({"worse_walking_standing": "maybe"}, "Please choose one of the options given."),
        ({"treatments": ["physical_therapy", "acupuncture"]}, "Please choose one of the options given."),
        ({"treatments": ["none", "surgery"]}, "cannot be chosen together"),
        ({"imaging": None}, "Please choose the scans you have had"),
        ({"hopes": "x" * 1001}, "1000 characters"),
        ({"treatments_other": "y" * 501}, "500 characters"),
        ({"hopes": "bell\x07"}, "Please use ordinary text only."),
    ],
)
def test_invalid_answers_get_422_with_messages_and_store_nothing(client, published, overrides, message):
    inquiry = make_scheduled_inquiry()
    lead_id = inquiry.lead_id
    response = client.post(url(inquiry.id), data=answers(**overrides))
    assert response.status_code == 422
    assert message in response.text
    page = BeautifulSoup(response.text, "html.parser")
    summary = page.select_one(".error-summary[role=alert]")
    assert summary is not None
    # Each summary link points at an input that exists and is marked invalid.
    for link in summary.select("a"):
        target = page.find(id=link["href"][1:])
        assert target is not None and target.get("aria-invalid") == "true"
        assert target["aria-describedby"].endswith("-error")
    assert_private_headers(response)
    assert responses() == []
    assert events(lead_id, EventKind.QUESTIONNAIRE_ANSWERED) == []
    db.session.expire_all()
    assert {row.status for row in emails(lead_id, EmailKind.REMINDER)} == {EmailStatus.PENDING}


def test_invalid_answers_keep_what_was_typed(client, published):
    inquiry = make_scheduled_inquiry()
    response = client.post(url(inquiry.id), data=answers(symptom_0_severity="11", hopes="Walk again"))
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("textarea[name=hopes]").get_text().strip() == "Walk again"
    assert page.select_one("input[name=symptom_0_present]").has_attr("checked")
    assert not page.select_one("input[name=symptom_1_present]").has_attr("checked")


def test_symptoms_ticked_on_the_inquiry_form_are_ticked_already(client):
    inquiry = make_scheduled_inquiry()
    inquiry.symptoms = ["Balance issues", "Lower back pain"]
    db.session.commit()
    page = BeautifulSoup(client.get(url(inquiry.id)).text, "html.parser")
    ticked = [box["name"] for box in page.select("input[name$=_present]") if box.has_attr("checked")]
    assert ticked == ["symptom_0_present", "symptom_3_present"]


def test_severity_and_duration_of_an_unticked_symptom_are_ignored(client, published):
    """Details left over from a symptom unticked again (or typed by hand) neither block nor get stored."""
    inquiry = make_scheduled_inquiry()
    body = answers(symptom_1_severity="11", symptom_1_duration="forever", symptom_3_severity="4")
    response = client.post(url(inquiry.id), data=body)
    assert response.status_code == 200, response.text
    stored = responses()[0].answers["symptoms"]
    assert [(item["present"], item["severity"], item["duration"]) for item in stored] == [
        (True, 8, "gt_1y"),
        (False, None, None),
        (True, 8, "gt_1y"),
        (False, None, None),
        (True, 8, "gt_1y"),
    ]


def test_a_red_flag_in_incomplete_answers_alerts_at_once_and_only_once(alert_app, published):
    """A "yes" to a red flag is acted on though other answers are missing; finishing later owes nothing more."""
    client = alert_app.test_client()
    inquiry = make_scheduled_inquiry()
    lead_id = inquiry.lead_id
    incomplete = answers(red_flag="saddle_numbness", treatments=None, hopes="Walk my dog again.")
    response = client.post(url(inquiry.id), data=incomplete)
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    # The urgent message first, then the form with the patient's answers and what is missing.
    first = page.select_one("article > *")
    assert first.get("role") == "alert" and "seek urgent medical care now" in first.get_text().lower()
    assert "Please choose the treatments you have tried" in response.text
    assert page.select_one("textarea[name=hopes]").get_text().strip() == "Walk my dog again."
    assert page.select_one("input[name=red_flag_saddle_numbness][value=yes]").has_attr("checked")
    assert "try to reach you within an hour, by email" in " ".join(page.get_text().split())

    db.session.expire_all()
    lead = db.session.get(Lead, lead_id)
    assert lead.is_urgent is True and lead.urgent_since is not None
    urgent_since = lead.urgent_since
    assert responses() == []
    [flag_event] = events(lead_id, EventKind.RED_FLAG)
    assert flag_event.data["flags"] == ["saddle_numbness"]
    alerts = emails(lead_id, EmailKind.URGENT_ALERT)
    assert sorted(row.recipient for row in alerts) == ["a@clinic.example", "b@clinic.example"]
    assert sorted(published) == sorted(row.id for row in alerts)
    # The alert names the red flag, though no answers are stored yet.
    rendered = render_email(alerts[0], alerts[0].recipient)
    assert f"- {red_flag_label('saddle_numbness')}" in rendered.text

    # The same incomplete answers again, then the complete ones: still one alert per coordinator.
    assert client.post(url(inquiry.id), data=incomplete).status_code == 422
    assert client.post(url(inquiry.id), data=answers(red_flag="saddle_numbness")).status_code == 200
    db.session.expire_all()
    assert len(events(lead_id, EventKind.RED_FLAG)) == 1
    assert len(emails(lead_id, EmailKind.URGENT_ALERT)) == 2
    assert db.session.get(Lead, lead_id).urgent_since == urgent_since
    assert responses()[0].red_flags == ["saddle_numbness"]


def test_incomplete_answers_without_a_red_flag_alert_nobody(alert_app, published):
    client = alert_app.test_client()
    inquiry = make_scheduled_inquiry()
    response = client.post(url(inquiry.id), data=answers(treatments=None))
    assert response.status_code == 422
    assert BeautifulSoup(response.text, "html.parser").select_one(".urgent-care") is None
    db.session.expire_all()
    assert db.session.get(Lead, inquiry.lead_id).is_urgent is False
    assert emails(inquiry.lead_id, EmailKind.URGENT_ALERT) == [] and published == []


def test_answers_are_stored_without_a_csrf_token_or_cookies(make_app, published):
    """The signed link authorises the post: an expired CSRF token or a lost cookie must not lose the answers."""
    from tests.questionnaire.conftest import COORDINATORS

    app = make_app(env={"COORDINATOR_EMAILS": COORDINATORS}, RATELIMIT_ENABLED=False)
    assert app.config["WTF_CSRF_ENABLED"] is True
    with app.app_context():
        inquiry = make_scheduled_inquiry()
        client = app.test_client(use_cookies=False)
        response = client.post(url(inquiry.id), data=answers(red_flag="fall_injury"))
        assert response.status_code == 200
        assert "seek urgent medical care now" in response.text.lower()
        db.session.expire_all()
        [stored] = responses()
        assert stored.red_flags == ["fall_injury"]
        assert db.session.get(Lead, inquiry.lead_id).is_urgent is True
        assert len(emails(inquiry.lead_id, EmailKind.URGENT_ALERT)) == 2


def test_the_thanks_page_promises_the_leads_contact_not_a_spoofed_inquirys(client, published):
    """The lead keeps its stored way of contact until a coordinator accepts the new inquiry's."""
    lead = make_lead(preferred_contact="email")
    inquiry = make_inquiry(lead=lead, article=make_article(), preferred_contact="phone", phone="+15075550199")
    db.session.commit()
    for flag in (None, "fall_injury"):
        db.session.execute(db.delete(QuestionnaireResponse))
        db.session.commit()
        text = " ".join(
            BeautifulSoup(client.post(url(inquiry.id), data=answers(red_flag=flag)).text, "html.parser")
            .get_text()
            .split()
        )
        assert "by email" in text and "by phone" not in text


@pytest.mark.parametrize(
    ("method", "promise", "noun"),
    [
        ("email", "within an hour, by email", "That email is not"),
        ("phone", "within an hour, by phone", "That call is not"),
    ],
)
def test_the_urgent_page_names_the_contact_the_patient_chose(alert_app, published, method, promise, noun):
    """Before, a patient who chose email read "That call is not emergency care"."""
    inquiry = make_inquiry(
        lead=make_lead(preferred_contact=method), article=make_article(), preferred_contact=method
    )
    db.session.commit()
    response = alert_app.test_client().post(url(inquiry.id), data=answers(red_flag="fall_injury"))
    text = " ".join(BeautifulSoup(response.text, "html.parser").get_text().split())
    assert promise in text and noun in text
    assert ("call" in text) == (method == "phone")
