"""Writes of the accounts app (HackSoft style: ``<entity>_<action>`` functions).

Import from here: ``from accounts.services import customer_payment_pin_verify``. The submodules
are split by subdomain; each states its transaction contract.
"""

from accounts.services.pin import customer_payment_pin_set, customer_payment_pin_verify, payment_pin_validate

__all__ = [
    "customer_payment_pin_set",
    "customer_payment_pin_verify",
    "payment_pin_validate",
]
