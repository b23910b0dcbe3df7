"""instance/ is 0700 and every database, broker, schedule and key file in it 0600."""

from __future__ import annotations

import stat
from pathlib import Path

from leads import create_app
from leads.extensions import db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_create_app_makes_the_instance_folder_and_its_files_private(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    # Left by an older version or another tool, readable by everyone.
    schedule = instance / "celerybeat-schedule"
    schedule.write_text("")
    schedule.chmod(0o644)
    app = create_app(env={"INSTANCE_PATH": str(instance), "TESTING": "1"})
    with app.app_context():
        db.create_all()  # SQLite opens (and would create) the database file here
        db.engine.dispose()
    names = {path.name for path in instance.iterdir()}
    assert {"leads.sqlite", "broker.sqlite", "secret_key", "celerybeat-schedule"} <= names
    assert mode(instance) == 0o700
    for path in instance.iterdir():
        expected = 0o700 if path.is_dir() else 0o600
        assert mode(path) == expected, (path.name, oct(mode(path)))


def test_files_the_process_creates_later_are_private_from_the_start(tmp_path):
    create_app(env={"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": "1"})
    later = tmp_path / "instance" / "celerybeat-schedule.db"
    later.write_text("")  # as beat's shelve does, after the app is built
    assert mode(later) == 0o600
