"""The sync's row per site: claimed by one run at a time, updated once when the run ends."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from leads.extensions import db
from leads.models import WordPressSync
from leads.models.base import utcnow
from leads.wordpress.client import SyncError

# Longer than any run can take (each request is bounded), so a crashed run's claim expires.
LEASE = timedelta(minutes=30)


class SyncBusy(SyncError):
    """Another run (the beat task, or the command) is syncing this site right now."""


def claim(site_url: str, now: datetime | None = None) -> WordPressSync:
    """The site's row, marked as running by this run; SyncBusy when another run holds it."""
    now = now or utcnow()
    if db.session.scalar(db.select(WordPressSync.id).filter_by(site_url=site_url)) is None:
        db.session.add(WordPressSync(site_url=site_url))
        try:
            db.session.commit()
        except IntegrityError:  # another run created it at the same moment
            db.session.rollback()
    # One conditional UPDATE: of two runs starting together, exactly one gets the row.
    result = db.session.execute(
        db.update(WordPressSync)
        .where(
            WordPressSync.site_url == site_url,
            db.or_(WordPressSync.running_since.is_(None), WordPressSync.running_since < now - LEASE),
        )
        .values(running_since=now, last_started_at=now)
    )
    db.session.commit()
    if result.rowcount != 1:
        raise SyncBusy(f"A sync of {site_url} is already running; try again when it ends")
    return db.session.scalar(db.select(WordPressSync).filter_by(site_url=site_url))


def finish(
    state: WordPressSync,
    *,
    error: str,
    post_errors: list[dict],
    counts: dict[str, int],
    cursor: datetime | None = None,
    validators: dict | None = None,
) -> None:
    """Record the run and let go of the site. The cursor and validators move only on a complete run."""
    now = utcnow()
    state.running_since = None
    state.last_finished_at = now
    state.last_error = error
    state.last_post_errors = post_errors
    state.last_counts = counts
    if not error:
        state.last_success_at = now
        state.cursor = cursor
        state.validators = validators or {}
    db.session.commit()


def latest() -> list[WordPressSync]:
    """Every site's row, for the dashboard."""
    return list(db.session.scalars(db.select(WordPressSync).order_by(WordPressSync.site_url)))
