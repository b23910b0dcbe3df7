"""Keyset pagination: the cursor is the last row's sort key, never an OFFSET."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from leads.input_guard import MAX_ID
from leads.models import Lead


class BadCursor(ValueError):
    """The cursor in the URL is not one we made (edited, truncated, or for another sort)."""


@dataclass(frozen=True)
class Sort:
    label: str
    columns: tuple[sa.Column, ...]
    descending: bool

    def order_by(self) -> list:
        return [column.desc() if self.descending else column.asc() for column in self.columns]

    def after(self, values: tuple) -> sa.ColumnElement[bool]:
        """Rows strictly after the cursor in this order (a row-value comparison both databases index)."""
        keys = sa.tuple_(*self.columns)
        bound = sa.tuple_(
            *(
                sa.bindparam(None, value, type_=column.type)
                for column, value in zip(self.columns, values, strict=True)
            )
        )
        return keys < bound if self.descending else keys > bound


# Each sort runs in one direction on every column, so a single row-value comparison pages it.
SORTS: dict[str, Sort] = {
    "priority": Sort(
        "Urgent, score, newest", (Lead.is_urgent, Lead.score, Lead.last_inquiry_at, Lead.id), True
    ),
    "newest": Sort("Newest inquiry first", (Lead.last_inquiry_at, Lead.id), True),
    "oldest": Sort("Oldest inquiry first", (Lead.last_inquiry_at, Lead.id), False),
    "created": Sort("Newest lead first", (Lead.created_at, Lead.id), True),
}


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(sort_name: str, lead: Lead) -> str:
    values = [_plain(getattr(lead, column.key)) for column in SORTS[sort_name].columns]
    raw = json.dumps([sort_name, values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _typed(column: sa.Column, value: object) -> object:
    # UTCDateTime does not declare a python_type; it is the only decorated type among the sort keys.
    python_type = datetime if isinstance(column.type, sa.TypeDecorator) else column.type.python_type
    if python_type is bool and isinstance(value, bool):
        return value
    if python_type is int and isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_ID:
            raise BadCursor(f"{column.key} out of range")
        return value
    if python_type is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise BadCursor("naive time in cursor")
        return moment
    raise BadCursor(f"bad value for {column.key}")


def decode_cursor(sort_name: str, cursor: str) -> tuple:
    """The sort key the cursor points after; BadCursor if it is not a cursor for this sort."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, values = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise BadCursor("unreadable cursor") from error
    columns = SORTS[sort_name].columns
    if name != sort_name or not isinstance(values, list) or len(values) != len(columns):
        raise BadCursor("cursor for another sort")
    try:
        return tuple(_typed(column, value) for column, value in zip(columns, values, strict=True))
    except ValueError as error:
        raise BadCursor("bad value in cursor") from error
