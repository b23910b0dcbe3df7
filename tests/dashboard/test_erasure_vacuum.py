"""On PostgreSQL an UPDATE leaves the old row version in the table's pages until VACUUM:
after an erasure, the vacuum must leave no erased value in any page of the touched tables."""

from __future__ import annotations

from leads.dashboard.erasure import erase_lead, touched_tables
from leads.dashboard.vacuum import vacuum_tables
from leads.extensions import db
from tests.dashboard.conftest import make_response
from tests.dashboard.pageinspect import pages_holding, require_pageinspect
from tests.factories import make_inquiry, make_lead

NAME, EMAIL, PHONE = "Quentin Vacuumsworth", "quentin.vac@example.com", "+15550001111"
MESSAGE = "A rare sign: the persistent pageinspect cough"


def test_vacuum_after_erasure_leaves_no_erased_value_in_the_pages(app, admin):
    require_pageinspect()
    lead = make_lead(full_name=NAME, email=EMAIL, phone=PHONE)
    inquiry = make_inquiry(lead, message=MESSAGE, utm_campaign=NAME)
    make_response(inquiry, answers={"hopes": MESSAGE})
    db.session.commit()

    erase_lead(lead, admin)
    db.session.close()  # no snapshot of ours may hold the old versions alive
    needles = [NAME, EMAIL, PHONE, MESSAGE]
    assert pages_holding(touched_tables(), needles)  # the old row versions are still in the pages

    assert vacuum_tables(touched_tables()) == touched_tables()

    assert pages_holding(touched_tables(), needles) == []


def test_vacuum_skips_names_outside_the_schema(app):
    require_pageinspect()
    assert vacuum_tables(["leads", 'leads"; DROP TABLE leads; --']) == ["leads"]
