"""Models of the payments app, one module per subdomain. Append one import line per module."""

from payments.models.idempotency import *  # noqa: F403
from payments.models.ledger import *  # noqa: F403
