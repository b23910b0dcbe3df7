"""Everything the lead page shows, loaded in a fixed number of queries whatever the lead's history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from leads.dashboard.contact import Proposal, pending_proposal
from leads.dashboard.timeline import TimelineItem, build_timeline
from leads.extensions import db
from leads.models import EmailStatus, Inquiry, Lead, LeadEvent, OutboundEmail, QuestionnaireResponse, User
from leads.questionnaire import conditions
from leads.questionnaire.questions import DURATION_CHOICES, red_flag_label

DURATION_LABELS = dict(DURATION_CHOICES)


@dataclass
class AnswerSection:
    title: str
    rows: list[tuple[str, str, bool]]  # question, answer, is a red flag answered yes


@dataclass
class ResponseView:
    response: QuestionnaireResponse
    red_flags: list[str]
    symptoms: list[dict]
    sections: list[AnswerSection] = field(default_factory=list)
    # The score's parts as stored when answered: [{"label", "points", "max"}]; none for older answers.
    score_components: list[dict] = field(default_factory=list)
    profile_name: str = ""


@dataclass
class LeadPage:
    lead: Lead
    assignee: User | None
    inquiries: list[Inquiry]
    responses: list[ResponseView]
    emails: list[OutboundEmail]
    timeline: list[TimelineItem]
    users: list[User]
    failed_emails: int
    # New contact details typed with the latest inquiry, waiting for a coordinator.
    proposal: Proposal | None = None


def _sections(answers: Mapping) -> list[AnswerSection]:
    """The stored snapshot (questions as worded when asked); raw key/values for anything older."""
    snapshot = answers.get("snapshot")
    if isinstance(snapshot, list):
        return [
            AnswerSection(
                str(section.get("title", "")),
                [
                    (str(row.get("question", "")), str(row.get("answer", "")), bool(row.get("flag")))
                    for row in section.get("rows", [])
                    if isinstance(row, Mapping)
                ],
            )
            for section in snapshot
            if isinstance(section, Mapping)
        ]
    rows = [(str(key).replace("_", " "), str(value), False) for key, value in answers.items()]
    return [AnswerSection("Answers", rows)] if rows else []


def response_view(response: QuestionnaireResponse) -> ResponseView:
    answers = response.answers if isinstance(response.answers, Mapping) else {}
    symptoms = [
        {**item, "duration_label": DURATION_LABELS.get(item.get("duration"), item.get("duration"))}
        for item in answers.get("symptoms", [])
        if isinstance(item, Mapping)
    ]
    profile_key = answers.get("profile")
    flags = [red_flag_label(flag, profile_key) for flag in response.red_flags or []]
    # The symptom table already shows each symptom's answers at a glance; the sections
    # below it keep the rest of the questionnaire as it was worded.
    tabled = {str(item.get("label")) for item in symptoms}
    sections = [section for section in _sections(answers) if section.title not in tabled]
    components = [
        item
        for item in answers.get("score_components", [])
        if isinstance(item, Mapping) and {"label", "points", "max"} <= set(item)
    ]
    profile = conditions.get(profile_key or conditions.STENOSIS)
    name = profile.name if profile else str(profile_key)
    return ResponseView(response, flags, symptoms, sections, components, name)


def load_lead_page(lead_id: int) -> LeadPage | None:
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        return None
    inquiries = list(
        db.session.scalars(
            sa.select(Inquiry)
            .options(joinedload(Inquiry.article))
            .where(Inquiry.lead_id == lead_id)
            .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
        )
    )
    responses = list(
        db.session.scalars(
            sa.select(QuestionnaireResponse)
            .where(QuestionnaireResponse.lead_id == lead_id)
            .order_by(QuestionnaireResponse.submitted_at.desc())
        )
    )
    emails = list(
        db.session.scalars(
            sa.select(OutboundEmail)
            .where(OutboundEmail.lead_id == lead_id)
            .order_by(OutboundEmail.due_at.desc(), OutboundEmail.id.desc())
        )
    )
    events = list(
        db.session.scalars(
            sa.select(LeadEvent)
            .where(LeadEvent.lead_id == lead_id)
            .order_by(LeadEvent.created_at.desc(), LeadEvent.id.desc())
        )
    )
    # One query for the assignee, event actors, assigned-to names and the assign form's choices.
    wanted = {lead.assignee_id} | {event.actor_id for event in events}
    wanted |= {event.data.get("assignee_id") for event in events if isinstance(event.data, dict)}
    wanted = {user_id for user_id in wanted if isinstance(user_id, int)}
    users = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User)
            .where(sa.or_(User.active.is_(True), User.id.in_(wanted or {0})))
            .order_by(User.full_name, User.email)
        )
    }
    return LeadPage(
        lead=lead,
        assignee=users.get(lead.assignee_id or 0),
        inquiries=inquiries,
        responses=[response_view(response) for response in responses],
        emails=emails,
        timeline=build_timeline(events, inquiries, emails, responses, users),
        users=[user for user in users.values() if user.active],
        failed_emails=sum(1 for email in emails if email.status == EmailStatus.FAILED),
        proposal=pending_proposal(lead, inquiries[0] if inquiries else None),
    )
