"""Column types that behave the same on SQLite and PostgreSQL."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class JSONType(sa.TypeDecorator):
    """JSON everywhere, stored as JSONB on PostgreSQL."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(sa.JSON())
