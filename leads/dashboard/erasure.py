"""Erasing a person's data (an admin action): the lead stays as figures, nothing that names or
describes the person remains, in the database or in the `.eml` copies under instance/."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from leads.audit.service import AuditAction, record_audit
from leads.dashboard.actions import ActionError
from leads.dashboard.export_jobs import discard_files
from leads.dashboard.vacuum import request_vacuum
from leads.extensions import db
from leads.lead_signals import lead_tables, scrub_all_rows
from leads.mail import outbox
from leads.mail.delivery import eml_path
from leads.models import Lead, OutboundEmail, User
from leads.models.base import utcnow
from leads.sqlite_pragmas import checkpoint
from leads.timeline import EventKind, record_event

log = logging.getLogger(__name__)


def _scrub_lead(lead: Lead) -> dict:
    """Replace the person in the lead row; each area scrubs its own rows (`lead_erased`).

    Returns the figures the areas kept for the timeline (e.g. symptom counts)."""
    lead.full_name = f"Erased lead #{lead.id}"
    lead.email = f"erased-{lead.id}@invalid"
    lead.phone = None
    lead.lost_reason = None
    # Both come from questionnaire answers (red flags, scoring): health data about the person.
    lead.is_urgent = False
    lead.score = 0
    lead.erased_at = utcnow()
    lead.unsubscribed_at = lead.unsubscribed_at or lead.erased_at
    facts: dict = {}
    for scrubbed in scrub_all_rows(lead.id):
        _add_facts(facts, scrubbed.facts)
    return facts


def _add_facts(total: dict, facts: dict) -> None:
    """Sum the counts and join the per-row maps (e.g. symptom counts by inquiry id)."""
    for key, value in facts.items():
        total[key] = {**total.get(key, {}), **value} if isinstance(value, dict) else total.get(key, 0) + value


def touched_tables() -> list[str]:
    """The tables an erasure rewrites (the lead and every lead-owned table): vacuumed afterwards."""
    return [Lead.__tablename__, *lead_tables()]


def _delete_copies(email_ids: list[int]) -> int:
    """Delete the `.eml` copies written for these outbox rows, and nothing else."""
    deleted = 0
    for email_id in email_ids:
        path = eml_path(email_id)
        if path.exists():
            path.unlink()
            deleted += 1
    return deleted


def erase_lead(lead: Lead, actor: User) -> int:
    """Erase the lead and every duplicate merged into it. Returns how many files were deleted."""
    if not actor.is_admin:
        raise ActionError("Only an admin can erase personal data.")
    if lead.erased_at is not None:
        raise ActionError("This lead was already erased.")
    if lead.merged_into_id is not None:
        raise ActionError(f"Erase lead #{lead.merged_into_id}, which this one was merged into.")
    people = [lead, *db.session.scalars(sa.select(Lead).where(Lead.merged_into_id == lead.id))]
    if db.session.get_bind().dialect.name == "sqlite":
        # The local database is a file under instance/: overwrite replaced text instead of leaving it in free pages.
        db.session.execute(sa.text("PRAGMA secure_delete = ON"))
    cancelled = 0
    facts: dict = {}
    for person in people:
        cancelled += outbox.cancel_pending(person.id)
        _add_facts(facts, _scrub_lead(person))
    email_ids = list(
        db.session.scalars(
            sa.select(OutboundEmail.id).where(OutboundEmail.lead_id.in_([p.id for p in people]))
        )
    )
    record_event(
        lead.id,
        EventKind.ERASED,
        actor_id=actor.id,
        emails_cancelled=cancelled,
        **facts,
    )
    record_audit(AuditAction.LEAD_ERASED, "lead", lead.id, actor=actor, merged_leads=len(people) - 1)
    db.session.commit()
    # After the commit: if it had failed, the copies would still match the data.
    deleted = _delete_copies(email_ids)
    request_vacuum(touched_tables())
    checkpoint()
    discard_files()  # a finished export may list the person
    log.info("lead %s erased: %s emails cancelled, %s files deleted", lead.id, cancelled, deleted)
    return deleted
