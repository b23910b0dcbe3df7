"""Backups of the database: pg_dump's custom format on PostgreSQL, SQLite's online backup API."""
