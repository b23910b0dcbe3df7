"""Retention: leads past the window are erased with the dashboard's erasure, and nothing else is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from leads.audit.service import AuditAction
from leads.config import ConfigError, load_settings
from leads.extensions import db
from leads.models import AuditEntry, Lead, LeadStatus
from leads.retention.service import cutoff_for, run_retention
from leads.timeline import EventKind, record_event
from tests.conftest import service_missing
from tests.factories import make_inquiry, make_lead

NOW = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
CUTOFF = cutoff_for(NOW, 24)
SECOND = timedelta(seconds=1)


def _lead_last_active(at: datetime, **fields) -> Lead:
    lead = make_lead(last_inquiry_at=at, created_at=at - timedelta(days=3), **fields)
    make_inquiry(lead, message="My knee hurts when I climb stairs")
    return lead


def _erased_audits() -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == AuditAction.LEAD_ERASED)))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RETENTION_MONTHS", "-1", "RETENTION_MONTHS must be 0 or more, got -1"),
        ("RETENTION_MONTHS", "two years", "RETENTION_MONTHS must be a whole number"),
        ("RETENTION_BATCH_SIZE", "0", "RETENTION_BATCH_SIZE must be 1 or more, got 0"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(name, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"SECRET_KEY": "x" * 40, name: value})


def test_cutoff_is_calendar_months():
    assert cutoff_for(NOW, 24) == datetime(2024, 12, 2, 3, 30, tzinfo=UTC)
    assert cutoff_for(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)


@pytest.mark.parametrize("status", list(LeadStatus))
def test_each_status_just_outside_is_erased_just_inside_is_kept(app, status):
    outside = _lead_last_active(CUTOFF - SECOND, status=status)
    inside = _lead_last_active(CUTOFF + SECOND, status=status)
    db.session.commit()
    outside_name, inside_name = outside.full_name, inside.full_name

    report = run_retention(now=NOW)

    assert report.lead_ids == [outside.id]
    assert report.by_status == {status.value: 1}
    db.session.expire_all()
    assert outside.erased_at is not None and outside.full_name != outside_name
    assert outside.inquiries[0].message == ""
    assert inside.erased_at is None and inside.full_name == inside_name
    assert inside.inquiries[0].message == "My knee hurts when I climb stairs"


def test_recent_contact_or_timeline_event_keeps_an_old_lead(app):
    contacted = _lead_last_active(CUTOFF - timedelta(days=300), last_contacted_at=CUTOFF + SECOND)
    noted = _lead_last_active(CUTOFF - timedelta(days=300), status=LeadStatus.LOST)
    record_event(noted.id, EventKind.NOTE).created_at = CUTOFF + SECOND
    closed = _lead_last_active(CUTOFF - timedelta(days=300), status=LeadStatus.TREATED)
    record_event(closed.id, EventKind.STATUS_CHANGED).created_at = CUTOFF - SECOND
    db.session.commit()

    assert run_retention(now=NOW).lead_ids == [closed.id]
    db.session.expire_all()
    assert contacted.erased_at is None and noted.erased_at is None


def test_erasure_is_recorded_on_the_audit_log_as_the_system(app):
    lead = _lead_last_active(CUTOFF - SECOND)
    db.session.commit()

    run_retention(now=NOW)

    [entry] = _erased_audits()
    assert (entry.target_type, entry.target_id) == ("lead", lead.id)
    assert entry.actor_id is None
    assert entry.actor_email == "system:retention"


def test_already_erased_leads_are_left_alone_and_a_second_run_does_nothing(app):
    lead = _lead_last_active(CUTOFF - SECOND)
    db.session.commit()
    assert run_retention(now=NOW).lead_ids == [lead.id]
    erased_at = db.session.get(Lead, lead.id).erased_at

    again = run_retention(now=NOW + timedelta(days=1))

    assert again.lead_ids == [] and again.failed_ids == []
    assert len(_erased_audits()) == 1
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).erased_at == erased_at


def test_merged_duplicate_goes_with_its_lead_and_stays_with_an_active_one(app):
    old_target = _lead_last_active(CUTOFF - SECOND)
    old_duplicate = _lead_last_active(CUTOFF - timedelta(days=30), merged_into_id=old_target.id)
    active_target = _lead_last_active(CUTOFF + timedelta(days=300))
    kept_duplicate = _lead_last_active(CUTOFF - timedelta(days=30), merged_into_id=active_target.id)
    db.session.commit()

    report = run_retention(now=NOW)

    # Only leads that stand on their own are picked; erasure takes the duplicates along.
    assert report.lead_ids == [old_target.id]
    db.session.expire_all()
    assert old_duplicate.erased_at is not None
    assert old_duplicate.email == f"erased-{old_duplicate.id}@invalid"
    assert active_target.erased_at is None and kept_duplicate.erased_at is None
    [entry] = _erased_audits()
    assert entry.target_id == old_target.id and entry.details["merged_leads"] == 1


def test_bounded_batches_reach_every_due_lead(app):
    due = [_lead_last_active(CUTOFF - timedelta(days=n)).id for n in range(1, 8)]
    _lead_last_active(CUTOFF + timedelta(days=1))
    db.session.commit()

    report = run_retention(now=NOW, batch_size=2)

    assert sorted(report.lead_ids) == due
    assert db.session.scalar(sa.select(sa.func.count()).where(Lead.erased_at.is_not(None))) == 7


def test_zero_months_turns_retention_off(app):
    _lead_last_active(datetime(2001, 1, 1, tzinfo=UTC))
    db.session.commit()

    assert run_retention(now=NOW, months=0).lead_ids == []
    assert _erased_audits() == []


def _snapshot() -> list:
    with db.engine.connect() as conn:
        return [
            sorted(tuple(row) for row in conn.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
        ]


def test_dry_run_lists_ids_and_counts_and_changes_nothing(app, runner):
    app.config["RETENTION_MONTHS"] = 24
    due = [
        _lead_last_active(datetime(2020, 1, 1, tzinfo=UTC), status=LeadStatus.LOST),
        _lead_last_active(datetime(2020, 1, 2, tzinfo=UTC), status=LeadStatus.TREATED),
        _lead_last_active(datetime(2020, 1, 3, tzinfo=UTC), status=LeadStatus.NEW),
    ]
    kept = _lead_last_active(datetime.now(UTC))
    db.session.commit()
    people = [(lead.full_name, lead.email) for lead in [*due, kept]]
    before = _snapshot()

    result = runner.invoke(args=["retention", "run", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert _snapshot() == before
    assert "would erase 3 leads" in result.output
    assert "lead ids: " + " ".join(str(lead.id) for lead in due) in result.output
    for status in ("lost", "treated", "new"):
        assert f"{status} " in result.output
    for name, email in people:
        assert name not in result.output and email not in result.output

    done = runner.invoke(args=["retention", "run"])

    assert done.exit_code == 0, done.output
    assert "erased 3 leads" in done.output
    assert len(_erased_audits()) == 3
    db.session.expire_all()
    assert [lead.erased_at is not None for lead in [*due, kept]] == [True, True, True, False]


def test_a_lead_another_run_holds_is_skipped_not_erased_twice(app):
    """Two schedulers by mistake: the lead the other run has locked is left to it."""
    if db.engine.dialect.name != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL)")
    held, free = _lead_last_active(CUTOFF - SECOND), _lead_last_active(CUTOFF - SECOND)
    db.session.commit()
    with db.engine.connect() as other:
        other.execute(sa.select(Lead.id).where(Lead.id == held.id).with_for_update())

        report = run_retention(now=NOW)

        assert report.lead_ids == [free.id] and report.failed_ids == []
        other.rollback()
    assert run_retention(now=NOW).lead_ids == [held.id]
    assert sorted(entry.target_id for entry in _erased_audits()) == sorted([held.id, free.id])
