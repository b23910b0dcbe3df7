"""`flask dev seed --leads N` loads leads that the inbox counts, searches and pages like real ones."""

from __future__ import annotations

import sqlalchemy as sa

from leads.dashboard.filters import InboxFilters, parse_filters, status_counts
from leads.dashboard.inbox import load_page
from leads.dashboard.pagination import SORTS
from leads.devtools import seed
from leads.extensions import db
from leads.models import Inquiry, Lead
from leads.models.base import utcnow
from tests.factories import make_lead


def test_seed_adds_leads_with_inquiries_after_the_existing_ones(app, monkeypatch):
    monkeypatch.setattr(seed, "COPY_BATCH", 50)  # several COPY batches on PostgreSQL
    make_lead()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["dev", "seed", "--leads", "120"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lead)) == 121
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry)) == 120
    assert sum(status_counts(InboxFilters(), None).values()) == 121
    # The sequence moved past the given ids: the next lead inserts normally.
    make_lead()
    db.session.commit()
    found, _ = parse_filters({"q": "ana."}, SORTS)
    page = load_page(found, None, utcnow(), size=200)
    assert page.rows and all(row.lead.email.startswith("ana.") for row in page.rows)


def test_seed_is_refused_in_production(make_app):
    app = make_app(PRODUCTION=True)
    result = app.test_cli_runner().invoke(args=["dev", "seed", "--leads", "5"])
    assert result.exit_code != 0 and "refused" in result.output
