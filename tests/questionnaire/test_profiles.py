"""Each condition profile end to end: its questions, its red flags' wording everywhere, its score's parts."""

from __future__ import annotations

from bs4 import BeautifulSoup

from leads.dashboard.lead_detail import response_view
from leads.dashboard.timeline import _event_lines
from leads.extensions import db
from leads.links import QUESTIONNAIRE
from leads.mail.outbox import schedule_inquiry_followups
from leads.mail.render import render_email
from leads.models import EmailKind, Lead, LeadEvent, OutboundEmail, QuestionnaireResponse
from leads.questionnaire import conditions, scoring
from leads.questionnaire.conditions import RedFlag
from leads.timeline import EventKind
from leads.tokens import make_token
from tests.factories import make_article, make_inquiry, make_lead, make_user
from tests.helpers import log_in
from tests.questionnaire.conftest import answers, change_profile

KNEE_SYMPTOMS = ["Knee pain", "Stiffness", "Swelling"]
KNEE_FEVER = "A hot, red, swollen knee together with a fever or feeling unwell"


def inquiry_on(profile: str, symptoms=KNEE_SYMPTOMS):
    article = make_article(symptoms=list(symptoms), wp_profile=profile)
    inquiry = make_inquiry(lead=make_lead(), article=article)
    schedule_inquiry_followups(inquiry)
    db.session.commit()
    return inquiry


def url(inquiry) -> str:
    return f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}"


def test_a_knee_red_flag_makes_the_lead_urgent_in_the_knee_profiles_words(alert_app, published):
    client = alert_app.test_client()
    inquiry = inquiry_on("knee_osteoarthritis")
    lead_id = inquiry.lead_id
    body = answers(symptom_count=3, red_flag="hot_swollen_fever", profile="knee_osteoarthritis")

    page = client.post(url(inquiry), data=body)

    assert page.status_code == 200
    notice = BeautifulSoup(page.text, "html.parser").select_one(".urgent-care[role=alert]").get_text(" ")
    assert "joint infection" in " ".join(notice.split())
    db.session.expire_all()
    assert db.session.get(Lead, lead_id).is_urgent is True
    [stored] = db.session.scalars(db.select(QuestionnaireResponse)).all()
    assert stored.red_flags == ["hot_swollen_fever"]
    assert (stored.answers["profile"], stored.questionnaire_version) == ("knee_osteoarthritis", "2026-12-v1")
    # The coordinators' alert, the lead page and the timeline all read the knee profile's wording.
    alert = db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.URGENT_ALERT)
    ).first()
    rendered = render_email(alert, alert.recipient)
    assert f"- {KNEE_FEVER}" in rendered.text and KNEE_FEVER in rendered.html
    assert "Red flags (Knee osteoarthritis questionnaire):" in rendered.text
    assert response_view(stored).red_flags == [KNEE_FEVER]
    [event] = db.session.scalars(db.select(LeadEvent).where(LeadEvent.kind == EventKind.RED_FLAG)).all()
    assert _event_lines(event, {}) == [KNEE_FEVER]


def test_the_knee_page_asks_knee_questions_and_nothing_about_the_spine(client):
    html = client.get(url(inquiry_on("knee_osteoarthritis"))).get_data(as_text=True)
    assert KNEE_FEVER in html and "Which scans have you had of your knee?" in html
    for spine in ("saddle", "bladder", "bend forward", "your back"):
        assert spine not in html


def test_the_generic_page_asks_no_pattern_and_only_general_red_flags(client, published):
    inquiry = inquiry_on("generic", ["Pain", "Tiredness"])
    html = client.get(url(inquiry)).get_data(as_text=True)
    assert "When your symptoms change" not in html
    assert "A fever together with severe pain" in html and "saddle" not in html

    response = client.post(url(inquiry), data=answers(symptom_count=2, profile="generic"))

    assert response.status_code == 200
    stored = db.session.scalar(db.select(QuestionnaireResponse))
    # Pain 8/10 of two asked: 22 of 55; more than a year: 25; two treatments: 6; MRI: 10.
    assert [(c["key"], c["points"], c["max"]) for c in stored.answers["score_components"]] == [
        ("symptoms", 22, 55),
        ("duration", 25, 25),
        ("treatments", 6, 10),
        ("imaging", 10, 10),
    ]
    assert stored.score == 63


def test_an_unknown_profile_key_falls_back_to_the_generic_questions(client):
    html = client.get(url(inquiry_on("retired_profile"))).get_data(as_text=True)
    assert "A fever together with severe pain" in html


def test_changing_a_profile_leaves_old_answers_and_scores_as_they_were(app, client, published, monkeypatch):
    inquiry = inquiry_on("sciatica", ["Leg pain", "Numbness"])
    client.post(url(inquiry), data=answers(symptom_count=2, red_flag="both_legs", profile="sciatica"))
    stored = db.session.scalar(db.select(QuestionnaireResponse))
    before = (stored.score, stored.questionnaire_version, stored.answers["score_components"], stored.answers)

    # The clinic reviews the profile: new weights, new wording, new version.
    sciatica = conditions.get("sciatica")
    change_profile(
        monkeypatch,
        "sciatica",
        version="2027-01-v2",
        red_flags=(RedFlag("both_legs", "Reworded flag", "a source"), *sciatica.red_flags[1:]),
        weights=sciatica.weights.__class__(
            symptoms=10,
            duration={"lt_6w": 0, "6w_3m": 0, "3m_12m": 0, "gt_1y": 45},
            treatment_each=5,
            treatment_max=10,
            imaging={"mri": 10},
        ),
    )
    assert scoring.score(stored.answers, conditions.get("sciatica")) != before[0]

    db.session.expire_all()
    stored = db.session.get(QuestionnaireResponse, stored.id)
    assert (
        stored.score,
        stored.questionnaire_version,
        stored.answers["score_components"],
        stored.answers,
    ) == before
    admin = make_user(role="admin")
    log_in(client, admin)
    page = client.get(f"/dashboard/leads/{inquiry.lead_id}").get_data(as_text=True)
    assert f"Why it scores {before[0]} / 100" in page
    assert "Radicular pattern" in page and "2026-12-v1" in page
    # The snapshot keeps the question as it was asked.
    assert "Pain, numbness or weakness in both legs at once" in page


def test_answers_stored_before_profiles_read_as_the_stenosis_screen(app):
    response = QuestionnaireResponse(
        answers={}, red_flags=["saddle_numbness"], questionnaire_version="2026-11-v1"
    )
    assert response_view(response).red_flags == [
        "Numbness in the groin or saddle area (where you would sit on a saddle)"
    ]
    assert response_view(response).score_components == []


def test_the_stenosis_score_is_what_it_was(client, published):
    """Today's stored scores came from these weights: the same answers score the same."""
    inquiry = inquiry_on("spinal_stenosis", ["A", "B", "C", "D", "E"])
    client.post(url(inquiry), data=answers())
    stored = db.session.scalar(db.select(QuestionnaireResponse))
    assert stored.score == 75
    assert [c["points"] for c in stored.answers["score_components"]] == [19, 25, 15, 6, 10]
