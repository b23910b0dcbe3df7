"""Statistics for /dashboard/stats, the same on SQLite and PostgreSQL.

The lead and inquiry figures are sums over the counter rows the database keeps
(leads/models/stats_counts.py): a few hundred rows at any table size, exact at every commit.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from leads.dashboard.pipeline import CLOSED, LABELS, MAIN_LINE
from leads.extensions import db
from leads.models import (
    Article,
    EmailKind,
    EmailStatus,
    InquiryOriginCount,
    Lead,
    LeadDayCount,
    LeadFunnelCount,
    OutboundEmail,
    QuestionnaireResponse,
)

DAYS = 30
MEDIAN_WINDOW_DAYS = 90
# The median is taken over at most this many recent leads: a bounded query at any table size.
MEDIAN_SAMPLE = 10_000
TOP = 10


@dataclass
class FunnelStage:
    label: str
    count: int
    drop_pct: float | None  # lost since the previous stage


@dataclass
class Stats:
    total: int
    funnel: list[FunnelStage]
    closed: list[tuple[str, int]]
    per_day: list[tuple[str, int]]
    by_article: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    questionnaires_sent: int
    questionnaires_answered: int
    completion_pct: float | None
    median_first_contact: timedelta | None
    emails: list[tuple[str, int]]


def _live():
    return Lead.merged_into_id.is_(None)


def funnel() -> tuple[int, list[FunnelStage], list[tuple[str, int]]]:
    """How many leads reached each stage of the main line; a closed lead counts as contacted if it was."""
    total_ = sa.func.sum(LeadFunnelCount.total)
    rows = [
        (status, contacted, int(count))
        for status, contacted, count in db.session.execute(
            sa.select(LeadFunnelCount.status, LeadFunnelCount.contacted, total_).group_by(
                LeadFunnelCount.status, LeadFunnelCount.contacted
            )
        )
    ]
    total = sum(count for _status, _contacted, count in rows)
    reached = [0] * len(MAIN_LINE)
    closed = dict.fromkeys(CLOSED, 0)
    for status, contacted, count in rows:
        if status in MAIN_LINE:
            for index in range(MAIN_LINE.index(status) + 1):
                reached[index] += count
        else:
            closed[status] = closed.get(status, 0) + count
            reached[0] += count
            if contacted:
                reached[1] += count
    stages = []
    for index, status in enumerate(MAIN_LINE):
        previous = reached[index - 1] if index else None
        drop = None if not previous else round(100 * (previous - reached[index]) / previous, 1)
        stages.append(FunnelStage(LABELS[status], reached[index], drop))
    return total, stages, [(LABELS.get(status, status), count) for status, count in closed.items()]


def per_day(today: date) -> list[tuple[str, int]]:
    start = today - timedelta(days=DAYS - 1)
    rows = dict(
        db.session.execute(
            sa.select(LeadDayCount.day, sa.func.sum(LeadDayCount.total))
            .where(LeadDayCount.day >= start)
            .group_by(LeadDayCount.day)
        ).all()
    )
    return [
        (day.isoformat(), int(rows.get(day, 0))) for day in (start + timedelta(days=n) for n in range(DAYS))
    ]


def by_article() -> list[tuple[str, int]]:
    count = sa.func.sum(InquiryOriginCount.total)
    return [
        (title, int(total))
        for title, total in db.session.execute(
            sa.select(Article.title, count)
            .join(InquiryOriginCount, InquiryOriginCount.article_id == Article.id)
            .group_by(Article.id, Article.title)
            .having(count > 0)
            .order_by(count.desc(), Article.title)
            .limit(TOP)
        )
    ]


def by_source() -> list[tuple[str, int]]:
    source = InquiryOriginCount.source
    count = sa.func.sum(InquiryOriginCount.total)
    return [
        (name or "(direct)", int(total))
        for name, total in db.session.execute(
            sa.select(source, count)
            .group_by(source)
            .having(count > 0)
            .order_by(count.desc(), source)
            .limit(TOP)
        )
    ]


def completion() -> tuple[int, int, float | None]:
    sent = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(OutboundEmail.inquiry_id))).where(
            OutboundEmail.kind == EmailKind.QUESTIONNAIRE, OutboundEmail.status == EmailStatus.SENT
        )
    )
    answered = db.session.scalar(sa.select(sa.func.count(QuestionnaireResponse.id)))
    return sent, answered, (round(100 * answered / sent, 1) if sent else None)


def median_first_contact(now: datetime) -> timedelta | None:
    pairs = db.session.execute(
        sa.select(Lead.created_at, Lead.first_contacted_at)
        .where(
            _live(),
            Lead.first_contacted_at.is_not(None),
            Lead.created_at >= now - timedelta(days=MEDIAN_WINDOW_DAYS),
        )
        .order_by(Lead.created_at.desc())
        .limit(MEDIAN_SAMPLE)
    ).all()
    seconds = [max((contacted - created).total_seconds(), 0) for created, contacted in pairs]
    return timedelta(seconds=round(statistics.median(seconds))) if seconds else None


def emails() -> list[tuple[str, int]]:
    counts = dict(
        db.session.execute(
            sa.select(OutboundEmail.status, sa.func.count()).group_by(OutboundEmail.status)
        ).all()
    )
    return [(status.value, counts.get(status.value, 0)) for status in EmailStatus]


def collect(now: datetime) -> Stats:
    total, stages, closed = funnel()
    sent, answered, pct = completion()
    return Stats(
        total=total,
        funnel=stages,
        closed=closed,
        per_day=per_day(now.date()),
        by_article=by_article(),
        by_source=by_source(),
        questionnaires_sent=sent,
        questionnaires_answered=answered,
        completion_pct=pct,
        median_first_contact=median_first_contact(now),
        emails=emails(),
    )
