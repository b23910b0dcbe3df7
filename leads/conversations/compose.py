"""A coordinator's message to a patient: checked, queued in the outbox (same retries, states and
Message-ID rules as every email), and recorded on the timeline and in the lead's thread."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from leads.audit.service import AuditAction, record_audit
from leads.dashboard.actions import ActionError, ensure_open
from leads.extensions import db
from leads.mail import outbox
from leads.models import (
    EmailKind,
    Inquiry,
    Lead,
    PatientMessage,
    QuestionnaireResponse,
    User,
)
from leads.models.base import utcnow
from leads.questionnaire.questions import red_flag_label
from leads.timeline import EventKind, record_event

SUBJECT_MAX = 200
BODY_MAX = 10000
# Words too common in health phrases to mean anything on their own.
COMMON = frozenset(
    [
        "about",
        "after",
        "again",
        "also",
        "before",
        "being",
        "from",
        "have",
        "into",
        "just",
        "more",
        "most",
        "much",
        "none",
        "only",
        "over",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "very",
        "what",
        "when",
        "which",
        "while",
        "with",
        "within",
        "without",
        "would",
        "your",
        "years",
        "year",
        "months",
        "month",
        "weeks",
        "week",
        "days",
        "yes",
    ]
)


class HealthWarning(ActionError):
    """The body mentions something the patient told us about their health; send only when confirmed."""

    def __init__(self, words: list[str]):
        self.words = words
        super().__init__("The message mentions health details: " + ", ".join(words) + ".")


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[^\W\d_]{4,}", text.casefold()) if word not in COMMON}


def health_terms(lead_id: int) -> set[str]:
    """Words of the lead's symptoms (as ticked, and as the article lists them), answers and red flags."""
    phrases: list[str] = []
    for inquiry in db.session.scalars(sa.select(Inquiry).where(Inquiry.lead_id == lead_id)):
        phrases += [str(symptom) for symptom in inquiry.symptoms or []]
        if inquiry.article is not None:
            phrases += [str(symptom) for symptom in inquiry.article.symptoms or []]
    for response in db.session.scalars(
        sa.select(QuestionnaireResponse).where(QuestionnaireResponse.lead_id == lead_id)
    ):
        phrases += [red_flag_label(flag) for flag in response.red_flags or []]
        snapshot = response.answers.get("snapshot") if isinstance(response.answers, dict) else None
        for section in snapshot if isinstance(snapshot, list) else []:
            for row in section.get("rows", []) if isinstance(section, dict) else []:
                if isinstance(row, dict):
                    phrases.append(str(row.get("answer", "")))
    return set().union(*(_words(phrase) for phrase in phrases)) if phrases else set()


def health_words_in(body: str, lead_id: int) -> list[str]:
    return sorted(_words(body) & health_terms(lead_id))


def send_message(
    lead: Lead, subject: str, body: str, author: User, health_confirmed: bool = False
) -> PatientMessage:
    """Queue the message (committed), then tell a worker. Raises HealthWarning unless confirmed."""
    ensure_open(lead)
    if lead.unsubscribed_at is not None:
        raise ActionError("The patient unsubscribed; no more emails go to them.")
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not subject or not body:
        raise ActionError("A message needs a subject and a body.")
    if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        raise ActionError(f"Keep the subject to {SUBJECT_MAX} and the body to {BODY_MAX} characters.")
    words = health_words_in(f"{subject}\n{body}", lead.id)
    if words and not health_confirmed:
        raise HealthWarning(words)
    now = utcnow()
    email = outbox.owe(EmailKind.COORDINATOR_MESSAGE, f"message:{uuid.uuid4().hex}", now, lead.id)
    db.session.flush()
    message = PatientMessage(
        lead_id=lead.id, email_id=email.id, author_id=author.id, subject=subject, body=body
    )
    db.session.add(message)
    # Writing to the patient is a contact, like a call.
    lead.first_contacted_at = lead.first_contacted_at or now
    lead.last_contacted_at = now
    record_event(
        lead.id,
        EventKind.MESSAGE_WRITTEN,
        actor_id=author.id,
        email_id=email.id,
        subject=subject,
        health=bool(words),
    )
    record_audit(AuditAction.MESSAGE_WRITTEN, "lead", lead.id, actor=author, email_id=email.id)
    db.session.commit()
    outbox.publish([email.id])
    return message


def message_context(email_id: int) -> dict[str, str]:
    """The values the `coordinator_message` email templates need (at send time)."""
    message = db.session.scalar(sa.select(PatientMessage).where(PatientMessage.email_id == email_id))
    if message is None:
        return {"message_subject": "", "message_body": ""}
    return {"message_subject": message.subject, "message_body": message.body}
