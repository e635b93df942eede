"""Domain events of the accounts app, through the shared outbox (ARCHITECTURE §5)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def event_publish(*, topic: str, payload: dict[str, Any], key: str = "") -> None:
    """Write an outbox row in the caller's transaction (call inside it).

    Delegates to ``core.outbox.event_publish``. TODO: drop this fallback once core/outbox.py has
    landed everywhere; until then an event is logged (ids only) and not delivered.
    """
    try:
        from core.outbox import event_publish as outbox_publish
    except ImportError:
        logger.warning("core.outbox is missing: event %s key=%s not published", topic, key)
        return
    outbox_publish(topic=topic, payload=payload, key=key)
