"""Throttles whose counters live in Redis, with a stated behaviour when Redis is unreachable.

- ``FailOpenAnonRateThrottle`` / ``FailOpenUserRateThrottle`` (the project defaults) shed load;
  if Redis is down they let the request through (logged): money lives in PostgreSQL and payments
  must keep working during a Redis outage (ARCHITECTURE §2, §5).
- ``GuardedScopedRateThrottle`` protects guessable endpoints (login, OTP, PIN, coupons). Letting
  guesses through unmetered would be a hole, so if Redis is down it refuses with a clean 503
  ``rate_limit_unavailable`` in the error format, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

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


class _FailOpenMixin:
    def get_ident(self, request: Any) -> str:
        return _ident(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))  # type: ignore[misc]
        except STORE_ERRORS as exc:
            logger.warning("Throttle skipped: rate-limit store unavailable (%s)", type(exc).__name__)
            return True


class FailOpenUserRateThrottle(_FailOpenMixin, UserRateThrottle):
    pass


class FailOpenAnonRateThrottle(_FailOpenMixin, AnonRateThrottle):
    pass


class GuardedScopedRateThrottle(ScopedRateThrottle):
    def get_ident(self, request: Any) -> str:
        return _ident(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))
        except STORE_ERRORS as exc:
            logger.error("Guessable endpoint refused: rate-limit store unavailable (%s)", type(exc).__name__)
            from core.errors import RateLimitUnavailable  # here: DRF imports this module while core.errors loads

            raise RateLimitUnavailable() from exc
