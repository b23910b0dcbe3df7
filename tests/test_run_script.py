"""`make run`'s preparation (scripts/run.py), for real: a restart keeps the clinic's later import."""

from __future__ import annotations

import importlib.util
import json
import sqlite3

from leads.config import PROJECT_ROOT
from tests.factories import seed_payload


def _run_module():
    spec = importlib.util.spec_from_file_location("run_script", PROJECT_ROOT / "scripts" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_restart_keeps_the_clinics_updated_article(tmp_path, monkeypatch):
    database = tmp_path / "run.sqlite"
    for name in ("APP_ENV", "MAIL_SERVER", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    run = _run_module()

    run.prepare()  # first start: the bundled article
    updated = seed_payload()
    updated["title"]["rendered"] = "Spinal stenosis: our updated article"
    post = tmp_path / "updated.wp.json"
    post.write_text(json.dumps(updated))
    assert run.flask("articles", "import", str(post)).returncode == 0
    run.prepare()  # a restart

    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT title FROM articles").fetchall() == [
            ("Spinal stenosis: our updated article",)
        ]
