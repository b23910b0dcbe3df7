"""boot.sh: `release` prepares the database once (compose's `migrate`), `serve` only serves."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from leads.config import PROJECT_ROOT

BOOT = PROJECT_ROOT / "boot.sh"


def boot(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'boot.sqlite'}",
    }
    return subprocess.run(
        ["sh", str(BOOT), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_release_migrates_imports_and_stops_and_can_run_again(tmp_path):
    first = boot("release", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(tmp_path / "boot.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1,)
    again = boot("release", tmp_path=tmp_path)
    assert again.returncode == 0, again.stderr


def test_an_unknown_mode_is_refused(tmp_path):
    result = boot("bogus", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "usage: boot.sh" in result.stderr
