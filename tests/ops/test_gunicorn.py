"""gunicorn with gunicorn.conf.py: metrics added up across workers, access log in JSON without tokens or searches."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from leads.config import PROJECT_ROOT
from tests.live import http_get as get
from tests.ops.services import free_port
from tests.ops.test_metrics import value

pytestmark = pytest.mark.slow

GUNICORN = str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn")
TOKEN = "gunicorn-metrics-token"


@pytest.fixture
def gunicorn(make_app, base_env, tmp_path):
    make_app()  # the schema, and the tables emptied afterwards
    port = free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_1.db").write_bytes(b"left over from a previous run")
    env = {
        **os.environ,
        **{key: val for key, val in base_env.items() if key != "TESTING"},
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "METRICS_TOKEN": TOKEN,
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "app:create_app()"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.2)
        yield base, log_path, multiproc
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_metrics_add_up_across_workers_and_the_access_log_hides_tokens(gunicorn):
    base, log_path, multiproc = gunicorn
    for _ in range(30):
        assert get(f"{base}/healthz")[0] == 200
    get(f"{base}/q/secrettoken123.abc")
    get(f"{base}/dashboard/?q=zelda.secret%40example.com")
    get(f"{base}/unsubscribe/othertoken456")

    assert get(f"{base}/metrics")[0] == 404
    labels = {"endpoint": "health.healthz", "method": "GET", "status": "200"}
    for _ in range(6):  # whichever worker answers, it reports every worker's count
        status, text = get(f"{base}/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        assert value(text, "leads_request_duration_seconds_count", **labels) >= 31
    pids = {path.stem.rsplit("_", 1)[-1] for path in multiproc.glob("*.db")}
    assert len(pids) >= 2, pids  # two workers wrote counts (and the stale file is gone)

    time.sleep(0.5)  # the access log is written after the response
    output = log_path.read_text()
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [record["message"] for record in records if record["logger"] == "gunicorn.access"]
    assert any('"GET /q/[redacted] HTTP/1.1" 404' in line for line in access), access[-5:]
    assert any("/dashboard/?[redacted]" in line for line in access)
    assert any("/unsubscribe/[redacted]" in line for line in access)
    assert all("request_id=" in line for line in access)
    for secret in ("secrettoken123", "zelda", "othertoken456"):
        assert secret not in output
