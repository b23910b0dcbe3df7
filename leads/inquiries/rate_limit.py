"""The inquiry form's rate limits, in one Redis round trip per POST.

Two sets of limits, per client address: INQUIRY_POST_LIMIT counts every POST (the ceiling for a
client that only sends errors); INQUIRY_RATE_LIMIT counts the POSTs that end at the thanks page
(the redirect), so typing mistakes never use it up. Flask-Limiter spent eight Redis round trips on
that (a read or an increment per limit, two increments after the view, two reads for the headers);
here one script checks every limit and counts the POST, and only a POST that stored nothing pays a
second trip, to give back what it was counted.

A POST in flight holds its place in INQUIRY_RATE_LIMIT until it is answered (Flask-Limiter's
order had the opposite race: two POSTs checked together could both be stored past the limit).

Redis down: with RATELIMIT_ON_STORAGE_FAILURE=memory each process counts in its own memory, and
tries Redis again after STORAGE_RETRY_SECONDS; with `open` the form stops limiting. Either way
the POST is answered (an inquiry is stored before anything else can fail).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Response, after_this_request, current_app, g, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from redis.commands.core import Script
from werkzeug.exceptions import TooManyRequests

from leads.inquiries.submission import accepted, inquiry_limit, post_limit

log = logging.getLogger(__name__)

STORAGE_RETRY_SECONDS = 30

# KEYS: one counter per limit. ARGV: per limit, its amount, its window in seconds, and 1 when it
# counts every POST (0: only POSTs that may be stored). Refused when any counter is at its amount;
# every-POST counters count anyway (as Flask-Limiter's hits did). Returns 1 or 0, then per limit
# its count and the seconds left in its window.
_CHECK_AND_COUNT = """
local allowed = 1
for i, key in ipairs(KEYS) do
    if tonumber(redis.call('GET', key) or '0') + 1 > tonumber(ARGV[3 * i - 2]) then allowed = 0 end
end
local out = {allowed}
for i, key in ipairs(KEYS) do
    local count = tonumber(redis.call('GET', key) or '0')
    if allowed == 1 or ARGV[3 * i] == '1' then
        count = redis.call('INCR', key)
        if count == 1 then redis.call('EXPIRE', key, ARGV[3 * i - 1]) end
    end
    out[#out + 1] = count
    out[#out + 1] = math.max(redis.call('TTL', key), 0)
end
return out
"""


@dataclass(frozen=True)
class _Limit:
    item: RateLimitItem
    every_post: bool  # False: counted only for a POST that ends at the thanks page

    def key(self, prefix: str, client: str, scope: str) -> str:
        return f"LIMITS:{prefix}/{client}/{scope}/{self.item.amount}/{self.item.multiples}/{self.item.GRANULARITY.name}"


@dataclass(frozen=True)
class _Counted:
    allowed: bool
    counts: list[int]
    seconds_left: list[int]


class _MemoryCounters:
    """The same check and count in this process's memory, while Redis is away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, tuple[int, float]] = {}

    def _current(self, key: str, now: float) -> tuple[int, float]:
        count, ends = self._counters.get(key, (0, 0.0))
        return (count, ends) if ends > now else (0, 0.0)

    def check_and_count(self, keys: list[str], limits: list[_Limit]) -> _Counted:
        now = time.monotonic()
        with self._lock:
            current = [self._current(key, now) for key in keys]
            allowed = all(
                count + 1 <= limit.item.amount for (count, _), limit in zip(current, limits, strict=True)
            )
            counts, left = [], []
            for key, (count, ends), limit in zip(keys, current, limits, strict=True):
                if allowed or limit.every_post:
                    count, ends = count + 1, ends or now + limit.item.get_expiry()
                    self._counters[key] = (count, ends)
                counts.append(count)
                left.append(max(int(ends - now), 0))
        return _Counted(allowed, counts, left)

    def give_back(self, keys: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                count, ends = self._current(key, now)
                if count:
                    self._counters[key] = (count - 1, ends)


_memory = _MemoryCounters()
_redis_back_at = 0.0  # while Redis is away: when to try it again


@functools.cache
def _client(url: str, timeout: float) -> tuple[redis.Redis, Script]:
    """One client per process, and the script, sent by its digest once Redis knows it."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    return client, client.register_script(_CHECK_AND_COUNT)


def _redis() -> tuple[redis.Redis, Script] | None:
    """The rate-limit storage, or None when it is memory (no REDIS_URL) or known to be away."""
    url = current_app.config["RATELIMIT_STORAGE_URI"]
    if not url.startswith(("redis://", "rediss://", "unix://")) or time.monotonic() < _redis_back_at:
        return None
    options = current_app.config["RATELIMIT_STORAGE_OPTIONS"]
    return _client(url, options.get("socket_timeout", 1))


def _limits() -> list[_Limit]:
    return [_Limit(item, True) for item in parse_many(post_limit())] + [
        _Limit(item, False) for item in parse_many(inquiry_limit())
    ]


def _storage_away(error: Exception) -> None:
    global _redis_back_at
    _redis_back_at = time.monotonic() + STORAGE_RETRY_SECONDS
    log.warning("rate-limit storage unreachable, counting in memory: %s", type(error).__name__)


def _check_and_count(keys: list[str], limits: list[_Limit]) -> _Counted | None:
    """The counts after this POST, or None when nothing limits (storage away and failure mode open)."""
    storage = _redis()
    if storage is not None:
        args = [
            value
            for limit in limits
            for value in (limit.item.amount, limit.item.get_expiry(), int(limit.every_post))
        ]
        try:
            allowed, *rest = storage[1](keys=keys, args=args)
            return _Counted(
                bool(allowed), [int(count) for count in rest[::2]], [int(left) for left in rest[1::2]]
            )
        except redis.RedisError as error:
            _storage_away(error)
    elif current_app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        return _memory.check_and_count(keys, limits)
    if current_app.config["RATELIMIT_ON_STORAGE_FAILURE"] == "memory":
        return _memory.check_and_count(keys, limits)
    return None


def _give_back(keys: list[str], in_memory: bool) -> None:
    """A POST that stored nothing returns what it was counted in INQUIRY_RATE_LIMIT."""
    storage = None if in_memory else _redis()
    if storage is None:
        _memory.give_back(keys)
        return
    try:
        with storage[0].pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.decr(key)
            pipe.execute()
    except redis.RedisError as error:
        _storage_away(error)


def _headers(response: Response, limit: _Limit, count: int, seconds_left: int) -> None:
    reset_at = int(time.time()) + seconds_left
    response.headers["X-RateLimit-Limit"] = str(limit.item.amount)
    response.headers["X-RateLimit-Remaining"] = str(max(limit.item.amount - count, 0))
    response.headers["X-RateLimit-Reset"] = str(reset_at)
    response.headers["Retry-After"] = str(max(seconds_left, 1))


def limit_submissions(view: Callable) -> Callable:
    """Check and count the form's limits before the view; 429 (TooManyRequests) when one is reached."""

    @functools.wraps(view)
    def limited(*args, **kwargs):
        if not current_app.config.get("RATELIMIT_ENABLED", True):
            return view(*args, **kwargs)
        limits = _limits()
        prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
        keys = [limit.key(prefix, get_remote_address(), request.endpoint) for limit in limits]
        in_memory = _redis() is None
        counted = _check_and_count(keys, limits)
        if counted is None:
            return view(*args, **kwargs)
        g.submission_limit = (limits, counted)
        if not counted.allowed:
            after_this_request(_refused_headers)  # the 429 page comes from an error handler
            raise TooManyRequests()
        kept = [key for key, limit in zip(keys, limits, strict=True) if not limit.every_post]
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            _give_back(kept, in_memory)  # an error page stores nothing either
            raise
        stored = accepted(response)
        if not stored:
            _give_back(kept, in_memory)
        # The headers speak of the first (shortest) limit that stored POSTs count against.
        first = next(index for index, limit in enumerate(limits) if not limit.every_post)
        _headers(
            response, limits[first], counted.counts[first] - (0 if stored else 1), counted.seconds_left[first]
        )
        return response

    return limited


def _refused_headers(response: Response) -> Response:
    """On the 429 page: the limit that was reached, and when to try again."""
    limits, counted = g.get("submission_limit", (None, None))
    if counted is None:
        return response
    reached = [
        index
        for index, (limit, count) in enumerate(zip(limits, counted.counts, strict=True))
        # An every-POST counter counted this POST too; the others were left at their amount.
        if count + (0 if limit.every_post else 1) > limit.item.amount
    ]
    index = reached[0] if reached else 0
    _headers(response, limits[index], counted.counts[index], counted.seconds_left[index])
    return response
