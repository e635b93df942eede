"""Business failures of the accounts app: each has a stable ``code`` and a 4xx status (core.errors format)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError


class PaymentPinNotSet(DomainError):
    code = "payment_pin_not_set"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Set a payment PIN first.")


class PaymentPinInvalid(DomainError):
    code = "payment_pin_invalid"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("The payment PIN is wrong.")


class PaymentPinLocked(DomainError):
    code = "payment_pin_locked"
    status_code = 423
    default_message = _("Too many wrong payment PINs. Try again later.")


class PaymentPinMalformed(DomainError):
    code = "payment_pin_malformed"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("A payment PIN is exactly 6 digits.")


class InvalidPhone(DomainError):
    code = "invalid_phone"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The phone number is not valid.")


class WeakPassword(DomainError):
    code = "weak_password"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The password is too weak.")


class PhoneAlreadyRegistered(DomainError):
    code = "phone_already_registered"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This phone number is already registered.")


class OtpInvalid(DomainError):
    code = "otp_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The verification code is wrong or has expired.")


class OtpTooManyAttempts(DomainError):
    code = "otp_too_many_attempts"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_message = _("Too many wrong verification codes. Request a new code.")


class OtpRateLimited(DomainError):
    code = "otp_rate_limited"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_message = _("Too many verification codes requested. Try again later.")


class OtpRequired(DomainError):
    code = "otp_required"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("This device is new: a verification code has to be entered.")


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("The phone number or password is wrong.")


class LoginLocked(DomainError):
    code = "login_locked"
    status_code = 423
    default_message = _("Too many failed sign-in attempts. Try again later.")


class AccountNotActive(DomainError):
    code = "account_not_active"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This account is not active.")


class InvalidNationalId(DomainError):
    code = "invalid_national_id"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The ID number is not valid.")


class KycMismatch(DomainError):
    code = "kyc_mismatch"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = _("The name and ID number do not match.")


class KycAlreadyVerified(DomainError):
    code = "kyc_already_verified"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("Identity is already verified.")


class NationalIdAlreadyUsed(DomainError):
    code = "national_id_already_registered"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This ID number is already registered to another account.")


class CardNumberRefused(DomainError):
    code = "card_number_refused"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Send the gateway token, never a card number.")


class CardAlreadyLinked(DomainError):
    code = "card_already_linked"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This card is already linked.")


class InvalidStatusChange(DomainError):
    code = "invalid_status_change"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("The customer's status does not allow this change.")


class ReasonRequired(DomainError):
    code = "reason_required"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("A reason is required.")


class PasskeyChallengeInvalid(DomainError):
    """Unknown, already used or expired: the same answer for all three (a replay learns nothing)."""

    code = "passkey_challenge_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This passkey request has expired or was already used. Start again.")


class PasskeyRejected(DomainError):
    """The passkey's answer did not verify; ``details.reason`` says which check failed (never the payload).

    401 when signing in, 403 when confirming a payment, 400 when registering (bad attestation)."""

    code = "passkey_rejected"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("The passkey could not be verified.")


class PasskeyCounterInvalid(DomainError):
    """The authenticator's signature counter did not move forward: a cloned authenticator or a replay."""

    code = "passkey_counter_invalid"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("This passkey looks copied and cannot be used. Register it again or use your password.")


class PasskeyAlreadyRegistered(DomainError):
    code = "passkey_already_registered"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This passkey is already registered.")


class PasskeyNotRegistered(DomainError):
    code = "passkey_not_registered"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("No passkey is registered on this device.")


class DeviceNotTrusted(DomainError):
    code = "device_not_trusted"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("Sign in again on this device with a verification code first.")


class ConsentRequired(DomainError):
    """A consent the wallet cannot run without (TERMS, PRIVACY: ``ConsentText.required``) cannot be
    withdrawn while the wallet is open: the way out is closing the wallet, at a branch."""

    code = "consent_required"
    status_code = status.HTTP_409_CONFLICT
    default_message = _(
        "This consent is needed to keep your wallet open. To withdraw it, ask a branch to close your wallet."
    )
