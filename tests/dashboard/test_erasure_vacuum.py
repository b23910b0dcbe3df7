"""On PostgreSQL an UPDATE leaves the old row version in the table's pages until VACUUM:
after an erasure, the vacuum task must leave no erased value in any page of the touched tables."""

from __future__ import annotations

import sqlalchemy as sa

from leads.dashboard.erasure import TOUCHED_TABLES, erase_lead
from leads.dashboard.vacuum import vacuum_tables
from leads.extensions import db
from tests.conftest import service_missing
from tests.dashboard.conftest import make_response
from tests.factories import make_inquiry, make_lead

NAME, EMAIL, PHONE = "Quentin Vacuumsworth", "quentin.vac@example.com", "+15550001111"
MESSAGE = "A rare sign: the persistent pageinspect cough"


def _pages_holding(needles: list[str]) -> list[str]:
    """Each (table, needle) found in the raw bytes of any page of a touched table."""
    found = []
    with db.engine.connect() as conn:
        for table in TOUCHED_TABLES:
            pages = conn.execute(sa.text("SELECT pg_relation_size(:t) / 8192"), {"t": table}).scalar()
            for number in range(pages):
                raw = conn.execute(sa.text("SELECT get_raw_page(:t, :n)"), {"t": table, "n": number}).scalar()
                found.extend(f"{table}: {needle}" for needle in needles if needle.encode() in bytes(raw))
    return found


def test_vacuum_after_erasure_leaves_no_erased_value_in_the_pages(app, admin):
    if db.engine.dialect.name != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL)")
    with db.engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        conn.commit()
    lead = make_lead(full_name=NAME, email=EMAIL, phone=PHONE)
    inquiry = make_inquiry(lead, message=MESSAGE, utm_campaign=NAME)
    make_response(inquiry, answers={"hopes": MESSAGE})
    db.session.commit()

    erase_lead(lead, admin)
    db.session.close()  # no snapshot of ours may hold the old versions alive
    needles = [NAME, EMAIL, PHONE, MESSAGE]
    assert _pages_holding(needles)  # the old row versions are still in the pages

    assert vacuum_tables(list(TOUCHED_TABLES)) == list(TOUCHED_TABLES)

    assert _pages_holding(needles) == []


def test_vacuum_skips_names_outside_the_schema(app):
    if db.engine.dialect.name != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL)")
    assert vacuum_tables(["leads", 'leads"; DROP TABLE leads; --']) == ["leads"]
