"""Models of the payments app, one module per subdomain. Append one import line per module."""

from payments.models.adjustments import *  # noqa: F403
from payments.models.billing import *  # noqa: F403
from payments.models.funding import *  # noqa: F403
from payments.models.fx import *  # noqa: F403
from payments.models.idempotency import *  # noqa: F403
from payments.models.ledger import *  # noqa: F403
from payments.models.merchants import *  # noqa: F403
from payments.models.refunds import *  # noqa: F403
