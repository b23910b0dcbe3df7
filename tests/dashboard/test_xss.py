"""Every field a patient controls is rendered inert on the dashboard."""

from __future__ import annotations

import pytest

from leads.extensions import db
from leads.timeline import EventKind
from tests.dashboard.conftest import make_email, make_event, make_response
from tests.factories import make_article, make_inquiry, make_lead

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_escaped_in_inbox_lead_page_and_stats(app, coord_client, coordinator, payload):
    article = make_article(title=f"Article {payload}")
    lead = make_lead(full_name=payload, email=f"{payload}@example.com", phone=payload)
    inquiry = make_inquiry(
        lead,
        article,
        message=payload,
        symptoms=[payload],
        utm_source=payload,
        utm_medium=payload,
        utm_campaign=payload,
        utm_term=payload,
        utm_content=payload,
        referrer=payload,
        landing_page=payload,
    )
    make_response(
        inquiry,
        red_flags=[payload],
        answers={
            "symptoms": [{"label": payload, "present": True, "severity": 5, "duration": payload}],
            "hopes": payload,
            "snapshot": [
                {"title": payload, "rows": [{"question": payload, "answer": payload, "key": "hopes"}]}
            ],
        },
    )
    make_email(lead, last_error=payload, status="failed")
    make_event(lead, EventKind.NOTE, actor=coordinator, body=payload)
    make_event(lead, EventKind.RED_FLAG, flags=[payload])
    db.session.commit()
    pages = {
        "inbox": coord_client.get("/dashboard/").get_data(as_text=True),
        "inbox-search": coord_client.get(
            "/dashboard/", query_string={"q": payload, "source": payload}
        ).get_data(as_text=True),
        "lead": coord_client.get(f"/dashboard/leads/{lead.id}").get_data(as_text=True),
        "stats": coord_client.get("/dashboard/stats").get_data(as_text=True),
    }
    for name, html in pages.items():
        assert "<script>alert(1)" not in html, name
        assert "<img src=x" not in html, name
        assert "onerror=alert(1)>" not in html.replace("&gt;", ""), name
    assert (
        pages["lead"].count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10
        or pages["lead"].count("&lt;img src=x onerror=alert(1)&gt;") >= 10
    )


def test_export_is_plain_text(app, coord_client):
    make_inquiry(make_lead(full_name=PAYLOADS[0]), message=PAYLOADS[1])
    db.session.commit()
    response = coord_client.get("/dashboard/export.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert PAYLOADS[0] in response.get_data(as_text=True)
