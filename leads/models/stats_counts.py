"""The statistics page's figures, kept by the database itself instead of counted per page view.

At 1M leads the page's GROUP BYs over every lead and every inquiry took well over a second. As
for the inbox's tab counts (status_counts.py), triggers add and subtract in the same transaction
as every insert, update and delete, whichever code path (ORM, Core, COPY) wrote the row, so the
figures are exact at every commit:

- `lead_funnel_counts`: inbox leads (not merged away) by status and by whether ever contacted;
- `lead_day_counts`: inbox leads by the UTC day they were created;
- `inquiry_origin_counts`: inquiries by article and UTM source ("" for none).

Each is split over SHARDS rows by the counted row's id, so concurrent inquiries rarely wait on the
same counter row. `stats_sql(dialect)` gives the statements for a migration;
`install_stats_triggers()` hooks them to `create_all()` (the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from leads.extensions import db
from leads.models.status_counts import SHARDS

_TOTAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class LeadFunnelCount(db.Model):
    """How many inbox leads have this status and were (or were never) contacted, for one shard."""

    __tablename__ = "lead_funnel_counts"

    status: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    contacted: Mapped[bool] = mapped_column(primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int] = mapped_column(_TOTAL, default=0)


class LeadDayCount(db.Model):
    """How many inbox leads were created on this UTC day, for one shard."""

    __tablename__ = "lead_day_counts"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int] = mapped_column(_TOTAL, default=0)


class InquiryOriginCount(db.Model):
    """How many inquiries came through this article with this UTM source ("" for none), for one shard."""

    __tablename__ = "inquiry_origin_counts"

    article_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    total: Mapped[int] = mapped_column(_TOTAL, default=0)


@dataclass(frozen=True)
class Counter:
    """A counter table kept from `source`: one row per key (SQL over `{row}`, per dialect) and shard."""

    table: str
    source: str
    keys: tuple[str, ...]
    values: dict[str, tuple[str, ...]]  # dialect -> one SQL expression per key, over "{row}"
    where: str  # which rows count, over "{row}"
    watched: tuple[str, ...]  # the columns whose change can move a row to another key (or out)
    # The keys hold text from a patient's form (a UTM source may be anything, even a name): a row
    # that falls to zero is deleted, so an erased value leaves nothing behind here.
    forget_zero: bool = False

    def exprs(self, dialect: str, row: str) -> str:
        return ", ".join(value.format(row=row) for value in self.values[dialect])


_LIVE = "{row}.merged_into_id IS NULL"
COUNTERS = (
    Counter(
        "lead_funnel_counts",
        "leads",
        ("status", "contacted"),
        dict.fromkeys(("postgresql", "sqlite"), ("{row}.status", "{row}.first_contacted_at IS NOT NULL")),
        _LIVE,
        ("status", "first_contacted_at", "merged_into_id"),
    ),
    Counter(
        "lead_day_counts",
        "leads",
        ("day",),
        {
            "postgresql": ("({row}.created_at AT TIME ZONE 'UTC')::date",),
            # SQLite keeps UTCDateTime as naive UTC text ("2026-12-02 04:07:00.123456").
            "sqlite": ("date({row}.created_at)",),
        },
        _LIVE,
        ("created_at", "merged_into_id"),
    ),
    Counter(
        "inquiry_origin_counts",
        "inquiries",
        ("article_id", "source"),
        dict.fromkeys(("postgresql", "sqlite"), ("{row}.article_id", "coalesce({row}.utm_source, '')")),
        "TRUE",
        ("article_id", "utm_source"),
        forget_zero=True,
    ),
)


def _upsert(counter: Counter) -> str:
    return (
        f"ON CONFLICT ({', '.join(counter.keys)}, shard) "
        f"DO UPDATE SET total = {counter.table}.total + excluded.total"
    )


def _postgres(counter: Counter) -> list[str]:
    """Statement-level triggers over the transition tables (one grouped upsert per statement, so a
    COPY costs one per batch); rows upserted in key order, so two bulk writes cannot deadlock."""
    columns = f"{', '.join(counter.keys)}, shard, total"
    positions = ", ".join(str(n) for n in range(1, len(counter.keys) + 2))

    def change(row: str, delta: str) -> str:
        aliased = ", ".join(
            f"{value.format(row=row)} AS {key}"
            for key, value in zip(counter.keys, counter.values["postgresql"], strict=True)
        )
        return (
            f"SELECT {aliased}, {row}.id % {SHARDS} AS shard, {delta} AS delta "  # noqa: S608 (constants)
            f"FROM {row} WHERE {counter.where.format(row=row)}"
        )

    def apply(changes: str) -> str:
        # HAVING drops the keys an update left as they were (most updates touch other columns).
        return (
            f"INSERT INTO {counter.table} ({columns}) "  # noqa: S608 (constants)
            f"SELECT {', '.join(counter.keys)}, shard, sum(delta) FROM ({changes}) AS changes "
            f"GROUP BY {positions} HAVING sum(delta) <> 0 ORDER BY {positions} {_upsert(counter)};"
        )

    def forget(changes: str) -> str:
        if not counter.forget_zero:
            return ""
        keys = f"{', '.join(counter.keys)}, shard"
        return (
            f"DELETE FROM {counter.table} WHERE total = 0 "  # noqa: S608 (constants)
            f"AND ({keys}) IN (SELECT {keys} FROM ({changes}) AS changes);"
        )

    removed, moved = (
        change("old_rows", "-1"),
        change("old_rows", "-1") + " UNION ALL " + change("new_rows", "1"),
    )
    function = f"""
CREATE OR REPLACE FUNCTION {counter.table}_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {apply(change("new_rows", "1"))}
    ELSIF TG_OP = 'DELETE' THEN
        {apply(removed)}
        {forget(removed)}
    ELSE
        {apply(moved)}
        {forget(moved)}
    END IF;
    RETURN NULL;
END;
$$
""".strip()
    name, source = counter.table, counter.source
    return [
        function,
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_apply()",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {source} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_apply()",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_apply()",
    ]


def _sqlite(counter: Counter) -> list[str]:
    """Row-level triggers (SQLite has no others); an update moves the row only if a watched column changed."""
    columns = f"{', '.join(counter.keys)}, shard, total"

    def add(row: str, sign: str) -> str:
        return (
            f"INSERT INTO {counter.table} ({columns}) "
            f"SELECT {counter.exprs('sqlite', row)}, {row}.id % {SHARDS}, {sign}1 "
            f"WHERE {counter.where.format(row=row)} {_upsert(counter)};"
        )

    forget = ""
    if counter.forget_zero:
        keys = zip(counter.keys, counter.values["sqlite"], strict=True)
        forget = (
            f"DELETE FROM {counter.table} WHERE total = 0 AND shard = OLD.id % {SHARDS} "  # noqa: S608 (constants)
            + "".join(f"AND {key} = {value.format(row='OLD')} " for key, value in keys)
            + ";"
        )
    name, source = counter.table, counter.source
    changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in counter.watched)
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source} BEGIN {add('NEW', '+')} END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(counter.watched)} ON {source} "
        f"WHEN {changed} BEGIN {add('OLD', '-')} {add('NEW', '+')} {forget} END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source} BEGIN {add('OLD', '-')} {forget} END",
    ]


def stats_sql(dialect: str) -> list[str]:
    """The trigger statements for this dialect, in order (`stats_drop_sql(dialect)` undoes them)."""
    build = _postgres if dialect == "postgresql" else _sqlite
    return [statement for counter in COUNTERS for statement in build(counter)]


def stats_drop_sql(dialect: str) -> list[str]:
    statements = []
    for counter in COUNTERS:
        for event in ("insert", "update", "delete"):
            on = f" ON {counter.source}" if dialect == "postgresql" else ""
            statements.append(f"DROP TRIGGER IF EXISTS {counter.table}_{event}{on}")
        if dialect == "postgresql":
            statements.append(f"DROP FUNCTION IF EXISTS {counter.table}_apply()")
    return statements


def recount_sql(dialect: str) -> list[str]:
    """Fill the counters from the rows there are (a migration, before the triggers take over)."""
    statements = []
    for counter in COUNTERS:
        source = counter.source
        statements += [
            f"DELETE FROM {counter.table}",  # noqa: S608 (constants)
            f"INSERT INTO {counter.table} ({', '.join(counter.keys)}, shard, total) "  # noqa: S608 (constants)
            f"SELECT {counter.exprs(dialect, source)}, {source}.id % {SHARDS}, count(*) FROM {source} "
            f"WHERE {counter.where.format(row=source)} "
            f"GROUP BY {', '.join(str(n) for n in range(1, len(counter.keys) + 2))}",
        ]
    return statements


def install_stats_triggers(tables: dict[str, sa.Table]) -> None:
    """Create each counter table before the table it counts (so the tests' table-by-table cleanup
    empties it last, with no stray deltas), and the triggers right after that table."""
    for counter in COUNTERS:
        source = tables[counter.source]
        source.add_is_dependent_on(db.metadata.tables[counter.table])
    for dialect in ("postgresql", "sqlite"):
        build = _postgres if dialect == "postgresql" else _sqlite
        for counter in COUNTERS:
            for statement in build(counter):
                # DDL() formats its text with %, so the modulo is doubled here.
                ddl = sa.DDL(statement.replace("%", "%%")).execute_if(dialect=dialect)
                sa.event.listen(tables[counter.source], "after_create", ddl)
