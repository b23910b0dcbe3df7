"""Settings from the environment, with embedded defaults that need no server.

Every setting the application reads is built here, once, by `load_settings()`.
Nothing else reads `os.environ`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


def _instance_secret(instance_path: Path) -> str:
    """A secret generated on first start and kept under instance/, so sessions survive restarts."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
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
        # values of the statement, which may be names, emails or answers.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
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
        # Clinic and content
        "CLINIC_NAME": env.get("CLINIC_NAME", "Stemlix Clinic"),
        "PHONE_DEFAULT_REGION": env.get("PHONE_DEFAULT_REGION", "US").upper(),
        "CONSENT_VERSION": env.get("CONSENT_VERSION", "2026-11-01"),
        "CONSENT_TEXT": env.get(
            "CONSENT_TEXT",
            "I agree that the clinic may store the details I send here and contact me "
            "about my inquiry. I can withdraw this consent at any time.",
        ),
        "MEDICAL_DISCLAIMER": env.get(
            "MEDICAL_DISCLAIMER",
            "This article is general information, not medical advice. It does not replace "
            "an examination by a qualified clinician. Treatments described here may not be "
            "suitable for everyone.",
        ),
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
        "EMAIL_MAX_ATTEMPTS": _int(env, "EMAIL_MAX_ATTEMPTS", 8),
        "EMAIL_RETRY_BASE_SECONDS": _int(env, "EMAIL_RETRY_BASE_SECONDS", 30),
        "EMAIL_RETRY_MAX_SECONDS": _int(env, "EMAIL_RETRY_MAX_SECONDS", 1800),
        "EMAIL_SENDING_TIMEOUT_SECONDS": _int(env, "EMAIL_SENDING_TIMEOUT_SECONDS", 600),
        "DIGEST_HOUR_UTC": _int(env, "DIGEST_HOUR_UTC", 7),
        # Broker: the visibility timeout must exceed the longest retry delay (checked in tasks).
        "BROKER_VISIBILITY_TIMEOUT_SECONDS": _int(env, "BROKER_VISIBILITY_TIMEOUT_SECONDS", 3600),
        "BROKER_CONNECT_TIMEOUT_SECONDS": _int(env, "BROKER_CONNECT_TIMEOUT_SECONDS", 1),
        "OUTBOX_SWEEP_SECONDS": _int(env, "OUTBOX_SWEEP_SECONDS", 60),
        # Rows one worker sends over one SMTP connection before it lets go.
        "OUTBOX_BATCH_SIZE": _int(env, "OUTBOX_BATCH_SIZE", 50),
        # Dashboard
        "FIRST_RESPONSE_BUSINESS_DAYS": _int(env, "FIRST_RESPONSE_BUSINESS_DAYS", 1),
        # Business days (Mon-Fri) are counted in the clinic's own time zone.
        "CLINIC_TIMEZONE": env.get("CLINIC_TIMEZONE", "UTC"),
        "ROUND_ROBIN_ASSIGNMENT": _bool(env.get("ROUND_ROBIN_ASSIGNMENT"), False),
        "INBOX_PAGE_SIZE": _int(env, "INBOX_PAGE_SIZE", 50),
        # Login throttling: failures only, moving windows (leads/auth/throttle.py says why these keys).
        "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": env.get("LOGIN_LIMIT_PER_ACCOUNT_AND_IP", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "30 per 15 minutes"),
        "LOGIN_LIMIT_PER_IP": env.get("LOGIN_LIMIT_PER_IP", "20 per 15 minutes"),
        # Retention: leads closed, lost or untouched this many months are erased (0: never).
        "RETENTION_MONTHS": _at_least(env, "RETENTION_MONTHS", 24, 0),
        "RETENTION_BATCH_SIZE": _at_least(env, "RETENTION_BATCH_SIZE", 100, 1),
        # `flask backup` without a file name writes here (created 0700).
        "BACKUP_DIR": env.get("BACKUP_DIR") or str(instance_path / "backups"),
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
        # `flask users bootstrap-admin` creates this account when there is none.
        "BOOTSTRAP_ADMIN_EMAIL": env.get("BOOTSTRAP_ADMIN_EMAIL", "admin@clinic.local"),
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
