"""Domain events of the accounts app, through the shared outbox (ARCHITECTURE §5).

``event_publish`` writes an outbox row in the caller's transaction: call it inside it. Payloads
carry ids only, never personal data.
"""

from core.outbox import event_publish

__all__ = ["event_publish"]
