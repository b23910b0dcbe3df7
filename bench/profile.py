"""py-spy beside a benchmark phase: where a process spends its time, as the top frames.

`make bench` with PROFILE=1 (`python -m bench.suite --profile`) samples one gunicorn worker
through the inquiry cycle and the Celery worker through the confirmations, and keeps the top
frames in docs/benchmarks.json. py-spy comes with the dev requirements.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.stack import BIN

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")


@contextmanager
def recording(pid: int, output: Path) -> Iterator[None]:
    """Sample `pid` (idle threads too: time spent waiting on the database counts) while the block runs."""
    command = [
        str(BIN / "py-spy"), "record", "--pid", str(pid), "--rate", "200",
        "--format", "raw", "--output", str(output), "--nonblocking", "--idle",
    ]  # fmt: skip
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        spy.wait(timeout=60)


def _short(frame: str) -> str:
    match = FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "/work/main/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['function']} ({path})"


def top_frames(raw: Path, limit: int = 12) -> dict[str, list[tuple[str, float]]]:
    """The frames with the largest share of samples: inclusive (anywhere in the stack) and self."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    if not raw.exists():
        return {"inclusive": [], "self": []}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_short(frame) for frame in stack.split(";")[1:]]  # the first is the thread
        n = int(count)
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        if frames:
            own[frames[-1]] += n
    if not total:
        return {"inclusive": [], "self": []}

    def share(counter: Counter[str], skip=lambda frame: False) -> list[tuple[str, float]]:
        return [(frame, round(100 * n / total, 1)) for frame, n in counter.most_common() if not skip(frame)][
            :limit
        ]

    # Inclusive: our own code and the libraries it calls, without the frames every request passes.
    def generic(frame: str) -> bool:
        return any(
            word in frame
            for word in (
                "gunicorn/", "threading.py", "celery/", "kombu/", "billiard/", "click/", "concurrent/futures/",
                "flask/app.py", "werkzeug/", "tasks/__init__.py", "<module>",
            )
        )  # fmt: skip

    return {"inclusive": share(inclusive, generic), "self": share(own)}
