"""`make run` for real: it serves the article, the worker writes the confirmation, Ctrl-C leaves nothing running."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from leads.config import PROJECT_ROOT

pytestmark = pytest.mark.slow


def _smoke_module():
    spec = importlib.util.spec_from_file_location("smoke_run", PROJECT_ROOT / "scripts" / "smoke_run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_run_serves_sends_and_stops_cleanly():
    assert shutil.which("make"), "make is needed for `make run`"
    failures, output = _smoke_module().smoke(startup_timeout=90)
    assert failures == [], "\n".join(failures) + "\n--- make run printed (tail) ---\n" + output[-3000:]
    assert "Press Ctrl-C to stop" in output
