"""Settings for the drills' throwaway stack only: production settings plus a fast hasher listed first.

Why: the payment PIN is an argon2 hash (about 0.45 s of CPU per check on this 2-core box), which
caps the HTTP API at a few transfers per second; the bank-workload drill needs 20,000 transfers
through the API within minutes to test idempotency and conservation, which the hash cost has no
bearing on. The drills create their customers with this hasher, in a private database that is
thrown away. ``make bench`` keeps argon2 and reports its cost. Never use this module elsewhere.
"""

from wallet_site.settings import *  # noqa: F403
from wallet_site.settings import PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
