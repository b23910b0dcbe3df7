"""Actions on many leads at once (from the inbox's checkboxes): the same rules as on one lead,
audited per lead, in a fixed number of SQL statements whatever the number of leads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from leads.audit.service import AuditAction, audit_row, record_audit, record_audits
from leads.dashboard.actions import ActionError, nudges_to_cancel
from leads.dashboard.export import csv_text
from leads.dashboard.filters import InboxFilters, conditions
from leads.dashboard.inbox import build_rows, known_users
from leads.dashboard.next_steps import new_steps
from leads.dashboard.pipeline import LABELS, REASON_MAX, TransitionError, check_transition, needs_reason
from leads.extensions import db
from leads.models import EmailStatus, Lead, LeadStatus, OutboundEmail, Role, User
from leads.models.base import utcnow
from leads.timeline import EventKind, record_events

# One request stays one batch of INSERTs (SQLAlchemy sends up to 1000 rows a statement).
BULK_MAX = 1000


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    # Why leads were left alone, and how many for each reason.
    skipped: Counter = field(default_factory=Counter)

    def summary(self, done: str) -> str:
        text = f"{done}: {len(self.changed)} lead{'s' if len(self.changed) != 1 else ''}."
        if self.skipped:
            text += (
                " Left alone: " + "; ".join(f"{count} ({why})" for why, count in self.skipped.items()) + "."
            )
        return text


def parse_ids(raw: list[str]) -> list[int]:
    """The ticked lead ids, each once, in order; anything else is a clear error."""
    ids: list[int] = []
    for value in raw:
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 11):
            raise ActionError("The selection holds something that is not a lead number.")
        ids.append(int(value))
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ActionError("Tick at least one lead first.")
    if len(ids) > BULK_MAX:
        raise ActionError(f"At most {BULK_MAX} leads at once.")
    return ids


def filtered_ids(filters: InboxFilters, user_id: int | None) -> list[int]:
    """Every lead the filters match (the "all matching" choice), at most BULK_MAX."""
    ids = list(
        db.session.scalars(sa.select(Lead.id).where(*conditions(filters, user_id)).limit(BULK_MAX + 1))
    )
    if not ids:
        raise ActionError("No lead matches these filters.")
    if len(ids) > BULK_MAX:
        raise ActionError(f"More than {BULK_MAX} leads match; narrow the filters first.")
    return ids


def open_leads(lead_ids: list[int], result: BulkResult) -> list[Lead]:
    """The leads that can still change (not erased, not merged), in one query."""
    leads = list(
        db.session.scalars(
            sa.select(Lead).where(
                Lead.id.in_(lead_ids), Lead.erased_at.is_(None), Lead.merged_into_id.is_(None)
            )
        )
    )
    if len(leads) < len(lead_ids):
        result.skipped["erased, merged or gone"] += len(lead_ids) - len(leads)
    return leads


def _event(lead_id: int, kind: str, actor: User, **data: object) -> dict:
    return {"lead_id": lead_id, "kind": kind, "actor_id": actor.id, "data": data}


def _update(ids: list[int], **values: object) -> None:
    if ids:
        db.session.execute(
            sa.update(Lead).where(Lead.id.in_(ids)).values(**values),
            execution_options={"synchronize_session": False},
        )


def bulk_assign(lead_ids: list[int], assignee_id: int | None, actor: User) -> BulkResult:
    """Give the leads to one user (or to nobody); each change on the lead's timeline and in the audit log."""
    if assignee_id is not None:
        user = db.session.get(User, assignee_id)
        if user is None or not user.active or user.role not in set(Role):
            raise ActionError("Choose an active user to assign the leads to.")
    result = BulkResult()
    for lead in open_leads(lead_ids, result):
        if lead.assignee_id == assignee_id:
            result.skipped["already assigned that way"] += 1
        else:
            result.changed.append(lead.id)
    _update(result.changed, assignee_id=assignee_id)
    record_events(
        [
            _event(lead_id, EventKind.ASSIGNED, actor, assignee_id=assignee_id, bulk=True)
            for lead_id in result.changed
        ]
    )
    record_audits(
        [
            audit_row(
                AuditAction.LEAD_ASSIGNED, "lead", lead_id, actor=actor, assignee_id=assignee_id, bulk=True
            )
            for lead_id in result.changed
        ]
    )
    db.session.commit()
    return result


def bulk_status(
    lead_ids: list[int], target: str, reason: str | None, actor: User, now: datetime | None = None
) -> BulkResult:
    """Move the leads to `target` where the pipeline allows it (reason rule included); the others are left alone."""
    if target not in LABELS:
        raise ActionError("Choose a status.")
    reason = " ".join((reason or "").split())
    if needs_reason(target) and not reason:
        raise ActionError(f"Please give a reason for marking the leads {LABELS[target].lower()}.")
    if len(reason) > REASON_MAX:
        raise ActionError(f"The reason must be at most {REASON_MAX} characters.")
    cleaned = reason if needs_reason(target) else None
    now = now or utcnow()
    result = BulkResult()
    previous: dict[int, str] = {}
    first_contact: list[int] = []
    for lead in open_leads(lead_ids, result):
        try:
            check_transition(lead.status, target, reason)
        except TransitionError:
            result.skipped[f"cannot move from {LABELS.get(lead.status, lead.status).lower()}"] += 1
            continue
        result.changed.append(lead.id)
        previous[lead.id] = lead.status
        if lead.first_contacted_at is None and (
            target == LeadStatus.CONTACTED or lead.status == LeadStatus.NEW
        ):
            first_contact.append(lead.id)
    # The same changes as actions.change_status, set-based.
    _update(result.changed, status=target, lost_reason=cleaned)
    _update(first_contact, first_contacted_at=now)
    if target == LeadStatus.CONTACTED:
        _update(result.changed, last_contacted_at=now)
    if result.changed:
        db.session.execute(
            sa.update(OutboundEmail)
            .where(
                OutboundEmail.lead_id.in_(result.changed),
                OutboundEmail.status == EmailStatus.PENDING,
                OutboundEmail.kind.in_(nudges_to_cancel(target)),
            )
            .values(status=EmailStatus.CANCELLED),
            execution_options={"synchronize_session": False},
        )
    record_events(
        [
            _event(
                lead_id,
                EventKind.STATUS_CHANGED,
                actor,
                to=target,
                reason=cleaned,
                bulk=True,
                **{"from": was},
            )
            for lead_id, was in previous.items()
        ]
    )
    record_audits(
        [
            audit_row(
                AuditAction.STATUS_CHANGED,
                "lead",
                lead_id,
                actor=actor,
                to=target,
                bulk=True,
                **{"from": was},
            )
            for lead_id, was in previous.items()
        ]
    )
    db.session.commit()
    return result


def bulk_add_step(
    lead_ids: list[int], kind: str, details: str, due_at: datetime, assignee_id: int | None, actor: User
) -> BulkResult:
    """The same next step on each lead that can still change."""
    result = BulkResult()
    result.changed = [lead.id for lead in open_leads(lead_ids, result)]
    if result.changed:
        new_steps(result.changed, kind, details, due_at, assignee_id, actor)
    db.session.commit()
    return result


def record_selection_export(lead_ids: list[int]) -> None:
    """Audit the export of a selection (which leads), and commit, before anything is sent."""
    record_audit(AuditAction.LEADS_EXPORTED, "lead", None, lead_ids=lead_ids, rows=len(lead_ids))
    db.session.commit()


def selection_csv(lead_ids: list[int], now: datetime) -> Iterator[str]:
    """The ticked leads as CSV, the same columns as the inbox export, in a fixed number of queries."""
    leads = list(
        db.session.scalars(
            sa.select(Lead).where(Lead.id.in_(lead_ids), Lead.merged_into_id.is_(None)).order_by(Lead.id)
        )
    )
    return csv_text(build_rows(leads, now, known_users(set())))
