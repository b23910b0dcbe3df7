"""Settings from the environment, with embedded defaults that need no server.

Every setting the application reads is built here, once, by `load_settings()`.
Nothing else reads `os.environ`.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def N_(text: str) -> str:
    """Marks a default text for the catalogue (pybabel -k N_); pages translate it when shown."""
    return text


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message is one line meant for the operator."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _at_least(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    value = _int(env, name, default)
    if value < minimum:
        raise ConfigError(f"{name} must be {minimum} or more, got {value}")
    return value


def _int_list(env: Mapping[str, str], name: str, default: str) -> list[int]:
    raw = env.get(name, "") or default
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated whole numbers, got {raw!r}") from None


def _timezone(env: Mapping[str, str], name: str, default: str) -> str:
    """An IANA time zone name, checked now rather than on the first page that needs it."""
    raw = env.get(name, "").strip() or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(f"{name} must be a time zone name like Europe/London, got {raw!r}") from None
    return raw


def _rate_limit(env: Mapping[str, str], name: str, default: str) -> str:
    """A limit such as "5 per 15 minutes", checked now rather than at the first failed login."""
    raw = env.get(name, "").strip() or default
    try:
        parse(raw)
    except ValueError:
        raise ConfigError(f'{name} must be a limit like "5 per 15 minutes", got {raw!r}') from None
    return raw


def _minutes(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of minutes, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be more than 0, got {raw!r}")
    return value


def _ids(env: Mapping[str, str], name: str) -> list[int]:
    ids = _int_list(env, name, "")
    if any(value <= 0 for value in ids):
        raise ConfigError(f"{name} must be WordPress ids (whole numbers above 0), got {env.get(name)!r}")
    return ids


def _csv(env: Mapping[str, str], name: str) -> list[str]:
    return [part.strip() for part in env.get(name, "").split(",") if part.strip()]


def _term_profiles(env: Mapping[str, str], name: str) -> dict[str, str]:
    """`category:sciatica=sciatica,tag:12=knee_osteoarthritis` as {"category:sciatica": "sciatica", ...}."""
    mapping = {}
    for part in _csv(env, name):
        term, _, profile = (piece.strip() for piece in part.partition("="))
        kind, _, value = term.partition(":")
        if kind.lower() not in ("category", "tag") or not value.strip() or not profile:
            raise ConfigError(
                f"{name} must be comma-separated category:<slug or id>=<profile> or tag:<slug or id>=<profile>,"
                f" got {part!r}"
            )
        mapping[f"{kind.lower()}:{value.strip().lower()}"] = profile
    return mapping


def _instance_secret(instance_path: Path) -> str:
    """A secret generated on first start and kept under instance/, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with 0600 so other local users cannot read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _database_url(raw: str, instance_path: Path) -> str:
    if not raw:
        return f"sqlite:///{instance_path / 'leads.sqlite'}"
    # Heroku-style and plain URLs mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    if value.upper() in choices:
        return value.upper()
    if value.lower() in choices:
        return value.lower()
    raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


def _networks(env: Mapping[str, str], name: str) -> list:
    try:
        return [ipaddress.ip_network(part, strict=False) for part in _csv(env, name)]
    except ValueError:
        raise ConfigError(
            f"{name} must be comma-separated networks like 10.0.0.0/8, got {env[name]!r}"
        ) from None


def _connect_timeout(database_url: str, seconds: int) -> dict:
    """PostgreSQL only: a host that drops packets must fail a request (and /readyz) in
    seconds; libpq's default is to wait for ever."""
    if database_url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": seconds}}
    return {}


# What a patient must be told about who the clinic is; the defaults only suit a local run.
CLINIC_REQUIRED = {
    "MAIL_DEFAULT_SENDER": "the clinic's sender address for patient emails",
    "CLINIC_NAME": "the clinic's name for pages and emails",
    "CLINIC_ADDRESS": "the clinic's postal address for the footer of pages and emails",
    "CLINIC_PHONE": "the clinic's phone number for the footer of pages and emails",
}


def check_clinic_identity(env: Mapping[str, str]) -> None:
    """Production: patients must see who the clinic is and read its privacy notice (one line each)."""
    for name, what in CLINIC_REQUIRED.items():
        if not env.get(name, "").strip():
            raise ConfigError(f"APP_ENV=production needs {name} ({what})")
    if not (env.get("PRIVACY_NOTICE_URL", "").strip() or env.get("PRIVACY_NOTICE_FILE", "").strip()):
        raise ConfigError(
            "APP_ENV=production needs PRIVACY_NOTICE_URL or PRIVACY_NOTICE_FILE (the privacy notice)"
        )


def check_privacy_notice(env: Mapping[str, str]) -> None:
    """A privacy notice that is set must be servable: a readable file, or an http(s) address."""
    notice = env.get("PRIVACY_NOTICE_FILE", "").strip()
    if notice and not Path(notice).is_file():
        raise ConfigError(f"PRIVACY_NOTICE_FILE={notice} is not a readable file")
    url = env.get("PRIVACY_NOTICE_URL", "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError(f"PRIVACY_NOTICE_URL must be an http(s) address, not {url[:60]!r}")


# Loopback is a secure context in browsers, so a compose stack tried on one machine may use http.
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def check_production_services(env: Mapping[str, str]) -> None:
    """What production needs to be safe across processes and behind its own name; one line each.

    Without Redis, login throttling and rate limits count per process (three workers check three
    times as many passwords, and a restart forgets them); without PUBLIC_BASE_URL, links would
    have to be built from whatever Host header a request brings.
    """
    if not env.get("REDIS_URL", "").strip():
        raise ConfigError(
            "APP_ENV=production needs REDIS_URL: login throttling and rate limits must be shared by every process"
        )
    base = env.get("PUBLIC_BASE_URL", "").strip()
    parts = urlsplit(base)
    if not base or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            "APP_ENV=production needs PUBLIC_BASE_URL, the site's public https address (e.g. https://clinic.example)"
        )
    if parts.scheme != "https" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ConfigError(f"PUBLIC_BASE_URL must start with https:// when APP_ENV=production, got {base!r}")


def load_settings(env: Mapping[str, str] | None = None, instance_path: Path | None = None) -> dict:
    """Build the Flask config mapping from `env` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    instance_path = Path(env.get("INSTANCE_PATH") or instance_path or PROJECT_ROOT / "instance")
    app_env = env.get("APP_ENV", "development").strip().lower() or "development"
    production = app_env == "production"

    if production:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not env.get(name)]
        if missing:
            raise ConfigError(f"APP_ENV=production needs {' and '.join(missing)} set in the environment")
        check_production_services(env)

        check_clinic_identity(env)
    check_privacy_notice(env)

    redis_url = env.get("REDIS_URL", "").strip()
    database_url = _database_url(env.get("DATABASE_URL", "").strip(), instance_path)
    mail_server = env.get("MAIL_SERVER", "").strip()

    settings: dict = {
        "APP_ENV": app_env,
        "PRODUCTION": production,
        "TESTING": _bool(env.get("TESTING"), False),
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance_path),
        # Earlier keys, comma-separated: still accepted on sessions, links and cookies, never used to sign.
        "SECRET_KEY_FALLBACKS": _csv(env, "SECRET_KEY_FALLBACKS"),
        # Database
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: a database error's message (and so the log) never carries the
        # values of the statement, which may be names, emails or answers. No pre-ping (a round
        # trip per request): connections the server closed are dropped at checkout
        # (leads/db_liveness.py), and recycling them after 5 minutes retires any a firewall or
        # NAT forgot without telling either end.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 300, "hide_parameters": True}
        | _connect_timeout(database_url, _int(env, "DATABASE_CONNECT_TIMEOUT_SECONDS", 3)),
        # The embedded SQLite default only (see leads/sqlite_pragmas.py).
        "SQLITE_JOURNAL_MODE": _choice(env, "SQLITE_JOURNAL_MODE", "wal", ("wal", "delete")),
        "SQLITE_BUSY_TIMEOUT_MS": _at_least(env, "SQLITE_BUSY_TIMEOUT_MS", 5000, 0),
        # Redis: broker, rate-limit storage. Unset means embedded, server-less fallbacks.
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": env.get("CELERY_BROKER_URL")
        or redis_url
        or f"sqla+sqlite:///{instance_path / 'broker.sqlite'}",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "leads"),
        # Namespaces Celery's Redis keys, so two deployments (or test runs) can share one Redis.
        "CELERY_KEY_PREFIX": env.get("CELERY_KEY_PREFIX", ""),
        # Counted on stored submissions only, so typing mistakes never use it up.
        "INQUIRY_RATE_LIMIT": env.get("INQUIRY_RATE_LIMIT", "5 per minute;30 per day"),
        # Every POST of the form, refused or stored: the ceiling for a client that only sends errors.
        "INQUIRY_POST_LIMIT": env.get("INQUIRY_POST_LIMIT", "30 per minute;300 per day"),
        # The same address sending the same article's form with the same content within this
        # many minutes is a repeat (Back, then send): recorded, but no new inquiry or email.
        "REPEAT_WINDOW_MINUTES": _int(env, "REPEAT_WINDOW_MINUTES", 30),
        # Logs: one JSON object per line on stderr ("text" for plain lines when reading by eye).
        "LOG_LEVEL": _choice(env, "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", "json", ("json", "text")),
        # Monitoring: /metrics answers a bearer token or an address in these networks, else 404.
        "METRICS_TOKEN": env.get("METRICS_TOKEN", "").strip(),
        "METRICS_ALLOW_NETWORKS": _networks(env, "METRICS_ALLOW_NETWORKS"),
        # The Celery worker serves its own counts (emails, task times) here when set; same guard.
        "WORKER_METRICS_PORT": _int(env, "WORKER_METRICS_PORT", 0),
        "WORKER_METRICS_HOST": env.get("WORKER_METRICS_HOST", "0.0.0.0"),  # noqa: S104  (guarded; off by default)
        # Errors go to Sentry when set (personal data scrubbed: leads/sentry.py).
        "SENTRY_DSN": env.get("SENTRY_DSN", "").strip(),
        # When the rate-limit storage (Redis) is down: "memory" counts per process, "open" stops
        # limiting the public form. Either way the form keeps storing inquiries; logins are refused.
        "RATELIMIT_ON_STORAGE_FAILURE": _choice(
            env, "RATELIMIT_ON_STORAGE_FAILURE", "memory", ("memory", "open")
        ),
        # A dead Redis must answer fast, not hold the request (limits hands these to redis-py).
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1} if redis_url else {},
        # Web
        "HOST": env.get("HOST", "127.0.0.1"),
        "PORT": _int(env, "PORT", 5000),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        # How many reverse proxies sit in front of the app; their X-Forwarded-* headers are
        # trusted so rate limits, login throttling and the audit log see the client's address.
        "TRUSTED_PROXY_COUNT": _int(env, "TRUSTED_PROXY_COUNT", 0),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 64 * 1024),
        "WTF_CSRF_TIME_LIMIT": _int(env, "WTF_CSRF_TIME_LIMIT", 6 * 3600),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # The __Host- prefix pins the cookie to this exact host over HTTPS.
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 30),
        # A login ends this long after it began, however busy: a stolen session cookie does not
        # stay useful for as long as someone keeps it warm.
        "SESSION_MAX_HOURS": _int(env, "SESSION_MAX_HOURS", 12),
        # Clinic and content
        "CLINIC_NAME": env.get("CLINIC_NAME", "Stemlix Clinic"),
        # Shown in the footer of every page and email; required in production.
        "CLINIC_ADDRESS": env.get("CLINIC_ADDRESS", ""),
        "CLINIC_PHONE": env.get("CLINIC_PHONE", ""),
        # The privacy notice: a URL of the clinic's own page, or a text file served at /privacy/.
        "PRIVACY_NOTICE_URL": env.get("PRIVACY_NOTICE_URL", "").strip(),
        "PRIVACY_NOTICE_FILE": env.get("PRIVACY_NOTICE_FILE", "").strip(),
        # Consultations: where they happen (a booking picks one), and when the patient is reminded.
        "CONSULTATION_VIDEO_LINK": env.get("CONSULTATION_VIDEO_LINK", ""),
        "CONSULTATION_REMINDER_HOURS": _at_least(env, "CONSULTATION_REMINDER_HOURS", 24, 1),
        "PHONE_DEFAULT_REGION": env.get("PHONE_DEFAULT_REGION", "US").upper(),
        # The language of a post whose WordPress data names none, and of pages with no article.
        "DEFAULT_LANGUAGE": env.get("DEFAULT_LANGUAGE", "en").strip().lower(),
        "CONSENT_VERSION": env.get("CONSENT_VERSION", "2026-11-01"),
        # Both texts are looked up in the catalogue: a changed text needs its translations there.
        "CONSENT_TEXT": env.get(
            "CONSENT_TEXT",
            N_(
                "I agree that the clinic may store the details I send here and contact me "
                "about my inquiry. I can withdraw this consent at any time."
            ),
        ),
        "MEDICAL_DISCLAIMER": env.get(
            "MEDICAL_DISCLAIMER",
            N_(
                "This article is general information, not medical advice. It does not replace "
                "an examination by a qualified clinician. Treatments described here may not be "
                "suitable for everyone."
            ),
        ),
        # WordPress category or tag -> questionnaire condition profile (leads/questionnaire/profiles/).
        "ARTICLE_PROFILE_TERMS": _term_profiles(env, "ARTICLE_PROFILE_TERMS"),
        # Mail: unset MAIL_SERVER means each message is written as an .eml under instance/.
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int(env, "MAIL_PORT", 587 if mail_server else 25),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL"), False),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_TIMEOUT_SECONDS": _int(env, "MAIL_TIMEOUT_SECONDS", 20),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Stemlix Clinic <care@localhost>"),
        "MAIL_OUTBOX_DIR": env.get("MAIL_OUTBOX_DIR") or str(instance_path / "outbox"),
        # Follow-up sequence
        "QUESTIONNAIRE_DELAY_SECONDS": _int(env, "QUESTIONNAIRE_DELAY_SECONDS", 300),
        "REMINDER_DAYS": _int_list(env, "REMINDER_DAYS", "2,5"),
        "QUESTIONNAIRE_TTL_DAYS": _int(env, "QUESTIONNAIRE_TTL_DAYS", 30),
        "UNSUBSCRIBE_TTL_DAYS": _int(env, "UNSUBSCRIBE_TTL_DAYS", 365),
        "COORDINATOR_EMAILS": _csv(env, "COORDINATOR_EMAILS"),
        # New-inquiry notifications: at most one per lead in this many minutes.
        "NOTIFY_BATCH_MINUTES": _at_least(env, "NOTIFY_BATCH_MINUTES", 15, 1),
        # Replies: patient emails carry Reply-To replies+<token>@REPLY_DOMAIN when set; `flask mail
        # receive` takes messages up to INBOUND_MAX_BYTES, keeping attachments up to ATTACHMENT_MAX_BYTES each.
        "REPLY_DOMAIN": env.get("REPLY_DOMAIN", "").strip().lower(),
        "INBOUND_MAX_BYTES": _at_least(env, "INBOUND_MAX_BYTES", 25 * 1024 * 1024, 1024),
        "ATTACHMENT_MAX_BYTES": _at_least(env, "ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024, 0),
        "EMAIL_MAX_ATTEMPTS": _int(env, "EMAIL_MAX_ATTEMPTS", 8),
        "EMAIL_RETRY_BASE_SECONDS": _int(env, "EMAIL_RETRY_BASE_SECONDS", 30),
        "EMAIL_RETRY_MAX_SECONDS": _int(env, "EMAIL_RETRY_MAX_SECONDS", 1800),
        # A worker's hold on a row it is sending, renewed before each SMTP transaction: a killed
        # worker's rows go back to pending at most this long (plus one sweep) after it died.
        "EMAIL_LEASE_SECONDS": _int(env, "EMAIL_LEASE_SECONDS", 60),
        # How long a worker keeps retrying to record "sent" while the database is away
        # (bounded so the row's lease has not run out by then, which would mean a re-send).
        "EMAIL_RECORD_RETRY_SECONDS": _int(env, "EMAIL_RECORD_RETRY_SECONDS", 20),
        "DIGEST_HOUR_UTC": _int(env, "DIGEST_HOUR_UTC", 7),
        # Broker: the visibility timeout must exceed the longest retry delay (checked in tasks).
        "BROKER_VISIBILITY_TIMEOUT_SECONDS": _int(env, "BROKER_VISIBILITY_TIMEOUT_SECONDS", 3600),
        "BROKER_CONNECT_TIMEOUT_SECONDS": _int(env, "BROKER_CONNECT_TIMEOUT_SECONDS", 1),
        # /readyz goes red when an unsent email or webhook is overdue by more than this (workers stalled).
        "READY_MAX_OVERDUE_MINUTES": _int(env, "READY_MAX_OVERDUE_MINUTES", 15),
        "OUTBOX_SWEEP_SECONDS": _int(env, "OUTBOX_SWEEP_SECONDS", 60),
        # Touched by the worker every few seconds while it consumes (tasks/liveness.py); one per worker.
        "WORKER_HEARTBEAT_FILE": env.get("WORKER_HEARTBEAT_FILE") or str(instance_path / "worker.heartbeat"),
        # Older than this, the health check fails and scripts/supervise.py restarts the worker.
        "WORKER_HEARTBEAT_STALE_SECONDS": _int(env, "WORKER_HEARTBEAT_STALE_SECONDS", 60),
        # Rows one worker sends over one SMTP connection before it lets go.
        "OUTBOX_BATCH_SIZE": _int(env, "OUTBOX_BATCH_SIZE", 50),
        # Dashboard
        "FIRST_RESPONSE_BUSINESS_DAYS": _int(env, "FIRST_RESPONSE_BUSINESS_DAYS", 1),
        # A red flag: the patient is to be contacted within this many minutes, any day of the week.
        "URGENT_RESPONSE_MINUTES": _at_least(env, "URGENT_RESPONSE_MINUTES", 60, 1),
        # Business days (Mon-Fri) are counted in the clinic's own time zone.
        "CLINIC_TIMEZONE": _timezone(env, "CLINIC_TIMEZONE", "UTC"),
        "ROUND_ROBIN_ASSIGNMENT": _bool(env.get("ROUND_ROBIN_ASSIGNMENT"), False),
        "INBOX_PAGE_SIZE": _int(env, "INBOX_PAGE_SIZE", 50),
        # A larger export runs on a worker (progress on a page, then a download), never in a request.
        "EXPORT_INLINE_MAX_ROWS": _at_least(env, "EXPORT_INLINE_MAX_ROWS", 5000, 0),
        # Login throttling: failures only, moving windows (leads/auth/throttle.py says why these keys).
        "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": _rate_limit(
            env, "LOGIN_LIMIT_PER_ACCOUNT_AND_IP", "5 per 15 minutes"
        ),
        "LOGIN_LIMIT_PER_ACCOUNT": _rate_limit(env, "LOGIN_LIMIT_PER_ACCOUNT", "30 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": _rate_limit(env, "LOGIN_LIMIT_PER_IP", "20 per 15 minutes"),
        # Retention: leads closed, lost or untouched this many months are erased (0: never).
        "RETENTION_MONTHS": _at_least(env, "RETENTION_MONTHS", 24, 0),
        "RETENTION_BATCH_SIZE": _at_least(env, "RETENTION_BATCH_SIZE", 100, 1),
        # `flask backup` without a file name writes here (created 0700).
        "BACKUP_DIR": env.get("BACKUP_DIR") or str(instance_path / "backups"),
        # Without the counts (Redis down) guessing would be unlimited: "closed" refuses logins then.
        "LOGIN_THROTTLE_ON_STORAGE_FAILURE": _choice(
            env, "LOGIN_THROTTLE_ON_STORAGE_FAILURE", "closed", ("closed", "open")
        ),
        # WordPress sync: the site whose posts are kept in sync by the beat task (unset: no task).
        "WP_SITE_URL": env.get("WP_SITE_URL", "").strip().rstrip("/"),
        "WP_SYNC_MINUTES": _minutes(env, "WP_SYNC_MINUTES", 15),
        # Only posts in one of these category (or tag) ids, comma-separated; empty: every post.
        "WP_SYNC_CATEGORIES": _ids(env, "WP_SYNC_CATEGORIES"),
        "WP_SYNC_TAGS": _ids(env, "WP_SYNC_TAGS"),
        # Each request to the site: at most this long in all, at most this many bytes.
        "WP_SYNC_TIMEOUT_SECONDS": _at_least(env, "WP_SYNC_TIMEOUT_SECONDS", 20, 1),
        "WP_SYNC_MAX_BYTES": _at_least(env, "WP_SYNC_MAX_BYTES", 5 * 1024 * 1024, 1024),
        # WordPress caps per_page at 100.
        "WP_SYNC_PER_PAGE": min(_at_least(env, "WP_SYNC_PER_PAGE", 50, 1), 100),
        # A site on the clinic's own network (loopback or private addresses): refused unless set.
        "WP_SYNC_ALLOW_PRIVATE_NETWORK": _bool(env.get("WP_SYNC_ALLOW_PRIVATE_NETWORK"), False),
        # Sites whose pages may frame /embed/<slug>/ (origins like https://www.example.com).
        "EMBED_ORIGINS": _embed_origins(env),
        # The JSON API: browsers on these origins may post (CORS); default: the EMBED_ORIGINS.
        "API_CORS_ORIGINS": _embed_origins(env, "API_CORS_ORIGINS") or _embed_origins(env),
        # Per API key (server-to-server senders), and per client address for senders without a key.
        "API_KEY_RATE_LIMIT": env.get("API_KEY_RATE_LIMIT", "120 per minute;5000 per day"),
        "API_CLIENT_RATE_LIMIT": env.get("API_CLIENT_RATE_LIMIT", "10 per minute;100 per day"),
        # Outbound webhooks: tries per delivery (the backoff is the email outbox's), and each POST's bound.
        "WEBHOOK_MAX_ATTEMPTS": _at_least(env, "WEBHOOK_MAX_ATTEMPTS", 8, 1),
        "WEBHOOK_TIMEOUT_SECONDS": _at_least(env, "WEBHOOK_TIMEOUT_SECONDS", 10, 1),
        # A webhook URL on the clinic's own network (loopback, private, link-local): refused unless set.
        "WEBHOOK_ALLOW_PRIVATE_NETWORK": _bool(env.get("WEBHOOK_ALLOW_PRIVATE_NETWORK"), False),
        # `flask users bootstrap-admin` creates this account when there is none.
        "BOOTSTRAP_ADMIN_EMAIL": env.get("BOOTSTRAP_ADMIN_EMAIL", "admin@clinic.example"),
    }
    _check_site_url(settings["WP_SITE_URL"])
    return settings


def _embed_origins(env: Mapping[str, str], name: str = "EMBED_ORIGINS") -> list[str]:
    from leads.embed.origins import parse_origins

    return parse_origins(_csv(env, name), name)


def _check_site_url(url: str) -> None:
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.hostname or parts.query):
        raise ConfigError(
            f"WP_SITE_URL must be the site's http(s) address, like https://example.com, got {url!r}"
        )
