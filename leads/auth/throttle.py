"""Login throttling: counts failed logins, shared by every worker through the rate-limit storage.

Three moving-window limits, each counting failures only:

* per (account, client IP), strict (5 per 15 minutes): stops guessing one account from one place;
* per account, higher (30 per 15 minutes): stops a guess spread over many addresses;
* per client IP (20 per 15 minutes): stops one address trying many accounts.

Why this cannot lock a real user out for long: the strict limit is keyed on the account *and*
the address, so an attacker elsewhere cannot trip it for the real user; the account-wide limit
needs six times as many failures, and every window is a short moving one (15 minutes), so a
lock lasts at most until the oldest counted failure is 15 minutes old. A successful login
clears that account's counters. And an attacker who keeps the account-wide counter full still
cannot keep the owner out: a browser that logged in to the account before carries a device cookie
(leads/auth/devices.py), and from it only that device's own failures count (the strict limit).

The storage is `RATELIMIT_STORAGE_URI` (Redis when `REDIS_URL` is set, so the counts are shared by
every gunicorn worker; memory otherwise). Keys carry `RATELIMIT_KEY_PREFIX` and a hash of the
email, never the email itself.

When that storage is down, logins are refused (`LOGIN_THROTTLE_ON_STORAGE_FAILURE=closed`, the
default): without the counts, guessing would be unlimited. Staff already signed in keep working.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from leads.auth.devices import account_key

log = logging.getLogger(__name__)

# What a refused login tells the browser to wait while the storage is down.
STORAGE_DOWN_RETRY_SECONDS = 30


class ThrottleUnavailable(Exception):
    """The counts cannot be read and the throttle fails closed: refuse the login for now."""


@dataclass(frozen=True)
class LoginThrottle:
    limiter: MovingWindowRateLimiter
    storage: Storage
    prefix: str
    per_account_and_ip: RateLimitItem
    per_account: RateLimitItem
    per_ip: RateLimitItem

    def _checks(
        self, email: str, ip: str, device: str | None = None
    ) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        account = account_key(email)
        if device is not None:
            # A known device of the account's owner: only its own failures count.
            return [(self.per_account_and_ip, (self.prefix, "login-device", account, device))]
        return [
            (self.per_account_and_ip, (self.prefix, "login-account-ip", account, ip)),
            (self.per_account, (self.prefix, "login-account", account)),
            (self.per_ip, (self.prefix, "login-ip", ip)),
        ]

    def retry_after(self, email: str, ip: str, device: str | None = None) -> int | None:
        """Seconds until a login may be tried again, or None when it may be tried now."""
        waits = []
        for item, keys in self._checks(email, ip, device):
            if not self.limiter.test(item, *keys):
                reset_at = self.limiter.get_window_stats(item, *keys).reset_time
                waits.append(max(1, math.ceil(reset_at - time.time())))
        return max(waits) if waits else None

    def record_failure(self, email: str, ip: str, device: str | None = None) -> None:
        for item, keys in self._checks(email, ip, device):
            self.limiter.hit(item, *keys)

    def clear_account(self, email: str, ip: str, device: str | None = None) -> None:
        """After a successful login: the account's counters start again; the address's stays."""
        checks = self._checks(email, ip)[:2]
        if device is not None:
            checks += self._checks(email, ip, device)
        for item, keys in checks:
            self.limiter.clear(item, *keys)


def get_throttle() -> LoginThrottle:
    """The app's throttle, built once per app (its storage holds the counters)."""
    throttle = current_app.extensions.get("login_throttle")
    if throttle is None:
        config = current_app.config
        options = {}
        if config["RATELIMIT_STORAGE_URI"].startswith("redis"):
            options = {"key_prefix": "leads-login", **config["RATELIMIT_STORAGE_OPTIONS"]}
        storage = storage_from_string(config["RATELIMIT_STORAGE_URI"], wrap_exceptions=True, **options)
        throttle = LoginThrottle(
            limiter=MovingWindowRateLimiter(storage),
            storage=storage,
            prefix=config["RATELIMIT_KEY_PREFIX"],
            per_account_and_ip=parse(config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"]),
            per_account=parse(config["LOGIN_LIMIT_PER_ACCOUNT"]),
            per_ip=parse(config["LOGIN_LIMIT_PER_IP"]),
        )
        current_app.extensions["login_throttle"] = throttle
    return throttle


def _enabled() -> bool:
    # One switch for every rate limit (Flask-Limiter's), so tests and local debugging can turn them off.
    return current_app.config.get("RATELIMIT_ENABLED", True)


def login_retry_after(email: str, ip: str, device: str | None = None) -> int | None:
    if not _enabled():
        return None
    try:
        return get_throttle().retry_after(email, ip, device)
    except StorageError:
        if current_app.config["LOGIN_THROTTLE_ON_STORAGE_FAILURE"] == "open":
            log.warning("login throttle storage unavailable; not throttling")
            return None
        log.warning("login throttle storage unavailable; refusing logins")
        raise ThrottleUnavailable from None


def note_login_failure(email: str, ip: str, device: str | None = None) -> None:
    if not _enabled():
        return
    try:
        get_throttle().record_failure(email, ip, device)
    except StorageError:
        log.warning("login throttle storage unavailable; failure not counted")


def note_login_success(email: str, ip: str, device: str | None = None) -> None:
    if not _enabled():
        return
    try:
        get_throttle().clear_account(email, ip, device)
    except StorageError:
        log.warning("login throttle storage unavailable; counters not cleared")
