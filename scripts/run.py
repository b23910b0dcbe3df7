"""`make run`: prepare the local instance, then run web + worker + scheduler until Ctrl-C.

Steps, each safe to repeat: migrate the database, import the bundled article (only
when there is no article yet, so a restart keeps the clinic's own imports), create the first admin account (only if there is none), then hand over to
honcho, which runs the Procfile and stops every process it started on Ctrl-C.
Configuration comes from the shell environment (see README); `.env` is left to
docker-compose, so a production-looking `.env` never leaks into a local run.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEED = ROOT / "seed" / "stem-cell-spinal-stenosis.wp.json"

sys.path.insert(0, str(ROOT))


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def flask(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    """Run `flask --app app …` from the project root with the venv's flask."""
    return subprocess.run(  # noqa: S603  (our venv's flask, fixed arguments)
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        check=False,
        text=True,
        capture_output=capture,
    )


def has_command(group: str, name: str) -> bool:
    """Whether `flask GROUP NAME` exists yet (areas are added over time)."""
    result = flask(group, "--help", capture=True)
    return result.returncode == 0 and any(line.split()[:1] == [name] for line in result.stdout.splitlines())


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def prepare() -> str:
    """Migrate, import, bootstrap; returns what the admin bootstrap printed (may be empty)."""
    say("Migrating the database (flask db upgrade)")
    if flask("db", "upgrade").returncode != 0:
        sys.exit("make run: the database migration failed (see above)")

    if has_command("articles", "import"):
        say(f"Importing the bundled article if there is none ({SEED.relative_to(ROOT)})")
        # The bundled article is about spinal stenosis: its questionnaire is that profile's.
        if (
            flask("articles", "import", "--if-empty", "--profile", "spinal_stenosis", str(SEED)).returncode
            != 0
        ):
            sys.exit("make run: importing the bundled article failed (see above)")
    else:
        say("`flask articles import` is not available yet: skipping the article import")

    if not has_command("users", "bootstrap-admin"):
        say("`flask users bootstrap-admin` is not available yet: no admin account created")
        return ""
    result = flask("users", "bootstrap-admin", capture=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        sys.exit("make run: creating the first admin account failed (see above)")
    return result.stdout.strip()


def declare_broker_queues() -> None:
    """Create the broker's queues once, before three processes race to create them.

    kombu's SQLAlchemy transport (the default without REDIS_URL) inserts a row per queue
    on first use; a worker, beat and the web server doing that at the same moment on a
    new instance made the loser fail with a UNIQUE error. Harmless with Redis.
    """
    from leads import create_app

    celery_app = create_app().extensions["celery"]
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in celery_app.amqp.queues.values():
            queue(channel).declare()


def banner(base: str, settings: dict, admin_note: str) -> str:
    slug = json.loads(SEED.read_text(encoding="utf-8")).get("slug", "")
    lines = [
        "",
        "=" * 72,
        f"  Open {base}/{slug}/" if slug else f"  Open {base}/",
        f"  Dashboard: {base}/dashboard/",
    ]
    if admin_note:
        lines += ["", *(f"  {line}" for line in admin_note.splitlines())]
    if not settings["MAIL_SERVER"]:
        lines.append(f"  Emails are written as .eml files to {settings['MAIL_OUTBOX_DIR']}")
    else:
        lines.append(f"  Emails go to {settings['MAIL_SERVER']}:{settings['MAIL_PORT']}")
    lines += ["  Press Ctrl-C to stop the web server, the worker and the scheduler.", "=" * 72, ""]
    return "\n".join(lines)


def announce_when_ready(base: str, text: str, stop: threading.Event) -> None:
    """Print the banner again once /healthz answers, so it is not lost above the logs."""
    deadline = time.monotonic() + 60
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310  (our own local URL)
                if response.status == 200:
                    print(text, flush=True)
                    return
        except (urllib.error.URLError, OSError):
            pass
        stop.wait(0.5)


def main() -> int:
    from leads.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as error:
        sys.exit(f"make run: {error}")
    host, port = settings["HOST"], settings["PORT"]
    if not port_free(host, port):
        sys.exit(f"make run: {host}:{port} is already in use; stop what runs there or set PORT=…")

    admin_note = prepare()
    declare_broker_queues()
    shown_host = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104  (a display mapping, not a bind)
    base = f"http://{shown_host}:{port}"
    text = banner(base, settings, admin_note)
    print(text, flush=True)

    env = {
        **os.environ,
        "HOST": host,
        "PORT": str(port),
        # honcho gives each process its own PORT (5000, 5100, ...): pin the address that
        # links in emails use, or the worker would write links to a port nobody serves.
        "PUBLIC_BASE_URL": settings["PUBLIC_BASE_URL"] or base,
        "BEAT_SCHEDULE_FILE": str(Path(settings["INSTANCE_PATH"]) / "celerybeat-schedule"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        # `celery -A app:celery_app` builds the app lazily, after Celery has taken the
        # project folder off sys.path again; this keeps `leads` and `tasks` importable.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        "PYTHONUNBUFFERED": "1",
    }
    # honcho puts each process in its own group and stops them all on SIGINT/SIGTERM.
    # `--env /dev/null`: see the module docstring about .env.
    honcho = subprocess.Popen(  # noqa: S603  (our venv's honcho, fixed arguments)
        [str(BIN / "honcho"), "start", "--procfile", "Procfile", "--env", "/dev/null", "--port", str(port)],
        cwd=ROOT,
        env=env,
    )

    def forward(signum: int, _frame: object) -> None:
        # Ctrl-C reaches honcho through the terminal too; a signal sent to this process
        # alone (kill -INT) must reach it as well. honcho ignores a second request.
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    stop = threading.Event()
    threading.Thread(target=announce_when_ready, args=(base, text, stop), daemon=True).start()
    code = honcho.wait()
    stop.set()
    say("Stopped.")
    # honcho exits with the signal's code after Ctrl-C; that is a normal stop.
    return 0 if code in (0, 130, 143, -2, -15) else code


if __name__ == "__main__":
    sys.exit(main())
