"""What stands in front of the unauthenticated bank callback (``POST /api/v1/gateway/callbacks``).

- Every attempt that reaches the view leaves exactly one ``GatewayCallbackLog`` row, with a bounded
  body (``gateway_callback_process`` keeps the first 4,000 characters; an oversized body is
  refused and logged truncated). A body over ``MAX_REQUEST_BYTES`` never reaches the view (413
  from ``RequestSizeLimitMiddleware``).
- Failure budget: each failed attempt (bad or malformed signature, malformed body) counts against
  the client address (``core.client_address``) for a minute; past
  ``GATEWAY_CALLBACK_FAILURES_PER_MINUTE`` the address gets 429 *before* anything is stored, so a
  forger cannot fill the log table. Throttled attempts go to the application log only. The bank's
  own (valid) callbacks never spend the budget. If Redis is unreachable the budget is not
  enforced (fail open): callbacks settle money and the poller is the only other path.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled

from core.throttling import STORE_ERRORS
from core.validators import card_numbers_masked
from payments.errors_movements import GatewayCallbackMalformed, GatewaySignatureInvalid
from payments.models import GatewayCallbackLog
from payments.services.funding import gateway_callback_process

logger = logging.getLogger(__name__)

CALLBACK_MAX_BODY_BYTES = 16_384
_WINDOW_SECONDS = 60


def _budget_key(address: str) -> str:
    return f"payments:gwcb-failures:{address}:{int(time.time()) // _WINDOW_SECONDS}"


def _failures(address: str) -> int:
    try:
        return int(cache.get(_budget_key(address)) or 0)
    except STORE_ERRORS as exc:
        logger.warning("Callback failure budget unavailable (%s): not enforced", type(exc).__name__)
        return 0


def _failure_record(address: str) -> None:
    key = _budget_key(address)
    try:
        if not cache.add(key, 1, timeout=_WINDOW_SECONDS * 2):
            cache.incr(key)
    except STORE_ERRORS as exc:
        logger.warning("Callback failure budget unavailable (%s): not counted", type(exc).__name__)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=_WINDOW_SECONDS * 2)


def gateway_callback_receive(*, body: bytes, signature: str, address: str | None) -> str:
    """Budget check, size bound, then ``gateway_callback_process``. Raises what it raises, or
    ``Throttled`` (429) when ``address`` spent its failure budget, or ``GatewayCallbackMalformed``
    for a body over ``CALLBACK_MAX_BODY_BYTES``. Call outside any transaction."""
    who = address or "unknown"
    limit = settings.GATEWAY_CALLBACK_FAILURES_PER_MINUTE
    if _failures(who) >= limit:
        logger.warning("Gateway callback from %s throttled: %s failures this minute", who, limit)
        raise Throttled(wait=_WINDOW_SECONDS - int(time.time()) % _WINDOW_SECONDS)
    try:
        if len(body) > CALLBACK_MAX_BODY_BYTES:
            text = card_numbers_masked(body[:4000].decode("utf-8", errors="replace"))
            GatewayCallbackLog.objects.create(outcome=GatewayCallbackLog.Outcome.MALFORMED, body=text)
            raise GatewayCallbackMalformed()
        return gateway_callback_process(body=body, signature=signature)
    except (GatewaySignatureInvalid, GatewayCallbackMalformed):
        _failure_record(who)
        raise
