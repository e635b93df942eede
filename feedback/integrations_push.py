"""The push channel: the only place the messages code talks to the outside (the bank's push
gateway). Pluggable by dotted path in ``FEEDBACK_PUSH_BACKEND``, like ``SMS_BACKEND``: the console
backend logs in development, the locmem backend keeps pushes for tests, production names the
bank's gateway adapter (a console backend is refused there).

A push carries ids, the kind and the title only (never the body): the app opens the inbox item."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

__all__ = [
    "ConsolePushBackend",
    "LocmemPushBackend",
    "PushBackend",
    "PushNotification",
    "PushUnavailable",
    "push_backend",
    "sent",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushNotification:
    customer_id: str  # the customer's public id
    item_id: str  # the inbox item's public id
    kind: str  # MARKETING, SERVICE, SECURITY
    title: dict[str, str] = field(default_factory=dict)  # {"zh-hans": ..., "en": ...}


class PushUnavailable(Exception):
    """The gateway cannot take pushes now: the batch goes back to the queue for the next sweep."""


class PushBackend(Protocol):
    def send(self, notifications: list[PushNotification]) -> None: ...


class ConsolePushBackend:
    """Development: one log line per push. Refused in production."""

    def __init__(self) -> None:
        if getattr(settings, "IS_PRODUCTION", True):
            raise ImproperlyConfigured("ConsolePushBackend is refused in production: set FEEDBACK_PUSH_BACKEND")

    def send(self, notifications: list[PushNotification]) -> None:
        for n in notifications:
            logger.warning(
                "DEV PUSH to %s: [%s] %s (item %s)", n.customer_id, n.kind, n.title.get("zh-hans"), n.item_id
            )


# Like django.core.mail.outbox: tests read what was pushed.
sent: list[PushNotification] = []


class LocmemPushBackend:
    def send(self, notifications: list[PushNotification]) -> None:
        sent.extend(notifications)


def push_backend() -> PushBackend:
    backend: PushBackend = import_string(str(settings.FEEDBACK_PUSH_BACKEND))()
    return backend
