"""Settings for the drills' throwaway stack only: production settings plus a fast hasher listed first,
the drill-only app, and two switches that build a deliberately broken system.

Why the hasher: argon2 costs about 0.45 s of CPU per check on this 2-core box. The drills test
idempotency and conservation, which hash cost has no bearing on; their throwaway customers'
passwords are hashed with this fast hasher (PINs use accounts' own keyed PIN hasher, as in
production), and the bench's "cheap PIN hash" diagnostic uses it to attribute the PIN check's cost.

``tools.drill_app`` registers the drill's effect-counting outbox consumers (see its docstring).

Broken builds, to prove the drills can fail (each must make ``make drill`` exit 1):

* ``DRILL_BREAK_IDEMPOTENCY=1``: the drill consumers skip their idempotency check
  (``ConsumedEvent`` still written): worker-kill must report duplicated effects.
* ``DRILL_REFUSE_ALL=1``: the risk pre-check refuses every payment: bank, Redis-down and
  PostgreSQL-restart must fail their success-share threshold.

Never use this module elsewhere.
"""

import os

from wallet_site.settings import *  # noqa: F403
from wallet_site.settings import INSTALLED_APPS, PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
INSTALLED_APPS = [*INSTALLED_APPS, "tools.drill_app.apps.DrillAppConfig"]

DRILL_BREAK_IDEMPOTENCY = os.environ.get("DRILL_BREAK_IDEMPOTENCY") == "1"
# reward-kill (tools/drill_rewards.py): the reward consumer without its two guards (must fail).
DRILL_BREAK_REWARD_GRANTS = os.environ.get("DRILL_BREAK_REWARD_GRANTS") == "1"
# The drills' random P2P traffic among a few hundred customers looks like velocity plus many new
# payees to the risk rules: they still evaluate every event (worker-kill counts that), but do not
# hold or freeze the drill's money, which would turn the success-share checks into a fraud test.
RISK_ENFORCE = False
if os.environ.get("DRILL_REFUSE_ALL") == "1":
    PAYMENTS_RISK_PRECHECK = "tools.drill_app.hooks.risk_refuse_all"
