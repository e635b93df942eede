"""What a customer changes about themselves: profile, consents, linked cards."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.consent_texts import CONSENT_TEXTS, consent_version_validate
from accounts.models import Consent, Customer, LinkedCard

# Any run of 12+ digits (spaces/dashes between digits included) may be a card number: refused.
_LONG_DIGIT_RUN = re.compile(r"\d(?:[\s-]?\d){11,}")
_GATEWAY_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{8,128}$")


def customer_profile_update(*, customer: Customer, display_name: str | None = None) -> Customer:
    """Only non-identifying fields; legal name and ID change through KYC, the phone through the branch."""
    fields = []
    if display_name is not None:
        if _LONG_DIGIT_RUN.search(display_name):
            raise errors.CardNumberRefused()
        customer.display_name = display_name.strip()[:40]
        fields.append("display_name")
    if fields:
        customer.save(update_fields=[*fields, "updated_at"])
    return customer


def consent_grant(*, customer: Customer, purpose: str, version: str) -> Consent:
    """Record consent to ``purpose`` at text ``version``; idempotent for the same live version.

    A live consent of another version is withdrawn and replaced (a new text supersedes the old).
    """
    if purpose not in Consent.Purpose.values:
        raise errors.DomainError(gettext("Unknown consent purpose."), code="invalid_consent_purpose")
    version = (version or "").strip()
    if not version or len(version) > 20:
        raise errors.DomainError(gettext("A consent text version is required."), code="invalid_consent_version")
    version = consent_version_validate(purpose=purpose, version=version)
    with transaction.atomic(durable=True):
        Customer.objects.select_for_update().only("pk").get(pk=customer.pk)  # serializes grants per customer
        live = Consent.objects.filter(customer=customer, purpose=purpose, withdrawn_at__isnull=True)
        same = live.filter(version=version).first()
        if same is not None:
            return same
        live.update(withdrawn_at=timezone.now())
        return Consent.objects.create(customer=customer, purpose=purpose, version=version)


def consent_withdraw(*, customer: Customer, purpose: str) -> int:
    """Withdraw the live consent(s) to ``purpose``; returns how many were live (0: nothing to do).
    A required consent (TERMS, PRIVACY) is refused (409 ``consent_required``): the wallet runs on it."""
    if purpose not in Consent.Purpose.values:
        raise errors.DomainError(gettext("Unknown consent purpose."), code="invalid_consent_purpose")
    text = CONSENT_TEXTS.get(purpose)
    if text is not None and text.required:
        raise errors.ConsentRequired()
    return Consent.objects.filter(customer=customer, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


def contains_card_number(value: Any) -> bool:
    """True if any string inside ``value`` (nested dicts/lists included) has a run of 12+ digits."""
    if isinstance(value, str):
        return bool(_LONG_DIGIT_RUN.search(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return len(str(abs(value))) >= 12
    if isinstance(value, dict):
        return any(contains_card_number(k) or contains_card_number(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_card_number(v) for v in value)
    return False


def card_link(
    *,
    customer: Customer,
    gateway_token: str,
    bank_name: str,
    last4: str,
    card_type: str,
    pin: str | None = None,
    otp_code: str | None = None,
) -> LinkedCard:
    """Link a card tokenised by the bank gateway SDK on the phone: token, bank, last 4. Never a number.

    A payout card decides where money can leave, so linking needs step-up: the payment ``pin``
    (a wrong one counts toward the PIN lockout) or a STEP_UP ``otp_code`` (consumed with the
    link). Then the gateway confirms the token (``accounts.integrations.card_token_verify``):
    an unknown token is 400 ``card_token_invalid``; a gateway that reports other last 4 digits
    is 400 ``card_token_mismatch``. Call outside any transaction (PIN counter, gateway I/O).
    """
    from accounts.integrations import card_token_verify
    from accounts.services.otp import customer_step_up_check, otp_consume
    from accounts.services.pin import customer_payment_pin_verify

    if contains_card_number([gateway_token, bank_name, last4, card_type]):
        raise errors.CardNumberRefused()
    if not isinstance(gateway_token, str) or not _GATEWAY_TOKEN.match(gateway_token):
        raise errors.DomainError(gettext("The gateway token is malformed."), code="invalid_gateway_token")
    if not isinstance(last4, str) or not re.fullmatch(r"\d{4}", last4):
        raise errors.DomainError(gettext("Send exactly the last 4 digits of the card."), code="invalid_last4")
    if card_type not in LinkedCard.CardType.values:
        raise errors.DomainError(gettext("Unknown card type."), code="invalid_card_type")
    bank_name = (bank_name or "").strip()
    if not bank_name or len(bank_name) > 100:
        raise errors.DomainError(gettext("The bank name is required."), code="invalid_bank_name")
    if customer.status != Customer.Status.ACTIVE:
        raise errors.AccountNotActive()
    challenge = None
    if pin:
        customer_payment_pin_verify(customer=customer, pin=pin)
    elif otp_code:
        challenge = customer_step_up_check(customer=customer, code=otp_code)
    else:
        raise errors.DomainError(
            gettext("Confirm with your payment PIN or a verification code to link a card."),
            code="step_up_required",
            status_code=403,
        )
    check = card_token_verify(gateway_token=gateway_token)
    if not check.valid:
        raise errors.DomainError(gettext("The bank does not recognise this card token."), code="card_token_invalid")
    if check.last4 and check.last4 != last4:
        raise errors.DomainError(
            gettext("The last 4 digits do not match the card the bank tokenised."), code="card_token_mismatch"
        )
    card_type = check.card_type or card_type
    try:
        with transaction.atomic(durable=True):
            if challenge is not None:
                otp_consume(challenge)
            return LinkedCard.objects.create(
                customer=customer, gateway_token=gateway_token, bank_name=bank_name, last4=last4, card_type=card_type
            )
    except IntegrityError:
        raise errors.CardAlreadyLinked() from None


def card_remove(*, customer: Customer, card: LinkedCard) -> None:
    """Unlink (status REMOVED; the row stays because payments reference it)."""
    if card.customer_id != customer.pk:
        raise errors.DomainError(code="not_found", status_code=404)
    LinkedCard.objects.filter(pk=card.pk, status=LinkedCard.Status.ACTIVE).update(
        status=LinkedCard.Status.REMOVED, updated_at=timezone.now()
    )
