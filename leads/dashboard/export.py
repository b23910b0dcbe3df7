"""The CSV export: streamed in keyset chunks, with spreadsheet formulas neutralised.

Made for Excel and LibreOffice as they open a file by double click: UTF-8 with a byte-order
mark (without it Excel reads "Zoë" as "ZoÃ«"), comma-separated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

import phonenumbers

from leads.audit.service import AuditAction, record_audit
from leads.dashboard.filters import InboxFilters
from leads.dashboard.inbox import InboxRow, count_rows, iter_rows
from leads.extensions import db

# OWASP "CSV injection": a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "id",
    "name",
    "email",
    "phone",
    "status",
    "urgent",
    "score",
    "assignee",
    "article",
    "symptoms",
    "questionnaire",
    "message",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer",
    "landing_page",
    "created_at",
    "last_inquiry_at",
    "first_contacted_at",
    "last_contacted_at",
    "overdue",
    "language",
]
CHUNK = 500
# Excel takes the file for UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with a quote.

    Leading spaces and line breaks are looked through: some spreadsheets trim them on import."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)
    ):
        return "'" + value
    return value


def phone_cell(phone: str | None) -> str:
    """A stored E.164 number as a person dials it: "(+44) 20 7946 0958".

    A bare "+445550001111" becomes 4.4555E+11 in a spreadsheet, and a cell starting with "+"
    is read as a formula; the brackets keep the country code and make the cell plain text."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return str(neutralise(phone))
    country, _, rest = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    ).partition(" ")
    return f"({country}) {rest}" if rest else country


def _time(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def row_cells(row: InboxRow) -> list[object]:
    lead, inquiry = row.lead, row.inquiry
    cells = [
        lead.id,
        lead.full_name,
        lead.email,
        phone_cell(lead.phone),
        lead.status,
        "yes" if lead.is_urgent else "no",
        # Blank, not 0, while no questionnaire was answered: 0 would read as a result.
        lead.score if row.response is not None else "",
        row.assignee.email if row.assignee else "",
        row.article_title,
        "; ".join(str(symptom) for symptom in (inquiry.symptoms if inquiry else []) or []),
        row.questionnaire_state,
        inquiry.message if inquiry else "",
        (inquiry.utm_source if inquiry else "") or "",
        (inquiry.utm_medium if inquiry else "") or "",
        (inquiry.utm_campaign if inquiry else "") or "",
        (inquiry.referrer if inquiry else "") or "",
        (inquiry.landing_page if inquiry else "") or "",
        _time(lead.created_at),
        _time(lead.last_inquiry_at),
        _time(lead.first_contacted_at),
        _time(lead.last_contacted_at),
        "yes" if row.overdue else "no",
        lead.language,
    ]
    return [neutralise(cell) for cell in cells]


def record_export(filters: InboxFilters, user_id: int | None, count: int | None = None) -> int:
    """Audit the export (filters and row count) and commit, before anything is sent."""
    if count is None:
        count = count_rows(filters, user_id)
    record_audit(AuditAction.LEADS_EXPORTED, "lead", None, filters=filters.for_audit(), rows=count)
    db.session.commit()
    return count


def csv_chunks(filters: InboxFilters, user_id: int | None, now: datetime) -> Iterator[str]:
    """The CSV text, a chunk of rows at a time: memory does not grow with the number of leads."""
    return csv_text(iter_rows(filters, user_id, now, chunk=CHUNK))


def csv_text(rows: Iterable[InboxRow]) -> Iterator[str]:
    """These rows as CSV text (with the header), a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(HEADER)
    for written, row in enumerate(rows, start=1):
        writer.writerow(row_cells(row))
        if written % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
