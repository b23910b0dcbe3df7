"""The inbox's per-status tab counts, kept by the database itself instead of counted per page view.

A GROUP BY over every lead was most of an inbox page at 1M leads. Triggers on `leads` add and
subtract in the same transaction as every insert, status change, merge (a merged lead leaves the
inbox), erasure and delete, whichever code path (ORM, Core, COPY) wrote it, so the counts are exact
at every commit. Each status is split over SHARDS rows by lead id, so concurrent inquiries rarely
wait on the same counter row. `counts_sql(dialect)` gives the statements for a migration;
`install_counting_triggers()` hooks them to `create_all()` (the tests).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db

SHARDS = 16


class LeadStatusCount(db.Model):
    """How many inbox leads (not merged away) have this status, for one shard of lead ids."""

    __tablename__ = "lead_status_counts"

    status: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), default=0)


_UPSERT = "ON CONFLICT (status, shard) DO UPDATE SET total = lead_status_counts.total + excluded.total"

# PostgreSQL: statement-level triggers over the transition tables, so a bulk load (COPY, executemany)
# costs one grouped upsert per statement; rows are upserted in key order, so two bulk updates lock
# the counter rows in the same order and cannot deadlock each other.
POSTGRES_SQL = [
    # Built from this module's constants only: nothing from outside reaches the text.
    f"""
CREATE OR REPLACE FUNCTION lead_status_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO lead_status_counts (status, shard, total)
        SELECT status, id % {SHARDS}, count(*) FROM new_leads WHERE merged_into_id IS NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        {_UPSERT};
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO lead_status_counts (status, shard, total)
        SELECT status, id % {SHARDS}, -count(*) FROM old_leads WHERE merged_into_id IS NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        {_UPSERT};
    ELSE
        INSERT INTO lead_status_counts (status, shard, total)
        SELECT status, shard, sum(delta) FROM (
            SELECT status, id % {SHARDS} AS shard, -1 AS delta FROM old_leads WHERE merged_into_id IS NULL
            UNION ALL
            SELECT status, id % {SHARDS}, 1 FROM new_leads WHERE merged_into_id IS NULL
        ) AS changes
        GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
        {_UPSERT};
    END IF;
    RETURN NULL;
END;
$$
""".strip(),  # noqa: S608
    "CREATE TRIGGER lead_status_counts_insert AFTER INSERT ON leads REFERENCING NEW TABLE AS new_leads "
    "FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_apply()",
    "CREATE TRIGGER lead_status_counts_update AFTER UPDATE ON leads "
    "REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads "
    "FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_apply()",
    "CREATE TRIGGER lead_status_counts_delete AFTER DELETE ON leads REFERENCING OLD TABLE AS old_leads "
    "FOR EACH STATEMENT EXECUTE FUNCTION lead_status_counts_apply()",
]


def _sqlite_add(row: str, sign: str) -> str:
    return (
        f"INSERT INTO lead_status_counts (status, shard, total) "
        f"SELECT {row}.status, {row}.id % {SHARDS}, {sign}1 WHERE {row}.merged_into_id IS NULL {_UPSERT};"
    )


# SQLite has one writer at a time and only row-level triggers.
SQLITE_SQL = [
    f"CREATE TRIGGER lead_status_counts_insert AFTER INSERT ON leads BEGIN {_sqlite_add('NEW', '+')} END",
    "CREATE TRIGGER lead_status_counts_update AFTER UPDATE OF status, merged_into_id ON leads "
    "WHEN OLD.status IS NOT NEW.status OR (OLD.merged_into_id IS NULL) <> (NEW.merged_into_id IS NULL) "
    f"BEGIN {_sqlite_add('OLD', '-')} {_sqlite_add('NEW', '+')} END",
    f"CREATE TRIGGER lead_status_counts_delete AFTER DELETE ON leads BEGIN {_sqlite_add('OLD', '-')} END",
]

DROP_SQL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS lead_status_counts_insert ON leads",
        "DROP TRIGGER IF EXISTS lead_status_counts_update ON leads",
        "DROP TRIGGER IF EXISTS lead_status_counts_delete ON leads",
        "DROP FUNCTION IF EXISTS lead_status_counts_apply()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS lead_status_counts_insert",
        "DROP TRIGGER IF EXISTS lead_status_counts_update",
        "DROP TRIGGER IF EXISTS lead_status_counts_delete",
    ],
}

RECOUNT_SQL = [
    "DELETE FROM lead_status_counts",
    f"INSERT INTO lead_status_counts (status, shard, total) SELECT status, id % {SHARDS}, count(*) "  # noqa: S608 (constants)
    "FROM leads WHERE merged_into_id IS NULL GROUP BY 1, 2",
]


def counts_sql(dialect: str) -> list[str]:
    """The trigger statements for this dialect, in order (`DROP_SQL[dialect]` undoes them)."""
    return POSTGRES_SQL if dialect == "postgresql" else SQLITE_SQL


def install_counting_triggers(leads: sa.Table) -> None:
    """Create the counter table before `leads` (and empty it after), and the triggers right after `leads`."""
    # Deleting the leads before the counters (the tests' table-by-table cleanup) leaves no stray deltas.
    leads.add_is_dependent_on(LeadStatusCount.__table__)
    for dialect in ("postgresql", "sqlite"):
        for statement in counts_sql(dialect):
            # DDL() formats its text with %, so the modulo is doubled here.
            ddl = sa.DDL(statement.replace("%", "%%")).execute_if(dialect=dialect)
            sa.event.listen(leads, "after_create", ddl)
