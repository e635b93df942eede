"""Settings for the drills' throwaway stack only: production settings plus a fast hasher listed first.

Why: argon2 costs about 0.45 s of CPU per check on this 2-core box. The drills test idempotency and
conservation, which hash cost has no bearing on; their throwaway customers' passwords are hashed
with this fast hasher (PINs use accounts' own keyed PIN hasher, as in production), and the bench's
"cheap PIN hash" diagnostic uses it to attribute the PIN check's cost. Never use this module elsewhere.
"""

from wallet_site.settings import *  # noqa: F403
from wallet_site.settings import PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
