"""The erasure enqueues the vacuum after its commit, and a real worker runs it (PostgreSQL)."""

from __future__ import annotations

import time

from leads.dashboard.erasure import erase_lead, touched_tables
from leads.extensions import db
from tests.dashboard.pageinspect import pages_holding, require_pageinspect
from tests.factories import make_inquiry, make_lead, make_user

NAME, EMAIL = "Ursula Workervacuum", "ursula.worker@example.com"


def test_a_worker_vacuums_the_erased_values_away(worker_app, start_worker):
    require_pageinspect()
    admin = make_user(role="admin")
    lead = make_lead(full_name=NAME, email=EMAIL)
    make_inquiry(lead, message=f"{NAME} writes")
    db.session.commit()
    worker = start_worker()

    erase_lead(lead, admin)
    db.session.close()

    # Wait for the task itself: reading the pages meanwhile would pin them, and VACUUM skips
    # a page it cannot lock for cleanup.
    deadline = time.monotonic() + 60
    while "vacuum_tables[" not in worker.output() or " succeeded " not in worker.output():
        assert time.monotonic() < deadline, worker.output()[-3000:]
        time.sleep(0.5)
    assert pages_holding(touched_tables(), [NAME, EMAIL]) == [], worker.output()[-3000:]
