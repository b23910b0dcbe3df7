"""Answering the questionnaire: resolve the link, store the answers once, act on red flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from leads.articles.profile import article_profile
from leads.extensions import db
from leads.i18n import SOURCE_LANGUAGE
from leads.links import QUESTIONNAIRE
from leads.mail.outbox import cancel_pending, due_now, publish, schedule_urgent_alert
from leads.models import EmailKind, Inquiry, Lead, OutboundEmail, QuestionnaireResponse
from leads.models.base import utcnow
from leads.questionnaire import scoring
from leads.questionnaire.questions import (
    DEFAULT_TEXTS,
    DURATION_CHOICES,
    SEVERITY_MAX,
    YES,
    YES_NO_NOT_SURE,
    Questionnaire,
    build_questionnaire,
    choice_label,
)
from leads.timeline import EventKind, record_event, recorded_for_inquiry
from leads.tokens import TokenInvalid, read_token


class AlreadyAnswered(Exception):
    """This inquiry's questionnaire was answered before (possibly a moment ago, by a parallel request)."""


@dataclass(frozen=True)
class Submitted:
    response_id: int
    score: int
    red_flags: list[str]


def inquiry_for_token(token: str) -> Inquiry:
    """The inquiry a questionnaire link was made for; raises TokenExpired or TokenInvalid."""
    max_age = current_app.config["QUESTIONNAIRE_TTL_DAYS"] * 86400
    inquiry = db.session.get(Inquiry, read_token(QUESTIONNAIRE, token, max_age))
    # An unknown inquiry or an erased person looks exactly like an altered link.
    if inquiry is None or inquiry.lead is None or inquiry.lead.erased_at is not None:
        raise TokenInvalid("no such inquiry")
    return inquiry


def questionnaire_for(inquiry: Inquiry) -> Questionnaire:
    """The article's questionnaire, worded in the article's language."""
    article = inquiry.article
    return build_questionnaire(article.symptoms or [], article_profile(article), article.language)


def initial_answers(questionnaire: Questionnaire, inquiry: Inquiry) -> dict:
    """The symptoms the patient ticked on the inquiry form, ticked again here."""
    ticked = {label.strip() for label in inquiry.symptoms or [] if isinstance(label, str)}
    return {
        f"{symptom.prefix}_present": True for symptom in questionnaire.symptoms if symptom.label in ticked
    }


def existing_response(inquiry_id: int) -> QuestionnaireResponse | None:
    return db.session.scalar(
        db.select(QuestionnaireResponse).where(QuestionnaireResponse.inquiry_id == inquiry_id)
    )


def answers_from_form(questionnaire: Questionnaire, form) -> dict:
    """The validated form as the stored answers: values, plus a snapshot of what was asked."""
    symptoms = []
    for symptom in questionnaire.symptoms:
        present = bool(form[f"{symptom.prefix}_present"].data)
        symptoms.append(
            {
                "label": symptom.label,
                "present": present,
                "severity": int(form[f"{symptom.prefix}_severity"].data) if present else None,
                "duration": form[f"{symptom.prefix}_duration"].data if present else None,
            }
        )
    answers = {
        # Which profile, in which version, asked these: the snapshot below keeps its wording.
        "profile": questionnaire.profile.key,
        "profile_version": questionnaire.version,
        "asked_symptoms": [symptom.label for symptom in questionnaire.symptoms],
        "symptoms": symptoms,
        "pattern": {key: form[key].data for key, _text in questionnaire.pattern},
        "treatments": list(form.treatments.data),
        "treatments_other": form.treatments_other.data or "",
        "imaging": list(form.imaging.data),
        "hopes": form.hopes.data or "",
        "red_flags": {key: form[f"red_flag_{key}"].data == YES for key, _label in questionnaire.red_flags},
    }
    # The coordinators' record, in the dashboard's language: the English wording of the same
    # questions (the symptoms and free text stay as the patient saw and typed them).
    with force_locale(SOURCE_LANGUAGE):
        english = replace(
            questionnaire, language=None, texts={**DEFAULT_TEXTS, **questionnaire.profile.texts}
        )
        answers["snapshot"] = snapshot(english, answers)
    return answers


def snapshot(questionnaire: Questionnaire, answers: Mapping) -> list[dict]:
    """The questions and answers as worded when asked: what readers of old answers see.

    Sections of rows; a row has the question, the answer in words, its key when it
    holds free text (so erasure can find it), and `flag` for a red flag answered yes.
    """
    texts = questionnaire.texts
    sections = []
    for item in answers["symptoms"]:
        rows = [{"question": texts["symptom_present"], "answer": "Yes" if item["present"] else "No"}]
        if item["present"]:
            rows.append(
                {"question": texts["symptom_severity"], "answer": f"{item['severity']} / {SEVERITY_MAX}"}
            )
            rows.append(
                {
                    "question": texts["symptom_duration"],
                    "answer": choice_label(DURATION_CHOICES, item["duration"]),
                }
            )
        sections.append({"title": item["label"], "rows": rows})
    if questionnaire.pattern:
        sections.append(
            {
                "title": "When the symptoms change",
                "rows": [
                    {"question": text, "answer": choice_label(YES_NO_NOT_SURE, answers["pattern"][key])}
                    for key, text in questionnaire.pattern
                ],
            }
        )
    sections.append(
        {
            "title": "Treatments and scans",
            "rows": [
                {
                    "question": texts["treatments"],
                    "answer": ", ".join(
                        choice_label(questionnaire.treatments, v) for v in answers["treatments"]
                    ),
                },
                {
                    "question": texts["treatments_other"],
                    "answer": answers["treatments_other"],
                    "key": "treatments_other",
                },
                {
                    "question": texts["imaging"],
                    "answer": ", ".join(choice_label(questionnaire.imaging, v) for v in answers["imaging"]),
                },
            ],
        }
    )
    sections.append(
        {"title": "Hopes", "rows": [{"question": texts["hopes"], "answer": answers["hopes"], "key": "hopes"}]}
    )
    sections.append(
        {
            "title": "Red-flag screen",
            "rows": [
                {
                    "question": label,
                    "answer": "Yes" if answers["red_flags"][key] else "No",
                    "flag": answers["red_flags"][key],
                }
                for key, label in questionnaire.red_flags
            ],
        }
    )
    # Plain strings: the wording is stored, not the catalogue lookups that produced it.
    for section in sections:
        section["title"] = str(section["title"])
        for row in section["rows"]:
            row["question"], row["answer"] = str(row["question"]), str(row["answer"])
    return sections


def submit(inquiry: Inquiry, questionnaire: Questionnaire, form) -> Submitted:
    """Store the answers and everything they cause, in one transaction; then publish the alerts.

    Raises AlreadyAnswered when the inquiry has a response, including one stored by a
    parallel request a moment ago (the unique inquiry_id decides).
    """
    answers = answers_from_form(questionnaire, form)
    parts = scoring.components(answers, questionnaire.profile)
    # Stored with the answers, so the lead page shows why it scored so whatever the profile becomes.
    answers["score_components"] = [part.as_dict() for part in parts]
    score = scoring.score(answers, questionnaire.profile)
    flags = scoring.red_flags(answers)
    inquiry_id, lead_id = inquiry.id, inquiry.lead_id
    now = utcnow()
    response = QuestionnaireResponse(
        inquiry_id=inquiry_id,
        lead_id=lead_id,
        questionnaire_version=questionnaire.version,
        answers=answers,
        red_flags=flags,
        score=score,
        submitted_at=now,
    )
    try:
        db.session.add(response)
        db.session.flush()
        # In SQL, so two answers of the same lead arriving together cannot lose the higher score.
        db.session.execute(
            db.update(Lead)
            .where(Lead.id == lead_id)
            .values(score=sa.case((Lead.score < score, score), else_=Lead.score)),
            execution_options={"synchronize_session": False},
        )
        alert_rows = []
        if flags:
            alert_rows = _mark_urgent(inquiry, flags, questionnaire, now, response_id=response.id)
        cancel_pending(lead_id, kinds=[EmailKind.REMINDER, EmailKind.QUESTIONNAIRE], inquiry_id=inquiry_id)
        record_event(
            lead_id,
            EventKind.QUESTIONNAIRE_ANSWERED,
            response_id=response.id,
            inquiry_id=inquiry_id,
            score=score,
            version=questionnaire.version,
        )
        db.session.flush()
        response_id, alert_ids = response.id, due_now(alert_rows)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyAnswered(inquiry_id) from None
    publish(alert_ids)
    return Submitted(response_id=response_id, score=score, red_flags=flags)


def answered_red_flags(questionnaire: Questionnaire, form) -> list[str]:
    """The red flags answered "yes" in a POST, whether or not the rest of the form is valid."""
    return [key for key, _label in questionnaire.red_flags if form[f"red_flag_{key}"].data == YES]


def record_red_flags(inquiry: Inquiry, questionnaire: Questionnaire, flags: list[str]) -> None:
    """A red flag in answers that are not complete yet: act on it now, not when the form is finished.

    The patient may never finish; the care team must still hear of it. Once per inquiry: the
    complete answers later (or the same incomplete ones again) owe nothing more.
    """
    alert_rows = _mark_urgent(inquiry, flags, questionnaire, utcnow())
    db.session.flush()
    alert_ids = due_now(alert_rows)
    db.session.commit()
    publish(alert_ids)


def _mark_urgent(
    inquiry: Inquiry, flags: list[str], questionnaire: Questionnaire, now, **event_data
) -> list[OutboundEmail]:
    """Mark the lead urgent, record the red flag and owe the alert, once per inquiry. The caller commits."""
    lead_id = inquiry.lead_id
    # Row lock (PostgreSQL): two posts of the same form at once cannot both find "not yet recorded".
    db.session.execute(db.select(Lead.id).where(Lead.id == lead_id).with_for_update())
    if recorded_for_inquiry(lead_id, EventKind.RED_FLAG, inquiry.id):
        return []
    # The urgent response is due from this red flag on (dashboard/business_time.py).
    db.session.execute(
        db.update(Lead).where(Lead.id == lead_id).values(is_urgent=True, urgent_since=now),
        execution_options={"synchronize_session": False},
    )
    record_event(
        lead_id,
        EventKind.RED_FLAG,
        inquiry_id=inquiry.id,
        flags=flags,
        profile=questionnaire.profile.key,
        **event_data,
    )
    return schedule_urgent_alert(db.session.get(Lead, lead_id), f"inquiry:{inquiry.id}")
