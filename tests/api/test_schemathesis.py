"""schemathesis, against the live API: no 5xx, and no answer the OpenAPI document does not allow.

The app is served by werkzeug on a free loopback port with an article to write to; the
`schemathesis` command (pinned in requirements-dev.txt) reads `/api/v1/openapi.json` from it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from leads.api.openapi import EXAMPLE
from leads.config import PROJECT_ROOT
from leads.extensions import db
from leads.models import Inquiry
from tests.factories import make_article
from tests.live import LiveServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SCHEMATHESIS = PROJECT_ROOT / ".venv" / "bin" / "schemathesis"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "missing_required_header",
    ]
)


@pytest.fixture
def live_api(make_app):
    # Rate limits off, or most generated requests would only meet the 429 (tested on its own).
    app = make_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        make_article(slug=EXAMPLE["article"])
        db.session.commit()
        db.session.remove()
    with LiveServer(app) as live:
        yield app, live.base


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(live_api, tmp_path: Path):
    assert shutil.which(str(SCHEMATHESIS)), "schemathesis is pinned in requirements-dev.txt"
    app, base = live_api
    result = subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{base}/api/v1/openapi.json",
            "--checks", CHECKS,
            "--max-examples", "40",
            "--seed", "12",
            "--workers", "1",
            "--request-timeout", "20",
            "--no-color",
            "--report", "junit", "--report-dir", str(tmp_path),
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    with app.app_context():
        # The documented example reached the code that stores: not every request was refused.
        stored = db.session.scalar(db.select(db.func.count()).select_from(Inquiry))
        db.session.remove()
    assert stored >= 1, result.stdout[-3000:]
