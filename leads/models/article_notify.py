"""A notification at the commit of every write to `articles`, for the web processes' page caches.

A statement trigger, so a bulk write sends one; PostgreSQL folds the notifications of one
transaction into one. Whichever code path wrote (ORM, Core, psql, another host), every process
listening hears it (leads/articles/changes.py). SQLite has no notifications: there each GET
checks its page with a query instead.
"""

from __future__ import annotations

import sqlalchemy as sa

CHANNEL = "article_changed"

POSTGRES_SQL = [
    # Built from this module's constant only.
    f"""
CREATE OR REPLACE FUNCTION articles_notify_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END;
$$
""".strip(),
    "CREATE TRIGGER articles_notify_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON articles "
    "FOR EACH STATEMENT EXECUTE FUNCTION articles_notify_changed()",
]
DROP_SQL = [
    "DROP TRIGGER IF EXISTS articles_notify_changed ON articles",
    "DROP FUNCTION IF EXISTS articles_notify_changed()",
]


def install_change_trigger(articles: sa.Table) -> None:
    """Hook the trigger to `create_all()` (the tests); the migration runs POSTGRES_SQL itself."""
    for statement in POSTGRES_SQL:
        sa.event.listen(articles, "after_create", sa.DDL(statement).execute_if(dialect="postgresql"))
