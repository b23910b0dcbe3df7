"""An endpoint pointing at the test receiver, and an inquiry sent through the real service."""

from __future__ import annotations

from leads.extensions import db
from leads.inquiries.service import InquiryData, submit_inquiry
from leads.models import Lead, WebhookEndpoint
from leads.webhooks.events import EVENT_TYPES
from leads.webhooks.signing import new_secret
from tests.factories import SEED_SYMPTOMS, make_article
from tests.webhooks.receiver import Receiver

# The receiver is on loopback, which webhooks refuse by default (SSRF).
PRIVATE = {"WEBHOOK_ALLOW_PRIVATE_NETWORK": "true"}


def endpoint(receiver: Receiver, events=EVENT_TYPES, health: bool = False) -> WebhookEndpoint:
    row = WebhookEndpoint(
        name="CRM", url=receiver.url, secret=new_secret(), events=list(events), allow_health_details=health
    )
    db.session.add(row)
    db.session.commit()
    receiver.secret = row.secret
    return row


def send_inquiry(n: int = 1) -> Lead:
    article = make_article()
    db.session.commit()
    data = InquiryData(
        submission_id=f"{n:032x}",
        full_name="Test Patient",
        email=f"patient{n}@example.org",
        consent_text="I agree",
        consent_version="1",
        symptoms=[SEED_SYMPTOMS[0]],
        message="My knee hurts at night.",
    )
    result = submit_inquiry(article, data)
    return db.session.get(Lead, result.lead_id)
