"""instance/ holds the SQLite database, the broker, beat's schedule, the secret key and the
emails written as files: patient data and keys. Only the account that runs the service may
read it: the folder is 0700 and every file in it 0600.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import make_url

from leads.config import ConfigError

PRIVATE_UMASK = 0o077


def sqlite_files(urls: Iterable[str]) -> list[Path]:
    """The files behind the SQLite URLs among `urls` (the database, kombu's SQLAlchemy broker)."""
    paths = []
    for url in urls:
        if url.startswith("sqla+"):
            url = url[len("sqla+") :]
        if url.startswith("sqlite:///"):
            database = make_url(url).database
            if database and database != ":memory:":
                paths.append(Path(database))
    return paths


def secure_instance(instance: Path, databases: Iterable[Path] = ()) -> None:
    """Make `instance` private and keep it so for whatever this process writes later."""
    # Files this process creates from now on (SQLite journals, beat's schedule, .eml files)
    # are private from the start; a chmod afterwards would leave a window.
    os.umask(PRIVATE_UMASK)
    try:
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)
        instance.chmod(0o700)
        for database in databases:
            if database.parent.resolve() == instance.resolve() and not database.exists():
                # SQLite would create it 0644 under a default umask; its journals copy the mode.
                os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        for entry in instance.iterdir():
            if entry.is_symlink():
                continue
            if entry.is_dir():
                entry.chmod(0o700)
            elif entry.is_file():
                entry.chmod(0o600)
    except OSError as error:
        raise ConfigError(
            f"INSTANCE_PATH {instance}: cannot make it private ({error.strerror or error})"
        ) from None
