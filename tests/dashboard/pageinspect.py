"""Reading PostgreSQL's table pages as raw bytes (pageinspect): what an erasure leaves on disk."""

from __future__ import annotations

import sqlalchemy as sa

from leads.extensions import db
from tests.conftest import service_missing


def require_pageinspect() -> None:
    """PostgreSQL with the pageinspect extension (contrib), or a clear failure under CI."""
    if db.engine.dialect.name != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL)")
    with db.engine.connect() as conn:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        conn.commit()


def pages_holding(tables: tuple[str, ...] | list[str], needles: list[str]) -> list[str]:
    """Each (table, needle) found in the raw bytes of any page of these tables."""
    found = []
    with db.engine.connect() as conn:
        for table in tables:
            pages = conn.execute(sa.text("SELECT pg_relation_size(:t) / 8192"), {"t": table}).scalar()
            for number in range(pages):
                raw = conn.execute(sa.text("SELECT get_raw_page(:t, :n)"), {"t": table, "n": number}).scalar()
                found.extend(f"{table}: {needle}" for needle in needles if needle.encode() in bytes(raw))
    return found
