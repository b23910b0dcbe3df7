"""`make bench`'s bookkeeping: the table it writes into docs/benchmarks.md and what it reads off wrk.

The figures themselves are measured by `make bench`, never here (a benchmark is not a test).
"""

from __future__ import annotations

import subprocess

import pytest

from bench import report, web_load

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:5000/page/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.90ms    1.20ms  30.00ms   90.00%
    Req/Sec     1.17k   100.00     1.30k    70.00%
  Latency Distribution
     50%  812.00us
     75%    7.10ms
     90%    8.00ms
     99%    1.20s
  23311 requests in 10.01s, 900.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2329.70
Transfer/sec:     89.91MB
"""


def figures(cycle_per_second: float = 140.0, page_ratio: float = 0.8) -> dict:
    return {
        "date": "2026-12-02T05:00:00+00:00",
        "rounds": 3,
        "duration_s": 600,
        "machine": {"cpus": 2, "cpu_model": "Test CPU", "python": "3.11.7",
                    "load_before": [1.0, 1.0, 1.0], "load_after": [2.0, 2.0, 2.0]},
        "inquiry_cycle": {"per_second": cycle_per_second, "web_cpu_ms": 3.0, "celery_cpu_ms": 2.0},
        "article_get": {"built_per_second": 1000 * page_ratio, "baseline_per_second": 1000.0},
    }  # fmt: skip


def test_a_run_reads_wrk_s_rate_latencies_and_failed_answers(monkeypatch):
    monkeypatch.setattr(
        subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=WRK_OUTPUT, stderr="")
    )
    result = web_load.wrk("http://127.0.0.1:5000/page/", 10)
    assert result["per_second"] == pytest.approx(2329.70)
    assert result["requests"] == 23311
    assert result["p50_ms"] == pytest.approx(0.812)
    assert result["p99_ms"] == pytest.approx(1200.0)
    assert result["non_2xx"] == 3


def test_each_row_says_whether_its_target_is_met():
    met = {row[0]: row for row in report.rows(figures(cycle_per_second=140.0, page_ratio=0.8))}
    missed = {row[0]: row for row in report.rows(figures(cycle_per_second=100.0, page_ratio=0.5))}
    cycle = "inquiry cycle (GET form → POST), 8 clients, cycles/s"
    page = "article GET, req/s (wrk -t2 -c16)"
    assert met[cycle][3] == "3.20x" and met[cycle][5] == "met"
    assert missed[cycle][5] == "**missed**"
    assert met[page][3] == "80%" and met[page][5] == "met"
    assert missed[page][5] == "**missed**"
    cpu = met["server CPU per inquiry, gunicorn + Celery, ms"]
    assert cpu[1] == "3.0 + 2.0 = 5.0" and cpu[5] == "met"


def test_only_the_marked_part_of_the_document_is_rewritten(tmp_path, monkeypatch):
    doc, raw = tmp_path / "benchmarks.md", tmp_path / "benchmarks.json"
    doc.write_text(
        f"# Benchmarks\n\nBy hand.\n\n{report.BEGIN}\nold table\n{report.END}\n\n## Profiles\n\nKept.\n"
    )
    monkeypatch.setattr(report, "DOC", doc)
    monkeypatch.setattr(report, "RAW", raw)
    report.write(figures())
    text = doc.read_text()
    assert "old table" not in text
    assert text.startswith("# Benchmarks\n\nBy hand.\n\n")
    assert text.endswith("## Profiles\n\nKept.\n")
    assert text.count(report.BEGIN) == 1 and text.count(report.END) == 1
    assert "| article GET, req/s (wrk -t2 -c16) | 800.0 |" in text
    assert '"built_per_second": 800.0' in raw.read_text()
