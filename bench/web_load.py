"""What patients feel, on the production stack: the article GET (wrk), the inquiry cycle and the
POST under 8 concurrent clients, the server CPU per inquiry, and 303 → confirmation at SMTP.

Each figure is measured beside its baseline in alternating rounds; the medians are reported.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from bench import baselines
from bench.load import Browser, Tally, cycle_loop, median, paced_posts, percentile, post_loop, run_clients
from bench.stack import SLUG, Stack, free_port, gunicorn

PAGE = f"/{SLUG}/"
CLIENTS = 8


def wrk(url: str, seconds: int, connections: int = 16) -> dict:
    """`wrk -t2 -c16`: requests per second, latency percentiles, and any non-2xx/3xx answers."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)

    def latency(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {
        "per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def tagged(stack: Stack, tag: str) -> list:
    """The messages the sink accepted for the patients of one round (their addresses carry the tag)."""
    return [d for d in stack.delivered() if d.recipient.startswith(f"bench.{tag}.")]


def wait_for_deliveries(stack: Stack, tag: str, count: int, timeout: float = 180.0) -> float:
    """Wait until `count` messages of this round have arrived; returns when the last did (monotonic)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivered = tagged(stack, tag)
        if len(delivered) >= count:
            return delivered[count - 1].at
        time.sleep(0.1)
    raise RuntimeError(f"only {len(tagged(stack, tag))} of {count} messages arrived\n{stack.worker.tail()}")


def client_figures(tally: Tally, elapsed: float) -> dict:
    """What one load round's clients saw: rate, latency and errors."""
    return {
        "per_second": tally.done / elapsed,
        "p50_ms": percentile(tally.latencies, 0.5) * 1000,
        "p95_ms": percentile(tally.latencies, 0.95) * 1000,
        "errors": len(tally.errors),
        "error_kinds": sorted(set(tally.errors)),
    }


def article_get(stack: Stack, folder: Path, rounds: int, seconds: int) -> dict:
    """The article page vs a bare Flask route rendering a template of the same size."""
    _status, page_html = Browser(stack.base_url).get(PAGE)
    template_dir = baselines.write_bare_template(page_html.decode("utf-8"), folder / "bare-templates")
    port = free_port()
    bare = gunicorn(
        stack.env,
        folder,
        "bare",
        "bench.baselines:create_bare_app()",
        port,
        BARE_TEMPLATE_DIR=str(template_dir),
    )
    try:
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(wrk(stack.base_url + PAGE, seconds))
            theirs.append(wrk(f"http://127.0.0.1:{port}/page/", seconds))
    finally:
        bare.stop()
    return {
        "page_bytes": len(page_html),
        "built": ours,
        "baseline": theirs,
        "built_per_second": median([r["per_second"] for r in ours]),
        "baseline_per_second": median([r["per_second"] for r in theirs]),
        "requests": sum(r["requests"] for r in ours),
    }


def inquiry_cycle(stack: Stack, rounds: int, seconds: int, tag: str = "cycle") -> dict:
    """8 patients in a loop (GET the page, POST an inquiry); the servers' CPU per inquiry, counted
    until the worker has delivered every confirmation the round owed."""
    figures = []
    for n in range(rounds):
        before = stack.cpu()
        tally, elapsed = run_clients(CLIENTS, seconds, cycle_loop(stack.base_url, PAGE, f"{tag}{n}"))
        wait_for_deliveries(stack, f"{tag}{n}", tally.done)
        after = stack.cpu()
        figures.append(
            {
                "cycles": tally.done,
                **client_figures(tally, elapsed),
                "web_cpu_ms": (after["web"] - before["web"]) * 1000 / max(1, tally.done),
                "celery_cpu_ms": (after["worker"] - before["worker"]) * 1000 / max(1, tally.done),
            }
        )
    return {
        "rounds": figures,
        "per_second": median([f["per_second"] for f in figures]),
        "web_cpu_ms": median([f["web_cpu_ms"] for f in figures]),
        "celery_cpu_ms": median([f["celery_cpu_ms"] for f in figures]),
        "requests": sum(2 * f["cycles"] for f in figures),
    }


def inquiry_post(stack: Stack, rounds: int, seconds: int) -> dict:
    """8 clients posting inquiries (tokens taken once per client) vs plain psycopg transactions
    writing the same seven rows from 8 threads. The worker's backlog is drained between rounds."""
    ours, theirs = [], []
    for n in range(rounds):
        tally, elapsed = run_clients(CLIENTS, seconds, post_loop(stack.base_url, PAGE, f"post{n}"))
        ours.append({"inquiries": tally.done, **client_figures(tally, elapsed)})
        wait_for_deliveries(stack, f"post{n}", tally.done)
        tally, elapsed = baselines.plain_inserts(stack.env["DATABASE_URL"], CLIENTS, seconds)
        theirs.append({"inquiries": tally.done, "per_second": tally.done / elapsed})
    return {
        "built": ours,
        "baseline": theirs,
        "built_per_second": median([r["per_second"] for r in ours]),
        "baseline_per_second": median([r["per_second"] for r in theirs]),
        "requests": sum(r["inquiries"] for r in ours),
    }


def confirmation_latency(stack: Stack, rate: float, seconds: int) -> dict:
    """New inquiries at `rate` per second; the time from each 303 to its confirmation at the sink."""
    answered = paced_posts(stack.base_url, PAGE, "latency", rate, seconds)
    deadline = time.monotonic() + 60
    arrived: dict[str, float] = {}
    while time.monotonic() < deadline and len(arrived) < len(answered):
        arrived = {}
        for delivery in tagged(stack, "latency"):
            arrived.setdefault(delivery.recipient, delivery.at)  # the first: the confirmation
        time.sleep(0.2)
    latencies = [(arrived[email] - at) * 1000 for email, at in answered.items() if email in arrived]
    return {
        "inquiries": len(answered),
        "delivered": len(latencies),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies, default=float("nan")),
        "requests": 2 * len(answered),
    }
