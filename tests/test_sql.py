"""The shared LIKE escaping and day boundaries, on the database the run uses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from leads.extensions import db
from leads.models import Lead
from leads.sql import LIKE_ESCAPE, escape_like, within_days
from tests.factories import make_lead


@pytest.mark.parametrize("typed", ["50%", "a_b", "back\\slash"])
def test_escaped_text_matches_only_itself(app, typed):
    make_lead(full_name=f"x{typed}y", email="one@example.org")
    make_lead(full_name="x50y a-b backslash", email="two@example.org")
    db.session.commit()
    pattern = f"%{escape_like(typed)}%"
    names = db.session.scalars(
        db.select(Lead.full_name).where(Lead.full_name.like(pattern, escape=LIKE_ESCAPE))
    )
    assert list(names) == [f"x{typed}y"]


def test_within_days_includes_both_days_whole(app):
    for moment in (
        "2026-03-01T00:00:00",
        "2026-03-02T23:59:59",
        "2026-03-03T00:00:00",
        "2026-02-28T23:59:59",
    ):
        make_lead(
            created_at=datetime.fromisoformat(moment).replace(tzinfo=UTC), email=f"{moment[:13]}@example.org"
        )
    db.session.commit()
    query = db.select(Lead.email).where(*within_days(Lead.created_at, date(2026, 3, 1), date(2026, 3, 2)))
    assert sorted(db.session.scalars(query)) == ["2026-03-01T00@example.org", "2026-03-02T23@example.org"]
    assert within_days(Lead.created_at, None, None) == []
