"""Back, then send again: one inquiry, one confirmation, the repeat on the first inquiry's timeline."""

from __future__ import annotations

import uuid

import pytest

from leads.dashboard import stats
from leads.extensions import db
from leads.models import Inquiry, LeadEvent
from leads.timeline import EventKind
from tests.factories import SEED_SYMPTOMS, make_article
from tests.inquiries.conftest import NOTHING, counts, valid_form


def _again(**changes) -> dict:
    # Back, then send: the page the browser shows again carries a new submission id.
    return valid_form(submission_id=uuid.uuid4().hex, **changes)


def test_back_and_send_again_is_recorded_on_the_first_inquiry_and_owes_no_email(client, article, page_url):
    first = client.post(page_url, data=_again())
    again = client.post(page_url, data=_again(email="Ana.Silva@Example.com", full_name="Ana Silva "))

    # The patient sees the usual thanks page both times.
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"] == f"/{article.slug}/thanks"
    assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 1, "OutboundEmail": 4}
    inquiry = db.session.scalars(db.select(Inquiry)).one()
    repeat = db.session.scalars(
        db.select(LeadEvent).where(LeadEvent.kind == EventKind.INQUIRY_REPEATED)
    ).one()
    assert repeat.lead_id == inquiry.lead_id and repeat.data["inquiry_id"] == inquiry.id
    assert stats.by_article() == [(article.title, 1)]  # the statistics count one inquiry


@pytest.mark.parametrize(
    "change",
    [
        {"message": "I have had back pain for two years, and now my left leg too."},
        {"symptoms": [SEED_SYMPTOMS[0], SEED_SYMPTOMS[3], SEED_SYMPTOMS[4]]},
        {"symptoms": [SEED_SYMPTOMS[0]]},
    ],
)
def test_a_changed_message_or_other_symptoms_is_a_new_inquiry(client, page_url, change):
    client.post(page_url, data=_again())
    client.post(page_url, data=_again(**change))

    assert counts() == {**NOTHING, "Lead": 1, "Inquiry": 2, "OutboundEmail": 8}
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(LeadEvent)
            .where(LeadEvent.kind == EventKind.INQUIRY_REPEATED)
        )
        == 0
    )


def test_the_same_content_on_another_article_is_a_new_inquiry(client, page_url):
    other = make_article()
    db.session.commit()
    client.post(page_url, data=_again())
    client.post(f"/{other.slug}/", data=_again())

    assert counts()["Inquiry"] == 2
