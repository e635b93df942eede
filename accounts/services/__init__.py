"""Writes of the accounts app (HackSoft style: ``<entity>_<action>`` functions).

Import from here: ``from accounts.services import customer_payment_pin_verify``. The submodules
are split by subdomain; each states its transaction contract.
"""

from accounts.services.auth import (
    IssuedToken,
    customer_login,
    customer_logout,
    customer_password_change,
    customer_password_reset,
    customer_register,
    device_revoke,
    password_validate,
)
from accounts.services.kyc import KycSubmitted, customer_kyc_review_pending, customer_kyc_submit
from accounts.services.otp import customer_step_up_check, otp_consume, otp_request, otp_request_step_up
from accounts.services.passkey_payments import (
    PasskeyPaymentFactor,
    passkey_may_replace_pin,
    passkey_payment_begin,
    passkey_payment_verify,
    payment_fingerprint,
)
from accounts.services.passkeys import (
    PasskeyOptions,
    passkey_login,
    passkey_login_begin,
    passkey_register,
    passkey_registration_begin,
    passkey_revoke,
)
from accounts.services.pin import (
    customer_payment_pin_change,
    customer_payment_pin_set,
    customer_payment_pin_verify,
    payment_pin_candidate,
    payment_pin_refusal,
    payment_pin_validate,
)
from accounts.services.profile import (
    card_link,
    card_remove,
    consent_grant,
    consent_withdraw,
    contains_card_number,
    customer_profile_update,
)
from accounts.services.staff import (
    ApproverNotIndependent,
    StaffChangeRefused,
    approver_ensure_independent,
    customer_freeze_automated,
    customer_pii_reveal,
    customer_register_at_counter,
    customer_status_change,
    kyc_tier_update,
    staff_change_approve,
    staff_change_record,
    staff_change_reject,
    staff_change_request_create,
)

__all__ = [
    "ApproverNotIndependent",
    "IssuedToken",
    "KycSubmitted",
    "PasskeyOptions",
    "PasskeyPaymentFactor",
    "StaffChangeRefused",
    "approver_ensure_independent",
    "card_link",
    "card_remove",
    "consent_grant",
    "consent_withdraw",
    "contains_card_number",
    "customer_freeze_automated",
    "customer_kyc_review_pending",
    "customer_kyc_submit",
    "customer_login",
    "customer_logout",
    "customer_password_change",
    "customer_password_reset",
    "customer_payment_pin_change",
    "customer_payment_pin_set",
    "customer_payment_pin_verify",
    "customer_pii_reveal",
    "customer_profile_update",
    "customer_register",
    "customer_register_at_counter",
    "customer_status_change",
    "customer_step_up_check",
    "device_revoke",
    "kyc_tier_update",
    "otp_consume",
    "otp_request",
    "otp_request_step_up",
    "passkey_login",
    "passkey_login_begin",
    "passkey_may_replace_pin",
    "passkey_payment_begin",
    "passkey_payment_verify",
    "passkey_register",
    "passkey_registration_begin",
    "passkey_revoke",
    "password_validate",
    "payment_fingerprint",
    "payment_pin_candidate",
    "payment_pin_refusal",
    "payment_pin_validate",
    "staff_change_approve",
    "staff_change_record",
    "staff_change_reject",
    "staff_change_request_create",
]
