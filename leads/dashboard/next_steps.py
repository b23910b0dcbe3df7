"""Next steps (tasks) on a lead: set one, complete it, and list them for the inbox, "My tasks" and the digest.

Due times are typed in the clinic's time zone (CLINIC_TIMEZONE) and stored in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from leads.audit.service import AuditAction, audit_row, record_audits
from leads.dashboard.actions import ActionError, ensure_open
from leads.extensions import db
from leads.models import Lead, NextStep, Role, StepKind, User
from leads.models.base import utcnow
from leads.timeline import EventKind, record_event, record_events

KIND_LABELS = {
    StepKind.CALL_BACK: "Call back",
    StepKind.SEND_DOCUMENTS: "Send documents",
    StepKind.OTHER: "Other",
}
DETAILS_MAX = 500
# A due time further back than this is a typo, not a plan.
PAST_LIMIT = timedelta(days=1)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(clinic_zone()).date()


def local_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in the clinic's zone, as an aware datetime (a time skipped by DST moves forward)."""
    zone = clinic_zone()
    local = datetime.combine(day, at, tzinfo=zone)
    # Round-trip through UTC: a non-existent local time (spring forward) becomes the real instant after it.
    return local.astimezone(ZoneInfo("UTC")).astimezone(zone)


def local_stamp(moment: datetime | None) -> str:
    """A time as the clinic reads it: '2026-12-02 09:30 (Europe/Berlin)'."""
    if moment is None:
        return "—"
    zone = clinic_zone()
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def title(step: NextStep) -> str:
    label = KIND_LABELS.get(step.kind, str(step.kind).replace("_", " "))
    if step.kind == StepKind.OTHER and step.details:
        return step.details
    return f"{label}: {step.details}" if step.details else label


def _check(kind: str, details: str, assignee_id: int | None, due_at: datetime, now: datetime) -> str:
    """The rules every new step obeys (one lead or many). Returns the cleaned details."""
    if kind not in set(StepKind):
        raise ActionError("Choose what the next step is.")
    details = " ".join((details or "").split())
    if len(details) > DETAILS_MAX:
        raise ActionError(f"The details can be at most {DETAILS_MAX} characters.")
    if kind == StepKind.OTHER and not details:
        raise ActionError("Say what the next step is.")
    if due_at < now - PAST_LIMIT:
        raise ActionError("The due time is more than a day in the past.")
    if assignee_id is not None:
        user = db.session.get(User, assignee_id)
        if user is None or not user.active or user.role not in set(Role):
            raise ActionError("Choose an active user for the next step.")
    return details


def new_steps(
    lead_ids: list[int],
    kind: str,
    details: str,
    due_at: datetime,
    assignee_id: int | None,
    actor: User,
    now: datetime | None = None,
) -> list[int]:
    """Add the same step to each lead, with its timeline event, to the current transaction (no commit).

    Returns the new steps' ids.

    Audited per lead. A fixed number of statements whatever the number of leads (batched INSERTs)."""
    details = _check(kind, details, assignee_id, due_at, now or utcnow())
    values = {"kind": kind, "details": details, "due_at": due_at, "assignee_id": assignee_id}
    # Core INSERTs (batched): the ORM would send one INSERT per row to learn each id on SQLite.
    created = db.session.execute(
        sa.insert(NextStep).returning(NextStep.id, NextStep.lead_id, sort_by_parameter_order=False),
        [{"lead_id": lead_id, "created_by_id": actor.id, **values} for lead_id in lead_ids],
    ).all()
    label = title(NextStep(**values))
    record_events(
        [
            {
                "lead_id": lead_id,
                "kind": EventKind.STEP_ADDED,
                "actor_id": actor.id,
                "data": {
                    "step_id": step_id,
                    "title": label,
                    "due_at": due_at.isoformat(),
                    "assignee_id": assignee_id,
                },
            }
            for step_id, lead_id in created
        ]
    )
    record_audits(
        [
            audit_row(AuditAction.STEP_ADDED, "lead", lead_id, actor=actor, step_id=step_id)
            for step_id, lead_id in created
        ]
    )
    return [step_id for step_id, _lead_id in created]


def add_step(
    lead: Lead,
    kind: str,
    details: str,
    due_at: datetime,
    assignee_id: int | None,
    actor: User,
    now: datetime | None = None,
) -> NextStep:
    """Set a next step on one lead, and commit."""
    ensure_open(lead)
    (step_id,) = new_steps([lead.id], kind, details, due_at, assignee_id, actor, now)
    db.session.commit()
    return db.session.get(NextStep, step_id)


def complete_step(lead: Lead, step_id: int, actor: User, now: datetime | None = None) -> NextStep:
    """Mark the step done and say so on the timeline, and commit."""
    ensure_open(lead)
    step = db.session.get(NextStep, step_id)
    if step is None or step.lead_id != lead.id:
        raise ActionError("That next step does not belong to this lead.")
    if step.completed_at is not None:
        raise ActionError("That next step is already done.")
    step.completed_at = now or utcnow()
    step.completed_by_id = actor.id
    record_event(lead.id, EventKind.STEP_COMPLETED, actor_id=actor.id, step_id=step.id, title=title(step))
    db.session.commit()
    return step


def open_steps(lead_id: int) -> list[NextStep]:
    return list(
        db.session.scalars(
            sa.select(NextStep)
            .where(NextStep.lead_id == lead_id, NextStep.completed_at.is_(None))
            .order_by(NextStep.due_at, NextStep.id)
        )
    )


@cache
def _earliest_open_steps_statement() -> sa.Select:
    """Built once (SQLAlchemy keeps its cache key): the inbox runs it on every page."""
    ranked = (
        sa.select(
            NextStep.id,
            sa.func.row_number()
            .over(partition_by=NextStep.lead_id, order_by=(NextStep.due_at, NextStep.id))
            .label("rank"),
        )
        .where(
            NextStep.lead_id.in_(sa.bindparam("lead_ids", expanding=True)), NextStep.completed_at.is_(None)
        )
        .subquery()
    )
    return sa.select(NextStep).join(ranked, sa.and_(ranked.c.id == NextStep.id, ranked.c.rank == 1))


def next_steps_for(lead_ids: list[int]) -> dict[int, NextStep]:
    """Each lead's earliest open step, for a page of leads in one query."""
    if not lead_ids:
        return {}
    rows = db.session.scalars(_earliest_open_steps_statement(), {"lead_ids": lead_ids})
    return {step.lead_id: step for step in rows}


@dataclass
class StepRow:
    step: NextStep
    lead_id: int
    lead_name: str
    overdue: bool


@dataclass
class MyDay:
    overdue: list[StepRow]
    today: list[StepRow]


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The start and end of today in the clinic's zone."""
    zone = clinic_zone()
    today = now.astimezone(zone).date()
    return local_to_utc(today, time(0)), local_to_utc(today + timedelta(days=1), time(0))


def _open_for(user_id: int, until: datetime):
    return (
        sa.select(NextStep, Lead.full_name)
        .join(Lead, Lead.id == NextStep.lead_id)
        .where(
            NextStep.assignee_id == user_id,
            NextStep.completed_at.is_(None),
            NextStep.due_at < until,
            Lead.erased_at.is_(None),
            Lead.merged_into_id.is_(None),
        )
        .order_by(NextStep.due_at, NextStep.id)
    )


def my_day(user_id: int, now: datetime | None = None) -> MyDay:
    """The user's open steps that are overdue, and those due later today (clinic time), in one query."""
    now = now or utcnow()
    _start, end = day_bounds(now)
    day = MyDay(overdue=[], today=[])
    for step, name in db.session.execute(_open_for(user_id, end)):
        row = StepRow(step, step.lead_id, name, overdue=step.due_at < now)
        (day.overdue if row.overdue else day.today).append(row)
    return day


def overdue_for_address(address: str, now: datetime | None = None) -> list[NextStep]:
    """The open, overdue steps of the account with this address (for its digest)."""
    now = now or utcnow()
    user_id = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == address.lower()))
    if user_id is None:
        return []
    return [step for step, _name in db.session.execute(_open_for(user_id, now))]


STEP_KINDS = {EventKind.STEP_ADDED, EventKind.STEP_COMPLETED}


def step_lines(data: dict, users: dict[int, User]) -> list[str]:
    """The timeline's lines for a step event (`users` holds the assignee)."""
    lines = [str(data.get("title", ""))]
    if data.get("due_at"):
        lines.append(f"Due {local_stamp(datetime.fromisoformat(str(data['due_at'])))}")
    if "assignee_id" in data:
        user = users.get(data.get("assignee_id") or 0)
        lines.append(f"For {user.full_name or user.email}" if user else "For nobody in particular")
    return lines
