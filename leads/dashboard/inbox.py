"""The inbox: one page of leads, with what a coordinator needs to triage each, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from leads.conversations.thread import replied
from leads.dashboard.business_time import is_overdue, urgent_response_due
from leads.dashboard.filters import InboxFilters, conditions
from leads.dashboard.next_steps import next_steps_for
from leads.dashboard.pagination import SORTS, decode_cursor, encode_cursor
from leads.extensions import db
from leads.models import (
    Article,
    EmailKind,
    EmailStatus,
    Inquiry,
    Lead,
    NextStep,
    OutboundEmail,
    QuestionnaireResponse,
    User,
)


@dataclass
class InboxRow:
    lead: Lead
    inquiry: Inquiry | None
    article_title: str
    response: QuestionnaireResponse | None
    questionnaire_sent: bool
    assignee: User | None
    overdue: bool
    # Set while a red flag awaits its response (due within URGENT_RESPONSE_MINUTES).
    urgent_due: datetime | None = None
    # The earliest open next step (task) on the lead.
    next_step: NextStep | None = None
    # The patient wrote back after the last contact.
    replied: bool = False

    @property
    def questionnaire_state(self) -> str:
        if self.response is not None:
            return "answered"
        return "sent" if self.questionnaire_sent else "not sent"


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None
    users: dict[int, User] = field(default_factory=dict)


# The page's lead ids, as one parameter of statements built once: SQLAlchemy keeps a statement's
# cache key, so a page skips building each statement and its key again (a tenth of its CPU).
LEAD_IDS = sa.bindparam("lead_ids", expanding=True)


INQUIRY_SHOWN = (
    Inquiry.lead_id,
    Inquiry.created_at,
    Inquiry.symptoms,
    Inquiry.message,
    Inquiry.utm_source,
    Inquiry.utm_medium,
    Inquiry.utm_campaign,
    Inquiry.referrer,
    Inquiry.landing_page,
)


@cache
def _latest_inquiries_statement() -> sa.Select:
    ranked = (
        sa.select(
            Inquiry.id,
            sa.func.row_number()
            .over(partition_by=Inquiry.lead_id, order_by=(Inquiry.created_at.desc(), Inquiry.id.desc()))
            .label("rank"),
        )
        .where(Inquiry.lead_id.in_(LEAD_IDS))
        .subquery()
    )
    return (
        sa.select(Inquiry, Article.title)
        # Only what the inbox and the CSV exports show (leads/dashboard/export.py): an inquiry's
        # other columns (consent text, contact fields) cost a tenth of an inbox page to load.
        .options(load_only(*INQUIRY_SHOWN))
        .join(ranked, sa.and_(ranked.c.id == Inquiry.id, ranked.c.rank == 1))
        .join(Article, Article.id == Inquiry.article_id)
    )


def latest_inquiries(lead_ids: list[int]) -> dict[int, tuple[Inquiry, str]]:
    """Each lead's most recent inquiry and its article title, for all the leads at once."""
    if not lead_ids:
        return {}
    rows = db.session.execute(_latest_inquiries_statement(), {"lead_ids": lead_ids})
    return {inquiry.lead_id: (inquiry, title) for inquiry, title in rows}


@cache
def _responses_statement() -> sa.Select:
    return (
        sa.select(QuestionnaireResponse)
        .where(QuestionnaireResponse.lead_id.in_(LEAD_IDS))
        .order_by(QuestionnaireResponse.submitted_at, QuestionnaireResponse.id)
    )


def latest_responses(lead_ids: list[int]) -> dict[int, QuestionnaireResponse]:
    if not lead_ids:
        return {}
    rows = db.session.scalars(_responses_statement(), {"lead_ids": lead_ids})
    # Later rows overwrite earlier ones: the most recent answer wins.
    return {response.lead_id: response for response in rows}


@cache
def _questionnaire_sent_statement() -> sa.Select:
    return (
        sa.select(OutboundEmail.lead_id)
        .where(
            OutboundEmail.lead_id.in_(LEAD_IDS),
            OutboundEmail.kind == EmailKind.QUESTIONNAIRE,
            OutboundEmail.status == EmailStatus.SENT,
        )
        .distinct()
    )


def questionnaire_sent(lead_ids: list[int]) -> set[int]:
    if not lead_ids:
        return set()
    return set(db.session.scalars(_questionnaire_sent_statement(), {"lead_ids": lead_ids}))


def known_users(extra_ids: set[int]) -> dict[int, User]:
    """Active users (for the assignee filter) and whoever is assigned on the page, in one query."""
    rows = db.session.scalars(
        sa.select(User)
        .where(sa.or_(User.active.is_(True), User.id.in_(extra_ids or {0})))
        .order_by(User.full_name, User.email)
    )
    return {user.id: user for user in rows}


def build_rows(leads: list[Lead], now: datetime, users: dict[int, User]) -> list[InboxRow]:
    """The inbox rows of these leads, in a fixed number of queries (the inbox, the exports)."""
    ids = [lead.id for lead in leads]
    inquiries = latest_inquiries(ids)
    responses = latest_responses(ids)
    sent = questionnaire_sent(ids)
    steps = next_steps_for(ids)
    answered = replied(ids)
    assignee_ids = {lead.assignee_id for lead in leads if lead.assignee_id is not None}
    if assignee_ids - users.keys():
        # The export keeps one map across chunks; only a deactivated assignee costs a query.
        users.update(
            (user.id, user)
            for user in db.session.scalars(sa.select(User).where(User.id.in_(assignee_ids - users.keys())))
        )
    return [
        InboxRow(
            lead=lead,
            inquiry=inquiries.get(lead.id, (None, ""))[0],
            article_title=inquiries.get(lead.id, (None, ""))[1],
            response=responses.get(lead.id),
            questionnaire_sent=lead.id in sent,
            assignee=users.get(lead.assignee_id) if lead.assignee_id else None,
            overdue=is_overdue(lead, now),
            urgent_due=urgent_response_due(lead),
            next_step=steps.get(lead.id),
            replied=lead.id in answered,
        )
        for lead in leads
    ]


def load_page(
    filters: InboxFilters,
    user_id: int | None,
    now: datetime,
    cursor: str | None = None,
    size: int = 50,
    users: dict[int, User] | None = None,
) -> InboxPage:
    """One page of the inbox. Raises BadCursor for a cursor we did not make."""
    sort = SORTS[filters.sort]
    query = sa.select(Lead).where(*conditions(filters, user_id)).order_by(*sort.order_by()).limit(size + 1)
    if cursor:
        query = query.where(sort.after(decode_cursor(filters.sort, cursor)))
    leads = list(db.session.scalars(query))
    has_more = len(leads) > size
    leads = leads[:size]
    if users is None:
        users = known_users({lead.assignee_id for lead in leads if lead.assignee_id is not None})
    rows = build_rows(leads, now, users)
    next_cursor = encode_cursor(filters.sort, leads[-1]) if has_more else None
    return InboxPage(rows=rows, next_cursor=next_cursor, users=users)


def iter_rows(
    filters: InboxFilters, user_id: int | None, now: datetime, chunk: int = 500
) -> Iterator[InboxRow]:
    """Every row of the filtered view, a chunk at a time (keyset), so memory stays flat."""
    users = known_users(set())
    cursor = None
    while True:
        page = load_page(filters, user_id, now, cursor=cursor, size=chunk, users=users)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def count_rows(filters: InboxFilters, user_id: int | None) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Lead).where(*conditions(filters, user_id))
    )
