"""After an erasure on PostgreSQL: old row versions keep the erased values until VACUUM reclaims them."""

from __future__ import annotations

import logging

from flask import current_app

from leads import task_names
from leads.extensions import db

log = logging.getLogger(__name__)


def vacuum_tables(tables: list[str]) -> list[str]:
    """VACUUM these tables (PostgreSQL only; SQLite erases with `secure_delete`). Returns those vacuumed."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return []
    known = set(db.metadata.tables)
    names = [name for name in tables if name in known]  # never a name from outside the schema
    # VACUUM cannot run inside a transaction block; INDEX_CLEANUP ON also drops the index
    # entries of the old versions (PostgreSQL may otherwise skip index cleanup for few rows).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in names:
            conn.exec_driver_sql(f'VACUUM (INDEX_CLEANUP ON) "{name}"')
    return names


def request_vacuum(tables: list[str]) -> bool:
    """Ask a worker to vacuum after the erasure committed. Best effort: autovacuum gets there too."""
    if db.engine.dialect.name != "postgresql":
        return False
    try:
        current_app.extensions["celery"].send_task(task_names.VACUUM_TABLES, args=[sorted(tables)])
    except Exception as error:  # noqa: BLE001  (the erasure is done; a broker outage must not undo the answer)
        log.warning("broker unavailable, vacuum after erasure left to autovacuum: %s", type(error).__name__)
        return False
    return True
