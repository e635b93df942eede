"""Models of the risk app (ARCHITECTURE §3: limits, rules, decisions, alerts, cases, freezes), one
module per subdomain: ``precheck`` (what the payment path reads), ``rules`` (scenarios and
versioned rules), ``evaluations`` (facts, evaluations, per-rule results), ``cases`` (alerts,
cases, holds, freezes, notices, review requests)."""

from risk.models.cases import *  # noqa: F403
from risk.models.evaluations import *  # noqa: F403
from risk.models.precheck import *  # noqa: F403
from risk.models.rules import *  # noqa: F403
