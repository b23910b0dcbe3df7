"""Make the audit log append-only in PostgreSQL itself, not only by the app's good manners.

`append_only_sql()` gives the statements for a migration; `install_append_only_trigger()` hooks
them to the table's `after_create`, so `db.create_all()` (the tests) installs them too.
TRUNCATE is left alone on purpose: it needs the table owner's rights, which the app role should
not have in production, and the test suite empties tables with it.
"""

from __future__ import annotations

import sqlalchemy as sa

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'audit_log is append-only: ' || TG_OP || ' is not allowed',
        ERRCODE = 'insufficient_privilege';
END;
$$
""".strip()

TRIGGER_SQL = """
CREATE TRIGGER audit_log_append_only
BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
""".strip()

DROP_SQL = [
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_append_only()",
]


def append_only_sql() -> list[str]:
    """The statements, in order, for a migration's upgrade (`DROP_SQL` undoes them)."""
    return [FUNCTION_SQL, TRIGGER_SQL]


def install_append_only_trigger(table: sa.Table) -> None:
    """Create the trigger right after the table, on PostgreSQL only."""
    for statement in append_only_sql():
        sa.event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect="postgresql"))
