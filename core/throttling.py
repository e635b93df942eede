"""Throttles whose counters live in Redis, with a stated behaviour when Redis is unreachable.

- ``FailOpenAnonRateThrottle`` / ``FailOpenUserRateThrottle`` (the project defaults) shed load;
  if Redis is down they let the request through (logged): money lives in PostgreSQL and payments
  must keep working during a Redis outage (ARCHITECTURE §2, §5).
- ``GuardedScopedRateThrottle`` protects guessable endpoints (login, OTP, PIN, coupons). Letting
  guesses through unmetered would be a hole, so if Redis is down it refuses with a clean 503
  ``rate_limit_unavailable`` in the error format, never a 500. Its check-and-count is ONE Lua
  script (a sliding-window log in a sorted set), so parallel requests cannot all read "under the
  limit" before any of them writes: 20 parallel requests against 10/min let exactly 10 through.
  (DRF's own throttles read the history, then write it back: 15 of 15 passed a 10/min limit.)
- ``attempt_take`` is the atomic counter behind attempt limits kept in Redis (login failures, KYC
  checks): INCR first, then compare, so parallel guesses are counted before any is evaluated.
  ``attempt_reset`` clears it after a success only while it is still within the limit (one
  script), so a success compared before a burst cannot lift the lock the burst reached.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)

# The only errors a throttle may treat as "store unreachable"; anything else is a bug and raises.
STORE_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, ConnectionError)


def _ident(request: Any) -> str:
    """DRF's ``get_ident``, answered by the one client-address function (``core.client_address``)."""
    from core.client_address import client_address

    return client_address(request) or ""


# KEYS[1] the window's counter; ARGV[1] the window in ms, ARGV[2] the limit. Counts this request and
# returns {count including it, ms until the window ends when over the limit}: one round trip, no
# read-then-write race.
_FIXED_WINDOW_LUA = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return {n, redis.call('PTTL', KEYS[1])} end
return {n, 0}
"""
_scripts: dict[str, Any] = {}


def _script(client: Any, source: str) -> Any:
    """A registered script (EVALSHA, loaded on first use): the script is not resent every call."""
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = client.register_script(source)
    return script


class _FailOpenMixin:
    """DRF's rate throttles counted in one atomic Redis call per request (a fixed window of the
    rate's duration): DRF's own read the history, then write it back (two round trips, and
    parallel requests all pass). Redis unreachable: the request goes through (logged)."""

    _wait_ms: int | None = None

    def get_ident(self, request: Any) -> str:
        return _ident(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:  # type: ignore[attr-defined]
            return True
        key = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        if key is None:
            return True
        try:
            client, full_key = _redis_for(key, self.cache)  # type: ignore[attr-defined]
            count, ttl_ms = _script(client, _FIXED_WINDOW_LUA)(
                keys=[full_key],
                args=[int(self.duration) * 1000, int(self.num_requests)],  # type: ignore[attr-defined]
                client=client,
            )
        except STORE_ERRORS as exc:
            logger.warning("Throttle skipped: rate-limit store unavailable (%s)", type(exc).__name__)
            return True
        if int(count) > int(self.num_requests):  # type: ignore[attr-defined]
            self._wait_ms = max(int(ttl_ms), 0)
            return False
        return True

    def wait(self) -> float | None:
        return self._wait_ms / 1000 if self._wait_ms is not None else None


class FailOpenUserRateThrottle(_FailOpenMixin, UserRateThrottle):
    pass


class FailOpenAnonRateThrottle(_FailOpenMixin, AnonRateThrottle):
    pass


# KEYS[1] the window's sorted set; ARGV: now (ms), window (ms), limit, a unique member.
# Returns {1, 0} when the request is admitted (and recorded), {0, ms until a slot frees} otherwise.
_SLIDING_WINDOW_LUA = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], now, ARGV[4])
    redis.call('PEXPIRE', KEYS[1], window)
    return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(0, tonumber(oldest[2]) + window - now)}
"""

# KEYS[1] a counter; ARGV[1] its lifetime in seconds, set when the counter is created.
_ATTEMPT_TAKE_LUA = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""

# KEYS[1] a counter; ARGV[1] the limit. Deletes the counter only while it is at or below the limit.
_ATTEMPT_RESET_LUA = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= tonumber(ARGV[1]) then
    redis.call('DEL', KEYS[1])
    return 1
end
return 0
"""


_clients: dict[int, Any] = {}


def _redis_for(key: str, store: Any = None) -> tuple[Any, str]:
    """The raw client and the full (prefixed, versioned) key of Django's Redis cache backend.

    One client per connection pool, kept: Django's ``get_client`` builds a new ``redis.Redis`` on
    every call (about 170 response callbacks set up each time, measurable on the payment path)."""
    store = cache if store is None else store
    full_key = store.make_and_validate_key(key)
    pool = store._cache._get_connection_pool(write=True)
    client = _clients.get(id(pool))
    if client is None:
        client = _clients[id(pool)] = store._cache._client(connection_pool=pool)
    return client, full_key


def attempt_take(key: str, window_seconds: int) -> int:
    """Count one attempt under ``key`` atomically and return the count including it.

    The counter lives ``window_seconds`` from its first attempt (a fixed window). Take the attempt
    BEFORE evaluating the guess and refuse when the result exceeds the limit; reset with
    ``attempt_reset(key, limit=...)`` after a success. The value stays readable with ``cache.get(key)``.
    """
    client, full_key = _redis_for(key)
    return int(client.eval(_ATTEMPT_TAKE_LUA, 1, full_key, int(window_seconds)))


def attempt_reset(key: str, *, limit: int) -> bool:
    """After a success: clear ``key`` if its count is still at most ``limit``; True if cleared.

    Atomic (one script): a count already over the limit (a burst took the lock while the right
    answer was being compared) stays until it expires.
    """
    client, full_key = _redis_for(key)
    return bool(client.eval(_ATTEMPT_RESET_LUA, 1, full_key, int(limit)))


class GuardedScopedRateThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` with an atomic sliding window; refuses (503) when Redis is unreachable."""

    _wait_seconds: float | None = None

    def throttle_admit(self) -> bool:
        now_ms = int(time.time() * 1000)
        window_ms = int(self.duration or 0) * 1000
        client, full_key = _redis_for(str(self.key), self.cache)
        admitted, wait_ms = client.eval(
            _SLIDING_WINDOW_LUA,
            1,
            full_key,
            now_ms,
            window_ms,
            int(self.num_requests or 0),
            f"{now_ms}-{uuid.uuid4().hex}",
        )
        self._wait_seconds = None if admitted else int(wait_ms) / 1000
        return bool(admitted)

    def _allow_atomically(self, request: Any, view: Any) -> bool:
        # ScopedRateThrottle.allow_request resolves the scope and rate, then calls
        # SimpleRateThrottle.allow_request, whose read-then-write we replace here.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self.throttle_admit()

    def wait(self) -> float | None:
        return self._wait_seconds

    def get_ident(self, request: Any) -> str:
        return _ident(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return self._allow_atomically(request, view)
        except STORE_ERRORS as exc:
            logger.error("Guessable endpoint refused: rate-limit store unavailable (%s)", type(exc).__name__)
            from core.errors import RateLimitUnavailable  # here: DRF imports this module while core.errors loads

            raise RateLimitUnavailable() from exc
