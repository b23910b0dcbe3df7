"""Back up and restore the application's database, whichever engine it is.

PostgreSQL goes through pg_dump / pg_restore (custom format: compressed, restorable table by
table); the embedded SQLite file through its online backup API, which copies a consistent
snapshot while the app keeps writing. Backups hold every patient's data: files are created
0600 in a 0700 directory, and a failed dump never leaves a partial file behind.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message is one line for the operator."""


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else Debian's newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if candidates:
        # pg_dump refuses a server newer than itself: take the newest client installed.
        return max(candidates, key=_major_version)
    raise BackupError(
        f"{name} not found: install the PostgreSQL client tools (postgresql-client) or put {name} on PATH"
    )


def _major_version(path: str) -> int:
    version = Path(path).parts[-3]
    return int(version) if version.isdigit() else 0


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's own variables, so the password never appears on a command line (`ps` shows those)."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host or url.query.get("host"),
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.query.get("sslmode"),
    }
    env.update({name: value for name, value in values.items() if isinstance(value, str) and value})
    return env


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _private_file(path: Path) -> int:
    """Create `path` for writing, 0600, refusing to overwrite anything."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists; give another file name") from None
    except OSError as error:
        raise BackupError(f"cannot create {path}: {error.strerror}") from None


def default_path(backup_dir: Path, database_uri: str, now: datetime | None = None) -> Path:
    """A timestamped file in the backup directory (created 0700)."""
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite" if make_url(database_uri).get_backend_name() == "sqlite" else "dump"
    return backup_dir / f"leads-{stamp}.{suffix}"


def backup(database_uri: str, target: Path) -> Path:
    """Write a backup of the database to `target` (which must not exist yet) and return it."""
    url = make_url(database_uri)
    backend = url.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise BackupError(f"backups support PostgreSQL and SQLite, not {backend}")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    if target.exists():
        raise BackupError(f"{target} already exists; give another file name")
    fd = _private_file(partial)
    try:
        if backend == "postgresql":
            _pg_dump(url, fd)
        else:
            os.close(fd)
            fd = -1
            _sqlite_copy(_sqlite_path(url), partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        if fd >= 0:
            os.close(fd)
    return target


def _run(command: list[str], url: URL, **kwargs) -> None:
    result = subprocess.run(command, env=_pg_env(url), stderr=subprocess.PIPE, check=False, **kwargs)  # noqa: S603  (our own arguments, no shell)
    if result.returncode != 0:
        lines = result.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(
            f"{Path(command[0]).name} failed: {lines[-1] if lines else f'exit {result.returncode}'}"
        )


def _pg_dump(url: URL, fd: int) -> None:
    # To our own 0600 descriptor: pg_dump --file would create it with the umask's mode.
    _run([pg_tool("pg_dump"), "--format=custom", "--no-password"], url, stdout=fd)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a consistent snapshot of `source` over `target` with SQLite's online backup API."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} is damaged (PRAGMA quick_check failed)")
        src.backup(dst)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source}: {error}") from None
    finally:
        src.close()
        dst.close()


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} is neither a pg_dump custom-format archive nor a SQLite database")


def restore(database_uri: str, source: Path) -> None:
    """Replace the database's content with the backup in `source` (tables in it are dropped first)."""
    url = make_url(database_uri)
    backend = url.get_backend_name()
    kind = _kind(source)
    if kind != backend:
        raise BackupError(f"{source} is a {kind} backup but the database is {backend}")
    if backend == "postgresql":
        _run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={url.database}",
                str(source),
            ],
            url,
        )
        return
    target = _sqlite_path(url)
    if not target.exists():
        os.close(_private_file(target))
    _sqlite_copy(source, target)
