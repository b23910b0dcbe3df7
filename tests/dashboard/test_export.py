"""The CSV export: same filters as the inbox, formulas neutralised, streamed, audited."""

from __future__ import annotations

import csv
import io
import types

import pytest

from leads.dashboard import export, inbox
from leads.dashboard.filters import InboxFilters
from leads.extensions import db
from leads.models import AuditEntry, LeadStatus
from leads.models.base import utcnow
from tests.dashboard.conftest import make_response
from tests.factories import make_article, make_inquiry, make_lead, make_user

PAYLOADS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
]


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formulas_are_neutralised_in_every_patient_field(app, coord_client, payload):
    lead = make_lead(full_name=payload, phone="+15550001111")
    make_inquiry(
        lead,
        message=payload,
        utm_source=payload,
        utm_campaign=payload,
        referrer=payload,
        landing_page=payload,
    )
    db.session.commit()
    (row,) = rows_of(coord_client.get("/dashboard/export.csv"))
    for column in ("name", "message", "utm_source", "utm_campaign", "referrer", "landing_page"):
        assert row[column] == "'" + payload, column
    assert row["phone"] == "(+1) 555-000-1111"


# Columns the export computes from fixed lists, numbers and times: no patient text reaches them.
COMPUTED = {"id", "phone", "status", "urgent", "score", "questionnaire", "overdue", "language"}
COMPUTED |= {"created_at", "last_inquiry_at", "first_contacted_at", "last_contacted_at"}


@pytest.mark.parametrize("payload", ["=1+1", "+1", "-2+3", "@SUM(A1)"])
def test_formulas_are_neutralised_in_every_text_column_including_email(app, coord_client, payload):
    """A valid address may start with "=", "+" or "-": the email column needs it as much as the name."""
    assignee = make_user(email=f"{payload}coordinator@clinic.example")
    article = make_article(title=f"{payload} treatment")
    lead = make_lead(full_name=payload, email=f"{payload}@example.com", assignee_id=assignee.id)
    make_inquiry(
        lead,
        article=article,
        symptoms=[payload],
        message=payload,
        utm_source=payload,
        utm_medium=payload,
        utm_campaign=payload,
        referrer=payload,
        landing_page=payload,
    )
    db.session.commit()
    (row,) = rows_of(coord_client.get("/dashboard/export.csv"))
    text_columns = [column for column in export.HEADER if column not in COMPUTED]
    assert "email" in text_columns and len(text_columns) == 11
    for column in text_columns:
        assert row[column].startswith("'" + payload), column


def test_export_opens_as_utf8_in_spreadsheets(app, coord_client):
    make_lead(full_name="Zoë Ångström-Nuñez", phone="+442079460958")
    db.session.commit()
    body = coord_client.get("/dashboard/export.csv").get_data()
    assert body.startswith("\ufeff".encode())  # Excel's cue that the file is UTF-8
    assert "Zoë Ångström-Nuñez".encode() in body
    (row,) = rows_of(coord_client.get("/dashboard/export.csv"))
    assert row["name"] == "Zoë Ångström-Nuñez"
    # A person can dial it; a spreadsheet neither runs it nor turns it into 4.42E+11.
    assert row["phone"] == "(+44) 20 7946 0958"


def test_score_is_blank_until_a_questionnaire_is_answered(app, coord_client):
    waiting = make_lead(full_name="Waiting")
    make_inquiry(waiting)
    answered = make_lead(full_name="Answered", score=0)
    make_response(make_inquiry(answered), score=0)
    db.session.commit()
    rows = {row["name"]: row for row in rows_of(coord_client.get("/dashboard/export.csv"))}
    assert rows["Waiting"]["score"] == ""
    assert rows["Answered"]["score"] == "0"


def test_phone_cell():
    assert export.phone_cell(None) == ""
    assert export.phone_cell("+33612345678") == "(+33) 6 12 34 56 78"
    assert export.phone_cell("=not a number") == "'=not a number"


def test_neutralise():
    assert export.neutralise("=1+1") == "'=1+1"
    assert export.neutralise("plain") == "plain"
    assert export.neutralise("a=b") == "a=b"
    assert export.neutralise(-5) == -5


@pytest.mark.parametrize("value", [" =1+1", "  +1", "\n-2+3", "\u00a0@SUM(A1)", " \t=cmd"])
def test_neutralise_looks_through_leading_whitespace(value):
    assert export.neutralise(value) == "'" + value


def test_export_uses_the_filters_and_is_audited_with_count(app, coord_client, coordinator):
    make_lead(full_name="Kept", status=LeadStatus.CONTACTED)
    make_lead(full_name="Filtered out")
    db.session.commit()
    response = coord_client.get("/dashboard/export.csv?status=contacted&q=Kep")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert [row["name"] for row in rows_of(response)] == ["Kept"]
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "leads.exported")).one()
    assert entry.actor_id == coordinator.id
    assert entry.details["rows"] == 1
    # The search text may name a patient: the audit log keeps only that there was one.
    assert entry.details["filters"] == {"status": "contacted", "q": "(search)"}


def test_export_is_streamed_in_chunks(app, coord_client, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 3)
    for n in range(8):
        make_lead(full_name=f"Streamed {n}", score=n)
    db.session.commit()
    response = coord_client.get("/dashboard/export.csv")
    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) >= 3  # header+3, 3, the rest: never the whole file at once
    text = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in chunks).decode(
        "utf-8-sig"
    )
    names = [row["name"] for row in csv.DictReader(io.StringIO(text))]
    assert names == [f"Streamed {n}" for n in range(7, -1, -1)]


def test_csv_chunks_is_a_generator_fetching_by_keyset(app, monkeypatch):
    for n in range(7):
        make_lead(full_name=f"Row {n}")
    db.session.commit()
    calls = []
    real = inbox.load_page

    def spy(*args, **kwargs):
        calls.append(kwargs.get("size"))
        return real(*args, **kwargs)

    monkeypatch.setattr(inbox, "load_page", spy)
    chunks = export.csv_chunks(InboxFilters(), None, utcnow())
    assert isinstance(chunks, types.GeneratorType)
    text = "".join(chunks)
    assert text.count("Row ") == 7
    assert calls and all(size == export.CHUNK for size in calls)


def _export_statements(client) -> tuple[int, list[dict]]:
    from tests.dashboard.querycount import count_queries

    db.session.expunge_all()
    with count_queries() as statements:
        rows = rows_of(client.get("/dashboard/export.csv"))
    return len(statements), rows


def test_the_export_reads_every_column_it_shows_without_a_query_per_row(app, coord_client):
    # The inbox loads only the inquiry columns it and the exports show; a column the CSV
    # needed but the load left out would cost one query per row.
    article = make_article()
    for n in range(3):
        make_inquiry(make_lead(), article, utm_source="ads", message=f"message {n}")
    db.session.commit()
    few, _rows = _export_statements(coord_client)
    article = db.session.merge(article)
    for n in range(12):
        make_inquiry(make_lead(), article, utm_source="ads", message=f"message {n}")
    db.session.commit()
    many, rows = _export_statements(coord_client)
    assert few == many
    assert len(rows) == 15 and {row["utm_source"] for row in rows} == {"ads"}
    assert all(row["message"].startswith("message ") for row in rows)
