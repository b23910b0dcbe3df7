"""On PostgreSQL the inbox search walks indexes, never every lead (1,141 ms at 1M leads before)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from leads.dashboard.filters import parse_filters, status_counts
from leads.dashboard.inbox import load_page
from leads.dashboard.pagination import SORTS
from leads.devtools.seed import seed_leads
from leads.extensions import db
from leads.models.base import utcnow
from tests.conftest import service_missing


def plans_of(search: str) -> list[str]:
    """The EXPLAIN of each statement an inbox view sends about the leads (the page and its counts)."""
    sent = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM leads" in statement:
            sent.append((statement, parameters))

    filters, _ = parse_filters({"q": search}, SORTS)
    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        load_page(filters, None, utcnow())
        status_counts(filters, None)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)
    connection = db.session.connection()
    # Whether the indexes can serve every branch of the search's OR, whatever this small table's
    # costs say: only bitmap scans of matching indexes are left, and where a branch has no index
    # PostgreSQL still has to scan the table, and says so.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    return [
        "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
        for statement, parameters in sent
    ]


@pytest.mark.parametrize("search", ["Corlund", "ena Corl", "ana.1234@example.com", "ana.123", "44 7700 900"])
def test_search_uses_the_indexes_on_postgresql(app, search):
    if db.engine.dialect.name != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL)")
    seed_leads(2_000)
    plans = plans_of(search)
    assert len(plans) == 2
    for plan in plans:
        assert "Seq Scan on leads" not in plan, plan
        assert "ix_leads_email_prefix" in plan, plan
        assert ("ix_leads_name_trgm" in plan) == ("@" not in search), plan
        assert ("ix_leads_phone" in plan) == search[0].isdigit(), plan
