"""Stored answers keep the questions they were asked with, whatever the definition becomes."""

from __future__ import annotations

from flask import render_template_string

from leads.extensions import db
from leads.links import QUESTIONNAIRE
from leads.models import QuestionnaireResponse
from leads.questionnaire import conditions, questions, service
from leads.questionnaire.conditions import RedFlag
from leads.questionnaire.forms import build_form_class
from leads.tokens import make_token
from tests.questionnaire.conftest import answers, change_profile, make_scheduled_inquiry

RENDER = '{% from "questionnaire/_answers.html" import render_answers %}{{ render_answers(response) }}'


def test_old_answers_render_after_the_questions_change(client, published, monkeypatch):
    inquiry = make_scheduled_inquiry()
    client.post(f"/q/{make_token(QUESTIONNAIRE, inquiry.id)}", data=answers(red_flag="fall_injury"))
    response_id = db.session.scalar(db.select(QuestionnaireResponse.id))

    # The article's symptoms, the choices, the wording and the version all change later.
    inquiry.article.symptoms = ["Neck pain", "Headache"]
    db.session.commit()
    monkeypatch.setattr(questions, "DURATION_CHOICES", (("any", "Any time"),))
    monkeypatch.setattr(service, "DURATION_CHOICES", (("any", "Any time"),))
    change_profile(
        monkeypatch,
        conditions.STENOSIS,
        version="2027-01-v2",
        red_flags=(RedFlag("new_flag", "Something new", "a source"),),
    )
    assert service.questionnaire_for(inquiry).symptoms[0].label == "Neck pain"

    db.session.expire_all()
    stored = db.session.get(QuestionnaireResponse, response_id)
    html = render_template_string(RENDER, response=stored)
    assert "Lower back pain" in html and "Difficulty walking" in html
    assert "Neck pain" not in html
    assert "More than a year" in html and "Any time" not in html
    assert "A recent fall or injury to your back" in html and "Something new" not in html
    assert "version 2026-11-v1" in html
    assert 'class="answers-red-flags"' in html


def test_the_form_is_built_from_any_symptom_list(app):
    definition = questions.build_questionnaire(["Hip pain", "  ", "Stiffness"])
    assert [s.label for s in definition.symptoms] == ["Hip pain", "Stiffness"]
    with app.test_request_context():
        form = build_form_class(definition)()
    names = {field.name for field in form}
    assert {"symptom_0_present", "symptom_1_severity", "symptom_1_duration"} <= names
    assert "symptom_2_present" not in names
