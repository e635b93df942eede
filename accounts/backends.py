"""Staff sign-in: the attempt is taken atomically before any password is compared.

django-axes checks its lockout before authentication and counts the failure after it, so parallel
wrong passwords all pass its check before any is counted (20 parallel tries compared 14 with a
limit of 5). ``AttemptLimitBackend`` comes first in ``AUTHENTICATION_BACKENDS``: it takes one
attempt per username and one per client address with an atomic Redis INCR
(``core.throttling.attempt_take``) and refuses (``PermissionDenied``, so no later backend runs)
once either count is over ``AXES_FAILURE_LIMIT`` within the ``AXES_COOLOFF_TIME`` window. Of any
number of parallel tries at most the limit reach ``ModelBackend``, a right password included.

A completed sign-in (``user_logged_in``: password and TOTP code both right) clears the username's
count while it is still within the limit (``attempt_reset``). django-axes stays the visible
lockout (its page, its admin, its records) and the audit of failures. If Redis is unreachable the
attempt is refused (logged): guesses are never let through unmetered.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from core.client_address import client_address
from core.throttling import STORE_ERRORS, attempt_reset, attempt_take

logger = logging.getLogger(__name__)


def _limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def _window_seconds() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def _username_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"acc:staff-login:user:{digest}"


def _address_key(address: str) -> str:
    return f"acc:staff-login:addr:{address}"


class AttemptLimitBackend:
    """Authenticates nobody; takes the attempt and refuses it when over the limit (see module).

    Deliberately not a ``BaseBackend``: without ``get_user`` it is never the backend a session is
    bound to (``force_login`` and ``login`` pick the first backend that has one), and without
    the permission methods it answers no permission question."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if username is None or password is None:
            return None
        keys = [_username_key(str(username))]
        address = client_address(request)
        if address:
            keys.append(_address_key(address))
        try:
            counts = [attempt_take(key, _window_seconds()) for key in keys]
        except STORE_ERRORS as exc:
            logger.error("Staff sign-in refused: attempt store unavailable (%s)", type(exc).__name__)
            raise PermissionDenied from exc
        if max(counts) > _limit():
            raise PermissionDenied
        return None


@receiver(user_logged_in, dispatch_uid="accounts.backends.staff_attempts_reset")
def _staff_attempts_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    username = getattr(user, "get_username", lambda: "")()
    if not username:
        return
    try:
        attempt_reset(_username_key(username), limit=_limit())
    except STORE_ERRORS as exc:
        logger.warning("Staff sign-in count not reset: attempt store unavailable (%s)", type(exc).__name__)
