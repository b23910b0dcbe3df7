"""An inquiry POST writes its rows in as few statements as the ORM allows (72.7/s at 8 clients before)."""

from __future__ import annotations

from tests.dashboard.querycount import count_queries
from tests.inquiries.conftest import valid_form


def test_a_new_leads_inquiry_costs_a_fixed_number_of_statements(client, page_url):
    with count_queries() as statements:
        assert client.post(page_url, data=valid_form()).status_code == 303
    kinds = [" ".join(statement.split()[:3]) for statement in statements]
    # The article, the submission-id check and the lead lookup; then one INSERT per table, the four
    # outbox rows in one statement. No UPDATE of the lead just inserted, no reload after the commit.
    # Since then: the active webhook endpoints (owed with the event), and the new-lead notice's
    # batch-window check and its recipients (coordinators on duty, else the configured addresses).
    assert len(statements) == 11, "\n".join(kinds)
    assert not [kind for kind in kinds if kind.startswith("UPDATE")], kinds
    assert sum(kind.startswith("INSERT INTO outbound_emails") for kind in kinds) == 1, kinds
