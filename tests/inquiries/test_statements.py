"""An inquiry POST writes its rows in as few statements as SQLAlchemy allows (72.7/s at 8 clients before)."""

from __future__ import annotations

from leads.extensions import db
from leads.models import EmailKind, OutboundEmail
from tests.dashboard.querycount import count_queries
from tests.factories import make_user
from tests.inquiries.conftest import valid_form


def test_a_new_leads_inquiry_costs_a_fixed_number_of_statements(client, page_url):
    make_user()  # a coordinator on duty: the new-lead notice is owed
    db.session.commit()
    with count_queries() as statements:
        assert client.post(page_url, data=valid_form()).status_code == 303
    kinds = [" ".join(statement.split()[:3]) for statement in statements]
    # The article, the submission-id check and the lead lookup; then one INSERT per table, the four
    # outbox rows in one statement. No UPDATE of the lead just inserted, no reload after the commit.
    # Since then: the active webhook endpoints (owed with the event), and the new-lead notice's
    # recipients (coordinators on duty, else every active account: one query for both). Was 11:
    # a lead created by this POST has no earlier notice, so its batch window is not looked up.
    # Was 10 with a coordinator on duty (9 with nobody to notify): the new-lead notice now goes in
    # the same INSERT as the patient's emails, not an INSERT of its own. Then 8: the submission-id
    # check and the lead lookup are one query (service._lookup).
    assert len(statements) == 8, "\n".join(kinds)
    assert not [kind for kind in kinds if kind.startswith("UPDATE")], kinds
    assert sum(kind.startswith("INSERT INTO outbound_emails") for kind in kinds) == 1, kinds
    notices = db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.kind == EmailKind.LEAD_NOTICE))
    assert len(notices.all()) == 1


def test_a_new_leads_inquiry_looks_up_the_notice_recipients_once(client, page_url):
    with count_queries() as statements:
        assert client.post(page_url, data=valid_form()).status_code == 303
    users = [statement for statement in statements if "FROM users" in statement]
    notice_window = [statement for statement in statements if "FROM outbound_emails" in statement]
    assert len(users) == 1, users
    assert notice_window == []
